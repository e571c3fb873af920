# mypy: disable-error-code="comparison-overlap,unreachable"
# (mypy narrows ``m.state`` after an assert and cannot see that a method call changes it.)
"""SogniConnection end to end, in memory: frames in, frames/events out."""

from __future__ import annotations

import base64
import json
from typing import Any, TypeVar

import pytest

from sogni_core.protocol._errors import (
    InvalidParamsError,
    LocalProtocolError,
    RemoteProtocolError,
)
from sogni_core.protocol._generated import socket as wire
from sogni_core.state import events as ev
from sogni_core.state._rules import ProjectSpec
from sogni_core.state.connection import SogniConnection
from sogni_core.state.project import StalenessOutcome
from sogni_core.state.session import ReconnectPolicy, SessionState


def srv(type_: str, payload: Any) -> str:
    """Encode a server frame by hand (01 §2.1), independent of the codec."""
    data = base64.b64encode(json.dumps(payload).encode()).decode()
    return json.dumps({"type": type_, "data": data})


E = TypeVar("E", bound=ev.Event)


def unframe(text: str) -> tuple[str, Any]:
    outer = json.loads(text)
    return outer["type"], json.loads(base64.b64decode(outer["data"]))


def make(**kw: Any) -> SogniConnection:
    kw.setdefault("rng", lambda: 0.5)
    return SogniConnection(socket_url="wss://socket.example", app_id="app-1", **kw)


def ready(conn: SogniConnection, now: float = 0.0) -> list[ev.Event]:
    conn.connect(now=now)
    conn.on_open(now=now)
    conn.receive_frame(srv("authenticated", {"id": "acct", "username": "u"}), now=now)
    return conn.events()


def of(events: list[ev.Event], cls: type[E]) -> list[E]:
    return [e for e in events if isinstance(e, cls)]


def test_connect_open_ready_flushes_queued_request() -> None:
    conn = make(subscriptions={"modelAvailability": False})
    spec = ProjectSpec(id="p1", steps=4)
    conn.send_job_request(spec, {"jobID": "P1", "type": "image"}, now=0)  # auto-connects
    evs = conn.events()
    assert isinstance(evs[0], ev.Connecting)
    (open_,) = of(evs, ev.OpenSocket)
    assert open_.url.startswith("wss://socket.example/?appId=app-1&socketEventSubscriptions=")
    assert conn.data_to_send() == []
    conn.on_open(now=1)
    conn.receive_frame(srv("authenticated", {"id": "acct"}), now=1)
    assert conn.state is SessionState.READY
    (out,) = conn.data_to_send()
    assert unframe(out) == ("jobRequest", {"jobID": "P1", "type": "image"})
    assert of(conn.events(), ev.SessionReady)[0].authenticated.id == "acct"


def test_full_image_project_flow() -> None:
    conn = make()
    ready(conn)
    conn.send_job_request(ProjectSpec(id="P", steps=4, output_format="png"), {"jobID": "P"}, now=0)
    conn.data_to_send()
    for frame in [
        srv("jobState", {"type": "queued", "jobID": "p", "queuePosition": 3}),
        srv("jobState", {"type": "initiatingModel", "jobID": "p", "imgID": "j", "workerName": "w"}),
        srv("jobState", {"type": "jobStarted", "jobID": "P", "imgID": "J", "workerName": "w"}),
        srv(
            "jobProgress", {"jobID": "P", "imgID": "J", "step": 2, "stepCount": 4, "hasImage": True}
        ),
        srv("jobProgress", {"jobID": "P", "imgID": "J", "step": 1, "stepCount": 4}),  # reordered
        srv("jobResult", {"jobID": "P", "imgID": "J", "performedStepCount": 4, "lastSeed": "99"}),
        srv("jobState", {"type": "jobCompleted", "jobID": "P"}),
        srv("jobState", {"type": "jobCompleted", "jobID": "P"}),  # duplicate
    ]:
        conn.receive_frame(frame, now=1)
    evs = conn.events()
    assert of(evs, ev.ProjectQueued)[0].queue_position == 3
    assert [e.progress for e in of(evs, ev.ProjectProgressed)] == [50, 100]
    (preview,) = of(evs, ev.FetchPreviewUrl)
    assert preview.query == (("jobId", "P"), ("imageId", "J"), ("type", "preview"))
    (fetch,) = of(evs, ev.FetchResultUrl)
    assert fetch.query[-1] == ("contentType", "image/png")
    assert not of(evs, ev.ProjectCompleted)
    conn.preview_url_resolved("P", "J", "https://prev", now=2)
    conn.result_url_resolved("P", "J", "https://res", now=2)
    evs = conn.events()
    assert of(evs, ev.JobPreview)[0].url == "https://prev"
    (done,) = of(evs, ev.JobCompleted)
    assert (done.result_url, done.seed, done.steps) == ("https://res", 99, 4)
    assert of(evs, ev.ProjectCompleted) == [
        ev.ProjectCompleted(project_id="P", result_urls=("https://res",))
    ]
    # Late frames after the end produce nothing; GC forgets the project later.
    conn.receive_frame(srv("jobProgress", {"jobID": "P", "imgID": "J", "step": 3}), now=3)
    assert conn.events() == []
    conn.on_timer(2 + 30)
    assert "P" not in conn.projects


