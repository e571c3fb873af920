"""The cached ``next_deadline`` and running progress equal their from-scratch values.

``SogniConnection.next_deadline`` keeps the earliest project deadline in a heap fed
by the projects whose inputs changed, and each project caches its own deadline
(project.py theory comment). Any input that forgot to invalidate a cache would make
the cached answer differ from a recomputation; these properties drive the
connection with the fuzz test's inputs and compare after every one.
"""

from __future__ import annotations

import math
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from test_connection_fuzz import OPS, run, srv  # same directory (pytest rootdir import)

from sogni_core.protocol._errors import ProtocolError
from sogni_core.state._rules import ProjectSpec, runtime_limit
from sogni_core.state.connection import GC_SECONDS, SogniConnection
from sogni_core.state.job import JobStatus
from sogni_core.state.project import (
    STALENESS_SECONDS,
    ProjectMachine,
    ProjectStatus,
    StalenessOutcome,
)


def project_deadline_from_scratch(p: ProjectMachine) -> float | None:
    """The project deadline as the uncached code computed it."""
    if p.finished or p.status is ProjectStatus.ERROR:
        return None
    deadlines = []
    if p.status is not ProjectStatus.COMPLETING:
        for job in p.jobs.values():
            if job.processing_since is not None and job.status is JobStatus.PROCESSING:
                limit = runtime_limit(p.spec.network, p.spec.media, job.eta_seconds)
                deadlines.append(job.processing_since + limit)
    if p._grace_at is not None:
        deadlines.append(p._grace_at)
    if p.status is not ProjectStatus.COMPLETING and not p._check_in_flight:
        deadlines.append(p._last_activity + STALENESS_SECONDS)
    return min(deadlines) if deadlines else None


def ceiling_from_scratch(p: ProjectMachine) -> float | None:
    """The earliest runtime ceiling of the project's processing jobs."""
    ceilings = [
        job.processing_since + runtime_limit(p.spec.network, p.spec.media, job.eta_seconds)
        for job in p.jobs.values()
        if job.processing_since is not None and job.status is JobStatus.PROCESSING
    ]
    return min(ceilings) if ceilings else None


def check_project(p: ProjectMachine) -> None:
    """The project's cached deadline, and its cached ceiling, are current."""
    assert p.next_deadline() == project_deadline_from_scratch(p), p.id
    live = not p.finished and p.status not in (ProjectStatus.ERROR, ProjectStatus.COMPLETING)
    if live:  # the ceiling is behind the staleness deadline: compare it on its own
        assert not p._ceilings_stale
        assert p._ceiling == ceiling_from_scratch(p), p.id


def deadline_from_scratch(conn: SogniConnection) -> float | None:
    found = [conn.session.next_deadline()]
    found += [project_deadline_from_scratch(p) for p in conn.projects.values()]
    found += [c.next_deadline() for c in conn.chats.values()]
    if conn._queue:
        found.append(conn._queue[0].created + conn._send_timeout)
    found += [t + GC_SECONDS for t in conn._ended_at.values()]
    found += [give_up for _, give_up, _ in conn._resubmit.values()]
    found += conn._awaiting_chats.values()
    present = [d for d in found if d is not None]
    return min(present) if present else None


def progress_from_scratch(p: ProjectMachine, now: float) -> int:
    if p.status.value == "completed":
        return 100
    total = sum(j.progress(now) for j in p.jobs.values())
    value = max(0, min(100, math.floor(total / max(1, p.spec.number_of_media) + 0.5)))
    return max(value, p.progress_reported)


def projects_from_scratch(conn: SogniConnection) -> float | None:
    found = [project_deadline_from_scratch(p) for p in conn.projects.values()]
    present = [d for d in found if d is not None]
    return min(present) if present else None


