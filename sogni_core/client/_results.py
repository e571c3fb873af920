"""Where the results of a looked-up project are (01 §4.10.4, §4.11.2).

A finished project's stored record (``GET /v1/projects/{id}``, a
``ProjectRecord``) names each job's result by a direct URL (``resultUrl``, or
the legacy ``imageUrl``/``imageFile``/``videoUrl``/``videoFile``) or by a
storage key (``resultKey``) for which a signed download URL must be minted.
:func:`record_results` decides, per job, the way the live path decides for a
job whose ``jobResult`` arrives on the socket (``ProjectMachine.on_result``,
and its REST replay in ``state._adapters``): the direct URL in the same key
order, else no media for a canceled job or a result the safety filter
withheld, else the very ``FetchResultUrl`` request the live path emits
(``state._rules.result_url_request``: image vs media endpoint, ``jobId`` =
the project id, the job id, the content type of the output format).

Jobs that did not complete are reported (``failed``, ``canceled``,
``withheld``, ``unfinished``), never dropped. Pure: the transports perform the
fetches (``client.projects.result_urls``/``download``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Literal

import msgspec

from sogni_core.state import events as ev
from sogni_core.state._adapters import _URL_KEYS
from sogni_core.state._rules import ProjectSpec, result_route, result_url_request

if TYPE_CHECKING:
    from sogni_core.protocol._generated.rest import ProjectJobRecord, ProjectRecord

__all__ = ["MEDIA_EXTENSIONS", "JobResult", "Outcome", "record_media", "record_results"]

Outcome = Literal["completed", "withheld", "canceled", "failed", "unfinished"]
"""What became of one job of a looked-up project (see :class:`JobResult`)."""

MEDIA_EXTENSIONS = {"image": "png", "video": "mp4", "audio": "mp3", "model": "glb"}
"""File extension of a result when its output format is unknown."""

_MEDIA = ("image", "video", "audio", "model")
# The direct URL fields of the live path (``state._adapters._URL_KEYS``), as
# ProjectJobRecord attributes, in its order.
_DIRECT = tuple("".join("_" + c.lower() if c.isupper() else c for c in key) for key in _URL_KEYS)


class JobResult(msgspec.Struct, frozen=True, kw_only=True):
    """One job of a looked-up project and where its result is.

    Attributes:
        job_id: the job id (``imgID``, upper case).
        outcome: ``completed`` (a result to download), ``withheld`` (completed,
            but the safety filter withheld the media), ``canceled``, ``failed``
            (``reason`` says why, e.g. ``genfailure``) or ``unfinished``
            (still running or never started when the record was read).
        url: the download URL: the record's direct URL, or (from the
            transports) the signed URL minted for ``result_key``; ``None``
            when there is no media, or while ``fetch`` is still to be done.
        reason: the server's job ``reason`` (``jobCompleted``, ``genfailure``...).
        media: ``image``, ``video``, ``audio`` or ``model``.
        output_format: the job's recorded ``outputFormat``, if any.
        fetch: the signed-URL request to perform (the same
            ``FetchResultUrl`` a live project emits); ``None`` when ``url`` is
            known or there is no media.
    """

    job_id: str
    outcome: Outcome
    url: str | None = None
    reason: str | None = None
    media: str = "image"
    output_format: str | None = None
    fetch: ev.FetchResultUrl | None = None

    @property
    def extension(self) -> str:
        """The file extension of the result (output format, else by media)."""
        return self.output_format or MEDIA_EXTENSIONS.get(self.media, "bin")


def record_media(model_id: str | None, catalogue: Iterable[Mapping[str, Any]] = ()) -> str:
    """The media a project's model renders, from the model catalogue.

    Args:
        model_id: the record's ``model.id``.
        catalogue: the ``/api/v1/models/list`` entries (their ``media``).

    Returns:
        ``image``, ``video``, ``audio`` or ``model``; ``image`` for a model
        the catalogue does not list (the live path's default endpoint).
    """
    for entry in catalogue:
        if entry.get("id") == model_id:
            media = entry.get("media")
            return media if isinstance(media, str) and media in _MEDIA else "image"
    return "image"


def _jobs(record: ProjectRecord) -> list[ProjectJobRecord]:
    seen: set[str] = set()
    jobs: list[ProjectJobRecord] = []
    for job in (*record.worker_jobs, *record.completed_worker_jobs):
        ident = (job.img_id or job.id).upper()
        if ident not in seen:
            seen.add(ident)
            jobs.append(job)
    return jobs


def record_results(record: ProjectRecord, *, media: str = "image") -> tuple[JobResult, ...]:
    """Per job of a project record: its outcome and where its result is.

    Args:
        record: the record from ``GET /v1/projects/{id}``.
        media: what the project's model renders (:func:`record_media`); it
            picks the download endpoint for ``result_key`` jobs.

    Returns:
        One :class:`JobResult` per job (``workerJobs`` then
        ``completedWorkerJobs``, each job once), completed jobs carrying a
        ``url`` or a ``fetch`` request.
    """
    kind: Any = media if media in _MEDIA else "image"
    project_canceled = record.status == "cancelled" or record.reason == "artistCanceled"
    out: list[JobResult] = []
    for job in _jobs(record):
        job_id = (job.img_id or job.id).upper()
        common: dict[str, Any] = {
            "job_id": job_id,
            "reason": job.reason,
            "media": kind,
            "output_format": job.output_format or None,
        }
        if job.status == "jobCompleted":
            direct = next((u for u in (getattr(job, k) for k in _DIRECT) if u), None)
            route = result_route(  # the live jobResult path's order
                direct_url=direct,
                user_canceled=job.reason == "artistCanceled",
                withheld=bool(job.triggered_nsfw_filter) and not job.nsfw_detected,
            )
            if route == "direct":
                out.append(JobResult(outcome="completed", url=direct, **common))
            elif route == "canceled":
                out.append(JobResult(outcome="canceled", **common))
            elif route == "withheld":
                out.append(JobResult(outcome="withheld", **common))
            else:
                spec = ProjectSpec(
                    id=record.id.upper(), media=kind, output_format=job.output_format
                )
                fetch = result_url_request(spec, job_id)
                out.append(JobResult(outcome="completed", fetch=fetch, **common))
        elif job.status == "jobError":
            out.append(
                JobResult(outcome="failed", **{**common, "reason": job.reason or "genfailure"})
            )
        elif project_canceled or job.reason == "artistCanceled":
            out.append(JobResult(outcome="canceled", **common))
        else:
            out.append(JobResult(outcome="unfinished", **common))
    return tuple(out)
