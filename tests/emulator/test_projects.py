"""Projects over the socket: event order, results, records, cancel, uploads (01 §4)."""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import quote

from sogni_emulator import Emulator

from .conftest import greet, image_request, until_completed
from .wsclient import WsClient, http, http_json

PNG = b"\x89PNG\r\n\x1a\n"


def _run(client, request):
    client.send("jobRequest", request)
    return client.recv_until(until_completed(request["jobID"]), timeout=20)


def _job_frames(frames, project_id):
    return [(t, p) for t, p in frames if isinstance(p, dict) and p.get("jobID") == project_id]


def test_image_job_event_order(emu, connect):
    client = connect()
    greet(client)
    request = image_request(numberOfImages=1, previews=1, keyframe={"seed": 1234})
    pid = request["jobID"]
    status, _ = http_json(
        emu.rest_url, "GET", f"/v1/projects/{pid}", headers={"api-key": emu.api_key}
    )
    assert status == 404  # not stored before it finishes (01 §4.11.1)
    frames = _run(client, request)
    events = _job_frames(frames, pid)
    kinds = [(t, p.get("type")) for t, p in events]
    # 01 §4.9.3: queued, initiatingModel, jobStarted, jobProgress*, jobResult, jobCompleted
    assert kinds[0] == ("jobState", "queued")
    assert kinds[1] == ("jobState", "initiatingModel")
    assert kinds[2] == ("jobState", "jobStarted")
    progress = [p for t, p in events if t == "jobProgress"]
    assert [p["step"] for p in progress] == [1, 2, 3, 4]
    assert all(p["stepCount"] == 4 for p in progress)
    assert sum(1 for p in progress if p.get("hasImage")) == 1  # one preview requested
    assert kinds[-2] == ("jobResult", None) and kinds[-1] == ("jobState", "jobCompleted")
    queued = events[0][1]
    assert queued["queuePosition"] == 0 and queued["queueStatus"] == "waiting"
    img = events[1][1]["imgID"]
    assert img == img.upper() and len(img) == 36
    assert all(p["imgID"] == img for t, p in events[1:-1])
    result = events[-2][1]
    assert result["lastSeed"] == "1234" and result["performedStepCount"] == 4
    assert result["triggeredNSFWFilter"] is False and result["userCanceled"] is False
    # balanceUpdate follows the debit of the finished job.
    balance = next(p for t, p in frames if t == "balanceUpdate")
    assert Decimal(balance["sogni"]["debit"]) > 0
    assert Decimal(balance["sogni"]["net"]) == Decimal("1000") - Decimal(balance["sogni"]["debit"])
    # Preview and result download through signed URLs on the emulator's own store.
    h = {"api-key": emu.api_key}
    for kind, magic in (("preview", b"\xff\xd8\xff"), ("complete", PNG)):
        status, body = http_json(
            emu.rest_url,
            "GET",
            f"/v1/image/downloadUrl?jobId={pid}&imageId={img}&type={kind}&contentType=image/png",
            headers=h,
        )
        assert status == 200, body
        url = body["data"]["downloadUrl"]
        assert url.startswith(emu.rest_url)
        status, headers, data = http(emu.rest_url, "GET", url)
        assert status == 200 and data.startswith(magic), (kind, data[:8])
    status, record = http_json(emu.rest_url, "GET", f"/v1/projects/{pid}", headers=h)
    assert status == 200
    project = record["data"]["project"]
    assert project["status"] == "completed" and project["reason"] == "allJobsCompleted"
    assert project["completedWorkerJobs"][0]["imgID"] == img
    assert project["completedWorkerJobs"][0]["seedUsed"] == 1234
    assert project["model"]["id"] == "flux1-schnell-fp8"
    job_cost = project["completedWorkerJobs"][0]["costActual"]
    assert project["costActual"]["costInToken"] == job_cost["costInToken"]
    assert Decimal(job_cost["costInToken"]) == Decimal(balance["sogni"]["debit"])


def _ids(seed):
    with Emulator.run_in_thread(seed=seed) as emu:
        client = WsClient(emu.socket_url, headers={"api-key": emu.api_key})
        greet(client)
        request = image_request(numberOfImages=3)
        request["jobID"] = "11111111-2222-4333-8444-555555555555"
        frames = _run(client, request)
        client.close()
        return [(p["imgID"], p["lastSeed"]) for t, p in frames if t == "jobResult"]


