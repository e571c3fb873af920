"""The trio I/O seam: nursery, events, memory channels, trio-websocket, httpx.

Same names as ``sogni_asyncio._backend``; the rest of this package is generated
from the asyncio package by ``tools/unasync.py`` and runs on these. Nothing here
knows the Sogni protocol.
"""

from __future__ import annotations

import contextlib
import logging
import math
import ssl
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import trio

from sogni_core.client import TLS_HANDSHAKE_FAILED, NoResponseError, WebSocketClosed

if TYPE_CHECKING:
    import httpx
    import trio_websocket

    from ._http11 import Exchange

__all__ = [
    "Cancelled",
    "CoreLock",
    "Event",
    "HttpPool",
    "Queue",
    "Semaphore",
    "TaskGroup",
    "WebSocket",
    "close_soon",
    "http_client",
    "http_pool",
    "http_send",
    "monotonic",
    "open_websocket",
    "read_file",
    "run_sync",
    "sleep",
    "wait_event",
    "wall_clock",
    "write_chunks",
]

log = logging.getLogger("sogni.backend")
Cancelled = trio.Cancelled
_HANDSHAKE_TIMEOUT = 30.0
_READ_SIZE = 65536


def http_client(**options: Any) -> httpx.AsyncClient:
    """A new ``httpx.AsyncClient`` (httpx is imported on the first call)."""
    import httpx

    return httpx.AsyncClient(**options)


_Conn = tuple[trio.abc.Stream, "Exchange"]


class HttpPool:
    """Kept-alive HTTP/1.1 connections (h11 over trio streams), by origin.

    Used by ``RestClient.send`` for the core's complete requests; streams,
    downloads and redirects go through ``httpx`` (:func:`http_client`).
    """

    def __init__(self, *, verify: Any, max_connections: int) -> None:
        self._verify = verify
        self._context: ssl.SSLContext | None = None
        self._max_idle = max_connections
        self._idle: dict[Any, list[_Conn]] = {}
        self._closed = False

    def __repr__(self) -> str:
        return f"HttpPool(idle={sum(len(v) for v in self._idle.values())})"

    def _tls(self) -> ssl.SSLContext:
        # One context per pool: loading the CA store costs milliseconds.
        if self._context is None:
            self._context = _ssl_context(self._verify)
        return self._context

    async def _open(self, origin: Any) -> _Conn:
        from ._http11 import Exchange

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
        return stream, Exchange()

    def _release(self, origin: Any, conn: _Conn) -> None:
        idle = self._idle.setdefault(origin, [])
        if self._closed or len(idle) >= self._max_idle:
            _drop(conn[0])
        else:
            idle.append(conn)

    async def aclose(self) -> None:
        """Close every idle connection."""
        self._closed = True
        idle, self._idle = self._idle, {}
        for conns in idle.values():
            for stream, _exchange in conns:
                _drop(stream)


def _drop(stream: trio.abc.Stream) -> None:
    # Closing without awaiting (no TLS close_notify): the pool's sockets are
    # dropped from synchronous code paths too.
    inner: Any = getattr(stream, "transport_stream", stream)
    sock = getattr(inner, "socket", None)
    if sock is not None:
        with contextlib.suppress(Exception):
            sock.close()


async def _read_response(stream: trio.abc.Stream, exchange: Exchange, seen: list[bool]) -> None:
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
    import h11

    from ._http11 import origin_of

    if pool._closed:
        raise NoResponseError("the HTTP pool is closed", connect=True)
    origin, host, target = origin_of(url)
    while True:
        idle = pool._idle.get(origin)
        reused = bool(idle)
        if idle:
            conn = idle.pop()
        else:
            try:
                with trio.fail_after(timeout):
                    conn = await pool._open(origin)
            except trio.TooSlowError as exc:
                raise NoResponseError(f"connect timed out: {host}", connect=True) from exc
            except (OSError, trio.BrokenResourceError) as exc:
                failure = f"connect failed: {type(exc).__name__}"
                raise NoResponseError(failure, connect=True) from exc
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
            h11.ProtocolError,
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


def close_soon(aclose: Callable[[], Awaitable[Any]]) -> None:
    """Run ``aclose()`` in a trio system task (from ``__del__`` of a dropped
    iterator, before trio's async-generator finalizer would warn); skipped
    outside a trio run."""
    try:
        trio.lowlevel.spawn_system_task(_close_dropped, aclose)
    except RuntimeError:
        pass


