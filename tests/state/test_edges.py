"""Edge paths of the machines and the connection, one behaviour per test."""

# mypy: disable-error-code="comparison-overlap,unreachable"
# (mypy narrows ``m.state`` after an assert and cannot see that a call changes it.)

from __future__ import annotations

import base64
import json
from typing import Any, TypeVar

import pytest

from sogni_core.protocol._errors import LocalProtocolError
from sogni_core.protocol._generated import socket as wire
from sogni_core.state import events as ev
from sogni_core.state._rules import ProjectSpec, error_info_from_wire, format_limit, parse_seed
from sogni_core.state.chat import ChatMachine
from sogni_core.state.connection import SogniConnection
from sogni_core.state.job import JobStatus
from sogni_core.state.project import ProjectMachine, ProjectStatus, StalenessOutcome
from sogni_core.state.session import ReconnectPolicy, build_socket_url

E = TypeVar("E", bound=ev.Event)


def srv(type_: str, payload: Any) -> str:
    data = base64.b64encode(json.dumps(payload).encode()).decode()
    return json.dumps({"type": type_, "data": data})


def of(events: list[ev.Event], cls: type[E]) -> list[E]:
    return [e for e in events if isinstance(e, cls)]


def ready() -> SogniConnection:
    conn = SogniConnection(socket_url="wss://h", app_id="a", rng=lambda: 0.0)
    conn.connect(now=0)
    conn.on_open(now=0)
    conn.receive_frame(srv("authenticated", {"id": "acct"}), now=0)
    conn.events()
    return conn


def test_public_status_names() -> None:
    assert JobStatus.FINALIZING.public == "processing"
    assert JobStatus.COMPLETED.public == "completed"
    assert ProjectStatus.COMPLETING.public == "processing"
    assert ProjectStatus.QUEUED.public == "queued"


def test_small_rules() -> None:
    assert error_info_from_wire(True, "m").code == 1
    assert format_limit(7200) == "2 hours" and format_limit(3600) == "1 hour"
    assert format_limit(1800) == "30 minutes" and format_limit(60) == "1 minute"
    assert parse_seed("abc", 3) == 3 and parse_seed("1.5", 3) == 3 and parse_seed(" 9 ", None) == 9
    with pytest.raises(ValueError):
        ReconnectPolicy(max_attempts=-1)
    assert build_socket_url("h.example/x", app_id="a", client_name="c", network="fast").startswith(
        "wss://h.example/x?appId=a"
    )


def test_no_progress_after_cancel_even_when_a_late_url_arrives() -> None:
    p = ProjectMachine(ProjectSpec(id="P", number_of_media=2), now=0)
    p.on_eta("A", eta_seconds=100, now=0)
    p.on_result(
        "B",
        direct_url=None,
        triggered_nsfw=False,
        nsfw_detected=False,
        user_canceled=False,
        performed_steps=None,
        seed=None,
        now=1,
    )
    p.cancel(now=2)
    assert p.result_url_resolved("B", "https://late", now=50) == []  # absorbed, no progress
    assert p.jobs["B"].status is JobStatus.CANCELED and p.jobs["B"].result_url is None
    with pytest.raises(LocalProtocolError):
        p.result_url_resolved("Z", "https://x", now=51)  # no such job
    q = ProjectMachine(ProjectSpec(id="Q", number_of_media=2), now=0)
    q.on_result(
        "D",
        direct_url="https://direct",
        triggered_nsfw=False,
        nsfw_detected=False,
        user_canceled=False,
        performed_steps=None,
        seed=None,
        now=1,
    )
    with pytest.raises(LocalProtocolError):
        q.result_url_resolved("D", "https://x", now=2)  # never asked for
    # A bad answer does not break the project or the job.
    assert q.status is ProjectStatus.PENDING and q.jobs["D"].status is JobStatus.COMPLETED


def test_chat_absorbs_late_state_and_records_error_worker() -> None:
    m = ChatMachine("J", now=0)
    m.on_result()
    assert m.on_job_state("queued") == []
    e = ChatMachine("K", now=0)
    (failed,) = e.on_error(error="x", worker_name="w9")
    assert isinstance(failed, ev.ChatFailed) and failed.worker_name == "w9"


