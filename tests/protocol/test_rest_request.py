"""REST request construction: URLs, query/path encoding, JSON bodies, auth headers, reprs."""

from __future__ import annotations

import json
import random
import shutil
import subprocess

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sogni_core.protocol._errors import InvalidParamsError
from sogni_core.protocol.rest import (
    ApiKeyAuth,
    CookieAuth,
    Request,
    TokenAuth,
    build_request,
    encode_json_body,
    encode_query,
    format_path,
    js_string,
    resolve_url,
    socket_http_base,
)

SECRET = "sk-live-SUPER-SECRET-123"


@pytest.mark.parametrize(
    ("base", "path", "query", "expected"),
    [
        ("https://api.sogni.ai", "/v1/account/me", "", "https://api.sogni.ai/v1/account/me"),
        ("https://api.sogni.ai/", "/v1/x", "a=1", "https://api.sogni.ai/v1/x?a=1"),
        # the base's own path is discarded (01 §1.1)
        ("https://host/prefix/", "/v1/x", "", "https://host/v1/x"),
        ("http://127.0.0.1:8080/p?q=1#f", "/v1/x", "", "http://127.0.0.1:8080/v1/x"),
        # a path with its own query keeps it and appends
        ("https://h", "/v1/w?after=3", "limit=2", "https://h/v1/w?after=3&limit=2"),
    ],
)
def test_resolve_url(base: str, path: str, query: str, expected: str) -> None:
    assert resolve_url(base, path, query) == expected


@pytest.mark.parametrize(
    ("base", "path"), [("api.sogni.ai", "/v1"), ("ftp://h", "/v1"), ("https://h", "v1/x")]
)
def test_resolve_url_rejects(base: str, path: str) -> None:
    with pytest.raises(InvalidParamsError):
        resolve_url(base, path)


@pytest.mark.parametrize(
    ("socket_url", "expected"),
    [
        ("wss://socket.sogni.ai", "https://socket.sogni.ai/"),
        ("ws://127.0.0.1:9000", "http://127.0.0.1:9000/"),
        ("http://h:1/x", "http://h:1/x"),
        ("https://h", "https://h/"),
        ("foo://h", "https://h/"),
    ],
)
def test_socket_http_base(socket_url: str, expected: str) -> None:
    assert socket_http_base(socket_url) == expected


def test_socket_http_base_rejects() -> None:
    with pytest.raises(InvalidParamsError):
        socket_http_base("not a url")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (True, "true"),
        (False, "false"),
        (5, "5"),
        (2.0, "2"),
        (0.85, "0.85"),
        (-0.0, "0"),
        (1e21, "1e+21"),
        ("x y", "x y"),
    ],
)
def test_js_string(value: object, expected: str) -> None:
    assert js_string(value) == expected  # type: ignore[arg-type]


def test_js_string_rejects_non_finite() -> None:
    with pytest.raises(InvalidParamsError):
        js_string(float("nan"))


def test_encode_query_order_none_and_form_encoding() -> None:
    q = encode_query(
        [("imageId", "AB-1"), ("jobId", None), ("type", "a b"), ("n", 2), ("ok", True)]
    )
    assert q == "imageId=AB-1&type=a+b&n=2&ok=true"
    assert encode_query({"x": "*-._~!'()/?&=é"}) == "x=*-._%7E%21%27%28%29%2F%3F%26%3D%C3%A9"
    assert encode_query({}) == ""


def test_format_path() -> None:
    assert format_path("/v1/chat/runs/{runId}", {"runId": "a/b c"}) == "/v1/chat/runs/a%2Fb%20c"
    assert format_path("/x/{a}/{b}", {"a": 1, "b": True}) == "/x/1/true"
    # encodeURIComponent keeps !~*'()
    assert format_path("/x/{a}", {"a": "!~*'()"}) == "/x/!~*'()"
    # raw segments (image estimate) are not encoded
    assert format_path("/e/{d}", {"d": 0.85}, encode=False) == "/e/0.85"


@pytest.mark.parametrize(
    ("template", "params", "encode"),
    [
        ("/x/{a}", {}, True),
        ("/x/{a}", {"a": "1", "b": "2"}, True),
        ("/x/{a}", {"a": "1/2"}, False),
        ("/x/{a}", {"a": ""}, False),
    ],
)
def test_format_path_rejects(template: str, params: dict[str, str], encode: bool) -> None:
    with pytest.raises(InvalidParamsError):
        format_path(template, params, encode=encode)


def test_encode_json_body() -> None:
    class Body(msgspec.Struct):
        wallet_address: str = msgspec.field(name="walletAddress")
        note: str | None = None

    assert encode_json_body(Body("0xA")) == b'{"walletAddress":"0xA"}'
    assert encode_json_body(None) == b"{}"
    assert encode_json_body({"a": None, "b": [{"c": None, "d": 1}]}) == b'{"b":[{"d":1}]}'
    assert encode_json_body({"é": "☃"}) == '{"é":"☃"}'.encode()
    with pytest.raises(InvalidParamsError):
        encode_json_body({"x": object()})


