"""REST response parsing: envelopes, typed payloads, and every error shape the SDKs recognise."""

from __future__ import annotations

import msgspec
import pytest

from sogni_core.protocol._errors import ApiStatusError, RemoteProtocolError
from sogni_core.protocol._generated.rest import AccountMe, TokenPair
from sogni_core.protocol.rest import (
    ChatErrorFields,
    ResponseHeaders,
    api_status_error,
    extract_chat_error,
    header_value,
    is_success,
    parse_json,
    parse_response,
)


def j(value: object) -> bytes:
    return msgspec.json.encode(value)


def test_header_value_forms() -> None:
    assert header_value({"Retry-After": "3"}, "retry-after") == "3"
    assert header_value([("retry-after", "4")], "Retry-After") == "4"
    assert header_value([(b"Retry-After", b"5")], "retry-after") == "5"
    assert header_value([], "x") is None
    assert header_value([("A", "1"), ("B", "2")], "b") == "2"


def test_is_success() -> None:
    assert is_success(200) and is_success(204) and is_success(299)
    assert not is_success(199) and not is_success(300) and not is_success(404)


def test_envelope_unwrapped_and_typed() -> None:
    body = j({"status": "success", "data": {"token": "a.b.c", "refreshToken": "d.e.f"}})
    pair = parse_response(200, {}, body, type=TokenPair)
    assert pair == TokenPair(token="a.b.c", refresh_token="d.e.f")


def test_unknown_fields_tolerated() -> None:
    body = j({"status": "success", "data": {"username": "u", "walletAddress": "0x1", "new": 1}})
    me = parse_response(200, {}, body, type=AccountMe)
    assert me.username == "u" and me.wallet_address == "0x1"


def test_raw_json_without_envelope() -> None:
    body = j([{"id": "flux", "name": "Flux", "SID": 1, "tier": "a", "media": "image"}])
    assert parse_response(200, {}, body, envelope=False) == [
        {"id": "flux", "name": "Flux", "SID": 1, "tier": "a", "media": "image"}
    ]


def test_empty_2xx_body_is_none_for_any() -> None:
    assert parse_response(200, {}, b"") is None
    assert parse_response(204, {}, b"  ") is None
    with pytest.raises(RemoteProtocolError):
        parse_response(200, {}, b"", type=TokenPair)


@pytest.mark.parametrize(
    "body",
    [
        b"<html>ok</html>",  # 2xx non-JSON (01 §6.1.3 step 4)
        b"[1, 2]",  # envelope expected, got a list
        j({"status": "success"}),  # no data
        j({"status": "success", "data": {"token": 1}}),  # wrong shape
        j({"status": "success", "data": None}),  # null data for a typed endpoint
    ],
)
def test_contract_violations_are_remote_errors(body: bytes) -> None:
    with pytest.raises(RemoteProtocolError):
        parse_response(200, {}, body, type=TokenPair)


def test_shape_error_does_not_quote_values() -> None:
    secret = "sk-SECRET-VALUE"
    body = j({"status": "success", "data": {"token": secret, "refreshToken": 5}})
    with pytest.raises(RemoteProtocolError) as info:
        parse_response(200, {}, body, type=TokenPair)
    assert secret not in str(info.value)
    assert "refreshToken" in str(info.value)


def test_2xx_error_envelope_raises_api_error() -> None:
    body = j({"status": "error", "message": "nope", "errorCode": 7})
    with pytest.raises(ApiStatusError) as info:
        parse_response(200, {}, body)
    assert (info.value.status, info.value.code, info.value.message) == (200, 7, "nope")


