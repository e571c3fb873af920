# mypy: disable-error-code="comparison-overlap,unreachable"
# (mypy narrows ``m.state`` after an assert and cannot see that a method call changes it.)
"""Project and job machines: tables, rules and Hypothesis invariants."""

from __future__ import annotations

import itertools
from typing import Any, Literal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sogni_core.protocol._errors import LocalProtocolError, ProtocolError
from sogni_core.state import events as ev
from sogni_core.state._rules import (
    ProjectSpec,
    error_info_from_wire,
    result_url_request,
    runtime_limit,
)
from sogni_core.state.job import (
    REMOTE_INPUTS,
    JobInput,
    JobMachine,
    JobStatus,
    job_progress,
    js_round,
)
from sogni_core.state.job import (
    TRANSITIONS as JOB_TABLE,
)
from sogni_core.state.project import (
    TRANSITIONS as PROJECT_TABLE,
)
from sogni_core.state.project import (
    ProjectInput,
    ProjectMachine,
    ProjectStatus,
    SendCancel,
    StalenessOutcome,
)

# ---------------------------------------------------------------- tables


@pytest.mark.parametrize(("state", "inp"), list(itertools.product(JobStatus, JobInput)))
def test_job_pairs_legal_or_error(state: JobStatus, inp: JobInput) -> None:
    job = JobMachine("J")
    job.status = state  # test-only: place the machine in each state
    if (state, inp) in JOB_TABLE:
        assert job.process(inp) == (state, JOB_TABLE[(state, inp)])
    else:
        with pytest.raises(ProtocolError) as info:
            job.process(inp)
        if state is not JobStatus.ERROR:
            # Every server input has a row: only local inputs can be illegal.
            assert isinstance(info.value, LocalProtocolError)
            assert inp not in REMOTE_INPUTS
        assert job.status is JobStatus.ERROR
        for later in JobInput:
            with pytest.raises(ProtocolError):
                job.process(later)


@pytest.mark.parametrize(("state", "inp"), list(itertools.product(ProjectStatus, ProjectInput)))
def test_project_pairs_legal_or_error(state: ProjectStatus, inp: ProjectInput) -> None:
    p = ProjectMachine(ProjectSpec(id="P"), now=0)
    p.status = state
    if (state, inp) in PROJECT_TABLE:
        assert p._process(inp) == (state, PROJECT_TABLE[(state, inp)])
    else:
        with pytest.raises(ProtocolError):
            p._process(inp)
        assert p.status is ProjectStatus.ERROR
        assert p.next_deadline() is None
        with pytest.raises(ProtocolError):
            p._process(ProjectInput.QUEUED)


def test_finished_states_absorb_every_server_input() -> None:
    for state in (JobStatus.COMPLETED, JobStatus.FAILED, JobStatus.CANCELED):
        for inp in REMOTE_INPUTS:
            assert JOB_TABLE[(state, inp)] is state


# ---------------------------------------------------------------- rules


def test_js_round_and_progress_rules() -> None:
    assert js_round(0.5) == 1 and js_round(1.5) == 2 and js_round(-0.5) == 0 and js_round(2.5) == 3

    def prog(status: JobStatus = JobStatus.PROCESSING, **kw: Any) -> int:
        args: dict[str, Any] = dict(
            external=None, step=0, step_count=0, eta_started_at=None, eta=None, now=0.0
        )
        args.update(kw)
        return job_progress(status=status, **args)

    assert prog(JobStatus.COMPLETED) == 100
    assert prog(external=1) == 100
    assert prog(external=0.425) == 43
    assert prog(external=250) == 100
    assert prog(external=37.4) == 37
    assert prog(step=3, step_count=8) == 38
    assert prog(eta_started_at=10.0, eta=110.0, now=10.0) == 1
    assert prog(eta_started_at=10.0, eta=110.0, now=60.0) == 50
    assert prog(eta_started_at=10.0, eta=110.0, now=500.0) == 95
    assert prog(eta_started_at=10.0, eta=5.0, now=50.0) == 0
    assert prog() == 0


