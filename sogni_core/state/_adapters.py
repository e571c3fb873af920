"""Translate decoded wire Structs into project and chat machine inputs.

The machines take plain values (so they can be tested and reused without the
codec); this module is the one place that knows the wire field names.
"""

from __future__ import annotations

from typing import Any

import msgspec

from sogni_core.protocol._generated import socket as wire
from sogni_core.state import events as ev
from sogni_core.state._rules import error_info_from_wire
from sogni_core.state.chat import ChatMachine
from sogni_core.state.project import ProjectMachine

__all__ = ["feed_chat", "feed_project"]


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
