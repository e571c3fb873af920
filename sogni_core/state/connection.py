# Theory of operation
# ===================
#
# ``SogniConnection`` is the one sans-IO object a transport drives (STYLE B1,
# B2). It ties together the session machine (session.py), the subscription
# tracker (subscriptions.py), one project machine per tracked project
# (project.py) and one chat machine per LLM job (chat.py). It never performs
# I/O, reads a clock or draws randomness: every input carries ``now`` and the
# reconnect jitter comes from the ``rng`` given to the constructor.
#
# Inputs:  ``connect``, ``on_open``, ``receive_frame``, ``receive_close``,
#          ``on_timer``, the ``send_*`` verbs, ``close`` and the answers to
#          REST actions (``result_url_resolved``, ``preview_url_resolved``,
#          ``staleness_checked``, ``apply_rest_project``).
# Outputs: ``data_to_send()`` drains text frames to write on the socket;
#          ``events()`` drains app events and transport actions
#          (``OpenSocket``, ``CloseSocket``, ``SendPing``, ``Fetch*``...);
#          ``next_deadline()`` says when to call ``on_timer``.
#
# Outgoing frames and disconnects (the documented policy): a frame is written
# only while the session is READY, because the server drops frames that
# arrive before its ``authenticated`` greeting (01 §1.3.5). Frames produced
# earlier wait in a queue, in order, and are re-sent on the next READY
# socket, including across transparent reconnects. They are never silently
# dropped. A queued frame that is still unsent after ``send_timeout`` (30 s,
# the reference's send-ready timeout), or when the session ends for good
# (terminal close, local close), fails with a ``RequestFailed`` event; if it
# carried a project or an LLM job, that project/job fails as well. Frames that
# already went out on a socket that then dropped are not re-sent (the server
# may have them): projects wait for the server to resume their events (the
# staleness watchdog resolves the lost ones); LLM jobs wait up to 35 s (the
# server keeps them 30 s for a returning appId) and fail as ``transport_lost``
# unless a frame for them arrives or the next ``authenticated`` lists them in
# ``activeLLMJobIDs`` (newest reference, Chat/index.ts).
#
# Catching up after a gap (newest reference): the ``authenticated`` greeting's
# ``activeProjects``/``unclaimedCompletedProjects`` entries are replayed into
# the projects we track, and a project-level ``jobError`` 1001 ("server
# restarting") for a request the server never admitted re-sends that request,
# once, on the next socket instead of failing the project.
#
# A terminal close fails every unfinished project with ``{code: 0, "Server
# disconnected"}`` (01 §1.7, the 5.17 reference; 5.54 leaves them hanging).
# Frames that arrive after a local ``close`` (during the close handshake) are
# dropped; a frame with no socket at all is a RemoteProtocolError and the
# session lands in ERROR, after which every input raises.

"""The single sans-IO connection object; see the theory comment above."""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import msgspec

from sogni_core.protocol import frames
from sogni_core.protocol._errors import (
    InvalidParamsError,
    LocalProtocolError,
    ProtocolError,
    RemoteProtocolError,
)
from sogni_core.protocol._generated import socket as wire
from sogni_core.protocol._generated.enums import Network
from sogni_core.state import events as ev
from sogni_core.state._adapters import feed_chat, feed_project, feed_rest_record
from sogni_core.state._rules import ProjectSpec, error_info_from_wire
from sogni_core.state.chat import CHAT_TIMEOUT_SECONDS, ChatMachine
from sogni_core.state.project import ProjectMachine, SendCancel, StalenessOutcome
from sogni_core.state.session import (
    ReconnectPolicy,
    Session,
    SessionState,
    SessionTimer,
    build_socket_url,
)
from sogni_core.state.subscriptions import SubscriptionTracker

__all__ = ["DEFAULT_CLIENT_NAME", "SEND_TIMEOUT_SECONDS", "SogniConnection"]

