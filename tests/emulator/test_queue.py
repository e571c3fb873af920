"""Queueing, worker availability, balance and request limits (01 §2.4.6, §5.8)."""

from __future__ import annotations

import asyncio
import socket

from sogni_emulator import Emulator
from wsproto.events import Ping, Pong

from .conftest import greet, image_request, until_completed
from .wsclient import WsClient, http_json


def test_queue_positions_with_one_slot():
    with Emulator.run_in_thread(seed=1, speed=20, slots={"fast": 1}) as emu:
        client = WsClient(emu.socket_url, headers={"api-key": emu.api_key})
        greet(client)
        first, second = image_request(steps=6), image_request(steps=2)
        client.send("jobRequest", first)
        client.recv_until(lambda t, p: t == "jobState" and p.get("type") == "initiatingModel")
        client.send("jobRequest", second)
        frames = client.recv_until(until_completed(second["jobID"]), timeout=20)
        queued = [
            p
            for t, p in frames
            if t == "jobState" and p.get("type") == "queued" and p["jobID"] == second["jobID"]
        ]
        assert queued[0]["queuePosition"] == 0 and queued[0]["estimatedStartSeconds"] == 0
        # it waits for the slot: the first project completes before the second starts
        order = [(p["jobID"], p.get("type")) for t, p in frames if t == "jobState"]
        done_first = order.index((first["jobID"], "jobCompleted"))
        start_second = order.index((second["jobID"], "initiatingModel"))
        assert done_first < start_second
        client.close()


def test_no_workers_then_workers_arrive(emu, connect):
    client = connect()
    greet(client)
    emu.set_workers("flux1-schnell-fp8", "fast", 0)
    assert "flux1-schnell-fp8" not in client.recv()[1]  # swarmModels re-broadcast
    assert client.recv()[0] == "swarmLLMModels"
    request = image_request()
    client.send("jobRequest", request)
    kind, queued = client.recv()
    assert kind == "jobState" and queued["type"] == "queued"
    assert queued["queueStatus"] == "no-workers" and queued["estimatedStartSeconds"] is None
    emu.set_workers("flux1-schnell-fp8", "fast", 3)
    frames = client.recv_until(until_completed(request["jobID"]))
    assert frames[0] == ("swarmModels", frames[0][1]) and frames[0][1]["flux1-schnell-fp8"] == 3
    assert any(t == "jobResult" for t, _ in frames)


def test_insufficient_balance_refused(emu, connect):
    emu.set_balance("sogni", "0")
    client = connect()
    greet(client)
    request = image_request()
    client.send("jobRequest", request)
    kind, error = client.recv()
    assert kind == "jobError" and error["error"] == 123 and "imgID" not in error
    spark = image_request(tokenType="spark")
    client.send("jobRequest", spark)
    frames = client.recv_until(until_completed(spark["jobID"]))
    assert frames[-1][1].get("type") == "jobCompleted"


def test_too_many_loras_refused(emu, connect):
    client = connect()
    greet(client)
    request = image_request(keyframe={"loras": [f"l{i}" for i in range(9)]})
    client.send("jobRequest", request)
    kind, error = client.recv()
    assert kind == "jobError" and "LoRA" in error["error_message"]


def test_blocked_app_id_closed_4010():
    with Emulator.run_in_thread(blocked_app_ids=["bad-app"]) as emu:
        client = WsClient(emu.socket_url, headers={"api-key": emu.api_key}, app_id="bad-app")
        assert client.wait_closed() == 4010
        client.close()


def test_ping_is_answered(emu, connect):
    client = connect()
    greet(client)
    client.sock.sendall(client.ws.send(Ping(payload=b"hb")))
    client.sock.settimeout(5)
    pong = None
    while pong is None:
        data = client.sock.recv(4096)
        assert data, "connection closed instead of pong"
        client.ws.receive_data(data)
        pong = next((e for e in client.ws.events() if isinstance(e, Pong)), None)
    assert pong.payload == b"hb"


def test_async_context_manager():
    async def main() -> tuple[int, str, int]:
        async with Emulator(port=0, seed=0) as emu:
            loop = asyncio.get_running_loop()
            status, body = await loop.run_in_executor(
                None,
                lambda: http_json(
                    emu.rest_url, "GET", "/v1/account/me", headers={"api-key": emu.api_key}
                ),
            )
            return status, body["data"]["username"], emu.port

    status, username, port = asyncio.run(asyncio.wait_for(main(), 20))
    assert status == 200 and username
    with socket.socket() as probe:  # the listener is gone after the block
        assert probe.connect_ex(("127.0.0.1", port)) != 0


def test_project_queue_is_opt_in(emu, connect):
    emu.set_workers("flux1-schnell-fp8", "fast", 0)
    plain = connect(app_id="plain")
    subscribed = connect(
        app_id="opted", query={"socketEventSubscriptions": '{"projectQueue":true}'}
    )
    for client in (plain, subscribed):
        greet(client)
    requests = {}
    for client in (plain, subscribed):
        requests[client] = image_request()
        client.send("jobRequest", requests[client])
        assert client.recv()[1]["queueStatus"] == "no-workers"
    kind, waiting = subscribed.recv()
    assert kind == "projectQueue" and waiting["waitingReason"]["reason"] == "no_workers"
    emu.set_workers("flux1-schnell-fp8", "fast", 2)
    for client in (plain, subscribed):
        frames = client.recv_until(until_completed(requests[client]["jobID"]))
        queue_events = [p for t, p in frames if t == "projectQueue"]
        if client is plain:
            assert queue_events == []
        else:
            assert queue_events == [{"jobID": requests[client]["jobID"], "waitingReason": None}]


def test_async_controls_return_awaitables():
    async def main() -> int:
        async with Emulator(port=0, seed=0) as emu:
            await emu.set_workers("flux1-schnell-fp8", "fast", 0)
            await emu.restart()
            return emu.supernet.catalogue.workers("flux1-schnell-fp8", "fast")

    assert asyncio.run(asyncio.wait_for(main(), 20)) == 0
