"""The emulated Supernet: sessions, message dispatch, projects and greetings.

:class:`Supernet` implements the server's :class:`~.server.Handlers`:
REST goes to :class:`~.rest.Router`; a WebSocket upgrade is authenticated
(``api-key`` or raw ``Authorization`` JWT, 01 §1.3), accepted, and becomes a
:class:`~.session.SocketSession`.  Bad credentials are closed with 4021 right
after the handshake; a second live connection with the same ``appId`` closes
the older one with 4015 (01 §1.5).

Greeting (01 §1.10): ``authenticated`` (with ``activeProjects`` of this
appId for recovery), ``balanceUpdate``, ``swarmModels``, ``swarmLLMModels``
(subject to subscriptions), ``socketEventSubscriptionsUpdated``.

Projects are routed to the connection currently holding their ``appId``;
while it is offline (a drop, a restart) the workers wait for it for a short
grace period, so a reconnecting client picks up where it left off.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from ._frames import FrameError, decode_frame
from .auth import AuthService, Principal
from .catalogue import Catalogue
from .chat import ChatRunner
from .clock import SimClock
from .entitlement import NOT_ENTITLED, socket_entitlement
from .faults import FaultPlan
from .http import HttpRequest, HttpResponse
from .projects import JobRun, ProjectRun, RequestError, parse_job_request
from .record import Recorder
from .server import WebSocketIO
from .session import SocketSession
from .store import ObjectStore
from .subscriptions import normalize_map
from .workers import Scheduler, run_project

__all__ = ["Supernet"]

log = logging.getLogger("sogni_emulator")

AUTH_ERROR = 4021
SWITCH_CONNECTION = 4015
SERVICE_RESTART = 1012
APP_ID_BLOCKED = 4010
# Newer events only sent to connections that subscribed to them explicitly
# (sogni-client 5.70 opts in with socketEventSubscriptions={"projectQueue":true}).
OPT_IN_EVENTS = frozenset({"projectQueue"})


class Supernet:
    """All emulator state and behaviour above the byte level."""

    def __init__(
        self,
        *,
        catalogue: Catalogue,
        auth: AuthService,
        store: ObjectStore,
        clock: SimClock,
        faults: FaultPlan,
        recorder: Recorder,
        seed: int = 0,
        speed: float = 1.0,
        owner_grace: float = 10.0,
        blocked_app_ids: set[str] | None = None,
    ) -> None:
        from .rest import Router  # local: rest imports this module's types

        self.catalogue = catalogue
        self.auth = auth
        self.store = store
        self.clock = clock
        self.faults = faults
        self.recorder = recorder
        self.seed = seed
        self.speed = speed
        self.owner_grace = owner_grace
        self.blocked_app_ids = blocked_app_ids or set()
        queue = catalogue.limits.get("queue", {})
        self.scheduler = Scheduler(
            {
                "fast": int(queue.get("fast_slots", 4)),
                "relaxed": int(queue.get("relaxed_slots", 2)),
            },
            catalogue,
        )
        self.sessions: dict[str, SocketSession] = {}
        self.projects: dict[str, ProjectRun] = {}
        self.chat = ChatRunner(self)
        self.router = Router(self)
        self._conn_ids = 0
        self._online: dict[str, asyncio.Event] = {}
        self._orphaned: set[str] = set()
        self._tasks: set[asyncio.Task[Any]] = set()

    # -- Handlers ------------------------------------------------------------------

    async def handle_http(self, request: HttpRequest) -> HttpResponse:
        return await self.router.handle(request)

    async def handle_websocket(self, request: HttpRequest, ws: WebSocketIO) -> None:
        query = dict(parse_qsl(urlsplit(request.target).query, keep_blank_values=True))
        principal = self.auth.authenticate_headers(request.headers)
        self._conn_ids += 1
        conn_id = self._conn_ids
        app_id = query.get("appId", "")
        self.recorder.write(
            {
                "kind": "ws-open",
                "conn": conn_id,
                "appId": app_id,
                "query": query,
                "authenticated": principal is not None,
            }
        )
        await ws.accept()
        refusal = self._refusal(principal, app_id)
        if refusal is not None or principal is None:
            code, reason = refusal or (AUTH_ERROR, "Authentication failed")
            await ws.close(code, reason)
            self.recorder.write(
                {"kind": "ws-close", "conn": conn_id, "code": code, "reason": reason}
            )
            async for _ in ws.messages():
                pass
            return
        overrides: dict[str, bool] = {}
        raw_subs = query.get("socketEventSubscriptions")
        if raw_subs:
            with contextlib.suppress(ValueError):
                overrides = normalize_map(json.loads(raw_subs)) or {}
        network = "fast" if query.get("forceWorkerId", "fast") == "fast" else "relaxed"
        session = SocketSession(
            conn_id=conn_id,
            ws=ws,
            principal=principal,
            app_id=app_id,
            network=network,
            overrides=overrides,
            faults=self.faults,
            recorder=self.recorder,
        )
        # 01 §1.5: the newer connection wins, the older one is closed with 4015.
        # It is unregistered before the greeting so that project events raised
        # meanwhile wait for the new session (``emit``) rather than going to the
        # closing one, and nothing can precede ``authenticated``.
        previous = self.sessions.pop(app_id, None)
        online = self._online.setdefault(app_id, asyncio.Event())
        online.clear()
        if previous is not None and not previous.closed:
            await previous.close(SWITCH_CONNECTION, "Switch connection")
        await self._greet(session)
        self.sessions[app_id] = session
        online.set()
        self._orphaned.difference_update(p.id for p in self.projects.values() if p.app_id == app_id)
        try:
            async for message in ws.messages():
                await self._on_message(session, message)
        finally:
            session.closed = True
            if self.sessions.get(app_id) is session:
                del self.sessions[app_id]
                event = self._online.get(app_id)
                if event is not None:
                    event.clear()
                self.chat.cancel_for(session)
            self.recorder.write(
                {
                    "kind": "ws-close",
                    "conn": conn_id,
                    "code": ws.close_code,
                    "reason": ws.close_reason,
                }
            )

    def _refusal(self, principal: Principal | None, app_id: str) -> tuple[int, str] | None:
        """The close code and reason for a connection that may not proceed (01 §1.5)."""
        if principal is None:
            return AUTH_ERROR, "Authentication failed"
        if not app_id:
            return AUTH_ERROR, "appId required"
        if app_id in self.blocked_app_ids:
            return APP_ID_BLOCKED, "appId blocked"
        return None

    # -- greeting and account events -------------------------------------------------

    def unclaimed(self, app_id: str, *, claim: bool = False) -> list[ProjectRun]:
        """Projects of an appId that finished while their owner was offline."""
        found = [
            p
            for p in self.projects.values()
            if p.app_id == app_id and p.finished and p.missed and not p.claimed
        ]
        if claim:
            for project in found:
                project.claimed = True
        return found

    def authenticated_payload(self, session: SocketSession) -> dict[str, Any]:
        account = session.principal.account
        balances = account.balances()
        tokens = {
            name: {k: balances[name][k] for k in ("settled", "credit", "debit", "net")}
            for name in ("sogni", "spark")
        }
        return {
            "id": account.id,
            "clientType": "artist",
            "username": account.username,
            "address": account.address,
            "SID": account.sid,
            "clientSID": account.sid,
            "addressSID": account.sid,
            "balanceVersion": 2,
            "tokens": tokens,
            "subscriptionEntitlement": socket_entitlement(account.subscription),
            "activeProjects": [
                self.raw_project(p)
                for p in self.projects.values()
                if p.app_id == session.app_id and not p.finished
            ],
            "unclaimedCompletedProjects": [
                self.raw_project(p) for p in self.unclaimed(session.app_id, claim=True)
            ],
            "activeLLMJobIDs": [],
            "isMainnet": True,
            "accountWasMigrated": False,
            "freeSparkLocked": False,
            "hasUnclaimedAirdrop": False,
            "firstLoginAfterMigration": False,
        }

    async def _greet(self, session: SocketSession) -> None:
        await session.send("authenticated", self.authenticated_payload(session))
        await session.send("balanceUpdate", session.principal.account.balances())
        await self.send_models(session)
        await session.send(
            "socketEventSubscriptionsUpdated", {"socketEventSubscriptions": dict(session.overrides)}
        )

    async def send_models(self, session: SocketSession) -> None:
        await session.send("swarmModels", self.catalogue.swarm_models(session.network))
        await session.send("swarmLLMModels", self.catalogue.swarm_llm_models(session.network))

    async def broadcast_models(self) -> None:
        """Send fresh worker counts to every connection (after ``set_workers``)."""
        for session in list(self.sessions.values()):
            await self.send_models(session)
        await self.scheduler.wake()

    async def send_entitlement(self, account_id: str) -> None:
        """Push ``subscriptionEntitlementUpdated`` to every connection of an account."""
        for session in list(self.sessions.values()):
            if session.account_id == account_id:
                entitlement = socket_entitlement(session.principal.account.subscription)
                await session.send("subscriptionEntitlementUpdated", entitlement)

    async def send_balance(self, account_id: str) -> None:
        for session in list(self.sessions.values()):
            if session.account_id == account_id:
                await session.send("balanceUpdate", session.principal.account.balances())

    # -- inbound messages --------------------------------------------------------------

    async def _on_message(self, session: SocketSession, message: str | bytes) -> None:
        try:
            frame = decode_frame(message)
        except FrameError:
            raw = message if isinstance(message, str) else message.decode("utf-8", "replace")
            self.recorder.write(
                {
                    "kind": "ws",
                    "conn": session.conn_id,
                    "dir": "in",
                    "type": None,
                    "raw": raw[:2000],
                }
            )
            return
        self.recorder.write(
            {
                "kind": "ws",
                "conn": session.conn_id,
                "dir": "in",
                "type": frame.type,
                "payload": frame.payload,
            }
        )
        payload = frame.payload
        if frame.type == "jobRequest":
            await self.submit_project(session, payload)
        elif frame.type == "jobError":
            if isinstance(payload, dict) and isinstance(payload.get("jobID"), str):
                await self.cancel_project(session, payload["jobID"].upper())
        elif frame.type == "changeNetwork":
            if payload in ("fast", "relaxed"):
                session.network = payload
            await session.send("changeNetwork", {"network": session.network})
            await self.send_models(session)
        elif frame.type == "setSocketEventSubscriptions":
            snapshot = session.update_subscriptions(payload)
            await session.send(
                "socketEventSubscriptionsUpdated", {"socketEventSubscriptions": snapshot}
            )
        elif frame.type == "llmJobRequest":
            self.chat.submit(session, payload)

    # -- projects ----------------------------------------------------------------------

    def raw_project(self, project: ProjectRun) -> dict[str, Any]:
        entry = self.catalogue.model(project.model_id)
        name = entry.name if entry else project.model_id
        return project.raw(name, entry.sid if entry else 0)

    async def _refuse(self, session: SocketSession, job_id: str, code: int | str, msg: str) -> None:
        await session.send(
            "jobError",
            {"jobID": job_id, "isFromWorker": False, "error": code, "error_message": msg},
        )

    async def submit_project(self, session: SocketSession, payload: Any) -> None:
        try:
            fields = parse_job_request(payload)
        except RequestError as exc:
            job_id = payload.get("jobID") if isinstance(payload, dict) else None
            if isinstance(job_id, str):
                await self._refuse(session, job_id.upper(), exc.code, exc.message)
            return
        job_id = fields["jobID"]
        entry = self.catalogue.model(fields["modelId"])
        if entry is None:
            await self._refuse(session, job_id, 4006, f"Model {fields['modelId']} is not available")
            return
        loras = payload.get("keyFrames", [{}])[0].get("loras")
        limit = int(self.catalogue.loras.get("constraints", {}).get("maxPerRequest", 8))
        if isinstance(loras, list) and len(loras) > limit:
            await self._refuse(session, job_id, 4007, f"At most {limit} LoRAs per request")
            return
        if job_id in self.projects:
            await self._refuse(session, job_id, 4009, "A project with this jobID already exists")
            return
        project = self._new_project(session, fields, entry.media, payload)
        account = session.principal.account
        if payload.get("billingMode") == "subscription":
            # 01 §6.6.2: 4078 NOT_ENTITLED for jobs explicitly billed to a subscription
            if account.subscription is None or not account.subscription.active:
                await self._refuse(
                    session, job_id, NOT_ENTITLED, "This account has no active subscription"
                )
                return
            project.subscription_billed = True
        cost = project.shape()
        from .cost import job_cost

        total = job_cost(self.catalogue, cost).amount(project.token_type) * project.count
        balance = account.spark if project.token_type == "spark" else account.sogni
        if balance.net < total and not project.subscription_billed:
            await self._refuse(session, job_id, 123, "Insufficient balance")
            return
        self.projects[job_id] = project
        task = asyncio.create_task(self._run(project))
        project.task = task

    def _new_project(
        self, session: SocketSession, fields: dict[str, Any], media: str, payload: dict[str, Any]
    ) -> ProjectRun:
        model_id = fields["modelId"]
        entry = self.catalogue.model(model_id)
        tier = self.catalogue.tier_of(model_id) or {}
        width, height = fields["width"], fields["height"]
        preset = fields["sizePreset"]
        if media == "image" and (not width or not height):
            size = self.catalogue.preset_size(model_id, str(preset)) if preset else None
            if size is None:
                side = int(tier.get("defaultSize", entry.size_base if entry else 1024))
                size = (side, side)
            width, height = size
        if media == "video":
            width = width or int(tier.get("width", {}).get("default", 832))
            height = height or int(tier.get("height", {}).get("default", 480))
        steps = fields["steps"] or int(tier.get("steps", {}).get("default", 1) if tier else 1)
        fps = fields["fps"] or float(
            tier.get("fps", {}).get("default", 24) if media == "video" else 0
        )
        frames = fields["frames"]
        if media == "video" and not frames:
            frames = int(tier.get("frames", {}).get("default", 81))
        duration = fields["duration"]
        if media == "audio" and not duration:
            duration = float(tier.get("duration", {}).get("default", 30))
        default_fmt = {"image": "png", "video": "mp4", "audio": "mp3"}[media]
        now = self.clock.now_ms()
        project = ProjectRun(
            id=fields["jobID"],
            account=session.principal.account,
            app_id=session.app_id,
            network=fields["network"] or session.network,
            request=payload,
            kind=media,
            model_id=model_id,
            prompt=fields["prompt"],
            negative_prompt=fields["negativePrompt"],
            count=fields["count"],
            steps=steps,
            previews=fields["previews"] if media == "image" else 0,
            width=int(width),
            height=int(height),
            output_format=fields["outputFormat"] or default_fmt,
            token_type=fields["tokenType"],
            disable_safety=fields["disableSafety"],
            frames=frames,
            fps=fps,
            duration=duration,
            seed=fields["seed"],
            cn=fields["cn"],
            context_images=fields["contextImages"],
            has_guide_image=fields["hasGuideImage"],
            external=bool(entry and entry.external),
            create_time=now,
            update_time=now,
            rng=random.Random(f"{self.seed}:{fields['jobID']}"),
        )
        pool = max(1, self.catalogue.workers(model_id, project.network))
        for index in range(project.count):
            worker_no = project.rng.randrange(pool)
            job_seed = project.rng.getrandbits(32)
            if index == 0 and project.seed is not None:
                job_seed = project.seed & 0xFFFFFFFF
            project.jobs.append(
                JobRun(
                    img_id=project.new_uuid(),
                    index=index,
                    seed=job_seed,
                    worker=f"emu-{project.network}-{model_id.split('_')[0][:12]}-{worker_no:02d}",
                    create_time=now,
                )
            )
        return project

    async def _run(self, project: ProjectRun) -> None:
        try:
            await run_project(self, self.scheduler, project)
        except asyncio.CancelledError:
            return
        except Exception:
            log.exception("project %s crashed", project.id)
            project.status = "errored"
            await self.emit(
                project,
                "jobError",
                {
                    "jobID": project.id,
                    "isFromWorker": False,
                    "error": 5000,
                    "error_message": "Internal emulator error",
                },
            )
            return
        succeeded = [job for job in project.jobs if job.status == "jobCompleted"]
        project.end_time = self.clock.now_ms()
        project.update_time = project.end_time
        if succeeded:
            project.status = "completed"
            project.reason = "allJobsCompleted"
            await self.emit(project, "jobState", {"type": "jobCompleted", "jobID": project.id})
        else:
            project.status = "errored"
            await self.emit(
                project,
                "jobError",
                {
                    "jobID": project.id,
                    "isFromWorker": False,
                    "error": 5000,
                    "error_message": "All jobs of the project failed",
                },
            )

    async def cancel_project(self, session: SocketSession, project_id: str) -> None:
        """Client ``jobError`` with ``artistCanceled`` (01 §2.3.1)."""
        project = self.projects.get(project_id)
        if project is None or project.account.id != session.account_id:
            await session.send(
                "artistCancelConfirmation",
                {"didCancel": False, "error_message": "Project not found", "jobID": project_id},
            )
            return
        if project.finished:
            await session.send(
                "artistCancelConfirmation",
                {
                    "didCancel": False,
                    "error_message": "Project already finished",
                    "jobID": project_id,
                },
            )
            return
        if project.task is not None:
            project.task.cancel()
            with contextlib.suppress(BaseException):
                await project.task
        now = self.clock.now_ms()
        project.status = "cancelled"
        project.reason = "artistCanceled"
        project.end_time = now
        project.update_time = now
        await session.send(
            "artistCancelConfirmation",
            {"didCancel": True, "error_message": "", "jobID": project_id},
        )
        for job in project.jobs:
            if job.finished:
                continue
            started = job.status in ("jobStarted", "jobProgress", "initiatingModel")
            job.status = "jobError"
            job.reason = "artistCanceled"
            job.end_time = now
            if started:
                await self.emit(
                    project,
                    "jobResult",
                    {
                        "jobID": project.id,
                        "imgID": job.img_id,
                        "performedStepCount": job.step,
                        "lastSeed": str(job.seed),
                        "triggeredNSFWFilter": False,
                        "userCanceled": True,
                    },
                )
        # No project-level jobError follows: the SDKs stop tracking a project once
        # the confirmation arrives, and a late error would mark it failed instead
        # of canceled (sogni_client 5.70 ``_cancel_once``).

    # -- WorkerHost ----------------------------------------------------------------------

    async def emit(self, project: ProjectRun, type_: str, payload: dict[str, Any]) -> None:
        """Deliver one project event to the connection holding the project's appId.

        While no connection holds it, wait up to ``owner_grace`` seconds (once per
        project); an event that still cannot be delivered marks the project
        ``missed`` so it is handed back as unclaimed when it finishes.
        """
        project.update_time = self.clock.now_ms()
        session = self.sessions.get(project.app_id)
        if type_ in OPT_IN_EVENTS:
            if session is not None and session.overrides.get(type_) is True:
                await session.send(type_, payload)
            return
        if session is None and project.id not in self._orphaned:
            event = self._online.setdefault(project.app_id, asyncio.Event())
            try:
                await asyncio.wait_for(event.wait(), self.owner_grace)
            except asyncio.TimeoutError:
                self._orphaned.add(project.id)
            session = self.sessions.get(project.app_id)
        if session is None:
            project.missed = True
        elif session.account_id == project.account.id:
            await session.send(type_, payload)

    async def fault(self, kind: str, project: ProjectRun) -> None:
        if kind == "drop":
            session = self.sessions.get(project.app_id)
            if session is not None:
                session.drop()
        elif kind == "restart":
            await self.restart()

    async def job_finished(self, project: ProjectRun, job: JobRun) -> None:
        if job.cost is not None and not project.subscription_billed:
            project.account.debit(project.token_type, job.cost.amount(project.token_type))
            await self.send_balance(project.account.id)

    # -- operator actions ---------------------------------------------------------------

    async def restart(self, code: int = SERVICE_RESTART) -> None:
        """Close every socket as a restarting server would; projects survive."""
        for session in list(self.sessions.values()):
            await session.close(code, "Server restarting")

    async def close_all(self, code: int, reason: str = "") -> None:
        for session in list(self.sessions.values()):
            await session.close(code, reason)

    def drop_all(self) -> None:
        for session in list(self.sessions.values()):
            session.drop()

    async def shutdown(self) -> None:
        """Cancel all work and drop every connection (used by ``Emulator.stop``)."""
        pending = [
            p.task for p in self.projects.values() if p.task is not None and not p.task.done()
        ]
        pending += self.chat.cancel_all()
        for service in (getattr(self, "workflows", None), getattr(self, "chat_runs", None)):
            if service is not None:  # workflows.install_routes (02 §3.3, §5)
                pending += service.cancel_all()
        for task in pending:
            task.cancel()
        for session in list(self.sessions.values()):
            session.drop()
        await asyncio.gather(*pending, return_exceptions=True)
