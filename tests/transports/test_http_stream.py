"""Streamed responses on the lean request pool (``http_stream``, ``RestClient.stream``),
on all three backends, against a tiny HTTP/1.1 server: a stream read to its end
returns its connection to the pool (and the next request reuses it), one closed
early or idle past its read timeout closes it; chunked, gzip, read-until-close
and truncated bodies; a redirect is followed on httpx."""

from __future__ import annotations

import gzip
import socket
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from sogni_core.client import NoResponseError
from sogni_core.protocol.rest import Hosts, Request

PAYLOAD = b"".join(b"data: %d\n\n" % n for n in range(50))
BIG = bytes(range(256)) * 8192  # 2 MiB


class StreamServer:
    """Answers by path on keep-alive connections; counts connections and
    connections the client closed while the server was still streaming."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self.closed_early = 0
        self.release = threading.Event()
        self._lock = threading.Lock()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with self._lock:
                self.connections += 1
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        buf = b""
        with conn:
            while True:
                while b"\r\n\r\n" not in buf:
                    data = conn.recv(65536)
                    if not data:
                        return
                    buf += data
                head, buf = buf.split(b"\r\n\r\n", 1)
                path = head.split(b" ")[1].decode()
                if path == "/full":
                    out = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                    for k in range(0, len(PAYLOAD), 100):
                        part = PAYLOAD[k : k + 100]
                        out += b"%x\r\n%s\r\n" % (len(part), part)
                    conn.sendall(out + b"0\r\n\r\n")
                elif path == "/gzip":
                    z = gzip.compress(PAYLOAD)
                    conn.sendall(
                        b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\n"
                        b"Content-Length: %d\r\n\r\n%s" % (len(z), z)
                    )
                elif path == "/close":
                    conn.sendall(b"HTTP/1.1 200 OK\r\n\r\n" + PAYLOAD)
                    return
                elif path == "/truncated":
                    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n" + PAYLOAD[:10])
                    return
                elif path == "/big":
                    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(BIG) + BIG)
                elif path == "/redirect":
                    conn.sendall(
                        b"HTTP/1.1 302 Found\r\nLocation: /full\r\nContent-Length: 0\r\n\r\n"
                    )
                else:  # /slow: one chunk, then silence until the client goes away
                    conn.sendall(
                        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nfirst\r\n"
                    )
                    conn.settimeout(10.0)
                    try:
                        gone = conn.recv(1) == b""
                    except OSError:
                        gone = True
                    if gone:
                        with self._lock:
                            self.closed_early += 1
                    return

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def server() -> Iterator[StreamServer]:
    srv = StreamServer()
    yield srv
    srv.close()


async def _next(h: Any, it: Any) -> bytes:
    chunk: bytes = await it.__anext__() if h.is_async else next(it)
    return chunk


async def _read_all(h: Any, it: Any) -> bytes:
    out = b""
    if h.is_async:
        async for chunk in it:
            out += chunk
    else:
        for chunk in it:
            out += chunk
    return out


async def _close(h: Any, it: Any) -> None:
    await h.call(it.aclose() if h.is_async else it.close())


async def _wait_for(h: Any, check: Any) -> None:
    for _ in range(200):
        if check():
            return
        await h.sleep(0.01)
    raise AssertionError("condition not reached")


async def _pool_streams(h: Any, srv: StreamServer) -> None:
    backend = h.mod._backend
    base = f"http://127.0.0.1:{srv.port}"
    pool = backend.http_pool(verify=True, max_connections=4)

    async def open_(path: str, read_timeout: float = 5.0) -> Any:
        return await h.call(
            backend.http_stream(pool, "GET", base + path, [], None, 5.0, read_timeout)
        )

    try:
        # read to the end: the connection goes back to the pool and is reused
        stream = await open_("/full")
        assert (stream.status, stream.headers) == (200, [("transfer-encoding", "chunked")])
        assert await _read_all(h, stream) == PAYLOAD
        assert len(pool._idle) == 1, "a completed stream must return its connection"
        assert await _read_all(h, stream) == b""  # ended: stays ended
        stream = await open_("/gzip")
        assert await _read_all(h, stream) == PAYLOAD
        assert srv.connections == 1, "the kept connection was not reused"
        assert len(pool._idle) == 1
        # closed early: the connection is closed, never returned to the pool
        stream = await open_("/slow")
        assert srv.connections == 1  # the kept one carried it
        assert len(pool._idle) == 0
        assert await _next(h, stream) == b"first"
        await _close(h, stream)
        await _close(h, stream)  # idempotent
        assert len(pool._idle) == 0, "an unfinished stream went back to the pool"
        await _wait_for(h, lambda: srv.closed_early == 1)
        # idle past the read timeout: NoResponseError, connection closed
        stream = await open_("/slow", read_timeout=0.3)
        assert await _next(h, stream) == b"first"
        with pytest.raises(NoResponseError, match="idle"):
            await _next(h, stream)
        assert len(pool._idle) == 0
        await _wait_for(h, lambda: srv.closed_early == 2)
        # read until close: complete, but not reusable
        stream = await open_("/close")
        assert await _read_all(h, stream) == PAYLOAD
        assert len(pool._idle) == 0
        # truncated: the body ends early
        stream = await open_("/truncated")
        with pytest.raises(NoResponseError, match="stream failed"):
            await _read_all(h, stream)
        assert len(pool._idle) == 0
        # a large body read slowly: reading pauses while it piles up (asyncio
        # protocols), then resumes; the whole body arrives, the connection is kept
        stream = await open_("/big")
        first = await _next(h, stream)
        await h.sleep(0.2)
        if h.name == "asyncio":
            assert stream._conn.paused, "reading did not pause with 2 MiB pending"
        rest = await _read_all(h, stream)
        assert first + rest == BIG
        assert len(pool._idle) == 1
        # the pool still serves plain requests afterwards
        status, _, body = await h.call(
            backend.http_send(pool, "GET", base + "/full", [], None, 5.0)
        )
        assert (status, body) == (200, PAYLOAD)
    finally:
        await h.call(pool.aclose() if h.is_async else pool.close())


def test_pool_streams(h: Any, server: StreamServer) -> None:
    h.run(_pool_streams, server)


def _httpx_client(rest: Any) -> Any:
    return rest._client


async def _rest_streams(h: Any, srv: StreamServer) -> None:
    base = f"http://127.0.0.1:{srv.port}"
    rest = h.mod._rest.RestClient(Hosts.from_config(base, "ws://127.0.0.1:1"), api_key="k")

    def get(path: str) -> Request:
        return Request(method="GET", url=base + path, headers=(("accept", "*/*"),))

    async def stream_body(path: str, read_timeout: float = 5.0) -> tuple[int, bytes]:
        cm = rest.stream(get(path), read_timeout=read_timeout)
        response = await h.call(cm.__aenter__() if h.is_async else cm.__enter__())
        try:
            return response.status, await _read_all(h, response)
        finally:
            await h.call(
                cm.__aexit__(None, None, None) if h.is_async else cm.__exit__(None, None, None)
            )

    try:
        assert await stream_body("/full") == (200, PAYLOAD)
        assert _httpx_client(rest) is None, "the lean path must not create the httpx client"
        assert len(rest._pool._idle) == 1
        # a redirect is followed (on httpx)
        assert await stream_body("/redirect") == (200, PAYLOAD)
        assert _httpx_client(rest) is not None
        # leaving the block early closes the connection
        cm = rest.stream(get("/slow"), read_timeout=5.0)
        response = await h.call(cm.__aenter__() if h.is_async else cm.__enter__())
        assert await _next(h, response) == b"first"
        await h.call(
            cm.__aexit__(None, None, None) if h.is_async else cm.__exit__(None, None, None)
        )
        await _wait_for(h, lambda: srv.closed_early == 1)
        # an idle stream fails with the one error type the stream sites catch
        with pytest.raises(NoResponseError, match="idle"):
            await stream_body("/slow", read_timeout=0.3)
        await _wait_for(h, lambda: srv.closed_early == 2)
    finally:
        await h.call(rest.aclose() if h.is_async else rest.close())


def test_rest_streams(h: Any, server: StreamServer) -> None:
    h.run(_rest_streams, server)


async def _httpx_streams(h: Any, srv: StreamServer) -> None:
    """The httpx path (a proxy or the caller's client) behind the same interface."""
    base = f"http://127.0.0.1:{srv.port}"
    rest = h.mod._rest.RestClient(Hosts.from_config(base, "ws://127.0.0.1:1"), api_key="k")
    rest._direct = False  # as with HTTP(S)_PROXY set, without needing a proxy
    try:
        cm = rest.stream(Request(method="GET", url=base + "/gzip", headers=()), read_timeout=5.0)
        response = await h.call(cm.__aenter__() if h.is_async else cm.__enter__())
        try:
            assert response.status == 200
            assert dict(response.headers)["content-encoding"] == "gzip"
            assert await _read_all(h, response) == PAYLOAD
        finally:
            await h.call(
                cm.__aexit__(None, None, None) if h.is_async else cm.__exit__(None, None, None)
            )
        cm = rest.stream(
            Request(method="GET", url=base + "/truncated", headers=()), read_timeout=5.0
        )
        response = await h.call(cm.__aenter__() if h.is_async else cm.__enter__())
        try:
            with pytest.raises(NoResponseError, match="stream failed"):
                await _read_all(h, response)
        finally:
            await h.call(
                cm.__aexit__(None, None, None) if h.is_async else cm.__exit__(None, None, None)
            )
    finally:
        await h.call(rest.aclose() if h.is_async else rest.close())


def test_httpx_fallback_streams(h: Any, server: StreamServer) -> None:
    h.run(_httpx_streams, server)
