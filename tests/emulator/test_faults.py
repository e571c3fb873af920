"""Every fault of ``--faults`` and the in-process control API (emulator/README.md)."""

from __future__ import annotations

import time

import pytest
from sogni_emulator import Emulator

from .conftest import greet, image_request, until_completed
from .wsclient import Closed, WsClient, http, http_json


def _client(emu, app_id="fault-app"):
    return WsClient(emu.socket_url, headers={"api-key": emu.api_key}, app_id=app_id)


@pytest.fixture
def faulty(request):
    """An emulator started with the fault spec given by the test's parameter."""
    spec, speed = request.param if isinstance(request.param, tuple) else (request.param, 1.0)
    with Emulator.run_in_thread(seed=3, faults=spec, speed=speed, owner_grace=5.0) as emu:
        yield emu


@pytest.mark.parametrize("faulty", ["drop-after=3"], indirect=True)
def test_drop_after_frames(faulty):
    client = _client(faulty)
    got = []
    with pytest.raises(Closed) as info:
        while True:
            got.append(client.recv()[0])
    assert got == ["authenticated", "balanceUpdate", "swarmModels"]
    assert info.value.code == 1006  # no close frame: the TCP connection was aborted
    client.close()
    again = _client(faulty)  # one-shot: the reconnect is healthy
    assert len(greet(again)) == 5
    again.close()


@pytest.mark.parametrize(
    ("faulty", "code"),
    [("close=4015", 4015), ("close=4021@1", 4021), ("close=1001@2", 1001)],
    indirect=["faulty"],
)
def test_close_codes(faulty, code):
    client = _client(faulty)
    got = []
    with pytest.raises(Closed) as info:
        while True:
            got.append(client.recv()[0])
    assert info.value.code == code
    assert got[0] == "authenticated"
    client.close()


@pytest.mark.parametrize(
    ("faulty", "expected_close"),
    [(("drop-at-progress=50", 20.0), 1006), (("restart-at-progress=50", 20.0), 1012)],
    indirect=["faulty"],
)
def test_in_flight_project_handed_back_after_reconnect(faulty, expected_close):
    client = _client(faulty)
    greet(client)
    request = image_request(steps=8)
    pid = request["jobID"]
    client.send("jobRequest", request)
    with pytest.raises(Closed) as info:
        while True:
            client.recv(timeout=10)
    assert info.value.code == expected_close
    client.close()
    again = _client(faulty)  # same appId: the project comes back
    auth = again.recv()
    assert auth[0] == "authenticated"
    active = auth[1]["activeProjects"]
    assert [p["id"] for p in active] == [pid]
    assert active[0]["status"] in ("assigned", "progress")
    assert active[0]["workerJobs"][0]["status"] in ("jobStarted", "jobProgress")
    frames = again.recv_until(until_completed(pid), timeout=20)
    steps = [p["step"] for t, p in frames if t == "jobProgress" and p.get("jobID") == pid]
    assert steps and steps[-1] == 8
    assert any(t == "jobResult" for t, _ in frames)
    again.close()


@pytest.mark.parametrize("faulty", ["malformed=2"], indirect=True)
def test_malformed_frame_injected_once(faulty):
    client = _client(faulty)
    frames = greet(client)
    assert [t for t, _ in frames][:2] == ["authenticated", "balanceUpdate"]
    assert len(frames) == 5 and client.malformed == 1
    client.close()


@pytest.mark.parametrize("faulty", ["duplicate=2"], indirect=True)
def test_duplicate_job_event(faulty):
    client = _client(faulty)
    greet(client)
    request = image_request()
    client.send("jobRequest", request)
    frames = client.recv_until(until_completed(request["jobID"]))
    states = [p.get("type") for t, p in frames if t == "jobState"]
    assert states[:3] == ["queued", "initiatingModel", "initiatingModel"]
    client.close()


@pytest.mark.parametrize("faulty", ["reorder=2"], indirect=True)
def test_reordered_job_events(faulty):
    client = _client(faulty)
    greet(client)
    request = image_request()
    client.send("jobRequest", request)
    frames = client.recv_until(until_completed(request["jobID"]))
    states = [p.get("type") for t, p in frames if t == "jobState"]
    assert states[:3] == ["queued", "jobStarted", "initiatingModel"]
    client.close()


@pytest.mark.parametrize("faulty", ["slow-workers=50"], indirect=True)
def test_slow_workers(faulty):
    client = _client(faulty)
    greet(client)
    request = image_request(steps=4)
    client.send("jobRequest", request)
    client.recv_until(lambda t, p: t == "jobState" and p.get("type") == "jobStarted")
    started = time.monotonic()
    client.recv_until(lambda t, p: t == "jobResult", timeout=20)
    # 4 steps x 4 ms x 50 = 0.8 s at least (sleeps never end early)
    assert time.monotonic() - started >= 0.7
    client.close()


@pytest.mark.parametrize("faulty", ["worker-error=50"], indirect=True)
def test_worker_error(faulty):
    client = _client(faulty)
    greet(client)
    request = image_request(steps=4)
    client.send("jobRequest", request)
    frames = client.recv_until(until_completed(request["jobID"]))
    job_error = next(p for t, p in frames if t == "jobError" and "imgID" in p)
    assert job_error["isFromWorker"] is True and job_error["error_message"]
    progress = [p["step"] for t, p in frames if t == "jobProgress"]
    assert progress == [1, 2]  # failed at 50 %
    assert not any(t == "jobResult" for t, _ in frames)
    assert frames[-1][0] == "jobError" and "imgID" not in frames[-1][1]
    assert faulty.project(request["jobID"])["status"] == "errored"
    client.close()


