"""``--record FILE``: a JSON-lines log of every frame and every REST call.

One JSON object per line, in the order things happened:

* socket frame: ``{"t": <epoch s>, "kind": "ws", "conn": <n>, "dir": "in"|"out",
  "type": <message type>, "payload": <decoded JSON>}``; frames that fail to
  decode are logged with ``"type": null`` and ``"raw": <text>``;
* socket lifecycle: ``{"kind": "ws-open", "conn", "appId", "query"}`` and
  ``{"kind": "ws-close", "conn", "code", "reason"}``;
* REST call: ``{"kind": "rest", "method", "path", "query", "headers", "status",
  "request": <JSON body or {"bytes": n, "contentType"}>, "response": <likewise>}``
  (``headers`` lower-cased, as received).

Secrets are redacted before writing: ``api-key``/``Authorization`` values,
``token``, ``refreshToken``, ``password``, ``signature``, ``approveSignature``,
``turnstileToken`` and URL signatures (``X-Signature``) become ``"[REDACTED]"``.
"""

from __future__ import annotations

import json
import re
import threading
import time
from pathlib import Path
from typing import IO, Any

__all__ = ["REDACTED", "Recorder", "redact"]

REDACTED = "[REDACTED]"
_SECRET_KEYS = frozenset(
    {
        "api-key",
        "apikey",
        "api_key",
        "authorization",
        "token",
        "refreshtoken",
        "refresh_token",
        "password",
        "signature",
        "approvesignature",
        "turnstiletoken",
        "x-signature",
    }
)
_URL_SIGNATURE = re.compile(r"(X-Signature=)[0-9A-Za-z%]+")


def redact(value: Any) -> Any:
    """Return a copy of a JSON value with every secret replaced by ``[REDACTED]``."""
    if isinstance(value, dict):
        return {
            k: (REDACTED if str(k).lower() in _SECRET_KEYS else redact(v)) for k, v in value.items()
        }
    if isinstance(value, list):
        return [redact(item) for item in value]
    if isinstance(value, str) and "X-Signature=" in value:
        return _URL_SIGNATURE.sub(r"\1" + REDACTED, value)
    return value


class Recorder:
    """Append-only JSON-lines writer (thread-safe; a no-op without a path)."""

    def __init__(self, path: str | Path | None) -> None:
        self._lock = threading.Lock()
        self._handle: IO[str] | None = None
        if path is not None:
            self._handle = Path(path).open("a", encoding="utf-8")

    @property
    def enabled(self) -> bool:
        return self._handle is not None

    def write(self, entry: dict[str, Any]) -> None:
        """Redact and append one entry (adds ``t`` when missing)."""
        if self._handle is None:
            return
        record = {"t": round(time.time(), 6), **redact(entry)}
        line = json.dumps(record, separators=(",", ":"), ensure_ascii=False, default=str)
        with self._lock:
            self._handle.write(line + "\n")
            self._handle.flush()

    def close(self) -> None:
        with self._lock:
            if self._handle is not None:
                self._handle.close()
                self._handle = None
