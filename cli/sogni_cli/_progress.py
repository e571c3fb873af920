"""Live per-job progress bars (rich) for one project.

One bar per requested media (``image 1/2``...), created before the first
event so the layout never jumps; the n-th ``JobStarted`` claims the n-th bar.
Bars show the worker, the step count and the state (queued, initiating,
rendering, done, failed). When stderr is not a terminal the bars are off and
one plain line per finished job is written instead, so logs stay readable.
"""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
)

from sogni_core.state import events as ev

__all__ = ["ProjectProgress"]


class ProjectProgress:
    """Render a project's events as progress bars on ``console``.

    Use as a context manager around the event loop, feeding every event to
    :meth:`update`.

    Args:
        console: the (stderr) console to draw on.
        kind: ``image`` or ``video`` (the bar labels).
        count: how many media the project asked for.
    """

    def __init__(self, console: Console, kind: str, count: int) -> None:
        self._console = console
        self._live = console.is_terminal
        self._kind = kind
        self._count = count
        self._progress = Progress(
            SpinnerColumn(finished_text="[green]✓[/]"),
            TextColumn("[bold]{task.description}"),
            BarColumn(bar_width=32),
            TaskProgressColumn(),
            TextColumn("{task.fields[status]}"),
            TimeElapsedColumn(),
            console=console,
            disable=not self._live,
            refresh_per_second=12,
        )
        self._free: list[TaskID] = []
        self._jobs: dict[str, TaskID] = {}
        self._labels: dict[TaskID, str] = {}
        self.failed: list[str] = []
        """One line per failed job (``image 2/3: [code] message``)."""

    def __enter__(self) -> ProjectProgress:
        for index in range(self._count):
            label = f"{self._kind} {index + 1}/{self._count}"
            task = self._progress.add_task(label, total=100, status="[dim]queued")
            self._free.append(task)
            self._labels[task] = label
        self._progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._progress.stop()

    def _task(self, job_id: str) -> TaskID | None:
        task = self._jobs.get(job_id)
        if task is None and self._free:
            task = self._free.pop(0)
            self._jobs[job_id] = task
        return task

    def _label(self, job_id: str) -> str:
        found = self._task(job_id)
        return self._kind if found is None else self._labels.get(found, self._kind)

    def _set(self, job_id: str, **fields: Any) -> None:
        task = self._task(job_id)
        if task is not None:
            self._progress.update(task, **fields)

    def _plain(self, job_id: str, text: str) -> None:
        if not self._live:
            self._console.print(f"{self._label(job_id)}: {text}", highlight=False, markup=False)

    def update(self, event: ev.Event) -> None:
        """Apply one project event to the bars."""
        if isinstance(event, ev.ProjectQueued):
            status = f"[dim]queued (position {event.queue_position})"
            for task in self._free:
                self._progress.update(task, status=status)
        elif isinstance(event, ev.JobStarted):
            self._set(event.job_id, status="[cyan]starting")
        elif isinstance(event, ev.JobInitiating):
            self._set(
                event.job_id, status=f"[cyan]initiating on {escape(event.worker_name or '?')}"
            )
        elif isinstance(event, ev.JobProcessing):
            self._set(event.job_id, status=f"[blue]rendering on {escape(event.worker_name or '?')}")
        elif isinstance(event, ev.JobProgressed):
            step = f"step {event.step}/{event.step_count}" if event.step_count else "rendering"
            self._set(event.job_id, completed=event.progress, status=f"[blue]{step}")
        elif isinstance(event, ev.JobCompleted):
            if event.result_url:
                self._set(event.job_id, completed=100, status="[green]done")
                self._plain(event.job_id, "done")
            else:
                self._set(event.job_id, completed=100, status="[yellow]withheld (NSFW filter)")
                self._plain(event.job_id, "withheld by the NSFW filter")
        elif isinstance(event, ev.JobFailed):
            code = event.error.original_code or event.error.code
            self._set(event.job_id, status=escape(f"failed [{code}]"))
            self.failed.append(f"{self._label(event.job_id)}: [{code}] {event.error.message}")
        elif isinstance(event, ev.JobCanceled):
            self._set(event.job_id, status="[yellow]canceled")
