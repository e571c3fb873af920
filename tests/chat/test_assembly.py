"""Token and tool-call delta assembly is independent of how the stream is chunked (02 §2.8)."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from sogni_core.chat import chunk_from_event, completion_from_result
from sogni_core.state import events as ev
from sogni_core.state.chat import ChatMachine

_text = st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=60)
_calls = st.lists(
    st.tuples(
        st.text(alphabet="abcdefghij0123456789", min_size=1, max_size=10),
        st.sampled_from(["generate_image", "get_weather", "compose_lyrics"]),
        _text,
    ),
    max_size=3,
)


def _split(text: str, cuts: list[int]) -> list[str]:
    points = sorted({c % (len(text) + 1) for c in cuts})
    pieces, start = [], 0
    for p in points:
        pieces.append(text[start:p])
        start = p
    pieces.append(text[start:])
    return pieces


def _run(chunks: list[dict[str, Any]]) -> ev.ChatResult:
    machine = ChatMachine("JOB", now=0.0)
    for chunk in chunks:
        machine.on_tokens(**chunk)
    (done,) = machine.on_result(time_taken=1.5, worker_name="w1")
    assert isinstance(done, ev.ChatCompleted)
    return done.result


def _chunked(
    content: str, calls: list[tuple[str, str, str]], cuts: list[int]
) -> list[dict[str, Any]]:
    chunks: list[dict[str, Any]] = [{"content": piece} for piece in _split(content, cuts)]
    for index, (call_id, name, args) in enumerate(calls):
        # the first delta per index carries id and name; later ones argument fragments
        chunks.append({"tool_calls": [ev.ToolCallDelta(index=index, id=call_id, name=name)]})
        for piece in _split(args, cuts[index:]):
            chunks.append({"tool_calls": [ev.ToolCallDelta(index=index, arguments=piece)]})
    chunks[-1]["finish_reason"] = "tool_calls" if calls else "stop"
    chunks[0]["role"] = "assistant"
    return chunks


@settings(max_examples=150, deadline=None)
@given(content=_text, calls=_calls, cuts=st.lists(st.integers(0, 200), max_size=12))
def test_every_chunking_assembles_the_same(
    content: str, calls: list[tuple[str, str, str]], cuts: list[int]
) -> None:
    whole = _run(_chunked(content, calls, []))
    split = _run(_chunked(content, calls, cuts))
    assert split == whole
    assert whole.content == content
    assert [(c.id, c.name, c.arguments) for c in whole.tool_calls] == calls
    completion = completion_from_result(split, "m")
    assert completion.choices[0].finish_reason == ("tool_calls" if calls else "stop")
    assert [c.function.arguments for c in completion.tool_calls] == [a for _, _, a in calls]


@settings(max_examples=60, deadline=None)
@given(calls=_calls, order=st.randoms(use_true_random=False))
def test_interleaved_tool_deltas_sort_by_index(
    calls: list[tuple[str, str, str]], order: Any
) -> None:
    deltas: list[ev.ToolCallDelta] = []
    for index, (call_id, name, args) in enumerate(calls):
        deltas.append(ev.ToolCallDelta(index=index, id=call_id, name=name))
        deltas.extend(ev.ToolCallDelta(index=index, arguments=ch) for ch in args)
    # shuffle while keeping each index's own fragments in order
    queues = {i: [d for d in deltas if d.index == i] for i in range(len(calls))}
    mixed: list[ev.ToolCallDelta] = []
    while any(queues.values()):
        i = order.choice([k for k, q in queues.items() if q])
        mixed.append(queues[i].pop(0))
    machine = ChatMachine("JOB", now=0.0)
    for d in mixed:
        machine.on_tokens(tool_calls=[d])
    assert [(c.id, c.name, c.arguments) for c in machine.tool_calls] == calls


def test_chunk_shape_and_error_clears_tools() -> None:
    machine = ChatMachine("JOB", now=0.0)
    (chunk,) = machine.on_tokens(content="he", role="assistant")
    assert isinstance(chunk, ev.ChatChunk)
    shaped = chunk_from_event(chunk, "m", first=True)
    assert shaped.object == "chat.completion.chunk"
    assert shaped.choices[0].delta.role == "assistant" and shaped.content == "he"
    assert chunk_from_event(chunk, "m", first=False).choices[0].delta.role is None
    machine.on_tokens(tool_calls=[ev.ToolCallDelta(index=0, id="a", name="x", arguments="{")])
    (failed,) = machine.on_error(error="insufficient_balance", error_code="4080", message="no")
    assert isinstance(failed, ev.ChatFailed) and machine.tool_calls == ()
