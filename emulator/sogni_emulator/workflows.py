"""Durable creative workflows and templates (wire reference 02 §5).

A workflow is a plan of steps run one at a time in dependency order. Each
media step renders a *real* artifact with the deterministic renderer
(:func:`sogni_emulator.render.render`: PNG, H.264 MP4, MP3), stores it in the
emulator's object store and publishes a signed download URL. Bindings
(``dependsOn``) are resolved before a step runs: ``*_url`` / ``artifact_url``
inject the artifact URL, ``*_index`` the artifact's 0-based index in its
media lane (a one-element list for ``...Indices`` targets),
``artifact_data_uri`` an inline ``data:`` copy; ``$input_media`` reads the
request's ``media_references``. The resolved arguments are kept on the step
(``resolvedArguments``) so tests can check them.

Status flow: ``queued`` -> ``running`` -> ``completed`` | ``partial_failure``
(some step failed, some produced output) | ``failed`` | ``cancelled``; a step
with ``toolName`` ``ask_clarifying_question`` moves the run to
``waiting_for_user`` until ``POST .../resume``. A step whose arguments carry
``"emulatorFail": true`` fails (for partial-failure tests).

Event log: every change appends ``{id, workflowId, sequence, timestamp, type,
status?, message?, data?}`` (protocol workflow-event schema; step fields live
in ``data``, and only ``workflow_*`` events carry a top-level ``status``, so
the SDK's terminal check fires only at the end). The SSE stream
(``GET .../events/stream``) sends ``id: <sequence>`` / ``event: <type>`` /
``data: <event>`` frames (the first also carrying ``retry: 200``), replays events after
``max(?after=, Last-Event-ID)``, sends a ``: keep-alive`` comment frame every
15 s while idle, and closes after a terminal status.

Faults: ``sse-drop=N`` aborts a stream's TCP connection after N events
(the client must resume without gaps or duplicates); ``slow-steps=F``
multiplies step durations.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import datetime
import hashlib
import json
import logging
import re
from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING, Any

from .http import AbortConnection, HttpRequest, HttpResponse, error_response, success

log = logging.getLogger("sogni_emulator")

if TYPE_CHECKING:
    from .auth import Principal
    from .rest import Router
    from .supernet import Supernet

__all__ = ["EventLog", "TemplateStore", "WorkflowService", "install_routes", "sse_response"]

STEP_SECONDS = 0.05
HEARTBEAT_SECONDS = 15.0
SSE_RETRY_MS = 200
INPUT_MEDIA = "$input_media"
TERMINAL = frozenset({"completed", "partial_failure", "failed", "cancelled"})
TRANSFORMS = frozenset(
    {
        "artifact_url",
        "artifact_data_uri",
        "image_url",
        "video_url",
        "audio_url",
        "image_index",
        "video_index",
        "audio_index",
        "subtitle_cues",
        "subtitle_srt",
        "overlay_items",
        "asset_ref",
    }
)
_VIDEO_TOOLS = frozenset(
    {
        "generate_video",
        "animate_photo",
        "video_to_video",
        "stitch_video",
        "orbit_video",
        "dance_montage",
        "sound_to_video",
        "extend_video",
        "replace_video_segment",
        "overlay_video",
        "add_subtitles",
    }
)
_AUDIO_TOOLS = frozenset({"generate_music"})
_IMAGE_TOOLS = frozenset(
    {
        "generate_image",
        "edit_image",
        "apply_style",
        "restore_photo",
        "upscale_image",
        "refine_result",
        "change_angle",
    }
)
_TEXT_TOOLS = frozenset(
    {
        "analyze_image",
        "analyze_video",
        "extract_metadata",
        "finalize_response",
        "create_asset_manifest",
        "inspect_asset",
        "label_asset",
        "map_assets_for_model",
        "validate_asset_references",
        "ask_clarifying_question",
    }
)
KNOWN_TOOLS = _VIDEO_TOOLS | _AUDIO_TOOLS | _IMAGE_TOOLS | _TEXT_TOOLS


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


class TemplateStore:
    """Workflow templates (02 §5.7) with one public system template."""

    def __init__(self, hub: Supernet) -> None:
        self.hub = hub
        self._count = 0
        self.templates: dict[str, dict[str, Any]] = {}
        self.owners: dict[str, str | None] = {}
        system: dict[str, Any] = {
            "id": "tpl_keyframe_clip",
            "name": "Keyframe to clip",
            "version": "1.0.0",
            "description": "Render a keyframe image, then animate it into a short clip.",
            "category": "video",
            "stability": "production",
            "author": "system",
            "visibility": "public",
            "inputs": [{"name": "prompt", "type": "string", "default": "a lighthouse at dusk"}],
            "steps": [
                {
                    "id": "keyframe",
                    "toolName": "generate_image",
                    "arguments": {"prompt": "{{prompt}}", "width": 320, "height": 240},
                },
                {
                    "id": "clip",
                    "toolName": "generate_video",
                    "arguments": {"prompt": "{{prompt}}", "duration": 1},
                    "dependsOn": [
                        {
                            "sourceStepId": "keyframe",
                            "sourceArtifactIndex": 0,
                            "targetArgument": "referenceImageIndices",
                            "mediaType": "image",
                            "transform": "image_index",
                            "required": True,
                        }
                    ],
                },
            ],
            "exposeToLLM": True,
            "tags": ["video"],
            "createdAt": iso(0),
            "updatedAt": iso(0),
        }
        self.templates[system["id"]] = system
        self.owners[system["id"]] = None

    def visible(self, account_id: str, template_id: str) -> dict[str, Any] | None:
        template = self.templates.get(template_id)
        if template is None:
            return None
        owner = self.owners.get(template_id)
        if owner not in (None, account_id) and template.get("visibility") != "public":
            return None
        return template

    def _new_id(self) -> str:
        self._count += 1
        digest = hashlib.sha256(f"{self.hub.seed}:tpl:{self._count}".encode()).hexdigest()
        return f"tpl_{digest[:16]}"

    async def list_(self, r: HttpRequest, p: Principal | None, m: dict[str, str]) -> HttpResponse:
        assert p is not None
        visibility = r.query.get("visibility", "all")
        offset = max(0, int(r.query.get("offset", "0") or 0))
        limit = max(1, min(200, int(r.query.get("limit", "20") or 20)))
        rows = []
        for tid, template in self.templates.items():
            mine = self.owners.get(tid) == p.account.id
            public = template.get("visibility") == "public"
            if (visibility == "own" and mine) or (visibility == "public" and public):
                rows.append(template)
            elif visibility not in ("own", "public") and (mine or public):
                rows.append(template)
        page = rows[offset : offset + limit]
        nxt = offset + limit if offset + limit < len(rows) else None
        return success({"templates": page, "next": nxt})

    async def get(self, r: HttpRequest, p: Principal | None, m: dict[str, str]) -> HttpResponse:
        assert p is not None
        template = self.visible(p.account.id, m["id"])
        if template is None:
            return error_response(404, "Workflow template not found", 404)
        return success({"template": template})

    async def create(self, r: HttpRequest, p: Principal | None, m: dict[str, str]) -> HttpResponse:
        assert p is not None
        try:
            body = r.json()
        except ValueError:
            return error_response(400, "body must be JSON", 400)
        if not isinstance(body, dict) or not isinstance(body.get("name"), str):
            return error_response(400, "template name is required", 400)
        problem = _plan_problem({"steps": body.get("steps", [])}, [], allow_empty=True)
        if problem is not None:
            return error_response(400, problem, 400)
        template = dict(body)
        template["id"] = self._new_id()
        template.setdefault("version", "1.0.0")
        template.setdefault("visibility", "private")
        template["author"] = {"userId": p.account.id, "displayName": p.account.username}
        template["createdAt"] = template["updatedAt"] = iso(self.hub.clock.now())
        self.templates[template["id"]] = template
        self.owners[template["id"]] = p.account.id
        return success({"template": template}, 201)

    async def update(self, r: HttpRequest, p: Principal | None, m: dict[str, str]) -> HttpResponse:
        assert p is not None
        template = self.visible(p.account.id, m["id"])
        if template is None:
            return error_response(404, "Workflow template not found", 404)
        if self.owners.get(m["id"]) != p.account.id:
            return error_response(403, "Only the owner can update a template", 403)
        try:
            patch = r.json()
        except ValueError:
            return error_response(400, "body must be JSON", 400)
        if not isinstance(patch, dict):
            return error_response(400, "patch must be an object", 400)
        for key, value in patch.items():
            if key not in ("id", "author", "createdAt"):
                template[key] = value
        template["updatedAt"] = iso(self.hub.clock.now())
        return success({"template": template})

    async def delete(self, r: HttpRequest, p: Principal | None, m: dict[str, str]) -> HttpResponse:
        assert p is not None
        if self.visible(p.account.id, m["id"]) is None:
            return error_response(404, "Workflow template not found", 404)
        if self.owners.get(m["id"]) != p.account.id:
            return error_response(403, "Only the owner can delete a template", 403)
        del self.templates[m["id"]]
        del self.owners[m["id"]]
        return success({"deleted": True, "id": m["id"]})

    async def fork(self, r: HttpRequest, p: Principal | None, m: dict[str, str]) -> HttpResponse:
        assert p is not None
        source = self.visible(p.account.id, m["id"])
        if source is None:
            return error_response(404, "Workflow template not found", 404)
        try:
            body = r.json()
        except ValueError:
            body = {}
        body = body if isinstance(body, dict) else {}
        # 02 §8.15: the typed field is newName; the SDK's own script sends name.
        name = body.get("newName") or body.get("name") or f"{source['name']} (fork)"
        fork = json.loads(json.dumps(source))
        fork.update(
            id=self._new_id(),
            name=name,
            visibility="private",
            forkedFrom=source["id"],
            author={"userId": p.account.id, "displayName": p.account.username},
            createdAt=iso(self.hub.clock.now()),
            updatedAt=iso(self.hub.clock.now()),
        )
        self.templates[fork["id"]] = fork
        self.owners[fork["id"]] = p.account.id
        return success({"template": fork}, 201)


def _media_kind(ref: Any) -> str | None:
    if isinstance(ref, dict):
        for key in ("mediaType", "kind", "type"):
            if isinstance(ref.get(key), str):
                return str(ref[key])
    return None


def _plan_problem(plan: Any, media: list[Any], *, allow_empty: bool = False) -> str | None:
    """Server-side plan validation; the first problem as a message, else ``None``."""
    if not isinstance(plan, dict):
        return "input must be an object"
    steps = plan.get("steps")
    if not isinstance(steps, list) or (not steps and not allow_empty):
        return "input.steps must be a non-empty array"
    ids: set[str] = set()
    for i, step in enumerate(steps):
        if not isinstance(step, dict):
            return f"input.steps[{i}] must be an object"
        tool = step.get("toolName")
        if tool not in KNOWN_TOOLS:
            return f"input.steps[{i}].toolName: unsupported tool {tool!r}"
        if not isinstance(step.get("arguments", {}), dict):
            return f"input.steps[{i}].arguments must be an object"
        sid = step.get("id")
        if sid is not None:
            if not isinstance(sid, str) or not sid or sid in ids or sid == INPUT_MEDIA:
                return f"input.steps[{i}].id: invalid or duplicate id"
            ids.add(sid)
    for i, step in enumerate(steps):
        for j, dep in enumerate(step.get("dependsOn") or []):
            at = f"input.steps[{i}].dependsOn[{j}]"
            if not isinstance(dep, dict):
                return f"{at} must be an object"
            source = dep.get("sourceStepId")
            if dep.get("transform") not in TRANSFORMS:
                return f"{at}.transform: unsupported transform"
            if not isinstance(dep.get("targetArgument"), str) or not dep["targetArgument"]:
                return f"{at}.targetArgument is required"
            if source == INPUT_MEDIA:
                if not media:
                    return f"{at}: $input_media needs media_references"
                continue
            if source not in ids or source == step.get("id"):
                return f"{at}.sourceStepId: unknown step {source!r}"
    if _order(steps) is None:
        return "input.steps: dependency cycle"
    return None


def _order(steps: list[dict[str, Any]]) -> list[int] | None:
    """Steps in dependency order (stable), or ``None`` on a cycle."""
    index = {s.get("id"): i for i, s in enumerate(steps) if s.get("id") is not None}
    deps = [
        {index[d["sourceStepId"]] for d in s.get("dependsOn") or [] if d["sourceStepId"] in index}
        for s in steps
    ]
    done: list[int] = []
    remaining = list(range(len(steps)))
    while remaining:
        ready = [i for i in remaining if deps[i] <= set(done)]
        if not ready:
            return None
        done.append(ready[0])
        remaining.remove(ready[0])
    return done


def _substitute(value: Any, inputs: dict[str, Any]) -> Any:
    if isinstance(value, str):
        whole = re.fullmatch(r"\{\{\s*(\w+)\s*\}\}", value)
        if whole and whole.group(1) in inputs:
            return inputs[whole.group(1)]
        return re.sub(
            r"\{\{\s*(\w+)\s*\}\}", lambda m: str(inputs.get(m.group(1), m.group(0))), value
        )
    if isinstance(value, list):
        return [_substitute(v, inputs) for v in value]
    if isinstance(value, dict):
        return {k: _substitute(v, inputs) for k, v in value.items()}
    return value


class Workflow:
    """One durable run."""

    def __init__(self, wid: str, owner: str, record: dict[str, Any]) -> None:
        self.id = wid
        self.owner = owner
        self.record = record
        self.log = EventLog()
        self.task: asyncio.Task[None] | None = None
        self.resumed = asyncio.Event()
        self.seeds: dict[str, int] = {}
        self.media: list[Any] = []
        self.lanes: dict[str, int] = {"image": 0, "video": 0, "audio": 0}

    @property
    def status(self) -> str:
        return str(self.record["status"])


class WorkflowService:
    """All workflow runs of the emulator."""

    def __init__(self, hub: Supernet) -> None:
        self.hub = hub
        self.runs: dict[str, Workflow] = {}
        self.templates = TemplateStore(hub)
        self._count = 0
        self._idempotent: dict[tuple[str, str], str] = {}

    # -- helpers -----------------------------------------------------------------------

    def _now(self) -> float:
        return self.hub.clock.now()

    def _new_id(self, prefix: str = "wf") -> str:
        self._count += 1
        digest = hashlib.sha256(f"{self.hub.seed}:{prefix}:{self._count}".encode()).hexdigest()
        return f"{prefix}_{digest[:20]}"

    def _event(
        self,
        run: Workflow,
        type_: str,
        *,
        status: str | None = None,
        message: str | None = None,
        data: dict[str, Any] | None = None,
    ) -> None:
        sequence = len(run.log.events) + 1
        event: dict[str, Any] = {
            "id": f"{run.id}:{sequence}",
            "workflowId": run.id,
            "sequence": sequence,
            "timestamp": iso(self._now()),
            "type": type_,
        }
        if status is not None:
            event["status"] = status
        if message is not None:
            event["message"] = message
        if data is not None:
            event["data"] = data
        run.record["events"].append(event)
        run.record["updatedAt"] = event["timestamp"]
        run.record["updateTime"] = int(self._now() * 1000)
        run.log.append(event)

    def _set_status(self, run: Workflow, status: str, type_: str, message: str) -> None:
        run.record["status"] = status
        self._event(run, type_, status=status, message=message, data={"workflowId": run.id})
        if status in TERMINAL:
            run.record["timestamps"]["completedAt"] = iso(self._now())
            run.log.close()

    def _own(self, p: Principal | None, wid: str) -> Workflow | None:
        run = self.runs.get(wid)
        if run is None or p is None or run.owner != p.account.id:
            return None
        return run

    # -- routes ------------------------------------------------------------------------

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
                "steps": _substitute(template.get("steps") or [], inputs),
            }
        problem = _plan_problem(plan, media)
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
        run.task = asyncio.get_running_loop().create_task(self._execute(run))
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
        self._set_status(run, "cancelled", "workflow_cancelled", "Workflow cancelled")
        return success({"workflow": run.record, "cancelled": True})

    # -- execution ---------------------------------------------------------------------

    async def _execute(self, run: Workflow) -> None:
        try:
            await self._execute_steps(run)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # an emulator bug must end the run, not hang its streams
            log.exception("workflow %s crashed", run.id)
            run.record["error"] = {"message": f"emulator error: {type(exc).__name__}"}
            self._set_status(run, "failed", "workflow_failed", "Workflow failed")

    async def _execute_steps(self, run: Workflow) -> None:
        await asyncio.sleep(0)
        self._set_status(run, "running", "workflow_started", "Workflow started")
        steps = run.record["steps"]
        order = _order(steps) or list(range(len(steps)))
        failed: set[str] = set()
        succeeded = 0
        for index in order:
            step = steps[index]
            blocked = [
                d
                for d in step.get("dependsOn") or []
                if d["sourceStepId"] in failed and d.get("required", True)
            ]
            if blocked:
                step["status"] = "failed"
                step["error"] = {"message": "a required dependency failed"}
                failed.add(step["id"])
                self._event(run, "step_failed", data={"stepId": step["id"], "error": step["error"]})
                continue
            try:
                await self._run_step(run, step)
                succeeded += 1
            except _StepFailure as exc:
                step["status"] = "failed"
                step["error"] = {"message": str(exc), "stepId": step["id"]}
                failed.add(step["id"])
                self._event(
                    run,
                    "step_failed",
                    message=str(exc),
                    data={"stepId": step["id"], "toolName": step["toolName"]},
                )
        if not failed:
            self._set_status(run, "completed", "workflow_completed", "Workflow completed")
        elif succeeded:
            self._set_status(run, "partial_failure", "workflow_failed", "Some steps failed")
        else:
            run.record["error"] = {"message": "Every step failed"}
            self._set_status(run, "failed", "workflow_failed", "Workflow failed")

    async def _run_step(self, run: Workflow, step: dict[str, Any]) -> None:
        step["status"] = "running"
        step_info = {"stepId": step["id"], "toolName": step["toolName"]}
        self._event(run, "step_started", data=dict(step_info))
        args = self._resolve(run, step)
        step["resolvedArguments"] = args
        step["seed"] = run.seeds.get(step["id"])
        delay = STEP_SECONDS * self.hub.speed * self.hub.faults.step_slowdown()
        await asyncio.sleep(delay)
        self._event(run, "workflow_progress", data={**step_info, "progress": 0.5})
        if args.get("emulatorFail"):
            raise _StepFailure(f"{step['toolName']} failed (emulatorFail)")
        tool = step["toolName"]
        if tool == "ask_clarifying_question":
            step["status"] = "waiting_for_user"
            run.record["waitingReason"] = "ask_clarifying_question"
            self._event(
                run,
                "step_waiting_for_user",
                message=str(args.get("question", "Need more input")),
                data=dict(step_info),
            )
            run.record["status"] = "waiting_for_user"
            self._event(
                run,
                "workflow_waiting_for_user",
                status="waiting_for_user",
                message="Waiting for the user",
                data={"workflowId": run.id},
            )
            run.resumed.clear()
            await run.resumed.wait()
            run.record.pop("waitingReason", None)
            run.record["status"] = "running"
            self._event(run, "workflow_progress", message="Resumed", data={"workflowId": run.id})
        elif tool in _TEXT_TOOLS:
            pass
        else:
            artifact = await self._render(run, step, args)
            run.record["artifacts"].append(artifact)
            step["artifactIds"].append(artifact["id"])
            self._event(run, "artifact_created", data={**step_info, "artifact": artifact})
        step["status"] = "completed"
        self._event(run, "step_completed", data=dict(step_info))

    def _artifacts_of(self, run: Workflow, step_id: str) -> list[dict[str, Any]]:
        return [a for a in run.record["artifacts"] if a.get("stepId") == step_id]

    def _resolve(self, run: Workflow, step: dict[str, Any]) -> dict[str, Any]:
        args = dict(step["arguments"])
        for dep in step.get("dependsOn") or []:
            transform = dep["transform"]
            index = int(dep.get("sourceArtifactIndex") or 0)
            lane = dep.get("mediaType")
            if dep["sourceStepId"] == INPUT_MEDIA:
                refs = [r for r in run.media if lane is None or _media_kind(r) in (None, lane)]
                if index >= len(refs):
                    if dep.get("required"):
                        raise _StepFailure(f"$input_media has no reference {index}")
                    continue
                ref = refs[index]
                value: Any = -(index + 1) if transform.endswith("_index") else ref.get("url")
            else:
                found = self._artifacts_of(run, dep["sourceStepId"])
                if dep.get("sourceArtifactId"):
                    found = [a for a in found if a["id"] == dep["sourceArtifactId"]]
                if lane is not None:
                    found = [a for a in found if a.get("mediaType") == lane]
                if index >= len(found):
                    if dep.get("required"):
                        raise _StepFailure(f"dependency {dep['sourceStepId']} has no artifact")
                    continue
                artifact = found[index]
                if transform.endswith("_index"):
                    value = artifact["mediaIndex"]
                elif transform == "artifact_data_uri":
                    obj = self.hub.store.get(artifact["storeKey"])
                    raw = obj.data if obj is not None else b""
                    value = f"data:{artifact['mimeType']};base64,{base64.b64encode(raw).decode()}"
                elif transform == "asset_ref":
                    value = {"artifactId": artifact["id"], "url": artifact["url"]}
                else:
                    value = artifact["url"]
            target = dep["targetArgument"]
            args[target] = [value] if target.endswith("Indices") else value
        return args

    async def _render(
        self, run: Workflow, step: dict[str, Any], args: dict[str, Any]
    ) -> dict[str, Any]:
        from .render import render  # local: keeps import light for the router

        tool = step["toolName"]
        prompt = str(args.get("prompt") or args.get("description") or tool)
        seed = run.seeds.get(step["id"], 0)
        if tool in _VIDEO_TOOLS:
            kind, width, height = "video", int(args.get("width", 320)), int(args.get("height", 240))
            frames = max(4, min(24, int(float(args.get("duration", 1)) * 8)))
            data, mime = await render(
                "video", prompt=prompt, seed=seed, width=width, height=height, frames=frames, fps=8
            )
            extra: dict[str, Any] = {"width": width, "height": height, "duration": frames / 8}
        elif tool in _AUDIO_TOOLS:
            kind = "audio"
            duration = max(1.0, min(10.0, float(args.get("duration", 2))))
            data, mime = await render("audio", prompt=prompt, seed=seed, duration=duration)
            extra = {"duration": duration}
        else:
            kind, width, height = "image", int(args.get("width", 256)), int(args.get("height", 256))
            data, mime = await render("image", prompt=prompt, seed=seed, width=width, height=height)
            extra = {"width": width, "height": height}
        artifact_id = f"{run.id}_{step['id']}_{len(step['artifactIds'])}"
        key = self.hub.store.key(run.id, step["id"], artifact_id)
        self.hub.store.put(key, data, mime)
        media_index = run.lanes[kind]
        run.lanes[kind] += 1
        return {
            "id": artifact_id,
            "kind": kind,
            "type": kind,
            "mediaType": kind,
            "mimeType": mime,
            "url": self.hub.store.download_url(key),
            "stepId": step["id"],
            "toolName": tool,
            "mediaIndex": media_index,
            "sizeBytes": len(data),
            "seed": seed,
            "storeKey": key,
            **extra,
        }

    def cancel_all(self) -> list[asyncio.Task[None]]:
        """Cancel running workflows (emulator shutdown)."""
        tasks = [run.task for run in self.runs.values() if run.task and not run.task.done()]
        for task in tasks:
            task.cancel()
        return tasks


class _StepFailure(Exception):
    pass


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
