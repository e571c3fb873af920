"""cli/sogni_cli/workflow.py: run a workflow file and watch it, on the blocking client."""

from __future__ import annotations

import importlib
import io
import json
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from sogni_core.protocol._errors import InvalidParamsError

from .conftest import API_KEY

workflow_cli = pytest.importorskip("sogni_cli.workflow")

PLAN = {
    "title": "Two steps",
    "steps": [
        {
            "id": "img",
            "toolName": "generate_image",
            "arguments": {"prompt": "a fox", "width": 32, "height": 32},
        },
        {
            "id": "music",
            "toolName": "generate_music",
            "arguments": {"prompt": "calm", "duration": 1},
        },
    ],
}


def test_run_and_watch(tmp_path: Path, emulator_factory: Any) -> None:
    sogni_sync = importlib.import_module("sogni_sync")

    path = tmp_path / "wf.json"
    path.write_text(json.dumps(PLAN))
    toml = tmp_path / "wf.toml"
    toml.write_text('workflow_id = "tpl_keyframe_clip"\n[inputs]\nprompt = "a boat"\n')
    out = io.StringIO()
    console = Console(file=out, width=200, color_system=None)
    with (
        emulator_factory(faults="sse-drop=3") as emu,
        sogni_sync.SogniClient(
            api_key=API_KEY, rest_endpoint=emu.rest_url, socket_endpoint=emu.socket_url
        ) as client,
    ):
        record = workflow_cli.run(path, client, console, idle_timeout=5)
        assert record.status == "completed" and workflow_cli.exit_code(record) == 0
        text = out.getvalue()
        assert f"started {record.workflow_id} (Two steps)" in text
        assert "img (generate_image)" in text and "music (generate_music)" in text
        assert text.count("  image: http") == 1 and text.count("  audio: http") == 1
        assert f"{record.workflow_id}: completed" in text
        lines = [ln for ln in text.splitlines() if ln.startswith("[")]
        ids = [int(ln[1 : ln.index("]")]) for ln in lines]
        assert ids == list(range(1, len(ids) + 1))  # resumed after the drop, no repeats
        templated = workflow_cli.run(toml, client, console, follow=False)
        again = workflow_cli.watch(templated.workflow_id, client, console, last_event_id=2)
        assert again.status == "completed"
    with pytest.raises(InvalidParamsError) as info:
        workflow_cli.load_workflow_file(tmp_path / "missing.json")
    assert info.value.field == "file"
    bad = tmp_path / "bad.json"
    bad.write_text('{"nothing": 1}')
    with pytest.raises(InvalidParamsError, match="needs steps"):
        workflow_cli.load_workflow_file(bad)
