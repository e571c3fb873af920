# Theory of operation
# ===================
#
# One job is one media item of a project, identified by the server-assigned
# ``imgID`` (wire reference 01 §4.1). Jobs are created lazily on the first
# job-level event for an unknown ``imgID`` and are driven only by their
# project (project.py), which owns the timers.
#
# States (01 §4.9.2, plus FINALIZING)::
#
#     PENDING ──INITIATING──> INITIATING ──STARTED/PROGRESS──> PROCESSING
#        │                                                       │
#        └──────────── RESULT_NEEDS_URL ──> FINALIZING ──URL_RESOLVED──> COMPLETED
#     any live ──RESULT_FINAL──> COMPLETED    any live ──RESULT_CANCELED/CANCEL──> CANCELED
#     any live ──ERROR/TIMEOUT/ABANDON──> FAILED           RETRY ──> PENDING
#
# FINALIZING is a ``jobResult`` whose media URL must first be fetched over
# REST (01 §4.10.4): the job has its result but the application has not yet
# been told; its public status is still ``processing``. The transport
# answers the ``FetchResultUrl`` action and the job completes with the URL, or
# with ``None`` when the fetch failed (the reference logs and completes).
#
# Conflict rules (the server may duplicate and reorder events):
#
# * Never backwards: a late ``initiatingModel`` after ``jobStarted`` keeps
#   PROCESSING; ``step`` is a running maximum; the reported progress is a
#   high-water mark, so it never decreases (not even across a RETRY).
# * Ends exactly once: in COMPLETED, FAILED and CANCELED every server input is
#   absorbed (table rows map them to the same state) and produces no event.
#   A ``jobError`` that trails the job's own ``jobResult`` (FINALIZING) is
#   absorbed too: the result wins.
# * Local inputs that make no sense (cancelling or timing out a finished job,
#   an URL answer nobody asked for) are missing from the table: they raise
#   LocalProtocolError and land the job in the sticky ERROR state.

"""The per-job state machine; see the theory comment above."""

from __future__ import annotations

import enum
import math

from sogni_core.state import events as ev
from sogni_core.state._table import step

__all__ = [
    "FINISHED",
    "JobInput",
    "JobMachine",
    "JobStatus",
    "TRANSITIONS",
    "js_round",
    "job_progress",
]


class JobStatus(enum.Enum):
    __hash__ = object.__hash__  # members are singletons; Enum's hash is Python

    PENDING = "pending"
    INITIATING = "initiating"
    PROCESSING = "processing"
    FINALIZING = "finalizing"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELED = "canceled"
    ERROR = "error"

    @property
    def public(self) -> str:
        """The status name of the reference SDK (FINALIZING -> processing)."""
        return "processing" if self is JobStatus.FINALIZING else self.value


class JobInput(enum.Enum):
    __hash__ = object.__hash__  # members are singletons; Enum's hash is Python

    # server-driven
    INITIATING = "initiating"
    STARTED = "started"
    PROGRESS = "progress"
    ETA = "eta"
    RESULT_FINAL = "result_final"
    RESULT_NEEDS_URL = "result_needs_url"
    RESULT_CANCELED = "result_canceled"
    ERROR = "error"
    RETRY = "retry"
    # client-driven
    PREVIEW = "preview"
    URL_RESOLVED = "url_resolved"
    CANCEL = "cancel"
    TIMEOUT = "timeout"
    ABANDON = "abandon"


FINISHED = frozenset({JobStatus.COMPLETED, JobStatus.FAILED, JobStatus.CANCELED})
REMOTE_INPUTS = frozenset(
    {
        JobInput.INITIATING,
        JobInput.STARTED,
        JobInput.PROGRESS,
        JobInput.ETA,
        JobInput.RESULT_FINAL,
        JobInput.RESULT_NEEDS_URL,
        JobInput.RESULT_CANCELED,
        JobInput.ERROR,
        JobInput.RETRY,
    }
)

_S = JobStatus
_I = JobInput


