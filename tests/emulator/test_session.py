"""Greeting, subscriptions, network switch and the start-up REST calls (01 §1.10, §3, §5)."""

from __future__ import annotations

import json

from .conftest import greet
from .wsclient import http_json


def test_greeting_order_and_shapes(emu, connect):
    client = connect()
    frames = greet(client)
    types = [t for t, _ in frames]
    assert types == [
        "authenticated",
        "balanceUpdate",
        "swarmModels",
        "swarmLLMModels",
        "socketEventSubscriptionsUpdated",
    ]
    assert client.binary_frames == len(frames)  # 01 §2.1: binary frames
    auth = frames[0][1]
    assert auth["clientType"] == "artist" and auth["balanceVersion"] == 2
    assert auth["activeProjects"] == [] and isinstance(auth["SID"], int)
    balance = frames[1][1]
    assert set(balance["spark"]) >= {"settled", "credit", "debit", "net", "premiumCredit"}
    assert all(isinstance(v, str) for v in balance["sogni"].values())
    swarm = frames[2][1]
    assert swarm["flux1-schnell-fp8"] > 0 and all(isinstance(v, int) for v in swarm.values())
    llm = frames[3][1]
    assert llm["qwen3.6-35b-a3b-gguf-iq4xs"]["workers"] > 0


def test_model_availability_group_suppresses_swarm(emu, connect):
    client = connect(query={"socketEventSubscriptions": json.dumps({"modelAvailability": False})})
    frames = greet(client)
    types = [t for t, _ in frames]
    assert "swarmModels" not in types and "swarmLLMModels" not in types
    assert frames[-1][1] == {"socketEventSubscriptions": {"modelAvailability": False}}
    # Re-enable the group: the next snapshot comes through on changeNetwork.
    client.send("setSocketEventSubscriptions", {"subscriptions": {"modelAvailability": True}})
    assert client.recv() == (
        "socketEventSubscriptionsUpdated",
        {"socketEventSubscriptions": {"modelAvailability": True}},
    )
    client.send("setSocketEventSubscriptions", {"reset": True, "unsubscribe": "swarmLLMModels"})
    assert client.recv()[1] == {"socketEventSubscriptions": {"swarmLLMModels": False}}
    client.send("changeNetwork", "relaxed")
    assert client.recv() == ("changeNetwork", {"network": "relaxed"})
    kind, relaxed = client.recv()
    assert kind == "swarmModels"
    assert "gpt-image-2" not in relaxed  # no relaxed workers in the catalogue
    assert relaxed["coreml-cyberrealistic_v70_768"] > 0
    client.send("changeNetwork", "fast")
    assert client.recv() == ("changeNetwork", {"network": "fast"})
    assert client.recv()[0] == "swarmModels"  # swarmLLMModels stays unsubscribed


def test_relaxed_network_from_query(emu, connect):
    client = connect(query={"forceWorkerId": ""})
    swarm = dict(greet(client))["swarmModels"]
    assert "coreml-cyberrealistic_v70_768" in swarm and "gpt-image-2" not in swarm


def test_set_workers_broadcasts(emu, connect):
    client = connect()
    greet(client)
    emu.set_workers("flux1-schnell-fp8", "fast", 0)
    kind, swarm = client.recv()
    assert kind == "swarmModels" and "flux1-schnell-fp8" not in swarm


def test_startup_rest_endpoints(emu):
    h = {"api-key": emu.api_key}
    status, sub = http_json(emu.rest_url, "GET", "/v1/subscriptions/status", headers=h)
    assert status == 200 and sub["data"]["subscription"] == {"active": False, "status": "none"}
    status, models = http_json(emu.rest_url, "GET", "/api/v1/models/list", headers=h)
    assert status == 200 and isinstance(models, list)  # raw JSON, no envelope (01 §2.6)
    ids = {m["id"] for m in models}
    for expected in (
        "flux1-schnell-fp8",
        "z_image_turbo_bf16",
        "qwen_image_edit_2511_fp8",
        "gpt-image-2",
        "wan_v2.2-14b-fp8_i2v_lightx2v",
        "ltx23-22b-fp8_t2v_distilled",
        "seedance-2-0",
        "ace_step_1.5_xl_turbo",
    ):
        assert expected in ids
    assert all(set(m) == {"id", "name", "SID", "tier", "media"} for m in models)
    status, tiers = http_json(emu.rest_url, "GET", "/api/v2/models/tiers", headers=h)
    assert status == 200 and all(m["tier"] in tiers for m in models)
    assert "type" not in tiers["flux1-schnell"] and tiers["z-image-turbo"]["type"] == "image"
    status, presets = http_json(
        emu.rest_url, "GET", "/api/v1/size-presets/network/fast/model/flux1-schnell-fp8", headers=h
    )
    assert status == 200
    square = next(p for p in presets if p["id"] == "square_hd")
    assert (square["width"], square["height"], square["ratio"], square["aspect"]) == (
        1024,
        1024,
        "1:1",
        "1.00",
    )
    status, by_sid = http_json(emu.rest_url, "GET", "/api/v1/status/network/fast/models", headers=h)
    flux = next(m for m in models if m["id"] == "flux1-schnell-fp8")
    assert by_sid[str(flux["SID"])] > 0
    status, bal = http_json(emu.rest_url, "GET", "/v4/account/balance", headers=h)
    assert status == 200 and "fastUnclaimed" in bal["data"]["sogni"]
    status, loras = http_json(emu.rest_url, "GET", "/v1/loras/comfy?modelId=krea2_turbo_fp8_scaled")
    assert status == 200  # public
    assert [row["loraId"] for row in loras["data"]["loras"]] == ["krea2_detail_slider_v1"]
    assert "z_image_turbo_bf16" in loras["data"]["models"]
    assert loras["data"]["constraints"]["maxPerRequest"] == 8


