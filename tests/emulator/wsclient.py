"""A tiny blocking test client for the emulator: wsproto/h11 over plain sockets.

No client transport of the project is used (they are tested elsewhere); this
speaks the wire directly so the emulator tests can fail on their own.
"""

from __future__ import annotations

import base64
import json
import socket
import time
from typing import Any
from urllib.parse import urlencode, urlsplit

import h11
from wsproto import ConnectionType, WSConnection
from wsproto.events import (
    AcceptConnection,
    BytesMessage,
    CloseConnection,
    Ping,
    RejectConnection,
    Request,
    TextMessage,
)


def encode(type_: str, payload: Any) -> str:
    data = base64.b64encode(
        json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
    ).decode()
    return json.dumps({"type": type_, "data": data}, separators=(",", ":"))


def decode(data: str | bytes) -> tuple[str, Any]:
    outer = json.loads(data)
    return outer["type"], json.loads(base64.b64decode(outer["data"]))


class Closed(Exception):
    def __init__(self, code: int | None, reason: str = "") -> None:
        super().__init__(f"closed {code} {reason}")
        self.code = code
        self.reason = reason


class WsClient:
    """Blocking WebSocket client; ``recv()`` returns ``(type, payload)``."""

    def __init__(
        self,
        url: str,
        *,
        app_id: str = "test-app",
        headers: dict[str, str] | None = None,
        query: dict[str, str] | None = None,
        timeout: float = 5.0,
    ) -> None:
        parts = urlsplit(url)
        self.sock = socket.create_connection((parts.hostname, parts.port), timeout=timeout)
        self.ws = WSConnection(ConnectionType.CLIENT)
        params = {
            "appId": app_id,
            "clientName": "test",
            "clientType": "artist",
            "forceWorkerId": "fast",
            **(query or {}),
        }
        target = "/?" + urlencode(params)
        extra = [(k.encode(), v.encode()) for k, v in (headers or {}).items()]
        self.sock.sendall(
            self.ws.send(
                Request(host=f"{parts.hostname}:{parts.port}", target=target, extra_headers=extra)
            )
        )
        self.raw: list[bytes | str] = []
        self.pending: list[tuple[str, Any]] = []
        self.malformed = 0
        self.close_code: int | None = None
        self.close_reason = ""
        self.binary_frames = 0
        accepted = False
        while not accepted:
            data = self.sock.recv(65536)
            if not data:
                raise Closed(None, "no handshake")
            self.ws.receive_data(data)
            for event in self.ws.events():
                if isinstance(event, AcceptConnection):
                    accepted = True
                elif isinstance(event, RejectConnection):
                    raise Closed(event.status_code, "rejected")
                else:
                    self._handle(event)

    def _handle(self, event: Any) -> None:
        if isinstance(event, (TextMessage, BytesMessage)):
            if isinstance(event, BytesMessage):
                self.binary_frames += 1
            self.raw.append(event.data)
            try:
                self.pending.append(decode(event.data))
            except (ValueError, KeyError, TypeError):
                self.malformed += 1
        elif isinstance(event, Ping):
            self.sock.sendall(self.ws.send(event.response()))
        elif isinstance(event, CloseConnection):
            self.close_code, self.close_reason = event.code, event.reason or ""
            try:
                self.sock.sendall(self.ws.send(event.response()))
            except Exception:
                pass

    def send(self, type_: str, payload: Any) -> None:
        self.sock.sendall(self.ws.send(TextMessage(data=encode(type_, payload))))

    def send_raw(self, text: str) -> None:
        self.sock.sendall(self.ws.send(TextMessage(data=text)))

    def recv(self, timeout: float = 5.0) -> tuple[str, Any]:
        deadline = time.monotonic() + timeout
        while not self.pending:
            if self.close_code is not None:
                raise Closed(self.close_code, self.close_reason)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("no frame")
            self.sock.settimeout(remaining)
            try:
                data = self.sock.recv(65536)
            except TimeoutError as exc:
                raise TimeoutError("no frame") from exc
            except OSError:
                data = b""
            if not data:
                if self.close_code is None:
                    self.close_code = 1006
                raise Closed(self.close_code, "eof")
            self.ws.receive_data(data)
            for event in self.ws.events():
                self._handle(event)
        return self.pending.pop(0)

    def recv_until(self, predicate: Any, timeout: float = 5.0) -> list[tuple[str, Any]]:
        """Collect frames until one satisfies ``predicate(type, payload)`` (inclusive)."""
        seen: list[tuple[str, Any]] = []
        deadline = time.monotonic() + timeout
        while True:
            frame = self.recv(max(0.01, deadline - time.monotonic()))
            seen.append(frame)
            if predicate(*frame):
                return seen

    def wait_closed(self, timeout: float = 5.0) -> int | None:
        try:
            while True:
                self.recv(timeout)
        except Closed as closed:
            return closed.code

    def close(self) -> None:
        try:
            self.sock.sendall(self.ws.send(CloseConnection(code=1000, reason="bye")))
        except Exception:
            pass
        self.sock.close()


def http(
    base: str,
    method: str,
    path: str,
    *,
    headers: dict[str, str] | None = None,
    body: bytes | None = None,
    json_body: Any = None,
    timeout: float = 5.0,
) -> tuple[int, dict[str, str], bytes]:
    """One HTTP/1.1 request with h11; returns ``(status, headers, body)``."""
    parts = urlsplit(base if "://" in path else base)
    if "://" in path:
        full = urlsplit(path)
        parts = full
        target = full.path + (f"?{full.query}" if full.query else "")
    else:
        target = path
    sock = socket.create_connection((parts.hostname, parts.port), timeout=timeout)
    conn = h11.Connection(h11.CLIENT)
    hdrs = [("host", f"{parts.hostname}:{parts.port}"), ("connection", "close")]
    if json_body is not None:
        body = json.dumps(json_body).encode()
        hdrs.append(("content-type", "application/json"))
    hdrs += list((headers or {}).items())
    if body is not None:
        hdrs.append(("content-length", str(len(body))))
    out = conn.send(h11.Request(method=method, target=target, headers=hdrs))
    if body is not None:
        out += conn.send(h11.Data(data=body))
    out += conn.send(h11.EndOfMessage())
    sock.sendall(out)
    status, resp_headers, chunks = 0, {}, []
    while True:
        event = conn.next_event()
        if event is h11.NEED_DATA:
            conn.receive_data(sock.recv(65536))
            continue
        if isinstance(event, h11.Response):
            status = event.status_code
            resp_headers = {k.decode(): v.decode() for k, v in event.headers}
        elif isinstance(event, h11.Data):
            chunks.append(bytes(event.data))
        elif isinstance(event, (h11.EndOfMessage, h11.ConnectionClosed)):
            break
    sock.close()
    return status, resp_headers, b"".join(chunks)


def http_json(base: str, method: str, path: str, **kwargs: Any) -> tuple[int, Any]:
    status, _headers, body = http(base, method, path, **kwargs)
    return status, json.loads(body) if body else None
