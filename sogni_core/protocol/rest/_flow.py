"""The token-auth request flow as a plain generator (STYLE A2).

The flow yields each :class:`Request` to send and receives the
:class:`Response`; tiny drivers (:func:`drive`, :func:`drive_async`) run it over
any HTTP client. It encodes the SDKs' "before each REST request" rule (01
§1.3.3):

1. no session -> send the request unauthenticated;
2. a valid access token (``exp > now + leeway``) -> send it;
3. an expired access token with a live refresh token -> ``POST
   /v1/account/refresh-token`` first, then send with the new token;
4. an expired refresh token -> :class:`LocalProtocolError` ("Refresh token
   expired"), no request: the session is over.

A failed refresh raises what :func:`parse_token_pair` raises; the caller must
then clear its session, as the SDKs do. A final ``401`` clears the session too
("401 means that the client instance is not authenticated") unless
``clear_on_401=False`` (the chat-runs helper does not clear, 02 §1.2).

Concurrent callers should share one in-flight refresh; that coordination is
the transport's (it owns the tasks), e.g. by holding a lock around the flow's
refresh step or by running one flow at a time per session.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Generator
from typing import TypeVar

import msgspec

from sogni_core.protocol._errors import LocalProtocolError

from ._auth import TokenSession, parse_token_pair, refresh_request
from ._request import SECRET_HEADERS, Auth, Request

__all__ = [
    "FlowResult",
    "Response",
    "drive",
    "drive_async",
    "token_request_flow",
]

T = TypeVar("T")

Flow = Generator[Request, "Response", T]


class Response(msgspec.Struct, frozen=True, kw_only=True):
    """One HTTP response as plain data (what a transport hands back to a flow).

    Attributes:
        status: the HTTP status.
        headers: ``(name, value)`` pairs.
        body: the complete body.
        reason: the reason phrase, if any.
    """

    status: int
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""
    reason: str = ""

    def __repr__(self) -> str:
        headers = [(k, "<redacted>" if k.lower() in SECRET_HEADERS else v) for k, v in self.headers]
        return (
            f"Response(status={self.status!r}, headers={headers!r}, "
            f"body=<{len(self.body)} bytes>, reason={self.reason!r})"
        )

    __str__ = __repr__


class FlowResult(msgspec.Struct, frozen=True, kw_only=True):
    """What :func:`token_request_flow` returns.

    Attributes:
        response: the response to the caller's request.
        session: the session to keep (refreshed, unchanged, or ``None`` when it
            was cleared by a 401).
        session_changed: whether ``session`` differs from the one passed in
            (store it, and fetch ``/v1/account/me`` as the SDKs do after every
            auth change).
    """

    response: Response
    session: TokenSession | None
    session_changed: bool = False


def token_request_flow(
    make_request: Callable[[Auth | None], Request],
    session: TokenSession | None,
    *,
    base_url: str,
    now: float,
    leeway: float = 0.0,
    clear_on_401: bool = True,
) -> Flow[FlowResult]:
    """Send one request with token auth, refreshing first when needed.

    Args:
        make_request: builds the request for the given credentials (``None``
            for an unauthenticated send), e.g.
            ``lambda auth: endpoint_request("account_me", hosts, auth=auth)``.
        session: the current token session, or ``None``.
        base_url: the REST base, for the refresh call.
        now: the current Unix time.
        leeway: refresh this many seconds before the access token expires.
        clear_on_401: drop the session when the final response is 401.

    Yields:
        The requests to send, in order; send each one's :class:`Response` back.

    Returns:
        The :class:`FlowResult`.

    Raises:
        LocalProtocolError: the refresh token has expired (no request sent).
        ApiStatusError: the refresh call was refused.
        RemoteProtocolError: the refresh answer was not a token pair.
    """
    original = session
    if session is not None and session.needs_refresh(now, leeway=leeway):
        if not session.is_authenticated(now):
            raise LocalProtocolError("Refresh token expired")
        r = yield refresh_request(base_url, session.refresh_token)
        session = parse_token_pair(r.status, r.headers, r.body, reason=r.reason)
    response = yield make_request(None if session is None else session.auth())
    if clear_on_401 and response.status == 401 and session is not None:
        session = None
    return FlowResult(response=response, session=session, session_changed=session != original)


def drive(flow: Flow[T], send: Callable[[Request], Response]) -> T:
    """Run a flow with a blocking ``send``.

    Args:
        flow: a generator such as :func:`token_request_flow`.
        send: performs one request and returns its :class:`Response`.

    Returns:
        The flow's return value.

    Raises:
        Whatever the flow or ``send`` raises.
    """
    try:
        request = next(flow)
        while True:
            request = flow.send(send(request))
    except StopIteration as stop:
        result: T = stop.value
        return result


async def drive_async(flow: Flow[T], send: Callable[[Request], Awaitable[Response]]) -> T:
    """Run a flow with an async ``send`` (any event loop).

    Args:
        flow: a generator such as :func:`token_request_flow`.
        send: coroutine function performing one request.

    Returns:
        The flow's return value.

    Raises:
        Whatever the flow or ``send`` raises.
    """
    try:
        request = next(flow)
        while True:
            request = flow.send(await send(request))
    except StopIteration as stop:
        result: T = stop.value
        return result
