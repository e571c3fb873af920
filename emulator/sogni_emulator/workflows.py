"""Durable creative workflows and templates (wire reference 02 §5): the service and routes.

``/v1/creative-agent/workflows`` starts, lists, reads, streams, resumes,
reseeds and cancels runs; :func:`install_routes` also mounts the template,
chat-run and hosted routes. The pieces live one concern a module, imported in
one direction (each only from the ones before it):

- :mod:`.event_stream`: :class:`EventLog` and the SSE stream (``sse-drop`` fault);
- :mod:`.workflow_plans`: tools, binding transforms, plan validation and order;
- :mod:`.workflow_templates`: :class:`TemplateStore` (02 §5.7);
- :mod:`.workflow_runner`: step execution, artifacts and the event log entries.

Status flow: ``queued`` -> ``running`` -> ``completed`` | ``partial_failure``
(some step failed, some produced output) | ``failed`` | ``cancelled``; a step
with ``toolName`` ``ask_clarifying_question`` moves the run to
``waiting_for_user`` until ``POST .../resume``.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
from typing import TYPE_CHECKING, Any

from .event_stream import EventLog, iso, sse_response
from .http import HttpRequest, HttpResponse, error_response, success
from .workflow_plans import plan_problem, substitute
from .workflow_runner import STEP_SECONDS, TERMINAL, Workflow, WorkflowRunner
from .workflow_templates import TemplateStore

if TYPE_CHECKING:
    from .auth import Principal
    from .rest import Router
    from .supernet import Supernet

__all__ = [
    "STEP_SECONDS",
    "EventLog",
    "TemplateStore",
    "Workflow",
    "WorkflowService",
    "install_routes",
    "iso",
    "sse_response",
]


class WorkflowService:
    """All workflow runs of the emulator."""

    def __init__(self, hub: Supernet) -> None:
        self.hub = hub
        self.runs: dict[str, Workflow] = {}
        self.templates = TemplateStore(hub)
        self.runner = WorkflowRunner(hub)
        self._count = 0
        self._idempotent: dict[tuple[str, str], str] = {}

    def _now(self) -> float:
        return self.hub.clock.now()

    def _new_id(self, prefix: str = "wf") -> str:
        self._count += 1
        digest = hashlib.sha256(f"{self.hub.seed}:{prefix}:{self._count}".encode()).hexdigest()
        return f"{prefix}_{digest[:20]}"

    def _own(self, p: Principal | None, wid: str) -> Workflow | None:
        run = self.runs.get(wid)
        if run is None or p is None or run.owner != p.account.id:
            return None
        return run

    async def start(self, r: HttpRequest, p: Principal | None, m: dict[str, str]) -> HttpResponse:
        assert p is not None
        try:
            body = r.json()
        except ValueError:
            return error_response(400, "body must be JSON", 400)
        if not isinstance(body, dict):
            return error_response(400, "body must be an object", 400)
        key = r.headers.get("idempotency-key")
        if key and (p.account.id, key) in self._idempotent:
            run = self.runs[self._idempotent[(p.account.id, key)]]
            return success({"workflow": run.record, "idempotent": True})
        plan, template_id = body.get("input"), body.get("workflow_id")
        if (plan is None) == (template_id is None):
            return error_response(400, "Provide exactly one of input or workflow_id", 400)
        media = body.get("media_references") or []
        if not isinstance(media, list):
            return error_response(400, "media_references must be an array", 400)
        for ref in media:
            url = ref.get("url") if isinstance(ref, dict) else None
            if not isinstance(url, str) or not url.startswith(("http://", "https://")):
                return error_response(400, "media_references need HTTP(S) urls", 400)
        if template_id is not None:
            template = self.templates.visible(p.account.id, str(template_id))
            if template is None:
                return error_response(404, f"Workflow template {template_id} not found", 404)
            inputs = {
                str(i.get("name")): i.get("default")
                for i in template.get("inputs") or []
                if isinstance(i, dict)
            }
            given = body.get("inputs") or {}
            if not isinstance(given, dict):
                return error_response(400, "inputs must be an object", 400)
            inputs.update(given)
            plan = {
                "title": template.get("name"),
                "steps": substitute(template.get("steps") or [], inputs),
            }
        problem = plan_problem(plan, media)
        if problem is not None or not isinstance(plan, dict):
            return error_response(400, problem or "input must be an object", 400)
        run = self._create(p, plan, body, media, template_id)
        if key:
            self._idempotent[(p.account.id, key)] = run.id
        return success({"workflow": run.record}, 201)

    def _create(
        self,
        p: Principal,
        plan: dict[str, Any],
        body: dict[str, Any],
        media: list[Any],
        template_id: Any,
        seeds: dict[str, int] | None = None,
    ) -> Workflow:
        wid = self._new_id()
        now = self._now()
        steps = [
            {
                "id": s.get("id") or f"step_{i + 1}",
                "sequence": i,
                "toolName": s["toolName"],
                "arguments": s.get("arguments", {}),
                **({"dependsOn": s["dependsOn"]} if s.get("dependsOn") else {}),
                "status": "queued",
                "artifactIds": [],
            }
            for i, s in enumerate(plan["steps"])
        ]
        record: dict[str, Any] = {
            "workflowId": wid,
            "title": plan.get("title") or "Untitled workflow",
            "status": "queued",
            "input": body.get("input") if template_id is None else {"workflow_id": template_id},
            "plan": {"steps": plan["steps"]},
            "steps": steps,
            "events": [],
            "artifacts": [],
            "tokenType": body.get("token_type") or "sogni",
            "createdAt": iso(now),
            "updatedAt": iso(now),
            "createTime": int(now * 1000),
            "updateTime": int(now * 1000),
            "timestamps": {"createdAt": iso(now), "updatedAt": iso(now)},
        }
        if template_id is not None:
            record["templateId"] = template_id
            record["inputs"] = body.get("inputs") or {}
        run = Workflow(wid, p.account.id, record)
        run.media = media
        for step in steps:
            explicit = step["arguments"].get("seed")
            if seeds and step["id"] in seeds:
                run.seeds[step["id"]] = int(seeds[step["id"]])
            elif isinstance(explicit, int):
                run.seeds[step["id"]] = explicit
            else:
                digest = hashlib.sha256(f"{self.hub.seed}:{wid}:{step['id']}".encode()).digest()
                run.seeds[step["id"]] = int.from_bytes(digest[:4], "big") % 2**31
        self.runs[wid] = run
        run.task = asyncio.get_running_loop().create_task(self.runner.execute(run))
        return run

    async def get(self, r: HttpRequest, p: Principal | None, m: dict[str, str]) -> HttpResponse:
        run = self._own(p, m["id"])
        if run is None:
            return error_response(404, "Workflow not found", 404)
        return success({"workflow": run.record})

    async def list_(self, r: HttpRequest, p: Principal | None, m: dict[str, str]) -> HttpResponse:
        assert p is not None
        rows = [w.record for w in self.runs.values() if w.owner == p.account.id]
        rows.reverse()  # newest first
        offset = max(0, int(r.query.get("offset", "0") or 0))
        limit = max(1, min(100, int(r.query.get("limit", "20") or 20)))
        nxt = offset + limit if offset + limit < len(rows) else None
        return success({"workflows": rows[offset : offset + limit], "next": nxt})

    async def events(self, r: HttpRequest, p: Principal | None, m: dict[str, str]) -> HttpResponse:
        run = self._own(p, m["id"])
        if run is None:
            return error_response(404, "Workflow not found", 404)
        return success({"events": run.log.events})

    async def stream(self, r: HttpRequest, p: Principal | None, m: dict[str, str]) -> HttpResponse:
        run = self._own(p, m["id"])
        if run is None:
            return error_response(404, "Workflow not found", 404)
        return sse_response(
            self.hub,
            r,
            run.log,
            event_name=lambda e: str(e["type"]),
            finished=lambda: run.status in TERMINAL,
        )

    async def resume(self, r: HttpRequest, p: Principal | None, m: dict[str, str]) -> HttpResponse:
        run = self._own(p, m["id"])
        if run is None:
            return error_response(404, "Workflow not found", 404)
        if run.status != "waiting_for_user":
            return success({"workflow": run.record, "resumed": False})
        run.resumed.set()
        return success({"workflow": run.record, "resumed": True})

    async def reseed(self, r: HttpRequest, p: Principal | None, m: dict[str, str]) -> HttpResponse:
        assert p is not None
        source = self._own(p, m["id"])
        if source is None:
            return error_response(404, "Workflow not found", 404)
        if source.status not in ("completed", "partial_failure"):
            return error_response(409, "Only finished workflows can be reseeded", 409)
        try:
            body = r.json()
        except ValueError:
            return error_response(400, "body must be JSON", 400)
        overrides = body.get("seed_overrides") or {} if isinstance(body, dict) else {}
        if not isinstance(overrides, dict) or not all(
            isinstance(v, int) and not isinstance(v, bool) for v in overrides.values()
        ):
            return error_response(400, "seed_overrides must map step ids to integers", 400)
        seeds = dict(overrides)
        for step in source.record["steps"]:
            if step["id"] not in seeds:
                digest = hashlib.sha256(
                    f"{self.hub.seed}:reseed:{self._count}:{step['id']}".encode()
                ).digest()
                seeds[step["id"]] = int.from_bytes(digest[:4], "big") % 2**31
        plan = {"title": source.record["title"], "steps": source.record["plan"]["steps"]}
        clone = self._create(
            p, plan, {"input": plan}, source.media, source.record.get("templateId"), seeds
        )
        clone.record["clonedFromRunId"] = source.id
        steps = [{"stepId": sid, "seed": seed} for sid, seed in clone.seeds.items()]
        return success(
            {"workflow": clone.record, "reseed": {"cloned_from_run_id": source.id, "steps": steps}},
            201,
        )

    async def cancel(self, r: HttpRequest, p: Principal | None, m: dict[str, str]) -> HttpResponse:
        run = self._own(p, m["id"])
        if run is None:
            return error_response(404, "Workflow not found", 404)
        if run.status in TERMINAL:
            return success({"workflow": run.record, "cancelled": False})
        if run.task is not None:
            run.task.cancel()
            with contextlib.suppress(BaseException):
                await run.task
        for step in run.record["steps"]:
            if step["status"] in ("queued", "running", "waiting_for_user"):
                step["status"] = "cancelled"
        self.runner.set_status(run, "cancelled", "workflow_cancelled", "Workflow cancelled")
        return success({"workflow": run.record, "cancelled": True})

    def cancel_all(self) -> list[asyncio.Task[None]]:
        """Cancel running workflows (emulator shutdown)."""
        tasks = [run.task for run in self.runs.values() if run.task and not run.task.done()]
        for task in tasks:
            task.cancel()
        return tasks


def install_routes(router: Router) -> None:
    """Create the workflow, template, chat-run and hosted services and add their routes.

    Must run before the router's own ``POST /v1/chat/completions`` route so
    streamed and tool-executing completions come here first.
    """
    from .chat_runs import ChatRunService
    from .hosted import HostedService

    hub = router.hub
    service = WorkflowService(hub)
    runs = ChatRunService(hub)
    hosted = HostedService(hub, service, router)
    hub.workflows = service  # type: ignore[attr-defined]
    hub.chat_runs = runs  # type: ignore[attr-defined]
    add = router._add
    base = r"/v1/creative-agent/workflows"
    tpl = service.templates
    add("GET", base + r"/templates", tpl.list_)
    add("POST", base + r"/templates", tpl.create)
    add("POST", base + r"/templates/(?P<id>[^/]+)/fork", tpl.fork)
    add("GET", base + r"/templates/(?P<id>[^/]+)", tpl.get)
    add("PATCH", base + r"/templates/(?P<id>[^/]+)", tpl.update)
    add("DELETE", base + r"/templates/(?P<id>[^/]+)", tpl.delete)
    add("GET", base, service.list_)
    add("POST", base, service.start)
    add("GET", base + r"/(?P<id>[^/]+)/events/stream", service.stream)
    add("GET", base + r"/(?P<id>[^/]+)/events", service.events)
    add("POST", base + r"/(?P<id>[^/]+)/resume", service.resume)
    add("POST", base + r"/(?P<id>[^/]+)/reseed", service.reseed)
    add("POST", base + r"/(?P<id>[^/]+)/cancel", service.cancel)
    add("GET", base + r"/(?P<id>[^/]+)", service.get)
    add("POST", r"/v1/chat/runs", runs.create)
    add("GET", r"/v1/chat/runs/(?P<id>[^/]+)/events/stream", runs.stream)
    add("POST", r"/v1/chat/runs/(?P<id>[^/]+)/cancel", runs.cancel)
    add("POST", r"/v1/chat/runs/(?P<id>[^/]+)/confirm-cost", runs.confirm_cost)
    add("GET", r"/v1/chat/runs/(?P<id>[^/]+)", runs.get)
    add("POST", r"/v1/chat/completions", hosted.completions)
    add("POST", r"/v1/creative-agent/tools/execute", hosted.execute_tool)
