"""The pump: feed the sans-IO :class:`SogniConnection`, perform its actions.

Three kinds of background work, all without protocol logic:

* the **pump** task waits for a wake-up or the core's next deadline, fires
  ``on_timer``, writes the frames ``data_to_send()`` returned (one writer, so
  frames keep their order) and performs the actions ``events()`` returned;
* one **reader** per socket feeds every message to ``receive_frame`` (all the
  messages of one socket read under one lock) and the socket's end to
  ``receive_close``;
* short **action** tasks run the REST calls the core asks for
  (``FetchResultUrl``...) and feed the answers back.

App events are handed to a callback; the client routes them to projects.
Every core call goes through :meth:`Driver.call`, which holds the core lock
(a no-op on event loops, a real lock for the threaded copy).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from sogni_core.client import TLS_HANDSHAKE_FAILED, WebSocketClosed, socket_headers
from sogni_core.protocol._errors import SogniError
from sogni_core.protocol.rest import build_request, parse_download_url
from sogni_core.state import events as ev
from sogni_core.state.connection import SogniConnection
from sogni_core.state.project import StalenessOutcome

from . import _backend as backend
from ._rest import RestClient

__all__ = ["Driver"]

log = logging.getLogger("sogni.driver")

#: REST actions (result URLs, previews, liveness) in flight at once. Without a
#: bound, a burst of 1000 results queues 1000 requests in the HTTP pool, whose
#: bookkeeping is O(queued x connections) per request (bench/README.md).
MAX_CONCURRENT_ACTIONS = 16

#: Core events the pump acts on itself; every other event goes to ``on_event``.
_FETCHES = (ev.FetchResultUrl, ev.FetchPreviewUrl)
"""Actions queued for the fetchers wherever they are collected (no pump needed)."""
_ACTIONS = frozenset(
    {
        ev.OpenSocket,
        ev.CloseSocket,
        ev.SendPing,
        ev.CheckProjectLiveness,
    }
)


@contextlib.contextmanager
def swallow_protocol_errors(logger: logging.Logger) -> Iterator[None]:
    """Log (never raise) a core error inside the pump: one bad input must not
    stop the connection; the core's sticky ERROR state reports it."""
    try:
        yield
    except SogniError as exc:
        logger.warning("core rejected an input: %s", type(exc).__name__)