@pytest.mark.parametrize(
    ("error", "code", "original"),
    [
        (4081, 4081, None),
        ("4081", 4081, None),
        ("", 0, None),
        (" 12 ", 12, None),
        ("0x10", 16, None),
        ("1e3", 1000, None),
        ("1.5", 1, "1.5"),
        ("Infinity", 5000, "Infinity"),
        ("serverRestarting", 5001, "serverRestarting"),
        ("workerCancelled", 5005, "workerCancelled"),
        ("somethingElse", 5000, "somethingElse"),
        (None, 5000, None),
    ],
)
def test_error_mapping(error: object, code: int, original: str | None) -> None:
    info = error_info_from_wire(error, "boom")
    assert (info.code, info.original_code, info.message) == (code, original, "boom")


def test_error_mapping_subscription_fields() -> None:
    info = error_info_from_wire(
        "4081", "m", subscription_limit=True, required_plans=["pro"], feature="f", limitation="l"
    )
    assert info.subscription_limit and info.required_plans == ("pro",)
    assert (info.feature, info.limitation) == ("f", "l")


def test_runtime_limits() -> None:
    assert runtime_limit("fast", "image", None) == 1800
    assert runtime_limit("fast", "video", 100) == 5400
    assert runtime_limit("fast", "video", 1000) == 6000
    assert runtime_limit("relaxed", "video", 10**6) == 12 * 3600


@pytest.mark.parametrize(
    ("media", "fmt", "path", "query"),
    [
        ("image", None, "/v1/image/downloadUrl", [("imageId", "J"), ("type", "complete")]),
        (
            "image",
            "jpg",
            "/v1/image/downloadUrl",
            [("imageId", "J"), ("type", "complete"), ("contentType", "image/jpeg")],
        ),
        ("video", "mp4", "/v1/media/downloadUrl", [("id", "J"), ("type", "complete")]),
        (
            "audio",
            "flac",
            "/v1/media/downloadUrl",
            [("id", "J"), ("type", "complete"), ("contentType", "audio/flac")],
        ),
        (
            "audio",
            None,
            "/v1/media/downloadUrl",
            [("id", "J"), ("type", "complete"), ("contentType", "audio/mpeg")],
        ),
        (
            "model",
            "glb",
            "/v1/media/downloadUrl",
            [("id", "J"), ("type", "complete"), ("contentType", "model/gltf-binary")],
        ),
    ],
)
def test_result_url_request(
    media: Literal["image", "video", "audio", "model"],
    fmt: str | None,
    path: str,
    query: list[tuple[str, str]],
) -> None:
    action = result_url_request(ProjectSpec(id="P", media=media, output_format=fmt), "J")
    assert action.path == path
    assert action.query == (("jobId", "P"), *query)


# ---------------------------------------------------------------- scenarios


def result(p: ProjectMachine, job: str, now: float, **kw: Any) -> list[ev.Event]:
    args: dict[str, Any] = dict(
        direct_url=None,
        triggered_nsfw=False,
        nsfw_detected=False,
        user_canceled=False,
        performed_steps=None,
        seed=None,
    )
    args.update(kw)
    return p.on_result(job, now=now, **args)


def kinds(events: list[ev.Event]) -> list[str]:
    return [type(e).__name__ for e in events]


def test_nsfw_withheld_and_direct_urls() -> None:
    p = ProjectMachine(ProjectSpec(id="P", number_of_media=3), now=0)
    out = result(p, "A", 1, triggered_nsfw=True)
    assert (
        ev.JobCompleted(project_id="P", job_id="A", result_url=None, is_nsfw=True, steps=0) in out
    )
    out = result(p, "B", 1, triggered_nsfw=True, direct_url="https://d")
    assert any(isinstance(e, ev.JobCompleted) and e.result_url == "https://d" for e in out)
    out = result(p, "C", 1, triggered_nsfw=True, nsfw_detected=True, seed="7")
    assert any(isinstance(e, ev.FetchResultUrl) for e in out)
    out = p.on_completed(now=2)
    assert "ProjectCompleted" not in kinds(out)
    out = p.result_url_resolved("C", None, now=3)
    assert kinds(out)[-1] == "ProjectCompleted"
    assert out[-1] == ev.ProjectCompleted(project_id="P", result_urls=("https://d",))


def test_disable_nsfw_filter_still_fetches() -> None:
    p = ProjectMachine(ProjectSpec(id="P", disable_nsfw_filter=True), now=0)
    assert any(isinstance(e, ev.FetchResultUrl) for e in result(p, "A", 1, triggered_nsfw=True))


