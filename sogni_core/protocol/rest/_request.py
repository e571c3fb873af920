"""The plain-data HTTP request, credentials, and URL construction.

A :class:`Request` is what every builder in this package returns: method,
absolute URL, ordered headers and body bytes - nothing a transport has to
interpret. Rules cited are from ``/work/shared/protocol``:

* 01 §1.1: REST paths begin with ``/`` and are resolved against the base URL
  with URL semantics, so any path of the configured base is discarded. The
  socket host's HTTP base swaps ``ws:`` -> ``http:``, ``wss:`` -> ``https:``
  (anything else -> ``https:``).
* 01 §6.1.1: query entries are appended in the caller's order with
  URLSearchParams (``application/x-www-form-urlencoded``) encoding; the
  5.54.0 RestClient omits ``undefined``/``null`` values. POST bodies are
  compact JSON with ``Content-Type: application/json``, then caller headers,
  then the auth header.
* 01 §1.3.1: API-key mode sends ``api-key: <key>``; token mode sends
  ``Authorization: <JWT>`` - the raw token, no ``Bearer`` prefix; cookie mode
  sends the session cookies and no auth header.

Secrets never reach a ``repr``: credentials and requests redact the values of
``api-key``, ``Authorization``, ``Cookie`` and ``Set-Cookie`` headers.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any, Final
from urllib.parse import urlsplit, urlunsplit

import msgspec

from sogni_core.protocol._errors import InvalidParamsError

__all__ = [
    "ApiKeyAuth",
    "Auth",
    "CookieAuth",
    "Headers",
    "QueryValue",
    "Request",
    "TokenAuth",
    "build_request",
    "encode_json_body",
    "encode_query",
    "format_path",
    "js_string",
    "resolve_url",
    "socket_http_base",
]

Headers = tuple[tuple[str, str], ...]
QueryValue = str | int | float | bool | None

#: Header names whose values are credentials (compared lower-case).
SECRET_HEADERS: Final = frozenset({"api-key", "authorization", "cookie", "set-cookie"})
REDACTED: Final = "<redacted>"

# URLSearchParams' application/x-www-form-urlencoded byte set: ASCII
# alphanumerics and *-._ pass through, space becomes '+', the rest is %XX.
_FORM_SAFE: Final = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789*-._")
# encodeURIComponent's unreserved set (ECMA-262 §19.2.6.5): alnum and -_.!~*'().
_COMPONENT_SAFE: Final = frozenset(
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.!~*'()"
)


def _redact(headers: Headers) -> list[tuple[str, str]]:
    return [(k, REDACTED if k.lower() in SECRET_HEADERS else v) for k, v in headers]


class Request(msgspec.Struct, frozen=True, kw_only=True):
    """One HTTP request as plain data.

    Attributes:
        method: ``GET``, ``POST``, ``PUT``, ``PATCH`` or ``DELETE``.
        url: the absolute URL, query included, already percent-encoded.
        headers: ordered ``(name, value)`` pairs.
        body: the body bytes, or ``None`` for no body.
    """

    method: str
    url: str
    headers: Headers = ()
    body: bytes | None = None

    @property
    def target(self) -> str:
        """The request target (path and query) for an HTTP/1.1 request line."""
        parts = urlsplit(self.url)
        path = parts.path or "/"
        return f"{path}?{parts.query}" if parts.query else path

    @property
    def host(self) -> str:
        """The ``host[:port]`` part of :attr:`url` (for the ``Host`` header)."""
        return urlsplit(self.url).netloc

    def header(self, name: str) -> str | None:
        """The first value of header ``name`` (case-insensitive), or ``None``."""
        lowered = name.lower()
        for key, value in self.headers:
            if key.lower() == lowered:
                return value
        return None

    def __repr__(self) -> str:
        # Presigned URLs carry their signature in the query: keep it out too.
        parts = urlsplit(self.url)
        url = urlunsplit((parts.scheme, parts.netloc, parts.path, "…" if parts.query else "", ""))
        size = "None" if self.body is None else f"<{len(self.body)} bytes>"
        return (
            f"Request(method={self.method!r}, url={url!r}, "
            f"headers={_redact(self.headers)!r}, body={size})"
        )

    __str__ = __repr__


class ApiKeyAuth(msgspec.Struct, frozen=True):
    """API-key credentials: header ``api-key: <key>`` (01 §1.3.2).

    Attributes:
        api_key: the key from the Sogni dashboard.
    """

    api_key: str

    def headers(self) -> Headers:
        """The auth header pairs this credential adds to a request."""
        return (("api-key", self.api_key),)

    def __repr__(self) -> str:
        return f"ApiKeyAuth(api_key={REDACTED!r})"

    __str__ = __repr__


class TokenAuth(msgspec.Struct, frozen=True):
    """Access-token credentials: header ``Authorization: <JWT>`` (01 §1.3.3).

    Attributes:
        token: the JWT access token.
        bearer: prefix the value with ``Bearer`` - the official SDKs do
            **not** (they send the raw token); only for servers that want it.
    """

    token: str
    bearer: bool = False

    def headers(self) -> Headers:
        """The auth header pairs this credential adds to a request."""
        value = f"Bearer {self.token}" if self.bearer else self.token
        return (("Authorization", value),)

    def __repr__(self) -> str:
        return f"TokenAuth(token={REDACTED!r}, bearer={self.bearer!r})"

    __str__ = __repr__


class CookieAuth(msgspec.Struct, frozen=True):
    """Cookie-session credentials (01 §1.3.4): no auth header, the session cookies.

    Browsers send HttpOnly ``.sogni.ai`` cookies themselves; a non-browser
    client keeps the cookies the login response set (see
    :func:`sogni_core.protocol.rest.cookies_from_headers`) and sends them back
    in one ``Cookie`` header.

    Attributes:
        cookies: ``(name, value)`` pairs, in order.
    """

    cookies: tuple[tuple[str, str], ...] = ()

    def headers(self) -> Headers:
        """The ``Cookie`` header pair, or nothing when no cookie is held."""
        if not self.cookies:
            return ()
        return (("Cookie", "; ".join(f"{k}={v}" for k, v in self.cookies)),)

    def __repr__(self) -> str:
        names = [name for name, _ in self.cookies]
        return f"CookieAuth(cookies={names!r} (values {REDACTED}))"

    __str__ = __repr__


Auth = ApiKeyAuth | TokenAuth | CookieAuth


def js_string(value: str | int | float | bool) -> str:
    """Format a value the way JavaScript's ``String(value)`` does.

    The SDKs build query strings and path segments with ``String()``, so
    ``True`` -> ``"true"``, ``2.0`` -> ``"2"``, ``0.85`` -> ``"0.85"``.

    Args:
        value: a string, integer, float or boolean.

    Returns:
        The JavaScript string form.

    Raises:
        InvalidParamsError: a float is NaN or infinite.
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise InvalidParamsError("query", "numbers must be finite")
        return _js_number(value)
    return value