def test_estimates(emu):
    h = {"api-key": emu.api_key}
    ok, est = http_json(
        emu.rest_url,
        "GET",
        "/api/v2/job/estimate/sogni/fast/flux1-schnell-fp8/1/4/0/0/0/1024/1024",
        headers=h,
    )
    assert ok == 200
    assert set(est) == {"request", "rate", "quote", "benchmark"}  # no dailyFairUse: no plan
    one = est["quote"]["project"]
    assert all(
        isinstance(one[k], str) for k in ("costInUSD", "costInToken", "costInSpark", "costInSogni")
    )
    _, four = http_json(
        emu.rest_url,
        "GET",
        "/api/v2/job/estimate/sogni/fast/flux1-schnell-fp8/4/4/0/0/0/1024/1024",
        headers=h,
    )
    assert abs(float(four["quote"]["project"]["costInUSD"]) - 4 * float(one["costInUSD"])) < 1e-6
    _, relaxed = http_json(
        emu.rest_url,
        "GET",
        "/api/v2/job/estimate/sogni/relaxed/flux1-schnell-fp8/1/4/0/0/0/1024/1024",
        headers=h,
    )
    assert float(relaxed["quote"]["project"]["costInUSD"]) < float(one["costInUSD"])
    ok, v3 = http_json(
        emu.rest_url,
        "GET",
        "/api/v3/job/estimate/spark/fast/z_image_turbo_bf16/1/8/0/0/0/1024/1024/1/euler/2",
        headers=h,
    )
    assert ok == 200 and float(v3["quote"]["project"]["costInSpark"]) > 0
    ok, video = http_json(
        emu.rest_url,
        "GET",
        "/api/v1/job-video/estimate/sogni/wan_v2.2-14b-fp8_t2v_lightx2v/832/480/81/16",
        headers=h,
    )
    assert ok == 200 and float(video["quote"]["project"]["costInToken"]) > 0
    ok, audio = http_json(
        emu.rest_url,
        "GET",
        "/api/v1/job-audio/estimate/sogni/ace_step_1.5_xl_turbo/30/8/1",
        headers=h,
    )
    assert ok == 200 and float(audio["quote"]["project"]["costInUSD"]) > 0
    ok, llm = http_json(
        emu.rest_url,
        "GET",
        "/api/v1/job-llm/estimate/sogni/qwen3.6-35b-a3b-gguf-iq4xs/100/4096",
        headers=h,
    )
    assert ok == 200 and llm["quote"]["inputTokens"] == 100
    assert isinstance(llm["quote"]["costInSogni"], float)
    bad, _ = http_json(
        emu.rest_url, "GET", "/api/v2/job/estimate/sogni/fast/nope/1/4/0/0/0/1024/1024", headers=h
    )
    assert bad == 404


def test_media_estimate_errors(emu):
    h = {"api-key": emu.api_key}
    for path, status in [
        ("/api/v1/job-video/estimate/sogni/wan_v2.2-14b-fp8_t2v_lightx2v/832/480", 400),
        ("/api/v1/job-video/estimate/sogni/nope/832/480/81/16", 404),
        ("/api/v1/job-audio/estimate/sogni/ace_step_1.5_xl_turbo/30/8", 400),
        ("/api/v1/job-audio/estimate/sogni/nope/30/8/1", 404),
    ]:
        code, _ = http_json(emu.rest_url, "GET", path, headers=h)
        assert code == status, path


def test_bad_client_frames_are_ignored(emu, connect):
    client = connect()
    greet(client)
    client.send_raw("not json")
    client.send_raw('{"type":"jobRequest","data":"!!"}')
    client.send("someFutureMessage", {"x": 1})
    client.send("jobRequest", {"jobID": "ABC", "keyFrames": []})
    kind, error = client.recv()
    assert kind == "jobError" and error["jobID"] == "ABC" and error["error"] == 400
    client.send("changeNetwork", "fast")  # the connection is still healthy
    assert client.recv() == ("changeNetwork", {"network": "fast"})


def test_bad_rest_bodies_are_400_not_500(emu):
    from .wsclient import http

    status, _h, body = http(
        emu.rest_url,
        "POST",
        "/v1/account/nonce",
        body=b"{not json",
        headers={"content-type": "application/json"},
    )
    assert status == 400 and json.loads(body)["status"] == "error"
    assert http(emu.rest_url, "GET", "/v1/nowhere", headers={"api-key": emu.api_key})[0] == 404
    assert (
        http(emu.rest_url, "DELETE", "/v1/account/me", headers={"api-key": emu.api_key})[0] == 405
    )


def test_secrets_not_in_reprs(emu):
    assert emu.api_key not in repr(emu.auth)
    assert emu.api_key not in repr(emu.auth.authenticate_headers({"api-key": emu.api_key}))
