# mypy: disable-error-code="comparison-overlap,unreachable"
# (mypy narrows ``m.state`` after an assert and cannot see that a method call changes it.)
"""Chat machine: table, stream assembly under every chunking, errors, timeout."""

from __future__ import annotations

import itertools
import random
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sogni_core.protocol._errors import LocalProtocolError, ProtocolError
from sogni_core.state import events as ev
from sogni_core.state.chat import FINISHED, TRANSITIONS, ChatInput, ChatMachine, ChatState

REMOTE = {
    ChatInput.STATE_PENDING,
    ChatInput.STATE_QUEUED,
    ChatInput.STATE_RUNNING,
    ChatInput.TOKENS,
    ChatInput.RESULT,
    ChatInput.ERROR,
}


@pytest.mark.parametrize(("state", "inp"), list(itertools.product(ChatState, ChatInput)))
def test_every_pair_legal_or_error(state: ChatState, inp: ChatInput) -> None:
    m = ChatMachine("J", now=0)
    m.state = state  # test-only placement
    if (state, inp) in TRANSITIONS:
        assert m.process(inp) == (state, TRANSITIONS[(state, inp)])
    else:
        with pytest.raises(ProtocolError) as info:
            m.process(inp)
        if state is not ChatState.ERROR:
            assert isinstance(info.value, LocalProtocolError) and inp not in REMOTE
            assert state in FINISHED
        assert m.state is ChatState.ERROR


def test_never_backwards() -> None:
    m = ChatMachine("J", now=0)
    m.on_job_state("jobStarted", worker_name="w1")
    assert m.state is ChatState.RUNNING
    m.on_job_state("queued", queue_position=3)
    assert m.state is ChatState.RUNNING
    m.on_tokens(content="a")
    m.on_job_state("assigned")
    assert m.state is ChatState.STREAMING


def test_assembly_reference_example() -> None:
    m = ChatMachine("J", now=0)
    m.on_job_state("pending", model_id="m", estimated_cost="0.1")
    assert m.state is ChatState.AUTHORIZING
    m.on_tokens(
        content="Hel",
        tool_calls=[ev.ToolCallDelta(index=1, id="b", name="g", arguments='{"x"')],
    )
    m.on_tokens(
        content="lo",
        role="assistant",
        tool_calls=[
            ev.ToolCallDelta(index=0, id="a", name="f", arguments="{}"),
            ev.ToolCallDelta(index=1, arguments=":1}"),
        ],
    )
    m.on_tokens(finish_reason="tool_calls", usage=ev.Usage(prompt_tokens=3, completion_tokens=4))
    out = m.on_result(time_taken=1.5, worker_name="w", cost=ev.Cost(cost_in_usd="0.01"))
    (done,) = out
    assert isinstance(done, ev.ChatCompleted)
    r = done.result
    assert (r.content, r.finish_reason, r.worker_name, r.time_taken) == (
        "Hello",
        "tool_calls",
        "w",
        1.5,
    )
    assert r.usage == ev.Usage(prompt_tokens=3, completion_tokens=4)
    assert r.tool_calls == (
        ev.ToolCall(id="a", name="f", arguments="{}"),
        ev.ToolCall(id="b", name="g", arguments='{"x":1}'),
    )
    assert r.cost == ev.Cost(cost_in_usd="0.01")
    # Ends exactly once: late frames produce nothing.
    assert m.on_tokens(content="late") == []
    assert m.on_result() == []
    assert m.on_error(error="x") == []


def test_defaults_and_result_usage_override() -> None:
    m = ChatMachine("J", now=0)
    m.on_tokens(content="x", usage=ev.Usage(prompt_tokens=1, completion_tokens=1))
    (done,) = m.on_result(usage=ev.Usage(prompt_tokens=9, completion_tokens=9, total_tokens=18))
    assert isinstance(done, ev.ChatCompleted)
    assert done.result.finish_reason == "stop" and done.result.usage.total_tokens == 18
    bare = ChatMachine("K", now=0)
    (done,) = bare.on_result()
    assert isinstance(done, ev.ChatCompleted)
    assert done.result.usage == ev.Usage(prompt_tokens=0, completion_tokens=0, total_tokens=0)
    assert done.result.content == "" and done.result.tool_calls == ()