def _build() -> dict[tuple[JobStatus, JobInput], JobStatus]:
    t: dict[tuple[JobStatus, JobInput], JobStatus] = {}
    live = (_S.PENDING, _S.INITIATING, _S.PROCESSING)
    for s in live:
        t[(s, _I.INITIATING)] = _S.INITIATING if s is not _S.PROCESSING else _S.PROCESSING
        t[(s, _I.STARTED)] = _S.PROCESSING
        t[(s, _I.PROGRESS)] = _S.PROCESSING
        t[(s, _I.ETA)] = s
        t[(s, _I.PREVIEW)] = s
        t[(s, _I.RESULT_FINAL)] = _S.COMPLETED
        t[(s, _I.RESULT_NEEDS_URL)] = _S.FINALIZING
        t[(s, _I.RESULT_CANCELED)] = _S.CANCELED
        t[(s, _I.ERROR)] = _S.FAILED
        t[(s, _I.RETRY)] = _S.PENDING
        t[(s, _I.CANCEL)] = _S.CANCELED
        t[(s, _I.TIMEOUT)] = _S.FAILED
        t[(s, _I.ABANDON)] = _S.FAILED
    # FINALIZING: the result is in; only the URL answer or a cancel moves it.
    for i in REMOTE_INPUTS | {_I.PREVIEW, _I.TIMEOUT, _I.ABANDON}:
        t[(_S.FINALIZING, i)] = _S.FINALIZING
    t[(_S.FINALIZING, _I.URL_RESOLVED)] = _S.COMPLETED
    t[(_S.FINALIZING, _I.CANCEL)] = _S.CANCELED
    # Finished: late server events and late preview answers are absorbed.
    for s in FINISHED:
        for i in REMOTE_INPUTS | {_I.PREVIEW}:
            t[(s, i)] = s
    # A result-URL answer that lands after a cancel is dropped.
    t[(_S.CANCELED, _I.URL_RESOLVED)] = _S.CANCELED
    return t


TRANSITIONS: dict[tuple[JobStatus, JobInput], JobStatus] = _build()


def js_round(x: float) -> int:
    """JavaScript ``Math.round`` (halves toward +infinity; 01 §2.2)."""
    return math.floor(x + 0.5)


def _clamp(x: float, lo: int = 0, hi: int = 100) -> int:
    return max(lo, min(hi, js_round(x)))


def job_progress(
    *,
    status: JobStatus,
    external: float | None,
    step: int,
    step_count: int,
    eta_started_at: float | None,
    eta: float | None,
    now: float,
) -> int:
    """Progress 0..100 of one job, exactly as 01 §4.10.1 computes it.

    Args:
        status: the job status (COMPLETED -> 100).
        external: the worker's direct ``progress`` (0..1 or 0..100), if any.
        step: current step; step_count: total steps (0 = unknown).
        eta_started_at: when the first ETA arrived; eta: absolute ETA time.
        now: current time, seconds.

    Returns:
        An integer in 0..100 (ETA-derived values stay within 1..95).
    """
    if status is JobStatus.COMPLETED:
        return 100
    if external is not None and math.isfinite(external):
        return _clamp(external * 100 if 0 <= external <= 1 else external)
    if step_count > 0:
        return _clamp(step / step_count * 100)
    if eta_started_at is not None and eta is not None:
        total = eta - eta_started_at
        if math.isfinite(total) and total > 0:
            elapsed = now - eta_started_at
            if elapsed <= 0:
                return 1
            return _clamp(elapsed / total * 100, 1, 95)
    return 0


