"""The Supernet wire protocol: errors, the socket frame codec and the generated schemas.

Everything here is pure: bytes and text in, values out (see spec/README.md for where the
schemas come from). Public surface:

- errors (:mod:`._errors`): ``SogniError`` and its tree;
- the frame codec (:mod:`.frames`): ``encode_frame``, ``encode_message``,
  ``decode_frame``, ``decode_server_event``, ``decode_client_message``, ``FrameAssembler``;
- socket message and event Structs generated from ``spec/socket.toml`` and the shared
  enums of ``spec/enums.toml``; other generated modules are reachable as
  ``sogni_core.protocol._generated.<name>`` (constants: ``_generated.limits``);
- :class:`Endpoint`, the shape of every generated ``ENDPOINTS`` entry.

To add re-exports, import the names below and add them to ``__all__`` (kept sorted; a
test checks it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._errors import (
    ApiError,
    ApiStatusError,
    ConnectionClosedError,
    InvalidParamsError,
    JobFailedError,
    LocalProtocolError,
    ProtocolError,
    RemoteProtocolError,
    SogniError,
)
from ._generated.socket import (
    AppAlert,
    ArtistCancelConfirmation,
    Authenticated,
    BalanceUpdate,
    CancelJob,
    ChangeNetwork,
    ChangeNetworkEvent,
    ChatMessage,
    ClientMessage,
    JobError,
    JobETA,
    JobProgress,
    JobRequest,
    JobResult,
    JobRetry,
    JobState,
    JobStateAssigned,
    JobStateInitiatingModel,
    JobStateJobCompleted,
    JobStateJobStarted,
    JobStatePending,
    JobStateQueued,
    JobTokens,
    LLMJobError,
    LLMJobRequest,
    LLMJobResult,
    ProjectQueue,
    ServerEvent,
    SetSocketEventSubscriptions,
    SocketEventSubscriptionsUpdated,
    SubscriptionEntitlementUpdated,
    SubscriptionLimitNotice,
    SwarmLLMModels,
    SwarmModels,
    ToastMessage,
)
from .frames import (
    AnyClientMessage,
    AnyServerEvent,
    Frame,
    FrameAssembler,
    UnknownEvent,
    decode_client_message,
    decode_frame,
    decode_server_event,
    encode_frame,
    encode_message,
    encode_payload,
)

if TYPE_CHECKING:
    from ._endpoint import Endpoint
    from ._generated.enums import (
        AudioOutputFormat,
        BillingMode,
        ClientMessageType,
        ClientType,
        CloseCode,
        ImageOutputFormat,
        JobStateType,
        JobStatus,
        Network,
        ProjectStatus,
        QueueStatus,
        RawJobStatus,
        RawProjectStatus,
        Sampler,
        Scheduler,
        ServerEventType,
        SubscriptionGroup,
        TaskProfile,
        TokenType,
        VideoOutputFormat,
    )


#: The enums re-exported from ``_generated.enums``, which builds each on first access.
_ENUM_NAMES = frozenset(
    {
        "AudioOutputFormat",
        "BillingMode",
        "ClientMessageType",
        "ClientType",
        "CloseCode",
        "ImageOutputFormat",
        "JobStateType",
        "JobStatus",
        "Network",
        "ProjectStatus",
        "QueueStatus",
        "RawJobStatus",
        "RawProjectStatus",
        "Sampler",
        "Scheduler",
        "ServerEventType",
        "SubscriptionGroup",
        "TaskProfile",
        "TokenType",
        "VideoOutputFormat",
    }
)


def __getattr__(name: str) -> Any:
    """``Endpoint`` and the enums on first use (PEP 562).

    Only the REST layer needs ``Endpoint`` (and urllib.parse); creating all the
    enum classes took ~3 ms of import time, and a client uses a handful.
    """
    if name == "Endpoint":
        from ._endpoint import Endpoint

        return Endpoint
    if name in _ENUM_NAMES:
        from ._generated import enums

        value = getattr(enums, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    """The module's names, the not-yet-built enums included."""
    return sorted({*globals(), *__all__})


__all__ = [
    "AnyClientMessage",
    "AnyServerEvent",
    "ApiError",
    "ApiStatusError",
    "AppAlert",
    "ArtistCancelConfirmation",
    "AudioOutputFormat",
    "Authenticated",
    "BalanceUpdate",
    "BillingMode",
    "CancelJob",
    "ChangeNetwork",
    "ChangeNetworkEvent",
    "ChatMessage",
    "ClientMessage",
    "ClientMessageType",
    "ClientType",
    "CloseCode",
    "ConnectionClosedError",
    "Endpoint",
    "Frame",
    "FrameAssembler",
    "ImageOutputFormat",
    "InvalidParamsError",
    "JobETA",
    "JobError",
    "JobFailedError",
    "JobProgress",
    "JobRequest",
    "JobResult",
    "JobRetry",
    "JobState",
    "JobStateAssigned",
    "JobStateInitiatingModel",
    "JobStateJobCompleted",
    "JobStateJobStarted",
    "JobStatePending",
    "JobStateQueued",
    "JobStateType",
    "JobStatus",
    "JobTokens",
    "LLMJobError",
    "LLMJobRequest",
    "LLMJobResult",
    "LocalProtocolError",
    "Network",
    "ProjectQueue",
    "ProjectStatus",
    "ProtocolError",
    "QueueStatus",
    "RawJobStatus",
    "RawProjectStatus",
    "RemoteProtocolError",
    "Sampler",
    "Scheduler",
    "ServerEvent",
    "ServerEventType",
    "SetSocketEventSubscriptions",
    "SocketEventSubscriptionsUpdated",
    "SogniError",
    "SubscriptionEntitlementUpdated",
    "SubscriptionGroup",
    "SubscriptionLimitNotice",
    "SwarmLLMModels",
    "SwarmModels",
    "TaskProfile",
    "ToastMessage",
    "TokenType",
    "UnknownEvent",
    "VideoOutputFormat",
    "decode_client_message",
    "decode_frame",
    "decode_server_event",
    "encode_frame",
    "encode_message",
    "encode_payload",
]
