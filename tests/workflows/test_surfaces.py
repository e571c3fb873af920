"""Every workflow, template, hosted chat and chat-run surface against the emulator,
on the asyncio, trio and blocking transports."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image

from sogni_core.protocol._errors import ApiStatusError, InvalidParamsError
from sogni_core.workflows import WorkflowBuilder, bind

from .conftest import API_KEY

LLM = "qwen3.6-35b-a3b-gguf-iq4xs"


def _plan() -> Any:
    return (
        WorkflowBuilder("Keyframe to clip")
        .step("keyframe", "generate_image", {"prompt": "a lighthouse", "width": 96, "height": 64})
        .step(
            "clip",
            "generate_video",
            {"prompt": "waves", "duration": 1, "width": 96, "height": 64},
            depends_on=[
                bind(
                    "keyframe",
                    "referenceImageIndices",
                    "image_index",
                    index=0,
                    media_type="image",
                    required=True,
                ),
                bind("keyframe", "startImageUrl", "image_url", index=0),
            ],
        )
        .build()
    )


async def _workflow_roundtrip(h: Any, emu: Any) -> None:
    async with h.client(emu) as client:
        wf = await h.call(client.workflows.start(_plan(), idempotency_key="idem-1"))
        again = await h.call(client.workflows.start(_plan(), idempotency_key="idem-1"))
        assert again.workflow_id == wf.workflow_id
        frames = await h.iterate(client.workflows.stream_events(wf.workflow_id))
        sequences = [f.data["sequence"] for f in frames]
        assert sequences == list(range(1, len(frames) + 1))
        assert frames[-1].status == "completed"
        done = await h.call(client.workflows.get(wf.workflow_id))
        assert done.status == "completed"
        assert [a.media_type for a in done.artifacts] == ["image", "video"]
        clip = done.steps[1]
        assert clip["resolvedArguments"]["referenceImageIndices"] == [0]
        assert clip["resolvedArguments"]["startImageUrl"] == done.artifacts[0].url
        image = httpx.get(done.artifacts[0].url)
        assert Image.open(io.BytesIO(image.content)).size == (96, 64)
        video = httpx.get(done.artifacts[1].url)
        assert video.headers["content-type"] == "video/mp4" and b"ftyp" in video.content[:16]
        events = await h.call(client.workflows.events(wf.workflow_id))
        assert [e.sequence for e in events] == sequences
        listed = await h.call(client.workflows.list(limit=10))
        assert wf.workflow_id in [w.workflow_id for w in listed]
        # resume after the 3rd event: the rest, once
        tail = await h.iterate(client.workflows.stream_events(wf.workflow_id, last_event_id=3))
        assert [f.data["sequence"] for f in tail] == sequences[3:]
        reseed = await h.call(
            client.workflows.reseed(wf.workflow_id, seed_overrides={"keyframe": 42})
        )
        assert reseed.cloned_from_run_id == wf.workflow_id
        assert {"stepId": "keyframe", "seed": 42} in reseed.steps
        clone = await h.call(client.workflows.wait(reseed.workflow.workflow_id))
        assert clone.status == "completed" and clone.steps[0]["seed"] == 42
        with pytest.raises(ApiStatusError) as info:
            await h.call(client.workflows.get("wf_missing"))
        assert info.value.status == 404
        with pytest.raises(InvalidParamsError):
            await h.call(client.workflows.start({"steps": [{"toolName": ""}]}))


def test_workflow_roundtrip(h: Any, emulator_factory: Any) -> None:
    with emulator_factory() as emu:
        h.run(_workflow_roundtrip, emu)


async def _dropped_streams(h: Any, emu: Any) -> None:
    async with h.client(emu) as client:
        wf = await h.call(client.workflows.start(_plan()))
        frames = await h.iterate(
            client.workflows.stream_events(wf.workflow_id, reconnect_delay=0.01)
        )
        sequences = [f.data["sequence"] for f in frames]
        assert sequences == list(range(1, len(sequences) + 1))
        assert frames[-1].status == "completed"
        assert len(sequences) >= 8  # with sse-drop=2*, that took several connections


def test_dropped_streams_resume_exactly_once(h: Any, emulator_factory: Any) -> None:
    with emulator_factory(faults="sse-drop=2*") as emu:
        h.run(_dropped_streams, emu)


async def _idle_timeout(h: Any, emu: Any) -> None:
    async with h.client(emu) as client:
        plan = WorkflowBuilder().step("ask", "ask_clarifying_question", {"question": "?"}).build()
        wf = await h.call(client.workflows.start(plan))
        # The stream goes quiet while the run waits for the user; a short idle timeout makes
        # the client reconnect (no duplicates) until stop_on_waiting ends it.
        frames = await h.iterate(
            client.workflows.stream_events(wf.workflow_id, stop_on_waiting=True, idle_timeout=0.5)
        )
        assert frames[-1].status == "waiting_for_user"
        resumed = await h.call(client.workflows.resume(wf.workflow_id))
        assert resumed.resumed is True
        last = frames[-1].data["sequence"]
        rest = await h.iterate(
            client.workflows.stream_events(wf.workflow_id, last_event_id=last, idle_timeout=0.5)
        )
        assert rest[-1].status == "completed"
        assert rest[0].data["sequence"] == last + 1


def test_waiting_resume_and_idle(h: Any, emulator_factory: Any) -> None:
    with emulator_factory() as emu:
        h.run(_idle_timeout, emu)


async def _cancel_and_partial(h: Any, emu: Any) -> None:
    async with h.client(emu) as client:
        plan = WorkflowBuilder().step("a", "generate_image", {"prompt": "p"}).build()
        wf = await h.call(client.workflows.start(plan))
        cancelled = await h.call(client.workflows.cancel(wf.workflow_id))
        assert cancelled.status == "cancelled"
        frames = await h.iterate(client.workflows.stream_events(wf.workflow_id))
        assert frames[-1].status == "cancelled"
        partial = (
            WorkflowBuilder()
            .step("ok", "generate_image", {"prompt": "p", "width": 32, "height": 32})
            .step("bad", "generate_image", {"prompt": "p", "emulatorFail": True})
            .step(
                "after",
                "edit_image",
                {"prompt": "p"},
                depends_on=[bind("bad", "sourceImageIndex", "image_index", required=True)],
            )
            .build()
        )
        run = await h.call(
            client.workflows.wait((await h.call(client.workflows.start(partial))).workflow_id)
        )
        assert run.status == "partial_failure"
        assert [s["status"] for s in run.steps] == ["completed", "failed", "failed"]
        media = [{"kind": "image", "url": "https://cdn.example/in.png"}]
        bound = (
            WorkflowBuilder()
            .step(
                "edit",
                "edit_image",
                {"prompt": "p", "width": 32, "height": 32},
                depends_on=[
                    bind("$input_media", "sourceImageUrl", "image_url", index=0, media_type="image")
                ],
            )
            .build(media_references=media)
        )
        done = await h.call(
            client.workflows.wait(
                (await h.call(client.workflows.start(bound, media_references=media))).workflow_id
            )
        )
        assert done.steps[0]["resolvedArguments"]["sourceImageUrl"] == media[0]["url"]


def test_cancel_partial_failure_input_media(h: Any, emulator_factory: Any) -> None:
    with emulator_factory() as emu:
        h.run(_cancel_and_partial, emu)


async def _templates(h: Any, emu: Any) -> None:
    async with h.client(emu) as client:
        tpl = client.workflows.templates
        page = await h.call(tpl.list(visibility="public"))
        assert [t.id for t in page.templates] == ["tpl_keyframe_clip"]
        mine = await h.call(
            tpl.create(
                {
                    "name": "Mine",
                    "inputs": [{"name": "prompt", "default": "cat"}],
                    "steps": [
                        {
                            "id": "s",
                            "toolName": "generate_image",
                            "arguments": {"prompt": "{{prompt}}", "width": 32, "height": 32},
                        }
                    ],
                }
            )
        )
        assert mine.name == "Mine" and mine.visibility == "private"
        got = await h.call(tpl.get(mine.id))
        assert got.id == mine.id
        updated = await h.call(tpl.update(mine.id, {"description": "d"}))
        assert updated.description == "d"
        fork = await h.call(tpl.fork("tpl_keyframe_clip", new_name="Copy"))
        assert fork.name == "Copy" and fork.id != "tpl_keyframe_clip"
        own = await h.call(tpl.list(visibility="own", limit=1))
        assert len(own.templates) == 1 and own.next_cursor == 1
        run = await h.call(client.workflows.start(workflow_id=mine.id, inputs={"prompt": "dog"}))
        done = await h.call(client.workflows.wait(run.workflow_id))
        assert done.status == "completed"
        assert done.steps[0]["resolvedArguments"]["prompt"] == "dog"
        await h.call(tpl.delete(mine.id))
        with pytest.raises(ApiStatusError) as info:
            await h.call(tpl.get(mine.id))
        assert info.value.status == 404


def test_templates(h: Any, emulator_factory: Any) -> None:
    with emulator_factory() as emu:
        h.run(_templates, emu)


async def _hosted(h: Any, emu: Any) -> None:
    async with h.client(emu) as client:
        messages = [{"role": "user", "content": "write a haiku"}]
        plain = await h.call(client.chat.hosted.create(model=LLM, messages=messages))
        text = plain.choices[0]["message"]["content"]
        assert text.startswith("Emulated reply to: write a haiku")
        stream = await h.call(client.chat.hosted.create(model=LLM, messages=messages, stream=True))
        chunks = await h.iterate(stream)
        assert len(chunks) > 2
        final = await h.call(stream.final_completion())
        assert final.choices[0]["message"]["content"] == text
        assert final.choices[0]["finish_reason"] == plain.choices[0]["finish_reason"]
        tool_msgs = [{"role": "user", "content": "please generate_image of a fox"}]
        executed = await h.call(
            client.chat.hosted.create(
                model=LLM, messages=tool_msgs, sogni_tools=True, sogni_tool_execution=True
            )
        )
        ref = executed.creative_workflows[0]
        wf = await h.call(client.workflows.wait(ref["workflowId"]))
        assert wf.status == "completed" and wf.artifacts[0].media_type == "image"
        assert executed.sogni_tool_results[0]["tool"] == "generate_image"
        result = await h.call(client.chat.hosted.execute_tool("compose_lyrics", {"topic": "rain"}))
        assert "rain" in result.result["lyrics"]
        with pytest.raises(ApiStatusError) as info:
            await h.call(client.chat.hosted.create(model="no-such-model", messages=messages))
        assert info.value.status == 404


def test_hosted_chat(h: Any, emulator_factory: Any) -> None:
    with emulator_factory() as emu:
        h.run(_hosted, emu)


async def _chat_runs(h: Any, emu: Any) -> None:
    async with h.client(emu) as client:
        run = await h.call(
            client.chat.runs.create(
                messages=[{"role": "user", "content": "generate_image of a boat"}],
                runtime_config={"requireJobConfirmation": True},
            )
        )
        events = await h.iterate(
            client.chat.runs.stream(run.run_id, idle_timeout=0.5),
            until=lambda e: e.type_ == "run_awaiting_cost_confirmation",
        )
        paused = await h.call(client.chat.runs.get(run.run_id))
        assert paused.status == "waiting_for_user"
        details = paused.waiting["details"]
        with pytest.raises(ApiStatusError) as info:
            await h.call(
                client.chat.runs.confirm_cost(run.run_id, tool_call_id="wrong", decision="confirm")
            )
        assert info.value.status == 409
        await h.call(
            client.chat.runs.confirm_cost(
                run.run_id,
                tool_call_id=details["toolCallId"],
                decision="confirm",
                accepted_cost_preview=details["acceptedCostPreview"],
            )
        )
        rest = await h.iterate(
            client.chat.runs.stream(run.run_id, last_event_id=events[-1].sequence)
        )
        allseq = [e.sequence for e in events + rest]
        assert allseq == list(range(1, len(allseq) + 1))
        assert rest[-1].type_ == "run_completed"
        final = await h.call(client.chat.runs.get(run.run_id))
        assert final.status == "completed" and final.media_context["images"]
        listed = await h.call(client.chat.runs.events(run.run_id))
        assert [e.sequence for e in listed] == allseq
        other = await h.call(
            client.chat.runs.create(messages=[{"role": "user", "content": "hello"}])
        )
        cancelled = await h.call(client.chat.runs.cancel(other.run_id, "stop"))
        assert cancelled.status in ("cancelled", "completed")


# Leaving a stream early under trio lets httpx/httpcore's inner body generators
# be finalised by the GC, which trio reports as a ResourceWarning (upstream).
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_chat_runs(h: Any, emulator_factory: Any) -> None:
    with emulator_factory(faults="sse-drop=1") as emu:
        h.run(_chat_runs, emu)


def test_no_secret_in_reprs(emulator_factory: Any) -> None:
    import importlib

    with emulator_factory() as emu:
        client = importlib.import_module("sogni_sync").SogniClient(
            api_key=API_KEY, rest_endpoint=emu.rest_url, socket_endpoint=emu.socket_url
        )
        for obj in (
            client.workflows,
            client.workflows.templates,
            client.chat.hosted,
            client.chat.runs,
        ):
            assert API_KEY not in repr(obj)


async def _idle_reconnects(h: Any, emu: Any, record: Path) -> None:
    import threading

    async with h.client(emu) as client:
        plan = WorkflowBuilder().step("ask", "ask_clarifying_question", {"question": "?"}).build()
        wf = await h.call(client.workflows.start(plan))

        def resume_later() -> None:
            import time

            time.sleep(1.2)
            httpx.post(
                f"{emu.rest_url}/v1/creative-agent/workflows/{wf.workflow_id}/resume",
                headers={"api-key": API_KEY},
                json={},
            )

        threading.Thread(target=resume_later, daemon=True).start()
        frames = await h.iterate(
            client.workflows.stream_events(wf.workflow_id, idle_timeout=0.3, reconnect_delay=0.01)
        )
    sequences = [f.data["sequence"] for f in frames]
    assert sequences == list(range(1, len(sequences) + 1))
    assert frames[-1].status == "completed"
    opened = [
        line
        for line in record.read_text().splitlines()
        if '"kind":"rest"' in line.replace(" ", "") and "/events/stream" in line
    ]
    assert len(opened) >= 3, "the quiet stream was not re-opened after idle timeouts"


def test_idle_timeout_reconnects(h: Any, emulator_factory: Any, tmp_path: Path) -> None:
    record = tmp_path / "rec.jsonl"
    with emulator_factory(record=record) as emu:
        h.run(_idle_reconnects, emu, record)
