"""Simulated GPU workers: per-network slots, queueing and the job event script.

Event order per project (wire reference 01 §4.9.3)::

    jobState queued (again whenever the queue position changes)
        + projectQueue {waitingReason} while it waits, {waitingReason: null} when it
        leaves the queue (opt-in: only to connections subscribed to projectQueue)
    per job: jobState initiatingModel, jobState jobStarted
    per step, round-robin over the jobs: jobProgress {step, stepCount[, hasImage]}
        (video: also jobETA; external-API models: jobProgress {progress} + jobETA)
    per job: jobResult {performedStepCount, lastSeed, triggeredNSFWFilter,
        userCanceled[, resultUrl]}, then balanceUpdate (the job's cost is debited)
    jobState jobCompleted

Jobs of one project run side by side (as on separate workers) but their
events interleave in a fixed order, and every id, seed and worker name comes
from an RNG seeded with ``(--seed, project id)``, so a run is reproducible.
Timings: ``base x speed x slow-workers`` with a base of a few milliseconds
per step, so tests are fast by default.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

from .catalogue import Catalogue
from .clock import SimClock
from .cost import job_cost
from .faults import FaultPlan
from .projects import JobRun, ProjectRun
from .render import render
from .store import ObjectStore

__all__ = ["Scheduler", "WorkerHost", "run_project"]

STEP_DELAY = 0.004
INIT_DELAY = 0.006
NSFW_WORDS = ("nsfw",)
MAX_ATTEMPTS = 3


class WorkerHost(Protocol):
    """What the worker script needs from the hub."""

    catalogue: Catalogue
    store: ObjectStore
    clock: SimClock
    faults: FaultPlan
    speed: float

    async def emit(self, project: ProjectRun, type_: str, payload: dict[str, Any]) -> None: ...

    async def fault(self, kind: str, project: ProjectRun) -> None: ...

    async def job_finished(self, project: ProjectRun, job: JobRun) -> None: ...


@dataclass
class _Pool:
    slots: int
    running: int = 0


class Scheduler:
    """FIFO queue and a fixed number of rendering slots per network."""

    def __init__(self, slots: dict[str, int], catalogue: Catalogue) -> None:
        self._pools = {net: _Pool(max(1, n)) for net, n in slots.items()}
        self._waiting: dict[str, list[ProjectRun]] = {net: [] for net in slots}
        self._cond = asyncio.Condition()
        self._catalogue = catalogue

    def position(self, project: ProjectRun) -> int:
        """Projects ahead of this one on its network (0 = next)."""
        queue = self._waiting.get(project.network, [])
        return queue.index(project) if project in queue else 0

    async def wake(self) -> None:
        """Re-check waiting projects (worker counts changed)."""
        async with self._cond:
            self._cond.notify_all()

    async def acquire(
        self, project: ProjectRun, on_wait: Callable[[int, bool], Awaitable[None]]
    ) -> None:
        """Wait for a slot; ``on_wait(position, no_workers)`` runs when the wait changes."""
        pool = self._pools.setdefault(project.network, _Pool(1))
        queue = self._waiting.setdefault(project.network, [])
        async with self._cond:
            queue.append(project)
            last: tuple[int, bool] | None = None
            try:
                while True:
                    workers = self._catalogue.workers(project.model_id, project.network)
                    position = queue.index(project)
                    state = (position, workers <= 0)
                    if state != last:  # always once: every project is reported queued
                        last = state
                        await on_wait(*state)
                    if position == 0 and pool.running < pool.slots and workers > 0:
                        pool.running += 1
                        return
                    await self._cond.wait()
            finally:
                if project in queue:
                    queue.remove(project)
                self._cond.notify_all()

    async def release(self, project: ProjectRun) -> None:
        """Give a slot back."""
        async with self._cond:
            pool = self._pools[project.network]
            pool.running = max(0, pool.running - 1)
            self._cond.notify_all()


async def _sleep(host: WorkerHost, base: float) -> None:
    delay = base * host.speed * host.faults.slowdown()
    await asyncio.sleep(delay if delay > 0 else 0)


def _nsfw(host: WorkerHost, project: ProjectRun) -> bool:
    if host.faults.nsfw():
        return True
    if project.disable_safety:
        return False
    words = project.prompt.lower().replace(",", " ").split()
    return any(word in NSFW_WORDS for word in words)


async def _store_result(host: WorkerHost, project: ProjectRun, job: JobRun, slot: str) -> str:
    key = host.store.key(project.id, slot, job.img_id)
    prompt = project.prompt
    if project.kind == "video":
        data, ctype = await render(
            "video",
            prompt=prompt,
            seed=job.seed,
            width=project.width,
            height=project.height,
            frames=project.frames,
            fps=project.fps,
        )
    elif project.kind == "audio":
        data, ctype = await render(
            "audio",
            prompt=prompt,
            seed=job.seed,
            duration=project.duration,
            fmt=project.output_format,
        )
    else:
        scale = 4 if slot == "preview" else 1
        data, ctype = await render(
            "image",
            prompt=prompt,
            seed=job.seed,
            width=max(16, project.width // scale),
            height=max(16, project.height // scale),
            fmt="jpg" if slot == "preview" else project.output_format,
        )
    host.store.put(key, data, ctype)
    return key


async def _retry_on_new_worker(host: WorkerHost, project: ProjectRun, job: JobRun) -> None:
    """The worker dropped the job: announce ``jobRetry`` and restart it elsewhere.

    The render keeps its ``jobIndex`` but gets a new ``imgID`` from the next
    worker (the SDKs re-attach it by ``jobIndex``).
    """
    job.attempt += 1
    await host.emit(
        project,
        "jobRetry",
        {
            "jobID": project.id,
            "imgID": job.img_id,
            "jobIndex": job.index,
            "attempt": job.attempt,
            "maxAttempts": MAX_ATTEMPTS,
            "isFromWorker": True,
            "error": "workerDisconnected",
            "error_message": "The worker disconnected; the job was requeued (fault injected)",
        },
    )
    job.img_id = project.new_uuid()
    job.worker = f"{job.worker}-r{job.attempt}"
    job.step = 0
    await _sleep(host, INIT_DELAY)
    for kind in ("initiatingModel", "jobStarted"):
        job.status = kind
        await host.emit(
            project,
            "jobState",
            {
                "type": kind,
                "jobID": project.id,
                "imgID": job.img_id,
                "workerName": job.worker,
                "jobIndex": job.index,
            },
        )


def _preview_steps(steps: int, previews: int) -> set[int]:
    if previews <= 0 or steps <= 1:
        return set()
    return {
        max(1, min(steps - 1, round(k * steps / (previews + 1)))) for k in range(1, previews + 1)
    }


async def run_project(host: WorkerHost, scheduler: Scheduler, project: ProjectRun) -> None:
    """Drive one project from queued to completed (cancellation is external)."""
    now = host.clock.now_ms

    async def on_wait(position: int, no_workers: bool) -> None:
        project.queue_position = position
        entry = host.catalogue.model(project.model_id)
        per_project = (entry.sec_per_step if entry else 1.0) * max(project.steps, 1)
        payload: dict[str, Any] = {
            "jobID": project.id,
            "type": "queued",
            "queuePosition": position,
            "estimatedStartSeconds": None if no_workers else round(position * per_project, 1),
            "queueStatus": "no-workers" if no_workers else "waiting",
        }
        await host.emit(project, "jobState", payload)
        if position > 0 or no_workers:
            reason = "no_workers" if no_workers else "queued"
            message = (
                f"No workers are serving {project.model_id} on the {project.network} network"
                if no_workers
                else f"Waiting for a worker: {position} project(s) ahead"
            )
            await host.emit(
                project,
                "projectQueue",
                {"jobID": project.id, "waitingReason": {"reason": reason, "message": message}},
            )
            project.waiting = True

    project.status = "active"
    await scheduler.acquire(project, on_wait)
    if project.waiting:
        project.waiting = False
        await host.emit(project, "projectQueue", {"jobID": project.id, "waitingReason": None})
    try:
        await _render(host, project, now)
    finally:
        await scheduler.release(project)


async def _render(host: WorkerHost, project: ProjectRun, now: Callable[[], int]) -> None:
    project.status = "assigned"
    live = [job for job in project.jobs if not job.finished]
    for job in live:
        job.status = "initiatingModel"
        job.start_time = now()
        await host.emit(
            project,
            "jobState",
            {
                "type": "initiatingModel",
                "jobID": project.id,
                "imgID": job.img_id,
                "workerName": job.worker,
                "jobIndex": job.index,
            },
        )
        await _sleep(host, INIT_DELAY)
    for job in live:
        job.status = "jobStarted"
        await host.emit(
            project,
            "jobState",
            {
                "type": "jobStarted",
                "jobID": project.id,
                "imgID": job.img_id,
                "workerName": job.worker,
                "jobIndex": job.index,
            },
        )
    project.status = "progress"
    total = max(1, project.steps) if not project.external else 4
    entry = host.catalogue.model(project.model_id)
    sec_per_step = entry.sec_per_step if entry else 1.0
    previews = _preview_steps(total, project.previews) if project.kind == "image" else set()
    # Each job keeps its own step counter so a job moved to another worker
    # (``worker-retry``) starts again from step 1 while its siblings go on.
    while True:
        pending = [job for job in live if not job.finished and job.step < total]
        if not pending:
            break
        await _sleep(host, STEP_DELAY)
        for job in pending:
            job.status = "jobProgress"
            job.step += 1
            job.step_count = total
            step = job.step
            payload: dict[str, Any] = {"jobID": project.id, "imgID": job.img_id}
            if project.external:
                payload["progress"] = round(step / (total + 1), 4)
            else:
                payload["step"] = step
                payload["stepCount"] = total
            remaining = round((total - step) * sec_per_step, 1)
            if project.kind == "video" or project.external:
                payload["etaSeconds"] = remaining
            if step in previews:
                await _store_result(host, project, job, "preview")
                payload["hasImage"] = True
            await host.emit(project, "jobProgress", payload)
            if project.kind == "video" or project.external:
                await host.emit(
                    project,
                    "jobETA",
                    {"jobID": project.id, "imgID": job.img_id, "etaSeconds": remaining},
                )
            action = host.faults.on_progress(step * 100.0 / total)
            if action == "retry" and job.attempt >= MAX_ATTEMPTS:
                action = "error"  # retries exhausted: the job fails for good
            if action == "error":
                job.status = "jobError"
                job.reason = "genfailure"
                job.end_time = now()
                await host.emit(
                    project,
                    "jobError",
                    {
                        "jobID": project.id,
                        "imgID": job.img_id,
                        "isFromWorker": True,
                        "error": "workerError",
                        "error_message": "The worker failed to render this job (fault injected)",
                    },
                )
            elif action == "retry":
                await _retry_on_new_worker(host, project, job)
            elif action is not None:
                await host.fault(action, project)
    for job in live:
        if job.finished:
            continue
        job.nsfw = _nsfw(host, project)
        result: dict[str, Any] = {
            "jobID": project.id,
            "imgID": job.img_id,
            "performedStepCount": job.step,
            "lastSeed": str(job.seed),
            "triggeredNSFWFilter": job.nsfw,
            "userCanceled": False,
        }
        if not job.nsfw:
            job.result_key = await _store_result(host, project, job, "complete")
            result["resultKey"] = job.result_key
            if project.external:
                result["resultUrl"] = host.store.download_url(job.result_key)
        job.status = "jobCompleted"
        job.reason = "jobCompleted"
        job.end_time = now()
        job.cost = job_cost(host.catalogue, project.shape())
        await host.emit(project, "jobResult", result)
        await host.job_finished(project, job)
