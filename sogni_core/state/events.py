"""App-facing events and transport actions emitted by :class:`SogniConnection`.

These frozen Structs are the *stable application API* (STYLE E4): they are
separate from the wire Structs in ``sogni_core.protocol._generated`` and do not
change when the server adds a field.

Two families share the event stream:

* **Events** describe something that happened (``ProjectCompleted``,
  ``ChatChunk``, ``Disconnected``...). Applications consume them.
* **Actions** (subclasses of :class:`Action`) are requests to the transport:
  open or close the socket, send a WebSocket ping, or perform one REST call
  whose answer is fed back into the connection (``FetchResultUrl`` ->
  ``SogniConnection.result_url_resolved``). A transport must handle every
  action; an application may ignore them.

Every field is immutable and hashable (STYLE E2): sequences are tuples and
maps are tuples of ``(key, value)`` pairs.
"""

from __future__ import annotations

from typing import Any, Literal

import msgspec

__all__ = [
    "Action",
    "ChatCanceled",
    "ChatChunk",
    "ChatCompleted",
    "ChatFailed",
    "ChatJobState",
    "ChatResult",
    "CheckProjectLiveness",
    "CloseSocket",
    "Connected",
    "Connecting",
    "Cost",
    "Disconnected",
    "ErrorInfo",
    "Event",
    "FetchPreviewUrl",
    "FetchResultUrl",
    "FrameDropped",
    "JobCanceled",
    "JobCompleted",
    "JobFailed",
    "JobInitiating",
    "JobPreview",
    "JobProcessing",
    "JobProgressed",
    "JobStarted",
    "NetworkChanged",
    "OpenSocket",
    "ProjectCanceled",
    "ProjectCompleted",
    "ProjectFailed",
    "ProjectProgressed",
    "ProjectQueued",
    "RequestFailed",
    "SendPing",
    "ServerNotice",
    "SessionReady",
    "SubscriptionsUpdated",
    "ToolCall",
    "ToolCallDelta",
    "Usage",
]

MediaType = Literal["image", "video", "audio", "model"]


class Event(msgspec.Struct, frozen=True, kw_only=True):
    """Base class of every event and action."""


class Action(Event, frozen=True, kw_only=True):
    """Base class of the requests addressed to the transport."""


# --------------------------------------------------------------------------
# Shared value objects


class ErrorInfo(msgspec.Struct, frozen=True, kw_only=True):
    """A project, job or chat failure (wire reference 01 §6.10.2, 02 §2.14).

    ``code`` is numeric (``0`` for client-side failures such as timeouts);
    ``original_code`` keeps a symbolic or string code exactly as the server
    sent it.
    """

    code: int
    message: str
    original_code: str | None = None
    subscription_limit: bool = False
    required_plans: tuple[str, ...] = ()
    feature: str | None = None
    limitation: str | None = None


class Usage(msgspec.Struct, frozen=True, kw_only=True):
    """Token usage of an LLM job (02 §2.7)."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int | None = None


class Cost(msgspec.Struct, frozen=True, kw_only=True):
    """Settled cost of an LLM job; decimals stay strings (02 §2.7)."""

    cost_in_usd: str | None = None
    cost_in_token: str | None = None
    cost_in_sogni: str | None = None
    cost_in_spark: str | None = None
    input_tokens: int | None = None
    output_tokens: int | None = None


class ToolCallDelta(msgspec.Struct, frozen=True, kw_only=True):
    """One streamed tool-call fragment, as received (02 §2.7)."""

    index: int
    id: str | None = None
    name: str | None = None
    arguments: str | None = None


class ToolCall(msgspec.Struct, frozen=True, kw_only=True):
    """One assembled tool call; ``arguments`` is a JSON *string*."""

    id: str
    name: str
    arguments: str
    type: str = "function"


class ChatResult(msgspec.Struct, frozen=True, kw_only=True):
    """The assembled answer of an LLM job (02 §2.8 ``finalResult``)."""

    job_id: str
    content: str
    role: str
    finish_reason: str
    usage: Usage
    time_taken: float
    worker_name: str | None = None
    cost: Cost | None = None
    tool_calls: tuple[ToolCall, ...] = ()


# --------------------------------------------------------------------------
# Session events


class Connecting(Event, frozen=True, kw_only=True):
    """A socket is about to be opened; ``attempt`` 0 is the first try."""

    network: str
    attempt: int = 0
    delay: float = 0.0


class Connected(Event, frozen=True, kw_only=True):
    """The WebSocket handshake finished (the server has not authenticated yet)."""

    network: str


class SessionReady(Event, frozen=True, kw_only=True):
    """The server accepted the connection for work (01 §1.3.5).

    ``authenticated`` is the decoded ``authenticated`` wire Struct, or ``None``
    when the connection became ready through the silent-server fallback.
    """

    network: str
    authenticated: Any = None


class Disconnected(Event, frozen=True, kw_only=True):
    """The session ended and will not reconnect by itself (01 §1.5, §1.6)."""

    code: int
    reason: str
    auth_cleared: bool = False


class NetworkChanged(Event, frozen=True, kw_only=True):
    """The server confirmed a network switch (01 §2.4.3)."""

    network: str


class SubscriptionsUpdated(Event, frozen=True, kw_only=True):
    """The server's authoritative subscription snapshot (01 §3.5)."""

    subscriptions: tuple[tuple[str, bool], ...]


class ServerNotice(Event, frozen=True, kw_only=True):
    """A server event with no client state attached, passed through.

    ``name`` is the wire type (``balanceUpdate``, ``toastMessage``...) and
    ``message`` the decoded wire Struct.
    """

    name: str
    message: Any


