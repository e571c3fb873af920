"""Table-driven sans-IO state machines of the Supernet client.

One machine per file, each opening with a theory-of-operation comment:

- :mod:`.session`: the socket connection (auth greeting, pings, close codes,
  reconnect backoff with full jitter);
- :mod:`.subscriptions`: socket event subscriptions (client shaping, the
  server fold the emulator reuses, the reconnect-safe tracker);
- :mod:`.job` and :mod:`.project`: media generation projects and their jobs;
- :mod:`.chat`: LLM chat jobs and stream assembly;
- :mod:`.connection`: :class:`SogniConnection`, the one object a transport
  drives, tying all of the above together;
- :mod:`.events`: the app-facing events and transport actions it emits.
"""

from __future__ import annotations

from .chat import ChatMachine, ChatState
from .connection import SogniConnection
from .events import (
    Action,
    ChatCanceled,
    ChatChunk,
    ChatCompleted,
    ChatFailed,
    ChatJobState,
    ChatResult,
    CheckProjectLiveness,
    CloseSocket,
    Connected,
    Connecting,
    Cost,
    Disconnected,
    ErrorInfo,
    Event,
    FetchPreviewUrl,
    FetchResultUrl,
    FrameDropped,
    JobCanceled,
    JobCompleted,
    JobFailed,
    JobInitiating,
    JobPreview,
    JobProcessing,
    JobProgressed,
    JobStarted,
    NetworkChanged,
    OpenSocket,
    ProjectCanceled,
    ProjectCompleted,
    ProjectFailed,
    ProjectProgressed,
    ProjectQueued,
    RequestFailed,
    SendPing,
    ServerNotice,
    SessionReady,
    SubscriptionsUpdated,
    ToolCall,
    ToolCallDelta,
    Usage,
)
from .job import JobMachine, JobStatus
from .project import ProjectMachine, ProjectSpec, ProjectStatus, StalenessOutcome
from .session import CloseKind, ReconnectPolicy, Session, SessionState, classify_close
from .subscriptions import (
    SubscriptionTracker,
    fold_update,
    normalize_map,
    normalize_update,
    serialize_map,
    should_deliver,
)

__all__ = [
    "Action",
    "ChatCanceled",
    "ChatChunk",
    "ChatCompleted",
    "ChatFailed",
    "ChatJobState",
    "ChatMachine",
    "ChatResult",
    "ChatState",
    "CheckProjectLiveness",
    "CloseKind",
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
    "JobMachine",
    "JobPreview",
    "JobProcessing",
    "JobProgressed",
    "JobStarted",
    "JobStatus",
    "NetworkChanged",
    "OpenSocket",
    "ProjectCanceled",
    "ProjectCompleted",
    "ProjectFailed",
    "ProjectMachine",
    "ProjectProgressed",
    "ProjectQueued",
    "ProjectSpec",
    "ProjectStatus",
    "ReconnectPolicy",
    "RequestFailed",
    "SendPing",
    "ServerNotice",
    "Session",
    "SessionReady",
    "SessionState",
    "SogniConnection",
    "StalenessOutcome",
    "SubscriptionTracker",
    "SubscriptionsUpdated",
    "ToolCall",
    "ToolCallDelta",
    "Usage",
    "classify_close",
    "fold_update",
    "normalize_map",
    "normalize_update",
    "serialize_map",
    "should_deliver",
]
