"""Pure helpers shared by the three transports (``sogni_asyncio``, ``sogni_trio``,
``sogni_sync``): transport errors, upload planning, ids and project specs.

``WebSocketReader`` is the receive half of RFC 6455 that the asyncio and
blocking transports use after the handshake. Nothing here performs I/O; the
transports read files, open sockets and send HTTP, and ask these functions what
to do.
"""

from ._errors import (
    TLS_HANDSHAKE_FAILED,
    ClientClosedError,
    ConnectTimeoutError,
    HttpProtocolError,
    NoResponseError,
    TransportError,
    WebSocketClosed,
)
from ._helpers import CLIENT_NAME, media_type_of, project_spec, socket_headers, uuid4_upper
from ._http1 import Http1Exchange
from ._idle import IdleConnections
from ._login import (
    AUTHENTICATION_TYPES,
    authentication_message,
    eip712_domain,
    wallet_private_key,
)
from ._origins import Origin, origin_of
from ._results import MEDIA_EXTENSIONS, JobResult, record_media, record_results
from ._uploads import MEDIA_FIELDS, Upload, file_media, replace_media, upload_plan
from ._wsframes import CloseReceived, PingReceived, WebSocketReader, split_response_head

__all__ = [
    "AUTHENTICATION_TYPES",
    "CLIENT_NAME",
    "ClientClosedError",
    "CloseReceived",
    "ConnectTimeoutError",
    "Http1Exchange",
    "HttpProtocolError",
    "IdleConnections",
    "JobResult",
    "MEDIA_EXTENSIONS",
    "MEDIA_FIELDS",
    "NoResponseError",
    "Origin",
    "PingReceived",
    "TLS_HANDSHAKE_FAILED",
    "TransportError",
    "Upload",
    "WebSocketClosed",
    "WebSocketReader",
    "authentication_message",
    "eip712_domain",
    "file_media",
    "media_type_of",
    "origin_of",
    "project_spec",
    "record_media",
    "record_results",
    "replace_media",
    "socket_headers",
    "split_response_head",
    "upload_plan",
    "uuid4_upper",
    "wallet_private_key",
]
