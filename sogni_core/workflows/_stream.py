"""Resumable SSE event streams for durable workflows and chat runs.

Theory of operation
-------------------
A durable workflow (02 §5.5) or chat run (02 §3.3.4) publishes an ordered
event log over Server-Sent Events. Connections drop; the server replays
"events with sequence greater than" the ``Last-Event-ID`` header (and, for
workflows, the ``?after=`` query) on reconnect. :class:`EventStream` is the
sans-IO machine that turns any pattern of drops into one gap-free,
duplicate-free sequence of events, ending at the first terminal event:

======================  ==========================================  ==============
state                   who moves it                                next action
======================  ==========================================  ==============
``IDLE``                :meth:`next_request` -> ``CONNECTING``      send request
``CONNECTING``          :meth:`receive_response` (2xx -> STREAMING,  wait headers
                        429/5xx -> BACKOFF, other 4xx -> ERROR),
                        :meth:`stream_failed` -> BACKOFF
``STREAMING``           :meth:`receive_data` (terminal -> DONE),    read body
                        :meth:`receive_eof` / :meth:`stream_failed`
                        / :meth:`check_idle` -> BACKOFF
``BACKOFF``             :meth:`next_request` once ``now >=``        sleep
                        :attr:`reconnect_at` -> CONNECTING
``DONE`` / ``ERROR``    terminal; ``ERROR`` is sticky               stop
======================  ==========================================  ==============

Rules enforced:

* **Exactly once.** Each event's key is its payload ``sequence`` when the data
  is an object with an integer ``sequence`` (chat-run events always have one;
  the emulator and server put one on workflow events), else its SSE ``id``
  when numeric. Keys must increase: an event whose key is not greater than
  the last delivered key is a replay and is dropped. Events with no key pass
  through (they cannot be replayed by id).
* **Resume.** The next request carries ``Last-Event-ID`` (and ``?after=`` for
  workflows) = the last delivered key, so the server replays only what is
  missing.
* **retry:** "set the event stream's reconnection time" (WHATWG §9.2.6): a
  ``retry`` field replaces the reconnect delay; otherwise the delay is the
  configured base, doubled for each consecutive attempt that delivered
  nothing, capped at ``max_delay``. ``max_attempts`` consecutive attempts
  that received nothing end in ``ERROR``.
* **Idle read.** While connecting or streaming, :meth:`idle_deadline` is the
  time by which some bytes must arrive (``idle_timeout`` after the last
  activity). A transport that sees it pass calls :meth:`check_idle` (or
  :meth:`stream_failed`) and reconnects. Heartbeat comments count as activity.
* **Truncation.** A final block without its blank line at EOF is taken only
  when its data is a whole JSON object or array; anything else is treated as
  cut by the drop and fetched again after the reconnect.
* **Giving up.** Only attempts that received no bytes at all count toward
  ``max_attempts``; a live but quiet server (heartbeats, a run waiting for
  the user) is reconnected to for as long as the caller keeps reading.
* **Termination.** Workflows end after a frame whose data ``status`` is
  terminal (completed, partial_failure, failed, cancelled - 02 §5.5, §8.10),
  and optionally at ``waiting_for_user``; chat runs after a ``run_completed``
  / ``run_failed`` / ``run_partial_failure`` / ``run_cancelled`` event.
  A stream that ends with EOF before that is a drop, not the end.

Transitions are the table ``TRANSITIONS``; a missing ``(state, input)`` pair
raises :class:`LocalProtocolError` and moves the machine to ``ERROR``.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any, Final, Generic, TypeVar

import msgspec

from sogni_core.protocol._errors import (
    ApiStatusError,
    LocalProtocolError,
    ProtocolError,
    RemoteProtocolError,
)
from sogni_core.protocol._generated.rest import ChatRunEvent
from sogni_core.protocol._generated.workflows import (
    CHAT_RUN_TERMINAL_EVENTS,
    WORKFLOW_TERMINAL_STATUSES,
    WorkflowEvent,
)
from sogni_core.protocol.rest import Auth, Hosts, Request, endpoint_request
from sogni_core.protocol.rest._response import ResponseHeaders, api_status_error, header_value
from sogni_core.protocol.retry import parse_retry_after
from sogni_core.protocol.sse import SSEDecoder, SSEEvent

__all__ = [
    "ChatRunEventStream",
    "EventStream",
    "StreamInput",
    "StreamState",
    "WorkflowEventStream",
    "WorkflowStreamEvent",
]

E = TypeVar("E")

#: Defaults (seconds). The idle timeout must exceed the server's heartbeat
#: interval; the emulator sends a comment every 15 s while a stream is quiet.
DEFAULT_IDLE_TIMEOUT: Final = 60.0
DEFAULT_RECONNECT_DELAY: Final = 1.0
DEFAULT_MAX_DELAY: Final = 30.0
DEFAULT_MAX_ATTEMPTS: Final = 8


class StreamState(enum.Enum):
    """States of :class:`EventStream` (see the module docstring)."""

    IDLE = "idle"
    CONNECTING = "connecting"
    STREAMING = "streaming"
    BACKOFF = "backoff"
    DONE = "done"
    ERROR = "error"


class StreamInput(enum.Enum):
    """Inputs of :class:`EventStream`."""

    CONNECT = "connect"
    RESPONSE_OK = "response_ok"
    RESPONSE_RETRY = "response_retry"
    RESPONSE_FATAL = "response_fatal"
    DATA = "data"
    TERMINAL = "terminal"
    DROPPED = "dropped"
    CLOSE = "close"


_S, _I = StreamState, StreamInput
TRANSITIONS: Final[dict[tuple[StreamState, StreamInput], StreamState]] = {
    (_S.IDLE, _I.CONNECT): _S.CONNECTING,
    (_S.BACKOFF, _I.CONNECT): _S.CONNECTING,
    (_S.CONNECTING, _I.RESPONSE_OK): _S.STREAMING,
    (_S.CONNECTING, _I.RESPONSE_RETRY): _S.BACKOFF,
    (_S.CONNECTING, _I.RESPONSE_FATAL): _S.ERROR,
    (_S.CONNECTING, _I.DROPPED): _S.BACKOFF,
    (_S.STREAMING, _I.DATA): _S.STREAMING,
    (_S.STREAMING, _I.TERMINAL): _S.DONE,
    (_S.STREAMING, _I.DROPPED): _S.BACKOFF,
    # close() is legal from every live state.
    (_S.IDLE, _I.CLOSE): _S.DONE,
    (_S.CONNECTING, _I.CLOSE): _S.DONE,
    (_S.STREAMING, _I.CLOSE): _S.DONE,
    (_S.BACKOFF, _I.CLOSE): _S.DONE,
    (_S.DONE, _I.CLOSE): _S.DONE,
}
del _S, _I

# 429 and 5xx (and 408) are worth another attempt; any other error status is final.
_RETRY_STATUSES: Final = frozenset({408, 429, 500, 502, 503, 504})


class WorkflowStreamEvent(msgspec.Struct, frozen=True, kw_only=True):
    """One frame of a workflow event stream (the SDK's CreativeWorkflowSseEvent, 02 §5.5).

    Attributes:
        event: the SSE event name (``"message"`` by default).
        data: the JSON-decoded data, or the raw text when it is not JSON.
        id: the SSE id, or ``None``.
    """

    event: str
    data: Any
    id: str | None = None

    @property
    def status(self) -> str | None:
        """``data.status`` when the data is an object carrying a string status."""
        if isinstance(self.data, Mapping):
            value = self.data.get("status")
            if isinstance(value, str):
                return value
        return None

    def workflow_event(self) -> WorkflowEvent | None:
        """The data as a typed :class:`WorkflowEvent`, or ``None`` when not an object."""
        if not isinstance(self.data, Mapping):
            return None
        try:
            return msgspec.convert(self.data, WorkflowEvent)
        except msgspec.ValidationError:
            return None


def _int_key(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


class EventStream(Generic[E]):
    """The shared resumable-stream machine; use a concrete subclass.

    Args:
        last_event_id: resume after this event key (``Last-Event-ID``).
        idle_timeout: seconds without any bytes before the read counts as dead.
        reconnect_delay: base delay before a reconnect, when the server sent no ``retry:``.
        max_delay: cap of the doubled delay.
        max_attempts: consecutive attempts without a new event before ``ERROR``.

    Raises:
        ValueError: a negative timing or a non-positive ``max_attempts``.
    """

    endpoint_name: str = ""

    def __init__(
        self,
        *,
        last_event_id: str | int | None = None,
        idle_timeout: float = DEFAULT_IDLE_TIMEOUT,
        reconnect_delay: float = DEFAULT_RECONNECT_DELAY,
        max_delay: float = DEFAULT_MAX_DELAY,
        max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    ) -> None:
        if idle_timeout <= 0 or reconnect_delay < 0 or max_delay < 0 or max_attempts < 1:
            raise ValueError("stream timings must be positive")
        self.state = StreamState.IDLE
        self._idle_timeout = idle_timeout
        self._base_delay = reconnect_delay
        self._max_delay = max_delay
        self._max_attempts = max_attempts
        start = None if last_event_id is None else str(last_event_id)
        self._last_id: str | None = start
        self._last_key: int | None = _int_key(start)
        self._retry_ms: int | None = None
        self._decoder: SSEDecoder | None = None
        self._activity = 0.0
        self._reconnect_at = 0.0
        self._fruitless = 0  # consecutive attempts that delivered nothing
        self._delivered = False  # some keyed event was delivered
        self._server_wait: float | None = None
        self._error: ProtocolError | ApiStatusError | None = None
        self.reconnects = 0
        """How many times the stream reconnected (for logs and tests)."""

    # -- machine ----------------------------------------------------------------------

    def _move(self, event: StreamInput) -> None:
        try:
            self.state = TRANSITIONS[(self.state, event)]
        except KeyError:
            old = self.state
            self.state = StreamState.ERROR
            raise LocalProtocolError(f"{event.value} is illegal in state {old.value}") from None

    def _check_live(self) -> None:
        if self.state is StreamState.ERROR and self._error is not None:
            raise self._error

    # -- public surface ---------------------------------------------------------------

    @property
    def last_event_id(self) -> str | None:
        """The key of the last delivered event (the next ``Last-Event-ID``)."""
        return self._last_id

    @property
    def retry_ms(self) -> int | None:
        """The server's ``retry:`` value in milliseconds, if it sent one."""
        return self._retry_ms

    @property
    def reconnect_at(self) -> float | None:
        """In ``BACKOFF``: the time the next request may be made."""
        return self._reconnect_at if self.state is StreamState.BACKOFF else None

    def idle_deadline(self) -> float | None:
        """While connecting or streaming: the time some bytes must arrive by."""
        if self.state in (StreamState.CONNECTING, StreamState.STREAMING):
            return self._activity + self._idle_timeout
        return None

    def finished(self) -> bool:
        """``True`` in ``DONE`` or ``ERROR``: no more requests or events."""
        return self.state in (StreamState.DONE, StreamState.ERROR)

    @property
    def idle_timeout(self) -> float:
        """The configured idle-read timeout in seconds."""
        return self._idle_timeout

    def _build(self, hosts: Hosts, auth: Auth | None) -> Request:  # pragma: no cover - abstract
        raise NotImplementedError

    def next_request(self, hosts: Hosts, auth: Auth | None, now: float) -> Request:
        """The request to send now (first connection or reconnection).

        Args:
            hosts: REST bases.
            auth: credentials.
            now: the current (monotonic) time.

        Returns:
            The GET request, with ``Last-Event-ID`` once an event was seen.

        Raises:
            LocalProtocolError: not in ``IDLE``/``BACKOFF``, or called before
                :attr:`reconnect_at`. The machine moves to ``ERROR``.
            ApiStatusError, RemoteProtocolError: the stream already failed.
        """
        self._check_live()
        if self.state is StreamState.BACKOFF and now + 1e-9 < self._reconnect_at:
            self.state = StreamState.ERROR
            raise LocalProtocolError("reconnect before the backoff elapsed")
        self._move(StreamInput.CONNECT)
        self._activity = now
        self._decoder = SSEDecoder(dispatch_incomplete=True, last_event_id=self._last_id or "")
        return self._build(hosts, auth)

    def receive_response(
        self, status: int, headers: ResponseHeaders = (), body: bytes = b"", *, now: float
    ) -> None:
        """The response status line and headers arrived (``body`` only for errors).

        Raises:
            ApiStatusError: a non-retryable error status (the machine is in
                ``ERROR``), or the attempt budget ran out on retryable ones.
        """
        self._check_live()
        self._activity = now
        if 200 <= status < 300:
            self._move(StreamInput.RESPONSE_OK)
            return
        if status in _RETRY_STATUSES:
            self._server_wait = parse_retry_after(header_value(headers, "retry-after"))
            self._move(StreamInput.RESPONSE_RETRY)
            self._schedule(now, fail=self._status_error(status, headers, body))
            return
        error = self._status_error(status, headers, body)
        self._move(StreamInput.RESPONSE_FATAL)
        self._error = error
        raise error

    def _status_error(self, status: int, headers: ResponseHeaders, body: bytes) -> ApiStatusError:
        return api_status_error(status, headers, body)

    def receive_data(self, data: bytes, *, now: float) -> list[E]:
        """Feed body bytes; returns the new events, in order, duplicates removed.

        After a terminal event the machine is ``DONE`` and the rest of ``data``
        is ignored.

        Raises:
            RemoteProtocolError: the bytes are not valid SSE/UTF-8 (``ERROR``).
        """
        self._check_live()
        if self.state is not StreamState.STREAMING:
            self._move(StreamInput.DATA)  # raises: data outside a stream
        self._activity = now
        if data:
            # Any bytes (a heartbeat, a retry: line) show the server is alive:
            # the attempt budget counts only dead connections.
            self._fruitless = 0
        assert self._decoder is not None
        try:
            raw = self._decoder.feed(data)
        except RemoteProtocolError as exc:
            self.state, self._error = StreamState.ERROR, exc
            raise
        return self._accept(raw)

    def receive_eof(self, *, now: float) -> list[E]:
        """The body ended. Returns any final events; then ``DONE`` or ``BACKOFF``."""
        self._check_live()
        if self.state is not StreamState.STREAMING:
            self._move(StreamInput.DROPPED)  # raises unless CONNECTING
            self._schedule(now)
            return []
        assert self._decoder is not None
        try:
            raw = self._decoder.finish()
        except RemoteProtocolError:
            raw = []  # a stream cut inside a UTF-8 sequence is just a drop
        # The SDK parsers also take a final block without its blank line; it
        # may equally be a truncated event, so take it only when its data is a
        # whole JSON object or array (a cut one no longer parses).
        events = self._accept([e for e in raw if _is_json_container(e.data)], final=True)
        if self.state is StreamState.STREAMING:
            self._move(StreamInput.DROPPED)
            self._schedule(now)
        return events

    def stream_failed(self, *, now: float) -> None:
        """The connection broke or timed out before the terminal event."""
        self._check_live()
        if self.state in (StreamState.DONE, StreamState.BACKOFF):
            return
        self._move(StreamInput.DROPPED)
        self._schedule(now)

    def check_idle(self, *, now: float) -> bool:
        """Treat the read as dead when :meth:`idle_deadline` has passed.

        Returns:
            ``True`` when the stream moved to ``BACKOFF`` (reconnect).
        """
        deadline = self.idle_deadline()
        if deadline is None or now < deadline:
            return False
        self.stream_failed(now=now)
        return True

    def close(self) -> None:
        """Stop: the caller does not want more events (``DONE``)."""
        if self.state is not StreamState.ERROR:
            self._move(StreamInput.CLOSE)

    # -- internals --------------------------------------------------------------------

    def _schedule(self, now: float, *, fail: ApiStatusError | None = None) -> None:
        self._fruitless += 1
        self.reconnects += 1
        if self._fruitless >= self._max_attempts:
            self.state = StreamState.ERROR
            self._error = fail or RemoteProtocolError(
                f"event stream failed {self._fruitless} times without receiving anything"
            )
            raise self._error
        if self._server_wait is not None:
            delay = self._server_wait
            self._server_wait = None
        elif self._retry_ms is not None:
            delay = self._retry_ms / 1000.0
        else:
            delay = min(self._max_delay, self._base_delay * 2 ** (self._fruitless - 1))
        self._reconnect_at = now + delay

    def _accept(self, raw: list[SSEEvent], *, final: bool = False) -> list[E]:
        assert self._decoder is not None
        # A retry: line cut by the drop ("retry: 2" of "retry: 250") is not trusted.
        if self._decoder.retry_ms is not None and not final:
            self._retry_ms = self._decoder.retry_ms
        out: list[E] = []
        for sse in raw:
            if self.state is not StreamState.STREAMING:
                break
            item = self._convert(sse)
            if item is None:
                continue
            value, key_source = item
            key = _int_key(key_source)
            if key is not None:
                if self._last_key is not None and key <= self._last_key:
                    continue  # a replay of something already delivered
                self._last_key, self._last_id = key, str(key)
                self._delivered = True
            self._fruitless = 0
            out.append(value)
            if self._is_terminal(value):
                self._move(StreamInput.TERMINAL)
        return out

    def _convert(self, sse: SSEEvent) -> tuple[E, Any] | None:  # pragma: no cover - abstract
        raise NotImplementedError

    def _is_terminal(self, value: E) -> bool:  # pragma: no cover - abstract
        raise NotImplementedError


def _is_json_container(text: str) -> bool:
    try:
        return isinstance(msgspec.json.decode(text), (dict, list))
    except msgspec.DecodeError:
        return False


def _json_or_text(text: str) -> Any:
    try:
        return msgspec.json.decode(text)
    except msgspec.DecodeError:
        return text


class WorkflowEventStream(EventStream[WorkflowStreamEvent]):
    """Resumable ``GET /v1/creative-agent/workflows/{id}/events/stream`` (02 §5.5).

    Args:
        workflow_id: the workflow.
        stop_on_waiting: also end at a ``waiting_for_user`` status (the
            workflow then needs :meth:`resume` before it continues).
        after: the SDK's ``after`` option (``?after=`` without a header).
        **kwargs: see :class:`EventStream`.
    """

    def __init__(
        self,
        workflow_id: str,
        *,
        stop_on_waiting: bool = False,
        after: str | int | None = None,
        last_event_id: str | int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            last_event_id=last_event_id if last_event_id is not None else after, **kwargs
        )
        self.workflow_id = workflow_id
        self._header = last_event_id is not None
        self._terminal = set(WORKFLOW_TERMINAL_STATUSES)
        if stop_on_waiting:
            self._terminal.add("waiting_for_user")

    def _build(self, hosts: Hosts, auth: Auth | None) -> Request:
        # 02 §5.5: after = options.after ?? options.lastEventId -> ?after=;
        # Last-Event-ID only when a last event id is known (always, once resumed).
        last = self._last_id
        send_header = last is not None and (self._header or self._delivered)
        return endpoint_request(
            "workflow_events_stream",
            hosts,
            path_params={"workflowId": self.workflow_id},
            query={"after": last},
            auth=auth,
            last_event_id=last if send_header else None,
        )

    def _convert(self, sse: SSEEvent) -> tuple[WorkflowStreamEvent, Any] | None:
        data = _json_or_text(sse.data)
        frame = WorkflowStreamEvent(event=sse.event, data=data, id=sse.id or None)
        key: Any = sse.id or None
        if isinstance(data, Mapping) and _int_key(data.get("sequence")) is not None:
            key = data.get("sequence")
        return frame, key

    def _is_terminal(self, value: WorkflowStreamEvent) -> bool:
        return value.status in self._terminal


class ChatRunEventStream(EventStream[ChatRunEvent]):
    """Resumable ``GET /v1/chat/runs/{runId}/events/stream`` (02 §3.3.4).

    ``run_status`` frames and data that is not a ChatRunEvent are skipped,
    as the SDK parser does; resume uses ``Last-Event-ID`` = last ``sequence``.

    Args:
        run_id: the chat run.
        **kwargs: see :class:`EventStream`.
    """

    def __init__(self, run_id: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.run_id = run_id

    def _build(self, hosts: Hosts, auth: Auth | None) -> Request:
        return endpoint_request(
            "chat_run_events_stream",
            hosts,
            path_params={"runId": self.run_id},
            auth=auth,
            last_event_id=self._last_id,
        )

    def _status_error(self, status: int, headers: ResponseHeaders, body: bytes) -> ApiStatusError:
        # 02 §3.3.4: "Non-OK status or missing body -> Chat run event stream
        # failed with status <code>".
        return ApiStatusError(
            f"Chat run event stream failed with status {status}", status=status, code=status
        )

    def _convert(self, sse: SSEEvent) -> tuple[ChatRunEvent, Any] | None:
        if sse.event == "run_status" or not sse.data.strip():
            return None
        try:
            event = msgspec.json.decode(sse.data.strip(), type=ChatRunEvent)
        except (msgspec.DecodeError, msgspec.ValidationError):
            return None
        return event, event.sequence

    def _is_terminal(self, value: ChatRunEvent) -> bool:
        return value.type_ in CHAT_RUN_TERMINAL_EVENTS
