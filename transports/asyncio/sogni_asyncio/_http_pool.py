"""The request pool: kept-alive HTTP/1.1 connections over asyncio protocols.

Hand-written per transport, next to ``_backend.py`` (which re-exports these
names). ``RestClient.send`` hands it requests the core built completely and
gets ``(status, headers, body)`` back; framing is the core's ``Http1Exchange``;
streams, downloads and redirects go through httpx instead.
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

__all__ = ["HttpPool", "ReadIntoBuffer", "http_pool", "http_send", "tls_context"]

_READ_SIZE = 65536


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

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self.seen = True
        waiter = self._waiter
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

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()


class HttpPool:
    """Kept-alive HTTP/1.1 connections (asyncio protocols), by origin.

    Used by ``RestClient.send`` for the core's complete requests; streams,
    downloads and redirects go through ``httpx`` (:func:`http_client`).
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
        conn = pool._take(origin)
        reused = conn is not None
        if conn is None:
            try:
                conn = await asyncio.wait_for(pool._open(origin), timeout)
            except asyncio.TimeoutError as exc:
                raise NoResponseError(f"connect timed out: {host}", connect=True) from exc
            except OSError as exc:
                failure = f"connect failed: {type(exc).__name__}"
                raise NoResponseError(failure, connect=True) from exc
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
