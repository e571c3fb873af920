"""The network layer: HTTP/1.1 (h11) and WebSocket (wsproto) over asyncio.

One listening port serves REST and the socket; a request carrying
``Upgrade: websocket`` is handed to wsproto on the same connection.  An
optional second port (``socket_port``) serves the same handlers, for clients
configured with separate REST and socket hosts.  Everything above bytes
(routing, auth, sessions) lives in :class:`Handlers` implementations.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Protocol

import h11
from wsproto import ConnectionType, WSConnection
from wsproto.connection import ConnectionState
from wsproto.events import (
    AcceptConnection,
    BytesMessage,
    CloseConnection,
    Ping,
    Request,
    TextMessage,
)
from wsproto.extensions import Extension, PerMessageDeflate

from .http import AbortConnection, HttpRequest, HttpResponse, error_response

__all__ = ["Handlers", "Server", "WebSocketIO"]

log = logging.getLogger("sogni_emulator")
_READ_SIZE = 65536
_MAX_BODY = 256 * 1024 * 1024


class Handlers(Protocol):
    """What the server calls for each request."""

    async def handle_http(self, request: HttpRequest) -> HttpResponse: ...

    async def handle_websocket(self, request: HttpRequest, ws: WebSocketIO) -> None: ...


class WebSocketIO:
    """One upgraded connection: accept, send, receive, close or abort.

    Writes are serialized by a lock; :meth:`messages` is the single reader
    and answers pings and the peer's close handshake itself.
    """

    def __init__(
        self,
        conn: WSConnection,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        request: Request,
    ) -> None:
        self._conn = conn
        self._reader = reader
        self._writer = writer
        self._request = request
        self._lock = asyncio.Lock()
        self.close_code: int | None = None
        self.close_reason: str = ""
        self.aborted = False

    @property
    def open(self) -> bool:
        return self._conn.state is ConnectionState.OPEN and not self.aborted

    async def _write(self, data: bytes) -> None:
        if not data or self.aborted:
            return
        async with self._lock:
            try:
                self._writer.write(data)
                await self._writer.drain()
            except (ConnectionError, RuntimeError):
                self.aborted = True

    async def accept(self) -> None:
        """Complete the opening handshake (permessage-deflate when offered)."""
        offered = any("permessage-deflate" in str(ext) for ext in self._request.extensions)
        extensions: list[Extension] = [PerMessageDeflate()] if offered else []
        await self._write(self._conn.send(AcceptConnection(extensions=extensions)))

    async def send_bytes(self, data: bytes) -> None:
        """Send one binary message (the emulator's server->client frames, 01 §2.1)."""
        if self.open:
            await self._write(self._conn.send(BytesMessage(data=data)))

    async def send_text(self, text: str) -> None:
        """Send one text message."""
        if self.open:
            await self._write(self._conn.send(TextMessage(data=text)))

    async def close(self, code: int, reason: str = "") -> None:
        """Start the closing handshake; the TCP side closes once the peer answers."""
        if self.close_code is None:
            self.close_code, self.close_reason = code, reason
        if self.open:
            await self._write(self._conn.send(CloseConnection(code=code, reason=reason)))
        loop = asyncio.get_running_loop()
        loop.call_later(2.0, self.abort)

    def abort(self) -> None:
        """Drop the TCP connection without a close frame (as a crash would)."""
        self.aborted = True
        with contextlib.suppress(Exception):
            self._writer.transport.abort()

    async def messages(self) -> AsyncIterator[str | bytes]:
        """Yield complete client messages until the connection ends."""
        text_parts: list[str] = []
        byte_parts: list[bytes] = []
        while not self.aborted:
            try:
                data = await self._reader.read(_READ_SIZE)
            except (ConnectionError, OSError):
                data = b""
            if not data:
                self._conn.receive_data(None)
                if self.close_code is None:
                    self.close_code = 1006
                break
            self._conn.receive_data(data)
            for event in self._conn.events():
                if isinstance(event, TextMessage):
                    text_parts.append(event.data)
                    if event.message_finished:
                        yield "".join(text_parts)
                        text_parts.clear()
                elif isinstance(event, BytesMessage):
                    byte_parts.append(bytes(event.data))
                    if event.message_finished:
                        yield b"".join(byte_parts)
                        byte_parts.clear()
                elif isinstance(event, Ping):
                    await self._write(self._conn.send(event.response()))
                elif isinstance(event, CloseConnection):
                    if self.close_code is None:
                        self.close_code, self.close_reason = event.code, event.reason or ""
                    if self._conn.state is ConnectionState.REMOTE_CLOSING:
                        await self._write(self._conn.send(event.response()))
                    self.abort_soon()
                    return

    def abort_soon(self) -> None:
        with contextlib.suppress(Exception):
            self._writer.close()


class Server:
    """Listen on one (or two) ports and dispatch to :class:`Handlers`."""

    def __init__(
        self,
        handlers: Handlers,
        host: str = "127.0.0.1",
        port: int = 0,
        socket_port: int | None = None,
    ) -> None:
        self._handlers = handlers
        self.host = host
        self._port = port
        self._socket_port = socket_port
        self._servers: list[asyncio.Server] = []
        self._tasks: set[asyncio.Task[None]] = set()
        self.port = 0
        self.socket_port = 0

    async def start(self) -> None:
        """Bind the listening sockets; ``port`` / ``socket_port`` hold the real ports."""
        main = await asyncio.start_server(self._on_connection, self.host, self._port)
        self._servers.append(main)
        self.port = main.sockets[0].getsockname()[1]
        self.socket_port = self.port
        if self._socket_port is not None:
            extra = await asyncio.start_server(self._on_connection, self.host, self._socket_port)
            self._servers.append(extra)
            self.socket_port = extra.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        """Stop listening and cancel every connection task."""
        for server in self._servers:
            server.close()
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(BaseException):
                await task
        for server in self._servers:
            with contextlib.suppress(Exception):
                await server.wait_closed()
        self._servers.clear()

    async def _on_connection(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
        try:
            await self._serve(reader, writer)
        except asyncio.CancelledError:
            pass
        except Exception:  # a bug in a handler must not kill the server
            log.exception("connection handler failed")
        finally:
            if task is not None:
                self._tasks.discard(task)
            with contextlib.suppress(Exception):
                writer.close()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        conn = h11.Connection(h11.SERVER, max_incomplete_event_size=1 << 20)
        while True:
            try:
                event = conn.next_event()
            except h11.RemoteProtocolError:
                await self._send_plain(conn, writer, error_response(400, "Bad request"))
                return
            if event is h11.NEED_DATA:
                data = await reader.read(_READ_SIZE)
                conn.receive_data(data)
                if not data and conn.their_state is h11.IDLE:
                    return
                continue
            if isinstance(event, h11.ConnectionClosed) or event is h11.PAUSED:
                return
            if not isinstance(event, h11.Request):
                continue
            headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in event.headers}
            target = event.target.decode("latin-1")
            method = event.method.decode("ascii")
            if headers.get("upgrade", "").lower() == "websocket":
                trailing, _closed = conn.trailing_data
                raw = self._raw_request(event) + trailing
                await self._upgrade(raw, reader, writer, HttpRequest(method, target, headers))
                return
            body = bytearray()
            while True:
                try:
                    part = conn.next_event()
                except h11.RemoteProtocolError:
                    await self._send_plain(conn, writer, error_response(400, "Bad request"))
                    return
                if part is h11.NEED_DATA:
                    data = await reader.read(_READ_SIZE)
                    if not data:
                        return
                    conn.receive_data(data)
                    continue
                if isinstance(part, h11.Data):
                    body += part.data
                    if len(body) > _MAX_BODY:
                        await self._send_plain(conn, writer, error_response(413, "Too large"))
                        return
                    continue
                break  # EndOfMessage
            request = HttpRequest(method, target, headers, bytes(body))
            try:
                response = await self._handlers.handle_http(request)
            except Exception:
                log.exception("REST handler failed for %s %s", method, request.path)
                response = error_response(500, "Internal emulator error")
            if response.stream is not None:
                await self._send_stream(conn, writer, response)
                return
            await self._send_plain(conn, writer, response)
            if conn.our_state is h11.MUST_CLOSE or conn.their_state is h11.MUST_CLOSE:
                return
            try:
                conn.start_next_cycle()
            except h11.LocalProtocolError:
                return

    @staticmethod
    def _raw_request(event: h11.Request) -> bytes:
        lines = [event.method + b" " + event.target + b" HTTP/1.1"]
        lines += [name + b": " + value for name, value in event.headers]
        return b"\r\n".join(lines) + b"\r\n\r\n"

    @staticmethod
    async def _send_plain(
        conn: h11.Connection, writer: asyncio.StreamWriter, response: HttpResponse
    ) -> None:
        headers = [
            ("content-type", response.content_type),
            ("content-length", str(len(response.body))),
            *response.headers,
        ]
        try:
            data = conn.send(
                h11.Response(
                    status_code=response.status, headers=headers, reason=response.reason.encode()
                )
            )
            data = (data or b"") + (conn.send(h11.Data(data=response.body)) or b"")
            data += conn.send(h11.EndOfMessage()) or b""
            writer.write(data)
            await writer.drain()
        except (h11.LocalProtocolError, ConnectionError):
            return

    @staticmethod
    async def _send_stream(
        conn: h11.Connection, writer: asyncio.StreamWriter, response: HttpResponse
    ) -> None:
        # Chunked body (no content-length), then the connection closes; an
        # AbortConnection from the body drops TCP without the final chunk.
        assert response.stream is not None
        headers = [("content-type", response.content_type), ("connection", "close")]
        headers += response.headers
        try:
            writer.write(
                conn.send(
                    h11.Response(
                        status_code=response.status,
                        headers=headers,
                        reason=response.reason.encode(),
                    )
                )
                or b""
            )
            await writer.drain()
            async for chunk in response.stream:
                writer.write(conn.send(h11.Data(data=chunk)) or b"")
                await writer.drain()
            writer.write(conn.send(h11.EndOfMessage()) or b"")
            await writer.drain()
        except AbortConnection:
            writer.transport.abort()
        except (h11.LocalProtocolError, ConnectionError):
            return
        finally:
            with contextlib.suppress(Exception):
                await response.stream.aclose()  # type: ignore[attr-defined]

    async def _upgrade(
        self,
        raw: bytes,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        request: HttpRequest,
    ) -> None:
        ws = WSConnection(ConnectionType.SERVER)
        ws.receive_data(raw)
        handshake = next((e for e in ws.events() if isinstance(e, Request)), None)
        if handshake is None:
            writer.write(b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n")
            await writer.drain()
            return
        await self._handlers.handle_websocket(request, WebSocketIO(ws, reader, writer, handshake))
