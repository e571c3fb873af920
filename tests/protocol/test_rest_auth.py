"""Token-auth flow pieces: JWT expiry, refresh decisions, login/refresh/logout, cookies."""

from __future__ import annotations

import base64
import json
from typing import Any

import msgspec
import pytest

from sogni_core.protocol._errors import (
    ApiStatusError,
    InvalidParamsError,
    LocalProtocolError,
    RemoteProtocolError,
)
from sogni_core.protocol.rest import (
    ApiKeyAuth,
    CookieAuth,
    TokenAuth,
    TokenSession,
    cookies_from_headers,
    jwt_expiry,
    login_request,
    logout_request,
    needs_refresh,
    nonce_request,
    parse_login,
    parse_logout,
    parse_nonce,
    parse_token_pair,
    refresh_request,
)

BASE = "https://api.sogni.ai"


def jwt(claims: object, *, pad: bool = False) -> str:
    def seg(obj: object) -> str:
        raw = base64.urlsafe_b64encode(json.dumps(obj).encode()).decode()
        return raw if pad else raw.rstrip("=")

    return f"{seg({'alg': 'HS256'})}.{seg(claims)}.c2lnbmF0dXJl"


def env(data: object) -> bytes:
    return msgspec.json.encode({"status": "success", "data": data})


ACCESS = jwt({"addr": "0xA", "env": "test", "iat": 1000, "exp": 2000})
REFRESH = jwt({"type": "refresh", "env": "test", "iat": 1000, "exp": 9000})


def test_jwt_expiry() -> None:
    assert jwt_expiry(ACCESS) == 2000.0
    assert jwt_expiry(jwt({"exp": 1.5}, pad=True)) == 1.5
    assert jwt_expiry("Bearer " + ACCESS) == 2000.0


@pytest.mark.parametrize(
    "token",
    [
        "not-a-jwt",
        "a.b",
        "a.!!!.c",
        "a." + base64.urlsafe_b64encode(b"not json").decode() + ".c",
        jwt([1, 2]),
        jwt({"iat": 1}),
        jwt({"exp": "2000"}),
        jwt({"exp": True}),
        jwt({"exp": None}),
    ],
)
def test_jwt_expiry_rejects_without_leaking(token: str) -> None:
    with pytest.raises(InvalidParamsError) as info:
        jwt_expiry(token)
    assert info.value.field == "token"
    assert token not in str(info.value)


@pytest.mark.parametrize(
    ("now", "expiry", "leeway", "expected"),
    [
        (1000.0, None, 0.0, True),
        (1000.0, 2000.0, 0.0, False),
        (1999.9, 2000.0, 0.0, False),
        (2000.0, 2000.0, 0.0, True),  # valid only while exp > now, as the SDKs
        (2500.0, 2000.0, 0.0, True),
        (1950.0, 2000.0, 60.0, True),
        (1900.0, 2000.0, 60.0, False),
    ],
)
def test_needs_refresh(now: float, expiry: float | None, leeway: float, expected: bool) -> None:
    assert needs_refresh(now, expiry, leeway=leeway) is expected


def test_token_session() -> None:
    s = TokenSession.from_tokens(ACCESS, REFRESH)
    assert (s.token_expiry, s.refresh_expiry) == (2000.0, 9000.0)
    assert s.is_authenticated(8999.0) and not s.is_authenticated(9000.0)
    assert not s.needs_refresh(1500.0) and s.needs_refresh(2000.0)
    assert s.needs_refresh(1990.0, leeway=30.0)
    assert s.auth() == TokenAuth(ACCESS)
    assert ACCESS not in repr(s) and REFRESH not in str(s)
    with pytest.raises(InvalidParamsError):
        TokenSession.from_tokens(ACCESS, "junk")


def test_nonce_round_trip() -> None:
    r = nonce_request(BASE, "0xAbC")
    assert (r.method, r.url) == ("POST", f"{BASE}/v1/account/nonce")
    assert r.body == b'{"walletAddress":"0xAbC"}'
    assert r.headers == (("Content-Type", "application/json"),)
    assert parse_nonce(200, {}, env({"nonce": "n-1"})) == "n-1"
    with pytest.raises(RemoteProtocolError):
        parse_nonce(200, {}, env({}))


