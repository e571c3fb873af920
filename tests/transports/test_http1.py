"""Http1Exchange: every framing, keep-alive, limit and validation rule (RFC 9112).

Responses are fed whole, at every split point into two pieces, and one byte at
a time; the verdict (result or error) must be the same every time. The
differential pass against h11 is ``test_http1_h11.py``.
"""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Iterable

import pytest

from sogni_core.client import Http1Exchange, HttpProtocolError, TransportError, _http1

Result = tuple[int, list[tuple[str, str]], bytes]
SECRET = "sk-live-SECRET-9d8c7b6a"


def exchange(method: str = "GET", **kw: int) -> Http1Exchange:
    ex = Http1Exchange(**kw)
    ex.start(method, "example.test", "/", [], None)
    return ex


def feed(ex: Http1Exchange, chunks: Iterable[bytes], eof: bool = False) -> bool:
    done = False
    for chunk in chunks:
        done = ex.receive(chunk)
    if eof:
        done = ex.receive(b"")
    return done


def outcome(
    data: bytes, chunks: list[bytes], method: str = "GET", eof: bool = False, **kw: int
) -> tuple[str, object]:
    """``("ok", (result, reusable))``, ``("incomplete", None)`` or ``("error", None)``."""
    ex = exchange(method, **kw)
    try:
        done = feed(ex, chunks, eof)
    except HttpProtocolError:
        assert ex.finish() is False
        return ("error", None)
    if not done:
        return ("incomplete", None)
    return ("ok", (ex.result(), ex.finish()))


def splits(data: bytes) -> Iterable[list[bytes]]:
    """Whole, every two-piece split, and byte by byte (``b""`` would mean EOF)."""
    yield [data]
    for i in range(1, len(data)):
        yield [data[:i], data[i:]]
    yield [data[i : i + 1] for i in range(len(data))]


def every_split(
    data: bytes, method: str = "GET", eof: bool = False, **kw: int
) -> tuple[str, object]:
    """The one outcome of ``data`` however it is split (asserts they agree)."""
    outcomes = {repr(outcome(data, c, method, eof, **kw)) for c in splits(data)}
    assert len(outcomes) == 1, outcomes
    return outcome(data, [data], method, eof, **kw)


def ok(data: bytes, method: str = "GET", eof: bool = False, **kw: int) -> tuple[Result, bool]:
    kind, value = every_split(data, method, eof, **kw)
    assert kind == "ok", kind
    assert isinstance(value, tuple)
    return value


def rejects(data: bytes, method: str = "GET", eof: bool = False, **kw: int) -> None:
    assert every_split(data, method, eof, **kw)[0] == "error"


def error_message(data: bytes, eof: bool = False) -> str:
    ex = exchange()
    with pytest.raises(HttpProtocolError) as info:
        feed(ex, [data], eof)
    return str(info.value)


CL = b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 7\r\n\r\n{"a":1}'
CHUNKED = (
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
    b'4;name=value;flag\r\nWiki\r\n5 ; ext="q"\r\npedia\r\n'
    b"0;last\r\nExpires: never\r\nX-T: 1\r\n\r\n"
)


# ------------------------------------------------------------------- request


def test_request_bytes_add_host_and_content_length() -> None:
    ex = Http1Exchange()
    data = ex.start("POST", "api.test:8443", "/v1/x?a=1", [("Accept", "*/*")], b"{}")
    assert data == (
        b"POST /v1/x?a=1 HTTP/1.1\r\nHost: api.test:8443\r\nContent-Length: 2\r\n"
        b"Accept: */*\r\n\r\n{}"
    )


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH"])
def test_request_body_methods_without_body_send_zero_length(method: str) -> None:
    data = Http1Exchange().start(method, "h", "/", [], None)
    assert data == f"{method} / HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n".encode()


def test_request_get_without_body_has_no_length_and_keeps_callers_host() -> None:
    data = Http1Exchange().start("GET", "ignored", "/", [("HOST", "mine"), ("X", "")], None)
    assert data == b"GET / HTTP/1.1\r\nHOST: mine\r\nX: \r\n\r\n"


def test_request_callers_content_length_is_kept_and_checked() -> None:
    data = Http1Exchange().start("PUT", "h", "/", [("content-length", "3")], b"abc")
    assert data == b"PUT / HTTP/1.1\r\nHost: h\r\ncontent-length: 3\r\n\r\nabc"
    with pytest.raises(ValueError, match="content-length"):
        Http1Exchange().start("PUT", "h", "/", [("content-length", "4")], b"abc")


