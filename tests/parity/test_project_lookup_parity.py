"""Parity of ``client.projects.status`` / ``get`` with the official TS SDK 5.54.0
``projects.getStatus`` / ``projects.get``, both against one running emulator.

Our blocking client creates and finishes a project; ``project_lookup.mjs`` runs
the SDK's own look-ups (its real REST client) for that id and for an unknown
one. Every field our typed structs decode must hold the value the SDK returns
(the SDK hands back the raw ``data.project``), and the 404 of an unknown id must
carry the same status, code and message on both sides.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import msgspec
import pytest
from sogni_emulator import Emulator

from sogni_core.protocol._errors import ApiStatusError
from sogni_core.protocol.jobrequest import ImageProjectParams
from tests._peers import node_peer_dir, run_with_sdk

HERE = Path(__file__).parent
KEY = "sk-parity-lookup-7c1d"


def _agrees(ours: Any, theirs: Any, where: str = "project") -> list[str]:
    """Where a value we decoded differs from the SDK's (our fields only)."""
    if isinstance(ours, dict):
        if not isinstance(theirs, dict):
            return [f"{where}: {theirs!r} is not an object"]
        problems = []
        for key, value in ours.items():
            if key not in theirs:
                problems.append(f"{where}.{key}: missing in the SDK's answer")
            else:
                problems += _agrees(value, theirs[key], f"{where}.{key}")
        return problems
    if isinstance(ours, (list, tuple)):
        if not isinstance(theirs, list) or len(theirs) != len(ours):
            return [f"{where}: {theirs!r} is not a list of {len(ours)}"]
        return [p for i, v in enumerate(ours) for p in _agrees(v, theirs[i], f"{where}[{i}]")]
    numbers = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (ours, theirs))
    if ours == theirs and (numbers or type(ours) is type(theirs)):
        return []
    return [f"{where}: ours {ours!r}, SDK {theirs!r}"]


def test_lookups_match_the_ts_sdk() -> None:
    node_peer_dir()
    from sogni_sync import SogniClient

    with Emulator.run_in_thread(port=0, seed=0, api_keys=[KEY]) as emu:
        unknown = str(uuid.uuid4()).upper()
        with SogniClient(
            api_key=KEY, rest_endpoint=emu.rest_url, socket_endpoint=emu.socket_url
        ) as client:
            params = ImageProjectParams(
                model_id="flux1-schnell-fp8", positive_prompt="a quay", steps=4, number_of_media=2
            )
            project = client.projects.create(params)
            project.wait(30)
            status = client.projects.status(project.id)
            record = client.projects.get(project.id)
            errors = {}
            for name in ("status", "get"):
                with pytest.raises(ApiStatusError) as info:
                    getattr(client.projects, name)(unknown)
                errors[name] = info.value

            out = run_with_sdk(
                HERE / "project_lookup.mjs",
                {
                    "rest": emu.rest_url,
                    "socket": emu.socket_url,
                    "apiKey": KEY,
                    "ids": [project.id, unknown],
                },
                timeout=60,
            )
    mine, other = out["results"]
    assert mine["status"]["ok"] and mine["get"]["ok"], mine
    ts_status, ts_record = mine["status"]["value"], mine["get"]["value"]
    ours_status = msgspec.to_builtins(status)
    ours_record = msgspec.to_builtins(record)
    # the fields the user reads are there, not just tolerated
    for key in ("id", "status", "finished", "completedWorkerJobs", "imageCount", "model"):
        assert key in ours_status, key
    for key in ("id", "status", "completedWorkerJobs", "imageCount", "costActual"):
        assert key in ours_record, key
    assert "worker" in ours_record["completedWorkerJobs"][0]
    assert _agrees(ours_status, ts_status) == []
    assert _agrees(ours_record, ts_record) == []
    assert ts_status["status"] == "completed" and ts_status["finished"] is True
    for name in ("status", "get"):
        theirs = other[name]
        assert theirs["ok"] is False, theirs
        err = errors[name]
        assert (err.status, err.code, err.message) == (
            theirs["error"]["status"],
            theirs["error"]["code"],
            theirs["error"]["message"],
        )
