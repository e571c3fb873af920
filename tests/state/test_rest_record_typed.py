"""``SogniConnection.apply_rest_project`` takes the decoded ``ProjectRecord``
(what ``GET /v1/projects/{id}`` parses to since the spec types it) exactly as it
takes the wire object: the same record gives the same events (01 §4.11.4)."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest
from test_connection import make, of, ready, srv  # same directory (pytest rootdir import)

from sogni_core.protocol._generated.rest import ProjectRecord, ProjectRecordData
from sogni_core.protocol.rest import parse_endpoint_response
from sogni_core.state import events as ev
from sogni_core.state._rules import ProjectSpec

RAW: dict[str, Any] = {
    "id": "P",
    "SID": 12,
    "status": "completed",
    "reason": "allJobsCompleted",
    "imageCount": 2,
    "stepCount": 8,
    "costActual": {},
    "txId": None,
    "somethingNew": {"kept": "out"},  # unknown fields are tolerated
    "completedWorkerJobs": [
        {
            "id": "a",
            "imgID": "a",
            "SID": "1",
            "status": "jobCompleted",
            "reason": "jobCompleted",
            "performedSteps": 8,
            "seedUsed": 5,
            "worker": {"name": "w", "username": "w"},
            "imageUrl": "https://a",
            "costActual": None,
        },
        {
            "id": "b",
            "imgID": "b",
            "status": "jobCompleted",
            "performedSteps": 8,
            "seedUsed": 6,
            "triggeredNSFWFilter": False,
            "startTime": None,
        },
    ],
}


def _typed() -> ProjectRecord:
    body = msgspec.json.encode({"status": "success", "data": {"project": RAW}})
    data = parse_endpoint_response("project_get", 200, [], body)
    assert type(data) is ProjectRecordData
    return data.project


def _replay(record: Any) -> list[list[ev.Event]]:
    conn = make()
    ready(conn)
    conn.send_job_request(ProjectSpec(id="P", number_of_media=1, steps=8), {"jobID": "P"}, now=0)
    conn.data_to_send()
    conn.receive_frame(srv("jobState", {"type": "jobStarted", "jobID": "P", "imgID": "A"}), now=1)
    conn.events()
    conn.apply_rest_project("p", record, now=2)
    first = conn.events()
    conn.result_url_resolved("P", "B", "https://b", now=3)
    return [first, conn.events()]


def test_typed_record_fields() -> None:
    record = _typed()
    assert record.id == "P" and record.status == "completed"
    assert record.image_count == 2 and record.cost_actual is not None
    a, b = record.completed_worker_jobs
    assert a.worker is not None and a.worker.name == "w" and a.image_url == "https://a"
    assert b.seed_used == 6 and b.triggered_nsfw_filter is False and b.start_time is None


@pytest.mark.parametrize("form", ["wire", "typed"])
def test_typed_record_replays_like_the_wire_object(form: str) -> None:
    first, after_url = _replay(RAW if form == "wire" else _typed())
    (fetch,) = of(first, ev.FetchResultUrl)
    assert fetch.job_id == "B"
    assert not of(first, ev.ProjectCompleted)
    (done,) = of(after_url, ev.ProjectCompleted)
    assert done.result_urls == ("https://a", "https://b")
    assert _replay(_typed()) == _replay(RAW)


def test_a_status_the_server_adds_still_decodes() -> None:
    # The liveness check decodes this record: a raw status value the spec does
    # not list yet must not turn a synced check into a failed one.
    record = {**RAW, "status": "archived"}
    record["completedWorkerJobs"] = [{**RAW["completedWorkerJobs"][0], "status": "reviewing"}]
    body = msgspec.json.encode({"status": "success", "data": {"project": record}})
    data = parse_endpoint_response("project_get", 200, [], body)
    assert data.project.status == "archived"
    assert data.project.completed_worker_jobs[0].status == "reviewing"