async def _close_dropped(aclose: Callable[[], Awaitable[Any]]) -> None:
    try:
        await aclose()
    except Exception:
        log.debug("closing a dropped iterator failed", exc_info=True)


def monotonic() -> float:
    """Seconds on the monotonic clock (the core's ``now``)."""
    return time.monotonic()


def wall_clock() -> float:
    """Unix time in seconds."""
    return time.time()


async def sleep(seconds: float) -> None:
    """Sleep ``seconds`` (never negative)."""
    await trio.sleep(max(0.0, seconds))


class CoreLock(contextlib.nullcontext[None]):
    """Guards the sans-IO core; a no-op on trio's single thread."""

    def __init__(self) -> None:
        super().__init__(None)


class Event:
    """A resettable wake-up flag (trio events cannot be cleared: swap them)."""

    def __init__(self) -> None:
        self._event = trio.Event()

    def set(self) -> None:
        self._event.set()

    def clear(self) -> None:
        if self._event.is_set():
            self._event = trio.Event()

    def is_set(self) -> bool:
        return self._event.is_set()

    async def wait(self) -> None:
        await self._event.wait()


async def wait_event(event: Event, timeout: float | None) -> bool:
    """Wait until ``event`` is set or ``timeout`` seconds pass.

    Returns:
        ``True`` when the event was set.
    """
    with trio.move_on_after(math.inf if timeout is None else max(0.0, timeout)):
        await event.wait()
    return event.is_set()


class TaskGroup:
    """A nursery that lives as long as the client (entered by ``connect``)."""

    def __init__(self) -> None:
        self._cm: Any = None
        self.nursery: trio.Nursery | None = None

    async def __aenter__(self) -> TaskGroup:
        self._cm = trio.open_nursery()
        self.nursery = await self._cm.__aenter__()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    def start_soon(self, fn: Callable[..., Awaitable[None]], *args: Any) -> None:
        if self.nursery is None:
            raise RuntimeError("task group not entered")
        self.nursery.start_soon(_guard, fn, *args)

    async def aclose(self) -> None:
        if self.nursery is None:
            return
        nursery, cm = self.nursery, self._cm
        self.nursery = self._cm = None
        nursery.cancel_scope.cancel()
        await cm.__aexit__(None, None, None)


Semaphore = trio.Semaphore
"""Bounds concurrent REST actions (``async with``/``with``)."""


class Queue:
    """An unbounded FIFO over a trio memory channel."""

    def __init__(self) -> None:
        self._send, self._receive = trio.open_memory_channel[Any](math.inf)

    def put_nowait(self, item: Any) -> None:
        self._send.send_nowait(item)

    async def get(self) -> Any:
        return await self._receive.receive()


async def _guard(fn: Callable[..., Awaitable[None]], *args: Any) -> None:
    try:
        await fn(*args)
    except Exception:
        log.exception("background task %s failed", getattr(fn, "__name__", fn))


async def run_sync(fn: Callable[[], Any]) -> Any:
    """Run a blocking callable in a worker thread."""
    return await trio.to_thread.run_sync(fn)


async def read_file(path: Path) -> bytes:
    """Read a whole file in a worker thread."""
    return await trio.to_thread.run_sync(path.read_bytes)


async def write_chunks(path: Path, chunks: Any) -> int:
    """Stream an async iterator of byte chunks to ``path`` off the loop."""
    handle = await trio.open_file(path, "wb")
    total = 0
    try:
        async for chunk in chunks:
            await handle.write(chunk)
            total += len(chunk)
    finally:
        await handle.aclose()
    return total


def _ssl_context(verify: bool | ssl.SSLContext) -> ssl.SSLContext:
    if isinstance(verify, ssl.SSLContext):
        return verify
    ctx = ssl.create_default_context()
    if not verify:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    return ctx


def _open_failure(exc: BaseException, what: str) -> WebSocketClosed:
    """Map an open failure; a rejected certificate is reported as 1015."""
    seen: BaseException | None = exc
    for _ in range(8):
        if seen is None:
            break
        if isinstance(seen, ssl.SSLCertVerificationError):
            return WebSocketClosed(TLS_HANDSHAKE_FAILED, "TLS certificate verification failed")
        seen = seen.__cause__ or seen.__context__
    return WebSocketClosed(1006, f"{what}: {type(exc).__name__}")