SEND_TIMEOUT_SECONDS = 30.0
DEFAULT_CLIENT_NAME = "Sogni/3.0.0 (sogni-core) 0.1.0"
GC_SECONDS = 30.0
SERVER_RESTARTING = 1001
RESUBMIT_WAIT_SECONDS = 60.0
LLM_TRANSPORT_GRACE_SECONDS = 35.0
"""Newest reference: the server keeps an artist's LLM job 30 s after a drop."""
"""01 §4.11.5: finished projects are forgotten 30 s after they end."""

_DISCONNECTED = ev.ErrorInfo(code=0, message="Server disconnected")
# Server events routed by their jobID to a project or chat machine.
_JOB_EVENTS = frozenset(
    {
        wire.JobStateQueued,
        wire.JobStateInitiatingModel,
        wire.JobStateJobStarted,
        wire.JobStateAssigned,
        wire.JobStateJobCompleted,
        wire.JobStatePending,
        wire.JobProgress,
        wire.JobETA,
        wire.JobResult,
        wire.JobError,
        wire.JobRetry,
        wire.JobTokens,
        wire.LLMJobResult,
        wire.LLMJobError,
    }
)


class _Outgoing(msgspec.Struct, frozen=True):
    kind: str
    id: str | None
    text: str
    created: float


