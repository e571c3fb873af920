"""Workflow execution: one run's steps in dependency order (wire reference 02 §5).

Each media step renders a *real* artifact with the deterministic renderer
(:func:`sogni_emulator.render.render`: PNG, H.264 MP4, MP3), stores it in the
emulator's object store and publishes a signed download URL. Bindings
(``dependsOn``) are resolved before a step runs: ``*_url`` / ``artifact_url``
inject the artifact URL, ``*_index`` the artifact's 0-based index in its
media lane (a one-element list for ``...Indices`` targets),
``artifact_data_uri`` an inline ``data:`` copy; ``$input_media`` reads the
request's ``media_references``. The resolved arguments are kept on the step
(``resolvedArguments``) so tests can check them.

A step whose arguments carry ``"emulatorFail": true`` fails (for
partial-failure tests); a step with ``toolName`` ``ask_clarifying_question``
waits for :attr:`Workflow.resumed`. The ``slow-steps=F`` fault multiplies
step durations.

Event log: every change appends ``{id, workflowId, sequence, timestamp, type,
status?, message?, data?}`` (protocol workflow-event schema; step fields live
in ``data``, and only ``workflow_*`` events carry a top-level ``status``, so
the SDK's terminal check fires only at the end).
"""

from __future__ import annotations

import asyncio
import base64
import logging
from typing import TYPE_CHECKING, Any

from .event_stream import EventLog, iso
from .workflow_plans import (
    AUDIO_TOOLS,
    INPUT_MEDIA,
    TEXT_TOOLS,
    VIDEO_TOOLS,
    media_kind,
    step_order,
)

if TYPE_CHECKING:
    from .supernet import Supernet

log = logging.getLogger("sogni_emulator")

__all__ = ["STEP_SECONDS", "TERMINAL", "StepFailure", "Workflow", "WorkflowRunner"]

STEP_SECONDS = 0.05
TERMINAL = frozenset({"completed", "partial_failure", "failed", "cancelled"})


class StepFailure(Exception):
    """A step failed (its message becomes the step's error)."""


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


class WorkflowRunner:
    """Runs workflows and records their events."""

    def __init__(self, hub: Supernet) -> None:
        self.hub = hub

    def event(
        self,
        run: Workflow,
        type_: str,
        *,
        status: str | None = None,
        message: str | None = None,
        data: dict[str, Any] | None = None,
    ) -> None:
        """Append one event to ``run``'s record and log (wakes its SSE streams)."""
        sequence = len(run.log.events) + 1
        event: dict[str, Any] = {
            "id": f"{run.id}:{sequence}",
            "workflowId": run.id,
            "sequence": sequence,
            "timestamp": iso(self.hub.clock.now()),
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
        run.record["updateTime"] = int(self.hub.clock.now() * 1000)
        run.log.append(event)

    def set_status(self, run: Workflow, status: str, type_: str, message: str) -> None:
        """Move ``run`` to ``status`` with a ``type_`` event; a terminal status closes its log."""
        run.record["status"] = status
        self.event(run, type_, status=status, message=message, data={"workflowId": run.id})
        if status in TERMINAL:
            run.record["timestamps"]["completedAt"] = iso(self.hub.clock.now())
            run.log.close()

    async def execute(self, run: Workflow) -> None:
        """Run ``run``'s steps to a terminal status (its background task)."""
        try:
            await self._execute_steps(run)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # an emulator bug must end the run, not hang its streams
            log.exception("workflow %s crashed", run.id)
            run.record["error"] = {"message": f"emulator error: {type(exc).__name__}"}
            self.set_status(run, "failed", "workflow_failed", "Workflow failed")

    async def _execute_steps(self, run: Workflow) -> None:
        await asyncio.sleep(0)
        self.set_status(run, "running", "workflow_started", "Workflow started")
        steps = run.record["steps"]
        order = step_order(steps) or list(range(len(steps)))
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
                self.event(run, "step_failed", data={"stepId": step["id"], "error": step["error"]})
                continue
            try:
                await self._run_step(run, step)
                succeeded += 1
            except StepFailure as exc:
                step["status"] = "failed"
                step["error"] = {"message": str(exc), "stepId": step["id"]}
                failed.add(step["id"])
                self.event(
                    run,
                    "step_failed",
                    message=str(exc),
                    data={"stepId": step["id"], "toolName": step["toolName"]},
                )
        if not failed:
            self.set_status(run, "completed", "workflow_completed", "Workflow completed")
        elif succeeded:
            self.set_status(run, "partial_failure", "workflow_failed", "Some steps failed")
        else:
            run.record["error"] = {"message": "Every step failed"}
            self.set_status(run, "failed", "workflow_failed", "Workflow failed")

    async def _run_step(self, run: Workflow, step: dict[str, Any]) -> None:
        step["status"] = "running"
        step_info = {"stepId": step["id"], "toolName": step["toolName"]}
        self.event(run, "step_started", data=dict(step_info))
        args = self._resolve(run, step)
        step["resolvedArguments"] = args
        step["seed"] = run.seeds.get(step["id"])
        delay = STEP_SECONDS * self.hub.speed * self.hub.faults.step_slowdown()
        await asyncio.sleep(delay)
        self.event(run, "workflow_progress", data={**step_info, "progress": 0.5})
        if args.get("emulatorFail"):
            raise StepFailure(f"{step['toolName']} failed (emulatorFail)")
        tool = step["toolName"]
        if tool == "ask_clarifying_question":
            step["status"] = "waiting_for_user"
            run.record["waitingReason"] = "ask_clarifying_question"
            self.event(
                run,
                "step_waiting_for_user",
                message=str(args.get("question", "Need more input")),
                data=dict(step_info),
            )
            run.record["status"] = "waiting_for_user"
            self.event(
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
            self.event(run, "workflow_progress", message="Resumed", data={"workflowId": run.id})
        elif tool in TEXT_TOOLS:
            pass
        else:
            artifact = await self._render(run, step, args)
            run.record["artifacts"].append(artifact)
            step["artifactIds"].append(artifact["id"])
            self.event(run, "artifact_created", data={**step_info, "artifact": artifact})
        step["status"] = "completed"
        self.event(run, "step_completed", data=dict(step_info))

    def _artifacts_of(self, run: Workflow, step_id: str) -> list[dict[str, Any]]:
        return [a for a in run.record["artifacts"] if a.get("stepId") == step_id]

    def _resolve(self, run: Workflow, step: dict[str, Any]) -> dict[str, Any]:
        args = dict(step["arguments"])
        for dep in step.get("dependsOn") or []:
            transform = dep["transform"]
            index = int(dep.get("sourceArtifactIndex") or 0)
            lane = dep.get("mediaType")
            if dep["sourceStepId"] == INPUT_MEDIA:
                refs = [r for r in run.media if lane is None or media_kind(r) in (None, lane)]
                if index >= len(refs):
                    if dep.get("required"):
                        raise StepFailure(f"$input_media has no reference {index}")
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
                        raise StepFailure(f"dependency {dep['sourceStepId']} has no artifact")
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
        if tool in VIDEO_TOOLS:
            kind, width, height = "video", int(args.get("width", 320)), int(args.get("height", 240))
            frames = max(4, min(24, int(float(args.get("duration", 1)) * 8)))
            data, mime = await render(
                "video", prompt=prompt, seed=seed, width=width, height=height, frames=frames, fps=8
            )
            extra: dict[str, Any] = {"width": width, "height": height, "duration": frames / 8}
        elif tool in AUDIO_TOOLS:
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