class WebSocket:
    """One client WebSocket: a trio-websocket connection."""

    def __init__(self, conn: trio_websocket.WebSocketConnection) -> None:
        from trio_websocket import ConnectionClosed

        self._gone = (ConnectionClosed, trio.BrokenResourceError)
        self._conn = conn

    def _closed(self) -> WebSocketClosed:
        reason = self._conn.closed
        if reason is None:
            return WebSocketClosed(1006, "connection lost")
        return WebSocketClosed(int(reason.code or 1006), reason.reason or "")

    async def send_text(self, text: str) -> None:
        try:
            await self._conn.send_message(text)
        except self._gone as exc:
            raise self._closed() from exc

    async def send_ping(self) -> None:
        with contextlib.suppress(*self._gone, ValueError):
            await self._conn.ping()

    async def receive(self) -> str | bytes:
        try:
            return await self._conn.get_message()
        except self._gone as exc:
            closed = self._closed()
            await self._release()
            raise closed from exc

    def deliver_to(self, sink: Callable[[list[str | bytes]], None]) -> bool:
        """Pushing messages is not supported here: :meth:`receive_some` is pulled.

        Returns:
            ``False``.
        """
        del sink
        return False

    async def receive_some(self) -> list[str | bytes]:
        """The next message, as a batch of one (trio-websocket hands them over singly).

        Raises:
            WebSocketClosed: as :meth:`receive`.
        """
        return [await self.receive()]

    async def _release(self) -> None:
        # trio-websocket leaves the TCP stream open after an abortive close
        # (peer vanished without a close frame): release it ourselves.
        stream = getattr(self._conn, "_stream", None)
        if stream is not None:
            with trio.move_on_after(1), contextlib.suppress(Exception):
                await stream.aclose()

    async def close(self, code: int = 1000, reason: str = "") -> None:
        with trio.move_on_after(2), contextlib.suppress(Exception):
            await self._conn.aclose(code, reason)
        await self._release()


async def _close_quietly(stream: Any) -> None:
    if stream is None:
        return
    with trio.move_on_after(1), contextlib.suppress(Exception):
        await stream.aclose()
    transport = getattr(stream, "transport_stream", None)
    if transport is not None:
        with trio.move_on_after(1), contextlib.suppress(Exception):
            await transport.aclose()


async def open_websocket(
    url: str,
    headers: list[tuple[str, str]],
    *,
    verify: bool | ssl.SSLContext = True,
    tasks: TaskGroup | None = None,
) -> WebSocket:
    """Open a client WebSocket with trio-websocket (TLS verified by default).

    Raises:
        WebSocketClosed: the handshake failed (1006) or was rejected (4xx).
    """
    if tasks is None or tasks.nursery is None:
        raise RuntimeError("trio needs the client's nursery to open a socket")
    import trio_websocket  # on first connect: it loads wsproto and h11 (~35 ms)
    from trio_websocket import HandshakeError

    parts = urlsplit(url)
    secure = parts.scheme == "wss"
    host = parts.hostname or ""
    port = parts.port or (443 if secure else 80)
    resource = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    host_header = host if port in (80, 443) else f"{host}:{port}"
    stream: Any = None
    try:
        with trio.fail_after(_HANDSHAKE_TIMEOUT):
            if secure:
                stream = await trio.open_ssl_over_tcp_stream(
                    host, port, ssl_context=_ssl_context(verify), https_compatible=True
                )
                # Handshake here, so a rejected certificate raises now rather
                # than inside trio-websocket's reader task.
                await stream.do_handshake()
            else:
                stream = await trio.open_tcp_stream(host, port)
            conn = await trio_websocket.wrap_client_stream(
                tasks.nursery,
                stream,
                host_header,
                resource,
                extra_headers=[(k.encode(), v.encode()) for k, v in headers],
                message_queue_size=1024,
                max_message_size=2**24,
            )
    except HandshakeError as exc:
        await _close_quietly(stream)
        status = getattr(exc, "status_code", None)
        if isinstance(status, int) and 400 <= status < 500:
            raise WebSocketClosed(status, f"handshake failed: {type(exc).__name__}") from exc
        raise _open_failure(exc, "handshake failed") from exc
    except (OSError, trio.TooSlowError, trio.BrokenResourceError) as exc:
        await _close_quietly(stream)
        raise _open_failure(exc, "connect failed") from exc
    return WebSocket(conn)