def test_connection_routes_eta_job_errors_retry_and_ignored_frames() -> None:
    conn = ready()
    conn.send_job_request(ProjectSpec(id="P", number_of_media=2, steps=10), {"jobID": "P"}, now=0)
    conn.send_llm_request(
        wire.LLMJobRequest(job_id="C", type="llm", model="m", messages=(), stream=True), now=0
    )
    conn.data_to_send()
    conn.receive_frame(srv("jobETA", {"jobID": "P", "imgID": "A", "etaSeconds": 20}), now=1)
    conn.receive_frame(srv("jobProgress", {"jobID": "P", "imgID": "B", "step": 5}), now=1)
    conn.receive_frame(srv("jobRetry", {"jobID": "P", "imgID": "B", "jobIndex": 1}), now=2)
    conn.receive_frame(srv("jobRetry", {"jobID": "P"}), now=2)  # no imgID: nothing to reset
    conn.receive_frame(
        srv("jobState", {"type": "assigned", "jobID": "P", "workerName": "w"}), now=2
    )
    conn.receive_frame(srv("jobProgress", {"jobID": "C", "imgID": "X", "step": 1}), now=2)
    conn.receive_frame(srv("jobProgress", {"jobID": "NOBODY", "imgID": "X", "step": 1}), now=2)
    conn.receive_frame(
        srv(
            "jobError",
            {"jobID": "P", "imgID": "A", "error": "workerDisconnected", "error_message": "w"},
        ),
        now=3,
    )
    evs = conn.events()
    assert conn.projects["P"].jobs["A"].eta == 21 and conn.projects["P"].eta == 21
    assert conn.projects["P"].jobs["B"].status is JobStatus.PENDING  # back in the queue
    (failed,) = of(evs, ev.JobFailed)
    assert failed.error == ev.ErrorInfo(code=5002, message="w", original_code="workerDisconnected")
    assert not of(evs, ev.ProjectFailed)  # one of two jobs failed
    assert [type(e).__name__ for e in evs if isinstance(e, (ev.ChatChunk, ev.ChatJobState))] == []


def test_connection_misc_notices_and_answers() -> None:
    conn = ready()
    conn.receive_frame(srv("authenticated", {"id": "again"}), now=1)  # already READY
    conn.receive_frame(
        srv("socketEventSubscriptionsUpdated", {"socketEventSubscriptions": {}}), now=1
    )
    evs = conn.events()
    assert [e.name for e in of(evs, ev.ServerNotice)] == ["authenticated"]
    assert not of(evs, ev.SubscriptionsUpdated)  # an empty snapshot is ignored, like the SDK
    conn.preview_url_resolved("NOPE", "J", "https://p", now=2)
    conn.result_url_resolved("NOPE", "J", None, now=2)
    conn.staleness_checked("NOPE", StalenessOutcome.ALIVE, now=2)
    conn.apply_rest_project("NOPE", {"status": "completed"}, now=2)
    assert conn.events() == []
    with pytest.raises(LocalProtocolError):
        conn.cancel_chat("NOPE", now=2)
    conn.send_llm_request(wire.LLMJobRequest(job_id="Q", type="llm", model="m", messages=()), now=2)
    conn.cancel_chat("q", now=3)
    assert of(conn.events(), ev.ChatCanceled) == [ev.ChatCanceled(job_id="Q")]
    with pytest.raises(LocalProtocolError):
        conn.cancel_chat("Q", now=4)  # twice: refused, the job stays CANCELED
    assert conn.chats["Q"].finished


def test_watchdog_cancel_goes_out_on_the_wire() -> None:
    conn = ready()
    conn.send_job_request(ProjectSpec(id="P"), {"jobID": "P"}, now=0)
    conn.data_to_send()
    for t in (120.0, 240.0, 360.0):
        conn.on_timer(t)
        assert of(conn.events(), ev.CheckProjectLiveness)
        conn.staleness_checked("P", StalenessOutcome.GONE, now=t)
    (frame,) = conn.data_to_send()
    outer = json.loads(frame)
    assert outer["type"] == "jobError"
    assert json.loads(base64.b64decode(outer["data"]))["jobID"] == "P"
    assert of(conn.events(), ev.ProjectFailed)


