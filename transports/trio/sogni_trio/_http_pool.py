"""The request pool: kept-alive HTTP/1.1 connections over trio streams.

Hand-written per transport, next to ``_backend.py`` (which re-exports these
names). ``RestClient.send`` hands it requests the core built completely and
gets ``(status, headers, body)`` back; framing is the core's ``Http1Exchange``.
:func:`http_stream` carries streamed responses (SSE, downloads) on the same
connections: the body is taken as it arrives, a clean end returns the
connection to the pool, an early close closes it. Redirects go through httpx.
"""

from __future__ import annotations

import contextlib
import ssl
from typing import Any

import trio

from sogni_core.client import (
    Http1Exchange,
    HttpProtocolError,
    IdleConnections,
    NoResponseError,
    origin_of,
)

__all__ = ["HttpPool", "HttpStream", "http_pool", "http_send", "http_stream", "tls_context"]

_READ_SIZE = 65536


_Conn = tuple[trio.abc.Stream, Http1Exchange]


class HttpPool:
    """Kept-alive HTTP/1.1 connections (trio streams), by origin.

    Used by ``RestClient.send`` for the core's complete requests and by
    ``RestClient.stream`` (:func:`http_stream`) for SSE and downloads;
    redirects go through ``httpx`` (:func:`http_client`).
    """

    def __init__(self, *, verify: Any, max_connections: int) -> None:
        self._verify = verify
        self._context: ssl.SSLContext | None = None
        self._idle = IdleConnections[_Conn](max_connections)

    def __repr__(self) -> str:
        return f"HttpPool(idle={len(self._idle)})"

    def _tls(self) -> ssl.SSLContext:
        # One context per pool: loading the CA store costs milliseconds.
        if self._context is None:
            self._context = tls_context(self._verify)
        return self._context

    async def _open(self, origin: Any) -> _Conn:

        scheme, host, port = origin
        stream: trio.abc.Stream = await trio.open_tcp_stream(host, port)
        if scheme == "https":
            tls = trio.SSLStream(stream, self._tls(), server_hostname=host)
            try:
                await tls.do_handshake()
            except BaseException:
                _drop(stream)
                raise
            stream = tls
        return stream, Http1Exchange()

    async def _connection(self, origin: Any, host: str, timeout: float) -> tuple[_Conn, bool]:
        """An idle kept-alive connection to ``origin`` (``True``: reused), else a new one.

        Raises:
            NoResponseError: connecting failed or timed out (``connect`` is true).
        """
        conn = self._idle.take(origin)
        if conn is not None:
            return conn, True
        try:
            with trio.fail_after(timeout):
                return await self._open(origin), False
        except trio.TooSlowError as exc:
            raise NoResponseError(f"connect timed out: {host}", connect=True) from exc
        except (OSError, trio.BrokenResourceError) as exc:
            failure = f"connect failed: {type(exc).__name__}"
            raise NoResponseError(failure, connect=True) from exc

    def _release(self, origin: Any, conn: _Conn) -> None:
        if not self._idle.keep(origin, conn):
            _drop(conn[0])

    async def aclose(self) -> None:
        """Close every idle connection."""
        for stream, _exchange in self._idle.close():
            _drop(stream)


def _drop(stream: trio.abc.Stream) -> None:
    # Closing without awaiting (no TLS close_notify): the pool's sockets are
    # dropped from synchronous code paths too.
    inner: Any = getattr(stream, "transport_stream", stream)
    sock = getattr(inner, "socket", None)
    if sock is not None:
        with contextlib.suppress(Exception):
            sock.close()


async def _read_response(
    stream: trio.abc.Stream, exchange: Http1Exchange, seen: list[bool]
) -> None:
    # ``seen`` gets an entry once any byte arrived (no silent retry then).
    while True:
        data = await stream.receive_some(_READ_SIZE)
        if data and not seen:
            seen.append(True)
        if exchange.receive(bytes(data)):
            return


def http_pool(*, verify: Any, max_connections: int) -> HttpPool:
    """A request pool for :func:`http_send`."""
    return HttpPool(verify=verify, max_connections=max_connections)


async def http_send(
    pool: HttpPool,
    method: str,
    url: str,
    headers: list[tuple[str, str]],
    body: bytes | None,
    timeout: float,
) -> tuple[int, list[tuple[str, str]], bytes]:
    """Send one complete request on ``pool`` and read the whole answer.

    A kept-alive connection the server closed meanwhile is retried once on a
    fresh one (nothing was answered on it).

    Returns:
        ``(status, headers, body)``; no redirects are followed.

    Raises:
        NoResponseError: no answer; ``connect`` is true when the request never
            reached the server (connecting failed or timed out).
    """
    if pool._idle.closed:
        raise NoResponseError("the HTTP pool is closed", connect=True)
    origin, host, target = origin_of(url)
    while True:
        conn, reused = await pool._connection(origin, host, timeout)
        stream, exchange = conn
        seen: list[bool] = []
        try:
            with trio.fail_after(timeout):
                await stream.send_all(exchange.start(method, host, target, headers, body))
                await _read_response(stream, exchange, seen)
        except trio.TooSlowError as exc:
            _drop(stream)
            raise NoResponseError(f"{method} timed out") from exc
        except (
            OSError,
            trio.BrokenResourceError,
            trio.ClosedResourceError,
            HttpProtocolError,
        ) as exc:
            _drop(stream)
            if reused and not seen:
                continue  # a stale keep-alive connection: once more, fresh
            raise NoResponseError(f"{method} failed: {type(exc).__name__}") from exc
        except BaseException:
            _drop(stream)
            raise
        result: tuple[int, list[tuple[str, str]], bytes] = exchange.result()
        if exchange.finish():
            pool._release(origin, conn)
        else:
            _drop(stream)
        return result


