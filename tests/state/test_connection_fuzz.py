"""Any sequence of inputs to SogniConnection raises nothing but ProtocolError,
and once the connection is in ERROR every input raises (STYLE X4, S5)."""

from __future__ import annotations

import base64
import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from sogni_core.protocol._errors import ProtocolError
from sogni_core.protocol._generated import socket as wire
from sogni_core.state import events as ev
from sogni_core.state._rules import ProjectSpec
from sogni_core.state.chat import ChatState
from sogni_core.state.connection import SogniConnection
from sogni_core.state.project import ProjectStatus, StalenessOutcome
from sogni_core.state.session import SessionState


def srv(type_: str, payload: Any) -> str:
    return json.dumps(
        {"type": type_, "data": base64.b64encode(json.dumps(payload).encode()).decode()}
    )


IDS = st.sampled_from(["P", "Q", "C"])
IMG = st.sampled_from(["A", "B"])
FRAMES = st.one_of(
    st.builds(lambda: srv("authenticated", {"id": "x"})),
    st.builds(lambda p: srv("jobState", {"type": "queued", "jobID": p, "queuePosition": 1}), IDS),
    st.builds(
        lambda p, j, t: srv("jobState", {"type": t, "jobID": p, "imgID": j, "workerName": "w"}),
        IDS,
        IMG,
        st.sampled_from(["initiatingModel", "jobStarted", "assigned", "pending", "weird"]),
    ),
    st.builds(lambda p: srv("jobState", {"type": "jobCompleted", "jobID": p}), IDS),
    st.builds(
        lambda p, j, s: srv("jobProgress", {"jobID": p, "imgID": j, "step": s, "stepCount": 9}),
        IDS,
        IMG,
        st.integers(-3, 12),
    ),
    st.builds(lambda p, j: srv("jobETA", {"jobID": p, "imgID": j, "etaSeconds": 5}), IDS, IMG),
    st.builds(
        lambda p, j, n: srv("jobResult", {"jobID": p, "imgID": j, "triggeredNSFWFilter": n}),
        IDS,
        IMG,
        st.booleans(),
    ),
    st.builds(
        lambda p, e: srv("jobError", {"jobID": p, "error": e, "error_message": "m"}),
        IDS,
        st.sampled_from([1001, "workerDisconnected", "7"]),
    ),
    st.builds(lambda p: srv("jobTokens", {"jobID": p, "content": "x"}), IDS),
    st.builds(lambda p: srv("llmJobResult", {"jobID": p, "usage": None}), IDS),
    st.builds(lambda p: srv("llmJobError", {"jobID": p, "error": "e"}), IDS),
    st.builds(lambda: srv("changeNetwork", {"network": "relaxed"})),
    st.builds(
        lambda: srv("socketEventSubscriptionsUpdated", {"socketEventSubscriptions": {"a": True}})
    ),
    st.text(max_size=20),
    st.binary(max_size=20),
)
OPS = st.one_of(
    st.tuples(st.just("connect")),
    st.tuples(st.just("open")),
    st.tuples(st.just("frame"), FRAMES),
    st.tuples(st.just("close"), st.sampled_from([None, 0, 1000, 1006, 1012, 4015, 4021])),
    st.tuples(st.just("timer"), st.floats(0, 200)),
    st.tuples(st.just("job"), IDS),
    st.tuples(st.just("cancel"), IDS),
    st.tuples(st.just("llm"), IDS, st.booleans()),
    st.tuples(st.just("cancel_chat"), IDS),
    st.tuples(st.just("subs"), st.dictionaries(st.text(max_size=3), st.booleans(), max_size=2)),
    st.tuples(st.just("network"), st.sampled_from(["fast", "relaxed", "nope"])),
    st.tuples(st.just("url"), IDS, IMG, st.booleans()),
    st.tuples(st.just("stale"), IDS, st.sampled_from(list(StalenessOutcome))),
    st.tuples(st.just("rest"), IDS, st.sampled_from(["completed", "errored", "cancelled", "x"])),
    st.tuples(st.just("local_close")),
)


def run(conn: SogniConnection, op: tuple[Any, ...], now: float) -> None:
    kind = op[0]
    if kind == "connect":
        conn.connect(now=now)
    elif kind == "open":
        conn.on_open(now=now)
    elif kind == "frame":
        conn.receive_frame(op[1], now=now)
    elif kind == "close":
        conn.receive_close(op[1], "r", now=now)
    elif kind == "timer":
        conn.on_timer(now + op[1])
    elif kind == "job":
        conn.send_job_request(ProjectSpec(id=op[1], number_of_media=2), {"jobID": op[1]}, now=now)
    elif kind == "cancel":
        conn.send_cancel(op[1], now=now)
    elif kind == "llm":
        req = wire.LLMJobRequest(job_id=op[1], type="llm", model="m", messages=(), stream=op[2])
        conn.send_llm_request(req, now=now)
    elif kind == "cancel_chat":
        conn.cancel_chat(op[1], now=now)
    elif kind == "subs":
        conn.set_subscriptions(op[1], now=now)
    elif kind == "network":
        conn.send_change_network(op[1], now=now)
    elif kind == "url":
        conn.result_url_resolved(op[1], op[2], "https://u" if op[3] else None, now=now)
    elif kind == "stale":
        conn.staleness_checked(op[1], op[2], now=now)
    elif kind == "rest":
        conn.apply_rest_project(op[1], {"status": op[2]}, now=now)
    else:
        conn.close(now=now)


@settings(max_examples=300, deadline=None)
@given(st.lists(OPS, max_size=40))
def test_only_protocol_errors_and_sticky_error(ops: list[tuple[Any, ...]]) -> None:
    conn = SogniConnection(socket_url="wss://h", app_id="a", rng=lambda: 0.3)
    now = 0.0
    ends: dict[tuple[str, str], int] = {}  # (kind, id) -> end events since tracking began
    for op in ops:
        now += 1.0
        was_error = conn.state is SessionState.ERROR
        try:
            run(conn, op, now)
        except ProtocolError:
            pass
        else:
            assert not was_error, f"{op[0]} succeeded in ERROR"
            if op[0] in ("job", "llm"):
                ends[("project" if op[0] == "job" else "chat", op[1])] = 0
        conn.data_to_send()
        # User mistakes are refused up front: no project or chat job ever breaks.
        assert all(p.status is not ProjectStatus.ERROR for p in conn.projects.values())
        assert all(c.state is not ChatState.ERROR for c in conn.chats.values())
        for e in conn.events():
            if isinstance(e, (ev.ProjectCompleted, ev.ProjectFailed, ev.ProjectCanceled)):
                key = ("project", e.project_id)
            elif isinstance(e, (ev.ChatCompleted, ev.ChatFailed, ev.ChatCanceled)):
                key = ("chat", e.result.job_id if isinstance(e, ev.ChatCompleted) else e.job_id)
            else:
                continue
            ends[key] = ends.get(key, 0) + 1
            assert ends[key] == 1, f"{key} ended twice"
        deadline = conn.next_deadline()
        assert deadline is None or deadline == deadline  # never NaN