def test_login_request_body_order_and_app_source() -> None:
    r = login_request(BASE, wallet_address="0xA", signature="0xsig", app_source="  ")
    assert r.url == f"{BASE}/v1/account/login"
    # key order walletAddress, signature, appSource?, rememberMe (always sent)
    assert r.body == b'{"walletAddress":"0xA","signature":"0xsig","rememberMe":false}'
    r2 = login_request(
        BASE,
        wallet_address="0xA",
        signature="0xsig",
        remember_me=True,
        app_source=" my-app ",
        auth=ApiKeyAuth("k"),
    )
    assert r2.body == (
        b'{"walletAddress":"0xA","signature":"0xsig","appSource":"my-app","rememberMe":true}'
    )
    assert r2.header("api-key") == "k"


def test_parse_login() -> None:
    data = parse_login(200, {}, env({"token": ACCESS, "refreshToken": REFRESH, "username": "u"}))
    assert (data.token, data.refresh_token, data.username) == (ACCESS, REFRESH, "u")
    with pytest.raises(ApiStatusError) as info:
        parse_login(
            401, {}, msgspec.json.encode({"message": "Invalid signature", "errorCode": 102})
        )
    assert info.value.code == 102 and info.value.status == 401


def test_refresh_request_has_no_authorization() -> None:
    r = refresh_request(BASE, REFRESH)
    assert (r.method, r.url) == ("POST", f"{BASE}/v1/account/refresh-token")
    assert r.headers == (("Content-Type", "application/json"),)
    assert r.body == msgspec.json.encode({"refreshToken": REFRESH})
    assert REFRESH not in repr(r)


def test_refresh_with_expired_refresh_token_fails_locally() -> None:
    with pytest.raises(LocalProtocolError, match="Refresh token expired"):
        refresh_request(BASE, REFRESH, now=9000.0, refresh_expiry=9000.0)
    assert refresh_request(BASE, REFRESH, now=8999.0, refresh_expiry=9000.0).body


def test_parse_token_pair() -> None:
    new_access = jwt({"exp": 5000})
    s = parse_token_pair(200, {}, env({"token": new_access, "refreshToken": REFRESH}))
    assert s == TokenSession(
        token=new_access, refresh_token=REFRESH, token_expiry=5000.0, refresh_expiry=9000.0
    )
    with pytest.raises(RemoteProtocolError, match="valid token pair"):
        parse_token_pair(200, {}, env({"token": "junk", "refreshToken": REFRESH}))
    with pytest.raises(RemoteProtocolError):
        parse_token_pair(200, {}, b"")
    with pytest.raises(ApiStatusError) as info:
        parse_token_pair(401, {}, b"")
    assert info.value.status == 401


def test_logout() -> None:
    r = logout_request(BASE, auth=TokenAuth(ACCESS))
    assert r.url == f"{BASE}/v1/account/logout" and r.body == b"{}"
    assert r.headers[-1] == ("Authorization", ACCESS)
    parse_logout(200, {}, b"")
    parse_logout(204, {}, b"")
    parse_logout(200, {}, env(None))
    parse_logout(401, {}, b"<html>401</html>")  # tolerated, as the SDK
    with pytest.raises(ApiStatusError) as info:
        parse_logout(500, {}, msgspec.json.encode({"message": "boom"}))
    assert info.value.message == "boom"


def test_cookies_from_headers() -> None:
    headers: list[tuple[Any, Any]] = [
        ("Set-Cookie", "authorization=tok1; Path=/; HttpOnly; Secure"),
        ("content-type", "application/json"),
        (b"set-cookie", b"refresh=r1; Max-Age=86400"),
        ("Set-Cookie", "broken"),
        ("Set-Cookie", "=novalue"),
    ]
    jar = cookies_from_headers(headers)
    assert jar == (("authorization", "tok1"), ("refresh", "r1"))
    jar2 = cookies_from_headers({"Set-Cookie": "authorization=tok2; Path=/"}, existing=jar)
    assert jar2 == (("authorization", "tok2"), ("refresh", "r1"))
    jar3 = cookies_from_headers([("Set-Cookie", "refresh=; Max-Age=0")], existing=jar2)
    assert jar3 == (("authorization", "tok2"),)
    jar4 = cookies_from_headers([("Set-Cookie", "authorization=x; max-age = 0")], existing=jar3)
    assert jar4 == ()
    assert CookieAuth(jar2).headers() == (("Cookie", "authorization=tok2; refresh=r1"),)
