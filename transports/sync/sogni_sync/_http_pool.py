"""The request pool: kept-alive HTTP/1.1 connections over blocking sockets.

Hand-written per transport, next to ``_backend.py`` (which re-exports these
names). ``RestClient.send`` hands it requests the core built completely and
gets ``(status, headers, body)`` back; framing is the core's ``Http1Exchange``.
:func:`http_stream` carries streamed responses (SSE, downloads) on the same
connections: the body is taken as it arrives, a clean end returns the
connection to the pool, an early close closes it. Redirects go through httpx.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from typing import TYPE_CHECKING, Any

from sogni_core.client import (
    Http1Exchange,
    HttpProtocolError,
    IdleConnections,
    NoResponseError,
    origin_of,
)

if TYPE_CHECKING:
    import ssl  # imported on the first TLS connection: plain-HTTP users never load it

__all__ = ["HttpPool", "HttpStream", "http_pool", "http_send", "http_stream", "tls_context"]

_READ_SIZE = 65536


_Conn = tuple[socket.socket, Http1Exchange]


class HttpPool:
    """Kept-alive HTTP/1.1 connections (blocking sockets), by origin.

    Thread-safe (REST actions run in threads). Used by ``RestClient.send``
    for the core's complete requests and by ``RestClient.stream``
    (:func:`http_stream`) for SSE and downloads; redirects go through
    ``httpx`` (:func:`http_client`).
    """

    def __init__(self, *, verify: Any, max_connections: int) -> None:
        self._verify = verify
        self._context: ssl.SSLContext | None = None
        self._idle = IdleConnections[_Conn](max_connections)
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"HttpPool(idle={len(self._idle)})"

    def _tls(self) -> ssl.SSLContext:
        # One context per pool: loading the CA store costs milliseconds.
        if self._context is None:
            self._context = tls_context(self._verify)
        return self._context

    def _take(self, origin: Any) -> _Conn | None:
        with self._lock:
            return self._idle.take(origin)

    def _open(self, origin: Any, timeout: float) -> _Conn:

        scheme, host, port = origin
        sock = socket.create_connection((host, port), timeout=timeout)
        if scheme == "https":
            try:
                sock = self._tls().wrap_socket(sock, server_hostname=host)
            except BaseException:
                sock.close()
                raise
        return sock, Http1Exchange()

    def _connection(self, origin: Any, host: str, timeout: float) -> tuple[_Conn, bool]:
        """An idle kept-alive connection to ``origin`` (``True``: reused), else a new one.

        Raises:
            NoResponseError: connecting failed or timed out (``connect`` is true).
        """
        conn = self._take(origin)
        if conn is not None:
            return conn, True
        try:
            return self._open(origin, timeout), False
        except TimeoutError as exc:
            raise NoResponseError(f"connect timed out: {host}", connect=True) from exc
        except OSError as exc:
            failure = f"connect failed: {type(exc).__name__}"
            raise NoResponseError(failure, connect=True) from exc

    def _release(self, origin: Any, conn: _Conn) -> None:
        with self._lock:
            kept = self._idle.keep(origin, conn)
        if not kept:
            conn[0].close()

    def close(self) -> None:
        """Close every idle connection."""
        with self._lock:
            conns = self._idle.close()
        for sock, _exchange in conns:
            with contextlib.suppress(OSError):
                sock.close()


def http_pool(*, verify: Any, max_connections: int) -> HttpPool:
    """A request pool for :func:`http_send`."""
    return HttpPool(verify=verify, max_connections=max_connections)


def http_send(
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
        conn, reused = pool._connection(origin, host, timeout)
        sock, exchange = conn
        seen = False
        try:
            sock.settimeout(timeout)
            sock.sendall(exchange.start(method, host, target, headers, body))
            while True:
                data = sock.recv(_READ_SIZE)
                seen = seen or bool(data)
                if exchange.receive(data):
                    break
        except TimeoutError as exc:
            sock.close()
            raise NoResponseError(f"{method} timed out") from exc
        except (OSError, HttpProtocolError) as exc:
            sock.close()
            if reused and not seen:
                continue  # a stale keep-alive connection: once more, fresh
            raise NoResponseError(f"{method} failed: {type(exc).__name__}") from exc
        except BaseException:
            sock.close()
            raise
        result: tuple[int, list[tuple[str, str]], bytes] = exchange.result()
        if exchange.finish():
            pool._release(origin, conn)
        else:
            sock.close()
        return result


class HttpStream:
    """One streamed response: ``status``, ``headers``, then the body's chunks.

    ``for chunk in stream`` yields the decoded body as it arrives, waiting at
    most ``read_timeout`` seconds for each read. At the clean end the
    connection goes back to the pool when the exchange says it is reusable;
    :meth:`close` before the end closes it instead. One thread reads a stream.

    Raises (from ``__next__``):
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

    def __iter__(self) -> HttpStream:
        return self

    def __next__(self) -> bytes:
        conn = self._conn
        if conn is None:
            raise StopIteration
        sock, exchange = conn
        try:
            while True:
                chunk = exchange.take_body()
                if chunk:
                    return chunk
                if self._complete:
                    break
                sock.settimeout(self._read_timeout)
                self._complete = exchange.receive(sock.recv(_READ_SIZE))
        except TimeoutError as exc:
            self._abort()
            raise NoResponseError(f"stream idle for {self._read_timeout:g} s") from exc
        except (OSError, HttpProtocolError) as exc:
            self._abort()
            raise NoResponseError(f"stream failed: {type(exc).__name__}") from exc
        except BaseException:
            self._abort()
            raise
        self._conn = None
        if exchange.finish():
            self._pool._release(self._origin, conn)
        else:
            sock.close()
        raise StopIteration

    def _abort(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(OSError):
                conn[0].close()

    def close(self) -> None:
        """Stop reading; a body that did not end closes its connection (idempotent)."""
        self._abort()


def http_stream(
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
        An :class:`HttpStream` (read it, or ``close()`` it); no redirects are
        followed.

    Raises:
        NoResponseError: no head; ``connect`` is true when the request never
            reached the server.
    """
    if pool._idle.closed:
        raise NoResponseError("the HTTP pool is closed", connect=True)
    origin, host, target = origin_of(url)
    while True:
        conn, reused = pool._connection(origin, host, connect_timeout)
        sock, exchange = conn
        seen = False
        complete = False
        try:
            sock.settimeout(connect_timeout)
            sock.sendall(exchange.start(method, host, target, headers, body, stream=True))
            sock.settimeout(read_timeout)
            while exchange.head() is None:
                data = sock.recv(_READ_SIZE)
                seen = seen or bool(data)
                complete = exchange.receive(data)
        except TimeoutError as exc:
            sock.close()
            raise NoResponseError(f"{method} timed out") from exc
        except (OSError, HttpProtocolError) as exc:
            sock.close()
            if reused and not seen:
                continue  # a stale keep-alive connection: once more, fresh
            raise NoResponseError(f"{method} failed: {type(exc).__name__}") from exc
        except BaseException:
            sock.close()
            raise
        return HttpStream(pool, origin, conn, read_timeout, complete)


def tls_context(verify: bool | ssl.SSLContext) -> ssl.SSLContext:
    """An SSL context: ``verify`` itself, the default (verifying) one, or one
    that verifies nothing when ``verify`` is false."""
    import ssl

    if isinstance(verify, ssl.SSLContext):
        return verify
    ctx = ssl.create_default_context()
    if not verify:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    return ctx
