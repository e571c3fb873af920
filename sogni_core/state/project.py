# Theory of operation
# ===================
#
# A project is one ``jobRequest``; its id is generated client-side and every
# server event for it carries that id as ``jobID`` (wire reference 01 §4.1).
# The project machine owns its jobs (job.py), its two watchdogs and the
# app-facing events of both.
#
# States (01 §4.9.1, plus COMPLETING)::
#
#     PENDING ──QUEUED──> QUEUED ──PROGRESS──> PROCESSING ──SERVER_COMPLETED──> COMPLETING
#                                                                                  │
#                         JOBS_SETTLED or COMPLETION_GRACE ────────────────────────┴─> COMPLETED
#     PENDING/QUEUED/PROCESSING ──REMOTE_FAILED/LOCAL_FAILED──> FAILED
#     PENDING/QUEUED/PROCESSING/COMPLETING ──CANCEL──> CANCELED
#
# COMPLETING: the server said ``jobState jobCompleted`` but not every job has
# its result yet (``jobCompleted`` may precede the last ``jobResult``, and
# results may wait for a REST URL). The reference re-evaluates "completed and
# every job finished" on every change and may fire ``completed`` repeatedly;
# we fire ``ProjectCompleted`` exactly once, when at least ``number_of_media``
# jobs exist and all are finished (JOBS_SETTLED), or when the completion grace
# deadline passes (jobs still unfinished then are failed).
#
# Who drives what: the server drives QUEUED, PROGRESS, SERVER_COMPLETED and
# REMOTE_FAILED (a project-level ``jobError``, or a job failure that dooms the
# project: ``number_of_media`` is 1, or all expected jobs failed). The
# application drives CANCEL. Time drives LOCAL_FAILED (runtime ceiling,
# staleness watchdog) and COMPLETION_GRACE; the connection drives
# LOCAL_FAILED on a terminal disconnect.
#
# Conflict rules:
#
# * Never backwards: a late ``queued`` after PROCESSING keeps PROCESSING (it
#   only stops the runtime ceilings: the render was requeued, as the
#   reference notes). Progress is an integer high-water mark in 0..100.
# * Ends exactly once: COMPLETED, FAILED and CANCELED absorb every server input;
#   when the project ends, every unfinished job ends with it (canceled, or
#   failed with the project's error), so a finished project has finished jobs
#   (a job still fetching its URL completes when the answer arrives).
# * A local input that makes no sense (cancel after the end) is missing from
#   the table: LocalProtocolError, sticky ERROR. The connection checks first so
#   that a user mistake never breaks a live project.
#
# Timers, as deadlines (``next_deadline``/``on_timer``):
#
# * Runtime ceiling (01 §4.12.1, newest reference): armed when a job first
#   enters processing, never reset by progress, stopped by ``queued``/retry;
#   limit = min(12 h, max(floor[network][media], 6 x the worker's ETA)).
# * Staleness (01 §4.12.2): after 120 s without any input the project asks the
#   transport for a liveness check (``CheckProjectLiveness``); three strikes
#   cancel and fail it. Deferred while the socket is down: silence during a
#   transport gap is not staleness.
#
# ``next_deadline`` is asked after every frame, so it is cached: every write to
# something it reads (status, the jobs' status/ceilings/ETA, the grace and
# staleness timers) goes with ``_touch()``, which marks the cache stale and, if
# the connection asked for it (``watch_deadline``), queues the project in the
# connection's list of projects whose deadline must be read again. The runtime
# ceilings (a walk over the jobs) are cached apart: only a job's status, its
# ``processing_since`` or its ETA move them, and ``_ceilings_stale`` says so.

"""The project state machine; see the theory comment above."""

from __future__ import annotations

import enum
import math
from collections.abc import Iterable

import msgspec

from sogni_core.protocol._errors import LocalProtocolError
from sogni_core.state import events as ev
from sogni_core.state._rules import (
    ProjectSpec,
    format_limit,
    parse_seed,
    result_route,
    result_url_request,
    runtime_limit,
)
from sogni_core.state._table import step
from sogni_core.state.job import JobInput, JobMachine, JobStatus

__all__ = [
    "COMPLETION_GRACE_SECONDS",
    "STALENESS_SECONDS",
    "FINISHED",
    "ProjectInput",
    "ProjectMachine",
    "ProjectSpec",
    "ProjectStatus",
    "SendCancel",
    "StalenessOutcome",
    "TRANSITIONS",
]

