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
from typing import TYPE_CHECKING, Any, TypeAlias
from urllib.parse import urlsplit

import trio

from sogni_core.client import (
    TLS_HANDSHAKE_FAILED,
    PingReceived,
    WebSocketClosed,
    WebSocketReader,
    split_response_head,
)

from ._http_pool import HttpPool, http_pool, http_send, http_stream, tls_context

if TYPE_CHECKING:
    import httpx
    import trio_websocket


__all__ = [
    "WEBSOCKETS",
    "Cancelled",
    "CoreLock",
    "Event",
    "HttpPool",
    "Queue",
    "Semaphore",
    "LeanWebSocket",
    "TaskGroup",
    "TrioWebSocket",
    "WebSocket",
    "close_soon",
    "http_client",
    "http_pool",
    "http_send",
    "http_stream",
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
WEBSOCKETS: tuple[str, ...] = ("trio-websocket", "wsproto")
"""The WebSocket implementations ``open_websocket`` offers; the first is the default.

``"trio-websocket"`` (the default) runs trio-websocket's connection and its
reader task; ``"wsproto"`` is the lean one the other transports use: wsproto
for the handshake and sending, the core's ``WebSocketReader`` for receiving,
in the reading task itself (no reader task, no message queue).
"""

Cancelled = trio.Cancelled
_HANDSHAKE_TIMEOUT = 30.0
_READ_SIZE = 65536
_BATCH = 256  # most messages handed to the core in one batch


def http_client(**options: Any) -> httpx.AsyncClient:
    """A new ``httpx.AsyncClient`` (httpx is imported on the first call)."""
    import httpx

    return httpx.AsyncClient(**options)


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


class _Pulled:
    """Both trio sockets are read by the caller's task (``receive_some``)."""

    def deliver_to(self, sink: Callable[[list[str | bytes]], None]) -> bool:
        """Pushing messages is not supported here: :meth:`receive_some` is pulled.

        Returns:
            ``False``.
        """
        del sink
        return False


class TrioWebSocket(_Pulled):
    """One client WebSocket: a trio-websocket connection."""

    def __init__(self, conn: trio_websocket.WebSocketConnection) -> None:
        from trio_websocket import ConnectionClosed

        self._gone = (ConnectionClosed, trio.BrokenResourceError)
        self._conn = conn
        # The receive end of trio-websocket's message queue (a private attribute,
        # pinned by tests/transports/test_trio_websocket_batch.py); without it
        # messages are taken one at a time through get_message.
        queued = getattr(conn, "_recv_channel", None)
        self._queued: Any = queued if hasattr(queued, "receive_nowait") else None

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

    async def receive_some(self) -> list[str | bytes]:
        """The next message, and every one already queued behind it.

        trio-websocket's reader task queues whole messages on a memory channel;
        ``get_message`` takes one per scheduler round trip. The ones already
        queued are taken here without waiting, so a burst is fed to the core
        under one lock instead of one wake-up per message.

        Raises:
            WebSocketClosed: as :meth:`receive`.
        """
        batch = [await self.receive()]
        queued = self._queued
        if queued is not None:
            try:
                while len(batch) < _BATCH:
                    batch.append(queued.receive_nowait())
            except (trio.WouldBlock, trio.EndOfChannel, trio.ClosedResourceError):
                pass  # nothing more queued; an end is reported by the next receive
        return batch

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


class LeanWebSocket(_Pulled):
    """One client WebSocket on a trio stream, without trio-websocket.

    wsproto made the handshake and frames what we send (masking, compression);
    what arrives is parsed by the core's :class:`WebSocketReader` in the
    caller's task: no reader task, no message queue, one wake-up per read.
    """

    def __init__(self, stream: trio.abc.Stream, conn: Any, frames: WebSocketReader) -> None:
        self._stream = stream
        self._conn = conn
        self._frames = frames
        self._send_lock = trio.Lock()
        self._pending: list[str | bytes] = []
        self._closed: WebSocketClosed | None = None

    async def _write(self, data: bytes) -> None:
        if not data:
            return
        async with self._send_lock:
            try:
                await self._stream.send_all(data)
            except (trio.BrokenResourceError, trio.ClosedResourceError, OSError) as exc:
                raise WebSocketClosed(1006, f"write failed: {type(exc).__name__}") from exc

    async def send_text(self, text: str) -> None:
        if self._closed is not None:
            raise self._closed
        from wsproto.events import TextMessage

        await self._write(self._conn.send(TextMessage(data=text)))

    async def send_ping(self) -> None:
        if self._closed is None:
            from wsproto.events import Ping

            with contextlib.suppress(WebSocketClosed):
                await self._write(self._conn.send(Ping(payload=b"sogni")))

    async def receive(self) -> str | bytes:
        """The next complete message (text or binary).

        Raises:
            WebSocketClosed: the peer closed or the connection broke.
        """
        while not self._pending:
            await self._read()
        return self._pending.pop(0)

    async def receive_some(self) -> list[str | bytes]:
        """Every complete message one read delivered (at least one).

        Raises:
            WebSocketClosed: as :meth:`receive`.
        """
        while not self._pending:
            await self._read()
        messages, self._pending = self._pending, []
        return messages

    async def _read(self) -> None:
        if self._closed is not None:
            raise self._closed
        try:
            data = await self._stream.receive_some(_READ_SIZE)
        except (trio.BrokenResourceError, trio.ClosedResourceError, OSError) as exc:
            data = b""
            reason = f"read failed: {type(exc).__name__}"
        else:
            reason = "connection lost"
        if not data:
            if self._closed is None:
                self._closed = WebSocketClosed(1006, reason)
            await self._abort()
            raise self._closed
        await self._feed(bytes(data))

    async def _feed(self, data: bytes) -> None:
        try:
            items = self._frames.receive(data)
        except WebSocketClosed as exc:  # the server broke the protocol: say why, drop
            await self._fail(exc)
            return
        for item in items:
            if isinstance(item, (str, bytes)):
                self._pending.append(item)
            elif isinstance(item, PingReceived):
                from wsproto.events import Pong

                with contextlib.suppress(Exception):
                    await self._write(self._conn.send(Pong(payload=item.payload)))
            else:
                await self._fail(WebSocketClosed(item.code, item.reason))

    async def _fail(self, closed: WebSocketClosed) -> None:
        """Answer (or send) a close frame with ``closed.code``, then drop the stream."""
        from wsproto.events import CloseConnection

        code = closed.code if closed.code not in (1005, 1006) else 1000
        with trio.move_on_after(2), contextlib.suppress(Exception):
            await self._write(self._conn.send(CloseConnection(code=code)))
        self._closed = closed
        await self._abort()

    async def close(self, code: int = 1000, reason: str = "") -> None:
        """Send a close frame and drop the stream."""
        if self._closed is None:
            from wsproto.events import CloseConnection

            self._closed = WebSocketClosed(code, reason)
            with trio.move_on_after(2), contextlib.suppress(Exception):
                await self._write(self._conn.send(CloseConnection(code=code, reason=reason)))
        await self._abort()

    async def _abort(self) -> None:
        await _close_quietly(self._stream)


WebSocket: TypeAlias = "TrioWebSocket | LeanWebSocket"
"""What :func:`open_websocket` returns (same methods on both)."""


async def _open_lean(url: str, headers: list[tuple[str, str]], verify: Any) -> LeanWebSocket:
    from wsproto import ConnectionType, WSConnection
    from wsproto.events import AcceptConnection, RejectConnection, Request
    from wsproto.extensions import PerMessageDeflate

    parts = urlsplit(url)
    secure = parts.scheme == "wss"
    host = parts.hostname or ""
    port = parts.port or (443 if secure else 80)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    stream: Any = None
    try:
        with trio.fail_after(_HANDSHAKE_TIMEOUT):
            stream = await trio.open_tcp_stream(host, port)
            if secure:
                stream = trio.SSLStream(stream, tls_context(verify), server_hostname=host)
                await stream.do_handshake()
            conn = WSConnection(ConnectionType.CLIENT)
            request = Request(
                host=parts.netloc.rsplit("@", 1)[-1],
                target=target,
                extra_headers=[(k.encode(), v.encode()) for k, v in headers],
                extensions=[PerMessageDeflate()],
            )
            await stream.send_all(conn.send(request))
            buffer = b""
            while True:
                data = await stream.receive_some(_READ_SIZE)
                if not data:
                    raise WebSocketClosed(1006, "connection lost during handshake")
                buffer += data
                split = split_response_head(buffer)
                if split is None:
                    continue
                head, buffer = split
                conn.receive_data(head)
                for event in conn.events():
                    if isinstance(event, AcceptConnection):
                        ws = LeanWebSocket(
                            stream, conn, WebSocketReader.for_extensions(event.extensions)
                        )
                        if buffer:  # frames that arrived with the handshake response
                            await ws._feed(buffer)
                        return ws
                    if isinstance(event, RejectConnection):
                        status = event.status_code
                        raise WebSocketClosed(
                            status if 400 <= status < 500 else 1006,
                            f"handshake rejected with HTTP {status}",
                        )
    except WebSocketClosed:
        await _close_quietly(stream)
        raise
    except (OSError, trio.TooSlowError, trio.BrokenResourceError) as exc:
        await _close_quietly(stream)
        raise _open_failure(exc, "connect failed") from exc


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
    library: str = WEBSOCKETS[0],
) -> WebSocket:
    """Open a client WebSocket (TLS verified by default).

    Args:
        url: the full URL, query included.
        headers: extra handshake headers (the credential header).
        verify: TLS verification (on by default) or a custom context.
        tasks: the client's nursery (trio-websocket's reader task runs there).
        library: one of :data:`WEBSOCKETS`.

    Raises:
        WebSocketClosed: the handshake failed (1006) or was rejected (4xx).
    """
    if library == "wsproto":
        return await _open_lean(url, headers, verify)
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
                    host, port, ssl_context=tls_context(verify), https_compatible=True
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
                # Its default is 4 KiB, one wsproto pass per 4 KiB of a burst.
                receive_buffer_size=_READ_SIZE,
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
    return TrioWebSocket(conn)