class Driver:
    """Runs one :class:`SogniConnection` over a WebSocket and a REST client.

    Args:
        conn: the sans-IO connection.
        rest: the REST client (credentials, retries).
        tasks: the task group background work runs in.
        on_event: called with every app event, in order, from the pump.
        on_fatal: called when opening the socket failed in a way no retry
            fixes (a rejected TLS certificate).
        verify: TLS verification for the socket.
        websocket: the WebSocket implementation (one of ``backend.WEBSOCKETS``).
    """

    def __init__(
        self,
        conn: SogniConnection,
        rest: RestClient,
        tasks: backend.TaskGroup,
        on_event: Callable[[ev.Event], None],
        *,
        on_fatal: Callable[[Exception], None] | None = None,
        verify: Any = True,
        websocket: str = backend.WEBSOCKETS[0],
    ) -> None:
        self.conn = conn
        self._rest = rest
        self._tasks = tasks
        self._on_event = on_event
        self._on_fatal = on_fatal
        self.last_open_error: str | None = None
        """Why the last socket open failed (for error messages), if it did."""
        self._verify = verify
        self._websocket = websocket
        self._lock = backend.CoreLock()
        self._wake = backend.Event()
        self._frames: list[str] = []
        self._events: list[ev.Event] = []
        self._ws: backend.WebSocket | None = None
        self._closing = False
        self._running = False
        self._stopped = backend.Event()
        self._slots = backend.Semaphore(MAX_CONCURRENT_ACTIONS)
        self._busy = True  # the pump is handling a batch (not parked in its wait)
        self._delivering = 0  # inline batches being delivered (at most one)
        self._delivered = backend.Event()  # set when the last inline batch is done
        self._waiting_for: float | None = None  # the deadline the parked pump waits for
        self._fetch_queue: backend.Queue | None = None  # URL fetches for the fetchers
        self._fetchers = 0  # fetcher tasks running (at most MAX_CONCURRENT_ACTIONS)
        self._idle_fetchers = 0  # of those, waiting on the queue

    def __repr__(self) -> str:
        return f"Driver(state={self.conn.state.name})"

    # -- core access -------------------------------------------------------------

    def call(self, verb: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Run one core verb with ``now``, collect its outputs, wake the pump."""
        with self._lock:
            try:
                return verb(*args, now=backend.monotonic(), **kwargs)
            finally:
                self._collect()
                self._wake.set()

    def receive_frames(self, messages: list[str | bytes]) -> None:
        """Feed every message one socket read delivered, under one lock and clock.

        A message the core rejects is logged and skipped; the rest still go in.
        When the reads only produced app events and the pump is idle, they are
        delivered here, in order, saving the pump a wake-up per read.
        """
        self._feed(self.conn.receive_frame, zip(messages))

    def answer(self, verb: Callable[..., Any], *args: Any) -> None:
        """Feed the answer of one of the driver's own actions (a fetched URL...).

        Like :meth:`call` with core errors logged, but the events it produced
        may be delivered here, as :meth:`receive_frames` does.
        """
        self._feed(verb, (args,))

    def _feed(self, verb: Callable[..., Any], inputs: Iterable[tuple[Any, ...]]) -> None:
        """Call ``verb(*args)`` for each input under one lock and clock (a rejected
        one is logged and skipped), then deliver the events here or wake the pump."""
        inline: list[ev.Event] | None = None
        with self._lock:
            try:
                now = backend.monotonic()
                for args in inputs:
                    try:
                        verb(*args, now=now)
                    except SogniError as exc:
                        log.warning("core rejected an input: %s", type(exc).__name__)
            finally:
                inline = self._collect_or_wake()
        if inline is None:
            return
        try:
            self._deliver(inline)
        finally:
            with self._lock:
                self._delivering -= 1
                if not self._delivering:
                    self._delivered.set()

    def _collect_or_wake(self) -> list[ev.Event] | None:
        """Collect the core's outputs; take the events to deliver inline, or wake the pump."""
        self._collect()
        if self._events and self._can_deliver_inline():
            events, self._events = self._events, []
            self._delivering += 1  # the pump delivers nothing until this batch is done
            return events
        self._wake.set()
        return None

    def _can_deliver_inline(self) -> bool:
        # The pump must be parked in its wait (not mid-batch, so nothing of its
        # own is undelivered), no other inline batch may be under way (threads),
        # nothing may be left to write or to act on, and the core's next
        # deadline must not be earlier than the one the pump waits for.
        if self._busy or self._delivering or self._frames or self._closing:
            return False
        if any(type(event) in _ACTIONS for event in self._events):
            return False
        deadline = self.conn.next_deadline()
        return deadline is None or (self._waiting_for is not None and deadline >= self._waiting_for)

    def _deliver(self, events: Sequence[ev.Event]) -> None:
        on_event = self._on_event
        for event in events:
            if isinstance(event, _FETCHES):
                self._queue_fetch(event)
                continue
            try:
                on_event(event)
            except Exception:
                log.exception("event callback failed for %s", type(event).__name__)

    def _collect(self) -> None:
        self._frames.extend(self.conn.data_to_send())
        self._events.extend(self.conn.events())

    # -- the pump ------------------------------------------------------------------

    def start(self) -> None:
        """Start the pump task."""
        self._running = True
        self._tasks.start_soon(self._pump)

    async def _pump(self) -> None:
        try:
            while True:
                with self._lock:
                    deadline = self.conn.next_deadline()
                    self._waiting_for = deadline
                    self._busy = False
                timeout = None if deadline is None else deadline - backend.monotonic()
                await backend.wait_event(self._wake, timeout)
                self._wake.clear()
                with self._lock:
                    self._busy = True
                    if deadline is not None and backend.monotonic() >= deadline:
                        with swallow_protocol_errors(log):
                            self.conn.on_timer(now=backend.monotonic())
                    self._collect()
                    frames, self._frames = self._frames, []
                    events, self._events = self._events, []
                await self._after_inline_delivery()
                if frames:
                    await self._write(frames)
                for event in events:
                    if type(event) in _ACTIONS:
                        await self._perform(event)
                    else:
                        self._deliver((event,))
                if self._closing and self._ws is None and not self._frames and not self._events:
                    break
        finally:
            self._stopped.set()

    async def _after_inline_delivery(self) -> None:
        """Wait until a batch another thread is delivering inline is done (its
        events came first). Never waits on asyncio or trio, where inline
        delivery finishes before the pump can run."""
        while True:
            with self._lock:
                if not self._delivering:
                    return
                self._delivered.clear()
            await backend.wait_event(self._delivered, None)

    async def _write(self, frames: list[str]) -> None:
        ws = self._ws
        if ws is None:
            log.debug("dropping %d frame(s): no socket", len(frames))
            return
        try:
            for text in frames:
                await ws.send_text(text)
        except WebSocketClosed as exc:
            log.debug("write failed: %s", exc.reason)

    async def _perform(self, event: ev.Event) -> None:
        if isinstance(event, ev.OpenSocket):
            self._tasks.start_soon(self._run_socket, event.url)
        elif isinstance(event, ev.CloseSocket):
            ws, self._ws = self._ws, None
            if ws is not None:
                await ws.close(event.code, event.reason)
        elif isinstance(event, ev.SendPing):
            if self._ws is not None:
                try:
                    await self._ws.send_ping()
                except WebSocketClosed:
                    pass
        elif isinstance(event, ev.CheckProjectLiveness):
            self._tasks.start_soon(self._check_liveness, event.project_id)
        else:
            try:
                self._on_event(event)
            except Exception:
                log.exception("event callback failed for %s", type(event).__name__)

    # -- the socket ----------------------------------------------------------------

    async def _run_socket(self, url: str) -> None:
        try:
            headers = socket_headers(await self._rest.auth())
            ws = await backend.open_websocket(
                url, headers, verify=self._verify, tasks=self._tasks, library=self._websocket
            )
        except WebSocketClosed as exc:
            log.debug("socket open failed: %s", exc.reason)
            self.last_open_error = exc.reason
            if exc.code == TLS_HANDSHAKE_FAILED and self._on_fatal is not None:
                self._on_fatal(exc)
            self._report_close(exc.code, exc.reason)
            return
        except Exception as exc:  # refresh or login failure...
            log.debug("socket open failed: %s", type(exc).__name__)
            self.last_open_error = f"open failed: {type(exc).__name__}"
            self._report_close(1006, self.last_open_error)
            return
        if self._closing:
            await ws.close(1000, "Client disconnected")
            return
        self._ws = ws
        with swallow_protocol_errors(log):
            self.call(self.conn.on_open)
        # Backends that can push hand every read's messages to receive_frames from
        # their read callback (no task wake-up per read); the loop then only waits
        # for the end. The others return False and are pulled below.
        ws.deliver_to(self.receive_frames)
        while True:
            try:
                messages = await ws.receive_some()
            except WebSocketClosed as exc:
                if self._ws is ws:
                    self._ws = None
                    self._report_close(exc.code, exc.reason)
                else:
                    self._wake.set()
                return
            self.receive_frames(messages)

    def _report_close(self, code: int, reason: str) -> None:
        log.debug("socket closed: %d %s", code, reason)
        with swallow_protocol_errors(log):
            self.call(self.conn.receive_close, code, reason)

    # -- REST actions ------------------------------------------------------------------

    async def _fetch(self, path: str, query: tuple[tuple[str, str], ...]) -> str:
        async with self._slots:
            request = build_request(
                "GET", self._rest.hosts.rest, path, auth=await self._rest.auth(), query=query
            )
            status, headers, body = await self._rest.send(request)
        return parse_download_url(status, headers, body)

    def _queue_fetch(self, action: ev.FetchResultUrl | ev.FetchPreviewUrl) -> None:
        """Hand a URL fetch to an idle fetcher, or start one (at most
        ``MAX_CONCURRENT_ACTIONS``); never waits, so it runs wherever events
        are delivered (the pump, the socket reader, a REST answer)."""
        with self._lock:
            if self._closing:
                return  # the fetchers are stopping; nobody waits for the answer
            if self._fetch_queue is None:
                self._fetch_queue = backend.Queue()
            self._fetch_queue.put_nowait(action)
            if self._idle_fetchers or self._fetchers >= MAX_CONCURRENT_ACTIONS:
                return  # a fetcher takes it
            self._fetchers += 1
        self._tasks.start_soon(self._fetcher, self._fetch_queue)

    async def _fetcher(self, queue: backend.Queue) -> None:
        """Fetch queued result/preview URLs until the client closes: a burst
        of results costs at most ``MAX_CONCURRENT_ACTIONS`` long-lived tasks
        (threads on the blocking client), not one per job."""
        try:
            while True:
                with self._lock:
                    self._idle_fetchers += 1
                try:
                    action = await queue.get()
                finally:
                    with self._lock:
                        self._idle_fetchers -= 1
                if action is None:  # aclose: stop
                    return
                if isinstance(action, ev.FetchResultUrl):
                    await self._fetch_result(action)
                else:
                    await self._fetch_preview(action)
        finally:
            with self._lock:
                self._fetchers -= 1

    async def _fetch_result(self, action: ev.FetchResultUrl) -> None:
        url: str | None
        try:
            url = await self._fetch(action.path, action.query)
        except Exception as exc:
            log.debug("result URL fetch failed: %s", type(exc).__name__)
            url = None
        self.answer(self.conn.result_url_resolved, action.project_id, action.job_id, url)

    async def _fetch_preview(self, action: ev.FetchPreviewUrl) -> None:
        try:
            url = await self._fetch(action.path, action.query)
        except Exception as exc:
            log.debug("preview URL fetch failed: %s", type(exc).__name__)
            return
        self.answer(self.conn.preview_url_resolved, action.project_id, action.job_id, url)

    async def _check_liveness(self, project_id: str) -> None:
        # 01 §4.12.2: listed as active -> alive; else read the REST record and
        # let the core apply it (synced); unknown to REST -> gone.
        outcome = StalenessOutcome.FAILED
        record: Any = None
        try:
            async with self._slots:
                active = await self._rest.call("artist_projects_active")
                ids = {str(getattr(p, "id", "")).upper() for p in getattr(active, "projects", ())}
                if project_id.upper() in ids:
                    outcome = StalenessOutcome.ALIVE
                else:
                    path = {"projectId": project_id}
                    data = await self._rest.call("project_get", path_params=path)
                    record = data.project
                    outcome = StalenessOutcome.SYNCED
        except Exception as exc:
            if getattr(exc, "status", None) == 404:
                outcome = StalenessOutcome.GONE
            log.debug("liveness check: %s", type(exc).__name__)
        with swallow_protocol_errors(log):
            if record is not None:
                self.call(self.conn.apply_rest_project, project_id, record)
            self.call(self.conn.staleness_checked, project_id, outcome)

    # -- shutdown ----------------------------------------------------------------------

    async def aclose(self, timeout: float = 3.0) -> None:
        """Close the socket politely and stop the pump."""
        self._closing = True
        if not self._running:
            return
        with swallow_protocol_errors(log):
            self.call(self.conn.close)
        with self._lock:  # one stop mark per fetcher (threads wait on the queue)
            if self._fetch_queue is not None:
                for _ in range(self._fetchers):
                    self._fetch_queue.put_nowait(None)
        await backend.wait_event(self._stopped, timeout)
        ws, self._ws = self._ws, None
        if ws is not None:
            await ws.close(1000, "Client disconnected")