STALENESS_SECONDS = 120.0
MAX_STALENESS_STRIKES = 3
COMPLETION_GRACE_SECONDS = 60.0


class ProjectStatus(enum.Enum):
    __hash__ = object.__hash__  # members are singletons; Enum's hash is Python

    PENDING = "pending"
    QUEUED = "queued"
    PROCESSING = "processing"
    COMPLETING = "completing"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELED = "canceled"
    ERROR = "error"

    @property
    def public(self) -> str:
        """Reference status name (COMPLETING -> processing)."""
        return "processing" if self is ProjectStatus.COMPLETING else self.value


class ProjectInput(enum.Enum):
    __hash__ = object.__hash__  # members are singletons; Enum's hash is Python

    QUEUED = "queued"
    JOB_ACTIVITY = "job_activity"
    PROGRESS = "progress"
    SERVER_COMPLETED = "server_completed"
    REMOTE_FAILED = "remote_failed"
    JOBS_SETTLED = "jobs_settled"
    COMPLETION_GRACE = "completion_grace"
    LOCAL_FAILED = "local_failed"
    CANCEL = "cancel"


class StalenessOutcome(enum.Enum):
    """What the transport's staleness check found (01 §4.12.2)."""

    __hash__ = object.__hash__  # members are singletons; Enum's hash is Python

    ALIVE = "alive"  # listed by /api/v1/artist/projects/active
    SYNCED = "synced"  # REST record read (the transport applied it)
    NOT_FOUND = "not_found"  # 404 and liveness unknown: normal while queued
    GONE = "gone"  # 404 and the socket confirmed it is gone -> strike
    FAILED = "failed"  # any other failure -> strike


FINISHED = frozenset({ProjectStatus.COMPLETED, ProjectStatus.FAILED, ProjectStatus.CANCELED})
_LIVE = frozenset({ProjectStatus.PENDING, ProjectStatus.QUEUED, ProjectStatus.PROCESSING})
_REMOTE = frozenset(
    {
        ProjectInput.QUEUED,
        ProjectInput.JOB_ACTIVITY,
        ProjectInput.PROGRESS,
        ProjectInput.SERVER_COMPLETED,
        ProjectInput.REMOTE_FAILED,
    }
)
_S = ProjectStatus
_I = ProjectInput


def _build() -> dict[tuple[ProjectStatus, ProjectInput], ProjectStatus]:
    t: dict[tuple[ProjectStatus, ProjectInput], ProjectStatus] = {}
    for s in (_S.PENDING, _S.QUEUED, _S.PROCESSING):
        t[(s, _I.QUEUED)] = _S.PROCESSING if s is _S.PROCESSING else _S.QUEUED
        t[(s, _I.JOB_ACTIVITY)] = s
        t[(s, _I.PROGRESS)] = _S.PROCESSING
        t[(s, _I.SERVER_COMPLETED)] = _S.COMPLETING
        t[(s, _I.REMOTE_FAILED)] = _S.FAILED
        t[(s, _I.LOCAL_FAILED)] = _S.FAILED
        t[(s, _I.CANCEL)] = _S.CANCELED
        # Every job ended before the server's jobCompleted: keep waiting.
        t[(s, _I.JOBS_SETTLED)] = s
    for i in _REMOTE | {_I.LOCAL_FAILED}:
        # The server already finished the project; failures now are noise.
        t[(_S.COMPLETING, i)] = _S.COMPLETING
    t[(_S.COMPLETING, _I.JOBS_SETTLED)] = _S.COMPLETED
    t[(_S.COMPLETING, _I.COMPLETION_GRACE)] = _S.COMPLETED
    t[(_S.COMPLETING, _I.CANCEL)] = _S.CANCELED
    for s in FINISHED:
        for i in _REMOTE | {_I.JOBS_SETTLED}:
            t[(s, i)] = s
    return t


TRANSITIONS: dict[tuple[ProjectStatus, ProjectInput], ProjectStatus] = _build()


class SendCancel(ev.Event, frozen=True, kw_only=True):
    """Internal: the connection must send the cancel ``jobError`` (01 §2.3.1)."""

    project_id: str


