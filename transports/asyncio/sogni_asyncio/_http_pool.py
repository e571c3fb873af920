"""The request pool: kept-alive HTTP/1.1 connections over asyncio protocols.

Hand-written per transport, next to ``_backend.py`` (which re-exports these
names). ``RestClient.send`` hands it requests the core built completely and
gets ``(status, headers, body)`` back; framing is the core's ``Http1Exchange``.
:func:`http_stream` carries streamed responses (SSE, downloads) on the same
connections: the body is taken as it arrives, a clean end returns the
connection to the pool, an early close closes it. Redirects go through httpx.
"""

from __future__ import annotations

import asyncio
import ssl
import sys
from typing import Any

from sogni_core.client import (
    Http1Exchange,
    HttpProtocolError,
    IdleConnections,
    NoResponseError,
    origin_of,
)

__all__ = [
    "HttpPool",
    "HttpStream",
    "ReadIntoBuffer",
    "http_pool",
    "http_send",
    "http_stream",
    "tls_context",
]

_READ_SIZE = 65536
#: A stream's connection stops reading once this much arrived untaken (backpressure).
_PAUSE_AT = 256 * 1024


class ReadIntoBuffer(asyncio.BufferedProtocol):
    """An asyncio protocol that reads into one reused 64 KiB buffer and hands
    each read to :meth:`data_received` as ``bytes``.

    A plain ``asyncio.Protocol`` is fed by ``recv(256 KiB)``: a fresh 256 KiB
    object per read, which the allocator backs with fresh pages (~20 us a
    read here, ~5x a 64 KiB ``recv``) even for a 300-byte frame.
    """

    _view: memoryview | None = None

    def get_buffer(self, sizehint: int) -> memoryview:
        if self._view is None:
            self._view = memoryview(bytearray(_READ_SIZE))
        return self._view

    def buffer_updated(self, nbytes: int) -> None:
        assert self._view is not None
        self.data_received(self._view[:nbytes].tobytes())

    def data_received(self, data: bytes) -> None:
        """Handle one read (the subclass's parser)."""
        raise NotImplementedError


class _HttpConnection(ReadIntoBuffer):
    """One kept-alive HTTP/1.1 connection: bytes go from ``data_received``
    straight into its :class:`Http1Exchange`; the waiting request wakes once, when
    the response is complete (no stream reader, no wake-up per read)."""

    def __init__(self, exchange: Http1Exchange) -> None:
        self.exchange = exchange
        self.transport: asyncio.Transport | None = None
        self.seen = False  # a byte of this cycle's answer arrived (no silent retry then)
        self.lost = False
        self._waiter: asyncio.Future[None] | None = None
        self.gone = asyncio.get_running_loop().create_future()  # set by connection_lost
        # Stream mode (http_stream): every read is fed, the reader woken.
        self.streaming = False
        self.complete = False
        self.error: BaseException | None = None
        self.pending = 0
        self.paused = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self.seen = True
        waiter = self._waiter
        if self.streaming:
            if self.error is None:
                try:
                    self.complete = self.exchange.receive(data)
                except Exception as exc:
                    self.error = exc
            self.pending += len(data)
            if self.pending >= _PAUSE_AT and not self.paused and self.transport is not None:
                self.paused = True
                self.transport.pause_reading()
            if waiter is not None and not waiter.done():
                waiter.set_result(None)
            return
        if waiter is None or waiter.done():
            self.lost = True  # bytes nobody asked for: never reuse this connection
            self.close()
            return
        try:
            if self.exchange.receive(data):
                waiter.set_result(None)
        except Exception as exc:
            waiter.set_exception(exc)

    def eof_received(self) -> bool:
        self._end(None)
        return False  # close the transport

    def connection_lost(self, exc: Exception | None) -> None:
        self.lost = True
        if not self.gone.done():
            self.gone.set_result(None)
        self._end(exc)

    def _end(self, exc: Exception | None) -> None:
        waiter = self._waiter
        if self.streaming:
            if self.error is None and not self.complete:
                try:  # EOF may end a response framed by the close
                    self.complete = self.exchange.receive(b"")
                except Exception as err:
                    self.error = exc or err
            if waiter is not None and not waiter.done():
                waiter.set_result(None)
            return
        if waiter is None or waiter.done():
            return
        try:  # EOF may end a response framed by the close
            done = self.exchange.receive(b"")
        except Exception as err:
            waiter.set_exception(exc or err)
            return
        if done:
            waiter.set_result(None)
        else:
            waiter.set_exception(exc or ConnectionResetError("connection closed"))

    async def exchange_bytes(self, data: bytes) -> None:
        """Write one request and wait until its whole response arrived."""
        if self.transport is None or self.lost:
            raise ConnectionResetError("connection closed")
        self.seen = False
        self._waiter = asyncio.get_running_loop().create_future()
        self.transport.write(data)
        await self._waiter

    def begin_stream(self, data: bytes) -> None:
        """Write one request whose answer is read as a stream."""
        if self.transport is None or self.lost:
            raise ConnectionResetError("connection closed")
        self.seen = self.complete = False
        self.error = None
        self.pending = 0
        self.streaming = True
        self.transport.write(data)

    async def wait(self, timeout: float) -> None:
        """Wait (at most ``timeout`` seconds) until more of a stream arrived or it ended."""
        if self.error is not None or self.complete or self.lost:
            return
        self._waiter = waiter = asyncio.get_running_loop().create_future()
        if self.paused and self.transport is not None:
            self.paused = False
            self.transport.resume_reading()
        if sys.version_info >= (3, 11):
            async with asyncio.timeout(timeout):
                await waiter
        else:
            await asyncio.wait_for(waiter, timeout)

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()


