"""Subscription entitlement: socket and REST forms, billingMode "subscription" (01 §6.6)."""

from __future__ import annotations

from decimal import Decimal

from .conftest import greet, image_request, until_completed
from .wsclient import http_json


def test_no_subscription_by_default(emu, connect):
    client = connect()
    auth = greet(client)[0][1]
    assert auth["subscriptionEntitlement"]["active"] is False
    assert auth["subscriptionEntitlement"]["subscription"] is None
    status, body = http_json(
        emu.rest_url, "GET", "/v1/subscriptions/status", headers={"api-key": emu.api_key}
    )
    assert body["data"]["subscription"] == {"active": False, "status": "none"}
    request = image_request(billingMode="subscription")
    client.send("jobRequest", request)
    kind, error = client.recv()
    assert kind == "jobError" and error["error"] == 4078 and "imgID" not in error


def test_set_subscription_pushes_and_bills(emu, connect):
    client = connect()
    greet(client)
    emu.set_subscription("unlimited")
    kind, update = client.recv()
    assert kind == "subscriptionEntitlementUpdated"
    assert update["active"] is True and update["subscription"]["tier"] == "unlimited"
    assert update["subscription"]["status"] == "active" and update["subscription"]["version"] == "1"
    assert update["subscription"]["capabilities"] == {"unlimited": True}
    status, body = http_json(
        emu.rest_url, "GET", "/v1/subscriptions/status", headers={"api-key": emu.api_key}
    )
    snap = body["data"]["subscription"]
    assert snap["active"] is True and snap["status"] == "active" and snap["tier"] == "unlimited"
    assert snap["currentPeriodEnd"].endswith("Z")
    # billed to the subscription: completes, and no token debit
    request = image_request(billingMode="subscription")
    client.send("jobRequest", request)
    frames = client.recv_until(until_completed(request["jobID"]))
    assert frames[-1][1].get("type") == "jobCompleted"
    assert not any(t == "balanceUpdate" for t, _ in frames)
    # token-billed jobs still debit
    paid = image_request()
    client.send("jobRequest", paid)
    frames = client.recv_until(until_completed(paid["jobID"]))
    balance = next(p for t, p in frames if t == "balanceUpdate")
    assert Decimal(balance["sogni"]["debit"]) > 0
    # a new connection sees the entitlement in its greeting
    other = connect(app_id="second")
    assert greet(other)[0][1]["subscriptionEntitlement"]["active"] is True
    # grace is not active; removal goes back to none, versions keep increasing
    emu.set_subscription("unlimited", status="grace")
    kind, update = client.recv()
    assert update["active"] is False and update["subscription"]["version"] == "2"
    status, body = http_json(
        emu.rest_url, "GET", "/v1/subscriptions/status", headers={"api-key": emu.api_key}
    )
    assert body["data"]["subscription"]["status"] == "grace_period"
    emu.set_subscription(None)
    kind, update = client.recv()
    assert kind == "subscriptionEntitlementUpdated" and update["subscription"] is None


def test_llm_subscription_billing(emu, connect):
    client = connect()
    greet(client)
    request = {
        "jobID": "E0000000-0000-4000-8000-000000000001",
        "type": "llm",
        "model": "qwen3.6-35b-a3b-gguf-iq4xs",
        "billingMode": "subscription",
        "messages": [{"role": "user", "content": "hi"}],
    }
    client.send("llmJobRequest", request)
    kind, error = client.recv()
    assert kind == "llmJobError" and error["error_code"] == "4078"
    emu.set_subscription("unlimited_pro")
    assert client.recv()[0] == "subscriptionEntitlementUpdated"
    client.send("llmJobRequest", {**request, "jobID": request["jobID"][:-1] + "2"})
    frames = client.recv_until(lambda t, p: t == "llmJobResult")
    assert frames[-1][1]["usage"]["total_tokens"] > 0
    client.send("changeNetwork", "fast")  # no balanceUpdate was queued in between
    assert client.recv()[0] == "changeNetwork"