class FrameDropped(Event, frozen=True, kw_only=True):
    """An incoming frame could not be decoded and was dropped.

    01 §2.1: the reference logs and drops undecodable frames without closing
    the connection; so does the core, and says so with this event.
    """

    reason: str


class RequestFailed(Event, frozen=True, kw_only=True):
    """A queued outgoing frame could not be delivered.

    ``kind`` is the wire type (``jobRequest``, ``llmJobRequest``...); ``id`` the
    project/job id it carried, if any.
    """

    kind: str
    id: str | None
    error: str


# --------------------------------------------------------------------------
# Transport actions


class OpenSocket(Action, frozen=True, kw_only=True):
    """Open a WebSocket to ``url`` (query of 01 §1.2 already applied)."""

    url: str


class CloseSocket(Action, frozen=True, kw_only=True):
    """Close the current WebSocket with this code and reason."""

    code: int
    reason: str


class SendPing(Action, frozen=True, kw_only=True):
    """Send a protocol-level ping control frame (01 §1.4)."""


class FetchResultUrl(Action, frozen=True, kw_only=True):
    """GET a signed result URL and report it (01 §4.10.4).

    The transport calls ``GET {REST base}{path}?{query}`` and answers with
    ``SogniConnection.result_url_resolved(project_id, job_id, url_or_None)``.
    """

    project_id: str
    job_id: str
    media: MediaType
    path: str
    query: tuple[tuple[str, str], ...]


class FetchPreviewUrl(Action, frozen=True, kw_only=True):
    """GET a preview URL and report it (01 §4.10.3)."""

    project_id: str
    job_id: str
    path: str
    query: tuple[tuple[str, str], ...]


class CheckProjectLiveness(Action, frozen=True, kw_only=True):
    """Run the staleness check of 01 §4.12.2 and report its outcome.

    Answer with ``SogniConnection.staleness_checked(project_id, outcome)``.
    """

    project_id: str


# --------------------------------------------------------------------------
# Project and job events


class ProjectQueued(Event, frozen=True, kw_only=True):
    """The project waits in the queue (01 §2.4.6 ``queued``)."""

    project_id: str
    queue_position: int
    queue_status: str | None = None
    estimated_start_at: float | None = None


class ProjectProgressed(Event, frozen=True, kw_only=True):
    """Project progress changed; integer 0..100, never decreasing."""

    project_id: str
    progress: int


class ProjectCompleted(Event, frozen=True, kw_only=True):
    """The project finished successfully; emitted exactly once."""

    project_id: str
    result_urls: tuple[str, ...]


class ProjectFailed(Event, frozen=True, kw_only=True):
    """The project failed; emitted exactly once."""

    project_id: str
    error: ErrorInfo


class ProjectCanceled(Event, frozen=True, kw_only=True):
    """The project was canceled; emitted exactly once."""

    project_id: str


class JobStarted(Event, frozen=True, kw_only=True):
    """A job (one media item) became known (first event for its ``imgID``)."""

    project_id: str
    job_id: str


class JobInitiating(Event, frozen=True, kw_only=True):
    """A worker is loading the model for this job."""

    project_id: str
    job_id: str
    worker_name: str | None = None


class JobProcessing(Event, frozen=True, kw_only=True):
    """The job is rendering."""

    project_id: str
    job_id: str
    worker_name: str | None = None


class JobProgressed(Event, frozen=True, kw_only=True):
    """Job progress changed; integer 0..100, never decreasing."""

    project_id: str
    job_id: str
    progress: int
    step: int = 0
    step_count: int = 0
    eta: float | None = None


class JobPreview(Event, frozen=True, kw_only=True):
    """A preview image URL became available."""

    project_id: str
    job_id: str
    url: str


class JobCompleted(Event, frozen=True, kw_only=True):
    """The job produced its result; emitted exactly once per job.

    ``result_url`` is ``None`` for NSFW-withheld media or when the signed URL
    could not be obtained.
    """

    project_id: str
    job_id: str
    result_url: str | None
    is_nsfw: bool = False
    nsfw_detected: bool = False
    seed: int | None = None
    steps: int | None = None


class JobFailed(Event, frozen=True, kw_only=True):
    """The job failed; emitted exactly once per job."""

    project_id: str
    job_id: str
    error: ErrorInfo


class JobCanceled(Event, frozen=True, kw_only=True):
    """The job was canceled; emitted exactly once per job."""

    project_id: str
    job_id: str


# --------------------------------------------------------------------------
# Chat events


class ChatJobState(Event, frozen=True, kw_only=True):
    """A ``jobState`` for an LLM job (02 §2.10)."""

    job_id: str
    type: str
    worker_name: str | None = None
    queue_position: int | None = None
    model_id: str | None = None
    estimated_cost: str | None = None


class ChatChunk(Event, frozen=True, kw_only=True):
    """One streamed ``jobTokens`` chunk (02 §2.8)."""

    job_id: str
    content: str
    role: str
    finish_reason: str | None = None
    usage: Usage | None = None
    tool_calls: tuple[ToolCallDelta, ...] = ()


class ChatCompleted(Event, frozen=True, kw_only=True):
    """The LLM job finished; emitted exactly once."""

    result: ChatResult


class ChatFailed(Event, frozen=True, kw_only=True):
    """The LLM job failed; emitted exactly once.

    ``error_type`` is the wire ``error`` tag; ``error_code`` the wire
    ``error_code`` string, if any.
    """

    job_id: str
    message: str
    error_type: str | None = None
    error_code: str | None = None
    worker_name: str | None = None
    subscription_limit: bool = False
    required_plans: tuple[str, ...] = ()
    feature: str | None = None
    limitation: str | None = None


class ChatCanceled(Event, frozen=True, kw_only=True):
    """The LLM job was abandoned locally (no wire message exists, 02 §2.8)."""

    job_id: str
