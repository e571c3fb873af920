"""Translate decoded wire Structs into project and chat machine inputs.

The machines take plain values (so they can be tested and reused without the
codec); this module is the one place that knows the wire field names.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import msgspec

from sogni_core.protocol._generated import socket as wire
from sogni_core.state import events as ev
from sogni_core.state._rules import error_info_from_wire
from sogni_core.state.chat import ChatMachine
from sogni_core.state.project import ProjectMachine

__all__ = ["feed_chat", "feed_project", "feed_rest_record"]


def feed_project(project: ProjectMachine, msg: Any, now: float) -> list[ev.Event]:
    """Apply one job-related server event to a tracked project.

    Args:
        project: the project whose id the event's ``jobID`` names.
        msg: a decoded ``jobState``/``jobProgress``/``jobETA``/``jobResult``/
            ``jobError``/``jobRetry`` Struct (other types are ignored).
        now: current time, seconds.

    Returns:
        The events the project produced.
    """
    job_id = (getattr(msg, "img_id", None) or "").upper()
    match msg:
        case wire.JobStateQueued():
            return project.on_queued(
                queue_position=msg.queue_position if msg.queue_position is not None else -1,
                queue_status=msg.queue_status,
                estimated_start_seconds=msg.estimated_start_seconds,
                now=now,
            )
        case wire.JobStateInitiatingModel() | wire.JobStateJobStarted():
            return project.on_job_state(
                job_id,
                started=isinstance(msg, wire.JobStateJobStarted),
                worker_name=msg.worker_name,
                job_index=msg.job_index,
                now=now,
            )
        case wire.JobStateJobCompleted():
            return project.on_completed(now=now)
        case wire.JobProgress():
            return project.on_progress(
                job_id,
                step=msg.step,
                step_count=msg.step_count,
                progress=msg.progress,
                has_image=msg.has_image is True,
                now=now,
            )
        case wire.JobETA():
            # 01 §4.9.4 quirk kept: a jobETA without imgID addresses job "".
            return project.on_eta(job_id, eta_seconds=msg.eta_seconds, now=now)
        case wire.JobResult():
            return project.on_result(
                job_id,
                direct_url=msg.result_url or msg.video_url or msg.video_file,
                triggered_nsfw=msg.triggered_nsfw_filter is True,
                nsfw_detected=msg.nsfw_detected is True,
                user_canceled=msg.user_canceled is True,
                performed_steps=msg.performed_step_count,
                seed=msg.last_seed,
                now=now,
            )
        case wire.JobError():
            error = error_info_from_wire(
                msg.error,
                msg.error_message,
                subscription_limit=msg.subscription_limit,
                required_plans=msg.required_plans,
                feature=msg.feature,
                limitation=msg.limitation,
            )
            if msg.img_id:
                return project.on_job_error(job_id, error, now=now)
            return project.on_project_error(error, now=now)
        case wire.JobRetry():
            return project.on_retry(job_id, now=now) if job_id else []
    return []  # assigned/pending/LLM frames: ignored by projects (01 §4.9.4)


_RUNNING = {"assigned": False, "initiatingModel": False, "jobStarted": True, "jobProgress": True}


def _str(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def feed_rest_record(project: ProjectMachine, raw: Mapping[str, Any], now: float) -> list[ev.Event]:
    """Apply a REST project record (``GET /v1/projects/{id}``, 01 §4.11.4).

    The record is replayed through the same inputs the socket drives, so the
    never-backwards and exactly-once rules hold for REST data too. A local job
    missing from the record no longer aborts the sync (newest reference).

    Args:
        project: the tracked project the record describes.
        raw: the ``project`` object of the response (RawProject).
        now: current time, seconds.

    Returns:
        The events the project produced.
    """
    out: list[ev.Event] = []
    count = raw.get("imageCount")
    if isinstance(count, int) and not isinstance(count, bool) and count > 0:
        project.set_number_of_media(count)
    rows = raw.get("completedWorkerJobs")
    for row in rows if isinstance(rows, (list, tuple)) else ():
        if not isinstance(row, Mapping) or not _str(row.get("imgID")):
            continue
        job_id = str(row["imgID"]).upper()
        status = row.get("status")
        steps = row.get("performedSteps")
        worker = row.get("worker")
        name = _str(worker.get("name")) if isinstance(worker, Mapping) else None
        if status in _RUNNING:
            out += project.on_job_state(
                job_id, started=_RUNNING[str(status)], worker_name=name, job_index=None, now=now
            )
        elif status == "jobCompleted":
            seed = row.get("seedUsed")
            out += project.on_result(
                job_id,
                direct_url=next(
                    (
                        _str(row.get(k))
                        for k in ("resultUrl", "imageUrl", "imageFile", "videoUrl", "videoFile")
                        if _str(row.get(k))
                    ),
                    None,
                ),
                triggered_nsfw=row.get("triggeredNSFWFilter") is True,
                nsfw_detected=row.get("nsfwDetected") is True,
                user_canceled=False,
                performed_steps=steps if isinstance(steps, (int, float)) else None,
                seed=seed if isinstance(seed, (int, float, str)) else None,
                now=now,
            )
        elif status == "jobError":
            reason = _str(row.get("reason"))
            out += project.on_job_error(job_id, _reason_error(reason, "Job failed"), now=now)
    status = raw.get("status")
    if status == "completed":
        out += project.on_completed(now=now)
    elif status == "errored":
        out += project.on_project_error(
            _reason_error(_str(raw.get("reason")), "Project failed"), now=now
        )
    elif status == "cancelled" and not project.finished:
        out += project.cancel(now=now)
    return out


def _reason_error(reason: str | None, fallback: str) -> ev.ErrorInfo:
    """Project.ts: a numeric reason is the code; the reason is the message."""
    text = (reason or "").strip()
    code = int(text) if re.fullmatch(r"\d+", text) and len(text) < 16 else 0
    return ev.ErrorInfo(code=code, message=text or fallback, original_code=text or None)


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
