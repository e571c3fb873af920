"""Token-auth flow pieces: login, refresh, logout, expiry decisions, cookies.

Facts from 01 §1.3.3 and §6.2 (5.54.0 ``TokenAuthManager`` where newer):

* Tokens are JWTs. The SDK decodes (never verifies) the payload and reads
  ``exp`` (seconds since the epoch) for both the access and refresh token.
* "Authenticated" = a refresh token is held and its ``exp`` is in the future.
  Before each request: a valid access token is sent as is; otherwise, with a
  refresh token, refresh first; with neither, send unauthenticated.
* Refresh: ``POST /v1/account/refresh-token`` with only
  ``Content-Type: application/json`` (no Authorization) and body
  ``{"refreshToken": ...}``; ``data`` is a new ``{token, refreshToken}`` pair
  (the refresh token may rotate). Any non-2xx, or a 2xx that is not a token
  pair, means the session is over: the caller clears its tokens.
* An already expired refresh token fails locally ("Refresh token expired"),
  with no request.
* Logout: ``POST /v1/account/logout`` with ``{}``; a 401 is tolerated.

The decisions are pure functions of ``now`` (a Unix timestamp the caller
reads from its clock); the one-refresh-in-flight rule is the transport's job.
"""

from __future__ import annotations

import base64
import binascii
import math
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import msgspec

from sogni_core.protocol._errors import InvalidParamsError, LocalProtocolError, RemoteProtocolError

from ._request import Auth, Request, TokenAuth, build_request
from ._response import ResponseHeaders, api_status_error, is_success, parse_response

if TYPE_CHECKING:
    from sogni_core.protocol._generated.rest import LoginData

# The generated REST schemas (``_generated.rest``) are imported by the functions
# that use them: most of the module's import time, and a socket-only client never
# needs them.

__all__ = [
    "TokenSession",
    "cookies_from_headers",
    "jwt_expiry",
    "login_request",
    "logout_request",
    "needs_refresh",
    "nonce_request",
    "parse_login",
    "parse_logout",
    "parse_nonce",
    "parse_token_pair",
    "refresh_request",
]


def jwt_expiry(token: str) -> float:
    """The ``exp`` claim of a JWT, read without verifying the signature.

    Args:
        token: a JWT (three base64url segments); a ``Bearer`` prefix is
            tolerated.

    Returns:
        The expiry as a Unix timestamp in seconds.

    Raises:
        InvalidParamsError: the value is not a JWT whose payload is a JSON
            object with a numeric ``exp``. The message never includes the token.
    """
    raw = token.removeprefix("Bearer ").strip()
    segments = raw.split(".")
    if len(segments) != 3:
        raise InvalidParamsError("token", "not a JWT (expected three segments)")
    payload = segments[1]
    try:
        decoded = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
        claims: Any = msgspec.json.decode(decoded)
    except (binascii.Error, ValueError, msgspec.DecodeError):
        raise InvalidParamsError("token", "JWT payload is not base64url JSON") from None
    exp = claims.get("exp") if isinstance(claims, dict) else None
    if isinstance(exp, bool) or not isinstance(exp, (int, float)) or not math.isfinite(exp):
        raise InvalidParamsError("token", "JWT payload has no numeric exp claim")
    return float(exp)


def needs_refresh(now: float, token_expiry: float | None, *, leeway: float = 0.0) -> bool:
    """Whether the access token must be refreshed before the next request.

    The SDKs treat a token as valid while ``exp > now``; ``leeway`` refreshes
    that many seconds early (to cover clock skew and request latency).

    Args:
        now: the current Unix time in seconds.
        token_expiry: the access token's ``exp``, or ``None`` when no access
            token is held.
        leeway: seconds of margin before expiry (default 0, as the SDKs).

    Returns:
        ``True`` when there is no token or ``now + leeway >= token_expiry``.
    """
    return token_expiry is None or now + leeway >= token_expiry


