"""token_request_flow: every branch, driven sync and async (parity in one test, STYLE Q7)."""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Callable

import msgspec
import pytest

from sogni_core.protocol._errors import ApiStatusError, LocalProtocolError, RemoteProtocolError
from sogni_core.protocol.rest import (
    Auth,
    FlowResult,
    Hosts,
    Request,
    Response,
    TokenAuth,
    TokenSession,
    drive,
    drive_async,
    endpoint_request,
    token_request_flow,
)

BASE = "http://127.0.0.1:8000"
HOSTS = Hosts(rest=BASE, socket="http://127.0.0.1:9000/")


def jwt(exp: float) -> str:
    seg = base64.urlsafe_b64encode(json.dumps({"exp": exp}).encode()).decode().rstrip("=")
    return f"e30.{seg}.sig"


OLD = TokenSession.from_tokens(jwt(100), jwt(1000))
NEW_TOKEN, NEW_REFRESH = jwt(500), jwt(2000)


def me(auth: Auth | None) -> Request:
    return endpoint_request("account_me", HOSTS, auth=auth)


class Server:
    """Answers refresh calls and records what it saw."""

    def __init__(self, refresh: Response | None = None, final_status: int = 200) -> None:
        self.seen: list[Request] = []
        self.refresh = refresh or Response(
            status=200,
            body=msgspec.json.encode(
                {"status": "success", "data": {"token": NEW_TOKEN, "refreshToken": NEW_REFRESH}}
            ),
        )
        self.final_status = final_status

    def __call__(self, request: Request) -> Response:
        self.seen.append(request)
        if request.url.endswith("/v1/account/refresh-token"):
            return self.refresh
        return Response(status=self.final_status, body=b'{"status":"success","data":{}}')


def run(sync: bool, flow_args: dict[str, object], server: Server) -> FlowResult:
    flow = token_request_flow(me, base_url=BASE, **flow_args)  # type: ignore[arg-type]
    if sync:
        return drive(flow, server)

    async def send(request: Request) -> Response:
        await asyncio.sleep(0)
        return server(request)

    return asyncio.run(drive_async(flow, send))


@pytest.fixture(params=[True, False], ids=["sync", "async"])
def sync(request: pytest.FixtureRequest) -> bool:
    return bool(request.param)


def test_no_session_sends_unauthenticated(sync: bool) -> None:
    server = Server()
    result = run(sync, {"session": None, "now": 50.0}, server)
    assert [r.header("authorization") for r in server.seen] == [None]
    assert result == FlowResult(response=result.response, session=None, session_changed=False)
    assert result.response.status == 200


def test_valid_token_sent_without_refresh(sync: bool) -> None:
    server = Server()
    result = run(sync, {"session": OLD, "now": 50.0}, server)
    assert [r.url for r in server.seen] == [f"{BASE}/v1/account/me"]
    assert server.seen[0].header("authorization") == OLD.token
    assert result.session == OLD and not result.session_changed


def test_expired_token_refreshes_first(sync: bool) -> None:
    server = Server()
    result = run(sync, {"session": OLD, "now": 150.0}, server)
    assert [r.url for r in server.seen] == [
        f"{BASE}/v1/account/refresh-token",
        f"{BASE}/v1/account/me",
    ]
    assert server.seen[0].header("authorization") is None
    assert server.seen[1].header("authorization") == NEW_TOKEN
    assert result.session == TokenSession.from_tokens(NEW_TOKEN, NEW_REFRESH)
    assert result.session_changed


def test_leeway_refreshes_early(sync: bool) -> None:
    server = Server()
    result = run(sync, {"session": OLD, "now": 80.0, "leeway": 30.0}, server)
    assert len(server.seen) == 2 and result.session_changed


def test_expired_refresh_token_fails_locally(sync: bool) -> None:
    server = Server()
    with pytest.raises(LocalProtocolError, match="Refresh token expired"):
        run(sync, {"session": OLD, "now": 1000.0}, server)
    assert server.seen == []


@pytest.mark.parametrize(
    ("refresh", "error"),
    [
        (Response(status=401, body=b'{"message":"expired","errorCode":105}'), ApiStatusError),
        (Response(status=200, body=b"<html/>"), RemoteProtocolError),
        (
            Response(status=200, body=b'{"status":"success","data":{"token":"x"}}'),
            RemoteProtocolError,
        ),
    ],
)
def test_failed_refresh_raises(sync: bool, refresh: Response, error: type[Exception]) -> None:
    server = Server(refresh=refresh)
    with pytest.raises(error):
        run(sync, {"session": OLD, "now": 150.0}, server)
    assert len(server.seen) == 1  # the real request was never sent


def test_final_401_clears_session(sync: bool) -> None:
    result = run(sync, {"session": OLD, "now": 50.0}, Server(final_status=401))
    assert result.session is None and result.session_changed
    kept = run(sync, {"session": OLD, "now": 50.0, "clear_on_401": False}, Server(final_status=401))
    assert kept.session == OLD and not kept.session_changed


def test_response_repr_redacts() -> None:
    r = Response(status=200, headers=(("Set-Cookie", "sid=SECRET"),), body=b"SECRET")
    assert "SECRET" not in repr(r) and "SECRET" not in str(r)


def test_flow_is_a_plain_generator() -> None:
    flow = token_request_flow(me, OLD, base_url=BASE, now=150.0)
    first = next(flow)
    assert first.url.endswith("/refresh-token")
    send: Callable[[Response], Request] = flow.send
    second = send(Server().refresh)
    assert second.header("authorization") == TokenAuth(NEW_TOKEN).token
    with pytest.raises(StopIteration) as stop:
        flow.send(Response(status=204))
    assert stop.value.value.response.status == 204
