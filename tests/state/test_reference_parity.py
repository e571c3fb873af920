"""Parity with the official TS SDK 5.54.0 (its compiled dist, run with node).

Random inputs go through both the reference functions and ours:
subscription payload shaping, ChatStream assembly, job progress and the
``jobError`` -> ErrorData mapping. The SDK is installed once under
the shared node peer (``tests/_peers.py``), shared with the other parity tests.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

from sogni_core.state import events as ev
from sogni_core.state._rules import error_info_from_wire
from sogni_core.state.chat import ChatMachine
from sogni_core.state.job import JobStatus, job_progress
from sogni_core.state.subscriptions import normalize_update, serialize_map
from tests._peers import run_with_sdk

ROOT = Path(__file__).resolve().parents[2]
HARNESS = Path(__file__).parent / "peers" / "state_harness.js"

# Integer-like names are left out: JavaScript objects order them first, a
# difference that cannot occur with the SDK's own (camelCase) event names.
NAMES = ["swarmModels", "swarmLLMModels", "modelAvailability", "jobETA", "x_y", "ü", "event"]


def run_reference(batch: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = run_with_sdk(HARNESS, batch)
    return result


def value(rng: random.Random) -> Any:
    return rng.choice([True, False, 1, None, "yes", ["a"], {"k": True}])


def sub_input(rng: random.Random) -> Any:
    kind = rng.random()
    if kind < 0.1:
        return rng.choice([None, "str", 3, []])
    if kind < 0.5:
        return {rng.choice(NAMES): value(rng) for _ in range(rng.randint(0, 4))}
    shape: dict[str, Any] = {}
    for key in rng.sample(["subscriptions", "subscribe", "unsubscribe", "reset", "enabled"], 3):
        if key == "subscriptions":
            shape[key] = {rng.choice(NAMES): value(rng) for _ in range(rng.randint(0, 3))}
        elif key in ("subscribe", "unsubscribe"):
            shape[key] = rng.choice([rng.choice(NAMES), rng.sample(NAMES, 2)])
        else:
            shape[key] = rng.choice([True, False])
    return shape


def chat_case(rng: random.Random) -> dict[str, Any]:
    chunks: list[dict[str, Any]] = []
    for _ in range(rng.randint(0, 6)):
        chunk: dict[str, Any] = {"jobID": "J"}
        if rng.random() < 0.8:
            chunk["content"] = rng.choice(["", "a", "é☃", " <think>", "x" * rng.randint(1, 5)])
        if rng.random() < 0.3:
            chunk["role"] = rng.choice(["", "assistant", "tool"])
        if rng.random() < 0.3:
            chunk["finishReason"] = rng.choice([None, "", "stop", "length", "tool_calls"])
        if rng.random() < 0.3:
            chunk["usage"] = {"prompt_tokens": rng.randint(0, 9), "completion_tokens": 2}
        if rng.random() < 0.5:
            deltas = []
            for _ in range(rng.randint(1, 3)):
                d: dict[str, Any] = {"index": rng.randint(0, 2)}
                if rng.random() < 0.5:
                    d["id"] = rng.choice(["", "call_1", "call_2"])
                fn: dict[str, Any] = {}
                if rng.random() < 0.5:
                    fn["name"] = rng.choice(["", "f", "g"])
                if rng.random() < 0.7:
                    fn["arguments"] = rng.choice(["", "{", '"a"', ":1", "}"])
                if fn or rng.random() < 0.5:
                    d["function"] = fn
                deltas.append(d)
            chunk["tool_calls"] = deltas
        chunks.append(chunk)
    usage = rng.choice([None, {"prompt_tokens": 5, "completion_tokens": 6, "total_tokens": 11}])
    return {"chunks": chunks, "result": {"timeTaken": rng.randint(0, 9), "usage": usage}}


def ours_chat(case: dict[str, Any]) -> dict[str, Any]:
    m = ChatMachine("J", now=0)
    for c in case["chunks"]:
        usage = c.get("usage")
        m.on_tokens(
            content=c.get("content"),
            role=c.get("role"),
            finish_reason=c.get("finishReason"),
            usage=ev.Usage(**usage) if usage else None,
            tool_calls=[
                ev.ToolCallDelta(
                    index=d["index"],
                    id=d.get("id"),
                    name=(d.get("function") or {}).get("name"),
                    arguments=(d.get("function") or {}).get("arguments"),
                )
                for d in c.get("tool_calls", [])
            ],
        )
    u = case["result"]["usage"]
    (done,) = m.on_result(
        time_taken=case["result"]["timeTaken"], usage=ev.Usage(**u) if u else None
    )
    assert isinstance(done, ev.ChatCompleted)
    r = done.result
    usage_out: dict[str, Any] = {
        "prompt_tokens": r.usage.prompt_tokens,
        "completion_tokens": r.usage.completion_tokens,
    }
    if r.usage.total_tokens is not None:
        usage_out["total_tokens"] = r.usage.total_tokens
    return {
        "content": r.content,
        "role": r.role,
        "finishReason": r.finish_reason,
        "usage": usage_out,
        "tool_calls": [
            {"id": t.id, "type": "function", "function": {"name": t.name, "arguments": t.arguments}}
            for t in r.tool_calls
        ],
    }


def progress_case(rng: random.Random) -> dict[str, Any]:
    d: dict[str, Any] = {
        "status": rng.choice(["pending", "initiating", "completed", "failed"]),
        "step": rng.randint(-2, 30),
        "stepCount": rng.choice([0, 0, 1, 7, 20]),
    }
    if rng.random() < 0.6:
        d["externalProgress"] = rng.choice(
            [0, 1, 0.5, 0.005, 0.995, 1.0000001, 42.5, 99.5, 150, -3, 0.125, 2.5]
        )
    return d


def error_case(rng: random.Random) -> dict[str, Any]:
    # No ``None``: a decoded wire Struct cannot tell a missing ``error`` (JS
    # NaN -> 5000, what we do) from an explicit JSON null (JS Number(null) == 0).
    # No "Infinity" or "1.5": JS reports code Infinity / 1.5; ErrorInfo.code is an
    # integer (5000 / 1, keeping the text as original_code; see test_project.py).
    d: dict[str, Any] = {
        "error": rng.choice(
            [
                0,
                7,
                4081,
                "4081",
                "",
                " 12 ",
                "0x1f",
                "1e3",
                "-5",
                "serverRestarting",
                "workerCancelled",
                "nope",
            ]
        ),
        "error_message": rng.choice(["boom", ""]),
    }
    if rng.random() < 0.3:
        d["imgID"] = "J"
    if rng.random() < 0.3:
        d.update(subscriptionLimit=True, requiredPlans=["pro"], feature="f", limitation="l")
    return d


def test_reference_parity() -> None:
    rng = random.Random(20261201)
    batch = {
        "normalize": [sub_input(rng) for _ in range(300)],
        "serialize": [
            {rng.choice(NAMES): value(rng) for _ in range(rng.randint(0, 4))} for _ in range(100)
        ],
        "chat": [chat_case(rng) for _ in range(300)],
        "progress": [progress_case(rng) for _ in range(300)],
        "errors": [error_case(rng) for _ in range(200)],
    }
    ref = run_reference(batch)

    for given, expected in zip(batch["normalize"], ref["normalize"], strict=True):
        got = json.dumps(normalize_update(given), separators=(",", ":"), ensure_ascii=False)
        assert json.loads(got) == json.loads(expected), given
        assert list(json.loads(got)) == list(json.loads(expected)), given  # key order
    for given, expected in zip(batch["serialize"], ref["serialize"], strict=True):
        assert serialize_map(given) == expected, given

    for case, expected in zip(batch["chat"], ref["chat"], strict=True):
        assert ours_chat(case) == expected, case

    statuses = {s.value: s for s in JobStatus}
    for d, expected in zip(batch["progress"], ref["progress"], strict=True):
        percent = job_progress(
            status=statuses[d["status"]],
            external=d.get("externalProgress"),
            step=d["step"],
            step_count=d["stepCount"],
            eta_started_at=None,
            eta=None,
            now=0.0,
        )
        assert percent == expected, d

    for d, expected in zip(batch["errors"], ref["errors"], strict=True):
        info = error_info_from_wire(
            d["error"],
            d["error_message"],
            subscription_limit=d.get("subscriptionLimit"),
            required_plans=d.get("requiredPlans"),
            feature=d.get("feature"),
            limitation=d.get("limitation"),
        )
        ours: dict[str, Any] = {"code": info.code, "message": info.message}
        if info.original_code is not None or "originalCode" in expected:
            ours["originalCode"] = info.original_code
        if info.subscription_limit:
            ours.update(
                subscriptionLimit=True,
                requiredPlans=list(info.required_plans),
                feature=info.feature,
                limitation=info.limitation,
            )
        assert ours == expected, d