class HttpPool:
    """Kept-alive HTTP/1.1 connections (asyncio protocols), by origin.

    Used by ``RestClient.send`` for the core's complete requests and by
    ``RestClient.stream`` (:func:`http_stream`) for SSE and downloads;
    redirects go through ``httpx`` (:func:`http_client`).
    """

    def __init__(self, *, verify: Any, max_connections: int) -> None:
        self._verify = verify
        self._context: ssl.SSLContext | None = None
        self._idle = IdleConnections[_HttpConnection](max_connections)

    def __repr__(self) -> str:
        return f"HttpPool(idle={len(self._idle)})"

    def _tls(self) -> ssl.SSLContext:
        # One context per pool: loading the CA store costs milliseconds.
        if self._context is None:
            self._context = tls_context(self._verify)
        return self._context

    async def _open(self, origin: Any) -> _HttpConnection:

        scheme, host, port = origin
        secure = scheme == "https"
        _transport, conn = await asyncio.get_running_loop().create_connection(
            lambda: _HttpConnection(Http1Exchange()),
            host,
            port,
            ssl=self._tls() if secure else None,
            server_hostname=host if secure else None,
        )
        return conn

    def _take(self, origin: Any) -> _HttpConnection | None:
        while (conn := self._idle.take(origin)) is not None:
            if not conn.lost:  # the server closed it while idle: skip it
                return conn
        return None

    async def _connection(
        self, origin: Any, host: str, timeout: float
    ) -> tuple[_HttpConnection, bool]:
        """An idle kept-alive connection to ``origin`` (``True``: reused), else a new one.

        Raises:
            NoResponseError: connecting failed or timed out (``connect`` is true).
        """
        conn = self._take(origin)
        if conn is not None:
            return conn, True
        try:
            return await asyncio.wait_for(self._open(origin), timeout), False
        except asyncio.TimeoutError as exc:
            raise NoResponseError(f"connect timed out: {host}", connect=True) from exc
        except OSError as exc:
            failure = f"connect failed: {type(exc).__name__}"
            raise NoResponseError(failure, connect=True) from exc

    def _release(self, origin: Any, conn: _HttpConnection) -> None:
        if conn.lost or not self._idle.keep(origin, conn):
            conn.close()

    async def aclose(self) -> None:
        """Close every idle connection."""
        conns = self._idle.close()
        for conn in conns:
            conn.close()
        if conns:  # let the transports finish closing (TLS sends close_notify)
            await asyncio.wait([conn.gone for conn in conns], timeout=2.0)


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
        exchange = conn.exchange
        try:
            request = exchange.start(method, host, target, headers, body)
            if sys.version_info >= (3, 11):  # no task per request, as wait_for makes
                async with asyncio.timeout(timeout):
                    await conn.exchange_bytes(request)
            else:
                await asyncio.wait_for(conn.exchange_bytes(request), timeout)
        except asyncio.TimeoutError as exc:
            conn.close()
            raise NoResponseError(f"{method} timed out") from exc
        except (OSError, HttpProtocolError) as exc:
            conn.close()
            if reused and not conn.seen:
                continue  # a stale keep-alive connection: once more, fresh
            raise NoResponseError(f"{method} failed: {type(exc).__name__}") from exc
        except BaseException:
            conn.close()
            raise
        result: tuple[int, list[tuple[str, str]], bytes] = exchange.result()
        if exchange.finish():
            pool._release(origin, conn)
        else:
            conn.close()
        return result