def test_cancel_frame_bytes_and_double_cancel() -> None:
    conn = make()
    ready(conn)
    conn.send_job_request(ProjectSpec(id="P"), {"jobID": "P"}, now=0)
    conn.data_to_send()
    conn.send_cancel("P", now=1)
    (frame,) = conn.data_to_send()
    expected = (
        b'{"jobID":"P","error":"artistCanceled",'
        b'"error_message":"artistCanceled","isFromWorker":false}'
    )
    assert frame == '{"type":"jobError","data":"' + base64.b64encode(expected).decode() + '"}'
    assert of(conn.events(), ev.ProjectCanceled) == [ev.ProjectCanceled(project_id="P")]
    with pytest.raises(LocalProtocolError):
        conn.send_cancel("P", now=2)
    assert conn.state is SessionState.READY  # a user mistake does not break the connection


def test_recoverable_close_keeps_projects_and_resends_queue() -> None:
    conn = make(subscriptions={"swarmModels": False})
    ready(conn)
    conn.send_job_request(ProjectSpec(id="P"), {"jobID": "P"}, now=0)
    conn.data_to_send()
    conn.set_subscriptions({"subscribe": "subscriptionLimitNotice"}, now=0)
    conn.data_to_send()  # written, but the snapshot never comes back
    conn.receive_close(1006, "", now=10)
    (connecting,) = conn.events()
    assert connecting == ev.Connecting(network="fast", attempt=1, delay=0.25)
    conn.send_change_network("relaxed", now=10)  # queued while down
    assert conn.data_to_send() == []
    assert conn.next_deadline() == 10.25
    conn.on_timer(10.25)
    (open_,) = of(conn.events(), ev.OpenSocket)
    sub = json.dumps({"swarmModels": False, "subscriptionLimitNotice": True}, separators=(",", ":"))
    assert (
        "socketEventSubscriptions="
        + sub.replace("{", "%7B")
        .replace("}", "%7D")
        .replace('"', "%22")
        .replace(":", "%3A")
        .replace(",", "%2C")
        in open_.url
    )
    conn.on_open(now=11)
    conn.receive_frame(srv("authenticated", {"id": "a"}), now=11)
    (frame,) = conn.data_to_send()
    assert unframe(frame) == ("changeNetwork", "relaxed")
    assert not conn.projects["P"].finished
    conn.receive_frame(srv("changeNetwork", {"network": "relaxed"}), now=12)
    assert conn.network == "relaxed"


