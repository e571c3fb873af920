"""Durable workflows, templates, hosted chat and chat runs with the official Python SDK
(sogni-client 5.70.0) against the emulator. Same rules, helpers and summary as ``flows.py``
(both use ``_harness.py``).

Run with the peer venv's interpreter (``.cache/peers/pysdk-venv/bin/python``), one flow per
process; it prints one JSON summary line on stdout and exits 0 only when the flow recorded no
error.

Usage: ``python workflows.py <flow>`` with ``SOGNI_REST_URL``, ``SOGNI_SOCKET_URL`` and
``SOGNI_API_KEY`` in the environment (``FLOW_TIMEOUT_S`` optional, default 90).
"""

import asyncio
import os
import sys
from collections.abc import Awaitable, Callable
from typing import Any

from _harness import (
    check_download,
    describe,
    expect,
    result,
    run,
    warnings,
)
from sogni_client import SogniClient

# --- workflow flows -------------------------------------------------------------------

PLAN: dict[str, Any] = {
    "title": "Keyframe to clip",
    "steps": [
        {
            "id": "keyframe",
            "toolName": "generate_image",
            "arguments": {"prompt": "a lighthouse at dusk", "width": 96, "height": 64},
        },
        {
            "id": "clip",
            "toolName": "generate_video",
            "arguments": {"prompt": "waves", "duration": 1, "width": 96, "height": 64},
            "dependsOn": [
                {
                    "sourceStepId": "keyframe",
                    "sourceArtifactIndex": 0,
                    "targetArgument": "referenceImageIndices",
                    "mediaType": "image",
                    "transform": "image_index",
                    "required": True,
                }
            ],
        },
    ],
}


async def collect(iterator: Any, limit: int = 1000) -> list[Any]:
    frames = []
    async for frame in iterator:
        frames.append(frame)
        if len(frames) >= limit:
            break
    return frames


def sequences(frames: list[dict[str, Any]]) -> list[int]:
    return [int(f["id"]) for f in frames]


def gapless(seqs: list[int]) -> bool:
    return seqs == list(range(1, len(seqs) + 1))


async def llm_model(sogni: SogniClient) -> str:
    models = await asyncio.wait_for(sogni.chat.wait_for_models(20), 25)
    return str(next(iter(models)))


async def flow_hosted_chat(sogni: SogniClient) -> None:
    model = await llm_model(sogni)
    response = await sogni.chat.hosted.create(
        model=model,
        messages=[{"role": "user", "content": "please generate_image of a red fox"}],
        sogni_tools=True,
        sogni_tool_execution=True,
        token_type="spark",
    )
    refs = response.get("creative_workflows") or []
    result["completion"] = {"object": response.get("object"), "workflows": len(refs)}
    expect("object is chat.completion", response.get("object") == "chat.completion", response)
    if not expect("a creative workflow was started for the tool", refs, response):
        return
    tool_results = response.get("sogni_tool_results") or [{}]
    expect("tool result names generate_image", tool_results[0].get("tool") == "generate_image")
    wid = refs[0]["workflowId"]
    frames = await asyncio.wait_for(collect(sogni.workflows.stream_events(wid)), 30)
    expect("the tool workflow completed", frames and frames[-1]["data"]["status"] == "completed")
    record = await sogni.workflows.get(wid)
    await check_download(record["artifacts"][0]["url"], "hosted tool image", "png", (256, 256))
    tool = await sogni.chat.hosted.execute_tool(
        tool="enhance_prompt", arguments={"prompt": "a fox"}
    )
    result["tool"] = tool.get("data")
    expect("execute_tool returns the success envelope", tool.get("status") == "success", tool)
    expect("enhanced prompt keeps the idea", tool["data"]["result"]["prompt"].startswith("a fox"))


async def flow_start_stream(sogni: SogniClient) -> None:
    key = f"idem-{os.getpid()}"
    started = await sogni.workflows.start(input=PLAN, token_type="spark", idempotency_key=key)
    wid = started["workflowId"]
    again = await sogni.workflows.start(input=PLAN, token_type="spark", idempotency_key=key)
    expect("same idempotency key, same workflow", again["workflowId"] == wid, again)
    frames = await asyncio.wait_for(collect(sogni.workflows.stream_events(wid)), 60)
    seqs = sequences(frames)
    result["events"] = [f["event"] for f in frames]
    expect("events arrive gapless from 1", seqs and gapless(seqs), seqs)
    expect("the stream stops at completed", frames[-1]["data"].get("status") == "completed")
    record = await sogni.workflows.get(wid)
    expect(
        "record is completed with two artifacts",
        record["status"] == "completed" and len(record["artifacts"]) == 2,
        record.get("status"),
    )
    by_type = {a["mediaType"]: a for a in record["artifacts"]}
    await check_download(by_type.get("image", {}).get("url"), "keyframe", "png", (96, 64))
    await check_download(by_type.get("video", {}).get("url"), "clip", "mp4")
    events = await sogni.workflows.events(wid)
    expect("events() matches the stream", [e["sequence"] for e in events] == seqs)
    tail = await collect(sogni.workflows.stream_events(wid, last_event_id=4))
    expect("last_event_id replays only later events", sequences(tail) == seqs[4:], sequences(tail))
    listed = await sogni.workflows.list(limit=5)
    expect("list() includes the workflow", any(w["workflowId"] == wid for w in listed))
    reseed = await sogni.workflows.reseed(wid, seed_overrides={"keyframe": 7})
    expect("reseed clones the run", reseed["reseed"]["cloned_from_run_id"] == wid, reseed)
    clone_id = reseed["workflow"]["workflowId"]
    await collect(sogni.workflows.stream_events(clone_id))
    clone = await sogni.workflows.get(clone_id)
    expect("the clone used the seed override", clone["steps"][0]["seed"] == 7, clone["steps"][0])
    templates = sogni.workflows.templates
    page = await templates.list(visibility="public")
    expect(
        "the system template is listed",
        any(t["id"] == "tpl_keyframe_clip" for t in page["templates"]),
        page,
    )
    mine = await templates.create({"name": "Mine", "steps": PLAN["steps"][:1]})
    expect("create returns a private template", mine.get("visibility") == "private", mine)
    patched = await templates.update(mine["id"], {"description": "patched"})
    expect("update patches", patched.get("description") == "patched", patched)
    fork = await templates.fork("tpl_keyframe_clip", {"newName": "Forked"})
    expect("fork copies under a new id", fork.get("name") == "Forked", fork)
    run = await sogni.workflows.start(workflow_id=mine["id"])
    await collect(sogni.workflows.stream_events(run["workflowId"]))
    templated = await sogni.workflows.get(run["workflowId"])
    expect("a template run completes", templated["status"] == "completed", templated["status"])
    await templates.delete(mine["id"])
    try:
        await templates.get(mine["id"])
        expect("a deleted template is 404", False)
    except Exception as error:  # the SDK's ApiError
        expect("a deleted template is 404", getattr(error, "status", None) == 404, repr(error))