class HttpStream:
    """One streamed response: ``status``, ``headers``, then the body's chunks.

    ``async for chunk in stream`` (a class iterator, no async generator: an
    early ``break`` leaves nothing unfinished) yields the decoded body as it
    arrives, waiting at most ``read_timeout`` seconds for each read. At the
    clean end the connection goes back to the pool when the exchange says it
    is reusable; :meth:`aclose` before the end closes it instead.

    Raises (from ``__anext__``):
        NoResponseError: the connection dropped, the framing broke, or no
            byte arrived for ``read_timeout`` seconds.
    """

    __slots__ = ("_conn", "_origin", "_pool", "_read_timeout", "headers", "status")

    def __init__(
        self, pool: HttpPool, origin: Any, conn: _HttpConnection, read_timeout: float
    ) -> None:
        head = conn.exchange.head()
        assert head is not None
        self.status, self.headers = head
        self._pool = pool
        self._origin = origin
        self._conn: _HttpConnection | None = conn
        self._read_timeout = read_timeout

    def __repr__(self) -> str:
        return f"HttpStream(status={self.status}, open={self._conn is not None})"

    def __aiter__(self) -> HttpStream:
        return self

    async def __anext__(self) -> bytes:
        conn = self._conn
        if conn is None:
            raise StopAsyncIteration
        try:
            while True:
                if conn.error is not None:
                    raise conn.error
                chunk = conn.exchange.take_body()
                conn.pending = 0
                if chunk:
                    return chunk
                if conn.complete:
                    break
                if conn.lost:
                    raise ConnectionResetError("connection closed")
                await conn.wait(self._read_timeout)
        except asyncio.TimeoutError as exc:
            self._abort()
            raise NoResponseError(f"stream idle for {self._read_timeout:g} s") from exc
        except (OSError, HttpProtocolError) as exc:
            self._abort()
            raise NoResponseError(f"stream failed: {type(exc).__name__}") from exc
        except BaseException:
            self._abort()
            raise
        self._conn = None
        conn.streaming = False
        if conn.paused and conn.transport is not None:
            conn.paused = False
            conn.transport.resume_reading()
        if conn.exchange.finish():
            self._pool._release(self._origin, conn)
        else:
            conn.close()
        raise StopAsyncIteration

    def _abort(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            conn.streaming = False
            conn.lost = True  # never back to the pool
            conn.close()

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
        exchange = conn.exchange
        try:
            conn.begin_stream(exchange.start(method, host, target, headers, body, stream=True))
            while exchange.head() is None:
                if conn.error is not None:
                    raise conn.error
                if conn.lost or conn.complete:
                    raise ConnectionResetError("connection closed")
                await conn.wait(read_timeout)
        except asyncio.TimeoutError as exc:
            conn.close()
            raise NoResponseError(f"{method} timed out") from exc
        except (OSError, HttpProtocolError) as exc:
            conn.close()
            if reused and not conn.seen:
                continue  # a stale keep-alive connection: once more, fresh
            raise NoResponseError(f"{method} failed: {type(exc).__name__}") from exc
        except BaseException:
            conn.close()
            raise
        return HttpStream(pool, origin, conn, read_timeout)


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