def test_terminal_close_fails_projects_and_queue() -> None:
    conn = make()
    ready(conn)
    conn.send_job_request(ProjectSpec(id="A"), {"jobID": "A"}, now=0)
    conn.data_to_send()
    conn.receive_close(4021, "auth", now=1)
    evs = conn.events()
    assert of(evs, ev.ProjectFailed)[0].error == ev.ErrorInfo(code=0, message="Server disconnected")
    assert evs[-1] == ev.Disconnected(code=4021, reason="auth", auth_cleared=True)
    assert conn.state is SessionState.DISCONNECTED
    # The next send reconnects by itself; its frame waits for READY.
    conn.send_job_request(ProjectSpec(id="B"), {"jobID": "B"}, now=2)
    assert of(conn.events(), ev.OpenSocket)
    conn.receive_close(4015, "switch", now=3)
    evs = conn.events()
    assert ev.RequestFailed(kind="jobRequest", id="B", error="Server disconnected") in evs
    assert of(evs, ev.Disconnected)[0].auth_cleared is False


def test_reconnect_budget_exhausted() -> None:
    conn = make(policy=ReconnectPolicy(max_attempts=1))
    ready(conn)
    conn.receive_close(1011, "", now=0)
    conn.on_timer(1)
    conn.receive_close(1006, "", now=2)
    assert of(conn.events(), ev.Disconnected)


def test_send_timeout_fails_request() -> None:
    conn = make(send_timeout=30, auth_fallback=None)
    conn.send_job_request(ProjectSpec(id="P"), {"jobID": "P"}, now=0)
    conn.on_open(now=1)  # open, but the server never authenticates
    conn.events()
    conn.on_timer(30)
    evs = conn.events()
    assert ev.RequestFailed(kind="jobRequest", id="P", error="WebSocket connection timeout") in evs
    assert of(evs, ev.ProjectFailed)


def test_auth_fallback_and_pings() -> None:
    conn = make()
    conn.connect(now=0)
    conn.on_open(now=0)
    conn.set_subscriptions({"modelAvailability": False}, now=0)
    conn.on_timer(10)
    evs = conn.events()
    assert ev.SessionReady(network="fast") in evs
    (frame,) = conn.data_to_send()
    assert unframe(frame) == (
        "setSocketEventSubscriptions",
        {"subscriptions": {"modelAvailability": False}},
    )
    conn.on_timer(15)
    assert conn.events() == [ev.SendPing()]
    conn.receive_frame(
        srv(
            "socketEventSubscriptionsUpdated",
            {"socketEventSubscriptions": {"modelAvailability": False}},
        ),
        now=16,
    )
    assert conn.events() == [ev.SubscriptionsUpdated(subscriptions=(("modelAvailability", False),))]


def test_chat_flow_and_disconnect_failure() -> None:
    conn = make()
    ready(conn)
    req = wire.LLMJobRequest(job_id="c1", type="llm", model="m", messages=(), stream=True)
    conn.send_llm_request(req, now=0)
    (frame,) = conn.data_to_send()
    assert unframe(frame)[0] == "llmJobRequest"
    for f in [
        srv("jobState", {"type": "pending", "jobID": "C1", "modelId": "m", "estimatedCost": "1"}),
        srv("jobState", {"type": "assigned", "jobID": "C1", "workerName": "w"}),
        srv(
            "jobTokens",
            {
                "jobID": "C1",
                "content": "Hi",
                "tool_calls": [
                    {"index": 0, "id": "t", "function": {"name": "f", "arguments": "{"}}
                ],
            },
        ),
        srv(
            "jobTokens",
            {
                "jobID": "C1",
                "content": "!",
                "finishReason": "stop",
                "tool_calls": [{"index": 0, "function": {"arguments": "}"}}],
            },
        ),
        srv(
            "llmJobResult",
            {
                "jobID": "C1",
                "usage": {"prompt_tokens": 1, "completion_tokens": 2},
                "timeTaken": 3,
                "cost": {"costInUSD": "0.1", "inputTokens": 1},
            },
        ),
    ]:
        conn.receive_frame(f, now=1)
    evs = conn.events()
    assert [e.type for e in of(evs, ev.ChatJobState)] == ["pending", "assigned"]
    (done,) = of(evs, ev.ChatCompleted)
    assert done.result.content == "Hi!" and done.result.worker_name == "w"
    assert done.result.tool_calls == (ev.ToolCall(id="t", name="f", arguments="{}"),)
    assert done.result.cost == ev.Cost(cost_in_usd="0.1", input_tokens=1)


