"""client.chat against the emulator on asyncio, trio and the blocking client (02 §2)."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from sogni_core.chat import (
    ChatCompletion,
    ChatError,
    MediaContext,
    estimate_input_tokens,
    image_data_uri,
    parse_sogni_tool_call,
    sogni_tools,
)
from sogni_core.protocol._errors import InvalidParamsError
from sogni_core.protocol.rest import Attribution
from sogni_core.state import events as ev
from sogni_core.state.chat import ChatState
from tests._fixtures import read_record

from .conftest import Harness

MODEL = "qwen3.6-35b-a3b-gguf-iq4xs"
LONG = " ".join(f"word{i}" for i in range(40))


def _frames(record: Path, kind: str) -> list[dict[str, Any]]:
    rows = read_record(record)
    return [x["payload"] for x in rows if x.get("kind") == "ws" and x.get("type") == kind]


def _png(size: tuple[int, int]) -> str:
    out = io.BytesIO()
    Image.new("RGB", size, (10, 120, 200)).save(out, format="PNG")
    return image_data_uri(out.getvalue())


async def _plain(h: Any, emu: Any, record: Path) -> None:
    async with h.client(emu) as client:
        models = await h.call(client.chat.wait_for_models())
        assert MODEL in models and models[MODEL].workers > 0
        reply = await h.call(
            client.chat.completions.create(
                messages=[{"role": "user", "content": "hello emulator"}],
                think=True,
                task_profile="general",
                max_tokens=200,
                temperature=0.6,
            )
        )
        assert isinstance(reply, ChatCompletion)
        assert reply.model == MODEL and reply.object == "chat.completion"
        assert reply.content is not None and "hello emulator" in reply.content
        assert reply.content.startswith("<think>")
        assert reply.choices[0].finish_reason == "stop"
        assert reply.usage.total_tokens == reply.usage.prompt_tokens + reply.usage.completion_tokens
        assert reply.cost is not None and float(reply.cost.cost_in_sogni or 0) > 0
        assert reply.worker_name and reply.worker_name.startswith("emu-llm-")
        # vision: a 2048 px image is scaled to 1024 and reaches the model
        seen = await h.call(
            client.chat.completions.create(
                model=MODEL,
                messages=[
                    {
                        "role": "user",
                        "content": [
                            {"type": "text", "text": "describe"},
                            {"type": "image_url", "image_url": {"url": _png((2048, 64))}},
                        ],
                    }
                ],
            )
        )
        assert "I see 1 image" in (seen.content or "")
    sent = _frames(record, "llmJobRequest")
    assert len(sent) == 2
    first = sent[0]
    assert first["chat_template_kwargs"] == {"enable_thinking": True}
    assert first["taskProfile"] == "general" and "stream" not in first
    assert first["max_tokens"] == 200 and first["temperature"] == 0.6
    assert first["jobID"] == reply.id


def test_plain_completion(h: Any, emulator_factory: Any, tmp_path: Path) -> None:
    record = tmp_path / "rec.jsonl"
    with emulator_factory(record=record) as emu:
        h.run(_plain, emu, record)


async def _stream(h: Any, emu: Any) -> None:
    async with h.client(emu) as client:
        stream = await h.call(
            client.chat.completions.create(
                model=MODEL, messages=[{"role": "user", "content": LONG}], stream=True
            )
        )
        chunks = await h.chunks(stream)
        assert len(chunks) > 3
        assert chunks[0].choices[0].delta.role == "assistant"
        assert all(c.choices[0].delta.role is None for c in chunks[1:])
        assert chunks[-1].choices[0].finish_reason == "stop" and chunks[-1].usage is not None
        final = stream.completion
        assert isinstance(final, ChatCompletion)
        assert "".join(c.content for c in chunks) == final.content
        assert stream.finished


def test_streaming(h: Any, emulator_factory: Any) -> None:
    with emulator_factory() as emu:
        h.run(_stream, emu)


async def _break(h: Any, emu: Any) -> None:
    async with h.client(emu) as client:
        canceled: list[ev.ChatCanceled] = []
        client.on(ev.ChatCanceled, canceled.append)
        stream = await h.call(
            client.chat.completions.create(
                model=MODEL, messages=[{"role": "user", "content": LONG}], stream=True
            )
        )
        got = await h.chunks(stream, limit=1)  # break after the first chunk
        assert len(got) == 1
        for _ in range(50):
            if canceled:
                break
            await h.sleep(0.02)
        assert [c.job_id for c in canceled] == [stream.id]
        assert stream.finished and stream.completion is None
        machine = client._conn.chats.get(stream.id)
        assert machine is None or machine.state is ChatState.CANCELED
        # the connection goes on: later tokens of the abandoned job are dropped
        after = await h.call(
            client.chat.completions.create(
                model=MODEL, messages=[{"role": "user", "content": "next"}]
            )
        )
        assert "next" in (after.content or "")
        # closing a stream explicitly cancels as well
        other = await h.call(
            client.chat.completions.create(
                model=MODEL, messages=[{"role": "user", "content": LONG}], stream=True
            )
        )
        await h.call(other.aclose() if h.is_async else other.close())
        assert other.finished
        for _ in range(50):
            if len(canceled) == 2:
                break
            await h.sleep(0.02)
        assert [c.job_id for c in canceled] == [stream.id, other.id]


def test_breaking_out_of_a_stream_cancels(h: Any, emulator_factory: Any) -> None:
    with emulator_factory(speed=5.0) as emu:
        h.run(_break, emu)


async def _tools(h: Any, emu: Any) -> None:
    async with h.client(emu) as client:
        messages: list[dict[str, Any]] = [
            {"role": "user", "content": "please generate_image of a red fox"}
        ]
        tools = sogni_tools(["generate_image", "generate_music"])
        first = await h.call(
            client.chat.completions.create(
                model=MODEL, messages=messages, tools=tools, tool_choice="auto"
            )
        )
        assert first.choices[0].finish_reason == "tool_calls"
        (call,) = first.tool_calls
        parsed = parse_sogni_tool_call(call)
        assert parsed.name == "generate_image" and "red fox" in parsed.arguments["prompt"]
        steps: list[Any] = []
        result = await h.call(
            client.chat.tools.execute(call, media_context=MediaContext(), on_progress=steps.append)
        )
        assert result.success and result.result_urls, result
        statuses = [p.status for p in steps]
        assert statuses[:2] == ["creating", "queued"] and statuses[-1] == "completed"
        assert set(statuses[2:-1]) <= {"processing"}
        assert steps[-1].percent == 100 and steps[-1].result_urls == result.result_urls
        assert json.loads(result.content)["urls"] == list(result.result_urls)
        messages += [first.choices[0].message.to_message(), result.to_message()]
        final = await h.call(
            client.chat.completions.create(model=MODEL, messages=messages, tools=tools)
        )
        assert final.choices[0].finish_reason == "stop"
        assert (final.content or "").startswith("The tool returned:")
        # streaming tool calls assemble the same way
        stream = await h.call(
            client.chat.completions.create(
                model=MODEL,
                messages=[{"role": "user", "content": "compose music please"}],
                tools=tools,
                tool_choice={"type": "function", "function": {"name": "generate_music"}},
                stream=True,
            )
        )
        chunks = await h.chunks(stream)
        assert any(c.choices[0].delta.tool_calls for c in chunks)
        (music,) = stream.completion.tool_calls
        assert parse_sogni_tool_call(music).name == "generate_music"


def test_tool_calling(h: Any, emulator_factory: Any) -> None:
    with emulator_factory() as emu:
        h.run(_tools, emu)


async def _errors(h: Any, emu: Any, record: Path) -> None:
    async with h.client(emu) as client:
        await h.call(client.chat.wait_for_models())
        with pytest.raises(ChatError) as info:
            await h.call(
                client.chat.completions.create(
                    model="no-such-llm", messages=[{"role": "user", "content": "x"}]
                )
            )
        assert info.value.error_type == "model_unavailable"
        assert str(info.value).startswith("model_unavailable: ")
        assert info.value.job_id
        # 02 §2.14: the wire code survives as ChatError.code
        with pytest.raises(ChatError) as denied:
            await h.call(
                client.chat.completions.create(
                    model=MODEL,
                    messages=[{"role": "user", "content": "x"}],
                    billing_mode="subscription",
                )
            )
        assert denied.value.code == "4078" and denied.value.subscription_error_code == 4078
        assert denied.value.error_type == "subscription_unavailable"
        assert not denied.value.is_feature_gate
        stream = await h.call(
            client.chat.completions.create(
                model="no-such-llm", messages=[{"role": "user", "content": "x"}], stream=True
            )
        )
        with pytest.raises(ChatError) as streamed:
            await h.chunks(stream)
        # the streaming path carries the bare server message, as the SDK's
        assert str(streamed.value) == "Model no-such-llm is not available"
        before = len(_frames(record, "llmJobRequest"))
        bad: list[dict[str, Any]] = [
            {"messages": [{"role": "wizard", "content": "x"}]},
            {
                "messages": [
                    {
                        "role": "user",
                        "content": [
                            {"type": "image_url", "image_url": {"url": "https://example.com/a.png"}}
                        ],
                    }
                ]
            },
            {"messages": [{"role": "user", "content": "x"}], "tool_choice": "required"},
            {"messages": [{"role": "user", "content": "x"}], "temperature": 9.0},
        ]
        fields = []
        for kwargs in bad:
            with pytest.raises(InvalidParamsError) as bad_info:
                await h.call(client.chat.completions.create(model=MODEL, **kwargs))
            fields.append(bad_info.value.field)
        assert fields == [
            "messages[0].role",
            "messages[0].content[0].image_url.url",
            "tool_choice",
            "temperature",
        ]
        with pytest.raises(InvalidParamsError) as tool_info:
            await h.call(
                client.chat.tools.execute(
                    {
                        "id": "c",
                        "function": {
                            "name": "generate_image",
                            "arguments": '{"numberOfVariations": 99}',
                        },
                    }
                )
            )
        assert tool_info.value.field == "prompt"
        # nothing was sent for the rejected calls
        await h.sleep(0.2)
        assert len(_frames(record, "llmJobRequest")) == before


def test_errors_and_rejections_before_io(h: Any, emulator_factory: Any, tmp_path: Path) -> None:
    record = tmp_path / "rec.jsonl"
    with emulator_factory(record=record) as emu:
        h.run(_errors, emu, record)


async def _estimate(h: Any, emu: Any) -> None:
    async with h.client(emu) as client:
        messages = [{"role": "user", "content": "How much would this cost? " * 5}]
        quote = await h.call(client.chat.estimate_cost(messages=messages, token_type="spark"))
        assert quote.input_tokens == estimate_input_tokens(messages)
        assert quote.output_tokens == 4096
        assert quote.cost_in_spark and quote.cost_in_spark > 0
        short = await h.call(
            client.chat.estimate_cost(model=MODEL, messages=messages, max_tokens=64)
        )
        assert short.output_tokens == 64 and short.cost_in_sogni < quote.cost_in_sogni
        thinking = await h.call(
            client.chat.estimate_cost(messages=messages, think=True, task_profile="coding")
        )
        # the emulator's model advertises thinkingComplexDefault = 16384
        assert thinking.output_tokens == 16384


def test_estimate_cost(h: Any, emulator_factory: Any) -> None:
    with emulator_factory() as emu:
        h.run(_estimate, emu)


WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Weather for a city.",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}},
            "required": ["city"],
        },
    },
}


async def _auto(h: Any, emu: Any) -> None:
    progress: list[tuple[str, str]] = []
    async with h.client(emu) as client:
        reply = await h.call(
            client.chat.completions.create(
                model=MODEL,
                messages=[{"role": "user", "content": "please generate_image of a quiet harbor"}],
                tools=sogni_tools(["generate_image"]),
                auto_execute_tools=True,
                on_tool_progress=lambda call, p: progress.append((call.function.name, p.status)),
            )
        )
        assert (reply.content or "").startswith("The tool returned:")
        assert progress[0] == ("generate_image", "creating")
        assert progress[-1] == ("generate_image", "completed")
        (entry,) = reply.tool_history
        assert entry.round == 0 and entry.tool_calls[0].function.name == "generate_image"
        (result,) = entry.tool_results
        assert result.success and result.result_urls[0].startswith("http")
        # a generated result (an http URL) is addressed by index: the client downloads it
        edit = {
            "id": "call_e",
            "type": "function",
            "function": {
                "name": "edit_image",
                "arguments": '{"prompt":"add a moon","sourceImageIndex":0}',
            },
        }
        edited = await h.call(
            client.chat.tools.execute(edit, media_context=MediaContext(images=result.result_urls))
        )
        assert edited.success and edited.result_urls
        # own tools go to on_tool_call
        calls: list[str] = []

        def weather(call: Any) -> str:
            calls.append(call.function.name)
            return "sunny, 21 C"

        answered = await h.call(
            client.chat.completions.create(
                model=MODEL,
                messages=[{"role": "user", "content": "what does get_weather say for Oslo?"}],
                tools=[WEATHER_TOOL],
                auto_execute_tools=True,
                on_tool_call=weather,
            )
        )
        assert calls == ["get_weather"]
        assert "sunny, 21 C" in (answered.content or "")
        # without a handler the model is told so, and the loop still ends
        unhandled = await h.call(
            client.chat.completions.create(
                model=MODEL,
                messages=[{"role": "user", "content": "get_weather for Rome"}],
                tools=[WEATHER_TOOL],
                auto_execute_tools=True,
            )
        )
        assert "No handler for non-Sogni tool: get_weather" in (unhandled.content or "")
        with pytest.raises(InvalidParamsError) as info:
            await h.call(
                client.chat.completions.create(
                    model=MODEL,
                    messages=[{"role": "user", "content": "x"}],
                    stream=True,
                    auto_execute_tools=True,
                )
            )
        assert info.value.field == "stream"
        with pytest.raises(InvalidParamsError) as bad:
            await h.call(
                client.chat.completions.create(
                    model=MODEL, messages="hello", auto_execute_tools=True
                )
            )
        assert bad.value.field == "messages"


async def _lineage(h: Any, emu: Any) -> None:
    async with h.client(emu) as client:
        reply = await h.call(
            client.chat.completions.create(
                model=MODEL,
                messages=[{"role": "user", "content": "please generate_image of a kite"}],
                tools=sogni_tools(["generate_image"]),
                auto_execute_tools=True,
                attribution=Attribution(workload_kind="agent_mediated", agent_surface="sdk"),
            )
        )
        assert len(reply.tool_history) == 1


def test_auto_execute_tools(h: Any, emulator_factory: Any) -> None:
    with emulator_factory() as emu:
        h.run(_auto, emu)


def test_tool_loop_attribution(emulator_factory: Any, tmp_path: Path) -> None:
    record = tmp_path / "rec.jsonl"
    with emulator_factory(record=record) as emu:
        Harness("asyncio").run(_lineage, emu)
    first, second = _frames(record, "llmJobRequest")
    root = first["operationId"]
    assert root != first["jobID"] and first["operationScope"] == "top_level"
    assert first["rootOperationId"] == root
    assert second["operationScope"] == "child" and second["operationId"] == second["jobID"]
    assert second["rootOperationId"] == root and second["parentOperationId"] == root
    (job,) = _frames(record, "jobRequest")
    text = json.dumps(job)
    assert '"operationScope": "child"' in text and root in text


async def _timeout(h: Any, emu: Any) -> None:
    async with h.client(emu) as client:
        with pytest.raises(ChatError) as info:
            await h.call(
                client.chat.completions.create(
                    model=MODEL, messages=[{"role": "user", "content": LONG}], timeout=0.2
                )
            )
        assert info.value.error_type == "timeout"
        assert (
            str(info.value) == f"Chat completion timed out after 0.2s (jobID: {info.value.job_id})"
        )


def test_non_streaming_timeout(h: Any, emulator_factory: Any) -> None:
    with emulator_factory(speed=100.0) as emu:
        h.run(_timeout, emu)