class ProjectMachine:
    """One tracked project and its jobs (see the theory comment).

    Args:
        spec: the request facts the machine needs.
        now: creation time, seconds.
        completion_grace: seconds COMPLETING waits for the last results.
    """

    def __init__(
        self,
        spec: ProjectSpec,
        *,
        now: float,
        completion_grace: float = COMPLETION_GRACE_SECONDS,
    ) -> None:
        self.spec = spec
        self.id = spec.id
        self.status = ProjectStatus.PENDING
        self.jobs: dict[str, JobMachine] = {}
        self.queue_position = -1
        self.queue_status: str | None = None
        self.estimated_start_at: float | None = None
        self.eta: float | None = None
        self.error: ev.ErrorInfo | None = None
        self.progress_reported = 0
        self.completion_grace = completion_grace
        self._last_activity = now
        self._strikes = 0
        self._check_in_flight = False
        self._deferred = False
        self._grace_at: float | None = None
        self._deadline: float | None = None
        self._deadline_stale = True
        self._watchers: list[ProjectMachine] | None = None
        self._limits: dict[float | None, float] = {}  # runtime_limit by ETA seconds
        self._ceiling: float | None = None  # earliest runtime ceiling of the jobs
        self._ceilings_stale = True
        # Running progress (project_progress): each job's progress as of its
        # last input, unless it is ETA-derived and so moves with the clock.
        self._job_progress: dict[str, int] = {}
        self._timed_jobs: dict[str, JobMachine] = {}

    # -- core transition ------------------------------------------------------

    @property
    def finished(self) -> bool:
        return self.status in FINISHED

    def _touch(self) -> None:
        """A deadline input is about to change: recompute on the next ask."""
        if not self._deadline_stale:
            self._deadline_stale = True
            if self._watchers is not None:
                self._watchers.append(self)

    def watch_deadline(self, sink: list[ProjectMachine]) -> None:
        """Append this project to ``sink`` whenever its deadline may change.

        The connection keeps the earliest deadline of many projects without
        asking each of them on every frame (see the theory comment).
        """
        self._watchers = sink
        self._deadline_stale = True
        sink.append(self)

    def set_number_of_media(self, count: int) -> None:
        """Adopt the server's job count (REST ``imageCount``, 01 §4.11.4)."""
        self._touch()
        self._ceilings_stale = True
        self.spec = msgspec.structs.replace(self.spec, number_of_media=count)

    @property
    def has_open_fetches(self) -> bool:
        """``True`` while a job waits for its result URL."""
        return any(j.status is JobStatus.FINALIZING for j in self.jobs.values())

    def _process(self, event: ProjectInput) -> tuple[ProjectStatus, ProjectStatus]:
        if not self._deadline_stale:
            self._touch()
        old = self.status
        new = TRANSITIONS.get((old, event))  # the legal case, without a call
        if new is None:
            self.status = ProjectStatus.ERROR
            step(TRANSITIONS, old, event, machine="project", ident=self.id, remote=event in _REMOTE)
            raise AssertionError("unreachable: step raises for a missing pair")
        self.status = new
        return old, new

    def _apply(self, event: ProjectInput, now: float, out: list[ev.Event]) -> None:
        old, new = self._process(event)
        if old is new:
            return
        pid = self.id
        # (QUEUED never reaches here: on_queued emits ProjectQueued with its data.)
        if new is ProjectStatus.COMPLETING:
            self._grace_at = now + self.completion_grace
            self._check_settled(now, out)
        elif new is ProjectStatus.COMPLETED:
            self._end_jobs(JobInput.ABANDON, _NO_RESULT, now, out)
            self._report_progress(now, out, final=True)
            urls = tuple(j.result_url for j in self.jobs.values() if j.result_url)
            out.append(ev.ProjectCompleted(project_id=pid, result_urls=urls))
        elif new is ProjectStatus.FAILED:
            err = self.error or ev.ErrorInfo(code=0, message="Project failed")
            self._end_jobs(JobInput.ABANDON, err, now, out)
            out.append(ev.ProjectFailed(project_id=pid, error=err))
        elif new is ProjectStatus.CANCELED:
            self._end_jobs(JobInput.CANCEL, None, now, out)
            out.append(ev.ProjectCanceled(project_id=pid))
        if new in FINISHED:
            self._grace_at = None

    def _end_jobs(
        self, how: JobInput, err: ev.ErrorInfo | None, now: float, out: list[ev.Event]
    ) -> None:
        for job in self.jobs.values():
            if job.finished or (how is not JobInput.CANCEL and job.status is JobStatus.FINALIZING):
                continue
            self._job_input(job, how, now, out, error=err)

    # -- job plumbing ---------------------------------------------------------

    def _job(self, job_id: str, now: float, out: list[ev.Event]) -> JobMachine | None:
        """Find or lazily create a job; ``None`` once the project is over."""
        if self.finished:
            return None
        self._touch()
        self._last_activity = now
        job = self.jobs.get(job_id)
        if job is None:
            job = JobMachine(job_id, step_count=self.spec.steps)
            self.jobs[job_id] = job
            out.append(ev.JobStarted(project_id=self.id, job_id=job_id))
        # Any job-level event ends the queue wait (01 §4.9.1).
        self.estimated_start_at = None
        self.queue_status = None
        self._apply(ProjectInput.JOB_ACTIVITY, now, out)
        return job

    def _job_input(
        self,
        job: JobMachine,
        event: JobInput,
        now: float,
        out: list[ev.Event],
        *,
        error: ev.ErrorInfo | None = None,
    ) -> None:
        self._touch()
        status, since = job.status, job.processing_since
        try:
            ended = job.apply(event, project_id=self.id, now=now, error=error, out=out)
        finally:  # (also when the job lands in ERROR)
            if job.status is not status or job.processing_since != since:
                self._ceilings_stale = True
        # Every write to a job's progress inputs is followed by its input here.
        value = job.progress(now)
        if job.progress_is_timed():
            self._timed_jobs[job.id] = job
            self._job_progress.pop(job.id, None)
        else:
            self._job_progress[job.id] = value
            self._timed_jobs.pop(job.id, None)
        if ended:
            self._check_settled(now, out)
        else:
            job.report_progress(self.id, now, out, value)
            self._report_progress(now, out)

    def project_progress(self, now: float) -> int:
        """01 §4.10.2, as a high-water mark; 100 once COMPLETED."""
        if self.status is ProjectStatus.COMPLETED:
            return 100
        # == sum(j.progress(now) for j in self.jobs.values()): a job that got no
        # input yet is at 0, the others are as of their last input or timed.
        total = sum(self._job_progress.values())
        if self._timed_jobs:
            total += sum(j.progress(now) for j in self._timed_jobs.values())
        value = max(0, min(100, math.floor(total / max(1, self.spec.number_of_media) + 0.5)))
        return max(value, self.progress_reported)

    def _report_progress(self, now: float, out: list[ev.Event], *, final: bool = False) -> None:
        if self.finished and not final:
            return  # nothing after the end but the final 100 of COMPLETED
        value = self.project_progress(now)
        if value > self.progress_reported:
            self.progress_reported = value
            out.append(ev.ProjectProgressed(project_id=self.id, progress=value))

    def _check_settled(self, now: float, out: list[ev.Event]) -> None:
        jobs = self.jobs.values()
        if len(self.jobs) >= self.spec.number_of_media and all(j.finished for j in jobs):
            self._apply(ProjectInput.JOBS_SETTLED, now, out)

    def _fail(
        self, event: ProjectInput, err: ev.ErrorInfo, now: float, out: list[ev.Event]
    ) -> None:
        if self.status in _LIVE:
            self.error = err
        self._apply(event, now, out)

    # -- server inputs --------------------------------------------------------

    def on_queued(
        self,
        *,
        queue_position: int,
        queue_status: str | None,
        estimated_start_seconds: float | None,
        now: float,
    ) -> list[ev.Event]:
        """``jobState queued`` (01 §2.4.6, sanitized as the reference does)."""
        out: list[ev.Event] = []
        if self.finished:
            return out
        self._touch()
        self._last_activity = now
        old, new = self._process(ProjectInput.QUEUED)
        self._ceilings_stale = True
        for job in self.jobs.values():
            job.processing_since = None  # requeued render: stop the ceiling
        if new is ProjectStatus.QUEUED:
            before = (old, self.queue_position, self.queue_status, self.estimated_start_at)
            self.queue_position = queue_position
            self.queue_status = queue_status if queue_status in ("waiting", "no-workers") else None
            est = estimated_start_seconds
            ok = est is not None and math.isfinite(est) and est >= 0
            self.estimated_start_at = now + est if ok and est is not None else None
            after = (new, self.queue_position, self.queue_status, self.estimated_start_at)
            if before == after:
                return out  # a duplicate: nothing changed, nothing to report
            out.append(
                ev.ProjectQueued(
                    project_id=self.id,
                    queue_position=queue_position,
                    queue_status=self.queue_status,
                    estimated_start_at=self.estimated_start_at,
                )
            )
        return out

    def on_job_state(
        self,
        job_id: str,
        *,
        started: bool,
        worker_name: str | None,
        job_index: int | None,
        now: float,
    ) -> list[ev.Event]:
        """``jobState initiatingModel`` (``started=False``) or ``jobStarted``."""
        out: list[ev.Event] = []
        job = self._job(job_id, now, out)
        if job is not None and not job.finished:
            if worker_name is not None:
                job.worker_name = worker_name
            if job_index is not None:
                job.job_index = job_index
            self._job_input(job, JobInput.STARTED if started else JobInput.INITIATING, now, out)
        return out

    def on_progress(
        self,
        job_id: str,
        *,
        step: float | None = None,
        step_count: float | None = None,
        progress: float | None = None,
        has_image: bool = False,
        now: float,
    ) -> list[ev.Event]:
        """``jobProgress`` (01 §2.4.7, §4.9.2); may ask for a preview URL."""
        out: list[ev.Event] = []
        job = self._job(job_id, now, out)
        if job is None or job.finished or job.status is JobStatus.FINALIZING:
            return out
        if step is not None and math.isfinite(step):
            job.step = max(int(step), job.step)
        if step_count is not None and math.isfinite(step_count):
            job.step_count = int(step_count)
        if progress is not None and math.isfinite(progress):
            job.external_progress = progress
        self._job_input(job, JobInput.PROGRESS, now, out)
        self._apply(ProjectInput.PROGRESS, now, out)
        if has_image:
            out.append(
                ev.FetchPreviewUrl(
                    project_id=self.id,
                    job_id=job_id,
                    path="/v1/image/downloadUrl",
                    query=(("jobId", self.id), ("imageId", job_id), ("type", "preview")),
                )
            )
        return out

    def on_eta(self, job_id: str, *, eta_seconds: float, now: float) -> list[ev.Event]:
        """``jobETA``: refreshes liveness; project ETA = latest job ETA."""
        out: list[ev.Event] = []
        job = self._job(job_id, now, out)
        if job is None or job.finished or not math.isfinite(eta_seconds):
            return out
        job.eta = now + eta_seconds
        job.eta_seconds = eta_seconds
        self._ceilings_stale = True
        if job.eta_started_at is None:
            job.eta_started_at = now
        self.eta = max((j.eta for j in self.jobs.values() if j.eta is not None), default=None)
        self._job_input(job, JobInput.ETA, now, out)
        return out

    def on_result(
        self,
        job_id: str,
        *,
        direct_url: str | None,
        triggered_nsfw: bool,
        nsfw_detected: bool,
        user_canceled: bool,
        performed_steps: float | None,
        seed: str | float | None,
        now: float,
    ) -> list[ev.Event]:
        """``jobResult`` with result URL resolution (01 §4.10.4).

        A direct URL (``resultUrl``/``videoUrl``/``videoFile``) completes the
        job at once; a withheld NSFW result or a cancel completes it without a
        URL; otherwise the job waits for the ``FetchResultUrl`` answer.
        """
        out: list[ev.Event] = []
        job = self._job(job_id, now, out)
        if job is None or job.finished or job.status is JobStatus.FINALIZING:
            return out
        job.is_nsfw = bool(triggered_nsfw)
        job.nsfw_detected = bool(nsfw_detected)
        if performed_steps is not None and math.isfinite(performed_steps):
            job.step = int(performed_steps)
        elif job.step_count > 0:
            job.step = job.step_count
        job.seed = parse_seed(seed, job.seed)
        withheld = triggered_nsfw and not nsfw_detected and not self.spec.disable_nsfw_filter
        route = result_route(direct_url=direct_url, user_canceled=user_canceled, withheld=withheld)
        if route == "direct":
            job.result_url = direct_url
            self._job_input(job, JobInput.RESULT_FINAL, now, out)
        elif route == "canceled":
            self._job_input(job, JobInput.RESULT_CANCELED, now, out)
        elif route == "withheld":
            self._job_input(job, JobInput.RESULT_FINAL, now, out)
        else:
            self._job_input(job, JobInput.RESULT_NEEDS_URL, now, out)
            out.append(result_url_request(self.spec, job_id))
        return out

    def on_job_error(self, job_id: str, error: ev.ErrorInfo, *, now: float) -> list[ev.Event]:
        """``jobError`` with ``imgID``: the job fails; maybe the project too."""
        out: list[ev.Event] = []
        job = self._job(job_id, now, out)
        if job is None or job.finished:
            return out
        self._job_input(job, JobInput.ERROR, now, out, error=error)
        jobs = list(self.jobs.values())
        n = self.spec.number_of_media
        all_failed = len(jobs) >= n and all(j.status is JobStatus.FAILED for j in jobs)
        if n == 1 or all_failed:
            self._fail(ProjectInput.REMOTE_FAILED, error, now, out)
        return out

    def on_project_error(self, error: ev.ErrorInfo, *, now: float) -> list[ev.Event]:
        """``jobError`` without ``imgID``: the project fails."""
        out: list[ev.Event] = []
        self._last_activity = now
        self._fail(ProjectInput.REMOTE_FAILED, error, now, out)
        return out

    def on_completed(self, *, now: float) -> list[ev.Event]:
        """``jobState jobCompleted``."""
        out: list[ev.Event] = []
        self._last_activity = now
        self._apply(ProjectInput.SERVER_COMPLETED, now, out)
        return out

    def on_retry(self, job_id: str, *, now: float) -> list[ev.Event]:
        """``jobRetry``: the render goes back to the queue for another worker."""
        out: list[ev.Event] = []
        job = self.jobs.get(job_id)
        if job is not None and not self.finished and not job.finished:
            self._touch()
            self._last_activity = now
            self._job_input(job, JobInput.RETRY, now, out)
        return out

    # -- client inputs --------------------------------------------------------

    def cancel(self, *, now: float) -> list[ev.Event]:
        """Cancel locally (the connection sends the wire cancel, 01 §4.8).

        Raises:
            LocalProtocolError: the project already ended (lands in ERROR).
        """
        out: list[ev.Event] = []
        self._apply(ProjectInput.CANCEL, now, out)
        return out

    def result_url_resolved(self, job_id: str, url: str | None, *, now: float) -> list[ev.Event]:
        """The transport's answer to ``FetchResultUrl`` (``None`` = failed).

        Raises:
            LocalProtocolError: no fetch was pending for this job. Checked
                before the job machine sees the input, so a transport that
                answers twice does not break a live project.
        """
        out: list[ev.Event] = []
        job = self.jobs.get(job_id)
        if job is None or job.status not in (JobStatus.FINALIZING, JobStatus.CANCELED):
            raise LocalProtocolError(f"project {self.id}: no result URL pending for {job_id}")
        if job.status is JobStatus.FINALIZING:
            job.result_url = url
        self._job_input(job, JobInput.URL_RESOLVED, now, out)
        return out

    def preview_resolved(self, job_id: str, url: str, *, now: float) -> list[ev.Event]:
        """The transport's answer to ``FetchPreviewUrl``."""
        out: list[ev.Event] = []
        job = self.jobs.get(job_id)
        if job is None or job.finished or self.finished:
            return out
        job.preview_url = url
        self._job_input(job, JobInput.PREVIEW, now, out)
        out.append(ev.JobPreview(project_id=self.id, job_id=job_id, url=url))
        return out

    def fail_locally(self, error: ev.ErrorInfo, *, now: float) -> list[ev.Event]:
        """Fail from the client side (terminal disconnect, undeliverable request)."""
        out: list[ev.Event] = []
        if not self.finished:
            self._fail(ProjectInput.LOCAL_FAILED, error, now, out)
        return out

    def set_transport_up(self, up: bool, *, now: float) -> None:
        """Socket gap bookkeeping: silence while down is not staleness."""
        self._touch()
        self._deferred = not up
        self._last_activity = now

    def staleness_checked(self, outcome: StalenessOutcome, *, now: float) -> list[ev.Event]:
        """The transport's answer to ``CheckProjectLiveness`` (01 §4.12.2)."""
        out: list[ev.Event] = []
        self._touch()
        self._check_in_flight = False
        self._last_activity = now
        if outcome in (StalenessOutcome.ALIVE, StalenessOutcome.SYNCED):
            self._strikes = 0
        elif outcome in (StalenessOutcome.GONE, StalenessOutcome.FAILED):
            self._strikes += 1
            # Only a live project can go stale: in COMPLETING the server has
            # already finished it and only result URLs are outstanding.
            if self._strikes >= MAX_STALENESS_STRIKES and self.status in _LIVE:
                out.append(SendCancel(project_id=self.id))
                self._timeout_jobs("Job timed out", now, out)
                msg = "Project timed out. Please try again or contact support."
                self._fail(ProjectInput.LOCAL_FAILED, ev.ErrorInfo(code=0, message=msg), now, out)
        return out

    def _timeout_jobs(self, message: str, now: float, out: list[ev.Event]) -> None:
        err = ev.ErrorInfo(code=0, message=message)
        for job in self.jobs.values():
            if not job.finished and job.status is not JobStatus.FINALIZING:
                self._job_input(job, JobInput.TIMEOUT, now, out, error=err)

    # -- time -----------------------------------------------------------------

    def _ceilings(self) -> Iterable[tuple[float, JobMachine]]:
        if self.status is ProjectStatus.COMPLETING:
            return
        for job in self.jobs.values():
            if job.processing_since is not None and job.status is JobStatus.PROCESSING:
                limit = runtime_limit(self.spec.network, self.spec.media, job.eta_seconds)
                yield job.processing_since + limit, job

    def next_deadline(self) -> float | None:
        """Earliest time :meth:`on_timer` has work, or ``None``."""
        if self._deadline_stale:
            self._deadline = self._compute_deadline()
            self._deadline_stale = False
        return self._deadline

    def _compute_deadline(self) -> float | None:
        """min(runtime ceilings, grace, staleness), without building lists."""
        status = self.status
        if status in FINISHED or status is ProjectStatus.ERROR:
            return None
        best = self._grace_at
        if status is ProjectStatus.COMPLETING:
            return best
        if not self._check_in_flight:
            stale = self._last_activity + STALENESS_SECONDS
            if best is None or stale < best:
                best = stale
        if self._ceilings_stale:
            self._ceiling = self._earliest_ceiling()
            self._ceilings_stale = False
        ceiling = self._ceiling
        if ceiling is not None and (best is None or ceiling < best):
            best = ceiling
        return best

    def _earliest_ceiling(self) -> float | None:
        best: float | None = None
        limits = self._limits
        for job in self.jobs.values():
            since = job.processing_since
            if since is not None and job.status is JobStatus.PROCESSING:
                eta = job.eta_seconds
                limit = limits.get(eta)
                if limit is None:
                    if len(limits) >= 64:  # one entry per distinct worker ETA: keep it small
                        limits.clear()
                    limit = limits[eta] = runtime_limit(self.spec.network, self.spec.media, eta)
                ceiling = since + limit
                if best is None or ceiling < best:
                    best = ceiling
        return best

    def on_timer(self, now: float) -> list[ev.Event]:
        """Fire the due deadlines: grace, runtime ceiling, staleness."""
        out: list[ev.Event] = []
        if self.finished or self.status is ProjectStatus.ERROR:
            return out
        self._touch()
        if self._grace_at is not None and now >= self._grace_at:
            self._apply(ProjectInput.COMPLETION_GRACE, now, out)
            return out
        for deadline, job in list(self._ceilings()):
            if now >= deadline and not self.finished:
                limit = format_limit(
                    runtime_limit(self.spec.network, self.spec.media, job.eta_seconds)
                )
                out.append(SendCancel(project_id=self.id))
                self._timeout_jobs(f"Job exceeded the maximum runtime of {limit}", now, out)
                msg = f"Job {job.id} exceeded the maximum runtime of {limit}; project canceled"
                self._fail(ProjectInput.LOCAL_FAILED, ev.ErrorInfo(code=0, message=msg), now, out)
                return out
        stale = now >= self._last_activity + STALENESS_SECONDS
        if self.status is not ProjectStatus.COMPLETING and not self._check_in_flight and stale:
            if self._deferred:
                self._last_activity = now  # the socket is down: not staleness
            else:
                self._check_in_flight = True
                out.append(ev.CheckProjectLiveness(project_id=self.id))
        return out


_NO_RESULT = ev.ErrorInfo(code=0, message="No result received before the project completed")
