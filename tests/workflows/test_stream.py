"""The resumable event-stream machines: exactly-once delivery across drops (Hypothesis)."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sogni_core.protocol._errors import ApiStatusError, LocalProtocolError, RemoteProtocolError
from sogni_core.protocol.rest import ApiKeyAuth, Hosts, Request
from sogni_core.workflows import (
    ChatRunEventStream,
    StreamState,
    WorkflowEventStream,
)

HOSTS = Hosts(rest="https://api.example")
AUTH = ApiKeyAuth("k")


def _workflow_frames(n: int, terminal: str = "completed") -> list[bytes]:
    frames = []
    for seq in range(1, n + 1):
        status = terminal if seq == n else None
        event = {"workflowId": "wf", "sequence": seq, "type": "step_completed"}
        if status:
            event["status"] = status
            event["type"] = "workflow_completed"
        frames.append(f"id: {seq}\nevent: {event['type']}\ndata: {json.dumps(event)}\n\n".encode())
    return frames


def _resume_point(request: Request) -> int:
    after = parse_qs(urlsplit(request.url).query).get("after")
    header = request.header("Last-Event-ID")
    values = [int(v) for v in (after or []) + ([header] if header else [])]
    return max(values, default=0)


@st.composite
def connection_plans(draw: st.DrawFn) -> list[tuple[float, int, bool, int, bool]]:
    """Per connection: cut fraction, replay slack, EOF vs error, chunk size, heartbeat."""
    return draw(
        st.lists(
            st.tuples(
                st.floats(0, 1),
                st.integers(0, 3),
                st.booleans(),
                st.integers(1, 64),
                st.booleans(),
            ),
            max_size=25,
        )
    )


@settings(max_examples=150, deadline=None)
@given(n=st.integers(1, 12), plans=connection_plans(), retry=st.booleans())
def test_workflow_events_exactly_once(
    n: int, plans: list[tuple[float, int, bool, int, bool]], retry: bool
) -> None:
    frames = _workflow_frames(n)
    machine = WorkflowEventStream("wf", max_attempts=10_000, reconnect_delay=0.5)
    now = 0.0
    delivered: list[int] = []
    connections = 0
    while not machine.finished():
        wake = machine.reconnect_at
        if wake is not None:
            now = max(now, wake)
        request = machine.next_request(HOSTS, AUTH, now)
        assert request.header("Accept") == "text/event-stream"
        connections += 1
        cut, slack, eof, size, heartbeat = plans.pop(0) if plans else (1.0, 0, True, 4096, False)
        # A sloppy server may replay a few events the client already has.
        start = max(0, _resume_point(request) - slack)
        prefix = b"retry: 250\n\n" if retry else b""
        body = prefix + b"".join(
            (b": keep-alive\n\n" if heartbeat else b"") + f for f in frames[start:]
        )
        body = body[: int(len(body) * cut)] if cut < 1.0 else body
        machine.receive_response(200, [("content-type", "text/event-stream")], now=now)
        for i in range(0, len(body), size):
            now += 0.01
            for event in machine.receive_data(body[i : i + size], now=now):
                delivered.append(event.data["sequence"])
            if machine.finished():
                break
        if machine.finished():
            break
        if eof:
            for event in machine.receive_eof(now=now):
                delivered.append(event.data["sequence"])
        else:
            machine.stream_failed(now=now)
        if machine.state is StreamState.BACKOFF and retry and machine.retry_ms is not None:
            assert machine.reconnect_at == pytest.approx(now + 0.25)
    assert machine.state is StreamState.DONE
    assert delivered == list(range(1, n + 1))
    assert machine.last_event_id == str(n)
    assert connections <= 26


def test_resume_headers_and_query() -> None:
    machine = WorkflowEventStream("wf/1", reconnect_delay=1.0)
    first = machine.next_request(HOSTS, AUTH, 0.0)
    assert first.url == "https://api.example/v1/creative-agent/workflows/wf%2F1/events/stream"
    assert first.header("Last-Event-ID") is None
    machine.receive_response(200, now=0.0)
    events = machine.receive_data(b'id: 7\ndata: {"sequence": 7}\n\n', now=0.1)
    assert [e.id for e in events] == ["7"]
    assert machine.receive_eof(now=0.2) == []
    assert machine.state is StreamState.BACKOFF
    assert machine.reconnect_at == pytest.approx(1.2)
    with pytest.raises(LocalProtocolError):
        machine.next_request(HOSTS, AUTH, 0.5)  # before the backoff elapsed
    assert machine.finished() and machine.state.value == "error"


def test_after_option_sends_query_only() -> None:
    machine = WorkflowEventStream("wf", after=3)
    request = machine.next_request(HOSTS, AUTH, 0.0)
    assert request.url.endswith("/events/stream?after=3")
    assert request.header("Last-Event-ID") is None
    resumed = WorkflowEventStream("wf", last_event_id=3).next_request(HOSTS, AUTH, 0.0)
    assert resumed.url.endswith("?after=3")
    assert resumed.header("Last-Event-ID") == "3"


def test_backoff_doubles_without_progress_and_gives_up() -> None:
    machine = WorkflowEventStream("wf", reconnect_delay=1.0, max_delay=3.0, max_attempts=4)
    now = 0.0
    delays = []
    for _ in range(3):
        machine.next_request(HOSTS, AUTH, now)
        machine.stream_failed(now=now)
        assert machine.reconnect_at is not None
        delays.append(machine.reconnect_at - now)
        now = machine.reconnect_at
    assert delays == [1.0, 2.0, 3.0]
    machine.next_request(HOSTS, AUTH, now)
    with pytest.raises(RemoteProtocolError, match="without receiving anything"):
        machine.stream_failed(now=now)
    with pytest.raises(RemoteProtocolError):
        machine.next_request(HOSTS, AUTH, now + 100)  # sticky


def test_idle_deadline() -> None:
    machine = WorkflowEventStream("wf", idle_timeout=5.0)
    assert machine.idle_deadline() is None
    machine.next_request(HOSTS, AUTH, 10.0)
    assert machine.idle_deadline() == 15.0
    machine.receive_response(200, now=11.0)
    machine.receive_data(b": ping\n\n", now=12.0)  # a heartbeat is activity
    assert machine.idle_deadline() == 17.0
    assert machine.check_idle(now=16.9) is False
    assert machine.check_idle(now=17.0) is True
    assert machine.state is StreamState.BACKOFF
    assert machine.idle_deadline() is None


def test_statuses() -> None:
    machine = WorkflowEventStream("wf", reconnect_delay=1.0)
    machine.next_request(HOSTS, AUTH, 0.0)
    machine.receive_response(503, [("Retry-After", "4")], b"{}", now=0.0)
    assert machine.reconnect_at == 4.0
    machine.next_request(HOSTS, AUTH, 4.0)
    with pytest.raises(ApiStatusError) as info:
        machine.receive_response(
            404, [], b'{"status":"error","message":"Workflow not found","errorCode":404}', now=4.0
        )
    assert info.value.status == 404 and info.value.message == "Workflow not found"
    assert machine.state is StreamState.ERROR
    with pytest.raises(ApiStatusError):
        machine.next_request(HOSTS, AUTH, 5.0)


def test_terminal_statuses_and_waiting() -> None:
    for status, stop_on_waiting, done in [
        ("partial_failure", False, True),
        ("cancelled", False, True),
        ("waiting_for_user", False, False),
        ("waiting_for_user", True, True),
        ("running", True, False),
    ]:
        machine = WorkflowEventStream("wf", stop_on_waiting=stop_on_waiting)
        machine.next_request(HOSTS, AUTH, 0.0)
        machine.receive_response(200, now=0.0)
        data = json.dumps({"sequence": 1, "status": status}).encode()
        tail = b'id: 2\ndata: {"sequence": 2}\n\n'
        events = machine.receive_data(b"id: 1\ndata: " + data + b"\n\n" + tail, now=0.0)
        assert (machine.state is StreamState.DONE) is done, status
        assert len(events) == (1 if done else 2)


def test_non_json_data_and_keyless_events_pass_through() -> None:
    machine = WorkflowEventStream("wf")
    machine.next_request(HOSTS, AUTH, 0.0)
    machine.receive_response(200, now=0.0)
    events = machine.receive_data(b"data: hello\n\ndata: hello\n\n", now=0.0)
    assert [(e.event, e.data, e.id) for e in events] == [("message", "hello", None)] * 2
    assert events[0].status is None and events[0].workflow_event() is None


def test_bad_bytes_are_a_remote_error() -> None:
    machine = WorkflowEventStream("wf")
    machine.next_request(HOSTS, AUTH, 0.0)
    machine.receive_response(200, now=0.0)
    with pytest.raises(RemoteProtocolError):
        machine.receive_data(b"data: \xff\n\n", now=0.0)
    assert machine.state is StreamState.ERROR


def test_data_outside_a_stream_is_local_error() -> None:
    machine = WorkflowEventStream("wf")
    with pytest.raises(LocalProtocolError):
        machine.receive_data(b"data: x\n\n", now=0.0)


def _run_frame(seq: int, type_: str, *, name: str | None = None) -> bytes:
    data = json.dumps({"sequence": seq, "type": type_, "at": "2026-01-01T00:00:00Z"})
    head = f"event: {name}\n" if name else ""
    return f"{head}data: {data}\n\n".encode()


@settings(max_examples=100, deadline=None)
@given(cuts=st.lists(st.integers(0, 400), max_size=10))
def test_chat_run_events_exactly_once(cuts: list[int]) -> None:
    types = ["run_created", "llm_round_started", "assistant_message_delta", "run_completed"]
    frames = [_run_frame(i + 1, t) for i, t in enumerate(types)]
    machine = ChatRunEventStream("run_1", max_attempts=1000, reconnect_delay=0.0)
    got = []
    now = 0.0
    while not machine.finished():
        request = machine.next_request(HOSTS, AUTH, now)
        last = int(request.header("Last-Event-ID") or 0)
        # Chat-run SSE has no id: lines; the status frame is skipped; resume by sequence.
        body = _run_frame(0, "x", name="run_status") + b"".join(frames[last:])
        if cuts:
            body = body[: cuts.pop(0)]
        machine.receive_response(200, now=now)
        got += machine.receive_data(body, now=now)
        if not machine.finished():
            got += machine.receive_eof(now=now)
    assert [e.type_ for e in got] == types
    assert request.url == "https://api.example/v1/chat/runs/run_1/events/stream"


def test_chat_run_stream_error_message() -> None:
    machine = ChatRunEventStream("r")
    machine.next_request(HOSTS, AUTH, 0.0)
    with pytest.raises(ApiStatusError, match="Chat run event stream failed with status 403"):
        machine.receive_response(403, now=0.0)


def test_close_and_bad_timings() -> None:
    machine = ChatRunEventStream("r")
    machine.close()
    assert machine.finished()
    with pytest.raises(ValueError):
        ChatRunEventStream("r", idle_timeout=0)


@settings(max_examples=200, deadline=None)
@given(chunks=st.lists(st.binary(max_size=64), max_size=8), chat=st.booleans())
def test_random_bytes_give_events_or_protocol_errors(chunks: list[bytes], chat: bool) -> None:
    """STYLE Q8: arbitrary bytes yield events, a reconnect, or a ProtocolError - nothing else."""
    from sogni_core.protocol._errors import ProtocolError

    machine: Any = ChatRunEventStream("r") if chat else WorkflowEventStream("wf")
    machine.next_request(HOSTS, AUTH, 0.0)
    machine.receive_response(200, now=0.0)
    try:
        for chunk in chunks:
            machine.receive_data(chunk, now=0.0)
            if machine.finished():
                return
        machine.receive_eof(now=0.0)
    except ProtocolError:
        assert machine.state is StreamState.ERROR
        return
    assert machine.state in (StreamState.BACKOFF, StreamState.DONE)