# A ready socket with two live projects first, so that project timers (staleness,
# ceilings, grace) are reached, not only the queue timeout of a socket never opened.
READY = [
    ("connect",),
    ("open",),
    ("frame", srv("authenticated", {"id": "x"})),
    ("job", "P"),
    ("job", "Q"),
]
LATER = st.one_of(
    OPS,
    st.tuples(st.just("timer"), st.floats(100, 130_000)),  # staleness, ceilings, grace
    st.tuples(st.just("stale"), st.sampled_from(["P", "Q"]), st.sampled_from(StalenessOutcome)),
)


@settings(max_examples=400, deadline=None)
@given(st.booleans(), st.lists(LATER, max_size=40), st.integers(1, 3), st.booleans())
def test_cached_deadline_equals_recomputed(
    ready: bool, ops: list[tuple[Any, ...]], every: int, quiet: bool
) -> None:
    # quiet: no ping or auth-fallback timer, so the project deadlines are the minimum.
    timers: dict[str, Any] = {"ping_interval": None, "auth_fallback": None} if quiet else {}
    conn = SogniConnection(socket_url="wss://h", app_id="a", rng=lambda: 0.3, **timers)
    now = 0.0
    for i, op in enumerate([*READY, *ops] if ready else ops):
        now += 1.0
        try:
            run(conn, op, now)
        except ProtocolError:
            pass
        conn.events()
        conn.data_to_send()
        for p in conn.projects.values():
            assert p.project_progress(now + 7.5) == progress_from_scratch(p, now + 7.5)
        if i % every == 0:  # asking less often must not matter either
            assert conn.next_deadline() == deadline_from_scratch(conn)
            assert conn._projects_deadline() == projects_from_scratch(conn)
            for p in conn.projects.values():
                check_project(p)
            assert len(conn._heap) <= 2 * len(conn.projects) + 64
    assert conn.next_deadline() == deadline_from_scratch(conn)


def test_cached_deadline_follows_a_whole_render() -> None:
    """One project through queue, processing (ceilings), ETA and the end."""
    conn = SogniConnection(
        socket_url="wss://h", app_id="a", rng=lambda: 0.3, ping_interval=None, auth_fallback=None
    )
    conn.connect(now=0)
    conn.on_open(now=0)
    conn.send_job_request(ProjectSpec(id="p", number_of_media=2, steps=4), {"jobID": "P"}, now=0)
    script: list[tuple[str, dict[str, Any]]] = [
        ("authenticated", {"id": "x"}),
        ("jobState", {"type": "queued", "jobID": "P", "queuePosition": 1}),
        ("jobState", {"type": "jobStarted", "jobID": "P", "imgID": "a"}),
        ("jobETA", {"jobID": "P", "imgID": "a", "etaSeconds": 4000}),
        ("jobProgress", {"jobID": "P", "imgID": "a", "step": 1, "stepCount": 4}),
        ("jobState", {"type": "jobStarted", "jobID": "P", "imgID": "b"}),
        ("jobState", {"type": "queued", "jobID": "P", "queuePosition": 2}),
        ("jobProgress", {"jobID": "P", "imgID": "b", "step": 2, "stepCount": 4}),
        ("jobResult", {"jobID": "P", "imgID": "a", "resultUrl": "https://r/a"}),
        ("jobState", {"type": "jobCompleted", "jobID": "P"}),
        ("jobResult", {"jobID": "P", "imgID": "b", "resultUrl": "https://r/b"}),
    ]
    seen = set()
    for n, (kind, payload) in enumerate(script, start=1):
        conn.receive_frame(srv(kind, payload), now=n * 10.0)
        got = conn.next_deadline()
        assert got == deadline_from_scratch(conn)
        seen.add(got)
        p = conn.projects["P"]
        check_project(p)
        assert p.project_progress(n * 10.0) == progress_from_scratch(p, n * 10.0)
    assert len(seen) > 3  # the deadline really moved along the way
    conn.on_timer(1e6)  # forgets the project
    assert conn.projects == {} and conn.next_deadline() == deadline_from_scratch(conn)