class JobMachine:
    """State and data of one job. Only :class:`ProjectMachine` drives it.

    Args:
        job_id: the server's ``imgID``.
        step_count: the project's requested steps (0 when unknown).
    """

    def __init__(self, job_id: str, *, step_count: int = 0) -> None:
        self.id = job_id
        self.status = JobStatus.PENDING
        self.step = 0
        self.step_count = step_count
        self.external_progress: float | None = None
        self.eta: float | None = None
        self.eta_started_at: float | None = None
        self.eta_seconds: float | None = None
        self.worker_name: str | None = None
        self.job_index: int | None = None
        self.seed: int | None = None
        self.is_nsfw = False
        self.nsfw_detected = False
        self.result_url: str | None = None
        self.preview_url: str | None = None
        self.error: ev.ErrorInfo | None = None
        self.progress_reported = 0
        """High-water mark of the progress already reported."""
        self.processing_since: float | None = None
        """When the runtime ceiling was armed (first PROCESSING)."""

    @property
    def finished(self) -> bool:
        return self.status in FINISHED

    def process(self, event: JobInput) -> tuple[JobStatus, JobStatus]:
        """Apply one input.

        Returns:
            ``(old, new)`` status.

        Raises:
            LocalProtocolError: a client input is illegal in this state.
            RemoteProtocolError: never in practice (every server input has a
                row), kept for symmetry. Either way the job lands in ERROR.
        """
        old = self.status
        new = TRANSITIONS.get((old, event))  # the legal case, without a call
        if new is None:
            self.status = JobStatus.ERROR
            step(
                TRANSITIONS, old, event, machine="job", ident=self.id, remote=event in REMOTE_INPUTS
            )
            raise AssertionError("unreachable: step raises for a missing pair")
        self.status = new
        return old, new

    def apply(
        self,
        event: JobInput,
        *,
        project_id: str,
        now: float,
        out: list[ev.Event],
        error: ev.ErrorInfo | None = None,
    ) -> bool:
        """Apply one input and append the job's app events to ``out``.

        Progress is not reported here (the project reports it together with its
        own); the runtime ceiling is armed on the first PROCESSING and disarmed
        when the job ends.

        Returns:
            ``True`` when this input ended the job.

        Raises:
            LocalProtocolError: see :meth:`process`.
        """
        old, new = self.process(event)
        if new is JobStatus.PROCESSING and self.processing_since is None:
            self.processing_since = now
        if old is new:
            return False
        pid, jid = project_id, self.id
        if new is JobStatus.INITIATING:
            out.append(ev.JobInitiating(project_id=pid, job_id=jid, worker_name=self.worker_name))
        elif new is JobStatus.PROCESSING:
            out.append(ev.JobProcessing(project_id=pid, job_id=jid, worker_name=self.worker_name))
        elif new is JobStatus.PENDING:
            self.reset_attempt()
        elif new is JobStatus.COMPLETED:
            self.report_progress(pid, now, out)
            out.append(
                ev.JobCompleted(
                    project_id=pid,
                    job_id=jid,
                    result_url=self.result_url,
                    is_nsfw=self.is_nsfw,
                    nsfw_detected=self.nsfw_detected,
                    seed=self.seed,
                    steps=self.step,
                )
            )
        elif new is JobStatus.FAILED:
            self.error = error or ev.ErrorInfo(code=0, message="Job failed")
            out.append(ev.JobFailed(project_id=pid, job_id=jid, error=self.error))
        elif new is JobStatus.CANCELED:
            out.append(ev.JobCanceled(project_id=pid, job_id=jid))
        if self.finished:
            self.processing_since = None
            return True
        return False

    def report_progress(
        self, project_id: str, now: float, out: list[ev.Event], value: int | None = None
    ) -> None:
        """Append ``JobProgressed`` when progress rose above the last report.

        A failed or canceled job reports nothing more (its ETA-derived
        progress would otherwise keep growing with ``now``). ``value`` is
        ``self.progress(now)`` when the caller already computed it.
        """
        if self.finished and self.status is not JobStatus.COMPLETED:
            return
        if value is None:
            value = self.progress(now)
        if value > self.progress_reported:
            self.progress_reported = value
            out.append(
                ev.JobProgressed(
                    project_id=project_id,
                    job_id=self.id,
                    progress=value,
                    step=self.step,
                    step_count=self.step_count,
                    eta=self.eta,
                )
            )

    def progress(self, now: float) -> int:
        """Monotonic progress: max(high-water mark, current computed value)."""
        value = job_progress(
            status=self.status,
            external=self.external_progress,
            step=self.step,
            step_count=self.step_count,
            eta_started_at=self.eta_started_at,
            eta=self.eta,
            now=now,
        )
        return max(value, self.progress_reported, 0)

    def progress_is_timed(self) -> bool:
        """Whether :meth:`progress` changes with ``now`` alone (ETA-derived).

        Mirrors the branches of :func:`job_progress`: only a job that is not
        completed, has no usable worker progress and no step count, but has
        an ETA, is measured against the clock.
        """
        if self.status is JobStatus.COMPLETED or self.step_count > 0:
            return False
        external = self.external_progress
        if external is not None and math.isfinite(external):
            return False
        return self.eta_started_at is not None and self.eta is not None

    def reset_attempt(self) -> None:
        """Forget the abandoned worker's numbers (server ``jobRetry``)."""
        self.worker_name = None
        self.preview_url = None
        self.external_progress = None
        self.eta = self.eta_started_at = self.eta_seconds = None
        self.step = 0
        self.processing_since = None