def _js_number(value: float) -> str:
    # ECMA-262 Number::toString(10): the shortest round-trip digits (which
    # Python's repr also produces), laid out with the JS exponent thresholds:
    # plain notation for 1e-7 < |x| < 1e21, "d.ddde+N" outside.
    if value == 0:
        return "0"
    sign = "-" if value < 0 else ""
    dec = Decimal(repr(abs(value))).normalize()
    _, digit_tuple, exp = dec.as_tuple()
    assert isinstance(exp, int)
    digits = "".join(map(str, digit_tuple))
    k = len(digits)
    n = k + exp  # value = 0.digits * 10**n
    if k <= n <= 21:
        text = digits + "0" * (n - k)
    elif 0 < n <= 21:
        text = f"{digits[:n]}.{digits[n:]}"
    elif -6 < n <= 0:
        text = "0." + "0" * (-n) + digits
    else:
        e = n - 1
        mantissa = digits if k == 1 else f"{digits[0]}.{digits[1:]}"
        text = f"{mantissa}e{'+' if e >= 0 else '-'}{abs(e)}"
    return sign + text


def _percent(value: str, safe: frozenset[int], *, plus: bool) -> str:
    # Fast path: ids, paths and enum values are usually all safe already.
    if value.isascii() and not value.encode("ascii").translate(None, _safe_bytes(safe)):
        return value
    out: list[str] = []
    for byte in value.encode("utf-8"):
        if byte in safe:
            out.append(chr(byte))
        elif plus and byte == 0x20:
            out.append("+")
        else:
            out.append(f"%{byte:02X}")
    return "".join(out)


_SAFE_BYTES: dict[frozenset[int], bytes] = {}


def _safe_bytes(safe: frozenset[int]) -> bytes:
    found = _SAFE_BYTES.get(safe)
    if found is None:
        found = _SAFE_BYTES[safe] = bytes(sorted(safe))
    return found


def encode_query(query: Mapping[str, QueryValue] | Iterable[tuple[str, QueryValue]]) -> str:
    """Encode query entries as URLSearchParams would (01 §6.1.1).

    Args:
        query: a mapping or ``(key, value)`` pairs, kept in order. ``None``
            values are omitted (5.54.0 RestClient); others go through
            :func:`js_string`.

    Returns:
        ``key=value&...`` without a leading ``?`` (``""`` when empty).
    """
    items = query.items() if isinstance(query, Mapping) else query
    parts = [
        f"{_percent(key, _FORM_SAFE, plus=True)}={_percent(js_string(v), _FORM_SAFE, plus=True)}"
        for key, v in items
        if v is not None
    ]
    return "&".join(parts)


