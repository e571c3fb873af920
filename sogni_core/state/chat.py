# Theory of operation
# ===================
#
# One LLM chat job over the socket (wire reference 02 §2.1, §2.7-§2.9,
# 01 §4.14): the client sends ``llmJobRequest`` with a fresh ``jobID``; the
# server answers with ``jobState`` events (``pending``, ``queued``,
# ``assigned``, ``initiatingModel``, ``jobStarted``), many ``jobTokens`` and
# then exactly one of ``llmJobResult`` or ``llmJobError``.
#
# States::
#
#     SUBMITTED ──STATE_PENDING──> AUTHORIZING ──STATE_QUEUED──> QUEUED ──STATE_RUNNING──> RUNNING
#         any live ──TOKENS──> STREAMING          any live ──RESULT──> COMPLETED
#         any live ──ERROR / TIMEOUT / DISCONNECT──> FAILED
#         any live ──CANCEL──> CANCELED
#
# Who drives what: the server drives every STATE_*, TOKENS, RESULT and ERROR;
# the application drives CANCEL (there is no wire cancel for LLM jobs, 02
# §2.8: cancel only stops local delivery); time drives TIMEOUT (300 s for
# non-streaming calls, 02 §2.9); the connection drives DISCONNECT when the job
# did not survive the loss of its socket (the server keeps an artist's LLM job
# 30 s for a returning appId; see connection.py).
#
# Stream assembly (02 §2.8, ChatStream semantics): ``content`` concatenates;
# ``role`` and ``finish_reason`` keep the last truthy value; ``usage`` the last
# one given, overridden by ``llmJobResult.usage``; tool-call deltas accumulate
# by ``index`` (a truthy ``id``/``name`` replaces, ``arguments`` appends) and
# come out sorted by index. The final ``finish_reason`` defaults to ``stop``
# and usage to zeros. An error clears the assembled tool calls.
#
# Conflict rules: never backwards (a late ``queued`` while RUNNING or
# STREAMING is absorbed); ends exactly once (finished states absorb every
# server input, producing nothing); a local input on a finished job is missing
# from the table: LocalProtocolError and the sticky ERROR state.

"""The LLM chat job state machine; see the theory comment above."""

from __future__ import annotations

import enum
from collections.abc import Iterable

from sogni_core.state import events as ev
from sogni_core.state._table import step

__all__ = [
    "CHAT_TIMEOUT_SECONDS",
    "TRANSPORT_LOST_MESSAGE",
    "ChatInput",
    "ChatMachine",
    "ChatState",
    "FINISHED",
    "TRANSITIONS",
]

CHAT_TIMEOUT_SECONDS = 300.0
"""02 §2.9: non-streaming completions fail locally after 300 s."""

TRANSPORT_LOST_MESSAGE = (
    "The connection to Sogni dropped and this request did not survive it. Send it again."
)
"""Newest reference (Chat/index.ts): the ``transport_lost`` failure message."""


class ChatState(enum.Enum):
    __hash__ = object.__hash__  # members are singletons; Enum's hash is Python

    SUBMITTED = "submitted"
    AUTHORIZING = "authorizing"
    QUEUED = "queued"
    RUNNING = "running"
    STREAMING = "streaming"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELED = "canceled"
    ERROR = "error"


class ChatInput(enum.Enum):
    __hash__ = object.__hash__  # members are singletons; Enum's hash is Python

    STATE_PENDING = "state_pending"
    STATE_QUEUED = "state_queued"
    STATE_RUNNING = "state_running"
    TOKENS = "tokens"
    RESULT = "result"
    ERROR = "error"
    CANCEL = "cancel"
    TIMEOUT = "timeout"
    DISCONNECT = "disconnect"


FINISHED = frozenset({ChatState.COMPLETED, ChatState.FAILED, ChatState.CANCELED})
_REMOTE = frozenset(
    {
        ChatInput.STATE_PENDING,
        ChatInput.STATE_QUEUED,
        ChatInput.STATE_RUNNING,
        ChatInput.TOKENS,
        ChatInput.RESULT,
        ChatInput.ERROR,
    }
)
_S = ChatState
_I = ChatInput
# Forward order of the pre-result phases; inputs never move a job backwards.
_ORDER = [_S.SUBMITTED, _S.AUTHORIZING, _S.QUEUED, _S.RUNNING, _S.STREAMING]
_TARGET = {
    _I.STATE_PENDING: _S.AUTHORIZING,
    _I.STATE_QUEUED: _S.QUEUED,
    _I.STATE_RUNNING: _S.RUNNING,
    _I.TOKENS: _S.STREAMING,
}