@pytest.mark.parametrize("faulty", ["nsfw"], indirect=True)
def test_nsfw_fault(faulty):
    client = _client(faulty)
    greet(client)
    request = image_request("a harmless kitten")
    client.send("jobRequest", request)
    frames = client.recv_until(until_completed(request["jobID"]))
    assert next(p for t, p in frames if t == "jobResult")["triggeredNSFWFilter"] is True
    client.close()


@pytest.mark.parametrize("faulty", ["rest-429=1:/v1/account/me,rest-503=1:/api/"], indirect=True)
def test_rest_faults(faulty):
    h = {"api-key": faulty.api_key}
    status, headers, _ = http(faulty.rest_url, "GET", "/v1/account/me", headers=h)
    assert status == 429 and headers["retry-after"] == "1"
    assert http(faulty.rest_url, "GET", "/v1/account/me", headers=h)[0] == 200
    status, body = http_json(faulty.rest_url, "GET", "/api/v1/models/list", headers=h)
    assert status == 503 and body["status"] == "error"
    assert http(faulty.rest_url, "GET", "/api/v1/models/list", headers=h)[0] == 200


def test_in_process_controls(emu):
    client = _client(emu)
    greet(client)
    emu.close_connections(4021, "bye")
    assert client.wait_closed() == 4021
    client.close()
    client = _client(emu)
    greet(client)
    emu.drop_connections()
    assert client.wait_closed() == 1006
    client.close()
    emu.inject("rest-500=1")
    assert http(emu.rest_url, "GET", "/v1/account/me", headers={"api-key": emu.api_key})[0] == 500
    emu.inject("rest-502=1*")
    emu.clear_faults()
    assert http(emu.rest_url, "GET", "/v1/account/me", headers={"api-key": emu.api_key})[0] == 200
    client = _client(emu)
    greet(client)
    emu.restart()
    assert client.wait_closed() == 1012
    client.close()


def test_project_finished_while_offline_is_unclaimed_once():
    with Emulator.run_in_thread(seed=3, faults="drop-at-progress=50", owner_grace=0.1) as emu:
        client = _client(emu, "offline-app")
        greet(client)
        request = image_request(steps=4)
        pid = request["jobID"]
        client.send("jobRequest", request)
        assert client.wait_closed(timeout=10) == 1006
        client.close()
        deadline = time.monotonic() + 10
        while emu.project(pid)["status"] != "completed":
            assert time.monotonic() < deadline, "project did not finish while offline"
            time.sleep(0.05)
        h = {"api-key": emu.api_key}
        status, sync = http_json(
            emu.rest_url, "GET", "/api/v1/artist/projects/sync?appId=offline-app", headers=h
        )
        assert status == 200 and [p["id"] for p in sync["unclaimedCompletedProjects"]] == [pid]
        again = _client(emu, "offline-app")
        auth = again.recv()[1]
        assert auth["activeProjects"] == []
        unclaimed = auth["unclaimedCompletedProjects"]
        assert [p["id"] for p in unclaimed] == [pid]
        job = unclaimed[0]["completedWorkerJobs"][0]
        assert job["status"] == "jobCompleted" and job["resultKey"].endswith(job["imgID"])
        again.close()
        third = _client(emu, "offline-app")
        assert third.recv()[1]["unclaimedCompletedProjects"] == []  # handed back once
        third.close()


@pytest.mark.parametrize("faulty", ["worker-retry=50"], indirect=True)
def test_worker_retry_moves_job_to_new_worker(faulty):
    client = _client(faulty)
    greet(client)
    request = image_request(steps=4)
    client.send("jobRequest", request)
    frames = client.recv_until(until_completed(request["jobID"]))
    retry = next(p for t, p in frames if t == "jobRetry")
    assert retry["jobIndex"] == 0 and retry["attempt"] == 2 and retry["isFromWorker"] is True
    starts = [p for t, p in frames if t == "jobState" and p.get("type") == "initiatingModel"]
    assert len(starts) == 2 and starts[0]["imgID"] == retry["imgID"]
    assert starts[1]["imgID"] != retry["imgID"] and starts[1]["jobIndex"] == 0
    assert starts[1]["workerName"] != starts[0]["workerName"]
    steps = [(p["imgID"], p["step"]) for t, p in frames if t == "jobProgress"]
    assert steps == [(retry["imgID"], 1), (retry["imgID"], 2)] + [
        (starts[1]["imgID"], n) for n in (1, 2, 3, 4)
    ]
    result = next(p for t, p in frames if t == "jobResult")
    assert result["imgID"] == starts[1]["imgID"] and frames[-1][1]["type"] == "jobCompleted"
    client.close()


@pytest.mark.parametrize("faulty", ["worker-retry=50*"], indirect=True)
def test_worker_retry_gives_up_after_max_attempts(faulty):
    client = _client(faulty)
    greet(client)
    request = image_request(steps=2)
    client.send("jobRequest", request)
    frames = client.recv_until(until_completed(request["jobID"]))
    assert sum(1 for t, _ in frames if t == "jobRetry") == 2
    assert any(t == "jobError" and "imgID" in p for t, p in frames)
    client.close()
