"""Http1Exchange against h11 (differential).

Hypothesis builds valid responses (random version, status, reason, headers
with random OWS, optional 1xx responses first, Content-Length, chunked with
random chunk sizes, extensions and trailers, or read-until-close; GET or HEAD)
and splits the byte stream at random points. The same chunks go to an h11
client connection (driven as ``bench/_h11_exchange.py`` ``Exchange`` drives
it) and to :class:`Http1Exchange`; status, headers, body and the keep-alive
verdict (h11: ``our_state`` and ``their_state`` both ``DONE``) must agree.

Then corruptions of valid responses that break a rule both implement (status
line, header line, Content-Length, chunk framing, truncation before EOF, 101)
must be rejected by both. Where we are deliberately stricter or looser than
h11 0.16, ``DEVIATIONS`` lists the case and what each side does, and the test
checks exactly that (so a change on either side shows up).
"""

from __future__ import annotations

from typing import Any

import h11
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sogni_core.client import Http1Exchange, HttpProtocolError

Outcome = tuple[Any, ...]

SETTINGS = settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def run_h11(chunks: list[bytes], method: str = "GET", eof: bool = False) -> Outcome:
    """``("ok", status, headers, body, reusable)``, ``("incomplete",)`` or ``("error",)``."""
    conn = h11.Connection(h11.CLIENT)
    conn.send(h11.Request(method=method, target="/", headers=[("host", "example.test")]))
    conn.send(h11.EndOfMessage())
    status, headers, body = 0, [], bytearray()
    try:
        for chunk in [*chunks, b""] if eof else chunks:
            conn.receive_data(chunk)
            while True:
                event = conn.next_event()
                if event is h11.NEED_DATA:
                    break
                if isinstance(event, h11.Response):
                    status = event.status_code
                    headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in event.headers]
                elif isinstance(event, h11.Data):
                    body += event.data
                elif isinstance(event, h11.EndOfMessage):
                    reusable = conn.our_state is h11.DONE and conn.their_state is h11.DONE
                    return ("ok", status, headers, bytes(body), reusable)
                elif isinstance(event, h11.ConnectionClosed):
                    return ("error",)
    except h11.RemoteProtocolError:
        return ("error",)
    return ("incomplete",)


def run_ours(chunks: list[bytes], method: str = "GET", eof: bool = False) -> Outcome:
    ex = Http1Exchange()
    ex.start(method, "example.test", "/", [], None)
    done = False
    try:
        for chunk in [*chunks, b""] if eof else chunks:
            done = ex.receive(chunk)  # after the end: marks the connection unusable
    except HttpProtocolError:
        return ("error",)
    if not done:
        return ("incomplete",)
    status, headers, body = ex.result()
    return ("ok", status, headers, body, ex.finish())


def cut(data: bytes, points: list[int]) -> list[bytes]:
    """``data`` split at ``points`` (reduced modulo its length), no empty pieces."""
    marks = sorted({p % (len(data) + 1) for p in points} | {0, len(data)})
    return [data[a:b] for a, b in zip(marks, marks[1:], strict=False) if b > a]


# ------------------------------------------------------------- generators

_TCHARS = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
_RESERVED = {"content-length", "transfer-encoding", "connection", "content-encoding"}
_names = st.text(_TCHARS, min_size=1, max_size=12).filter(lambda n: n.lower() not in _RESERVED)
_vchar = st.sampled_from([chr(c) for c in range(0x21, 0x7F)] + ["\xe9", "\xff", "\x80"])
_values = st.lists(st.text(_vchar, min_size=1, max_size=6), max_size=4).map(" ".join)
_ows = st.sampled_from(["", " ", "  ", "\t", " \t"])
_reasons = st.one_of(
    st.none(), st.text(st.sampled_from([" ", "\t", "O", "K", "\xe9", "-"]), max_size=10)
)