def test_user_canceled_result_and_single_job_failure() -> None:
    p = ProjectMachine(ProjectSpec(id="P"), now=0)
    assert kinds(result(p, "A", 1, user_canceled=True))[-1] == "JobCanceled"
    q = ProjectMachine(ProjectSpec(id="Q", number_of_media=1), now=0)
    err = ev.ErrorInfo(code=5, message="x")
    out = q.on_job_error("A", err, now=1)
    assert kinds(out) == ["JobStarted", "JobFailed", "ProjectFailed"]
    assert out[-1] == ev.ProjectFailed(project_id="Q", error=err)
    assert q.on_job_error("A", err, now=2) == []


def test_multi_job_failure_needs_all_jobs() -> None:
    p = ProjectMachine(ProjectSpec(id="P", number_of_media=2), now=0)
    err = ev.ErrorInfo(code=5, message="x")
    assert "ProjectFailed" not in kinds(p.on_job_error("A", err, now=1))
    assert "ProjectFailed" in kinds(p.on_job_error("B", err, now=1))


def test_cancel_ends_jobs_then_rejects_second_cancel() -> None:
    p = ProjectMachine(ProjectSpec(id="P", number_of_media=2), now=0)
    p.on_job_state("A", started=True, worker_name="w", job_index=0, now=1)
    out = p.cancel(now=2)
    assert kinds(out) == ["JobCanceled", "ProjectCanceled"]
    assert p.on_progress("A", step=3, now=3) == []
    with pytest.raises(LocalProtocolError):
        p.cancel(now=4)


def test_late_queued_never_goes_backwards_and_stops_ceiling() -> None:
    p = ProjectMachine(ProjectSpec(id="P", steps=10), now=0)
    p.on_progress("A", step=1, step_count=10, now=0)
    assert p.status is ProjectStatus.PROCESSING
    assert p.jobs["A"].processing_since == 0
    assert (
        p.on_queued(queue_position=1, queue_status=None, estimated_start_seconds=None, now=5) == []
    )
    assert p.status is ProjectStatus.PROCESSING
    assert p.jobs["A"].processing_since is None
    # The next processing input re-arms the ceiling from its own time.
    p.on_progress("A", step=0, now=10)
    assert p.jobs["A"].processing_since == 10
    for t in range(100, 1801, 100):
        p.on_eta("A", eta_seconds=1, now=t)
        assert not [e for e in p.on_timer(t) if isinstance(e, SendCancel)]
    assert any(isinstance(e, SendCancel) for e in p.on_timer(1810))


def test_runtime_ceiling_cancels_and_fails() -> None:
    p = ProjectMachine(ProjectSpec(id="P", steps=10), now=0)
    p.on_job_state("A", started=True, worker_name="w", job_index=0, now=0)
    for t in range(100, 1800, 100):
        p.on_progress("A", step=1, now=t)
    out = p.on_timer(1800)
    assert isinstance(out[0], SendCancel)
    failed = [e for e in out if isinstance(e, ev.ProjectFailed)]
    assert failed[0].error.message == (
        "Job A exceeded the maximum runtime of 30 minutes; project canceled"
    )
    job_failed = [e for e in out if isinstance(e, ev.JobFailed)]
    assert job_failed[0].error.message == "Job exceeded the maximum runtime of 30 minutes"


def test_staleness_three_strikes_and_deferral() -> None:
    p = ProjectMachine(ProjectSpec(id="P"), now=0)
    assert p.next_deadline() == 120
    p.set_transport_up(False, now=50)
    assert p.on_timer(170) == []  # deferred: refreshed instead
    p.set_transport_up(True, now=170)
    assert p.on_timer(290) == [ev.CheckProjectLiveness(project_id="P")]
    assert p.next_deadline() is None  # check in flight
    assert p.staleness_checked(StalenessOutcome.NOT_FOUND, now=300) == []
    p.on_timer(420)
    assert p.staleness_checked(StalenessOutcome.GONE, now=421) == []
    p.on_timer(541)
    assert p.staleness_checked(StalenessOutcome.ALIVE, now=541) == []
    for t in (661, 781):
        p.on_timer(t)
        assert p.staleness_checked(StalenessOutcome.FAILED, now=t) == []
    p.on_timer(901)
    out = p.staleness_checked(StalenessOutcome.FAILED, now=901)
    assert isinstance(out[0], SendCancel)
    assert out[-1] == ev.ProjectFailed(
        project_id="P",
        error=ev.ErrorInfo(
            code=0, message="Project timed out. Please try again or contact support."
        ),
    )