def test_get_request_has_no_body_or_content_type() -> None:
    r = build_request("get", "https://h", "/v1/x", query={"a": 1}, auth=ApiKeyAuth(SECRET))
    assert r.method == "GET"
    assert r.url == "https://h/v1/x?a=1"
    assert r.body is None
    assert r.headers == (("api-key", SECRET),)
    assert r.target == "/v1/x?a=1"
    assert r.host == "h"


def test_post_header_order_content_type_caller_auth() -> None:
    r = build_request(
        "POST",
        "https://h",
        "/v1/chat/completions",
        auth=TokenAuth(SECRET),
        json={"model": "m"},
        headers=[("X-App-Source", "app")],
    )
    assert r.headers == (
        ("Content-Type", "application/json"),
        ("X-App-Source", "app"),
        ("Authorization", SECRET),  # raw JWT, no Bearer (01 §1.3.1)
    )
    assert r.body == b'{"model":"m"}'
    assert r.header("content-type") == "application/json"
    assert r.header("missing") is None


def test_post_default_body_and_bodyless_post() -> None:
    assert build_request("POST", "https://h", "/v1/account/logout").body == b"{}"
    r = build_request("POST", "https://h", "/v1/w/1/cancel", has_body=False)
    assert r.body is None and r.headers == ()


def test_auth_modes() -> None:
    assert ApiKeyAuth(SECRET).headers() == (("api-key", SECRET),)
    assert TokenAuth(SECRET).headers() == (("Authorization", SECRET),)
    assert TokenAuth(SECRET, bearer=True).headers() == (("Authorization", f"Bearer {SECRET}"),)
    assert CookieAuth().headers() == ()
    assert CookieAuth((("sid", SECRET), ("x", "1"))).headers() == (
        ("Cookie", f"sid={SECRET}; x=1"),
    )


def test_reprs_never_leak_secrets() -> None:
    r = build_request(
        "POST",
        "https://h",
        "/v1/x",
        query={"sig": SECRET},
        auth=ApiKeyAuth(SECRET),
        headers=[("Cookie", SECRET), ("Set-Cookie", SECRET)],
        json={"refreshToken": SECRET},
    )
    auth_r = build_request("GET", "https://h", "/v1/x", auth=TokenAuth(SECRET))
    texts = [
        repr(r),
        str(r),
        repr(auth_r),
        repr(ApiKeyAuth(SECRET)),
        str(ApiKeyAuth(SECRET)),
        repr(TokenAuth(SECRET)),
        repr(CookieAuth((("sid", SECRET),))),
        repr([r, ApiKeyAuth(SECRET)]),
    ]
    for text in texts:
        assert SECRET not in text, text
    assert "<redacted>" in repr(r) and "sid" in repr(CookieAuth((("sid", SECRET),)))
    assert "bytes" in repr(r)  # body size, not content


def test_request_is_frozen_plain_data() -> None:
    r = Request(method="GET", url="https://h/")
    with pytest.raises(AttributeError):
        r.method = "POST"  # type: ignore[misc]
    assert r.target == "/"
    assert msgspec.json.decode(msgspec.json.encode(r), type=Request) == r


# ---- parity with the JavaScript the SDKs run ---------------------------------------

_JS = r"""
const input = JSON.parse(require('fs').readFileSync(0, 'utf8'));
const out = {
  query: input.strings.map((s) => {
    const u = new URLSearchParams();
    u.append('k', s);
    return u.toString();
  }),
  component: input.strings.map((s) => encodeURIComponent(s)),
  numbers: input.numbers.map((n) => String(n)),
};
process.stdout.write(JSON.stringify(out));
"""


def test_parity_with_javascript_encoders() -> None:
    node = shutil.which("node")
    assert node is not None, "node is required for the encoder parity test"
    rng = random.Random(1234)
    alphabet = "aZ09 -_.*~!'()/?&=+#%é☃🎨\t\n"
    strings = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12))) for _ in range(300)]
    numbers = [0.85, 0.65, 0.51, 1.0, 7.5, 1e-7, 1.5e-7, 1e-6, 123456789.125, 2.0**53, 0.1 + 0.2]
    numbers += [1e21, 1.5e21, 1e20, -2.5e-9, 5e-324, 1.7976931348623157e308, -0.0, 100.0]
    numbers += [rng.uniform(-1, 1) * 10 ** rng.randint(-30, 30) for _ in range(200)]
    numbers += [rng.uniform(-1e6, 1e6) for _ in range(100)]
    proc = subprocess.run(
        [node, "-e", _JS],
        input=json.dumps({"strings": strings, "numbers": numbers}),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    js = json.loads(proc.stdout)
    assert [encode_query([("k", s)]) for s in strings] == js["query"]
    assert [format_path("/{k}", {"k": s})[1:] for s in strings] == js["component"]
    assert [js_string(n) for n in numbers] == js["numbers"]


@given(st.text(max_size=40), st.booleans())
def test_percent_fast_path_matches_the_byte_loop(value: str, plus: bool) -> None:
    """The all-safe shortcut of ``_percent`` answers exactly what encoding byte by byte does."""
    from sogni_core.protocol.rest import _request

    for safe in (_request._FORM_SAFE, _request._COMPONENT_SAFE):
        expected = "".join(
            chr(b) if b in safe else "+" if plus and b == 0x20 else f"%{b:02X}"
            for b in value.encode("utf-8")
        )
        assert _request._percent(value, safe, plus=plus) == expected
