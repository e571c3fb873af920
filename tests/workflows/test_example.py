"""examples/workflow.py runs end to end against the emulator (with a dropped stream)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

from .conftest import API_KEY

ROOT = Path(__file__).resolve().parents[2]


def test_workflow_example(emulator_factory: Any, tmp_path: Path) -> None:
    out = tmp_path / "out"
    with emulator_factory(faults="sse-drop=4") as emu:
        result = subprocess.run(
            [
                sys.executable,
                str(ROOT / "examples" / "workflow.py"),
                "--endpoint",
                emu.rest_url,
                "--api-key",
                API_KEY,
                "--out",
                str(out),
                "--duration",
                "1",
                "a lighthouse",
            ],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert result.returncode == 0, result.stderr[-2000:]
    lines = [ln for ln in result.stdout.splitlines() if ln.startswith("[")]
    assert [int(ln[1 : ln.index("]")]) for ln in lines] == list(range(1, len(lines) + 1))
    assert sorted(p.suffix for p in out.iterdir()) == [".mp4", ".png"]
    assert API_KEY not in result.stdout + result.stderr