def test_recovery_replays_tracked_projects_after_reconnect() -> None:
    conn = ready()
    conn.send_job_request(ProjectSpec(id="P", number_of_media=1, steps=4), {"jobID": "P"}, now=0)
    conn.send_job_request(ProjectSpec(id="R", number_of_media=1), {"jobID": "R"}, now=0)
    conn.data_to_send()
    conn.receive_frame(srv("jobState", {"type": "jobStarted", "jobID": "P", "imgID": "J"}), now=1)
    conn.receive_close(1006, "", now=2)
    conn.on_timer(2)
    conn.on_open(now=2)
    greeting = {
        "id": "acct",
        "activeProjects": [
            {
                "id": "p",
                "status": "progress",
                "stepCount": 4,
                "workerJobs": [
                    {
                        "imgID": "j",
                        "status": "jobProgress",
                        "performedSteps": 2,
                        "worker": {"username": "w1"},
                    },
                    {"id": "j", "status": "jobProgress"},  # duplicate by id: skipped
                    {"status": "jobStarted"},  # no id: skipped
                    "junk",
                ],
                "completedWorkerJobs": [],
            },
            {"id": "LLM1", "jobType": "llm"},
            {"id": "UNTRACKED", "status": "completed"},
        ],
        "unclaimedCompletedProjects": [
            {
                "id": "R",
                "status": "errored",
                "reason": "sensitiveContent",
                "completedWorkerJobs": [
                    {"imgID": "K", "status": "jobError", "reason": "sensitiveContent"},
                    {"imgID": "L", "status": "created"},
                ],
            }
        ],
    }
    conn.receive_frame(srv("authenticated", greeting), now=3)
    evs = conn.events()
    progressed = of(evs, ev.JobProgressed)
    assert progressed and progressed[-1].progress == 50 and progressed[-1].job_id == "J"
    job_failed = [e for e in of(evs, ev.JobFailed) if e.project_id == "R"]
    assert job_failed[0].error.message == "Sensitive content detected."
    # A single-job project fails with its job's error (01 §4.9.1), exactly once.
    (project_failed,) = of(evs, ev.ProjectFailed)
    assert project_failed.error == ev.ErrorInfo(
        code=5000, message="Sensitive content detected.", original_code="sensitiveContent"
    )
    assert "L" not in conn.projects["R"].jobs  # a "created" row says nothing new


def test_rest_errored_fails_unfinished_jobs_first() -> None:
    conn = ready()
    conn.send_job_request(ProjectSpec(id="P", number_of_media=3), {"jobID": "P"}, now=0)
    conn.receive_frame(srv("jobState", {"type": "jobStarted", "jobID": "P", "imgID": "A"}), now=1)
    conn.events()
    rows = [
        {"imgID": "B", "status": "jobCompleted", "resultUrl": "https://b"},
        {"imgID": "C", "status": "jobStarted"},  # no steps, no stepCount: no progress input
    ]
    conn.apply_rest_project(
        "P", {"status": "errored", "reason": "allJobsCompleted", "completedWorkerJobs": rows}, now=2
    )
    evs = conn.events()
    assert [e.job_id for e in of(evs, ev.JobFailed)] == ["A", "C"]  # B had finished
    assert not of(evs, ev.JobProgressed)[1:]  # only B's 100
    assert [type(e).__name__ for e in evs][-2:] == ["JobFailed", "ProjectFailed"]
    assert of(evs, ev.ProjectFailed)[0].error.original_code == "genfailure"


def test_resubmit_give_up_for_a_forgotten_project_is_silent() -> None:
    conn = ready()
    conn.send_job_request(ProjectSpec(id="P"), {"jobID": "P"}, now=0)
    conn.data_to_send()
    conn.receive_frame(srv("jobError", {"jobID": "P", "error": 1001, "error_message": "r"}), now=1)
    conn.send_cancel("P", now=2)  # the app gives up first
    conn.events()
    conn.on_timer(40)  # GC forgets the canceled project
    assert "P" not in conn.projects
    conn.on_timer(61)
    assert not of(conn.events(), ev.ProjectFailed)


def test_runtime_ceiling_fails_only_unfinished_jobs() -> None:
    p = ProjectMachine(ProjectSpec(id="P", number_of_media=2, steps=4), now=0)
    p.on_progress("A", step=1, step_count=4, now=0)
    p.on_progress("B", step=1, step_count=4, now=0)
    p.on_result(
        "B",
        direct_url="https://b",
        triggered_nsfw=False,
        nsfw_detected=False,
        user_canceled=False,
        performed_steps=4,
        seed=None,
        now=1,
    )
    for t in range(100, 1800, 100):
        p.on_eta("A", eta_seconds=1, now=t)
    out = p.on_timer(1800)
    assert [e.job_id for e in of(out, ev.JobFailed)] == ["A"]
    assert p.jobs["B"].status is JobStatus.COMPLETED


def test_awaiting_chat_canceled_by_the_app_is_not_failed_later() -> None:
    conn = ready()
    conn.send_llm_request(
        wire.LLMJobRequest(job_id="C", type="llm", model="m", messages=(), stream=True), now=0
    )
    conn.data_to_send()
    conn.receive_close(1006, "", now=1)
    conn.cancel_chat("C", now=2)
    conn.connect(now=2)  # skip the backoff wait
    conn.on_open(now=2)
    conn.receive_frame(srv("authenticated", {"id": "a", "activeLLMJobIDs": []}), now=3)
    evs = conn.events()
    assert of(evs, ev.ChatCanceled) and not of(evs, ev.ChatFailed)