class SogniConnection:
    """One Supernet socket connection, as a sans-IO state machine.

    Args:
        socket_url: configured socket URL (``wss://socket.sogni.ai``).
        app_id: unique app id of this connection (01 §1.2).
        rng: returns uniform floats in ``[0, 1)``; used for backoff jitter.
        network: initial network, ``fast`` (default) or ``relaxed``.
        client_name: the ``clientName`` query value.
        app_source: optional ``appSource``.
        attribution: normalized connection attribution pairs (01 §1.2.1).
        subscriptions: initial socket event subscription map (01 §3.4).
        policy: reconnect backoff policy.
        ping_interval: seconds between pings (``None`` disables them).
        auth_fallback: seconds before a silent open socket counts as ready.
        send_timeout: seconds a queued frame may wait for a ready socket.
        chat_timeout: local timeout of non-streaming chat jobs.
    """

    def __init__(
        self,
        *,
        socket_url: str,
        app_id: str,
        rng: Callable[[], float],
        network: str = "fast",
        client_name: str = DEFAULT_CLIENT_NAME,
        app_source: str | None = None,
        attribution: Iterable[tuple[str, str]] = (),
        subscriptions: Mapping[str, Any] | None = None,
        policy: ReconnectPolicy | None = None,
        ping_interval: float | None = 15.0,
        auth_fallback: float | None = 10.0,
        send_timeout: float = SEND_TIMEOUT_SECONDS,
        chat_timeout: float = CHAT_TIMEOUT_SECONDS,
    ) -> None:
        self.session = Session(
            policy=policy, ping_interval=ping_interval, auth_fallback=auth_fallback
        )
        self.subscriptions = SubscriptionTracker(subscriptions)
        self.network = network
        self.projects: dict[str, ProjectMachine] = {}
        self.chats: dict[str, ChatMachine] = {}
        self._socket_url = socket_url
        self._app_id = app_id
        self._client_name = client_name
        self._app_source = app_source
        self._attribution = tuple(attribution)
        self._rng = rng
        self._send_timeout = send_timeout
        self._chat_timeout = chat_timeout
        self._queue: list[_Outgoing] = []
        self._outbox: list[_Outgoing] = []
        self._events: list[ev.Event] = []
        self._sent_chats: set[str] = set()
        self._awaiting_chats: dict[str, float] = {}  # job id -> give-up time
        self._ended_at: dict[str, float] = {}
        # 5.54 resubmit-after-restart: requests not yet admitted by the server,
        # and refused ones waiting for the next socket (item, give-up time).
        self._unadmitted: dict[str, _Outgoing] = {}
        self._resubmit: dict[str, tuple[_Outgoing, float, str]] = {}
        # next_deadline per frame must not ask every project: projects append
        # themselves to _touched when their deadline may change, and the
        # earliest project deadline is the top of a heap of (key, seq, project)
        # entries. An entry is current while _heap_keys[id] == (seq, key); its
        # key is a lower bound of the project's deadline (see _projects_deadline).
        self._touched: list[ProjectMachine] = []
        self._heap: list[tuple[float, int, ProjectMachine]] = []
        self._heap_keys: dict[str, tuple[int, float]] = {}
        self._seq = 0

    # -- outputs ---------------------------------------------------------------

    @property
    def state(self) -> SessionState:
        """The session state (``ERROR`` is sticky)."""
        return self.session.state

    def data_to_send(self) -> list[str]:
        """Drain the text frames to write, in order (STYLE B2)."""
        out = [o.text for o in self._outbox]
        self._outbox.clear()
        return out

    def events(self) -> list[ev.Event]:
        """Drain the pending app events and transport actions, in order."""
        out, self._events = self._events, []
        return out

    def next_deadline(self) -> float | None:
        """The earliest time :meth:`on_timer` has work, or ``None``.

        Cheap enough to ask after every frame: projects are not visited (see
        ``_projects_deadline``) and the other timers are a handful of values.
        """
        best = self.session.next_deadline()
        found = self._projects_deadline()
        if found is not None and (best is None or found < best):
            best = found
        if self.chats:
            for chat in self.chats.values():
                found = chat.next_deadline()
                if found is not None and (best is None or found < best):
                    best = found
        if self._queue:
            found = self._queue[0].created + self._send_timeout
            if best is None or found < best:
                best = found
        if self._ended_at:
            # min(t) + c == min(t + c): float addition is monotonic.
            found = min(self._ended_at.values()) + GC_SECONDS
            if best is None or found < best:
                best = found
        if self._resubmit:
            found = min(give_up for _, give_up, _ in self._resubmit.values())
            if best is None or found < best:
                best = found
        if self._awaiting_chats:
            found = min(self._awaiting_chats.values())
            if best is None or found < best:
                best = found
        return best

    def _projects_deadline(self) -> float | None:
        """The earliest deadline of every tracked project, or ``None``.

        A project whose deadline moved earlier gets a new heap entry at once.
        One whose deadline moved later (the staleness deadline does on every
        event) keeps its entry, now a lower bound, and is re-keyed only when
        that entry reaches the top: a frame costs one cached lookup, not a push.
        """
        heap, keys, projects = self._heap, self._heap_keys, self.projects
        touched = self._touched  # the projects hold this list: clear it in place
        if touched:
            for project in touched:
                pid = project.id
                if projects.get(pid) is not project:
                    continue  # forgotten (or replaced) meanwhile
                deadline = project.next_deadline()
                if deadline is None:
                    keys.pop(pid, None)
                    continue
                entry = keys.get(pid)
                if entry is None or deadline < entry[1]:
                    self._seq += 1
                    keys[pid] = (self._seq, deadline)
                    heapq.heappush(heap, (deadline, self._seq, project))
            touched.clear()
            if len(heap) > 2 * len(keys) + 64:  # drop the superseded entries
                heap[:] = [e for e in heap if keys.get(e[2].id) == (e[1], e[0])]
                heapq.heapify(heap)
        while heap:
            key, seq, project = heap[0]
            pid = project.id
            if keys.get(pid) != (seq, key) or projects.get(pid) is not project:
                heapq.heappop(heap)  # superseded, or the project is gone
                continue
            deadline = project.next_deadline()
            if deadline == key:
                return key
            if deadline is None:
                del keys[pid]
                heapq.heappop(heap)
            else:  # it moved since this entry was made: re-key it
                self._seq += 1
                keys[pid] = (self._seq, deadline)
                heapq.heapreplace(heap, (deadline, self._seq, project))
        return None

    # -- plumbing ----------------------------------------------------------------

    def _resubmitted_after_restart(self, pid: str, msg: Any, now: float) -> bool:
        """Newest reference: a project-level ``jobError`` 1001 ("server
        restarting") for a request the server never admitted means nothing ran
        and nothing was charged; send the request again, once, on the next
        socket (waiting at most 60 s for it) instead of failing the project."""
        if not isinstance(msg, wire.JobError) or msg.img_id:
            return False
        item = self._unadmitted.pop(pid, None)
        info = error_info_from_wire(msg.error, msg.error_message)
        if item is None or info.code != SERVER_RESTARTING or info.original_code is not None:
            return False
        self._resubmit[pid] = (item, now + RESUBMIT_WAIT_SECONDS, info.message)
        return True

    def _recover(self, msg: wire.Authenticated, now: float) -> None:
        """Replay the server's recovery entries for projects we track.

        Newest reference: after a reconnect the server lists the artist's
        ``activeProjects`` and ``unclaimedCompletedProjects`` in
        ``authenticated``; replaying them catches up on frames missed during
        the gap. Untracked entries are not rehydrated (the application sees
        them in ``SessionReady.authenticated``).
        """
        for entry in (*(msg.active_projects or ()), *(msg.unclaimed_completed_projects or ())):
            pid = entry.get("id") if isinstance(entry, Mapping) else None
            project = self.projects.get(pid.upper()) if isinstance(pid, str) else None
            if project is not None and entry.get("jobType") != "llm":
                self._unadmitted.pop(project.id, None)
                self._emit(feed_rest_record(project, entry, now, include_in_flight=True), now)

    def _recover_chats(self, live: tuple[str, ...] | None, now: float) -> None:
        """Newer servers list the LLM jobs that survived in ``activeLLMJobIDs``;
        the others fail now. Without the list, jobs wait for the grace deadline."""
        if live is None:
            return
        alive = {job_id.upper() for job_id in live}
        for job_id in sorted(self._awaiting_chats):
            if job_id in alive:
                self._sent_chats.add(job_id)
            else:
                self._fail_chat(job_id, now)
        self._awaiting_chats.clear()

    def _fail_chat(self, job_id: str, now: float) -> None:
        chat = self.chats.get(job_id)
        if chat is not None and not chat.finished:
            self._emit(chat.disconnected(), now)

    def _check_usable(self) -> None:
        if self.session.state is SessionState.ERROR:
            raise LocalProtocolError("connection is in the ERROR state")

    def _emit(self, items: Iterable[ev.Event], now: float) -> None:
        for item in items:
            if isinstance(item, SendCancel):
                cancel = wire.CancelJob(job_id=item.project_id)
                self._enqueue("jobError", item.project_id, cancel, now)
            else:
                self._events.append(item)
                if isinstance(item, (ev.ProjectCompleted, ev.ProjectFailed, ev.ProjectCanceled)):
                    self._ended_at[item.project_id] = now

    def _open(self) -> None:
        url = build_socket_url(
            self._socket_url,
            app_id=self._app_id,
            client_name=self._client_name,
            network=self.network,
            app_source=self._app_source,
            attribution=self._attribution,
            subscriptions_json=self.subscriptions.url_value(resending=self._queued_updates()),
        )
        self._events.append(ev.OpenSocket(url=url))

    def _queued_updates(self) -> int:
        """Subscription updates not yet written: they go out on the next socket."""
        return sum(
            1 for o in (*self._queue, *self._outbox) if o.kind == "setSocketEventSubscriptions"
        )

    def _enqueue(self, kind: str, ident: str | None, message: msgspec.Struct, now: float) -> None:
        item = _Outgoing(kind, ident, frames.encode_message(message), now)
        if self.session.state is SessionState.READY:
            self._deliver(item)
        else:
            self._queue.append(item)
            if self.session.state in (SessionState.IDLE, SessionState.DISCONNECTED):
                self.connect(now=now)  # any send auto-connects (01 §1.3.5)

    def _deliver(self, item: _Outgoing) -> None:
        self._outbox.append(item)
        if item.kind == "llmJobRequest" and item.id is not None:
            self._sent_chats.add(item.id)

    def _flush(self, now: float) -> None:
        queued, self._queue = self._queue, []
        for item in queued:
            self._deliver(item)
        for project in self.projects.values():
            project.set_transport_up(True, now=now)

    def _fail_item(self, item: _Outgoing, reason: str, now: float) -> None:
        self._events.append(ev.RequestFailed(kind=item.kind, id=item.id, error=reason))
        error = ev.ErrorInfo(code=0, message=reason)
        if item.kind == "jobRequest" and item.id in self.projects:
            self._emit(self.projects[item.id].fail_locally(error, now=now), now)
        elif item.kind == "llmJobRequest" and item.id in self.chats:
            chat = self.chats[item.id]
            if not chat.finished:
                self._emit(chat.disconnected(), now)

    def _fail_queue(self, reason: str, now: float) -> None:
        queued, self._queue = self._queue, []
        for item in queued:
            self._fail_item(item, reason, now)

    # -- session inputs ------------------------------------------------------------

    def connect(self, *, now: float) -> None:
        """Open the socket (emits ``Connecting`` and ``OpenSocket``).

        Raises:
            LocalProtocolError: a socket already exists or the connection was
                closed (the session lands in ERROR).
        """
        self._check_usable()
        self.session.connect()
        self._events.append(ev.Connecting(network=self.network))
        self._open()

    def on_open(self, *, now: float) -> None:
        """The WebSocket handshake finished."""
        self._check_usable()
        self.session.socket_opened(now)
        self._events.append(ev.Connected(network=self.network))

    def receive_close(self, code: int | None, reason: str = "", *, now: float) -> None:
        """The socket ended (also for failed handshakes: report code 1006).

        Raises:
            RemoteProtocolError: there was no socket (the session lands in ERROR).
        """
        self._check_usable()
        closing = self.session.state is SessionState.CLOSED
        # Frames the transport did not drain go back to the head of the queue:
        # they never left, so they are not "sent" either.
        self._queue[:0] = self._outbox
        self._sent_chats.difference_update(o.id for o in self._outbox if o.id)
        self._outbox.clear()
        kind = self.session.socket_closed(code, reason, now=now, u=self._rng())
        # Requests refused while the server restarted go out on the next socket.
        for item, _, _ in self._resubmit.values():
            self._queue.append(msgspec.structs.replace(item, created=now))
        self._resubmit.clear()
        # Sent LLM jobs may survive the gap (the server keeps them 30 s for the
        # same appId); they wait for the next greeting, a frame or the grace
        # deadline. A local close or a terminal close (but a 4015 hand-off)
        # ends them now.
        survive = not closing and (kind.recoverable or code == 4015)
        for job_id in sorted(self._sent_chats):
            chat = self.chats.get(job_id)
            if chat is None or chat.finished:
                continue
            if survive:
                self._awaiting_chats[job_id] = now + LLM_TRANSPORT_GRACE_SECONDS
            else:
                self._emit(chat.disconnected(), now)
        self._sent_chats.clear()
        if closing:
            return
        if self.session.state is SessionState.RECONNECTING:
            for project in self.projects.values():
                project.set_transport_up(False, now=now)
            delay = (self.session.reconnect_delay_deadline or now) - now
            self._events.append(
                ev.Connecting(network=self.network, attempt=self.session.attempt, delay=delay)
            )
            return
        self._fail_queue("Server disconnected", now)
        for project in list(self.projects.values()):
            self._emit(project.fail_locally(_DISCONNECTED, now=now), now)
        self._events.append(
            ev.Disconnected(code=code or 0, reason=reason, auth_cleared=kind.clears_auth)
        )

    def close(self, *, now: float) -> None:
        """Close locally (code 1000, reason ``Client disconnected``).

        Queued frames fail with ``RequestFailed``, and every unfinished
        project and chat job fails with ``Connection closed``: nothing will
        ever finish them, and waiters must not hang.
        """
        self._check_usable()
        if self.session.close():
            self._events.append(ev.CloseSocket(code=1000, reason="Client disconnected"))
        self._fail_queue("Connection closed", now)
        closed = ev.ErrorInfo(code=0, message="Connection closed")
        for project in list(self.projects.values()):
            self._emit(project.fail_locally(closed, now=now), now)
        self._awaiting_chats.clear()
        for job_id in sorted(j for j, c in self.chats.items() if not c.finished):
            self._fail_chat(job_id, now)

    def on_timer(self, now: float) -> None:
        """Fire every deadline due at ``now``."""
        self._check_usable()
        for fired in self.session.on_timer(now):
            if fired is SessionTimer.AUTH_FALLBACK:
                self._events.append(ev.SessionReady(network=self.network))
                self._flush(now)
            elif fired is SessionTimer.PING:
                self._events.append(ev.SendPing())
            else:
                self._open()
        for pid, (_, give_up, message) in list(self._resubmit.items()):
            if now >= give_up:
                del self._resubmit[pid]
                if pid in self.projects:
                    error = ev.ErrorInfo(code=SERVER_RESTARTING, message=message)
                    self._emit(self.projects[pid].on_project_error(error, now=now), now)
        while self._queue and now >= self._queue[0].created + self._send_timeout:
            self._fail_item(self._queue.pop(0), "WebSocket connection timeout", now)
        for project in list(self.projects.values()):
            self._emit(project.on_timer(now), now)
        for job_id, give_up in list(self._awaiting_chats.items()):
            if now >= give_up:
                del self._awaiting_chats[job_id]
                self._fail_chat(job_id, now)
        for chat in list(self.chats.values()):
            self._emit(chat.on_timer(now), now)
        for pid, ended in list(self._ended_at.items()):
            done = self.projects.get(pid)
            if now >= ended + GC_SECONDS and (done is None or not done.has_open_fetches):
                self.projects.pop(pid, None)
                self._heap_keys.pop(pid, None)
                self._unadmitted.pop(pid, None)
                del self._ended_at[pid]
        for job_id in [j for j, c in self.chats.items() if c.finished]:
            del self.chats[job_id]
            self._awaiting_chats.pop(job_id, None)

    # -- receive -----------------------------------------------------------------

    def receive_frame(self, data: str | bytes, *, now: float) -> None:
        """Process one incoming text or binary frame.

        Undecodable frames are dropped with a ``FrameDropped`` event.

        Raises:
            RemoteProtocolError: a frame arrived while no socket was open (the
                session lands in ERROR).
        """
        self._check_usable()
        state = self.session.state
        if state is SessionState.CLOSED:
            return  # closing handshake in flight: late frames are dropped
        if state not in (SessionState.OPEN, SessionState.READY):
            self.session.fail()
            raise RemoteProtocolError(f"frame received in session state {state.name}")
        try:
            message = frames.decode_server_event(data)
        except (ProtocolError, ValueError, msgspec.MsgspecError) as exc:
            self._events.append(ev.FrameDropped(reason=str(exc)))
            return
        self._dispatch(message, now)

    def _dispatch_job(self, msg: Any, now: float) -> None:
        # Events keyed by an unknown jobID are ignored (01 §4.9.1, 02 §2.7). The
        # codec already upper-cased jobID (01 §2.1 "ID normalization").
        ident = msg.job_id
        project = self.projects.get(ident)
        if project is not None:
            if not isinstance(msg, wire.JobError) or not self._resubmitted_after_restart(
                ident, msg, now
            ):
                if self._unadmitted:
                    self._unadmitted.pop(ident, None)
                self._emit(feed_project(project, msg, now), now)
        elif ident in self.chats:
            chat = self.chats[ident]
            if self._awaiting_chats.pop(ident, None) is not None:
                self._sent_chats.add(ident)  # it survived: the server rebound it
            self._emit(feed_chat(chat, msg), now)
            if chat.finished:
                self._sent_chats.discard(ident)

    def _dispatch(self, msg: Any, now: float) -> None:  # noqa: C901 - one match
        if type(msg) in _JOB_EVENTS:  # nearly all the traffic: no pattern chain
            self._dispatch_job(msg, now)
            return
        match msg:
            case wire.Authenticated():
                was_open = self.session.state is SessionState.OPEN
                self.session.authenticated()
                if was_open:
                    self._events.append(ev.SessionReady(network=self.network, authenticated=msg))
                    self._recover(msg, now)
                    self._recover_chats(msg.active_llm_job_ids, now)
                    self._flush(now)
                else:
                    self._events.append(ev.ServerNotice(name="authenticated", message=msg))
            case wire.ChangeNetworkEvent():
                self.network = getattr(msg.network, "value", str(msg.network))
                self._events.append(ev.NetworkChanged(network=self.network))
            case wire.SocketEventSubscriptionsUpdated():
                if self.subscriptions.server_snapshot(msg.socket_event_subscriptions):
                    snap = tuple(self.subscriptions.snapshot.items())
                    self._events.append(ev.SubscriptionsUpdated(subscriptions=snap))
            case (
                wire.JobStateQueued()
                | wire.JobStateInitiatingModel()
                | wire.JobStateJobStarted()
                | wire.JobStateAssigned()
                | wire.JobStateJobCompleted()
                | wire.JobStatePending()
                | wire.JobProgress()
                | wire.JobETA()
                | wire.JobResult()
                | wire.JobError()
                | wire.JobRetry()
                | wire.JobTokens()
                | wire.LLMJobResult()
                | wire.LLMJobError()
            ):
                self._dispatch_job(msg, now)  # subclasses (strict twins) land here
            case _:
                name = getattr(type(msg), "__wire_type__", None) or getattr(msg, "type", "")
                self._events.append(ev.ServerNotice(name=str(name), message=msg))

    # -- send verbs ----------------------------------------------------------------

    def send_job_request(
        self, spec: ProjectSpec, request: Mapping[str, Any], *, now: float
    ) -> ProjectMachine:
        """Track a new project and queue its ``jobRequest`` (01 §4.3).

        Args:
            spec: what the project machine needs to know (``spec.id`` must be
                the ``jobID`` inside ``request``).
            request: the complete job request payload (built by
                ``sogni_core.protocol.jobrequest``).
            now: current time.

        Returns:
            The new project machine.

        Raises:
            LocalProtocolError: the id is already tracked, or the connection is
                closed or in ERROR.
        """
        self._check_usable()
        pid = spec.id.upper()
        if pid in self.projects:
            raise LocalProtocolError(f"project {pid} is already tracked")
        if self.session.state is SessionState.CLOSED:
            raise LocalProtocolError("connection is closed")
        project = ProjectMachine(msgspec.structs.replace(spec, id=pid), now=now)
        self.projects[pid] = project
        project.watch_deadline(self._touched)
        project.set_transport_up(self.session.state is SessionState.READY, now=now)
        self._enqueue("jobRequest", pid, wire.JobRequest(request=request), now)
        for item in (*self._queue, *self._outbox):
            if item.kind == "jobRequest" and item.id == pid:
                self._unadmitted[pid] = item
        return project

    def send_cancel(self, project_id: str, *, now: float) -> None:
        """Cancel a project: queue the wire cancel (01 §2.3.1, §4.8).

        Raises:
            LocalProtocolError: the project is tracked and already finished.
        """
        self._check_usable()
        pid = project_id.upper()
        project = self.projects.get(pid)
        if project is not None and project.finished:
            raise LocalProtocolError(f"project {pid} already finished")
        if self.session.state is SessionState.CLOSED:
            raise LocalProtocolError("connection is closed")
        self._enqueue("jobError", pid, wire.CancelJob(job_id=pid), now)
        if project is not None:
            self._emit(project.cancel(now=now), now)

    def send_llm_request(
        self, request: wire.LLMJobRequest, *, now: float, timeout: float | None = None
    ) -> ChatMachine:
        """Track an LLM job and queue its ``llmJobRequest`` (02 §2.2).

        Args:
            request: the request Struct (its ``job_id`` keys the job).
            now: current time.
            timeout: local timeout; defaults to ``chat_timeout`` for
                non-streaming requests and none for streaming ones.

        Raises:
            LocalProtocolError: the job id is already tracked or the
                connection is closed.
        """
        self._check_usable()
        job_id = request.job_id.upper()
        if job_id in self.chats:
            raise LocalProtocolError(f"chat job {job_id} is already tracked")
        if self.session.state is SessionState.CLOSED:
            raise LocalProtocolError("connection is closed")
        if timeout is None and request.stream is not True:
            timeout = self._chat_timeout
        chat = ChatMachine(job_id, now=now, timeout=timeout)
        self.chats[job_id] = chat
        self._enqueue("llmJobRequest", job_id, request, now)
        return chat

    def cancel_chat(self, job_id: str, *, now: float) -> None:
        """Stop delivering an LLM job (no wire message exists, 02 §2.8).

        Raises:
            LocalProtocolError: unknown or already finished job (checked first,
                so the mistake does not put the job machine in ERROR).
        """
        self._check_usable()
        chat = self.chats.get(job_id.upper())
        if chat is None or chat.finished:
            raise LocalProtocolError(f"chat job {job_id} is unknown or already finished")
        self._emit(chat.cancel(), now)

    def send_change_network(self, network: str, *, now: float) -> None:
        """Queue ``changeNetwork``; the server's reply updates ``network``."""
        self._check_usable()
        try:
            target = Network(network)
        except ValueError:
            raise InvalidParamsError("network", "must be 'fast' or 'relaxed'") from None
        self._enqueue("changeNetwork", None, wire.ChangeNetwork(network=target), now)

    def set_subscriptions(self, update: object, *, now: float) -> None:
        """Queue a ``setSocketEventSubscriptions`` update (01 §3.3)."""
        self._check_usable()
        payload = self.subscriptions.local_update(update)
        message = msgspec.convert(payload, wire.SetSocketEventSubscriptions)
        self._enqueue("setSocketEventSubscriptions", None, message, now)

    # -- REST answers ------------------------------------------------------------------

    def result_url_resolved(
        self, project_id: str, job_id: str, url: str | None, *, now: float
    ) -> None:
        """Answer a ``FetchResultUrl`` action (``None`` when the fetch failed).

        Answers for forgotten projects are ignored.
        """
        self._check_usable()
        project = self.projects.get(project_id.upper())
        if project is not None:
            self._emit(project.result_url_resolved(job_id.upper(), url, now=now), now)

    def preview_url_resolved(self, project_id: str, job_id: str, url: str, *, now: float) -> None:
        """Answer a ``FetchPreviewUrl`` action."""
        self._check_usable()
        project = self.projects.get(project_id.upper())
        if project is not None:
            self._emit(project.preview_resolved(job_id.upper(), url, now=now), now)

    def apply_rest_project(
        self, project_id: str, raw: Mapping[str, Any] | msgspec.Struct, *, now: float
    ) -> None:
        """Apply a fetched REST project record (01 §4.11.4); unknown ids are ignored.

        Transports call this after a successful ``GET /v1/projects/{id}``
        (e.g. during a staleness check, then report ``StalenessOutcome.SYNCED``).
        Jobs it completes without a direct URL emit ``FetchResultUrl``.
        ``raw`` is the wire object, or its decoded ``ProjectRecord``.
        """
        self._check_usable()
        project = self.projects.get(project_id.upper())
        if project is not None:
            record: Mapping[str, Any] = (
                msgspec.to_builtins(raw) if isinstance(raw, msgspec.Struct) else raw
            )
            self._emit(feed_rest_record(project, record, now), now)

    def staleness_checked(self, project_id: str, outcome: StalenessOutcome, *, now: float) -> None:
        """Answer a ``CheckProjectLiveness`` action."""
        self._check_usable()
        project = self.projects.get(project_id.upper())
        if project is not None:
            self._emit(project.staleness_checked(outcome, now=now), now)
