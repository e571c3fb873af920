"""Authentication: API keys, tokens, refresh, logout, close codes (01 §1.3, §1.5, §6.2)."""

from __future__ import annotations

import base64
import json

import pytest

from ._signing import login
from .conftest import greet
from .wsclient import Closed, WsClient, http_json


def _login(emu):
    status, body = login(emu)
    assert status == 200, body
    return body["data"]


def test_api_key_rest_and_unknown_key_401(emu):
    status, body = http_json(
        emu.rest_url, "GET", "/v1/account/me", headers={"api-key": emu.api_key}
    )
    assert status == 200 and body["status"] == "success"
    assert body["data"]["username"] and body["data"]["walletAddress"].startswith("0x")
    status, body = http_json(
        emu.rest_url, "GET", "/v1/account/me", headers={"api-key": "not-a-key"}
    )
    assert status == 401
    assert body["status"] == "error" and isinstance(body["errorCode"], int) and body["message"]
    assert "not-a-key" not in json.dumps(body)
    status, _ = http_json(emu.rest_url, "GET", "/v1/account/me")
    assert status == 401


def test_unknown_key_socket_closed_4021(emu):
    client = WsClient(emu.socket_url, headers={"api-key": "wrong"})
    with pytest.raises(Closed) as info:
        client.recv()
    assert info.value.code == 4021
    client.close()


def test_missing_credentials_socket_closed_4021(emu):
    client = WsClient(emu.socket_url)
    assert client.wait_closed() == 4021
    client.close()


def test_token_login_refresh_logout(emu):
    tokens = _login(emu)
    assert set(tokens) == {"token", "refreshToken", "username"}
    for jwt in (tokens["token"], tokens["refreshToken"]):
        parts = jwt.split(".")
        assert len(parts) == 3
        claims = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
        assert isinstance(claims["exp"], int)
    auth = {"Authorization": tokens["token"]}
    status, body = http_json(emu.rest_url, "GET", "/v1/account/me", headers=auth)
    assert status == 200 and body["data"]["username"] == tokens["username"]
    # The socket accepts the raw JWT (no "Bearer", 01 §1.3.1).
    client = WsClient(emu.socket_url, headers=auth, app_id="token-app")
    frames = greet(client)
    assert frames[0][0] == "authenticated"
    assert frames[0][1]["username"] == tokens["username"]
    client.close()
    # Refresh rotates the pair; the old refresh token stops working.
    status, body = http_json(
        emu.rest_url,
        "POST",
        "/v1/account/refresh-token",
        json_body={"refreshToken": tokens["refreshToken"]},
    )
    assert status == 200 and set(body["data"]) == {"token", "refreshToken"}
    fresh = body["data"]
    status, _ = http_json(
        emu.rest_url,
        "POST",
        "/v1/account/refresh-token",
        json_body={"refreshToken": tokens["refreshToken"]},
    )
    assert status == 401
    # Logout revokes the access token on REST and socket.
    status, _ = http_json(
        emu.rest_url,
        "POST",
        "/v1/account/logout",
        headers={"Authorization": fresh["token"]},
        json_body={},
    )
    assert status == 200
    status, _ = http_json(
        emu.rest_url, "GET", "/v1/account/me", headers={"Authorization": fresh["token"]}
    )
    assert status == 401
    client = WsClient(emu.socket_url, headers={"Authorization": fresh["token"]})
    assert client.wait_closed() == 4021
    client.close()


def test_login_needs_nonce(emu):
    status, body = http_json(
        emu.rest_url,
        "POST",
        "/v1/account/login",
        json_body={"walletAddress": "0x" + "22" * 20, "signature": "0xabc"},
    )
    assert status == 401 and body["status"] == "error"


def test_duplicate_app_id_closes_older_with_4015(emu, connect):
    first = connect(app_id="same")
    greet(first)
    second = connect(app_id="same")
    assert first.wait_closed() == 4015
    assert greet(second)[0][0] == "authenticated"
    other = connect(app_id="different")
    assert greet(other)[0][0] == "authenticated"


def test_extra_api_keys(tmp_path):
    from sogni_emulator import Emulator

    with Emulator.run_in_thread(api_keys=["k1", "k2"]) as emu:
        assert emu.api_key == "k1"
        for key in ("k1", "k2"):
            assert (
                http_json(emu.rest_url, "GET", "/v1/account/me", headers={"api-key": key})[0] == 200
            )
        assert (
            http_json(emu.rest_url, "GET", "/v1/account/me", headers={"api-key": "sogni-dev-key"})[
                0
            ]
            == 401
        )


def test_short_access_tokens_expire_and_refresh():
    import time

    from sogni_emulator import Emulator

    with Emulator.run_in_thread(access_token_ttl=1) as emu:
        tokens = _login(emu)
        auth = {"Authorization": tokens["token"]}
        assert http_json(emu.rest_url, "GET", "/v1/account/me", headers=auth)[0] == 200
        time.sleep(2.1)  # JWT exp has one-second resolution
        assert http_json(emu.rest_url, "GET", "/v1/account/me", headers=auth)[0] == 401
        client = WsClient(emu.socket_url, headers=auth)
        assert client.wait_closed() == 4021
        client.close()
        status, body = http_json(
            emu.rest_url,
            "POST",
            "/v1/account/refresh-token",
            json_body={"refreshToken": tokens["refreshToken"]},
        )
        assert status == 200
        fresh = {"Authorization": body["data"]["token"]}
        assert http_json(emu.rest_url, "GET", "/v1/account/me", headers=fresh)[0] == 200