# (status, headers, body, reason) -> (message, code, retry_after)
ERROR_CASES = [
    # Sogni error body (01 §6.1.3)
    (
        401,
        {},
        j({"status": "error", "message": "Auth required", "errorCode": 101}),
        "",
        ("Auth required", 101, None),
    ),
    # string error codes kept
    (400, {}, j({"status": "error", "message": "m", "errorCode": "E_X"}), "", ("m", "E_X", None)),
    # Python SDK's error_code spelling
    (400, {}, j({"message": "m", "error_code": 123}), "", ("m", 123, None)),
    # body retryAfter wins over the header (5.54.0 apiErrorFields)
    (
        429,
        {"Retry-After": "30"},
        j({"message": "slow down", "errorCode": 429, "retryAfter": 5}),
        "",
        ("slow down", 429, 5.0),
    ),
    # header used when the body has none
    (503, {"Retry-After": "12"}, j({"message": "restarting"}), "", ("restarting", None, 12.0)),
    # invalid body retryAfter ignored, header used
    (429, [("retry-after", "2")], j({"message": "x", "retryAfter": -1}), "", ("x", None, 2.0)),
    (429, {}, j({"message": "x", "retryAfter": True}), "", ("x", None, None)),
    # JSON object without message: reason phrase, else HTTP <status>
    (
        500,
        {},
        j({"status": "error"}),
        "Internal Server Error",
        ("Internal Server Error", None, None),
    ),
    (502, {}, j({}), "", ("HTTP 502", None, None)),
    # workflow envelopes put the error under data (02 §5.2)
    (
        409,
        {},
        j({"status": "failed", "data": {"message": "busy", "errorCode": 9}}),
        "",
        ("busy", 9, None),
    ),
    # OpenAI envelope (02 §2.14)
    (
        402,
        {},
        j({"error": {"type": "subscription_unavailable", "code": "4078", "message": "Upgrade"}}),
        "",
        ("Upgrade", "4078", None),
    ),
    # flat chat shape
    (
        400,
        {},
        j({"error": "bad_request", "error_code": "4081", "error_message": "Needs Pro"}),
        "",
        ("Needs Pro", "4081", None),
    ),
    # non-JSON bodies (5.54.0 nonJsonErrorMessage): plain text is the message
    (
        503,
        {},
        b"Model X will be available soon.",
        "Service Unavailable",
        ("Model X will be available soon.", 503, None),
    ),
    (400, {}, b"  many   spaces\n here ", "", ("many spaces here", 400, None)),
    (400, {}, b"x" * 600, "", ("x" * 500 + "…", 400, None)),
    # HTML pages: reason + 200-char excerpt
    (
        502,
        {},
        b"<html><body>Bad   gateway</body></html>",
        "Bad Gateway",
        ("Bad Gateway: <html><body>Bad gateway</body></html>", 502, None),
    ),
    (504, {}, b"<p>" + b"y" * 300, "", ("HTTP 504: <p>" + "y" * 197, 504, None)),
    # empty body
    (404, {}, b"", "Not Found", ("Not Found", 404, None)),
    (404, {}, b"", "", ("HTTP 404", 404, None)),
    # JSON that is not an object is treated as text
    (500, {}, b"[1,2]", "", ("[1,2]", 500, None)),
    # float codes that are integers become ints; others are dropped
    (400, {}, j({"message": "m", "errorCode": 12.0}), "", ("m", 12, None)),
    (400, {}, j({"message": "m", "errorCode": 1.5}), "", ("m", None, None)),
    (400, {}, j({"message": "m", "errorCode": True}), "", ("m", None, None)),
    # top-level fields win over data's; data fills what is missing
    (
        409,
        {"X-Other": "1", "Retry-After": "4"},
        j(
            {
                "message": "top",
                "errorCode": 1,
                "retryAfter": 2,
                "data": {"message": "inner", "errorCode": 2, "retryAfter": 9},
            }
        ),
        "",
        ("top", 1, 2.0),
    ),
    (
        409,
        {},
        j({"data": {"error_code": "E", "retryAfter": 3}}),
        "Conflict",
        ("Conflict", "E", 3.0),
    ),
    # OpenAI code used only when the Sogni code is absent
    (402, {}, j({"errorCode": 5, "error": {"code": "4078", "message": "m"}}), "", ("m", 5, None)),
    # invalid UTF-8 does not crash
    (500, {}, b"\xff\xfe oops", "", ("\ufffd\ufffd oops", 500, None)),
    # a non-JSON body still carries the Retry-After header
    (429, {"Retry-After": "7"}, b"Too Many Requests", "", ("Too Many Requests", 429, 7.0)),
]


@pytest.mark.parametrize(("status", "headers", "body", "reason", "expected"), ERROR_CASES)
def test_error_shapes(
    status: int,
    headers: ResponseHeaders,
    body: bytes,
    reason: str,
    expected: tuple[str, object, float | None],
) -> None:
    err = api_status_error(status, headers, body, reason=reason)
    assert (err.message, err.code, err.retry_after) == expected
    assert err.status == status
    with pytest.raises(ApiStatusError) as info:
        parse_response(status, headers, body, reason=reason)
    assert (info.value.message, info.value.code, info.value.retry_after) == expected


def test_error_retry_after_http_date() -> None:
    err = api_status_error(
        503, {"Retry-After": "Tue, 14 Nov 2023 22:13:40 GMT"}, b"", now=1_700_000_000.0
    )
    assert err.retry_after == 20.0


def test_parse_json() -> None:
    assert parse_json(200, b'{"a":1}') == {"a": 1}
    assert parse_json(200, b"") is None
    with pytest.raises(RemoteProtocolError) as info:
        parse_json(201, b"{bad")
    assert "HTTP 201" in str(info.value)


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        (
            {"error": {"type": "subscription_unavailable", "code": "4078", "message": "m"}},
            ChatErrorFields(code="4078", error_type="subscription_unavailable", message="m"),
        ),
        (
            {
                "error": {
                    "message": "m",
                    "subscription": {
                        "subscriptionLimit": True,
                        "requiredPlans": ["pro", 3],
                        "feature": "f",
                        "limitation": "l",
                    },
                }
            },
            ChatErrorFields(
                message="m",
                subscription_limit=True,
                required_plans=("pro",),
                feature="f",
                limitation="l",
            ),
        ),
        # OpenAI envelope without code/type/limit: not recognised, flat shape not tried
        ({"error": {"message": "m"}, "error_code": "1"}, None),
        # numeric code is not a string: not recognised
        ({"error": {"code": 4078}}, None),
        (
            {"error_code": "4079", "error_message": "queue"},
            ChatErrorFields(code="4079", message="queue"),
        ),
        (
            {"error": "bad", "error_message": "why"},
            ChatErrorFields(error_type="bad", message="why"),
        ),
        ({"error": "", "error_message": ""}, ChatErrorFields(error_type="", message="")),
        ({"error": "bad"}, None),
        (
            {"subscriptionLimit": True, "requiredPlans": "pro"},
            ChatErrorFields(subscription_limit=True),
        ),
        ({"subscriptionLimit": 1}, None),
        ({"message": "plain"}, None),
        ([1], None),
        (None, None),
    ],
)
def test_extract_chat_error(payload: object, expected: ChatErrorFields | None) -> None:
    assert extract_chat_error(payload) == expected
