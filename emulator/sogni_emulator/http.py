"""Plain HTTP request/response values shared by the server and the REST router."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

__all__ = [
    "AbortConnection",
    "HttpRequest",
    "HttpResponse",
    "error_response",
    "json_response",
    "success",
]


class AbortConnection(Exception):
    """Raised by a streaming body to drop the TCP connection mid-response (a fault)."""


_REASONS = {
    200: "OK",
    201: "Created",
    204: "No Content",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    413: "Payload Too Large",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
}


@dataclass(frozen=True)
class HttpRequest:
    """One parsed HTTP request; header names are lower-case."""

    method: str
    target: str
    headers: dict[str, str]
    body: bytes = b""

    @property
    def path(self) -> str:
        return unquote(urlsplit(self.target).path)

    @property
    def raw_path(self) -> str:
        return urlsplit(self.target).path

    @property
    def query(self) -> dict[str, str]:
        """Query parameters; the literal value ``undefined`` counts as absent (01 §4.7.1)."""
        pairs = parse_qsl(urlsplit(self.target).query, keep_blank_values=True)
        return {k: v for k, v in pairs if v != "undefined"}

    def json(self) -> Any:
        """The JSON body, or ``{}`` when empty.

        Raises:
            ValueError: the body is not JSON.
        """
        if not self.body:
            return {}
        return json.loads(self.body)


@dataclass
class HttpResponse:
    """A response to send: status, extra headers and body bytes."""

    status: int
    body: bytes = b""
    content_type: str = "application/json; charset=utf-8"
    headers: list[tuple[str, str]] = field(default_factory=list)
    stream: AsyncIterator[bytes] | None = None
    """A streamed body (chunked; SSE); ``body`` is then ignored."""

    @property
    def reason(self) -> str:
        return _REASONS.get(self.status, "Unknown")


def json_response(payload: Any, status: int = 200) -> HttpResponse:
    """Raw JSON (socket-host GETs answer without the envelope, 01 §2.6)."""
    body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return HttpResponse(status, body)


def success(data: Any = None, status: int = 200) -> HttpResponse:
    """The REST success envelope ``{"status":"success","data":...}`` (01 §6.1.2)."""
    payload: dict[str, Any] = {"status": "success"}
    if data is not None:
        payload["data"] = data
    return json_response(payload, status)


def error_response(status: int, message: str, error_code: int | None = None) -> HttpResponse:
    """The REST error envelope ``{"status":"error","message","errorCode"}`` (01 §6.1.3)."""
    payload = {"status": "error", "message": message, "errorCode": error_code or status}
    return json_response(payload, status)