def test_error_keeps_codes_and_clears_tools() -> None:
    m = ChatMachine("J", now=0)
    m.on_tokens(tool_calls=[ev.ToolCallDelta(index=0, id="a", name="f")])
    (failed,) = m.on_error(
        error="subscription_unavailable",
        error_code="4078",
        message="no plan",
        subscription_limit=True,
        required_plans=["pro"],
    )
    assert failed == ev.ChatFailed(
        job_id="J",
        message="no plan",
        error_type="subscription_unavailable",
        error_code="4078",
        subscription_limit=True,
        required_plans=("pro",),
    )
    assert m.tool_calls == ()
    assert m.result is None
    (bare,) = ChatMachine("K", now=0).on_error(error="model_unavailable", message="")
    assert isinstance(bare, ev.ChatFailed)
    assert bare.message == "model_unavailable"


def test_timeout_cancel_disconnect() -> None:
    m = ChatMachine("J", now=10, timeout=300)
    assert m.next_deadline() == 310
    assert m.on_timer(309) == []
    (t,) = m.on_timer(310)
    assert isinstance(t, ev.ChatFailed)
    assert t.message == "Chat completion timed out after 300s (jobID: J)"
    assert m.next_deadline() is None
    c = ChatMachine("C", now=0)
    assert c.cancel() == [ev.ChatCanceled(job_id="C")]
    assert c.on_tokens(content="x") == []
    with pytest.raises(LocalProtocolError):
        c.cancel()
    d = ChatMachine("D", now=0)
    (gone,) = d.disconnected()
    assert isinstance(gone, ev.ChatFailed) and gone.error_type == "transport_lost"


# Every chunking of the same stream assembles the same result.
TOOLS = st.lists(
    st.tuples(
        st.text("abc", min_size=1, max_size=3), st.text("fg", min_size=1), st.text(max_size=12)
    ),
    max_size=3,
)


def split(text: str, cuts: list[int]) -> list[str]:
    points = sorted({c % (len(text) + 1) for c in cuts})
    return [text[a:b] for a, b in zip([0, *points], [*points, len(text)], strict=True)]


@given(
    st.text(max_size=40),
    TOOLS,
    st.lists(st.integers(0, 100), max_size=8),
    st.lists(st.integers(0, 100), max_size=8),
    st.randoms(use_true_random=False),
)
def test_any_chunking_same_result(
    content: str,
    tools: list[tuple[str, str, str]],
    cuts: list[int],
    tool_cuts: list[int],
    rnd: random.Random,
) -> None:
    reference = ChatMachine("R", now=0)
    reference.on_tokens(
        content=content,
        tool_calls=[
            ev.ToolCallDelta(index=i, id=tid, name=name, arguments=args)
            for i, (tid, name, args) in enumerate(tools)
        ],
    )
    (ref,) = reference.on_result(time_taken=1)

    chunks: list[dict[str, Any]] = [{"content": piece} for piece in split(content, cuts)]
    for i, (tid, name, args) in enumerate(tools):
        pieces = split(args, tool_cuts)
        deltas = [ev.ToolCallDelta(index=i, id=tid, name=name, arguments=pieces[0])]
        deltas += [ev.ToolCallDelta(index=i, arguments=p) for p in pieces[1:]]
        for d in deltas:
            # Tool deltas ride on some chunk at or after the previous delta of this index.
            chunks.append({"tool_calls": [d]})
    # Interleave tool chunks among content chunks while keeping each stream's order.
    content_chunks = [c for c in chunks if "content" in c]
    tool_chunks = [c for c in chunks if "tool_calls" in c]
    merged: list[dict[str, Any]] = []
    while content_chunks or tool_chunks:
        pick = (
            tool_chunks
            if (tool_chunks and (not content_chunks or rnd.random() < 0.5))
            else content_chunks
        )
        merged.append(pick.pop(0))
    m = ChatMachine("R", now=0)
    for c in merged:
        m.on_tokens(**c)
    (got,) = m.on_result(time_taken=1)
    assert got == ref
