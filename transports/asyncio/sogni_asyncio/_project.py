"""A submitted project: ``Project`` and its event iterator ``ProjectEvents``.

Written once for asyncio; ``tools/unasync.py`` generates the trio and blocking
copies. A project only records what the client routes to it (the core decides
every state change) and hands it out as typed events, callbacks and results.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from sogni_core.client import ClientClosedError
from sogni_core.protocol._errors import JobFailedError
from sogni_core.protocol.jobrequest import ProjectParams
from sogni_core.state import events as ev

from . import _backend as backend

if TYPE_CHECKING:
    from sogni_core.client import JobResult
    from sogni_core.protocol._generated.rest import ProjectRecord

    from ._client import Projects, SogniClient

__all__ = [
    "END_EVENTS",
    "Project",
    "ProjectEvents",
    "dispatch",
    "download_results",
    "record_result_urls",
]

log = logging.getLogger("sogni.client")

E = TypeVar("E", bound=ev.Event)
END_EVENTS = (ev.ProjectCompleted, ev.ProjectFailed, ev.ProjectCanceled)
"""The events that end a project (exactly one is delivered)."""
_EXTENSIONS = {"image": "png", "video": "mp4", "audio": "mp3"}


def dispatch(callbacks: list[tuple[type, Callable[[Any], None]]], event: ev.Event) -> None:
    """Call each ``(kind, callback)`` whose kind ``event`` is (a failing one is logged)."""
    if not callbacks:
        return  # the common case: no copy of an empty list per event
    for kind, callback in list(callbacks):
        if isinstance(event, kind):
            try:
                callback(event)
            except Exception:
                log.exception("callback for %s failed", type(event).__name__)


class ProjectEvents:
    """One pass over a project's events (from :meth:`Project.events`).

    A plain iterator object, not an async generator: leaving the loop early
    needs no ``aclosing()`` (trio warns about unfinished async generators).
    Its queue is registered with the project until the end event was
    returned, :meth:`aclose` was called, or the iterator was dropped.
    """

    def __init__(self, project: Project) -> None:
        self._project: Project | None = project
        self._queue = backend.Queue()
        for event in project._history:
            self._queue.put_nowait(event)
        project._queues.append(self._queue)

    def __repr__(self) -> str:
        return f"ProjectEvents(open={self._project is not None})"

    def __aiter__(self) -> ProjectEvents:
        return self

    async def __anext__(self) -> ev.Event:
        if self._project is None:
            raise StopAsyncIteration
        event: ev.Event = await self._queue.get()
        if isinstance(event, END_EVENTS):
            self._unregister()
        return event

    async def aclose(self) -> None:
        """Stop receiving events (idempotent)."""
        self._unregister()

    def _unregister(self) -> None:
        project, self._project = self._project, None
        if project is not None:
            try:
                project._queues.remove(self._queue)
            except ValueError:  # pragma: no cover - already gone
                pass

    def __del__(self) -> None:
        self._unregister()


class Project:
    """One submitted project: its events, its end, its results.

    Created by :meth:`Projects.create`; do not construct directly.

    Attributes:
        id: the project id (uppercase UUID).
        params: the parameters it was created with.
    """

    def __init__(self, client: SogniClient, project_id: str, params: ProjectParams) -> None:
        self.id = project_id
        self.params = params
        self._client = client
        self._history: list[ev.Event] = []
        self._queues: list[backend.Queue] = []
        self._callbacks: list[tuple[type, Callable[[Any], None]]] = []
        self._done = backend.Event()
        self._end: ev.Event | None = None
        self.progress = 0
        """Project progress, 0-100 (never decreases)."""
        self.jobs: dict[str, ev.JobCompleted] = {}
        """Completed jobs by job id (one entry per delivered result)."""

    def __repr__(self) -> str:
        state = type(self._end).__name__ if self._end else f"{self.progress}%"
        return f"Project(id={self.id!r}, {state})"

    @property
    def finished(self) -> bool:
        """Whether the project completed, failed or was canceled."""
        return self._end is not None

    @property
    def result_urls(self) -> list[str]:
        """Result URLs delivered so far, in job order."""
        return [j.result_url for j in self.jobs.values() if j.result_url]

    def on(self, event_type: type[E], callback: Callable[[E], None]) -> None:
        """Call ``callback(event)`` for every later event of ``event_type``.

        Callbacks run one at a time, in event order, on the pump or the socket
        reader (threads for the blocking client); keep them short, never wait.
        """
        self._callbacks.append((event_type, callback))

    def _feed(self, event: ev.Event) -> None:
        if self._end is not None:
            return
        if isinstance(event, ev.ProjectProgressed):
            self.progress = event.progress
        elif isinstance(event, ev.JobCompleted):
            self.jobs.setdefault(event.job_id, event)
        self._history.append(event)
        for queue in self._queues:
            queue.put_nowait(event)
        dispatch(self._callbacks, event)
        if isinstance(event, END_EVENTS):
            self._end = event
            if isinstance(event, ev.ProjectCompleted):
                self.progress = 100
            self._done.set()

    def events(self) -> ProjectEvents:
        """Every event of this project, from the first, ending after its end.

        ``async for event in project.events()``; breaking out early is fine
        (no ``aclosing()`` needed): the iterator stops receiving events when
        it is closed, dropped or exhausted.

        Returns:
            A :class:`ProjectEvents` iterator of typed events
            (``ProjectQueued``, ``JobProgressed``, ``JobCompleted``, ..., then
            one of ``ProjectCompleted``/``ProjectFailed``/``ProjectCanceled``).
        """
        return ProjectEvents(self)

    async def wait(self, timeout: float | None = None) -> list[str]:
        """Wait for the end of the project.

        Cancelling the caller while it waits cancels the remote project.

        Args:
            timeout: seconds to wait; ``None`` waits until the end.

        Returns:
            The result URLs (NSFW-withheld results are left out).

        Raises:
            JobFailedError: the project failed or was canceled.
            ConnectionClosedError: the connection ended for good.
            ClientClosedError: the client was closed while the project ran.
            TimeoutError: ``timeout`` passed (the project keeps running).
        """
        try:
            done = await backend.wait_event(self._done, timeout)
        except BaseException:
            if not self.finished:
                self._client._cancel_nowait(self.id)
            raise
        if not done:
            raise TimeoutError(f"project {self.id} still running after {timeout} s")
        end = self._end
        if isinstance(end, ev.ProjectFailed):
            closed = self._client._closed_error
            if closed is not None and end.error.code == 0:
                raise closed
            if self._client._closed and end.error.code == 0:
                raise ClientClosedError("the client was closed before the project ended")
            raise JobFailedError(end.error.message, code=end.error.original_code or end.error.code)
        if isinstance(end, ev.ProjectCanceled):
            raise JobFailedError("project canceled", code="canceled")
        return self.result_urls

    async def cancel(self) -> None:
        """Cancel the project on the Supernet (no-op once it has ended)."""
        if not self.finished:
            self._client._cancel_nowait(self.id)

    async def download(self, folder: str | os.PathLike[str]) -> list[Path]:
        """Stream every result into ``folder`` (created if needed).

        Files are named ``<project id>_<job id>.<ext>``; the body is streamed
        to disk, never held whole in memory.

        Returns:
            The written paths, in job order.
        """
        media = type(self.params).__name__.removesuffix("ProjectParams").lower()
        ext = self.params.output_format or _EXTENSIONS.get(media, "bin")
        items = [(job.job_id, job.result_url, ext) for job in list(self.jobs.values())]
        return await download_results(self._client, self.id, items, folder)


async def download_results(
    client: SogniClient,
    project_id: str,
    items: Iterable[tuple[str, str | None, str]],
    folder: str | os.PathLike[str],
) -> list[Path]:
    """Stream results into ``folder`` as ``<project id>_<job id>.<ext>``.

    Shared by :meth:`Project.download` and ``client.projects.download`` (a
    looked-up project), so both name and stream files alike.

    Args:
        client: the client whose REST pool downloads.
        project_id: the project id (upper case).
        items: ``(job id, URL or None, extension)``; jobs without a URL are skipped.
        folder: the target folder (created if needed).

    Returns:
        The written paths, in ``items`` order.

    Raises:
        TransportError: a download failed.
    """
    target = Path(folder)
    target.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    for job_id, url, ext in items:
        if not url:
            continue
        path = target / f"{project_id}_{job_id}.{ext}"
        await client._rest.download(url, path)
        paths.append(path)
    return paths


async def record_result_urls(projects: Projects, record: ProjectRecord) -> list[JobResult]:
    """The results of a looked-up project, each completed job with its URL.

    The core's :func:`sogni_core.client.record_results` decides per job; a
    key is turned into a signed URL by the driver's fetch, the one the live
    ``FetchResultUrl`` action uses. The model catalogue (prefetched at
    connect) names the media, which picks the download endpoint.

    Raises:
        ApiStatusError: a refused download-URL request.
        RemoteProtocolError: an answer lacks the documented shape.
    """
    import msgspec

    from sogni_core.client import record_media, record_results

    model = record.model.id if record.model is not None else None
    results = record_results(record)
    if any(r.fetch is not None for r in results):
        catalogue = await projects.model_catalogue()
    else:  # direct URLs only: no request; the cached catalogue names the media
        catalogue = projects._catalogue or []
    results = record_results(record, media=record_media(model, catalogue))
    resolved: list[JobResult] = []
    for result in results:
        fetch = result.fetch
        if fetch is not None:
            url = await projects._client._driver._fetch(fetch.path, fetch.query)
            result = msgspec.structs.replace(result, url=url, fetch=None)
        resolved.append(result)
    return resolved
