"""One WebSocket session: outgoing pipeline (subscriptions, faults, recording).

The session knows its connection id, appId, principal, network and
subscription overrides.  :meth:`SocketSession.send` is the only way frames
leave the emulator: it filters by subscriptions (01 §3.6), applies frame
faults (malformed/duplicate/reorder/close/drop), records, and writes one
binary frame (01 §2.1).
"""

from __future__ import annotations

import asyncio
import base64
from typing import Any

from ._frames import encode_frame
from .auth import Principal
from .faults import FaultPlan
from .record import Recorder
from .server import WebSocketIO
from .subscriptions import fold_update, should_deliver

__all__ = ["JOB_EVENTS", "SocketSession"]

JOB_EVENTS = frozenset(
    {"jobState", "jobProgress", "jobETA", "jobResult", "jobError", "jobRetry", "jobTokens"}
)
_MALFORMED = (
    b'{"type":"jobProgress","data":',  # truncated JSON
    b'{"type":"jobProgress","data":"!!not-base64!!"}',
    b'{"type":"jobProgress"}',  # no data: clients drop it (01 §2.1)
)


class SocketSession:
    """Server side of one client connection."""

    def __init__(
        self,
        *,
        conn_id: int,
        ws: WebSocketIO,
        principal: Principal,
        app_id: str,
        network: str,
        overrides: dict[str, bool],
        faults: FaultPlan,
        recorder: Recorder,
    ) -> None:
        self.conn_id = conn_id
        self.ws = ws
        self.principal = principal
        self.app_id = app_id
        self.network = network
        self.overrides = overrides
        self.frames_sent = 0
        self._faults = faults
        self._recorder = recorder
        self._held: tuple[str, Any] | None = None
        self._pending: set[asyncio.Future[None]] = set()
        self._lock = asyncio.Lock()
        self.closed = False

    @property
    def account_id(self) -> str:
        return self.principal.account.id

    def update_subscriptions(self, update: Any) -> dict[str, bool]:
        """Fold a ``setSocketEventSubscriptions`` payload into the overrides."""
        if isinstance(update, dict):
            self.overrides = fold_update(self.overrides, update)
        return dict(self.overrides)

    def wants(self, event: str) -> bool:
        return should_deliver(self.overrides, event)

    async def send(self, type_: str, payload: Any) -> bool:
        """Send one event (subject to subscriptions and faults).

        Returns:
            ``True`` when the frame was written, ``False`` when filtered or
            the connection is gone.
        """
        if self.closed or not self.ws.open:
            return False
        if not self.wants(type_):
            return False
        async with self._lock:
            actions = self._faults.on_frame(self.frames_sent, type_ in JOB_EVENTS)
            for action, arg in actions:
                if action == "malformed":
                    await self._write_raw(_MALFORMED[int(arg) % len(_MALFORMED)])
            names = {action for action, _ in actions}
            if "reorder" in names and self._held is None:
                self._held = (type_, payload)
                asyncio.get_running_loop().call_later(0.2, self._flush_later)
            else:
                await self._write(type_, payload)
                if "duplicate" in names:
                    await self._write(type_, payload)
                if self._held is not None:
                    held, self._held = self._held, None
                    await self._write(*held)
            for action, arg in actions:
                if action == "close":
                    await self.close(int(arg), "fault injected")
                elif action == "drop":
                    self.drop()
        return True

    def _flush_later(self) -> None:
        if self._held is not None and not self.closed:
            held, self._held = self._held, None
            task = asyncio.ensure_future(self._write(*held))
            self._pending.add(task)
            task.add_done_callback(self._pending.discard)

    async def _write(self, type_: str, payload: Any) -> None:
        text = encode_frame(type_, payload)
        self.frames_sent += 1
        self._recorder.write(
            {"kind": "ws", "conn": self.conn_id, "dir": "out", "type": type_, "payload": payload}
        )
        await self.ws.send_bytes(text.encode("utf-8"))

    async def _write_raw(self, data: bytes) -> None:
        self.frames_sent += 1
        self._recorder.write(
            {
                "kind": "ws",
                "conn": self.conn_id,
                "dir": "out",
                "type": None,
                "raw": base64.b64encode(data).decode("ascii"),
            }
        )
        await self.ws.send_bytes(data)

    async def close(self, code: int, reason: str = "") -> None:
        """Close with a code (4015, 4021, 1001, 1012...)."""
        if self.closed:
            return
        self.closed = True
        await self.ws.close(code, reason)

    def drop(self) -> None:
        """Abort the TCP connection without a close frame."""
        self.closed = True
        self.ws.abort()
