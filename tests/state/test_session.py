# mypy: disable-error-code="comparison-overlap,unreachable"
# (mypy narrows ``m.state`` after an assert and cannot see that a method call changes it.)
"""Session machine: close codes, backoff, deadlines and the full table."""

from __future__ import annotations

import itertools
import json
import shutil
import subprocess
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sogni_core.protocol._errors import LocalProtocolError, ProtocolError, RemoteProtocolError
from sogni_core.state.session import (
    TRANSITIONS,
    CloseKind,
    ReconnectPolicy,
    Session,
    SessionInput,
    SessionState,
    SessionTimer,
    build_socket_url,
    classify_close,
    urlsearchparams_encode,
)

CLOSE_CASES = [
    (1000, CloseKind.NORMAL),
    (4010, CloseKind.AUTH_REJECTED),
    (4015, CloseKind.SWITCH_CONNECTION),
    (4021, CloseKind.AUTH_REJECTED),
    (4000, CloseKind.AUTH_REJECTED),
    (4999, CloseKind.AUTH_REJECTED),
    (0, CloseKind.AUTH_REJECTED),
    (None, CloseKind.AUTH_REJECTED),
    (1001, CloseKind.RECOVERABLE),
    (1006, CloseKind.RECOVERABLE),
    (1011, CloseKind.RECOVERABLE),
    (1012, CloseKind.RECOVERABLE),
    (3999, CloseKind.RECOVERABLE),
    (5000, CloseKind.RECOVERABLE),
]


@pytest.mark.parametrize(("code", "kind"), CLOSE_CASES)
def test_classify_close(code: int | None, kind: CloseKind) -> None:
    assert classify_close(code) is kind


def test_backoff_full_jitter_and_cap() -> None:
    p = ReconnectPolicy(base=0.5, factor=2, cap=30)
    assert p.delay(0, 0.0) == 0.0
    assert p.delay(0, 0.5) == 0.25
    assert p.delay(3, 0.5) == 2.0
    assert p.delay(20, 0.999) == pytest.approx(29.97)
    assert p.delay(10_000, 1.0) == 30.0
    assert p.allows(10_000)
    assert not ReconnectPolicy(max_attempts=2).allows(2)
    with pytest.raises(ValueError):
        ReconnectPolicy(base=0)


@given(st.integers(0, 200), st.floats(0, 1))
def test_backoff_bounded(attempt: int, u: float) -> None:
    p = ReconnectPolicy()
    d = p.delay(attempt, u)
    assert 0 <= d <= min(p.cap, p.base * 2**attempt)


def ready_session(now: float = 0.0, **kw: Any) -> Session:
    s = Session(**kw)
    s.connect()
    s.socket_opened(now)
    s.authenticated()
    return s


def test_happy_path_and_ping_schedule() -> None:
    s = Session()
    assert s.next_deadline() is None
    s.connect()
    assert s.state is SessionState.CONNECTING
    s.socket_opened(100.0)
    assert s.state is SessionState.OPEN
    assert s.next_deadline() == 110.0  # auth fallback first
    s.authenticated()
    assert s.state is SessionState.READY
    assert s.next_deadline() == 115.0
    assert s.on_timer(114.9) == []
    assert s.on_timer(115.0) == [SessionTimer.PING]
    assert s.next_deadline() == 130.0
    # A transport that overslept gets one ping, not a burst.
    assert s.on_timer(200.0) == [SessionTimer.PING]
    assert s.next_deadline() == 215.0


def test_auth_fallback_makes_ready() -> None:
    s = Session()
    s.connect()
    s.socket_opened(0.0)
    assert s.on_timer(10.0) == [SessionTimer.AUTH_FALLBACK]
    assert s.state is SessionState.READY


def test_recoverable_close_backs_off_then_reconnects() -> None:
    s = ready_session(ping_interval=None)
    kind = s.socket_closed(1006, "abnormal", now=50.0, u=0.5)
    assert kind is CloseKind.RECOVERABLE
    assert s.state is SessionState.RECONNECTING
    assert s.next_deadline() == 50.25
    assert s.on_timer(50.2) == []
    assert s.on_timer(50.25) == [SessionTimer.RECONNECT]
    assert s.state is SessionState.CONNECTING
    # Handshake failure -> second attempt waits longer.
    s.socket_closed(1006, "", now=60.0, u=0.5)
    assert s.next_deadline() == 60.5
    s.on_timer(61.0)
    s.socket_opened(61.0)
    s.authenticated()
    assert s.attempt == 0


def test_attempts_exhausted_disconnects() -> None:
    s = ready_session(policy=ReconnectPolicy(max_attempts=1))
    s.socket_closed(1011, "", now=0.0, u=0.0)
    s.on_timer(0.0)
    s.socket_closed(1006, "", now=1.0, u=0.0)
    assert s.state is SessionState.DISCONNECTED
    assert s.has_credentials
    assert s.next_deadline() is None
    s.connect()
    assert s.state is SessionState.CONNECTING


