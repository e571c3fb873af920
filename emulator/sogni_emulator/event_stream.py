"""Append-only event logs and their SSE streams (wire reference 02 §5.5).

Workflows and durable chat runs each keep an :class:`EventLog`. The SSE
stream (:func:`sse_response`) sends ``id: <sequence>`` / ``event: <type>`` /
``data: <event>`` frames (the first also carrying ``retry: 200``), replays
events after ``max(?after=, Last-Event-ID)``, sends a ``: keep-alive``
comment frame every 15 s while idle, and closes after a terminal status.

Faults: ``sse-drop=N`` aborts a stream's TCP connection after N events
(the client must resume without gaps or duplicates).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import json
from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING, Any

from .http import AbortConnection, HttpRequest, HttpResponse

if TYPE_CHECKING:
    from .supernet import Supernet

__all__ = ["HEARTBEAT_SECONDS", "SSE_RETRY_MS", "EventLog", "iso", "sse_response"]

HEARTBEAT_SECONDS = 15.0
SSE_RETRY_MS = 200


def iso(ts: float) -> str:
    """ISO-8601 UTC with milliseconds (``2026-12-01T07:00:00.000Z``)."""
    moment = datetime.datetime.fromtimestamp(ts, tz=datetime.timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


class EventLog:
    """An append-only event list with waiters (one per workflow or chat run)."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []
        self._changed = asyncio.Event()
        self.closed = False

    def append(self, event: dict[str, Any]) -> None:
        self.events.append(event)
        self._wake()

    def close(self) -> None:
        """No more events will come (terminal state)."""
        self.closed = True
        self._wake()

    def _wake(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    async def wait(self, timeout: float) -> None:
        changed = self._changed
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(changed.wait(), timeout)


def _after(request: HttpRequest) -> int:
    best = -1
    for raw in (request.query.get("after"), request.headers.get("last-event-id")):
        if raw is not None and raw.strip().lstrip("-").isdigit():
            best = max(best, int(raw.strip()))
    return best


def sse_response(
    hub: Supernet,
    request: HttpRequest,
    log: EventLog,
    *,
    event_name: Callable[[dict[str, Any]], str],
    finished: Callable[[], bool],
) -> HttpResponse:
    """An SSE response replaying ``log`` after the client's last id, then live events.

    Args:
        hub: the emulator (faults).
        request: the GET (``?after=`` and ``Last-Event-ID``).
        log: the event log; each event's ``sequence`` is its SSE id.
        event_name: the ``event:`` name of an event.
        finished: whether the run is terminal (stream closes once caught up).
    """
    after = _after(request)
    drop_after = hub.faults.sse_drop_after()

    async def body() -> AsyncIterator[bytes]:
        # retry: rides in the first event's block: a block of its own would be
        # a data-less frame to the SDK's workflow parser (02 §5.5 rule 5).
        retry = f"retry: {SSE_RETRY_MS}\n"
        sent = 0
        position = 0
        while True:
            while position < len(log.events):
                event = log.events[position]
                position += 1
                if event["sequence"] <= after:
                    continue
                if drop_after is not None and sent >= drop_after:
                    raise AbortConnection
                data = json.dumps(event, separators=(",", ":"), ensure_ascii=False)
                frame = (
                    f"{retry}id: {event['sequence']}\nevent: {event_name(event)}\ndata: {data}\n\n"
                )
                retry = ""
                yield frame.encode("utf-8")
                sent += 1
            if finished() or log.closed:
                return
            before = len(log.events)
            await log.wait(HEARTBEAT_SECONDS)
            if len(log.events) == before and not log.closed:
                yield b": keep-alive\n\n"

    response = HttpResponse(200, content_type="text/event-stream; charset=utf-8")
    response.headers.append(("cache-control", "no-cache"))
    response.stream = body()
    return response
