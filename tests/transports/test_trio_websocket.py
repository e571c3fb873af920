"""The trio transport's two WebSockets, against a wsproto server on 127.0.0.1.

``TrioWebSocket`` (trio-websocket, the default) hands over every message
already queued in one ``receive_some``; ``LeanWebSocket`` (``websocket="wsproto"``)
parses in the reading task, answers pings, reports the peer's close code and
closes with 1002 on a framing error.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
import trio
from sogni_trio import WEBSOCKETS, InvalidParamsError, SogniClient, WebSocketClosed
from sogni_trio import _backend as backend
from wsproto import ConnectionType, WSConnection
from wsproto.events import (
    AcceptConnection,
    BytesMessage,
    CloseConnection,
    Ping,
    Pong,
    Request,
    TextMessage,
)
from wsproto.extensions import PerMessageDeflate

Server = Callable[[trio.SocketStream, WSConnection], Awaitable[None]]


async def _accept(stream: trio.SocketStream) -> WSConnection:
    ws = WSConnection(ConnectionType.SERVER)
    while True:
        ws.receive_data(await stream.receive_some(65536))
        for event in ws.events():
            if isinstance(event, Request):
                await stream.send_all(ws.send(AcceptConnection(extensions=[PerMessageDeflate()])))
                return ws


async def _with_server(serve: Server, client: Callable[[str], Awaitable[None]]) -> None:
    listeners = await trio.open_tcp_listeners(0, host="127.0.0.1")
    port = listeners[0].socket.getsockname()[1]

    async def handle() -> None:
        stream = await listeners[0].accept()
        async with stream:
            await serve(stream, await _accept(stream))

    with trio.fail_after(10):
        async with trio.open_nursery() as nursery:
            nursery.start_soon(handle)
            await client(f"ws://127.0.0.1:{port}/socket")
            nursery.cancel_scope.cancel()
    for listener in listeners:
        await listener.aclose()


async def _read_events(stream: trio.SocketStream, ws: WSConnection) -> list[Any]:
    ws.receive_data(await stream.receive_some(65536))
    return list(ws.events())


def test_websocket_names_and_bad_choice_is_rejected_before_io() -> None:
    assert WEBSOCKETS == ("trio-websocket", "wsproto")
    with pytest.raises(InvalidParamsError) as info:
        SogniClient(api_key="k", websocket="aiohttp")
    assert info.value.field == "websocket"


def test_trio_websocket_batches_queued_messages() -> None:
    count = 50

    async def serve(stream: trio.SocketStream, ws: WSConnection) -> None:
        await stream.send_all(b"".join(ws.send(TextMessage(data=f"m{i}")) for i in range(count)))
        await trio.sleep_forever()

    async def client(url: str) -> None:
        async with trio.open_nursery() as nursery:
            tasks = backend.TaskGroup()
            tasks.nursery = nursery
            sock = await backend.open_websocket(url, [], tasks=tasks, library="trio-websocket")
            assert isinstance(sock, backend.TrioWebSocket)
            await trio.sleep(0.3)  # all of them queued by trio-websocket's reader
            batches = []
            got: list[str | bytes] = []
            while len(got) < count:
                batch = await sock.receive_some()
                batches.append(len(batch))
                got.extend(batch)
            assert got == [f"m{i}" for i in range(count)]
            assert len(batches) < count // 5, batches
            await sock.close()
            nursery.cancel_scope.cancel()

    trio.run(_with_server, serve, client)


def test_lean_websocket_messages_ping_and_close_code() -> None:
    seen: list[Any] = []

    async def serve(stream: trio.SocketStream, ws: WSConnection) -> None:
        await stream.send_all(
            ws.send(TextMessage(data="hello"))
            + ws.send(BytesMessage(data=b"\x00\x01"))
            + ws.send(Ping(payload=b"p1"))
        )
        while not any(isinstance(e, Pong) for e in seen):
            seen.extend(await _read_events(stream, ws))
        await stream.send_all(ws.send(CloseConnection(code=4015, reason="replaced")))
        await trio.sleep_forever()

    async def client(url: str) -> None:
        sock = await backend.open_websocket(url, [("api-key", "k")], library="wsproto")
        assert isinstance(sock, backend.LeanWebSocket)
        got: list[str | bytes] = []
        while len(got) < 2:
            got.extend(await sock.receive_some())
        assert got == ["hello", b"\x00\x01"]
        with pytest.raises(WebSocketClosed) as info:
            while True:
                await sock.receive_some()
        assert info.value.code == 4015
        assert info.value.reason == "replaced"

    trio.run(_with_server, serve, client)
    pongs = [e for e in seen if isinstance(e, Pong)]
    assert [p.payload for p in pongs] == [b"p1"]


def test_lean_websocket_closes_with_1002_on_a_masked_server_frame() -> None:
    closes: list[int] = []

    async def serve(stream: trio.SocketStream, ws: WSConnection) -> None:
        # A masked text frame "hi" (servers must not mask, RFC 6455 §5.1).
        mask = b"\x01\x02\x03\x04"
        payload = bytes(b ^ mask[i % 4] for i, b in enumerate(b"hi"))
        await stream.send_all(b"\x81\x82" + mask + payload)
        while not closes:
            for event in await _read_events(stream, ws):
                if isinstance(event, CloseConnection):
                    closes.append(event.code)

    async def client(url: str) -> None:
        sock = await backend.open_websocket(url, [], library="wsproto")
        with pytest.raises(WebSocketClosed) as info:
            await sock.receive_some()
        assert info.value.code == 1002
        await trio.sleep(0.2)

    trio.run(_with_server, serve, client)
    assert closes == [1002]
