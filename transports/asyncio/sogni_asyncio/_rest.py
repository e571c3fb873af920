"""REST plumbing: send the core's plain-data requests on the transport's
request pool (httpx for proxies and redirects), retry by the core's policy,
keep credentials fresh.

The core builds every :class:`~sogni_core.protocol.rest.Request` and parses
every answer; this module only moves bytes, sleeps the retry delays the core
decides, and swaps the access token when :class:`TokenSession` says it is
about to expire. :meth:`RestClient.stream` carries streamed responses (SSE,
hosted completions, downloads) the same way: on the pool, or on httpx when a
proxy or the caller's client is in use, behind one small interface.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlsplit

from sogni_core.client import (
    AUTHENTICATION_TYPES,
    NoResponseError,
    TransportError,
    Upload,
    authentication_message,
    eip712_domain,
    wallet_private_key,
)
from sogni_core.protocol.rest import (
    ApiKeyAuth,
    Auth,
    Hosts,
    QueryValue,
    Request,
    TokenSession,
    download_request,
    endpoint_request,
    login_request,
    nonce_request,
    parse_endpoint_response,
    parse_login,
    parse_nonce,
    parse_token_pair,
    parse_upload_put,
    parse_upload_url,
    refresh_request,
    upload_put_request,
)
from sogni_core.protocol.retry import DEFAULT_RETRY_POLICY, RetryPolicy

from . import _backend as backend

if TYPE_CHECKING:
    import httpx

__all__ = ["RestClient", "StreamResponse", "unit_random"]

log = logging.getLogger("sogni.rest")


def unit_random() -> float:
    """A uniform float in [0, 1) for the core's jitter, from ``os.urandom``
    (56 bits; the ``random`` module is not worth its import time here)."""
    return int.from_bytes(os.urandom(7), "big") / 72057594037927936.0


#: Connections of the request pool :meth:`RestClient.send` uses: the driver
#: runs at most 16 REST actions at once (``_driver.MAX_CONCURRENT_ACTIONS``),
#: and the pool's bookkeeping is O(connections) per request.
POOL_CONNECTIONS = 16

_REDIRECTS = frozenset({301, 302, 303, 307, 308})
#: With any of these set, every request goes through httpx (which honours them).
_PROXY_VARIABLES = frozenset({"http_proxy", "https_proxy", "all_proxy"})

#: Refresh the access token this many seconds before it expires.
TOKEN_REFRESH_LEEWAY = 60.0


class RestClient:
    """The request pool (httpx for proxies and redirects), the credentials and the retry policy.

    Args:
        hosts: the REST and socket-host bases.
        api_key: API-key credentials, or ``None``.
        tokens: a token session (resumed), or ``None``.
        login: ``(username, password)`` to log in with (and again whenever
            the token session is lost), or ``None``.
        app_source: ``appSource`` sent with the login.
        testnet: sign the login for the testnet EIP-712 domain.
        verify: TLS verification (default on).
        retry: the retry policy.
        timeout: per-request timeout in seconds.
    """

    def __init__(
        self,
        hosts: Hosts,
        *,
        api_key: str | None = None,
        tokens: TokenSession | None = None,
        login: tuple[str, str] | None = None,
        app_source: str | None = None,
        testnet: bool = False,
        verify: Any = True,
        retry: RetryPolicy = DEFAULT_RETRY_POLICY,
        timeout: float = 30.0,
        http_client: httpx.AsyncClient | None = None,
    ) -> None:
        self.hosts = hosts
        self._api_key = ApiKeyAuth(api_key) if api_key else None
        self.tokens = tokens
        self._login = login
        self._app_source = app_source
        self._testnet = testnet
        self._retry = retry
        self._verify = verify
        self._timeout = timeout
        self._client: httpx.AsyncClient | None = http_client
        self._owns_client = http_client is None  # a caller's client is the caller's to close
        self._transport: Any = None
        # The lean pool carries core-built requests unless a proxy is configured
        # or the caller gave an httpx client (their mounts, hooks, limits apply).
        self._direct = http_client is None and not any(
            k.lower() in _PROXY_VARIABLES and v for k, v in os.environ.items()
        )
        self._closed = False
        self._http_lock = backend.CoreLock()
        self._refresh_lock = backend.CoreLock()
        self._refresh_done: backend.Event | None = None

    def __repr__(self) -> str:
        mode = "api_key" if self._api_key else ("token" if self.tokens or self._login else "none")
        return f"RestClient(rest={self.hosts.rest!r}, auth={mode})"

    @property
    def _http(self) -> httpx.AsyncClient:
        # Created (and httpx imported) on first use: ``import sogni_asyncio``
        # stays fast, and a client that never calls REST never loads httpx.
        client = self._client
        if client is None:
            with self._http_lock:  # threads (the blocking copy) race to create it
                client = self._client
                if client is None:
                    if self._closed:
                        raise RuntimeError("the HTTP client is closed")
                    client = self._client = backend.http_client(
                        verify=self._verify, timeout=self._timeout, follow_redirects=True
                    )
        return client

    @property
    def _pool(self) -> Any:
        # The core builds complete requests (URL, headers, body) and parses
        # the answers, so :meth:`send` skips httpx's client layer (URL
        # merging, cookies, auth and redirect wrappers) and talks to a
        # connection pool directly: that layer was most of the client's CPU
        # on a burst of result-URL fetches (bench/README.md, e2e).
        pool = self._transport
        if pool is None:
            with self._http_lock:
                pool = self._transport
                if pool is None:
                    if self._closed:
                        raise RuntimeError("the HTTP client is closed")
                    pool = self._transport = backend.http_pool(
                        verify=self._verify, max_connections=POOL_CONNECTIONS
                    )
        return pool

    async def aclose(self) -> None:
        """Close the HTTP connection pools."""
        with self._http_lock:
            self._closed = True
            client, pool = self._client, self._transport
        if client is not None and self._owns_client:
            await client.aclose()
        if pool is not None:
            await pool.aclose()

    # -- credentials -------------------------------------------------------------

    async def auth(self) -> Auth | None:
        """The credential to send now, refreshing a token session when due."""
        if self._api_key is not None:
            return self._api_key
        if self.tokens is None and self._login is not None:
            await self._refresh_once()
        if self.tokens is None:
            return None
        if self.tokens.needs_refresh(backend.wall_clock(), leeway=TOKEN_REFRESH_LEEWAY):
            await self._refresh_once()
        return self.tokens.auth() if self.tokens is not None else None

    async def _refresh_once(self) -> None:
        # Concurrent callers share one in-flight refresh (01 §1.3.3): the
        # refresh token rotates, so a second refresh with it would fail.
        with self._refresh_lock:
            running = self._refresh_done
            if running is None:
                self._refresh_done = backend.Event()
        if running is not None:
            await backend.wait_event(running, 60.0)
            return
        try:
            await self.refresh()
        finally:
            done, self._refresh_done = self._refresh_done, None
            if done is not None:
                done.set()

    def token_deadline(self) -> float | None:
        """Wall-clock time at which the token should be refreshed, if any."""
        if self.tokens is None:
            return None
        return self.tokens.token_expiry - TOKEN_REFRESH_LEEWAY

    async def log_in(self) -> None:
        """Log in with the username and password (01 §6.2).

        Derives the wallet, asks for a nonce, signs the EIP-712
        ``Authentication`` message and exchanges it for a token pair.

        Raises:
            ApiStatusError: the server refused the login.
            TransportError: ``eth-account`` is not installed, or no answer.
        """
        if self._login is None:
            return
        try:
            from eth_account import Account
            from eth_account.messages import encode_typed_data
        except ImportError as exc:
            raise TransportError(
                "username/password login needs the 'eth-account' package "
                "(pip install 'sogni-core[login]')"
            ) from exc
        wallet: Any = Account.from_key(wallet_private_key(*self._login))
        status, headers, body = await self.send(nonce_request(self.hosts.rest, wallet.address))
        nonce = parse_nonce(status, headers, body)
        signable = encode_typed_data(
            domain_data=eip712_domain(testnet=self._testnet),
            message_types=AUTHENTICATION_TYPES,
            message_data=authentication_message(wallet.address, nonce),
        )
        signature = wallet.sign_message(signable).signature.hex()
        request = login_request(
            self.hosts.rest,
            wallet_address=wallet.address,
            signature=signature if signature.startswith("0x") else "0x" + signature,
            app_source=self._app_source,
        )
        status, headers, body = await self.send(request, idempotent=False)
        data = parse_login(status, headers, body)
        self.tokens = TokenSession.from_tokens(data.token, data.refresh_token)
        log.debug("logged in")

    async def refresh(self) -> None:
        """Refresh the token pair (01 §1.3.3); failure clears it and raises.

        With login credentials, a missing or unrefreshable session logs in
        again instead.
        """
        if self.tokens is None:
            await self.log_in()
            return
        session = self.tokens
        try:
            request = refresh_request(
                self.hosts.rest,
                session.refresh_token,
                now=backend.wall_clock(),
                refresh_expiry=session.refresh_expiry,
            )
            status, headers, body = await self.send(request, idempotent=False)
            self.tokens = parse_token_pair(status, headers, body)
        except Exception:
            self.tokens = None
            if self._login is None:
                raise
            await self.log_in()
            return
        except BaseException:
            self.tokens = None
            raise
        log.debug("access token refreshed")

    # -- sending -------------------------------------------------------------------

    async def send(
        self, request: Request, *, idempotent: bool = True
    ) -> tuple[int, list[tuple[str, str]], bytes]:
        """Send one request, retrying as the core's policy decides.

        Returns:
            ``(status, headers, body)`` of the final attempt.

        Raises:
            TransportError: no response after the last attempt.
        """
        attempt = 0
        while True:
            attempt += 1
            log.debug("-> %r (attempt %d)", request, attempt)
            try:
                status = 0
                if self._direct:
                    status, headers, content = await backend.http_send(
                        self._pool,
                        request.method,
                        request.url,
                        list(request.headers),
                        request.body,
                        self._timeout,
                    )
                if not self._direct or (
                    status in _REDIRECTS and any(k.lower() == "location" for k, _ in headers)
                ):
                    # A proxy is configured, or a redirect (rare: signed media
                    # URLs): the full httpx client handles those.
                    response = await self._http.request(
                        request.method,
                        request.url,
                        headers=list(request.headers),
                        content=request.body,
                    )
                    status, headers = response.status_code, list(response.headers.items())
                    content = response.content
            except Exception as exc:
                failed, unsent = _no_answer(exc)
                if not failed:
                    raise
                decision = self._retry.decide(
                    attempt,
                    None,
                    (),
                    unit_random(),
                    idempotent=idempotent or unsent,
                )
                if not decision.retry:
                    raise TransportError(f"{request.method} failed: {type(exc).__name__}") from exc
                await backend.sleep(decision.delay)
                continue
            if log.isEnabledFor(logging.DEBUG):
                log.debug("<- %d for %s %s", status, request.method, _path(request))
            if status < 400:
                return status, headers, content
            decision = self._retry.decide(
                attempt,
                status,
                headers,
                unit_random(),
                idempotent=idempotent,
                now=backend.wall_clock(),
            )
            if not decision.retry:
                return status, headers, content
            await backend.sleep(decision.delay)

    async def call(
        self,
        name: str,
        *,
        path_params: Mapping[str, str | int | float | bool] | None = None,
        query: Mapping[str, QueryValue] | Iterable[tuple[str, QueryValue]] = (),
        body: Any = None,
    ) -> Any:
        """Call one ``spec/rest.toml`` endpoint and parse its answer.

        Raises:
            ApiStatusError: the server answered with an error.
            TransportError: no answer.
        """
        request = endpoint_request(
            name,
            self.hosts,
            path_params=path_params,
            query=query,
            body=body,
            auth=await self.auth(),
        )
        status, headers, content = await self.send(request, idempotent=request.method != "POST")
        return parse_endpoint_response(name, status, headers, content, now=backend.wall_clock())

    async def upload(self, item: Upload, project_id: str, new_id: Any) -> None:
        """Get a presigned URL for ``item`` and PUT its bytes (01 §4.7.1).

        Raises:
            ApiStatusError: the URL request or the PUT failed.
        """
        request = item.url_request(
            self.hosts.rest, auth=await self.auth(), project_id=project_id, new_id=new_id
        )
        status, headers, body = await self.send(request)
        url = parse_upload_url(status, headers, body)
        put = upload_put_request(url, item.data, content_type=item.content_type)
        status, headers, body = await self.send(put)
        parse_upload_put(status, headers, body, message=item.error_message)

    async def get_json_url(self, request: Request) -> tuple[int, list[tuple[str, str]], bytes]:
        """Send a core-built request with the current credentials appended."""
        return await self.send(request)

    def stream(
        self,
        request: Request,
        *,
        read_timeout: float,
        connect_timeout: float | None = None,
    ) -> Stream:
        """``async with rest.stream(request, read_timeout=...) as response:``.

        ``response`` is a :class:`StreamResponse`: ``status``, ``headers``
        (``(lowercased name, value)`` pairs) and ``async for chunk in
        response`` (decoded body bytes). On the request pool by default; on
        httpx when a proxy is configured, the caller gave an httpx client, or
        the pool's answer is a redirect (followed there, as :meth:`send`
        does). Leaving the block before the body ended closes the connection;
        a body read to its end returns it to the pool. Not retried (a stream's
        caller resumes it, e.g. with ``Last-Event-ID``).

        Args:
            request: the core-built request.
            read_timeout: seconds without a byte (head or body) before failing.
            connect_timeout: connect/write timeout (default: the client's timeout).

        Raises (on entry and while iterating):
            NoResponseError: the connection failed or dropped, the framing
                broke (a truncated body), or a read was idle for ``read_timeout``.
        """
        return Stream(self, request, read_timeout, connect_timeout or self._timeout)

    async def _open_stream(
        self, request: Request, read_timeout: float, connect_timeout: float
    ) -> StreamResponse:
        log.debug("-> %r (stream)", request)
        if self._direct:
            response: StreamResponse = await backend.http_stream(
                self._pool,
                request.method,
                request.url,
                list(request.headers),
                request.body,
                connect_timeout,
                read_timeout,
            )
            if response.status not in _REDIRECTS or not any(
                k == "location" for k, _ in response.headers
            ):
                return response
            await response.aclose()  # a redirect: httpx follows it
        import httpx

        timeout = httpx.Timeout(connect_timeout, read=read_timeout)
        context = self._http.stream(
            request.method,
            request.url,
            headers=list(request.headers),
            content=request.body,
            timeout=timeout,
        )
        try:
            opened = await context.__aenter__()
        except httpx.HTTPError as exc:
            failure = f"{request.method} failed: {type(exc).__name__}"
            raise NoResponseError(failure, connect=isinstance(exc, httpx.ConnectError)) from exc
        return HttpxStream(context, opened, httpx.HTTPError)

    async def download(self, url: str, path: Path) -> int:
        """Stream a signed download URL into ``path`` (no credentials sent).

        Returns:
            Bytes written.

        Raises:
            TransportError: the download failed.
        """
        request = download_request(url)
        try:
            async with self.stream(request, read_timeout=self._timeout) as response:
                if response.status >= 400:
                    raise TransportError(f"download failed with HTTP {response.status}")
                return await backend.write_chunks(path, response)
        except NoResponseError as exc:
            raise TransportError(f"download failed: {exc}") from exc


class StreamResponse(Protocol):
    """What :meth:`RestClient.stream` yields, on the pool or on httpx."""

    status: int
    headers: list[tuple[str, str]]

    def __aiter__(self) -> StreamResponse: ...

    async def __anext__(self) -> bytes: ...

    async def aclose(self) -> None: ...


class Stream:
    """The context manager :meth:`RestClient.stream` returns (a class, not a
    generator: nothing is left unfinished when its block exits early)."""

    __slots__ = ("_connect_timeout", "_read_timeout", "_request", "_response", "_rest")

    def __init__(
        self, rest: RestClient, request: Request, read_timeout: float, connect_timeout: float
    ) -> None:
        self._rest = rest
        self._request = request
        self._read_timeout = read_timeout
        self._connect_timeout = connect_timeout
        self._response: StreamResponse | None = None

    def __repr__(self) -> str:
        return f"Stream({self._request!r})"

    async def __aenter__(self) -> StreamResponse:
        self._response = await self._rest._open_stream(
            self._request, self._read_timeout, self._connect_timeout
        )
        return self._response

    async def __aexit__(self, *exc_info: object) -> None:
        response, self._response = self._response, None
        if response is not None:
            await response.aclose()


class HttpxStream:
    """An httpx streamed response behind :class:`StreamResponse` (httpx errors
    become :class:`NoResponseError`)."""

    __slots__ = ("_chunks", "_context", "_errors", "headers", "status")

    def __init__(self, context: Any, response: Any, errors: type[Exception]) -> None:
        self._context = context
        self._errors = errors
        self.status: int = response.status_code
        self.headers: list[tuple[str, str]] = list(response.headers.items())
        self._chunks = response.aiter_bytes()

    def __repr__(self) -> str:
        return f"HttpxStream(status={self.status})"

    def __aiter__(self) -> HttpxStream:
        return self

    async def __anext__(self) -> bytes:
        try:
            chunk: bytes = await self._chunks.__anext__()
        except self._errors as exc:
            raise NoResponseError(f"stream failed: {type(exc).__name__}") from exc
        return chunk

    async def aclose(self) -> None:
        context, self._context = self._context, None
        if context is not None:
            try:
                await self._chunks.aclose()
            finally:
                await context.__aexit__(None, None, None)


def _no_answer(exc: Exception) -> tuple[bool, bool]:
    """``(no answer came, the request never reached the server)`` for ``exc``.

    The pool raises :class:`NoResponseError`; httpx (proxies, redirects) its own
    errors, and httpx can only have raised them if it was imported: the
    common path never imports it.
    """
    if isinstance(exc, NoResponseError):
        return True, exc.connect
    httpx = sys.modules.get("httpx")
    if httpx is not None and isinstance(exc, httpx.HTTPError):
        return True, isinstance(exc, httpx.ConnectError)
    return False, False


def _path(request: Request) -> str:
    return urlsplit(request.url).path