def llm(job_id: str) -> wire.LLMJobRequest:
    return wire.LLMJobRequest(job_id=job_id, type="llm", model="m", messages=(), stream=True)


def test_chat_survives_reconnect_when_the_server_lists_it() -> None:
    conn = make()
    ready(conn)
    for job_id in ("KEEP", "DROP"):
        conn.send_llm_request(llm(job_id), now=0)
    conn.data_to_send()
    conn.receive_close(1006, "", now=1)
    assert not of(conn.events(), ev.ChatFailed)  # waiting, not failed
    conn.on_timer(2)
    conn.on_open(now=2)
    conn.receive_frame(srv("authenticated", {"id": "a", "activeLLMJobIDs": ["keep"]}), now=2)
    (failed,) = of(conn.events(), ev.ChatFailed)
    assert (failed.job_id, failed.error_type) == ("DROP", "transport_lost")
    conn.receive_frame(srv("jobTokens", {"jobID": "KEEP", "content": "x"}), now=3)
    conn.receive_frame(srv("llmJobResult", {"jobID": "KEEP", "timeTaken": 1}), now=3)
    (done,) = of(conn.events(), ev.ChatCompleted)
    assert done.result.content == "x"


def test_chat_waits_for_grace_or_a_frame_without_the_list() -> None:
    conn = make()
    ready(conn)
    conn.send_llm_request(llm("A"), now=0)
    conn.send_llm_request(llm("B"), now=0)
    conn.data_to_send()
    conn.receive_close(1012, "", now=10)
    conn.on_timer(11)
    conn.on_open(now=11)
    conn.receive_frame(srv("authenticated", {"id": "a"}), now=11)  # older server: no list
    conn.receive_frame(srv("jobTokens", {"jobID": "A", "content": "hi"}), now=12)  # A is back
    assert not of(conn.events(), ev.ChatFailed)
    assert conn.next_deadline() == 26.0  # the ping (opened at 11, +15); B gives up at 45
    conn.on_timer(44.9)
    assert not of(conn.events(), ev.ChatFailed)
    conn.on_timer(45)
    (failed,) = of(conn.events(), ev.ChatFailed)
    assert failed.job_id == "B"


def test_chat_fails_at_once_on_terminal_or_local_close() -> None:
    conn = make()
    ready(conn)
    conn.send_llm_request(llm("T"), now=0)
    conn.data_to_send()
    conn.receive_close(4021, "", now=1)
    assert [e.job_id for e in of(conn.events(), ev.ChatFailed)] == ["T"]
    other = make()
    ready(other)
    other.send_llm_request(llm("L"), now=0)
    other.data_to_send()
    other.close(now=1)
    other.receive_close(1000, "", now=2)
    assert [e.job_id for e in of(other.events(), ev.ChatFailed)] == ["L"]  # exactly once


def test_chat_error_and_timeout() -> None:
    conn = make()
    ready(conn)
    conn.send_llm_request(wire.LLMJobRequest(job_id="E", type="llm", model="m", messages=()), now=0)
    conn.receive_frame(
        srv(
            "llmJobError",
            {
                "jobID": "E",
                "error": "insufficient_balance",
                "error_code": "4080",
                "error_message": "no",
            },
        ),
        now=1,
    )
    (f,) = of(conn.events(), ev.ChatFailed)
    assert (f.error_type, f.error_code, f.message) == ("insufficient_balance", "4080", "no")
    conn.send_llm_request(wire.LLMJobRequest(job_id="T", type="llm", model="m", messages=()), now=0)
    assert conn.next_deadline() == 15  # ping first
    conn.on_timer(300)
    assert any(isinstance(e, ev.ChatFailed) and e.error_type == "timeout" for e in conn.events())