def test_deterministic_by_seed():
    first, again, other = _ids(5), _ids(5), _ids(6)
    assert len(first) == 3 and len({img for img, _ in first}) == 3
    assert first == again
    assert first != other


def test_multiple_images_interleave_and_complete(emu, connect):
    client = connect()
    greet(client)
    request = image_request(numberOfImages=3)
    frames = _job_frames(_run(client, request), request["jobID"])
    results = [p for t, p in frames if t == "jobResult"]
    assert len(results) == 3 and len({r["imgID"] for r in results}) == 3
    assert frames[-1][1]["type"] == "jobCompleted"


def test_unknown_model_is_refused(emu, connect):
    client = connect()
    greet(client)
    request = image_request(modelID="no-such-model")
    client.send("jobRequest", request)
    kind, payload = client.recv()
    assert kind == "jobError" and payload["jobID"] == request["jobID"]
    assert "imgID" not in payload and payload["isFromWorker"] is False


def test_cancel():
    slow = Emulator.run_in_thread(seed=1, speed=50)
    with slow as emu2:
        client = WsClient(emu2.socket_url, headers={"api-key": emu2.api_key})
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
        frames = client.recv_until(lambda t, p: t == "artistCancelConfirmation", timeout=10)
        assert frames[-1][1] == {"didCancel": True, "error_message": "", "jobID": pid}
        kind, ended = client.recv()
        assert kind == "jobResult" and ended["userCanceled"] is True
        assert emu2.project(pid)["status"] == "cancelled"
        # Nothing else arrives for the project, and a second cancel is refused.
        client.send(
            "jobError",
            {
                "jobID": pid,
                "error": "artistCanceled",
                "error_message": "artistCanceled",
                "isFromWorker": False,
            },
        )
        kind, again = client.recv()
        assert kind == "artistCancelConfirmation" and again["didCancel"] is False
        status, record = http_json(
            emu2.rest_url, "GET", f"/v1/projects/{pid}", headers={"api-key": emu2.api_key}
        )
        assert status == 200 and record["data"]["project"]["status"] == "cancelled"
        client.close()


def test_video_job_has_eta_and_media_download(emu, connect):
    client = connect()
    greet(client)
    request = image_request(
        modelID="wan_v2.2-14b-fp8_t2v_lightx2v",
        steps=4,
        keyframe={"frames": 17, "fps": 16, "width": 480, "height": 480},
        outputFormat="mp4",
    )
    del request["keyFrames"][0]["sizePreset"]
    frames = _job_frames(_run(client, request), request["jobID"])
    assert any(t == "jobETA" for t, _ in frames)
    result = next(p for t, p in frames if t == "jobResult")
    status, body = http_json(
        emu.rest_url,
        "GET",
        f"/v1/media/downloadUrl?jobId={request['jobID']}&id={result['imgID']}&type=complete",
        headers={"api-key": emu.api_key},
    )
    assert status == 200
    status, headers, data = http(emu.rest_url, "GET", body["data"]["downloadUrl"])
    assert status == 200 and data[4:8] == b"ftyp" and headers["content-type"] == "video/mp4"


def test_audio_job(emu, connect):
    client = connect()
    greet(client)
    request = image_request(
        modelID="ace_step_1.5_turbo", steps=4, keyframe={"duration": 2}, outputFormat="mp3"
    )
    frames = _job_frames(_run(client, request), request["jobID"])
    result = next(p for t, p in frames if t == "jobResult")
    status, body = http_json(
        emu.rest_url,
        "GET",
        f"/v1/media/downloadUrl?jobId={request['jobID']}&id={result['imgID']}&type=complete"
        "&contentType=audio/mpeg",
        headers={"api-key": emu.api_key},
    )
    status, headers, data = http(emu.rest_url, "GET", body["data"]["downloadUrl"])
    assert status == 200 and headers["content-type"] == "audio/mpeg" and len(data) > 100