@st.composite
def _header_lines(draw: st.DrawFn) -> tuple[list[tuple[str, str]], str]:
    """Random headers: ``(name, value)`` as sent, and their wire lines."""
    pairs = draw(st.lists(st.tuples(_names, _values), max_size=6))
    lines = "".join(f"{n}:{draw(_ows)}{v}{draw(_ows)}\r\n" for n, v in pairs)
    return pairs, lines


@st.composite
def valid_responses(draw: st.DrawFn) -> dict[str, Any]:
    """A valid response stream and how to feed it."""
    version = draw(st.sampled_from(["1.1", "1.1", "1.1", "1.0"]))
    status = draw(
        st.one_of(st.sampled_from([200, 201, 204, 301, 304, 404, 500]), st.integers(200, 599))
    )
    reason = draw(_reasons)
    pairs, lines = draw(_header_lines())
    framing = draw(st.sampled_from(["cl", "cl", "chunked", "chunked", "close"]))
    if version == "1.0" and framing == "chunked":
        framing = "cl"
    connection = draw(st.sampled_from([None, None, "close", "keep-alive", "Keep-Alive, foo"]))
    method = draw(st.sampled_from(["GET", "GET", "GET", "HEAD"]))
    body = draw(st.binary(max_size=300))
    stream = ""
    for info in draw(st.lists(st.sampled_from([100, 102, 103]), max_size=2)):
        stream += f"HTTP/1.1 {info} Info\r\n" + draw(_header_lines())[1] + "\r\n"
    stream += f"HTTP/{version} {status}" + ("" if reason is None else " " + reason) + "\r\n"
    stream += lines
    if connection is not None:
        stream += f"Connection: {connection}\r\n"
    tail = b""
    if framing == "cl":
        stream += f"Content-Length: {len(body)}\r\n"
        tail = body
    elif framing == "chunked":
        stream += "Transfer-Encoding: chunked\r\n"
        rest = body
        while rest:
            n = draw(st.integers(1, max(1, len(rest))))
            ext = draw(st.sampled_from(["", ";a", ";a=b", ';x="y z";q']))
            hexsize = draw(st.sampled_from(["{:x}", "{:X}", "0{:x}"])).format(n)
            tail += f"{hexsize}{ext}\r\n".encode() + rest[:n] + b"\r\n"
            rest = rest[n:]
        tail += b"0\r\n" + draw(_header_lines())[1].encode("latin-1") + b"\r\n"
    else:
        tail = body
    no_body = method == "HEAD" or status in (204, 304)
    data = (stream + "\r\n").encode("latin-1") + (b"" if no_body else tail)
    return {
        "data": data,
        "method": method,
        "eof": framing == "close" and not no_body,
        "points": draw(st.lists(st.integers(0, 10_000), max_size=4)),
        "keep_alive_10": version == "1.0"
        and connection is not None
        and "keep-alive" in connection.lower(),
        "headers": pairs,
        "body": b"" if no_body else body,
        "status": status,
    }


@SETTINGS
@given(case=valid_responses())
def test_valid_responses_agree_with_h11(case: dict[str, Any]) -> None:
    chunks = cut(case["data"], case["points"])
    theirs = run_h11(chunks, case["method"], case["eof"])
    ours = run_ours(chunks, case["method"], case["eof"])
    assert theirs[0] == "ok", theirs  # the generator makes valid responses only
    assert ours[:4] == theirs[:4]
    assert ours[1] == case["status"] and ours[3] == case["body"]
    assert [
        h for h in ours[2] if h[0] not in ("connection", "content-length", "transfer-encoding")
    ] == [(n.lower(), v) for n, v in case["headers"]]
    # Two keep-alive differences. A read-until-close body ends at EOF, and h11
    # reports DONE/DONE at that EndOfMessage (its ConnectionClosed comes next):
    # we never call a closed connection reusable. And h11 never reuses an
    # HTTP/1.0 connection; we do when the server said "Connection: keep-alive"
    # (RFC 9112 §9.3, appendix C.2.2).
    if case["eof"]:
        assert ours[4] is False
    elif case["keep_alive_10"] and ours[4]:
        assert theirs[4] is False
    else:
        assert ours[4] == theirs[4]


