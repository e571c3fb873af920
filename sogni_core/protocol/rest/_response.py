"""Response parsing: status, envelope, typed payloads, and the error shapes.

Every parser takes what any HTTP library yields - ``(status, headers, body
bytes)`` - and returns a typed value or raises:

* :class:`ApiStatusError` for a non-2xx status (or a 2xx ``{status:"error"}``
  envelope). Its fields follow the 5.54.0 RestClient (01 §6.1.3 as updated):
  a JSON-object body is the error payload; otherwise the message is
  synthesised - a plain-text body is the server's own words (up to 500
  characters, then ``…``), an HTML page or empty body gives the reason
  phrase (or ``HTTP <status>``) plus a 200-character excerpt of the page.
  ``retry_after`` is the body's ``retryAfter`` seconds, else the
  ``Retry-After`` header.
* :class:`RemoteProtocolError` for a 2xx answer that breaks its contract:
  not JSON, missing ``data``, or a payload of the wrong shape.

Secrets: messages quote only the server's own error text, never headers.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any, Final, TypeVar, overload

import msgspec

from sogni_core.protocol._errors import ApiStatusError, RemoteProtocolError
from sogni_core.protocol.retry import parse_retry_after

__all__ = [
    "ChatErrorFields",
    "ResponseHeaders",
    "api_status_error",
    "extract_chat_error",
    "header_value",
    "is_success",
    "parse_json",
    "parse_response",
]

T = TypeVar("T")

ResponseHeaders = Mapping[str, str] | Iterable[tuple[str, str]] | Iterable[tuple[bytes, bytes]]

PLAIN_TEXT_ERROR_MAX_LENGTH: Final = 500
ERROR_BODY_EXCERPT_LENGTH: Final = 200


def header_value(headers: ResponseHeaders, name: str) -> str | None:
    """The first value of header ``name`` (case-insensitive).

    Args:
        headers: a mapping or ``(name, value)`` pairs of ``str`` or ``bytes``
            (h11 yields bytes).
        name: the header name.

    Returns:
        The value as text (bytes decoded as Latin-1), or ``None``.
    """
    items: Iterable[tuple[Any, Any]] = headers.items() if isinstance(headers, Mapping) else headers
    wanted = name.lower()
    for key, value in items:
        k = key.decode("latin-1") if isinstance(key, bytes) else key
        if k.lower() == wanted:
            return value.decode("latin-1") if isinstance(value, bytes) else str(value)
    return None


def is_success(status: int) -> bool:
    """Whether ``status`` is 2xx (``Response.ok`` in fetch)."""
    return 200 <= status < 300


def _collapse(text: str) -> str:
    return " ".join(text.split())


def _non_json_message(status: int, reason: str, text: str) -> str:
    body = _collapse(text)
    label = reason or f"HTTP {status}"
    if not body:
        return label
    if not body.startswith("<"):
        if len(body) > PLAIN_TEXT_ERROR_MAX_LENGTH:
            return f"{body[:PLAIN_TEXT_ERROR_MAX_LENGTH]}…"
        return body
    return f"{label}: {body[:ERROR_BODY_EXCERPT_LENGTH]}"


def _nonneg_number(value: Any) -> float | None:
    # normalizeRetryAfterSeconds: a finite number >= 0 (booleans are not numbers).
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if math.isfinite(value) and value >= 0 else None


def _code(value: Any) -> int | str | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, str)):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def _nonempty_str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def api_status_error(
    status: int,
    headers: ResponseHeaders = (),
    body: bytes = b"",
    *,
    reason: str = "",
    now: float | None = None,
) -> ApiStatusError:
    """Build the :class:`ApiStatusError` for a failed response.

    Recognised bodies, first match wins for the message:
    ``{message}`` (the Sogni error body, 01 §6.1.3); a ``data`` object with a
    ``message`` (workflow envelopes, 02 §5.2); an OpenAI ``{error: {message}}``
    and the flat ``{error_message}`` chat shapes (02 §2.14). The code is
    ``errorCode``, else ``error_code``, else the OpenAI ``error.code``, else
    the HTTP status for a synthesised (non-JSON) payload.

    Args:
        status: the HTTP status.
        headers: the response headers.
        body: the response body.
        reason: the HTTP reason phrase, if the transport has one.
        now: current Unix time, to resolve an HTTP-date ``Retry-After``.

    Returns:
        The error (not raised).
    """
    text = body.decode("utf-8", errors="replace")
    payload: Any = None
    if text:
        try:
            payload = msgspec.json.decode(body)
        except msgspec.DecodeError:
            payload = None
    header_wait = parse_retry_after(header_value(headers, "retry-after"), now=now)
    if not isinstance(payload, dict):
        return ApiStatusError(
            _non_json_message(status, reason, text),
            status=status,
            code=status,
            retry_after=header_wait,
        )
    sources: list[dict[str, Any]] = [payload]
    data = payload.get("data")
    if payload.get("status") != "error" and isinstance(data, dict):
        sources.append(data)
    openai = payload.get("error") if isinstance(payload.get("error"), dict) else None
    message: str | None = None
    code: int | str | None = None
    wait: float | None = None
    for source in sources:
        message = message or _nonempty_str(source.get("message"))
        if code is None:
            code = _code(source.get("errorCode"))
        if code is None:
            code = _code(source.get("error_code"))
        if wait is None:
            wait = _nonneg_number(source.get("retryAfter"))
    if openai is not None:
        message = message or _nonempty_str(openai.get("message"))
        if code is None:
            code = _code(openai.get("code"))
    message = message or _nonempty_str(payload.get("error_message"))
    if message is None:
        message = reason or f"HTTP {status}"
    return ApiStatusError(
        message,
        status=status,
        code=code,
        retry_after=wait if wait is not None else header_wait,
    )


def parse_json(status: int, body: bytes) -> Any:
    """Decode a 2xx body as JSON; an empty body is ``None`` (01 §6.1.2).

    Args:
        status: the HTTP status (for the error message).
        body: the body bytes.

    Returns:
        The decoded JSON value, or ``None`` for an empty body.

    Raises:
        RemoteProtocolError: the body is not JSON.
    """
    if not body.strip():
        return None
    try:
        return msgspec.json.decode(body)
    except msgspec.DecodeError as exc:
        raise RemoteProtocolError(f"Failed to parse response body (HTTP {status})") from exc


@overload
def parse_response(
    status: int,
    headers: ResponseHeaders,
    body: bytes,
    *,
    type: type[T],
    envelope: bool = ...,
    reason: str = ...,
    now: float | None = ...,
) -> T: ...


@overload
def parse_response(
    status: int,
    headers: ResponseHeaders,
    body: bytes,
    *,
    type: None = ...,
    envelope: bool = ...,
    reason: str = ...,
    now: float | None = ...,
) -> Any: ...


def parse_response(
    status: int,
    headers: ResponseHeaders,
    body: bytes,
    *,
    type: Any = None,
    envelope: bool = True,
    reason: str = "",
    now: float | None = None,
) -> Any:
    """Parse a REST response into a typed payload.

    Args:
        status: the HTTP status.
        headers: the response headers.
        body: the complete body.
        type: what to convert the payload to (a msgspec Struct, ``list[X]``,
            ...); ``None`` returns the raw JSON value.
        envelope: unwrap ``{status, data}`` (REST host) - ``False`` for the
            socket host, hosted chat completions and replay (raw JSON).
        reason: the HTTP reason phrase, for error messages.
        now: current Unix time, for an HTTP-date ``Retry-After``.

    Returns:
        The payload (the envelope's ``data`` when ``envelope``). An empty 2xx
        body gives ``None`` when ``type`` is ``None``.

    Raises:
        ApiStatusError: non-2xx status, or an envelope whose status is ``"error"``.
        RemoteProtocolError: the body is not JSON, lacks ``data``, or does
            not match ``type``.
    """
    if not is_success(status):
        raise api_status_error(status, headers, body, reason=reason, now=now)
    value = parse_json(status, body)
    if envelope and value is not None:
        if not isinstance(value, dict):
            raise RemoteProtocolError("response envelope is not a JSON object")
        if value.get("status") == "error":
            raise api_status_error(status, headers, body, reason=reason, now=now)
        if "data" not in value:
            raise RemoteProtocolError("response envelope did not include data")
        value = value["data"]
    if type is None:
        return value
    if value is None:
        raise RemoteProtocolError(f"response has no payload (HTTP {status})")
    try:
        return msgspec.convert(value, type)
    except msgspec.ValidationError as exc:
        # msgspec names the path and expected type, never the offending value.
        raise RemoteProtocolError(f"unexpected response shape: {exc}") from exc


class ChatErrorFields(msgspec.Struct, frozen=True, kw_only=True):
    """A recognised chat error body (02 §2.14), for mapping to a chat error.

    Attributes:
        code: the wire error code (e.g. ``"4078"``), if any.
        error_type: the error type (OpenAI ``type``, flat ``error``), if any.
        message: the error message, if any.
        subscription_limit: ``True`` only when the body said exactly ``true``.
        required_plans: string plan ids from the body.
        feature: the gated feature, if named.
        limitation: the limitation, if named.
    """

    code: str | None = None
    error_type: str | None = None
    message: str | None = None
    subscription_limit: bool = False
    required_plans: tuple[str, ...] = ()
    feature: str | None = None
    limitation: str | None = None


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _structured(source: Any) -> dict[str, Any]:
    if not isinstance(source, dict):
        source = {}
    plans = source.get("requiredPlans")
    return {
        "subscription_limit": source.get("subscriptionLimit") is True,
        "required_plans": tuple(p for p in plans if isinstance(p, str))
        if isinstance(plans, list)
        else (),
        "feature": _str(source.get("feature")),
        "limitation": _str(source.get("limitation")),
    }


def extract_chat_error(payload: Any) -> ChatErrorFields | None:
    """Recognise the chat error shapes of 02 §2.14.

    1. OpenAI envelope: ``error`` is an object; recognised iff its ``code`` or
       ``type`` is a string or ``subscription.subscriptionLimit`` is ``true``.
       An ``error`` object failing that test is *not* recognised (shape 2 is
       not tried).
    2. Flat socket shape: recognised iff ``error_code`` is a string, or both
       ``error`` and ``error_message`` are strings, or
       ``subscriptionLimit`` is ``true``.

    Args:
        payload: a decoded JSON error body.

    Returns:
        The fields, or ``None`` when the body is not a chat error.
    """
    if not isinstance(payload, dict):
        return None
    envelope = payload.get("error")
    if isinstance(envelope, dict):
        extra = _structured(envelope.get("subscription"))
        code = _str(envelope.get("code"))
        error_type = _str(envelope.get("type"))
        if code is None and error_type is None and not extra["subscription_limit"]:
            return None
        return ChatErrorFields(
            code=code, error_type=error_type, message=_str(envelope.get("message")), **extra
        )
    extra = _structured(payload)
    code = _str(payload.get("error_code"))
    error_type = _str(payload.get("error"))
    message = _str(payload.get("error_message"))
    if code is None and (error_type is None or message is None) and not extra["subscription_limit"]:
        return None
    return ChatErrorFields(code=code, error_type=error_type, message=message, **extra)