async def flow_cancel(sogni: SogniClient) -> None:
    started = await sogni.workflows.start(input=PLAN)
    wid = started["workflowId"]
    cancelled = await sogni.workflows.cancel(wid)
    expect("cancel returns the cancelled record", cancelled["status"] == "cancelled", cancelled)
    frames = await asyncio.wait_for(collect(sogni.workflows.stream_events(wid)), 20)
    expect("the stream ends at cancelled", frames[-1]["data"].get("status") == "cancelled")
    record = await sogni.workflows.get(wid)
    expect("get() says cancelled", record["status"] == "cancelled", record["status"])


async def flow_resume_drop(sogni: SogniClient) -> None:
    started = await sogni.workflows.start(input=PLAN)
    wid = started["workflowId"]
    seen: list[dict[str, Any]] = []
    last: str | None = None
    for _ in range(20):
        try:
            # Frames are kept as they arrive: a drop raises after some were yielded.
            async for frame in sogni.workflows.stream_events(wid, last_event_id=last):
                seen.append(frame)
        except Exception as error:  # a dropped connection; resume below
            warnings.append(f"drop: {describe(error)[:200]}")
        if seen:
            last = seen[-1]["id"]
        if seen and (seen[-1].get("data") or {}).get("status") == "completed":
            break
    seqs = sequences(seen)
    result["sequences"] = seqs
    expect("resumed streams are gapless without duplicates", gapless(seqs), seqs)
    expect("it took more than one connection", len(seqs) > 3, len(seqs))


async def flow_chat_run(sogni: SogniClient) -> None:
    run = await sogni.chat.runs.create(
        messages=[{"role": "user", "content": "hello there"}], token_type="spark"
    )
    events = await asyncio.wait_for(collect(sogni.chat.runs.stream_events(run["runId"])), 30)
    types = [e["type"] for e in events]
    result["types"] = types
    expect(
        "run events are in sequence",
        [e["sequence"] for e in events] == list(range(1, len(events) + 1)),
    )
    expect("the run completed", types and types[-1] == "run_completed", types)
    record = await sogni.chat.runs.get(run["runId"])
    expect(
        "final response has content",
        isinstance((record.get("finalResponse") or {}).get("content"), str),
        record,
    )
    paid = await sogni.chat.runs.create(
        messages=[{"role": "user", "content": "generate_image of a boat"}],
        runtime_config={"requireJobConfirmation": True},
    )
    waiting = None
    for _ in range(100):
        current = await sogni.chat.runs.get(paid["runId"])
        if current["status"] == "waiting_for_user":
            waiting = current
            break
        await asyncio.sleep(0.05)
    reason = ((waiting or {}).get("waiting") or {}).get("reason")
    if not expect("the paid tool pauses for cost approval", reason == "cost_approval_required"):
        return
    details = waiting["waiting"]["details"]
    await sogni.chat.runs.confirm_cost(
        paid["runId"],
        tool_call_id=details["toolCallId"],
        decision="confirm",
        accepted_cost_preview=details["acceptedCostPreview"],
    )
    rest = await collect(sogni.chat.runs.stream_events(paid["runId"]))
    expect("the confirmed run completes", rest and rest[-1]["type"] == "run_completed")
    done = await sogni.chat.runs.get(paid["runId"])
    await check_download(done["mediaContext"]["images"][0], "chat run image", "png", (256, 256))


FLOWS: dict[str, Callable[[SogniClient], Awaitable[None]]] = {
    "wf-hosted-chat": flow_hosted_chat,
    "wf-start-stream": flow_start_stream,
    "wf-cancel": flow_cancel,
    "wf-resume-drop": flow_resume_drop,
    "wf-chat-run": flow_chat_run,
}


if __name__ == "__main__":
    sys.exit(run(FLOWS))