def test_staleness_strikes_do_not_fail_a_completing_project() -> None:
    # Found by Hypothesis: the third strike timed the only job out, which
    # settled the project as COMPLETED, and then tried to fail it as well.
    p = ProjectMachine(ProjectSpec(id="P"), now=0)
    p.on_completed(now=1)
    p.staleness_checked(StalenessOutcome.GONE, now=2)
    p.staleness_checked(StalenessOutcome.GONE, now=3)
    p.on_job_state("A", started=False, worker_name=None, job_index=None, now=4)
    assert p.staleness_checked(StalenessOutcome.GONE, now=5) == []
    assert p.status is ProjectStatus.COMPLETING


def test_completion_grace_completes_with_what_arrived() -> None:
    p = ProjectMachine(ProjectSpec(id="P", number_of_media=2), now=0, completion_grace=10)
    result(p, "A", 1, direct_url="https://a")
    p.on_completed(now=2)
    assert p.next_deadline() == 12
    out = p.on_timer(12)
    assert out[-1] == ev.ProjectCompleted(project_id="P", result_urls=("https://a",))


def test_eta_progress_for_external_jobs() -> None:
    p = ProjectMachine(ProjectSpec(id="P"), now=0)
    p.on_eta("A", eta_seconds=100, now=0)
    out = p.on_eta("A", eta_seconds=50, now=50)
    assert ev.JobProgressed(project_id="P", job_id="A", progress=50, eta=100) in out
    assert p.eta == 100


# ---------------------------------------------------------------- properties

JOBS = st.sampled_from(["A", "B", "C"])
ERR = ev.ErrorInfo(code=1, message="e")
STEP = st.one_of(st.none(), st.integers(-5, 40).map(float))
OPS = st.one_of(
    st.tuples(st.just("queued"), st.integers(0, 5)),
    st.tuples(st.just("state"), JOBS, st.booleans()),
    st.tuples(st.just("progress"), JOBS, STEP, STEP, st.one_of(st.none(), st.floats(-1, 150))),
    st.tuples(st.just("eta"), JOBS, st.floats(0, 500)),
    st.tuples(st.just("result"), JOBS, st.sampled_from(["url", "fetch", "nsfw", "cancel"])),
    st.tuples(st.just("job_error"), JOBS),
    st.tuples(st.just("project_error")),
    st.tuples(st.just("completed")),
    st.tuples(st.just("retry"), JOBS),
    st.tuples(st.just("answer"), st.booleans()),
    st.tuples(st.just("preview"), JOBS),
    st.tuples(st.just("cancel")),
    st.tuples(st.just("tick"), st.floats(0, 4000)),
    st.tuples(st.just("stale"), st.sampled_from(list(StalenessOutcome))),
)


def apply(p: ProjectMachine, op: tuple[Any, ...], now: float, pending: list[str]) -> list[ev.Event]:
    kind = op[0]
    if kind == "queued":
        return p.on_queued(
            queue_position=op[1], queue_status="waiting", estimated_start_seconds=3, now=now
        )
    if kind == "state":
        return p.on_job_state(op[1], started=op[2], worker_name="w", job_index=None, now=now)
    if kind == "progress":
        return p.on_progress(op[1], step=op[2], step_count=op[3], progress=op[4], now=now)
    if kind == "eta":
        return p.on_eta(op[1], eta_seconds=op[2], now=now)
    if kind == "result":
        mode = op[2]
        return result(
            p,
            op[1],
            now,
            direct_url="https://u/" + op[1] if mode == "url" else None,
            triggered_nsfw=mode == "nsfw",
            user_canceled=mode == "cancel",
        )
    if kind == "job_error":
        return p.on_job_error(op[1], ERR, now=now)
    if kind == "project_error":
        return p.on_project_error(ERR, now=now)
    if kind == "completed":
        return p.on_completed(now=now)
    if kind == "retry":
        return p.on_retry(op[1], now=now)
    if kind == "answer":
        if not pending:
            return []
        job = pending.pop(0)
        return p.result_url_resolved(job, "https://signed/" + job if op[1] else None, now=now)
    if kind == "preview":
        return p.preview_resolved(op[1], "https://p", now=now)
    if kind == "cancel":
        return [] if p.finished else p.cancel(now=now)
    if kind == "tick":
        return p.on_timer(now + op[1])
    if kind == "stale":
        return p.staleness_checked(op[1], now=now)
    raise AssertionError(kind)