def _build() -> dict[tuple[ChatState, ChatInput], ChatState]:
    t: dict[tuple[ChatState, ChatInput], ChatState] = {}
    for s in _ORDER:
        for i, target in _TARGET.items():
            t[(s, i)] = max(s, target, key=_ORDER.index)
        t[(s, _I.RESULT)] = _S.COMPLETED
        t[(s, _I.ERROR)] = _S.FAILED
        t[(s, _I.TIMEOUT)] = _S.FAILED
        t[(s, _I.DISCONNECT)] = _S.FAILED
        t[(s, _I.CANCEL)] = _S.CANCELED
    for s in FINISHED:
        for i in _REMOTE:
            t[(s, i)] = s
    return t


TRANSITIONS: dict[tuple[ChatState, ChatInput], ChatState] = _build()


class ChatMachine:
    """One LLM job and its stream assembly.

    Args:
        job_id: the request's ``jobID``.
        now: submission time, seconds.
        timeout: seconds until TIMEOUT (``None``: no local timeout; the
            reference uses 300 s for non-streaming calls only).
    """

    def __init__(self, job_id: str, *, now: float, timeout: float | None = None) -> None:
        self.id = job_id
        self.state = ChatState.SUBMITTED
        self.deadline = None if timeout is None else now + timeout
        self.timeout = timeout
        self._content: list[str] = []
        self.role = "assistant"
        self.finish_reason: str | None = None
        self.usage: ev.Usage | None = None
        self.worker_name: str | None = None
        self.cost: ev.Cost | None = None
        self.time_taken = 0.0
        self._tools: dict[int, list[str]] = {}  # index -> [id, name, arguments]
        self.result: ev.ChatResult | None = None

    @property
    def finished(self) -> bool:
        return self.state in FINISHED

    @property
    def content(self) -> str:
        return "".join(self._content)

    @property
    def tool_calls(self) -> tuple[ev.ToolCall, ...]:
        """Assembled tool calls, sorted by numeric index."""
        return tuple(
            ev.ToolCall(id=v[0], name=v[1], arguments=v[2]) for _, v in sorted(self._tools.items())
        )

    def process(self, event: ChatInput) -> tuple[ChatState, ChatState]:
        """Apply one input through the table.

        Raises:
            LocalProtocolError: a local input on a finished job.
            RemoteProtocolError: never for a live or finished job (every server
                input has a row). Either way the machine lands in ERROR.
        """
        old = self.state
        try:
            self.state = step(
                TRANSITIONS, old, event, machine="chat", ident=self.id, remote=event in _REMOTE
            )
        except Exception:
            self.state = ChatState.ERROR
            raise
        if self.state in FINISHED:
            self.deadline = None
        return old, self.state

    # -- server inputs --------------------------------------------------------

    def on_job_state(
        self,
        kind: str,
        *,
        worker_name: str | None = None,
        queue_position: int | None = None,
        model_id: str | None = None,
        estimated_cost: str | None = None,
    ) -> list[ev.Event]:
        """A ``jobState`` for this job (any ``type`` string passes through)."""
        inp = {"pending": _I.STATE_PENDING, "queued": _I.STATE_QUEUED}.get(kind, _I.STATE_RUNNING)
        _, new = self.process(inp)
        if new in FINISHED:
            return []
        if worker_name:
            self.worker_name = worker_name
        return [
            ev.ChatJobState(
                job_id=self.id,
                type=kind,
                worker_name=worker_name,
                queue_position=queue_position,
                model_id=model_id,
                estimated_cost=estimated_cost,
            )
        ]

    def on_tokens(
        self,
        *,
        content: str | None = None,
        role: str | None = None,
        finish_reason: str | None = None,
        usage: ev.Usage | None = None,
        tool_calls: Iterable[ev.ToolCallDelta] = (),
    ) -> list[ev.Event]:
        """One ``jobTokens`` chunk (02 §2.8)."""
        _, new = self.process(_I.TOKENS)
        if new in FINISHED:
            return []
        self._content.append(content or "")
        if role:
            self.role = role
        if finish_reason:
            self.finish_reason = finish_reason
        if usage is not None:
            self.usage = usage
        deltas = tuple(tool_calls)
        for delta in deltas:
            entry = self._tools.setdefault(delta.index, [delta.id or "", delta.name or "", ""])
            if delta.id:
                entry[0] = delta.id
            if delta.name:
                entry[1] = delta.name
            if delta.arguments:
                entry[2] += delta.arguments
        return [
            ev.ChatChunk(
                job_id=self.id,
                content=content or "",
                role=self.role,
                finish_reason=finish_reason,
                usage=usage,
                tool_calls=deltas,
            )
        ]

    def on_result(
        self,
        *,
        usage: ev.Usage | None = None,
        time_taken: float | None = None,
        cost: ev.Cost | None = None,
        worker_name: str | None = None,
    ) -> list[ev.Event]:
        """``llmJobResult``: the stream ends successfully."""
        _, new = self.process(_I.RESULT)
        if self.result is not None or new is not ChatState.COMPLETED:
            return []
        if worker_name:
            self.worker_name = worker_name
        if cost is not None:
            self.cost = cost
        if usage is not None:
            self.usage = usage
        self.time_taken = time_taken or 0.0
        self.result = ev.ChatResult(
            job_id=self.id,
            content=self.content,
            role=self.role,
            finish_reason=self.finish_reason or "stop",
            usage=self.usage or ev.Usage(total_tokens=0),
            time_taken=self.time_taken,
            worker_name=self.worker_name,
            cost=self.cost,
            tool_calls=self.tool_calls,
        )
        return [ev.ChatCompleted(result=self.result)]

    def on_error(
        self,
        *,
        error: str | None,
        error_code: str | None = None,
        message: str | None = None,
        worker_name: str | None = None,
        subscription_limit: bool = False,
        required_plans: Iterable[str] = (),
        feature: str | None = None,
        limitation: str | None = None,
    ) -> list[ev.Event]:
        """``llmJobError``: the stream ends with a typed error (02 §2.14)."""
        old, new = self.process(_I.ERROR)
        if old in FINISHED:
            return []
        if worker_name:
            self.worker_name = worker_name
        self._tools.clear()
        return [
            ev.ChatFailed(
                job_id=self.id,
                message=message or (error or ""),
                error_type=error,
                error_code=error_code,
                worker_name=self.worker_name,
                subscription_limit=bool(subscription_limit),
                required_plans=tuple(required_plans),
                feature=feature,
                limitation=limitation,
            )
        ]

    # -- local inputs ---------------------------------------------------------

    def cancel(self) -> list[ev.Event]:
        """Stop delivering this job (no wire message exists).

        Raises:
            LocalProtocolError: the job already ended (lands in ERROR).
        """
        self.process(_I.CANCEL)
        return [ev.ChatCanceled(job_id=self.id)]

    def disconnected(self) -> list[ev.Event]:
        """The job did not survive the loss of the socket it went out on."""
        self.process(_I.DISCONNECT)
        self._tools.clear()
        return [
            ev.ChatFailed(
                job_id=self.id,
                message=TRANSPORT_LOST_MESSAGE,
                error_type="transport_lost",
                worker_name=self.worker_name,
            )
        ]

    def next_deadline(self) -> float | None:
        """The local timeout, while the job is live."""
        return self.deadline

    def on_timer(self, now: float) -> list[ev.Event]:
        """Fire the local timeout when due (02 §2.9 message)."""
        if self.deadline is None or now < self.deadline:
            return []
        self.process(_I.TIMEOUT)
        self._tools.clear()
        seconds = f"{self.timeout:g}" if self.timeout is not None else "?"
        return [
            ev.ChatFailed(
                job_id=self.id,
                message=f"Chat completion timed out after {seconds}s (jobID: {self.id})",
                error_type="timeout",
                worker_name=self.worker_name,
            )
        ]
