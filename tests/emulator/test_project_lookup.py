"""Project look-ups by id: ``GET /v2/projects/{id}`` (live, owner-scoped) and
``GET /v1/projects/{id}`` (the finished record, 01 §4.11.1).

The answers are decoded with the spec's typed structs (``ProjectStatusData``,
``ProjectRecordData``), so a shape the SDK cannot read fails here.
"""

from __future__ import annotations

import uuid
from typing import Any

import msgspec
from sogni_emulator import Emulator

from sogni_core.protocol._generated.enums import ProjectLookupStatus, RawProjectStatus
from sogni_core.protocol._generated.rest import ENDPOINTS, ProjectRecordData, ProjectStatusData
from sogni_core.protocol.rest import parse_endpoint_response

from .conftest import greet, image_request, until_completed
from .wsclient import WsClient, http, http_json


def _get(emu: Emulator, path: str, headers: dict[str, str]) -> tuple[int, Any, bytes]:
    status, _headers, body = http(emu.rest_url, "GET", path, headers=headers)
    return status, (msgspec.json.decode(body) if body else None), body


def _parse(name: str, emu: Emulator, pid: str, headers: dict[str, str]) -> Any:
    """GET the endpoint and parse it the way the SDK does (envelope, typed data)."""
    ep = ENDPOINTS[name]
    status, response_headers, body = http(
        emu.rest_url, "GET", ep.format_path(projectId=pid), headers=headers
    )
    assert status == 200, body
    return parse_endpoint_response(ep, status, list(response_headers.items()), body)


def _status(emu: Emulator, pid: str, headers: dict[str, str]) -> ProjectStatusData:
    data = _parse("project_status", emu, pid, headers)
    assert type(data) is ProjectStatusData
    return data


def _other_account(emu: Emulator) -> dict[str, str]:
    account = emu.auth.new_account("someone-else", "0x" + "7a" * 20, "else@example.invalid")
    return {"authorization": "Bearer " + emu.auth.issue_tokens(account)["token"]}


def test_live_status_then_record() -> None:
    with Emulator.run_in_thread(seed=3, speed=50) as emu:
        h = {"api-key": emu.api_key}
        client = WsClient(emu.socket_url, headers=h)
        try:
            greet(client)
            request = image_request(steps=12, numberOfImages=2)
            pid = request["jobID"]
            client.send("jobRequest", request)
            client.recv_until(lambda t, p: t == "jobProgress")
            live = _status(emu, pid, h).project
            assert live.id == pid
            assert live.status is ProjectLookupStatus.PROCESSING
            assert live.finished is False
            assert live.image_count == 2 and live.model is not None
            assert live.model.id == "flux1-schnell-fp8"
            assert len(live.worker_jobs) >= 1
            # lower-case ids find the same project
            assert _status(emu, pid.lower(), h).project.id == pid
            # the finished record is not stored yet
            status, body, _ = _get(emu, f"/v1/projects/{pid}", h)
            assert status == 404 and body["status"] == "error"
            # another account's project is a 404, like an unknown id
            for headers, project_id in (
                (_other_account(emu), pid),
                (h, str(uuid.uuid4()).upper()),
            ):
                status, body, _ = _get(emu, f"/v2/projects/{project_id}", headers)
                assert status == 404, body
                assert body["status"] == "error" and body["message"] == "Project not found"

            client.recv_until(until_completed(pid), timeout=30)
            done = _status(emu, pid, h).project
            assert done.status is ProjectLookupStatus.COMPLETED and done.finished is True
            assert len(done.completed_worker_jobs) == 2
            assert {j.status for j in done.completed_worker_jobs} == {"jobCompleted"}
            assert all(j.worker is not None and j.worker.name for j in done.completed_worker_jobs)
            assert all(j.result_key for j in done.completed_worker_jobs)

            data = _parse("project_get", emu, pid, h)
            assert type(data) is ProjectRecordData
            record = data.project
            assert record.id == pid and record.status == RawProjectStatus.COMPLETED
            assert record.image_count == 2 and record.step_count == 12
            assert [j.id for j in record.completed_worker_jobs] == [
                j.id for j in done.completed_worker_jobs
            ]
            assert record.cost_actual is not None and record.cost_actual.cost_in_token
        finally:
            client.close()


def test_canceled_project_is_finished_and_canceled() -> None:
    with Emulator.run_in_thread(seed=1, speed=50) as emu:
        h = {"api-key": emu.api_key}
        client = WsClient(emu.socket_url, headers=h)
        try:
            greet(client)
            request = image_request(steps=12)
            pid = request["jobID"]
            client.send("jobRequest", request)
            client.recv_until(lambda t, p: t == "jobProgress")
            client.send(
                "jobError",
                {
                    "jobID": pid,
                    "error": "artistCanceled",
                    "error_message": "artistCanceled",
                    "isFromWorker": False,
                },
            )
            client.recv_until(lambda t, p: t == "artistCancelConfirmation", timeout=10)
            live = _status(emu, pid, h).project
            assert live.status is ProjectLookupStatus.CANCELED and live.finished is True
            status, record = http_json(emu.rest_url, "GET", f"/v1/projects/{pid}", headers=h)
            assert status == 200 and record["data"]["project"]["status"] == "cancelled"
        finally:
            client.close()


def test_lookups_need_credentials(emu: Emulator) -> None:
    pid = str(uuid.uuid4()).upper()
    for path in (f"/v2/projects/{pid}", f"/v1/projects/{pid}"):
        status, body = http_json(emu.rest_url, "GET", path)
        assert status == 401, body