class TokenSession(msgspec.Struct, frozen=True, kw_only=True):
    """A token pair with its decoded expiries.

    Attributes:
        token: the access JWT.
        refresh_token: the refresh JWT.
        token_expiry: ``exp`` of ``token`` (Unix seconds).
        refresh_expiry: ``exp`` of ``refresh_token`` (Unix seconds).
    """

    token: str
    refresh_token: str
    token_expiry: float
    refresh_expiry: float

    @classmethod
    def from_tokens(cls, token: str, refresh_token: str) -> TokenSession:
        """Decode both expiries.

        Args:
            token: the access JWT.
            refresh_token: the refresh JWT.

        Returns:
            The session.

        Raises:
            InvalidParamsError: either value is not a JWT with ``exp``.
        """
        return cls(
            token=token,
            refresh_token=refresh_token,
            token_expiry=jwt_expiry(token),
            refresh_expiry=jwt_expiry(refresh_token),
        )

    def is_authenticated(self, now: float) -> bool:
        """The SDK's definition: the refresh token has not expired."""
        return self.refresh_expiry > now

    def needs_refresh(self, now: float, *, leeway: float = 0.0) -> bool:
        """Whether to refresh before the next request (see :func:`needs_refresh`)."""
        return needs_refresh(now, self.token_expiry, leeway=leeway)

    def auth(self) -> Auth:
        """The :class:`TokenAuth` credential carrying the access token."""
        return TokenAuth(self.token)

    def __repr__(self) -> str:
        return (
            f"TokenSession(token='<redacted>', refresh_token='<redacted>', "
            f"token_expiry={self.token_expiry!r}, refresh_expiry={self.refresh_expiry!r})"
        )

    __str__ = __repr__


def nonce_request(base_url: str, wallet_address: str, *, auth: Auth | None = None) -> Request:
    """``POST /v1/account/nonce`` (01 §6.2.2).

    Args:
        base_url: the REST base.
        wallet_address: the EIP-55 address derived from the credentials.
        auth: credentials, if any are held (the SDK still attaches them).

    Returns:
        The request.
    """
    from sogni_core.protocol._generated.rest import ENDPOINTS, NonceRequest

    ep = ENDPOINTS["account_nonce"]
    body = NonceRequest(wallet_address=wallet_address)
    return build_request(ep.method, base_url, ep.path, auth=auth, json=body)


def parse_nonce(status: int, headers: ResponseHeaders, body: bytes, *, reason: str = "") -> str:
    """The nonce from a ``/v1/account/nonce`` response.

    Raises:
        ApiStatusError: the server refused.
        RemoteProtocolError: the body is not ``{data: {nonce}}``.
    """
    from sogni_core.protocol._generated.rest import NonceData

    return parse_response(status, headers, body, type=NonceData, reason=reason).nonce


def login_request(
    base_url: str,
    *,
    wallet_address: str,
    signature: str,
    remember_me: bool = False,
    app_source: str | None = None,
    auth: Auth | None = None,
) -> Request:
    """``POST /v1/account/login`` (01 §6.2.2).

    Args:
        base_url: the REST base.
        wallet_address: the EIP-55 wallet address.
        signature: ``0x`` hex of the EIP-712 ``Authentication`` signature
            over ``{walletAddress, nonce}``.
        remember_me: long-lived cookie session (always sent).
        app_source: sent only when non-blank after trimming.
        auth: credentials already held, if any.

    Returns:
        The request.
    """
    from sogni_core.protocol._generated.rest import ENDPOINTS, LoginRequest

    ep = ENDPOINTS["account_login"]
    source = app_source.strip() if app_source else ""
    body = LoginRequest(
        wallet_address=wallet_address,
        signature=signature,
        app_source=source or None,
        remember_me=remember_me,
    )
    return build_request(ep.method, base_url, ep.path, auth=auth, json=body)


def parse_login(
    status: int, headers: ResponseHeaders, body: bytes, *, reason: str = ""
) -> LoginData:
    """The ``{token, refreshToken, username}`` of a login response.

    Raises:
        ApiStatusError: the server refused the login.
        RemoteProtocolError: the body is not a login envelope.
    """
    from sogni_core.protocol._generated.rest import LoginData

    return parse_response(status, headers, body, type=LoginData, reason=reason)