# ------------------------------------------------------------ corruptions


def _corrupt(data: bytes, kind: str, pos: int) -> tuple[bytes, bool]:
    """One rule-breaking edit of a valid response: ``(bytes, feed EOF after)``."""
    head_end = data.find(b"\r\n\r\n")
    first = data.find(b"\r\n")
    if kind == "version":
        return b"HTTX" + data[4:], False
    if kind == "status":
        return data[:9] + b"2x0" + data[12:], False
    if kind == "no-colon":
        return data[: first + 2] + b"NoColonHere\r\n" + data[first + 2 :], False
    if kind == "space-before-colon":
        return data[: first + 2] + b"X-Bad : 1\r\n" + data[first + 2 :], False
    if kind == "empty-name":
        return data[: first + 2] + b": 1\r\n" + data[first + 2 :], False
    if kind == "conflicting-cl":
        extra = b"Content-Length: 1\r\nContent-Length: 2\r\n"
        return data[: first + 2] + extra + data[first + 2 :], False
    if kind == "cl-not-digits":
        return data[: first + 2] + b"Content-Length: 1a\r\n" + data[first + 2 :], False
    if kind == "101":
        return b"HTTP/1.1 101 Switching\r\nUpgrade: x\r\n\r\n" + data, False
    if kind == "nul":
        return data[: first + 2] + b"X-Nul: a\x00b\r\n" + data[first + 2 :], False
    # truncated: cut inside the message, then EOF
    return data[: pos % max(head_end, 1)], True


_CORRUPTIONS = [
    "version",
    "status",
    "no-colon",
    "space-before-colon",
    "empty-name",
    "conflicting-cl",
    "cl-not-digits",
    "101",
    "nul",
    "truncated",
]


@SETTINGS
@given(case=valid_responses(), kind=st.sampled_from(_CORRUPTIONS), pos=st.integers(0, 10_000))
def test_invalid_responses_are_rejected_by_both(case: dict[str, Any], kind: str, pos: int) -> None:
    if case["method"] == "HEAD" and kind == "conflicting-cl":
        kind = "no-colon"  # h11 (and we) would still check them, but keep the cases simple
    data, eof = _corrupt(case["data"], kind, pos)
    chunks = cut(data, case["points"])
    assert run_h11(chunks, case["method"], eof) == ("error",), kind
    assert run_ours(chunks, case["method"], eof) == ("error",), kind


def test_chunked_corruptions_are_rejected_by_both() -> None:
    head = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
    for body in (b"g\r\nx\r\n0\r\n\r\n", b"1\r\nxy\r\n0\r\n\r\n", b"0\r\nBad Trailer: 1\r\n\r\n"):
        for chunks in ([head + body], [head, body], [bytes([b]) for b in head + body]):
            assert run_h11(chunks) == ("error",), body
            assert run_ours(chunks) == ("error",), body


# ------------------------------------------------------------- deviations

OK = "ok"
ERR = "error"

