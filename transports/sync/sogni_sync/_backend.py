"""The blocking I/O seam: threads, ``threading`` events, a wsproto socket, httpx.

Same names as ``sogni_asyncio._backend`` without ``async``: the rest of this
package is generated from the asyncio package by ``tools/unasync.py``. The
socket is wsproto (handshake, sending) and the core's ``WebSocketReader``
(receiving) over a plain (TLS-verified) socket; a reader thread blocks in
``recv`` and writes are serialized by a lock. Nothing here
knows the Sogni protocol.
"""

from __future__ import annotations

import collections
import logging
import queue
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from sogni_core.client import (
    TLS_HANDSHAKE_FAILED,
    PingReceived,
    WebSocketClosed,
    WebSocketReader,
    split_response_head,
)

from ._http_pool import HttpPool, http_pool, http_send, http_stream, tls_context

if TYPE_CHECKING:
    import ssl

    import httpx
    from wsproto import WSConnection


# httpx (REST) and wsproto/h11 (the socket) are imported on first use, not
# with the package: they are most of ``import sogni_sync``'s time.

__all__ = [
    "WEBSOCKETS",
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

WEBSOCKETS: tuple[str, ...] = ("wsproto",)
"""The WebSocket implementations ``open_websocket`` offers; the first is the default.

wsproto makes the handshake and frames what is sent; the core's
``WebSocketReader`` parses what arrives.
"""

Cancelled = KeyboardInterrupt
CoreLock = threading.RLock
_READ_SIZE = 65536
_HANDSHAKE_TIMEOUT = 30.0


def http_client(**options: Any) -> httpx.Client:
    """A new ``httpx.Client`` (httpx is imported on the first call)."""
    import httpx

    return httpx.Client(**options)


def close_soon(close: Callable[[], Any]) -> None:
    """Close a dropped iterator's generator now (``__del__``)."""
    try:
        close()
    except Exception:
        log.debug("closing a dropped iterator failed", exc_info=True)


def monotonic() -> float:
    """Seconds on the monotonic clock (the core's ``now``)."""
    return time.monotonic()


def wall_clock() -> float:
    """Unix time in seconds."""
    return time.time()


def sleep(seconds: float) -> None:
    """Sleep ``seconds`` (never negative)."""
    time.sleep(max(0.0, seconds))


class Event:
    """A resettable, thread-safe wake-up flag."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def set(self) -> None:
        self._event.set()

    def clear(self) -> None:
        self._event.clear()

    def is_set(self) -> bool:
        return self._event.is_set()

    def wait(self) -> None:
        self._event.wait()


def wait_event(event: Event, timeout: float | None) -> bool:
    """Wait until ``event`` is set or ``timeout`` seconds pass."""
    return event._event.wait(None if timeout is None else max(0.0, timeout))


class TaskGroup:
    """Daemon threads that live as long as the client."""

    def __init__(self) -> None:
        self._threads: set[threading.Thread] = set()
        self._lock = threading.Lock()

    def __enter__(self) -> TaskGroup:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def start_soon(self, fn: Callable[..., None], *args: Any) -> None:
        def run() -> None:
            try:
                fn(*args)
            except Exception:
                log.exception("background task %s failed", getattr(fn, "__name__", fn))
            finally:
                with self._lock:
                    self._threads.discard(thread)

        thread = threading.Thread(target=run, name=f"sogni-{getattr(fn, '__name__', 'task')}")
        thread.daemon = True
        with self._lock:
            self._threads.add(thread)
        thread.start()

    def close(self, timeout: float = 5.0) -> None:
        """Wait (bounded) for the threads; they end once the client is closed."""
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                threads = [t for t in self._threads if t is not threading.current_thread()]
            if not threads or time.monotonic() >= deadline:
                return
            threads[0].join(max(0.0, deadline - time.monotonic()))


Semaphore = threading.BoundedSemaphore
"""Bounds concurrent REST actions (``async with``/``with``)."""


class Queue:
    """An unbounded thread-safe FIFO."""

    def __init__(self) -> None:
        self._queue: queue.Queue[Any] = queue.Queue()

    def put_nowait(self, item: Any) -> None:
        self._queue.put_nowait(item)

    def get(self) -> Any:
        return self._queue.get()


def run_sync(fn: Callable[[], Any]) -> Any:
    """Call ``fn`` (already on a plain thread)."""
    return fn()


def read_file(path: Path) -> bytes:
    """Read a whole file."""
    return path.read_bytes()


def write_chunks(path: Path, chunks: Iterable[bytes]) -> int:
    """Stream byte chunks to ``path``; returns bytes written."""
    total = 0
    with path.open("wb") as handle:
        for chunk in chunks:
            handle.write(chunk)
            total += len(chunk)
    return total


def _open_failure(exc: BaseException, what: str) -> WebSocketClosed:
    """Map an open failure; a rejected certificate is reported as 1015."""
    # ssl is imported by the first TLS handshake; none made, no TLS failure.
    tls = sys.modules.get("ssl")
    rejected = tls.SSLCertVerificationError if tls is not None else ()
    seen: BaseException | None = exc
    for _ in range(8):
        if seen is None:
            break
        if isinstance(seen, rejected):
            return WebSocketClosed(TLS_HANDSHAKE_FAILED, "TLS certificate verification failed")
        seen = seen.__cause__ or seen.__context__
    return WebSocketClosed(1006, f"{what}: {type(exc).__name__}")


class WebSocket:
    """One client WebSocket over a blocking socket.

    wsproto made the handshake and frames what we send (masking, compression);
    what arrives is parsed by the core's :class:`WebSocketReader`.
    """

    def __init__(self, sock: socket.socket, conn: WSConnection, frames: WebSocketReader) -> None:
        self._sock = sock
        self._conn = conn
        self._frames = frames
        self._lock = threading.RLock()
        self._pending: collections.deque[str | bytes] = collections.deque()
        self._closed: WebSocketClosed | None = None

    def _write(self, data: bytes) -> None:
        if not data:
            return
        with self._lock:
            try:
                self._sock.sendall(data)
            except OSError as exc:
                raise WebSocketClosed(1006, f"write failed: {type(exc).__name__}") from exc

    def send_text(self, text: str) -> None:
        if self._closed is not None:
            raise self._closed
        from wsproto.events import TextMessage

        with self._lock:
            self._write(self._conn.send(TextMessage(data=text)))

    def send_ping(self) -> None:
        if self._closed is None:
            from wsproto.events import Ping

            try:
                with self._lock:
                    self._write(self._conn.send(Ping(payload=b"sogni")))
            except WebSocketClosed:
                pass

    def receive(self) -> str | bytes:
        """The next complete message (text or binary).

        Raises:
            WebSocketClosed: the peer closed or the connection broke.
        """
        while not self._pending:
            self._read()
        return self._pending.popleft()

    def deliver_to(self, sink: Callable[[list[str | bytes]], None]) -> bool:
        """Pushing messages is not supported here: :meth:`receive_some` is pulled.

        Returns:
            ``False``.
        """
        del sink
        return False

    def receive_some(self) -> list[str | bytes]:
        """Every complete message one read delivered (at least one).

        Raises:
            WebSocketClosed: as :meth:`receive`.
        """
        while not self._pending:
            self._read()
        messages = list(self._pending)
        self._pending.clear()
        return messages

    def _read(self) -> None:
        if self._closed is not None:
            raise self._closed
        try:
            data = self._sock.recv(_READ_SIZE)
        except OSError as exc:
            data = b""
            reason = f"read failed: {type(exc).__name__}"
        else:
            reason = "connection lost"
        if not data:
            if self._closed is None:
                self._closed = WebSocketClosed(1006, reason)
            self._abort()
            raise self._closed
        self._feed(data)

    def _feed(self, data: bytes) -> None:
        try:
            items = self._frames.receive(data)
        except WebSocketClosed as exc:  # the server broke the protocol: say why, drop
            self._fail(exc)
            return
        for item in items:
            if isinstance(item, (str, bytes)):
                self._pending.append(item)
            elif isinstance(item, PingReceived):
                from wsproto.events import Pong

                try:
                    with self._lock:
                        self._write(self._conn.send(Pong(payload=item.payload)))
                except Exception:
                    pass
            else:
                self._fail(WebSocketClosed(item.code, item.reason))

    def _fail(self, closed: WebSocketClosed) -> None:
        """Answer (or send) a close frame with ``closed.code``, then drop the socket."""
        from wsproto.events import CloseConnection

        code = closed.code if closed.code not in (1005, 1006) else 1000
        try:
            with self._lock:
                self._write(self._conn.send(CloseConnection(code=code)))
        except Exception:
            pass
        self._closed = closed
        self._abort()

    def close(self, code: int = 1000, reason: str = "") -> None:
        """Send a close frame and drop the socket (the reader thread ends)."""
        if self._closed is None:
            from wsproto.events import CloseConnection

            self._closed = WebSocketClosed(code, reason)
            try:
                self._sock.settimeout(2.0)
                with self._lock:
                    self._write(self._conn.send(CloseConnection(code=code, reason=reason)))
            except Exception:
                pass
        self._abort()

    def _abort(self) -> None:
        try:
            self._sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        try:
            self._sock.close()
        except OSError:
            pass


def open_websocket(
    url: str,
    headers: list[tuple[str, str]],
    *,
    verify: bool | ssl.SSLContext = True,
    tasks: TaskGroup | None = None,
    library: str = WEBSOCKETS[0],
) -> WebSocket:
    """Open a client WebSocket over a blocking socket (TLS verified by default).

    Raises:
        WebSocketClosed: the handshake failed (1006) or was rejected (4xx).
    """
    del tasks, library
    from wsproto import ConnectionType, WSConnection
    from wsproto.events import AcceptConnection, RejectConnection, Request
    from wsproto.extensions import PerMessageDeflate

    parts = urlsplit(url)
    secure = parts.scheme == "wss"
    host = parts.hostname or ""
    port = parts.port or (443 if secure else 80)
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    try:
        raw = socket.create_connection((host, port), timeout=_HANDSHAKE_TIMEOUT)
    except OSError as exc:
        raise _open_failure(exc, "connect failed") from exc
    try:
        sock = tls_context(verify).wrap_socket(raw, server_hostname=host) if secure else raw
    except OSError as exc:
        raw.close()
        raise _open_failure(exc, "TLS handshake failed") from exc
    conn = WSConnection(ConnectionType.CLIENT)
    request = Request(
        host=parts.netloc.rsplit("@", 1)[-1],
        target=target,
        extra_headers=[(k.encode(), v.encode()) for k, v in headers],
        extensions=[PerMessageDeflate()],
    )
    try:
        sock.sendall(conn.send(request))
        buffer = b""
        while True:
            data = sock.recv(_READ_SIZE)
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
                    sock.settimeout(None)
                    ws = WebSocket(sock, conn, WebSocketReader.for_extensions(event.extensions))
                    if buffer:  # frames that arrived with the handshake response
                        ws._feed(buffer)
                    return ws
                if isinstance(event, RejectConnection):
                    status = event.status_code
                    raise WebSocketClosed(
                        status if 400 <= status < 500 else 1006,
                        f"handshake rejected with HTTP {status}",
                    )
    except WebSocketClosed:
        _close_socket(sock)
        raise
    except OSError as exc:
        _close_socket(sock)
        raise _open_failure(exc, "handshake failed") from exc


def _close_socket(sock: socket.socket) -> None:
    try:
        sock.close()
    except OSError:
        pass