def check_invariants(p: ProjectMachine, events: list[ev.Event], pending: list[str]) -> None:
    ends_p = [
        e
        for e in events
        if type(e).__name__.startswith("Project")
        and "ed" in type(e).__name__
        and not isinstance(e, (ev.ProjectQueued, ev.ProjectProgressed))
    ]  # noqa: E501
    assert len(ends_p) <= 1, ends_p
    job_prog: dict[str, int] = {}
    proj_prog = 0
    ended: set[str] = set()
    project_ended_at = None
    for i, e in enumerate(events):
        if isinstance(e, ev.JobProgressed):
            assert 0 <= e.progress <= 100
            assert e.progress > job_prog.get(e.job_id, 0)
            assert e.job_id not in ended
            job_prog[e.job_id] = e.progress
        elif isinstance(e, ev.ProjectProgressed):
            assert 0 <= e.progress <= 100 and e.progress > proj_prog
            assert project_ended_at is None, "project progress after its end"
            proj_prog = e.progress
        elif isinstance(e, (ev.JobCompleted, ev.JobFailed, ev.JobCanceled)):
            assert e.job_id not in ended, f"{e.job_id} ended twice"
            ended.add(e.job_id)
            if project_ended_at is not None:
                # Only a job that was fetching its URL may end after the project.
                assert isinstance(e, ev.JobCompleted)
        elif isinstance(e, (ev.ProjectCompleted, ev.ProjectFailed, ev.ProjectCanceled)):
            project_ended_at = i
    if p.finished:
        for job in p.jobs.values():
            assert job.finished or job.status is JobStatus.FINALIZING
    if isinstance(p.status, ProjectStatus) and p.status is ProjectStatus.COMPLETED:
        assert proj_prog == 100
    status_event = {
        ProjectStatus.COMPLETED: ev.ProjectCompleted,
        ProjectStatus.FAILED: ev.ProjectFailed,
        ProjectStatus.CANCELED: ev.ProjectCanceled,
    }
    if p.status in status_event:
        assert isinstance(ends_p[0], status_event[p.status])
    else:
        assert not ends_p
    assert {j for j, job in p.jobs.items() if job.status is JobStatus.FINALIZING} <= set(pending)


@settings(max_examples=400, deadline=None)
@given(st.integers(1, 3), st.lists(OPS, max_size=40))
def test_any_interleaving_keeps_invariants(n: int, ops: list[tuple[Any, ...]]) -> None:
    p = ProjectMachine(ProjectSpec(id="P", number_of_media=n, steps=20), now=0)
    events: list[ev.Event] = []
    pending: list[str] = []
    now = 0.0
    for op in ops:
        now += 1
        out = apply(p, op, now, pending)
        pending += [e.job_id for e in out if isinstance(e, ev.FetchResultUrl)]
        events += out
        assert p.status is not ProjectStatus.ERROR
        check_invariants(p, events, pending)
    # Liveness: answer every fetch, let the server finish, let time pass.
    while pending:
        job = pending.pop(0)
        events += p.result_url_resolved(job, "https://s", now=now)
    if not p.finished:
        events += p.on_completed(now=now)
        events += p.on_timer(now + 10_000)
    check_invariants(p, events, pending)
    assert p.finished
    assert all(job.finished for job in p.jobs.values())


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 3), st.lists(OPS, max_size=30))
def test_duplicated_server_events_change_nothing(n: int, ops: list[tuple[Any, ...]]) -> None:
    """Every server frame delivered twice gives exactly the events of once."""
    server = [op for op in ops if op[0] not in ("answer", "preview", "cancel", "tick", "stale")]
    runs: list[list[ev.Event]] = []
    for copies in (1, 2):
        p = ProjectMachine(ProjectSpec(id="P", number_of_media=n, steps=20), now=0)
        events: list[ev.Event] = []
        for i, op in enumerate(server):
            for _ in range(copies):
                events += apply(p, op, float(i), [])
        runs.append([e for e in events if not isinstance(e, ev.FetchPreviewUrl)])
    assert runs[0] == runs[1]
