"""Errors raised by the transports (they share one hierarchy)."""

from __future__ import annotations

from sogni_core.protocol._errors import SogniError

__all__ = [
    "TLS_HANDSHAKE_FAILED",
    "ClientClosedError",
    "ConnectTimeoutError",
    "HttpProtocolError",
    "NoResponseError",
    "TransportError",
    "WebSocketClosed",
]


class TransportError(SogniError):
    """An I/O failure in a transport (socket, TLS, HTTP connection)."""


class NoResponseError(TransportError):
    """An HTTP request got no complete answer (connect, write or read failed).

    Raised by the transports' request pools; ``RestClient.send`` retries it
    as the retry policy says, then raises a plain :class:`TransportError`.

    Attributes:
        connect: the request never reached the server (connecting failed or
            timed out), so even a non-idempotent request may be retried.
    """

    def __init__(self, message: str, *, connect: bool = False) -> None:
        super().__init__(message)
        self.connect = connect


class HttpProtocolError(TransportError):
    """The peer broke HTTP/1.1 framing or closed early (the message names the rule)."""


class WebSocketClosed(TransportError):
    """The WebSocket ended; raised by a transport's ``receive``/``send``.

    Attributes:
        code: the close code; 1006 when no close frame was received.
        reason: the close reason (never carries a credential).
    """

    def __init__(self, code: int, reason: str = "") -> None:
        super().__init__(f"websocket closed ({code}): {reason}")
        self.code = code
        self.reason = reason


class ClientClosedError(TransportError):
    """The client was closed while the call was waiting."""


class ConnectTimeoutError(TransportError, TimeoutError):
    """No server greeting arrived in time; the message names the last socket error."""


#: RFC 6455 §7.4.1: 1015 reports a failed TLS handshake (never sent on the wire).
TLS_HANDSHAKE_FAILED = 1015
