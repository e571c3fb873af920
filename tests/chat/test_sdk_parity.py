"""Our llmJobRequest frames equal the official TS SDK 5.54.0's, key order included (02 §2.2).

The same chat cases go through the TS SDK (node, the shared peer's pinned install
under ``tests/peers/node/node_modules``, installed idempotently by
``tests/_peers.py``) and through our asyncio client, both against one recording
emulator. The recorded ``llmJobRequest`` payloads must be identical once the
fresh ``jobID`` (and the operation ids that default to it) are masked.
"""

from __future__ import annotations

import asyncio
import base64
import importlib
import io
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from sogni_emulator import Emulator

from sogni_core.chat import sogni_tools
from sogni_core.protocol.rest import Attribution
from tests._fixtures import read_record
from tests._peers import node_peer_dir

HERE = Path(__file__).resolve().parent
KEY = "sk-parity-9e1f"


def _png() -> str:
    out = io.BytesIO()
    Image.new("RGB", (32, 16), (1, 2, 3)).save(out, format="PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


MODEL = "qwen3.6-35b-a3b-gguf-iq4xs"
CASES: list[dict[str, Any]] = [
    {
        "model": MODEL,
        "messages": [{"role": "system", "content": "terse"}, {"role": "user", "content": "hi"}],
    },
    {
        "model": MODEL,
        "messages": [
            {"role": "system", "content": "Be brief. ünïcødé ✓"},
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "what is this?"},
                    {"type": "image_url", "image_url": {"url": _png(), "detail": "low"}},
                ],
            },
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {
                        "id": "call_1",
                        "type": "function",
                        "function": {"name": "generate_image", "arguments": '{"prompt":"x"}'},
                    }
                ],
            },
            {
                "role": "tool",
                "content": '{"success":true}',
                "tool_call_id": "call_1",
                "name": "generate_image",
            },
        ],
        "max_tokens": 64,
        "temperature": 0.5,
        "top_p": 0.9,
        "top_k": 20,
        "min_p": 0.05,
        "stream": False,
        "repetition_penalty": 1.1,
        "frequency_penalty": 0.2,
        "presence_penalty": 0.25,
        "stop": ["END"],
        "tokenType": "spark",
        "safeContentFilter": False,
        "billingMode": "auto",
        "tools": sogni_tools(["generate_image", "compose_lyrics"]),
        "tool_choice": "auto",
        "sogni_tools": "rich",
        "sogni_tool_execution": False,
        "taskProfile": "coding",
        "think": True,
        "response_format": {"type": "json_object"},
        "appSource": "parity-app",
        "attribution": {
            "workloadKind": "agent_mediated",
            "agentFramework": "langchain",
            "agentSurface": "sdk",
            "executionMode": "server",
        },
    },
    {
        "model": MODEL,
        "messages": [{"role": "user", "content": "stream me"}],
        "stream": True,
        "think": False,
        "tool_choice": {"type": "function", "function": {"name": "generate_music"}},
        "tools": sogni_tools(["generate_music"]),
    },
]
_RENAME = {
    "tokenType": "token_type",
    "safeContentFilter": "safe_content_filter",
    "billingMode": "billing_mode",
    "taskProfile": "task_profile",
    "appSource": "app_source",
}
_ATTRIBUTION = {
    "workloadKind": "workload_kind",
    "agentFramework": "agent_framework",
    "agentSurface": "agent_surface",
    "executionMode": "execution_mode",
}


def _ours(case: dict[str, Any]) -> dict[str, Any]:
    kwargs = {_RENAME.get(k, k): v for k, v in case.items()}
    if "attribution" in kwargs:
        kwargs["attribution"] = Attribution(
            **{_ATTRIBUTION[k]: v for k, v in kwargs["attribution"].items()}
        )
    return kwargs


def _requests(record: Path, app_hint: str) -> list[dict[str, Any]]:
    rows = read_record(record)
    conns = {r["conn"] for r in rows if r.get("kind") == "ws-open" and r.get("appId") == app_hint}
    return [
        r["payload"]
        for r in rows
        if r.get("kind") == "ws" and r.get("type") == "llmJobRequest" and r.get("conn") in conns
    ]


def _masked(payload: dict[str, Any]) -> list[tuple[str, Any]]:
    job = payload["jobID"]
    return [(k, "<job>" if v == job else v) for k, v in payload.items()]


async def _run_ours(emu: Emulator) -> None:
    client_type: Any = importlib.import_module("sogni_asyncio").SogniClient
    async with client_type(
        app_id="parity-python",
        api_key=KEY,
        rest_endpoint=emu.rest_url,
        socket_endpoint=emu.socket_url,
    ) as client:
        await client.chat.wait_for_models()
        for case in CASES:
            result = await client.chat.completions.create(**_ours(case))
            if case.get("stream"):
                async for _ in result:
                    pass


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_llm_job_requests_match_the_ts_sdk(tmp_path: Path) -> None:
    peer = node_peer_dir()
    cases = tmp_path / "cases.json"
    cases.write_text(json.dumps(CASES))
    record = tmp_path / "rec.jsonl"
    with Emulator.run_in_thread(port=0, seed=3, api_keys=[KEY], record=record) as emu:
        env = {
            **os.environ,
            "SOGNI_REST_URL": emu.rest_url,
            "SOGNI_SOCKET_URL": emu.socket_url,
            "SOGNI_API_KEY": KEY,
        }
        proc = subprocess.run(
            ["node", str(HERE / "node" / "llm_requests.mjs"), str(peer), str(cases)],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert proc.returncode == 0, proc.stderr[-2000:]
        asyncio.run(asyncio.wait_for(_run_ours(emu), 60))
    theirs = _requests(record, "parity-node")
    ours = _requests(record, "parity-python")
    assert len(theirs) == len(ours) == len(CASES)
    for mine, sdk in zip(ours, theirs, strict=True):
        assert _masked(mine) == _masked(sdk)
