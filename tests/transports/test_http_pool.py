"""The lean request pool behind ``RestClient.send``, on all three backends,
against a tiny HTTP/1.1 server: keep-alive reuse, a kept-alive connection the
server dropped (retried once, fresh), chunked and gzip bodies, request bodies,
and redirects handed to httpx."""

from __future__ import annotations

import gzip
import socket
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from sogni_core.protocol.rest import Hosts, Request


class TinyServer:
    """Answers by path; counts connections; ``/drop`` closes after answering
    without saying so (a keep-alive connection the server later drops)."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self.bodies: list[bytes] = []
        self._stop = False
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while not self._stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
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
                lines = head.decode().split("\r\n")
                path = lines[0].split()[1]
                length = 0
                for line in lines[1:]:
                    if line.lower().startswith("content-length:"):
                        length = int(line.split(":")[1])
                while len(buf) < length:
                    buf += conn.recv(65536)
                body, buf = buf[:length], buf[length:]
                self.bodies.append(body)
                if path == "/chunked":
                    conn.sendall(
                        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                        b"3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"
                    )
                elif path == "/gzip":
                    payload = gzip.compress(b'{"ok":true}')
                    conn.sendall(
                        b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\n"
                        + f"Content-Length: {len(payload)}\r\n\r\n".encode()
                        + payload
                    )
                elif path == "/redirect":
                    conn.sendall(
                        b"HTTP/1.1 302 Found\r\nLocation: /echo\r\nContent-Length: 0\r\n\r\n"
                    )
                else:
                    answer = b"echo:" + body
                    conn.sendall(
                        f"HTTP/1.1 200 OK\r\nContent-Length: {len(answer)}\r\n\r\n".encode()
                        + answer
                    )
                    if path == "/drop":
                        return

    def close(self) -> None:
        self._stop = True
        self.sock.close()


@pytest.fixture
def server() -> Iterator[TinyServer]:
    srv = TinyServer()
    yield srv
    srv.close()


async def _exercise(h: Any, srv: TinyServer) -> None:
    base = f"http://127.0.0.1:{srv.port}"
    rest = h.mod._rest.RestClient(Hosts.from_config(base, "ws://127.0.0.1:1"), api_key="k")

    def get(path: str) -> Request:
        return Request(method="GET", url=base + path, headers=(("accept", "*/*"),))

    try:
        for _ in range(3):
            status, _, body = await h.call(rest.send(get("/echo")))
            assert (status, body) == (200, b"echo:")
        assert srv.connections == 1, "keep-alive connection not reused"
        # the server answers /drop and closes: the next request finds the
        # kept connection dead and goes once more on a fresh one
        await h.call(rest.send(get("/drop")))
        status, _, body = await h.call(rest.send(get("/echo")))
        assert (status, body) == (200, b"echo:")
        assert srv.connections == 2
        assert (await h.call(rest.send(get("/chunked"))))[2] == b"abcde"
        assert (await h.call(rest.send(get("/gzip"))))[2] == b'{"ok":true}'
        post = Request(
            method="POST",
            url=base + "/echo",
            headers=(("content-type", "text/plain"),),
            body=b"hello",
        )
        assert (await h.call(rest.send(post, idempotent=False)))[2] == b"echo:hello"
        assert srv.bodies[-1] == b"hello"
        status, _, body = await h.call(rest.send(get("/redirect")))
        assert (status, body) == (200, b"echo:"), "redirect not followed"
    finally:
        await h.call(rest.aclose() if h.is_async else rest.close())


def test_request_pool(h: Any, server: TinyServer) -> None:
    h.run(_exercise, server)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/v1/image/downloadUrl?jobId=A&imageId=B",
        "http://127.0.0.1:8080/v1/other",
        "https://user:secret@api.example.com/path?q=1",
        "https://api.example.com",
        "http://api.example.com?x=/y",
        "HTTP://API.example.com:80/a#fragment",
        "https://api.example.com/p#frag",
    ],
)
def test_origin_of_matches_urlsplit_with_and_without_its_cache(url: str) -> None:
    """``origin_of`` caches origins by ``scheme://authority``; cached or not, the
    answer is what ``urlsplit`` gives (fragments never reach the target)."""
    from urllib.parse import urlsplit

    from sogni_core.client import _origins

    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    expected = (
        (scheme, parts.hostname, parts.port or (443 if scheme == "https" else 80)),
        parts.netloc.rsplit("@", 1)[-1],
        (parts.path or "/") + ("?" + parts.query if parts.query else ""),
    )
    _origins._ORIGINS.clear()
    assert _origins.origin_of(url) == expected  # parsed (and maybe cached)
    assert _origins.origin_of(url) == expected  # maybe from the cache
    _origins.origin_of(url.split("#")[0].split("?")[0] + "/warm")  # cache this authority
    assert _origins.origin_of(url) == expected


async def _refused(h: Any) -> None:
    from sogni_core.client import NoResponseError, TransportError
    from sogni_core.protocol.retry import RetryPolicy

    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()  # nothing listens there now: every connect is refused
    base = f"http://127.0.0.1:{port}"
    backend = h.mod._backend
    pool = backend.http_pool(verify=True, max_connections=2)
    with pytest.raises(NoResponseError) as caught:
        await h.call(backend.http_send(pool, "GET", base + "/x", [], None, 5.0))
    assert caught.value.connect, "a refused connect must say the request never left"
    rest = h.mod._rest.RestClient(
        Hosts.from_config(base, "ws://127.0.0.1:1"),
        api_key="k",
        retry=RetryPolicy(max_attempts=2, base_delay=0.0, max_delay=0.0),
    )
    post = Request(method="POST", url=base + "/x", headers=(), body=b"{}")
    try:
        with pytest.raises(TransportError, match="POST failed: NoResponseError"):
            await h.call(rest.send(post, idempotent=False))
    finally:
        await h.call(rest.aclose() if h.is_async else rest.close())


def test_no_answer_is_a_typed_error_and_is_retried(
    h: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """A refused connection surfaces as ``NoResponseError(connect=True)`` from the
    pool, and ``RestClient.send`` retries it (even a POST: it never left) and
    then raises ``TransportError``."""
    import logging

    with caplog.at_level(logging.DEBUG, logger="sogni.rest"):
        h.run(_refused)
    assert any("(attempt 2)" in r.getMessage() for r in caplog.records), "not retried"