def refresh_request(
    base_url: str,
    refresh_token: str,
    *,
    now: float | None = None,
    refresh_expiry: float | None = None,
) -> Request:
    """``POST /v1/account/refresh-token``, sent with no Authorization (01 §1.3.3).

    Args:
        base_url: the REST base.
        refresh_token: the refresh JWT.
        now: the current Unix time; with ``refresh_expiry``, checks that the
            refresh token is still usable.
        refresh_expiry: the refresh token's ``exp``.

    Returns:
        The request.

    Raises:
        LocalProtocolError: the refresh token has expired ("Refresh token
            expired"); the caller clears its session without a request.
    """
    if now is not None and refresh_expiry is not None and refresh_expiry <= now:
        raise LocalProtocolError("Refresh token expired")
    from sogni_core.protocol._generated.rest import ENDPOINTS, RefreshTokenRequest

    ep = ENDPOINTS["account_refresh_token"]
    body = RefreshTokenRequest(refresh_token=refresh_token)
    return build_request(ep.method, base_url, ep.path, auth=None, json=body)


def parse_token_pair(
    status: int, headers: ResponseHeaders, body: bytes, *, reason: str = ""
) -> TokenSession:
    """The new session from a refresh (or sign-up) response.

    Any failure means the session is over: the caller must clear its tokens.

    Returns:
        The decoded :class:`TokenSession`.

    Raises:
        ApiStatusError: non-2xx status.
        RemoteProtocolError: a 2xx body that is not a valid token pair.
    """
    from sogni_core.protocol._generated.rest import TokenPair

    pair = parse_response(status, headers, body, type=TokenPair, reason=reason)
    try:
        return TokenSession.from_tokens(pair.token, pair.refresh_token)
    except InvalidParamsError as exc:
        raise RemoteProtocolError(
            f"Token refresh response did not include a valid token pair (HTTP {status})"
        ) from exc


def logout_request(base_url: str, *, auth: Auth | None) -> Request:
    """``POST /v1/account/logout`` with body ``{}`` (01 §6.2.2).

    Args:
        base_url: the REST base.
        auth: the credentials of the session being ended.

    Returns:
        The request.
    """
    from sogni_core.protocol._generated.rest import ENDPOINTS

    ep = ENDPOINTS["account_logout"]
    return build_request(ep.method, base_url, ep.path, auth=auth, json={})


def parse_logout(status: int, headers: ResponseHeaders, body: bytes, *, reason: str = "") -> None:
    """Check a logout response; 2xx (any body) and 401 both count as logged out.

    Raises:
        ApiStatusError: any other error status.
    """
    if status == 401 or is_success(status):
        return
    raise api_status_error(status, headers, body, reason=reason)


def cookies_from_headers(
    headers: ResponseHeaders, existing: Iterable[tuple[str, str]] = ()
) -> tuple[tuple[str, str], ...]:
    """Merge the ``Set-Cookie`` headers of a response into a cookie list.

    Only ``name=value`` is kept (attributes are dropped); a later cookie of
    the same name replaces an earlier one; an empty value or ``Max-Age=0``
    deletes it. Enough for the Sogni session cookies on a single host.

    Args:
        headers: the response headers.
        existing: the cookies held so far.

    Returns:
        The merged ``(name, value)`` pairs, for :class:`CookieAuth`.
    """
    jar = dict(existing)
    items: Iterable[tuple[Any, Any]] = headers.items() if isinstance(headers, Mapping) else headers
    for key, value in items:
        k = key.decode("latin-1") if isinstance(key, bytes) else key
        if k.lower() != "set-cookie":
            continue
        v = value.decode("latin-1") if isinstance(value, bytes) else value
        first, *attrs = v.split(";")
        name, eq, val = first.partition("=")
        name, val = name.strip(), val.strip()
        if not eq or not name:
            continue
        expired = any(a.strip().lower().replace(" ", "") == "max-age=0" for a in attrs)
        if expired or not val:
            jar.pop(name, None)
        else:
            jar[name] = val
    return tuple(jar.items())
