"""Translate decoded wire Structs into project and chat machine inputs.

The machines take plain values (so they can be tested and reused without the
codec); this module is the one place that knows the wire field names.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

import msgspec

from sogni_core.protocol._generated import socket as wire
from sogni_core.state import events as ev
from sogni_core.state._rules import error_info_from_wire
from sogni_core.state.chat import ChatMachine
from sogni_core.state.project import ProjectMachine

__all__ = ["feed_chat", "feed_project", "feed_rest_record"]


def _queued(project: ProjectMachine, msg: Any, now: float) -> list[ev.Event]:
    return project.on_queued(
        queue_position=msg.queue_position if msg.queue_position is not None else -1,
        queue_status=msg.queue_status,
        estimated_start_seconds=msg.estimated_start_seconds,
        now=now,
    )


def _job_state(started: bool) -> _Handler:
    def handle(project: ProjectMachine, msg: Any, now: float) -> list[ev.Event]:
        return project.on_job_state(
            msg.img_id or "",
            started=started,
            worker_name=msg.worker_name,
            job_index=msg.job_index,
            now=now,
        )

    return handle


def _completed(project: ProjectMachine, msg: Any, now: float) -> list[ev.Event]:
    return project.on_completed(now=now)


def _progress(project: ProjectMachine, msg: Any, now: float) -> list[ev.Event]:
    return project.on_progress(
        msg.img_id or "",
        step=msg.step,
        step_count=msg.step_count,
        progress=msg.progress,
        has_image=msg.has_image is True,
        now=now,
    )


def _eta(project: ProjectMachine, msg: Any, now: float) -> list[ev.Event]:
    # 01 §4.9.4 quirk kept: a jobETA without imgID addresses job "".
    return project.on_eta(msg.img_id or "", eta_seconds=msg.eta_seconds, now=now)


def _result(project: ProjectMachine, msg: Any, now: float) -> list[ev.Event]:
    return project.on_result(
        msg.img_id or "",
        direct_url=msg.result_url or msg.video_url or msg.video_file,
        triggered_nsfw=msg.triggered_nsfw_filter is True,
        nsfw_detected=msg.nsfw_detected is True,
        user_canceled=msg.user_canceled is True,
        performed_steps=msg.performed_step_count,
        seed=msg.last_seed,
        now=now,
    )


def _error(project: ProjectMachine, msg: Any, now: float) -> list[ev.Event]:
    error = error_info_from_wire(
        msg.error,
        msg.error_message,
        subscription_limit=msg.subscription_limit,
        required_plans=msg.required_plans,
        feature=msg.feature,
        limitation=msg.limitation,
    )
    if msg.img_id:
        return project.on_job_error(msg.img_id, error, now=now)
    return project.on_project_error(error, now=now)


def _retry(project: ProjectMachine, msg: Any, now: float) -> list[ev.Event]:
    return project.on_retry(msg.img_id, now=now) if msg.img_id else []


_Handler = Callable[[ProjectMachine, Any, float], list[ev.Event]]
# Keyed by the exact decoded type: one dict lookup instead of a chain of class
# patterns (job events are nearly all the traffic). Insertion order is the
# isinstance order used for subclasses (the strict twins).
_PROJECT_HANDLERS: dict[type, _Handler] = {
    wire.JobProgress: _progress,
    wire.JobETA: _eta,
    wire.JobStateQueued: _queued,
    wire.JobStateInitiatingModel: _job_state(False),
    wire.JobStateJobStarted: _job_state(True),
    wire.JobStateJobCompleted: _completed,
    wire.JobResult: _result,
    wire.JobError: _error,
    wire.JobRetry: _retry,
}


def feed_project(project: ProjectMachine, msg: Any, now: float) -> list[ev.Event]:
    """Apply one job-related server event to a tracked project.

    Args:
        project: the project whose id the event's ``jobID`` names.
        msg: a decoded ``jobState``/``jobProgress``/``jobETA``/``jobResult``/
            ``jobError``/``jobRetry`` Struct (other types are ignored), as the
            frame codec returns it: ``imgID`` already upper-cased (01 §2.1).
        now: current time, seconds.

    Returns:
        The events the project produced.
    """
    handler = _PROJECT_HANDLERS.get(type(msg))
    if handler is None:
        for cls, candidate in _PROJECT_HANDLERS.items():
            if isinstance(msg, cls):
                handler = candidate
                break
        else:
            return []  # assigned/pending/LLM frames: ignored by projects (01 §4.9.4)
    return handler(project, msg, now)


_RUNNING = {"assigned": False, "initiatingModel": False, "jobStarted": True, "jobProgress": True}
_URL_KEYS = ("resultUrl", "imageUrl", "imageFile", "videoUrl", "videoFile")


def _str(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _num(value: object) -> float | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    return None


def feed_rest_record(
    project: ProjectMachine,
    raw: Mapping[str, Any],
    now: float,
    *,
    include_in_flight: bool = False,
) -> list[ev.Event]:
    """Replay a server-side view of a tracked project through its inputs.

    Used for the REST record (``GET /v1/projects/{id}``, 01 §4.11.4) and for
    the recovery entries of ``authenticated`` (``activeProjects``,
    ``unclaimedCompletedProjects``; newest reference ``_replayRawProject``).
    Going through the same inputs the socket drives keeps the never-backwards
    and exactly-once rules for this data too.

    Args:
        project: the tracked project the record describes.
        raw: the RawProject / RecoveredProject object.
        now: current time, seconds.
        include_in_flight: also replay ``workerJobs`` still running.

    Returns:
        The events the project produced.
    """
    out: list[ev.Event] = []
    count = raw.get("imageCount")
    if isinstance(count, int) and not isinstance(count, bool) and count > 0:
        project.set_number_of_media(count)
    step_count = _num(raw.get("stepCount"))
    rows: list[Any] = []
    for key in (
        ("workerJobs", "completedWorkerJobs") if include_in_flight else ("completedWorkerJobs",)
    ):
        value = raw.get(key)
        rows += list(value) if isinstance(value, (list, tuple)) else []
    seen: set[str] = set()
    for row in rows:
        if not isinstance(row, Mapping):
            continue
        ident = _str(row.get("imgID")) or _str(row.get("id"))
        if ident is None or ident.upper() in seen:
            continue
        job_id = ident.upper()
        seen.add(job_id)
        out += _replay_job(project, job_id, row, step_count, now)
    status = raw.get("status")
    if status == "completed":
        out += project.on_completed(now=now)
    elif status == "errored" and not project.finished:
        reason = _str(raw.get("reason"))
        error = _reason_error(reason if reason != "allJobsCompleted" else None, "genfailure")
        for job_id, job in list(project.jobs.items()):
            if not job.finished:
                out += project.on_job_error(job_id, error, now=now)
        out += project.on_project_error(error, now=now)
    elif status == "cancelled" and not project.finished:
        out += project.cancel(now=now)
    return out


def _replay_job(
    project: ProjectMachine,
    job_id: str,
    row: Mapping[str, Any],
    step_count: float | None,
    now: float,
) -> list[ev.Event]:
    status = row.get("status")
    worker = row.get("worker")
    name = None
    if isinstance(worker, Mapping):
        name = _str(worker.get("username")) or _str(worker.get("name"))
    steps = _num(row.get("performedSteps"))
    if status == "jobCompleted":
        seed = _num(row.get("seedUsed"))
        return project.on_result(
            job_id,
            direct_url=next((u for u in map(_str, map(row.get, _URL_KEYS)) if u), None),
            triggered_nsfw=row.get("triggeredNSFWFilter") is True,
            nsfw_detected=row.get("nsfwDetected") is True,
            user_canceled=row.get("reason") == "artistCanceled",
            performed_steps=steps,
            seed=seed,
            now=now,
        )
    if status == "jobError":
        reason = _str(row.get("reason")) or "genfailure"
        message = "Sensitive content detected." if reason == "sensitiveContent" else reason
        return project.on_job_error(job_id, error_info_from_wire(reason, message), now=now)
    if status in _RUNNING:
        started = _RUNNING[str(status)]
        out = project.on_job_state(
            job_id, started=started, worker_name=name, job_index=None, now=now
        )
        if started and ((steps or 0) > 0 or step_count is not None):
            out += project.on_progress(job_id, step=steps or 0, step_count=step_count, now=now)
        return out
    return []


def _reason_error(reason: str | None, fallback: str) -> ev.ErrorInfo:
    """A REST/recovery reason as ErrorData: numeric reasons are codes (Project.ts)."""
    text = (reason or "").strip() or fallback
    if re.fullmatch(r"\d{1,15}", text):
        return ev.ErrorInfo(code=int(text), message=text, original_code=text)
    return error_info_from_wire(text, text)


def feed_chat(chat: ChatMachine, msg: Any) -> list[ev.Event]:
    """Apply one LLM-related server event to a tracked chat job.

    Args:
        chat: the job whose id the event's ``jobID`` names.
        msg: a decoded ``jobState``/``jobTokens``/``llmJobResult``/
            ``llmJobError`` Struct (other types are ignored).

    Returns:
        The events the chat machine produced.
    """
    match msg:
        case (
            wire.JobStateQueued()
            | wire.JobStateInitiatingModel()
            | wire.JobStateJobStarted()
            | wire.JobStateAssigned()
            | wire.JobStateJobCompleted()
            | wire.JobStatePending()
        ):
            return chat.on_job_state(
                str(type(msg).__struct_config__.tag),  # the jobState `type` tag
                worker_name=getattr(msg, "worker_name", None),
                queue_position=getattr(msg, "queue_position", None),
                model_id=getattr(msg, "model_id", None),
                estimated_cost=getattr(msg, "estimated_cost", None),
            )
        case wire.JobTokens():
            deltas = [
                ev.ToolCallDelta(
                    index=d.index,
                    id=d.id,
                    name=d.function.name if d.function else None,
                    arguments=d.function.arguments if d.function else None,
                )
                for d in msg.tool_calls or ()
            ]
            return chat.on_tokens(
                content=msg.content,
                role=msg.role,
                finish_reason=msg.finish_reason,
                usage=_usage(msg.usage),
                tool_calls=deltas,
            )
        case wire.LLMJobResult():
            cost = None
            if msg.cost is not None:
                cost = msgspec.convert(msgspec.structs.asdict(msg.cost), ev.Cost)
            return chat.on_result(
                usage=_usage(msg.usage),
                time_taken=msg.time_taken,
                cost=cost,
                worker_name=msg.worker_name,
            )
        case wire.LLMJobError():
            return chat.on_error(
                error=msg.error,
                error_code=msg.error_code,
                message=msg.error_message,
                worker_name=msg.worker_name,
                subscription_limit=msg.subscription_limit is True,
                required_plans=msg.required_plans or (),
                feature=msg.feature,
                limitation=msg.limitation,
            )
    return []


def _usage(value: Any) -> ev.Usage | None:
    if value is None:
        return None
    return ev.Usage(
        prompt_tokens=value.prompt_tokens,
        completion_tokens=value.completion_tokens,
        total_tokens=value.total_tokens,
    )