_STREAM_ERRORS = (OSError, trio.BrokenResourceError, trio.ClosedResourceError, HttpProtocolError)


class HttpStream:
    """One streamed response: ``status``, ``headers``, then the body's chunks.

    ``async for chunk in stream`` (a class iterator, no async generator: an
    early ``break`` leaves nothing unfinished for trio to warn about) yields
    the decoded body as it arrives, waiting at most ``read_timeout`` seconds
    for each read. At the clean end the connection goes back to the pool
    when the exchange says it is reusable; :meth:`aclose` before the end
    closes it instead.

    Raises (from ``__anext__``):
        NoResponseError: the connection dropped, the framing broke, or no
            byte arrived for ``read_timeout`` seconds.
    """

    __slots__ = ("_complete", "_conn", "_origin", "_pool", "_read_timeout", "headers", "status")

    def __init__(
        self, pool: HttpPool, origin: Any, conn: _Conn, read_timeout: float, complete: bool
    ) -> None:
        head = conn[1].head()
        assert head is not None
        self.status, self.headers = head
        self._pool = pool
        self._origin = origin
        self._conn: _Conn | None = conn
        self._read_timeout = read_timeout
        self._complete = complete

    def __repr__(self) -> str:
        return f"HttpStream(status={self.status}, open={self._conn is not None})"

    def __aiter__(self) -> HttpStream:
        return self

    async def __anext__(self) -> bytes:
        conn = self._conn
        if conn is None:
            raise StopAsyncIteration
        stream, exchange = conn
        try:
            while True:
                chunk = exchange.take_body()
                if chunk:
                    return chunk
                if self._complete:
                    break
                with trio.fail_after(self._read_timeout):
                    data = await stream.receive_some(_READ_SIZE)
                self._complete = exchange.receive(bytes(data))
        except trio.TooSlowError as exc:
            self._abort()
            raise NoResponseError(f"stream idle for {self._read_timeout:g} s") from exc
        except _STREAM_ERRORS as exc:
            self._abort()
            raise NoResponseError(f"stream failed: {type(exc).__name__}") from exc
        except BaseException:
            self._abort()
            raise
        self._conn = None
        if exchange.finish():
            self._pool._release(self._origin, conn)
        else:
            _drop(stream)
        raise StopAsyncIteration

    def _abort(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            _drop(conn[0])

    async def aclose(self) -> None:
        """Stop reading; a body that did not end closes its connection (idempotent)."""
        self._abort()


async def http_stream(
    pool: HttpPool,
    method: str,
    url: str,
    headers: list[tuple[str, str]],
    body: bytes | None,
    connect_timeout: float,
    read_timeout: float,
) -> HttpStream:
    """Send one request on ``pool`` and return its response once the head arrived.

    A kept-alive connection the server closed meanwhile is retried once on a
    fresh one (nothing was answered on it), as :func:`http_send` does.

    Returns:
        An :class:`HttpStream` (read it, or ``aclose()`` it); no redirects are
        followed.

    Raises:
        NoResponseError: no head; ``connect`` is true when the request never
            reached the server.
    """
    if pool._idle.closed:
        raise NoResponseError("the HTTP pool is closed", connect=True)
    origin, host, target = origin_of(url)
    while True:
        conn, reused = await pool._connection(origin, host, connect_timeout)
        stream, exchange = conn
        seen = False
        complete = False
        try:
            request = exchange.start(method, host, target, headers, body, stream=True)
            with trio.fail_after(connect_timeout):
                await stream.send_all(request)
            while exchange.head() is None:
                with trio.fail_after(read_timeout):
                    data = await stream.receive_some(_READ_SIZE)
                seen = seen or bool(data)
                complete = exchange.receive(bytes(data))
        except trio.TooSlowError as exc:
            _drop(stream)
            raise NoResponseError(f"{method} timed out") from exc
        except _STREAM_ERRORS as exc:
            _drop(stream)
            if reused and not seen:
                continue  # a stale keep-alive connection: once more, fresh
            raise NoResponseError(f"{method} failed: {type(exc).__name__}") from exc
        except BaseException:
            _drop(stream)
            raise
        return HttpStream(pool, origin, conn, read_timeout, complete)


def tls_context(verify: bool | ssl.SSLContext) -> ssl.SSLContext:
    """An SSL context: ``verify`` itself, the default (verifying) one, or one
    that verifies nothing when ``verify`` is false."""
    if isinstance(verify, ssl.SSLContext):
        return verify
    ctx = ssl.create_default_context()
    if not verify:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    return ctx
