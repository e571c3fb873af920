"""The h11 contender for ``bench/http1.py``: one request/response cycle per
connection reuse, driven as the transports' request pools drove h11 before
they switched to :class:`sogni_core.client.Http1Exchange`.
"""

from __future__ import annotations

import zlib

import h11

__all__ = ["Exchange"]


class Exchange:
    """Request/response cycles on one connection (reused while keep-alive holds)."""

    def __init__(self) -> None:
        self._conn = h11.Connection(h11.CLIENT)
        self.used = False
        """Whether a cycle ran on this connection before (a stale keep-alive
        connection may then fail on first read: the caller retries once)."""
        self._status = 0
        self._headers: list[tuple[str, str]] = []
        self._body: list[bytes] = []

    def __repr__(self) -> str:
        return f"Exchange(used={self.used})"

    def start(
        self,
        method: str,
        host: str,
        target: str,
        headers: list[tuple[str, str]],
        body: bytes | None,
    ) -> bytes:
        """The bytes of one complete request."""
        names = {k.lower() for k, _ in headers}
        extra: list[tuple[str, str]] = [] if "host" in names else [("host", host)]
        if body is not None and "content-length" not in names:
            extra.append(("content-length", str(len(body))))
        elif body is None and method in ("POST", "PUT", "PATCH"):
            extra.append(("content-length", "0"))
        self._status, self._headers, self._body = 0, [], []
        data = self._conn.send(
            h11.Request(method=method, target=target, headers=[*extra, *headers])
        )
        if body:
            data += self._conn.send(h11.Data(data=body))
        return data + self._conn.send(h11.EndOfMessage())

    def receive(self, data: bytes) -> bool:
        """Feed received bytes (``b""`` at EOF).

        Returns:
            ``True`` once the whole response has arrived.

        Raises:
            h11.RemoteProtocolError: the peer broke HTTP/1.1 or closed early.
        """
        self._conn.receive_data(data)
        while True:
            event = self._conn.next_event()
            if event is h11.NEED_DATA:
                return False
            if isinstance(event, h11.InformationalResponse):
                continue
            if isinstance(event, h11.Response):
                self._status = event.status_code
                self._headers = [
                    (k.decode("latin-1"), v.decode("latin-1")) for k, v in event.headers
                ]
            elif isinstance(event, h11.Data):
                self._body.append(bytes(event.data))
            elif isinstance(event, h11.EndOfMessage):
                return True
            elif isinstance(event, h11.ConnectionClosed):
                raise h11.RemoteProtocolError("connection closed before the response ended")

    def result(self) -> tuple[int, list[tuple[str, str]], bytes]:
        """``(status, headers, body)`` of the finished response (body decoded
        from ``gzip``/``deflate`` if the server compressed it unasked)."""
        body = b"".join(self._body)
        for name, value in self._headers:
            if name == "content-encoding" and value.lower() in ("gzip", "deflate"):
                body = zlib.decompress(body, 47)  # gzip or zlib header
        return self._status, self._headers, body

    def finish(self) -> bool:
        """End the cycle.

        Returns:
            ``True`` when the connection can carry another request.
        """
        self.used = True
        if self._conn.our_state is h11.DONE and self._conn.their_state is h11.DONE:
            self._conn.start_next_cycle()
            return True
        return False