def test_request_body_is_appended_as_is() -> None:
    body = bytes(range(256))
    data = Http1Exchange().start("POST", "h", "/", [], body)
    assert data.endswith(b"\r\n\r\n" + body)


@pytest.mark.parametrize("method", ["", "G ET", "GET\r\n", "G\u00e9T", "GE(T"])
def test_request_method_must_be_a_token(method: str) -> None:
    with pytest.raises(ValueError, match="method"):
        Http1Exchange().start(method, "h", "/", [], None)


@pytest.mark.parametrize("target", ["", "/a b", "/a\tb", "/\r\n", "/\x00", "/\x7f", "/caf\u00e9"])
def test_request_target_is_checked(target: str) -> None:
    with pytest.raises(ValueError, match="target"):
        Http1Exchange().start("GET", "h", target, [], None)


@pytest.mark.parametrize("name", ["", "X Y", "X:Y", "X\r\nY", "Caf\u00e9", "x(", "x\x00"])
def test_request_header_name_must_be_a_token(name: str) -> None:
    with pytest.raises(ValueError, match="not a token"):
        Http1Exchange().start("GET", "h", "/", [(name, "v")], None)


@pytest.mark.parametrize("bad", ["\r", "\n", "\x00", "\r\nX-Injected: 1"])
def test_request_bad_value_names_the_header_not_the_value(bad: str) -> None:
    value = SECRET + bad + SECRET
    with pytest.raises(ValueError) as info:
        Http1Exchange().start("GET", "h", "/", [("Accept", "*/*"), ("Authorization", value)], None)
    message = str(info.value)
    assert "Authorization" in message
    assert "SECRET" not in message and "Injected" not in message


def test_request_non_latin1_value_names_the_header_not_the_value() -> None:
    with pytest.raises(ValueError) as info:
        Http1Exchange().start("GET", "h", "/", [("X-Key", SECRET + "\u2603")], None)
    assert "X-Key" in str(info.value) and "SECRET" not in str(info.value)


def test_request_bad_host_argument_is_checked() -> None:
    with pytest.raises(ValueError, match="Host"):
        Http1Exchange().start("GET", "h\r\nX: 1", "/", [], None)