@pytest.mark.parametrize(("code", "creds"), [(1000, True), (4015, True), (4021, False), (0, False)])
def test_terminal_closes(code: int, creds: bool) -> None:
    s = ready_session()
    s.socket_closed(code, "x", now=0.0, u=0.0)
    assert s.state is SessionState.DISCONNECTED
    assert s.has_credentials is creds
    assert s.last_close == (code, "x")


def test_local_close_absorbs_echo() -> None:
    s = ready_session()
    assert s.close() is True
    assert s.state is SessionState.CLOSED
    s.socket_closed(1000, "Client disconnected", now=0.0, u=0.0)
    assert s.state is SessionState.CLOSED
    assert s.close() is False


def drive(s: Session, inp: SessionInput) -> None:
    if inp is SessionInput.CONNECT:
        s.connect()
    elif inp is SessionInput.SOCKET_OPENED:
        s.socket_opened(0.0)
    elif inp is SessionInput.AUTHENTICATED:
        s.authenticated()
    else:
        s.process(inp)


def reach(state: SessionState) -> Session:
    s = Session()
    paths = {
        SessionState.IDLE: [],
        SessionState.CONNECTING: [SessionInput.CONNECT],
        SessionState.OPEN: [SessionInput.CONNECT, SessionInput.SOCKET_OPENED],
        SessionState.READY: [
            SessionInput.CONNECT,
            SessionInput.SOCKET_OPENED,
            SessionInput.AUTHENTICATED,
        ],
        SessionState.RECONNECTING: [SessionInput.CONNECT, SessionInput.CLOSE_RECOVERABLE],
        SessionState.DISCONNECTED: [SessionInput.CONNECT, SessionInput.CLOSE_TERMINAL],
        SessionState.CLOSED: [SessionInput.CLOSE],
    }
    if state is SessionState.ERROR:
        with pytest.raises(ProtocolError):
            s.process(SessionInput.AUTHENTICATED)
        return s
    for inp in paths[state]:
        drive(s, inp)
    assert s.state is state
    return s


@pytest.mark.parametrize(
    ("state", "inp"), list(itertools.product(list(SessionState), list(SessionInput)))
)
def test_every_pair_is_legal_or_lands_in_error(state: SessionState, inp: SessionInput) -> None:
    s = reach(state)
    if (state, inp) in TRANSITIONS:
        s.process(inp)
        assert s.state is TRANSITIONS[(state, inp)]
    else:
        remote = inp in {
            SessionInput.SOCKET_OPENED,
            SessionInput.AUTHENTICATED,
            SessionInput.CLOSE_RECOVERABLE,
            SessionInput.CLOSE_TERMINAL,
        }
        with pytest.raises(RemoteProtocolError if remote else LocalProtocolError):
            s.process(inp)
        assert s.state is SessionState.ERROR
        assert s.next_deadline() is None
        # Sticky: every later input raises too.
        for later in SessionInput:
            with pytest.raises(ProtocolError):
                s.process(later)


def test_url_matches_reference_example() -> None:
    url = build_socket_url(
        "wss://socket.sogni.ai",
        app_id="my-app",
        client_name="Sogni/3.0.0 (sogni-client) 5.17.0",
        network="relaxed",
        subscriptions_json='{"modelAvailability":false}',
    )
    assert url == (
        "wss://socket.sogni.ai/?appId=my-app&socketEventSubscriptions=%7B%22modelAvailability"
        "%22%3Afalse%7D&clientName=Sogni%2F3.0.0+%28sogni-client%29+5.17.0&clientType=artist"
        "&forceWorkerId="
    )
    fast = build_socket_url(
        "http://127.0.0.1:8080/ws",
        app_id="a b",
        client_name="c",
        network="fast",
        app_source="  src ",
        attribution=[("interactionKind", "service")],
    )
    assert fast == (
        "ws://127.0.0.1:8080/ws?appId=a+b&appSource=src&interactionKind=service"
        "&clientName=c&clientType=artist&forceWorkerId=fast"
    )


SAMPLES = ["", "a b", "*-._~", "ü€😀", "x=y&z", '{"k":true}', "\x00\x7f/+%"]


def test_encoder_matches_node_urlsearchparams() -> None:
    assert shutil.which("node"), "node (the reference peer) must be installed"
    script = (
        "const s=JSON.parse(require('fs').readFileSync(0,'utf8'));"
        "process.stdout.write(JSON.stringify(s.map(v=>new URLSearchParams([[v,v]]).toString())))"
    )
    out = subprocess.run(
        ["node", "-e", script],
        input=json.dumps(SAMPLES),
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(out.stdout) == [urlsearchparams_encode([(v, v)]) for v in SAMPLES]