def test_receive_errors_and_notices() -> None:
    conn = make()
    ready(conn)
    conn.receive_frame('{"type":"jobProgress","data":"!!!"}', now=0)
    assert isinstance(conn.events()[0], ev.FrameDropped)
    conn.receive_frame(srv("toastMessage", {"type": "info", "message": "hi"}), now=0)
    conn.receive_frame(srv("brandNewEvent", {"x": 1}), now=0)
    names = [e.name for e in of(conn.events(), ev.ServerNotice)]
    assert names == ["toastMessage", "brandNewEvent"]
    with pytest.raises(InvalidParamsError):
        conn.send_change_network("warp", now=0)
    bare = make()
    with pytest.raises(RemoteProtocolError):
        bare.receive_frame(srv("toastMessage", {}), now=0)
    assert bare.state is SessionState.ERROR
    with pytest.raises(LocalProtocolError):
        bare.on_timer(1)


def test_local_close_and_staleness_answer() -> None:
    conn = make()
    ready(conn)
    conn.send_job_request(ProjectSpec(id="P"), {"jobID": "P"}, now=0)
    conn.data_to_send()
    conn.on_timer(120)
    assert ev.CheckProjectLiveness(project_id="P") in conn.events()
    conn.staleness_checked("P", StalenessOutcome.ALIVE, now=121)
    conn.send_llm_request(llm("Z"), now=125)
    conn.close(now=130)
    evs = conn.events()
    assert ev.CloseSocket(code=1000, reason="Client disconnected") in evs
    closed = ev.ErrorInfo(code=0, message="Connection closed")
    assert ev.ProjectFailed(project_id="P", error=closed) in evs
    assert [e.job_id for e in of(evs, ev.ChatFailed)] == ["Z"]
    assert conn.next_deadline() == 160  # only the GC of the ended project is left
    conn.receive_frame(srv("toastMessage", {}), now=131)  # closing handshake: dropped
    conn.receive_close(1000, "", now=132)
    assert conn.state is SessionState.CLOSED
    conn.on_timer(160)
    assert conn.projects == {} and conn.chats == {} and conn.next_deadline() is None
    with pytest.raises(LocalProtocolError):
        conn.send_job_request(ProjectSpec(id="Q"), {}, now=133)


def test_rest_record_completes_a_quiet_project() -> None:
    conn = make()
    ready(conn)
    conn.send_job_request(ProjectSpec(id="P", number_of_media=1, steps=8), {"jobID": "P"}, now=0)
    conn.data_to_send()
    conn.receive_frame(srv("jobState", {"type": "jobStarted", "jobID": "P", "imgID": "A"}), now=1)
    conn.events()
    raw = {
        "id": "P",
        "status": "completed",
        "imageCount": 2,
        "completedWorkerJobs": [
            {
                "imgID": "a",
                "status": "jobCompleted",
                "performedSteps": 8,
                "seedUsed": 5,
                "worker": {"name": "w"},
                "imageUrl": "https://a",
            },
            {
                "imgID": "b",
                "status": "jobCompleted",
                "performedSteps": 8,
                "seedUsed": 6,
                "triggeredNSFWFilter": False,
            },
            {"status": "jobCompleted"},  # no imgID: skipped
        ],
    }
    conn.apply_rest_project("p", raw, now=2)
    evs = conn.events()
    (fetch,) = of(evs, ev.FetchResultUrl)
    assert fetch.job_id == "B"
    assert not of(evs, ev.ProjectCompleted)  # imageCount 2: waits for B's URL
    conn.result_url_resolved("P", "B", "https://b", now=3)
    (done,) = of(conn.events(), ev.ProjectCompleted)
    assert done.result_urls == ("https://a", "https://b")
    conn.apply_rest_project("P", raw, now=4)  # replay: nothing new
    assert conn.events() == []


def test_rest_record_failure_and_cancel() -> None:
    conn = make()
    ready(conn)
    conn.send_job_request(ProjectSpec(id="F"), {"jobID": "F"}, now=0)
    conn.send_job_request(ProjectSpec(id="C"), {"jobID": "C"}, now=0)
    conn.events()
    conn.apply_rest_project("F", {"status": "errored", "reason": "4081"}, now=1)
    (failed,) = of(conn.events(), ev.ProjectFailed)
    assert failed.error == ev.ErrorInfo(code=4081, message="4081", original_code="4081")
    conn.apply_rest_project("C", {"status": "cancelled"}, now=1)
    assert of(conn.events(), ev.ProjectCanceled)