def test_request_while_a_cycle_runs_or_after_close_is_refused() -> None:
    ex = exchange()
    with pytest.raises(RuntimeError):
        ex.start("GET", "h", "/", [], None)
    ex.receive(b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n")
    assert ex.finish() is False
    with pytest.raises(RuntimeError):
        ex.start("GET", "h", "/", [], None)


# ------------------------------------------------------------------ framing


def test_content_length_every_split() -> None:
    (status, headers, body), reusable = ok(CL)
    assert status == 200
    assert headers == [("content-type", "application/json"), ("content-length", "7")]
    assert body == b'{"a":1}' and reusable


def test_header_values_are_ows_stripped_latin1_and_names_lowercased() -> None:
    data = (
        b"HTTP/1.1 404 Not \xe9Found\r\nX-Mixed-Case:  \t a  b \t\r\nX-Empty:\r\n"
        b"X-Obs: \xe9\xff\r\nContent-Length: 0\r\n\r\n"
    )
    (status, headers, body), _ = ok(data)
    assert status == 404 and body == b""
    assert headers[:3] == [("x-mixed-case", "a  b"), ("x-empty", ""), ("x-obs", "\xe9\xff")]


def test_status_line_without_reason() -> None:
    (status, _, _), reusable = ok(b"HTTP/1.1 503\r\nContent-Length: 0\r\n\r\n")
    assert status == 503 and reusable


def test_chunked_with_extensions_and_trailers_every_split() -> None:
    (status, headers, body), reusable = ok(CHUNKED)
    assert (status, body, reusable) == (200, b"Wikipedia", True)
    assert headers == [("transfer-encoding", "chunked")]  # trailers are dropped


def test_chunked_upper_hex_and_no_trailers() -> None:
    data = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: Chunked\r\n\r\nA\r\n0123456789\r\n0\r\n\r\n"
    assert ok(data)[0][2] == b"0123456789"


def test_informational_responses_are_skipped_every_split() -> None:
    data = (
        b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n"
        b"HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok"
    )
    (status, headers, body), reusable = ok(data)
    assert (status, headers, body, reusable) == (201, [("content-length", "2")], b"ok", True)


def test_101_is_an_error() -> None:
    rejects(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n")


def test_head_response_has_no_body_every_split() -> None:
    data = b"HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n"
    (status, _, body), reusable = ok(data, "HEAD")
    assert (status, body, reusable) == (200, b"", True)
    # Without the HEAD request the same head waits for 5000 bytes.
    assert every_split(data)[0] == "incomplete"


def test_head_keyword_overrides_the_method() -> None:
    ex = Http1Exchange()
    ex.start("GET", "h", "/", [], None, head=True)
    assert ex.receive(b"HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n")
    ex = Http1Exchange()
    ex.start("HEAD", "h", "/", [], None, head=False)
    assert not ex.receive(b"HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n")


@pytest.mark.parametrize("status", [204, 304])
def test_204_and_304_have_no_body(status: int) -> None:
    # The framing headers describe the representation, not this message (RFC 9110 §8.6).
    data = f"HTTP/1.1 {status} X\r\nContent-Length: 10\r\nTransfer-Encoding: chunked\r\n\r\n"
    (got, _, body), reusable = ok(data.encode())
    assert (got, body, reusable) == (status, b"", True)


def test_read_until_close_every_split() -> None:
    data = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nall of it\r\n\r\nuntil EOF"
    assert every_split(data)[0] == "incomplete"
    (status, _, body), reusable = ok(data, eof=True)
    assert (status, body, reusable) == (200, b"all of it\r\n\r\nuntil EOF", False)


def test_transfer_encoding_not_ending_in_chunked_reads_until_close() -> None:
    payload = gzip.compress(b"zipped")
    data = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\nContent-Length: 3\r\n\r\n" + payload
    assert every_split(data)[0] == "incomplete"  # not framed by the content-length
    (_, _, body), reusable = ok(data, eof=True)
    assert body == b"zipped" and reusable is False


def test_transfer_coding_before_chunked_is_decoded() -> None:
    payload = gzip.compress(b"chunked and zipped")
    data = (
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"
        + f"{len(payload):x}\r\n".encode()
        + payload
        + b"\r\n0\r\n\r\n"
    )
    assert ok(data)[0][2] == b"chunked and zipped"


def test_te_and_cl_te_wins_and_not_reusable() -> None:
    data = (
        b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"2\r\nhi\r\n0\r\n\r\n"
    )
    (_, _, body), reusable = ok(data)
    assert body == b"hi" and reusable is False


@pytest.mark.parametrize(
    "lengths",
    [
        b"Content-Length: 3\r\nContent-Length: 3\r\n",
        b"Content-Length: 3, 3 ,3\r\n",
        b"Content-Length: 003\r\n",
    ],
)
def test_identical_content_lengths_are_one(lengths: bytes) -> None:
    assert ok(b"HTTP/1.1 200 OK\r\n" + lengths + b"\r\nabc")[0][2] == b"abc"


@pytest.mark.parametrize(
    "lengths",
    [
        b"Content-Length: 3\r\nContent-Length: 4\r\n",
        b"Content-Length: 3, 4\r\n",
        b"Content-Length: 3\r\nContent-Length: 03\r\n",
        b"Content-Length: -3\r\n",
        b"Content-Length: +3\r\n",
        b"Content-Length: 0x3\r\n",
        b"Content-Length: 3 3\r\n",
        b"Content-Length: \r\n",
        b"Content-Length: 3,\r\n",
        b"Content-Length: \xb3\r\n",  # latin-1 superscript three: isdigit() but not a digit
    ],
)
def test_bad_content_lengths_rejected(lengths: bytes) -> None:
    rejects(b"HTTP/1.1 200 OK\r\n" + lengths + b"\r\nabcd")


def test_zero_content_length_is_complete_at_once() -> None:
    assert ok(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")[0][2] == b""


# ----------------------------------------------------------- invalid heads


@pytest.mark.parametrize(
    "line",
    [
        b"HTTP/1.2 200 OK",
        b"HTTP/2.0 200 OK",
        b"HTTP/1.1 2000 OK",
        b"HTTP/1.1 20 OK",
        b"HTTP/1.1 099 Low",
        b"HTTP/1.1  200 OK",
        b"HTTP/1.1 200OK",
        b"http/1.1 200 OK",
        b"HTTP/1.1 2x0 OK",
        b"HTTP/1.1 \xb2\xb2\xb2 OK",
        b"HTTP/1.1",
        b"",
        b"ICY 200 OK",
    ],
)
def test_bad_status_lines_rejected(line: bytes) -> None:
    rejects(line + b"\r\nContent-Length: 0\r\n\r\n")


@pytest.mark.parametrize(
    ("header", "rule"),
    [
        (b"X-A: 1\r\n folded", "obs-fold"),
        (b"X-A: 1\r\n\tfolded", "obs-fold"),
        (b"No colon here", "without a colon"),
        (b"X-A : 1", "whitespace between"),
        (b"X-A\t: 1", "whitespace between"),
        (b": empty", "empty name"),
        (b"X(A): 1", "not a token"),
        (b"X-A: a\x00b", "NUL"),
        (b"X-A: a\x01b", "control character"),
        (b"X-A: a\x7fb", "control character"),
        (b"X-A: a\rb", "bare CR or LF"),
        (b"X-A: a\nb", "bare CR or LF"),
    ],
)
def test_bad_header_lines_rejected_naming_the_rule(header: bytes, rule: str) -> None:
    data = b"HTTP/1.1 200 OK\r\n" + header + b"\r\nContent-Length: 0\r\n\r\n"
    rejects(data)
    assert rule in error_message(data)


def test_bare_lf_head_is_rejected_without_waiting() -> None:
    data = b"HTTP/1.1 200 OK\nContent-Length: 0\n\n"
    rejects(data)
    assert "bare LF" in error_message(data)


def test_error_messages_never_echo_header_values() -> None:
    for bad in (b"\x00", b"\x01", b"\r", b"\n x"):
        data = b"HTTP/1.1 200 OK\r\nAuthorization: " + SECRET.encode() + bad + b"\r\n\r\n"
        assert "SECRET" not in error_message(data)
    data = b"HTTP/1.1 200 OK\r\nContent-Length: " + SECRET.encode() + b"\r\n\r\n"
    assert "SECRET" not in error_message(data)


@pytest.mark.parametrize(
    "body",
    [
        b"x\r\nabc\r\n0\r\n\r\n",  # not hex
        b"0x3\r\nabc\r\n0\r\n\r\n",
        b"+3\r\nabc\r\n0\r\n\r\n",
        b"1_0\r\n0123456789abcdef\r\n0\r\n\r\n",
        b"\r\nabc\r\n0\r\n\r\n",  # empty size
        b"3\r\nabcd\r\n0\r\n\r\n",  # data not followed by CRLF
        b"3\r\nabc\n0\r\n\r\n",
        b"3;\x00\r\nabc\r\n0\r\n\r\n",
        b"3\nabc\r\n0\r\n\r\n",  # bare LF ends the size line: swallowed, then not hex
        b"0\r\nBad Trailer: x\r\n\r\n",
        b"0\r\n folded: x\r\n\r\n",
    ],
)
def test_bad_chunked_bodies_rejected(body: bytes) -> None:
    rejects(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + body)


@pytest.mark.parametrize(
    "te",
    [
        b"Transfer-Encoding: chunked, chunked",
        b"Transfer-Encoding: br, chunked",
        b"Transfer-Encoding: br",
        b"Transfer-Encoding: ",
    ],
)
def test_unsupported_transfer_codings_rejected(te: bytes) -> None:
    rejects(b"HTTP/1.1 200 OK\r\n" + te + b"\r\n\r\n0\r\n\r\n", eof=True)


def test_transfer_encoding_in_http10_rejected() -> None:
    rejects(b"HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")


# --------------------------------------------------------------------- EOF


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nabcd",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nabcde\r\n",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX: 1\r\n",
        b"HTTP/1.1 100 Continue\r\n\r\n",
    ],
)
def test_eof_before_the_end_is_an_error(data: bytes) -> None:
    rejects(data, eof=True)
    assert "closed before" in error_message(data, eof=True)


def test_eof_after_a_complete_response_is_harmless_but_not_reusable() -> None:
    ex = exchange()
    assert ex.receive(CL)
    assert ex.receive(b"")
    assert ex.result()[2] == b'{"a":1}'
    # The peer closed: h11 would still say DONE/DONE; a closed socket is the pool's concern.
    assert ex.finish() is True


def test_receive_without_a_request_and_after_an_error() -> None:
    ex = Http1Exchange()
    with pytest.raises(HttpProtocolError, match="no request"):
        ex.receive(b"HTTP/1.1 200 OK\r\n\r\n")
    ex = exchange()
    with pytest.raises(HttpProtocolError):
        ex.receive(b"garbage\r\n\r\n")
    with pytest.raises(HttpProtocolError, match="failed"):
        ex.receive(CL)
    assert ex.finish() is False


def test_error_is_a_transport_error() -> None:
    assert issubclass(HttpProtocolError, TransportError)


# -------------------------------------------------------------- keep-alive


@pytest.mark.parametrize(
    ("version", "connection", "reusable"),
    [
        (b"1.1", None, True),
        (b"1.1", b"close", False),
        (b"1.1", b"Keep-Alive, CLOSE", False),
        (b"1.1", b"keep-alive", True),
        (b"1.1", b"upgrade", True),
        (b"1.0", None, False),
        (b"1.0", b"keep-alive", True),
        (b"1.0", b"Keep-Alive", True),
        (b"1.0", b"keep-alive, close", False),
        (b"1.0", b"upgrade", False),
    ],
)
def test_keep_alive_decision(version: bytes, connection: bytes | None, reusable: bool) -> None:
    head = b"HTTP/" + version + b" 200 OK\r\nContent-Length: 1\r\n"
    if connection is not None:
        head += b"Connection: " + connection + b"\r\n"
    assert ok(head + b"\r\nx")[1] is reusable


def test_request_connection_close_is_not_reusable() -> None:
    ex = Http1Exchange()
    ex.start("GET", "h", "/", [("Connection", "close")], None)
    assert ex.receive(CL)
    assert ex.finish() is False


def test_bytes_after_the_response_make_it_not_reusable() -> None:
    (_, _, body), reusable = ok(CL + b"HTTP/1.1 200 OK\r\n")
    assert body == b'{"a":1}' and reusable is False
    ex = exchange()
    assert ex.receive(CL)
    assert ex.receive(b"x")  # late garbage, before finish
    assert ex.result()[2] == b'{"a":1}'
    assert ex.finish() is False


def test_unfinished_response_is_not_reusable() -> None:
    ex = exchange()
    assert not ex.receive(CL[:-1])
    assert ex.finish() is False


def test_cycles_reuse_the_exchange_and_set_used() -> None:
    ex = Http1Exchange()
    assert ex.used is False
    for i in range(3):
        ex.start("GET", "h", f"/{i}", [], None)
        body = str(i).encode()
        assert ex.receive(b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n" + body)
        assert ex.result()[2] == body
        assert ex.finish() is True
        assert ex.used is True
    with pytest.raises(RuntimeError):
        ex.result()


def test_result_before_the_end_raises() -> None:
    ex = exchange()
    ex.receive(CL[:20])
    with pytest.raises(RuntimeError):
        ex.result()


# ------------------------------------------------------------------ limits


@pytest.fixture()
def small_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_http1, "MAX_HEAD", 64)
    monkeypatch.setattr(_http1, "MAX_CHUNK_LINE", 12)


def _head_of(size: int) -> bytes:
    """A response head of exactly ``size`` bytes (blank line included)."""
    base = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nX: \r\n\r\n"
    return base[:-4] + b"a" * (size - len(base)) + b"\r\n\r\n"


@pytest.mark.usefixtures("small_limits")
def test_head_limit_independent_of_chunking() -> None:
    assert len(_head_of(64)) == 64
    assert ok(_head_of(64))[0][0] == 200
    rejects(_head_of(65))
    rejects(_head_of(66))
    rejects(b"HTTP/1.1 200 OK\r\nX: " + b"a" * 60)  # no end in sight
    # 64 bytes with no blank line yet: any end would make it 65 or more.
    rejects(b"HTTP/1.1 200 OK\r\nX: " + b"a" * 44)
    assert every_split(b"HTTP/1.1 200 OK\r\nX: " + b"a" * 43)[0] == "incomplete"
    assert every_split(_head_of(64)[:-1])[0] == "incomplete"  # 63 bytes, ends in CRLF CR
    # 1xx heads each get the limit, so their sum may exceed it.
    assert ok(b"HTTP/1.1 100 Continue\r\n" + b"X: " + b"a" * 30 + b"\r\n\r\n" + _head_of(64))[1]


@pytest.mark.usefixtures("small_limits")
def test_trailer_limit_independent_of_chunking() -> None:
    start = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n"
    trailer = b"X: " + b"a" * 57 + b"\r\n\r\n"  # exactly 64
    assert ok(start + trailer)[0][2] == b""
    rejects(start + b"X: " + b"a" * 58 + b"\r\n\r\n")
    rejects(start + b"X: " + b"a" * 61)  # 64 bytes, no end yet
    assert every_split(start + b"X: " + b"a" * 60)[0] == "incomplete"


@pytest.mark.usefixtures("small_limits")
def test_chunk_line_limit_independent_of_chunking() -> None:
    start = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
    assert ok(start + b"1;abcdefgh\r\nx\r\n0\r\n\r\n")[0][2] == b"x"  # 12-byte line
    rejects(start + b"1;abcdefghi\r\nx\r\n0\r\n\r\n")
    rejects(start + b"000000000001\r\nx\r\n0\r\n\r\n")
    rejects(start + b"1;abcdefghij")  # 12 bytes, no CRLF yet
    assert every_split(start + b"1;abcdefghi")[0] == "incomplete"


def test_body_limit_content_length() -> None:
    assert (
        ok(b"HTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\n12345678", max_body=8)[0][2] == b"12345678"
    )
    rejects(b"HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n", max_body=8)
    rejects(b"HTTP/1.1 200 OK\r\nContent-Length: " + b"9" * 5000 + b"\r\n\r\n")


def test_body_limit_chunked_sums_the_chunks() -> None:
    start = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
    assert ok(start + b"4\r\n1234\r\n4\r\n5678\r\n0\r\n\r\n", max_body=8)[0][2] == b"12345678"
    rejects(start + b"4\r\n1234\r\n5\r\n", max_body=8)
    rejects(start + b"ffffffffffffffffffffffff\r\n")


def test_body_limit_read_until_close() -> None:
    start = b"HTTP/1.1 200 OK\r\n\r\n"
    assert ok(start + b"12345678", eof=True, max_body=8)[0][2] == b"12345678"
    rejects(start + b"123456789", max_body=8)


# ------------------------------------------------------------ content-coding


def _coded(body: bytes, coding: str) -> bytes:
    head = f"HTTP/1.1 200 OK\r\nContent-Encoding: {coding}\r\nContent-Length: {len(body)}\r\n\r\n"
    return head.encode() + body


def test_gzip_and_deflate_bodies_are_decoded() -> None:
    text = b'{"ok": true}' * 20
    assert ok(_coded(gzip.compress(text), "gzip"))[0][2] == text
    assert ok(_coded(zlib.compress(text), "Deflate"))[0][2] == text
    assert ok(_coded(gzip.compress(text), "identity, gzip"))[0][2] == text


def test_empty_coded_body_stays_empty() -> None:
    assert ok(_coded(b"", "gzip"))[0][2] == b""
    data = b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 20\r\n\r\n"
    assert ok(data, "HEAD")[0][2] == b""


def test_unknown_content_coding_is_left_alone() -> None:
    assert ok(_coded(b"\x0bbrotli?", "br"))[0][2] == b"\x0bbrotli?"


def test_broken_or_oversized_compressed_body_raises() -> None:
    for body in (b"not gzip", gzip.compress(b"x" * 100)[:-12]):
        ex = exchange()
        assert ex.receive(_coded(body, "gzip"))
        with pytest.raises(HttpProtocolError):
            ex.result()
    ex = exchange(max_body=1000)
    assert ex.receive(_coded(gzip.compress(b"\x00" * 5000), "gzip"))
    with pytest.raises(HttpProtocolError, match="max_body"):
        ex.result()
    ex = exchange(max_body=1000)
    assert ex.receive(_coded(gzip.compress(b"\x00" * 1000), "gzip"))
    assert ex.result()[2] == b"\x00" * 1000


# The environment may forbid writing .pyc files, so the cost is timed as an
# import from a .pyc costs: unmarshal the compiled module, then execute it.
_IMPORT_PROBE = """
import importlib, marshal, sys, time
import sogni_core.client
mod = sys.modules["sogni_core.client._http1"]
code = marshal.dumps(compile(open(mod.__file__).read(), mod.__file__, "exec"))
best = 1.0
for _ in range(5):
    del sys.modules["sogni_core.client._http1"]
    before = set(sys.modules)
    importlib.import_module("sogni_core.client._http1")
    print(sorted(set(sys.modules) - before))
    ns = {"__name__": "sogni_core.client._http1", "__package__": "sogni_core.client"}
    t = time.perf_counter()
    exec(marshal.loads(code), ns)
    best = min(best, time.perf_counter() - t)
print(best)
"""


def test_import_loads_nothing_new_and_is_fast() -> None:
    import subprocess
    import sys

    out = subprocess.run(
        [sys.executable, "-c", _IMPORT_PROBE], capture_output=True, text=True, check=True
    ).stdout.split("\n")
    assert out[:5] == ["['sogni_core.client._http1']"] * 5  # no re, zlib, dataclasses, enum...
    assert float(out[5]) < 1e-3