def format_path(
    template: str,
    params: Mapping[str, str | int | float | bool] | None = None,
    *,
    encode: bool = True,
) -> str:
    """Fill ``{name}`` placeholders of an endpoint path.

    Args:
        template: a path such as ``/v1/chat/runs/{runId}``.
        params: the placeholder values, formatted with :func:`js_string`.
        encode: percent-encode each value as ``encodeURIComponent`` does
            (what the SDKs do for ids); the image-estimate path is the one
            exception that sends its segments raw (01 §5.7.1).

    Returns:
        The filled path.

    Raises:
        InvalidParamsError: a placeholder has no value, a value was given
            for no placeholder, or a raw segment contains ``/``, ``?`` or ``#``.
    """
    values = dict(params or {})
    out: list[str] = []
    pos = 0
    while True:
        start = template.find("{", pos)
        if start < 0:
            out.append(template[pos:])
            break
        end = template.index("}", start)
        name = template[start + 1 : end]
        if name not in values:
            raise InvalidParamsError(name, "path parameter is required")
        text = js_string(values.pop(name))
        if encode:
            text = _percent(text, _COMPONENT_SAFE, plus=False)
        elif any(c in text for c in "/?#") or not text:
            raise InvalidParamsError(name, "raw path segment must be non-empty without / ? #")
        out.append(template[pos:start])
        out.append(text)
        pos = end + 1
    if values:
        raise InvalidParamsError(sorted(values)[0], "not a parameter of this path")
    return "".join(out)


def resolve_url(base_url: str, path: str, query: str = "") -> str:
    """Resolve an absolute ``path`` against ``base_url`` (01 §1.1).

    The base's own path, query and fragment are discarded, as URL resolution
    of a path beginning with ``/`` does.

    Args:
        base_url: ``scheme://host[:port][/anything]``.
        path: an absolute path starting with ``/``; may carry its own query.
        query: an encoded query to append (after any query in ``path``).

    Returns:
        The absolute URL.

    Raises:
        InvalidParamsError: the base has no scheme/host or the path does not
            start with ``/``.
    """
    base = urlsplit(base_url)
    if base.scheme not in ("http", "https") or not base.netloc:
        raise InvalidParamsError("base_url", "must be an absolute http(s) URL")
    if not path.startswith("/"):
        raise InvalidParamsError("path", "must start with /")
    own_path, _, own_query = path.partition("?")
    full_query = "&".join(q for q in (own_query, query) if q)
    return urlunsplit((base.scheme, base.netloc, own_path, full_query, ""))


def socket_http_base(socket_url: str) -> str:
    """The HTTP base of the socket host (01 §1.1).

    Args:
        socket_url: the configured socket URL, e.g. ``wss://socket.sogni.ai``.

    Returns:
        ``ws:``/``http:`` -> ``http://host/``; anything else -> ``https://host/``.

    Raises:
        InvalidParamsError: the URL has no host.
    """
    parts = urlsplit(socket_url)
    if not parts.netloc:
        raise InvalidParamsError("socket_url", "must be an absolute URL")
    scheme = "http" if parts.scheme in ("ws", "http") else "https"
    return urlunsplit((scheme, parts.netloc, parts.path or "/", "", ""))


def _drop_none(value: Any) -> Any:
    # The Python SDK's drop_none and the TS SDK's "omit when undefined": a
    # None field is left out of the JSON body rather than sent as null.
    if isinstance(value, dict):
        return {k: _drop_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_none(v) for v in value]
    return value


def encode_json_body(body: Any) -> bytes:
    """Encode a request body as compact JSON, leaving out ``None`` members.

    Args:
        body: a msgspec Struct (wire names are used), a mapping, a list, or
            ``None`` for ``{}``.

    Returns:
        UTF-8 JSON bytes.

    Raises:
        InvalidParamsError: the body holds a value JSON cannot carry.
    """
    try:
        builtins = msgspec.to_builtins({} if body is None else body)
        return msgspec.json.encode(_drop_none(builtins))
    except (TypeError, ValueError, OverflowError) as exc:
        raise InvalidParamsError("body", f"not JSON-encodable: {type(exc).__name__}") from exc


def build_request(
    method: str,
    base_url: str,
    path: str,
    *,
    auth: Auth | None = None,
    query: Mapping[str, QueryValue] | Iterable[tuple[str, QueryValue]] = (),
    json: Any = None,
    has_body: bool | None = None,
    headers: Iterable[tuple[str, str]] = (),
) -> Request:
    """Build a REST request the way the SDKs' RestClient does (01 §6.1.1).

    Args:
        method: the HTTP method.
        base_url: the REST base or the socket host's HTTP base.
        path: the filled path (see :func:`format_path`).
        auth: credentials, or ``None`` for an unauthenticated call.
        query: query entries in order (``None`` values omitted).
        json: the JSON body (``None`` -> ``{}`` when a body is sent).
        has_body: send a JSON body; default: for POST and PATCH. Pass
            ``False`` for the body-less POSTs (workflow cancel).
        headers: extra headers (attribution, ``Accept``, ``Idempotency-Key``),
            placed after ``Content-Type`` and before the auth header.

    Returns:
        The :class:`Request`.

    Raises:
        InvalidParamsError: a bad URL, path or body.
    """
    method = method.upper()
    send_body = method in ("POST", "PATCH") if has_body is None else has_body
    url = resolve_url(base_url, path, encode_query(query))
    out: list[tuple[str, str]] = []
    body: bytes | None = None
    if send_body:
        out.append(("Content-Type", "application/json"))
        body = encode_json_body(json)
    out.extend(headers)
    if auth is not None:
        out.extend(auth.headers())
    return Request(method=method, url=url, headers=tuple(out), body=body)
