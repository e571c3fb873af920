"""``sogni_asyncio``'s WebSocket protocol on a fake transport: the handshake in
``data_received``, frames that came with the response, push delivery to a sink
(in order, after what was already waiting), pings answered in the callback,
close frames and protocol errors answered and dropped, and writes waiting only
while the transport paused writing."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import re
from typing import Any

import pytest
from sogni_asyncio import _backend
from wsproto import ConnectionType, WSConnection

from sogni_core.client import WebSocketClosed

from ._wsframes_util import frame

_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


class FakeTransport(asyncio.Transport):
    def __init__(self) -> None:
        super().__init__()
        self.written: list[bytes] = []
        self.closed = False

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self.written.append(bytes(data))

    def is_closing(self) -> bool:
        return self.closed

    def close(self) -> None:
        self.closed = True

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return default


def _unmask(data: bytes) -> bytes:
    """The payload of one short masked client frame."""
    key, payload = data[2:6], data[6:]
    return bytes(b ^ key[i % 4] for i, b in enumerate(payload))


def _accept(request: bytes) -> bytes:
    found = re.search(rb"(?i)sec-websocket-key: *([^\r\n]+)", request)
    assert found is not None
    token = base64.b64encode(hashlib.sha1(found.group(1).strip() + _GUID).digest())
    return (
        b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        b"Sec-WebSocket-Accept: " + token + b"\r\n\r\n"
    )


async def _opened(tail: bytes = b"") -> tuple[Any, FakeTransport]:
    from wsproto.events import Request

    conn = WSConnection(ConnectionType.CLIENT)
    ws = _backend.WebSocket(conn)
    transport = FakeTransport()
    ws.connection_made(transport)
    ws._send(conn.send(Request(host="h", target="/")))
    response = _accept(transport.written[-1]) + tail
    ws.data_received(response[:10])  # the head may come in pieces
    ws.data_received(response[10:])
    await asyncio.wait_for(asyncio.shield(ws._opened), 1)
    return ws, transport


def test_push_delivery_keeps_order_and_answers_pings() -> None:
    async def main() -> None:
        ws, transport = await _opened(frame(0x1, b"first"))
        assert await ws.receive_some() == ["first"]  # pulled before a sink is set
        ws.data_received(frame(0x1, b"waiting"))
        batches: list[list[str | bytes]] = []
        assert ws.deliver_to(batches.append) is True
        assert batches == [["waiting"]]  # what waited goes to the sink first
        written = len(transport.written)
        ws.data_received(frame(0x1, b"a") + frame(0x9, b"hi") + frame(0x2, b"b"))
        assert batches[-1] == ["a", b"b"]  # one batch per read
        (pong,) = transport.written[written:]
        assert pong[0] == 0x8A and _unmask(pong) == b"hi"  # answered in the callback
        ws.data_received(frame(0x8, (4015).to_bytes(2, "big") + b"replaced"))
        assert transport.closed
        with pytest.raises(WebSocketClosed) as closed:
            await ws.receive_some()
        assert (closed.value.code, closed.value.reason) == (4015, "replaced")

    asyncio.run(main())


def test_protocol_error_is_answered_and_surfaces_with_its_code() -> None:
    async def main() -> None:
        ws, transport = await _opened()
        ws.data_received(frame(0x1, b"x", mask=True))  # servers never mask
        assert transport.closed
        close = transport.written[-1]
        assert close[0] == 0x88 and _unmask(close) == (1002).to_bytes(2, "big")
        with pytest.raises(WebSocketClosed) as closed:
            await ws.receive_some()
        assert closed.value.code == 1002

    asyncio.run(main())


def test_writes_wait_while_paused() -> None:
    async def main() -> None:
        ws, transport = await _opened()
        ws.pause_writing()
        send = asyncio.create_task(ws.send_text("hello"))
        await asyncio.sleep(0.01)
        assert not send.done(), "a paused transport must hold the writer back"
        ws.resume_writing()
        await asyncio.wait_for(send, 1)

    asyncio.run(main())


def test_rejected_handshake_is_a_typed_error() -> None:
    async def main() -> None:
        from wsproto.events import Request

        conn = WSConnection(ConnectionType.CLIENT)
        ws = _backend.WebSocket(conn)
        ws.connection_made(FakeTransport())
        ws._send(conn.send(Request(host="h", target="/")))
        ws.data_received(b"HTTP/1.1 401 Unauthorized\r\ncontent-length: 0\r\n\r\n")
        with pytest.raises(WebSocketClosed) as closed:
            await asyncio.wait_for(asyncio.shield(ws._opened), 1)
        assert closed.value.code == 401

    asyncio.run(main())


def test_connection_lost_during_handshake() -> None:
    async def main() -> None:
        ws = _backend.WebSocket(WSConnection(ConnectionType.CLIENT))
        ws.connection_made(FakeTransport())
        ws.connection_lost(None)
        with pytest.raises(WebSocketClosed) as closed:
            await asyncio.wait_for(asyncio.shield(ws._opened), 1)
        assert closed.value.code == 1006

    asyncio.run(main())