def test_server_restarting_refusal_resubmits_once_after_reconnect() -> None:
    conn = make()
    ready(conn)
    conn.send_job_request(ProjectSpec(id="P"), {"jobID": "P", "x": 1}, now=0)
    (first,) = conn.data_to_send()
    refusal = {"jobID": "P", "error": 1001, "error_message": "restarting", "isFromWorker": False}
    conn.receive_frame(srv("jobError", refusal), now=1)
    assert conn.events() == []  # not a failure
    assert conn.data_to_send() == []  # not into the closing socket
    conn.receive_close(1012, "restart", now=2)
    conn.on_timer(10)
    conn.on_open(now=10)
    conn.receive_frame(srv("authenticated", {"id": "a"}), now=10)
    assert conn.data_to_send() == [first]
    conn.events()
    # A second refusal is an ordinary project failure.
    conn.receive_frame(srv("jobError", refusal), now=11)
    (failed,) = of(conn.events(), ev.ProjectFailed)
    assert failed.error.code == 1001


def test_server_restarting_refusal_gives_up_without_a_socket() -> None:
    conn = make()
    ready(conn)
    conn.send_job_request(ProjectSpec(id="P"), {"jobID": "P"}, now=0)
    conn.data_to_send()
    conn.receive_frame(
        srv("jobError", {"jobID": "P", "error": "1001", "error_message": "r"}), now=1
    )
    assert conn.next_deadline() == 15  # the ping; give-up is at 61
    for t in range(15, 61, 15):
        conn.on_timer(t)
    assert not of(conn.events(), ev.ProjectFailed)
    conn.on_timer(61)
    (failed,) = of(conn.events(), ev.ProjectFailed)
    assert failed.error == ev.ErrorInfo(code=1001, message="r")


def test_admitted_request_is_never_resubmitted() -> None:
    conn = make()
    ready(conn)
    conn.send_job_request(ProjectSpec(id="P"), {"jobID": "P"}, now=0)
    conn.data_to_send()
    conn.receive_frame(srv("jobState", {"type": "queued", "jobID": "P", "queuePosition": 1}), now=1)
    conn.receive_frame(srv("jobError", {"jobID": "P", "error": 1001, "error_message": "r"}), now=2)
    assert of(conn.events(), ev.ProjectFailed)


def _greet(conn: SogniConnection, snapshot: dict[str, bool], now: float) -> None:
    frame = srv("socketEventSubscriptionsUpdated", {"socketEventSubscriptions": snapshot})
    conn.receive_frame(frame, now=now)


@pytest.mark.parametrize("drained", [True, False])
def test_subscription_update_lost_or_resent_across_a_drop_ends_synced(drained: bool) -> None:
    from sogni_core.state.subscriptions import SubscriptionState

    conn = make(subscriptions={"swarmModels": False})
    ready(conn)
    conn.set_subscriptions({"subscribe": "subscriptionLimitNotice"}, now=0)
    if drained:
        assert len(conn.data_to_send()) == 1  # written; the socket drops before its snapshot
    conn.receive_close(1006, "", now=1)
    conn.on_timer(1.25)
    assert of(conn.events(), ev.OpenSocket)
    conn.on_open(now=2)
    intent = {"swarmModels": False, "subscriptionLimitNotice": True}
    _greet(conn, intent, now=2)  # the server's greeting, built from the URL
    conn.receive_frame(srv("authenticated", {"id": "a"}), now=2)
    resent = [unframe(f)[0] for f in conn.data_to_send()]
    assert resent == ([] if drained else ["setSocketEventSubscriptions"])
    if not drained:
        assert conn.subscriptions.state is SubscriptionState.PENDING
        _greet(conn, intent, now=3)  # the re-sent update's snapshot
    assert conn.subscriptions.state is SubscriptionState.SYNCED
    assert conn.subscriptions.intent == intent