#: case -> (stream, method, eof, ours, h11); each side is "ok"/"error", or
#: (status, body, reusable) when both accept with a difference in reuse.
DEVIATIONS: dict[str, tuple[bytes, str, bool, Any, Any]] = {
    # Stricter: RFC 9112 §5.2 lets a client reject obs-fold; h11 unfolds it.
    "obs-fold": (
        b"HTTP/1.1 200 OK\r\nX: a\r\n b\r\nContent-Length: 0\r\n\r\n",
        "GET",
        False,
        ERR,
        OK,
    ),
    # Stricter: bare LF line ends (§2.2 "MAY recognize"); h11 accepts them.
    "bare-lf": (b"HTTP/1.1 200 OK\nContent-Length: 0\n\n", "GET", False, ERR, OK),
    # Stricter: only HTTP/1.0 and HTTP/1.1 (the brief); h11 takes any d.d.
    "http-1.2": (b"HTTP/1.2 200 OK\r\nContent-Length: 0\r\n\r\n", "GET", False, ERR, OK),
    # Stricter: control characters other than HT in the head (§5.5); h11 0.16 takes them.
    "ctl-in-value": (
        b"HTTP/1.1 200 OK\r\nX: a\x01b\r\nContent-Length: 0\r\n\r\n",
        "GET",
        False,
        ERR,
        OK,
    ),
    "del-in-reason": (b"HTTP/1.1 200 O\x7fK\r\nContent-Length: 0\r\n\r\n", "GET", False, ERR, OK),
    # Stricter: TE in an HTTP/1.0 message is faulty framing (§6.1); h11 reads it chunked.
    "te-in-1.0": (
        b"HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        "GET",
        False,
        ERR,
        OK,
    ),
    # Stricter on reuse: TE and CL together (§6.1: close after); h11 reuses.
    "te-and-cl": (
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 9\r\n\r\n"
        b"1\r\nx\r\n0\r\n\r\n",
        "GET",
        False,
        (200, b"x", False),
        (200, b"x", True),
    ),
    # Stricter on reuse: bytes after the response; h11 keeps them for the next cycle.
    "pipelined-bytes": (
        b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nxHTTP/1.1 200 OK\r\n",
        "GET",
        False,
        (200, b"x", False),
        (200, b"x", True),
    ),
    # Looser on reuse: HTTP/1.0 with "Connection: keep-alive" (§9.3); h11 never reuses 1.0.
    "keep-alive-1.0": (
        b"HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 1\r\n\r\nx",
        "GET",
        False,
        (200, b"x", True),
        (200, b"x", False),
    ),
    # Looser: BWS before a chunk extension (§7.1.1 allows it); h11 rejects.
    "chunk-ext-bws": (
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1 ;a=b\r\nx\r\n0\r\n\r\n",
        "GET",
        False,
        OK,
        ERR,
    ),
    # Looser: long zero-padded chunk sizes (the value is what is bounded); h11 allows 20 digits.
    "chunk-size-21-digits": (
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        + b"0" * 20
        + b"1\r\nx\r\n0\r\n\r\n",
        "GET",
        False,
        OK,
        ERR,
    ),
    # Looser: gzip/deflate transfer-codings (decoded); h11 supports only "chunked".
    "te-gzip-chunked": (
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"
        b"14\r\n\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff\x03\x00\x00\x00\x00\x00\x00\x00\x00\x00\r\n0\r\n\r\n",
        "GET",
        False,
        OK,
        ERR,
    ),
    # Two Transfer-Encoding fields are one list (RFC 9110 §5.3); h11 rejects any two.
    # "chunked" twice is still an error here (§7.1: chunked at most once)...
    "te-twice": (
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"0\r\n\r\n",
        "GET",
        False,
        ERR,
        ERR,
    ),
    # ...but "gzip" then "chunked" in two fields is looser than h11: accepted and decoded.
    "te-twice-gzip": (
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"14\r\n\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff\x03\x00\x00\x00\x00\x00\x00\x00\x00\x00\r\n0\r\n\r\n",
        "GET",
        False,
        OK,
        ERR,
    ),
}


def _verdict(outcome: Outcome) -> Any:
    if outcome[0] == "ok":
        return OK
    return outcome[0]


@pytest.mark.parametrize("name", sorted(DEVIATIONS))
def test_documented_deviations_from_h11(name: str) -> None:
    data, method, eof, ours_want, theirs_want = DEVIATIONS[name]
    for chunks in ([data], [bytes([b]) for b in data]):
        ours, theirs = run_ours(chunks, method, eof), run_h11(chunks, method, eof)
        for got, want in ((ours, ours_want), (theirs, theirs_want)):
            if isinstance(want, tuple):
                assert got[0] == "ok" and (got[1], got[3], got[4]) == want, (name, got)
            else:
                assert _verdict(got) == want, (name, got)
