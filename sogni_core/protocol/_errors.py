"""The error hierarchy of sogni-core.

Every exception the core raises on purpose is a :class:`SogniError`. Anything
else escaping the core is a bug (fuzzers assert this)::

    SogniError
    ├── ProtocolError                 the two peers disagree about the protocol
    │   ├── LocalProtocolError        *we* were asked to do something illegal
    │   │   └── InvalidParamsError    bad user input, caught before any I/O
    │   └── RemoteProtocolError       the server sent something malformed
    ├── ApiError                      the server answered with an error
    │   ├── ApiStatusError            a REST error envelope / non-2xx status
    │   └── JobFailedError            a job or project failed (jobError)
    └── ConnectionClosedError         the socket closed; carries the close code

Transports add their own ``TransportError`` subclasses of ``SogniError``.

Secrets never appear in messages: errors carry field names and rules, never
the value of a credential.
"""

from __future__ import annotations

__all__ = [
    "ApiError",
    "ApiStatusError",
    "ConnectionClosedError",
    "InvalidParamsError",
    "JobFailedError",
    "LocalProtocolError",
    "ProtocolError",
    "RemoteProtocolError",
    "SogniError",
]


class SogniError(Exception):
    """Base class of every error raised by sogni-core on purpose."""


class ProtocolError(SogniError):
    """The two peers disagree about the protocol.

    Attributes:
        close_code: a WebSocket close code to send the peer before closing,
            or ``None`` when the connection may continue.
    """

    def __init__(self, message: str, *, close_code: int | None = None) -> None:
        super().__init__(message)
        self.close_code = close_code


class LocalProtocolError(ProtocolError):
    """The caller asked the core to do something the protocol forbids."""


class InvalidParamsError(LocalProtocolError, ValueError):
    """User-supplied parameters broke a rule; raised before any I/O.

    Attributes:
        field: dotted name of the offending parameter, e.g. ``"width"`` or
            ``"contextImages[2]"``.
        rule: the rule that was broken, in plain words.
    """

    def __init__(self, field: str, rule: str) -> None:
        super().__init__(f"{field}: {rule}")
        self.field = field
        self.rule = rule


class RemoteProtocolError(ProtocolError):
    """The server sent bytes that do not parse, or break a protocol rule."""


class ApiError(SogniError):
    """The server answered, and the answer was an error.

    Attributes:
        code: the server's error code (number or symbolic string), if any.
        message: the server's human-readable message.
    """

    def __init__(self, message: str, *, code: int | str | None = None) -> None:
        super().__init__(message if code is None else f"[{code}] {message}")
        self.code = code
        self.message = message


class ApiStatusError(ApiError):
    """A REST call returned an error status or error envelope.

    Attributes:
        status: the HTTP status code.
        retry_after: seconds from a ``Retry-After`` header, if present.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int,
        code: int | str | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, code=code)
        self.status = status
        self.retry_after = retry_after


class JobFailedError(ApiError):
    """A project or one of its jobs failed on the server or a worker."""


class ConnectionClosedError(SogniError):
    """The socket closed.

    Attributes:
        code: the WebSocket close code (0 when none was received).
        reason: the close reason text.
        recoverable: whether the session machine will reconnect.
    """

    def __init__(self, code: int, reason: str, *, recoverable: bool) -> None:
        super().__init__(f"connection closed ({code}): {reason}")
        self.code = code
        self.reason = reason
        self.recoverable = recoverable