def test_external_model_result_url(emu, connect):
    client = connect()
    greet(client)
    request = image_request(modelID="gpt-image-2", steps=1)
    frames = _job_frames(_run(client, request), request["jobID"])
    progress = [p for t, p in frames if t == "jobProgress"]
    assert progress and all("progress" in p and 0 < p["progress"] < 1 for p in progress)
    result = next(p for t, p in frames if t == "jobResult")
    status, _h, data = http(emu.rest_url, "GET", result["resultUrl"])
    assert status == 200 and data.startswith(PNG)


def test_nsfw_prompt_is_filtered_unless_disabled(emu, connect):
    client = connect()
    greet(client)
    flagged = image_request("nsfw scene")
    frames = _job_frames(_run(client, flagged), flagged["jobID"])
    result = next(p for t, p in frames if t == "jobResult")
    assert result["triggeredNSFWFilter"] is True and "resultKey" not in result
    allowed = image_request("nsfw scene", disableSafety=True)
    frames = _job_frames(_run(client, allowed), allowed["jobID"])
    assert next(p for t, p in frames if t == "jobResult")["triggeredNSFWFilter"] is False


def test_upload_then_download_and_expiry(emu):
    h = {"api-key": emu.api_key}
    pid = "AAAAAAAA-BBBB-4CCC-8DDD-EEEEEEEEEEEE"
    status, body = http_json(
        emu.rest_url,
        "GET",
        f"/v1/image/uploadUrl?imageId=X1&jobId={pid}&type=startingImage&contentType=image/png",
        headers=h,
    )
    assert status == 200
    upload = body["data"]["uploadUrl"]
    status, _h, _b = http(
        emu.rest_url, "PUT", upload, body=PNG + b"data", headers={"Content-Type": "image/png"}
    )
    assert status == 200
    # A tampered signature is refused.
    status, _h, _b = http(
        emu.rest_url, "PUT", upload.replace("X-Signature=", "X-Signature=0"), body=b"x"
    )
    assert status == 403
    found = emu.store.find_upload(pid, "startingImage")
    assert found is not None and found.data == PNG + b"data"
    status, body = http_json(
        emu.rest_url,
        "GET",
        f"/v1/image/downloadUrl?jobId={pid}&imageId=X1&type=startingImage",
        headers=h,
    )
    url = body["data"]["downloadUrl"]
    assert http(emu.rest_url, "GET", url)[0] == 200
    emu.advance_clock(86400 + 5)  # signed URLs last 24 h on the simulated clock
    assert http(emu.rest_url, "GET", url)[0] == 403
    status, _ = http_json(
        emu.rest_url,
        "GET",
        f"/v1/media/uploadUrl?jobId={pid}&type=referenceAudio&id=undefined&contentType=undefined",
        headers=h,
    )
    assert status == 200  # 'undefined' query values count as absent (01 §4.7.1)


def test_active_and_sync_endpoints():
    slow = Emulator.run_in_thread(seed=1, speed=50)
    with slow as emu2:
        h = {"api-key": emu2.api_key}
        client = WsClient(emu2.socket_url, headers=h, app_id="sync-app")
        greet(client)
        request = image_request(steps=20)
        client.send("jobRequest", request)
        client.recv_until(lambda t, p: t == "jobProgress")
        status, active = http_json(
            emu2.rest_url, "GET", "/api/v1/artist/projects/active", headers=h
        )
        assert status == 200 and active == {"projects": [{"id": request["jobID"]}]}
        status, sync = http_json(
            emu2.rest_url,
            "GET",
            f"/api/v1/artist/projects/sync?appId={quote('sync-app')}",
            headers=h,
        )
        assert [p["id"] for p in sync["activeProjects"]] == [request["jobID"]]
        status, live = http_json(
            emu2.rest_url, "GET", f"/v2/projects/{request['jobID']}", headers=h
        )
        assert status == 200 and live["data"]["project"]["status"] == "processing"
        client.close()


def test_job_request_is_kept_as_received(emu, connect):
    client = connect()
    greet(client)
    request = image_request(keyframe={"seed": 9})
    _run(client, request)
    assert emu.job_request(request["jobID"]) == request
    assert emu.job_request("00000000-0000-4000-8000-000000000000") is None
