"""Http1Exchange streams: ``start(stream=True)``, ``head()`` and ``take_body()``.

Every framing is taken incrementally after each ``receive`` at every split
point, and must give exactly what ``result()`` gives for the same bytes; the
stream's own ``max_body`` rule (bounds what is held untaken, not the total) is
checked on both sides of each limit.
"""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Iterable

import pytest

from sogni_core.client import Http1Exchange, HttpProtocolError

Head = tuple[int, list[tuple[str, str]]]


def stream(method: str = "GET", max_body: int = 1 << 20) -> Http1Exchange:
    ex = Http1Exchange(max_body=max_body)
    ex.start(method, "example.test", "/", [], None, stream=True)
    return ex


def splits(data: bytes) -> Iterable[list[bytes]]:
    yield [data]
    for i in range(1, len(data)):
        yield [data[:i], data[i:]]
    yield [data[i : i + 1] for i in range(len(data))]


def take_all(
    chunks: list[bytes], *, eof: bool = False, method: str = "GET", max_body: int = 1 << 20
) -> tuple[Head, bytes, list[bytes], bool]:
    """Feed ``chunks``, taking after each: ``(head, body, takes, reusable)``."""
    ex = stream(method, max_body)
    takes: list[bytes] = []
    done = False
    for chunk in [*chunks, b""] if eof else chunks:
        done = ex.receive(chunk)
        takes.append(ex.take_body())
    assert done, "the response did not complete"
    head = ex.head()
    assert head is not None
    assert ex.take_body() == b""  # the end was taken already
    return head, b"".join(takes), takes, ex.finish()


def whole(data: bytes, *, eof: bool = False, method: str = "GET") -> tuple[Head, bytes, bool]:
    ex = Http1Exchange()
    ex.start(method, "example.test", "/", [], None)
    done = ex.receive(data)
    if eof:
        done = ex.receive(b"")
    assert done
    status, headers, body = ex.result()
    return (status, headers), body, ex.finish()


def same_as_whole(data: bytes, *, eof: bool = False, method: str = "GET") -> bytes:
    expected_head, expected_body, expected_keep = whole(data, eof=eof, method=method)
    for chunks in splits(data):
        head, body, _takes, keep = take_all(chunks, eof=eof, method=method)
        assert (head, body, keep) == (expected_head, expected_body, expected_keep), chunks
    return expected_body


CL = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 11\r\n\r\nhello world"
CHUNKED = (
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
    b"4;ext=1\r\nWiki\r\n5\r\npedia\r\n0\r\nExpires: never\r\n\r\n"
)
CLOSE = b"HTTP/1.1 200 OK\r\nServer: x\r\n\r\nuntil the peer closes"


def test_content_length_stream_every_split() -> None:
    assert same_as_whole(CL) == b"hello world"
    assert take_all([CL])[3] is True  # reusable, like the whole read


def test_chunked_stream_every_split() -> None:
    assert same_as_whole(CHUNKED) == b"Wikipedia"


def test_read_until_close_stream_every_split() -> None:
    assert same_as_whole(CLOSE, eof=True) == b"until the peer closes"
    assert take_all([CLOSE], eof=True)[3] is False


def test_no_body_responses_stream() -> None:
    assert same_as_whole(b"HTTP/1.1 204 No Content\r\n\r\n") == b""
    assert same_as_whole(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n", method="HEAD") == b""


def test_informational_head_is_skipped() -> None:
    data = b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok"
    ex = stream()
    ex.receive(data[:26])
    assert ex.head() is None
    ex.receive(data[26:])
    assert ex.head() == (201, [("content-length", "2")])
    assert same_as_whole(data) == b"ok"


def test_head_is_available_before_the_body() -> None:
    ex = stream()
    assert ex.head() is None
    assert ex.take_body() == b""
    ex.receive(CHUNKED[:20])
    assert ex.head() is None  # head not complete yet
    i = CHUNKED.index(b"\r\n\r\n") + 4
    assert ex.receive(CHUNKED[20:i]) is False
    assert ex.head() == (200, [("transfer-encoding", "chunked")])
    assert ex.take_body() == b""


def test_each_take_returns_only_the_new_bytes() -> None:
    ex = stream()
    i = CHUNKED.index(b"Wiki")
    ex.receive(CHUNKED[: i + 2])
    assert ex.take_body() == b"Wi"
    assert ex.take_body() == b""
    ex.receive(CHUNKED[i + 2 : i + 4])
    assert ex.take_body() == b"ki"
    assert ex.receive(CHUNKED[i + 4 :]) is True
    assert ex.take_body() == b"pedia"
    assert ex.take_body() == b""
    assert ex.finish() is True
    ex.start("GET", "example.test", "/next", [], None)  # the exchange is reusable


def _gzip_chunked(payload: bytes, pieces: int = 7) -> bytes:
    z = gzip.compress(payload, mtime=0)
    step = max(1, len(z) // pieces)
    out = b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n"
    for k in range(0, len(z), step):
        part = z[k : k + step]
        out += b"%x\r\n%s\r\n" % (len(part), part)
    return out + b"0\r\n\r\n"


def test_gzip_content_encoding_stream_decodes_incrementally() -> None:
    payload = b"".join(b'data: {"n": %d}\n\n' % n for n in range(300))
    data = _gzip_chunked(payload)
    assert same_as_whole(data) == payload
    # decoded as it arrives: early takes already carry plain text
    i = data.index(b"\r\n\r\n") + 4
    chunks = [data[:i]] + [data[k : k + 64] for k in range(i, len(data), 64)]
    _head, body, takes, _keep = take_all(chunks)
    assert body == payload
    assert sum(1 for t in takes if t) > 2


def test_gzip_transfer_coding_and_deflate_stream() -> None:
    z = gzip.compress(b"abc" * 100, mtime=0)
    data = (
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"
        + b"%x\r\n%s\r\n0\r\n\r\n" % (len(z), z)
    )
    assert same_as_whole(data) == b"abc" * 100
    d = zlib.compress(b"xyz" * 50)
    data = b"HTTP/1.1 200 OK\r\nContent-Encoding: deflate\r\nContent-Length: %d\r\n\r\n%s" % (
        len(d),
        d,
    )
    assert same_as_whole(data) == b"xyz" * 50


def test_empty_gzip_body_stays_empty() -> None:
    data = b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 0\r\n\r\n"
    assert same_as_whole(data) == b""


def test_truncated_gzip_stream_raises_at_the_end() -> None:
    z = gzip.compress(b"hello" * 40, mtime=0)[:-6]
    data = b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: %d\r\n\r\n%s" % (
        len(z),
        z,
    )
    ex = stream()
    assert ex.receive(data) is True
    with pytest.raises(HttpProtocolError, match="truncated"):
        ex.take_body()


def test_undecodable_gzip_stream_raises() -> None:
    data = b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 4\r\n\r\nnope"
    ex = stream()
    ex.receive(data)
    with pytest.raises(HttpProtocolError, match="does not decode"):
        ex.take_body()


def test_unsupported_content_encoding_is_passed_through() -> None:
    data = b"HTTP/1.1 200 OK\r\nContent-Encoding: br\r\nContent-Length: 3\r\n\r\nraw"
    assert same_as_whole(data) == b"raw"


# -- limits ---------------------------------------------------------------------------


def test_stream_may_run_past_max_body_in_total() -> None:
    body = b"x" * 1000
    for data in (
        b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n" + body,
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        + b"".join(b"64\r\n" + body[k : k + 100] + b"\r\n" for k in range(0, 1000, 100))
        + b"0\r\n\r\n",
        b"HTTP/1.1 200 OK\r\n\r\n" + body,
    ):
        eof = b"Content-Length" not in data and b"chunked" not in data
        i = data.index(b"\r\n\r\n") + 4
        chunks = [data[:i]] + [data[k : k + 50] for k in range(i, len(data), 50)]
        assert take_all(chunks, eof=eof, max_body=64)[1] == body
        # the whole-body read refuses the same response
        ex = Http1Exchange(max_body=64)
        ex.start("GET", "example.test", "/", [], None)
        with pytest.raises(HttpProtocolError, match="max_body"):
            for chunk in [*chunks, b""] if eof else chunks:
                ex.receive(chunk)


def test_untaken_stream_body_is_bounded() -> None:
    ex = stream(max_body=64)
    ex.receive(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n")
    ex.receive(b"x" * 64)  # held: exactly the limit
    ex.receive(b"x" * 10)  # held 64 <= limit when it arrived
    with pytest.raises(HttpProtocolError, match="untaken"):
        ex.receive(b"x")  # 74 untaken: refused
    with pytest.raises(RuntimeError, match="failed"):
        ex.take_body()
    assert ex.finish() is False


def test_untaken_read_until_close_body_is_bounded() -> None:
    ex = stream(max_body=64)
    ex.receive(b"HTTP/1.1 200 OK\r\n\r\n")
    ex.receive(b"x" * 60)
    with pytest.raises(HttpProtocolError, match="max_body"):
        ex.receive(b"x" * 5)


def test_one_take_decoding_past_max_body_raises() -> None:
    z = gzip.compress(b"\x00" * 20000, mtime=0)
    data = b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: %d\r\n\r\n%s" % (
        len(z),
        z,
    )
    ex = stream(max_body=4000)
    ex.receive(data)
    with pytest.raises(HttpProtocolError, match="exceeds max_body"):
        ex.take_body()
    # taken in small pieces, each decodes within the limit
    i = data.index(b"\r\n\r\n") + 4
    chunks = [data[:i]] + [data[k : k + 1] for k in range(i, len(data))]
    assert take_all(chunks, max_body=4000)[1] == b"\x00" * 20000


def test_take_body_needs_a_stream_cycle() -> None:
    ex = Http1Exchange()
    ex.start("GET", "example.test", "/", [], None)
    ex.receive(CL)
    with pytest.raises(RuntimeError, match="not a stream"):
        ex.take_body()
    assert ex.head() == (200, [("content-type", "text/plain"), ("content-length", "11")])
    assert ex.finish() is True
    assert ex.head() is None  # reset for the next cycle


def test_stream_closed_before_the_end_is_an_error_and_not_reusable() -> None:
    ex = stream()
    ex.receive(CL[:-3])
    assert ex.take_body() == b"hello wo"
    with pytest.raises(HttpProtocolError, match="closed before"):
        ex.receive(b"")
    assert ex.finish() is False


def test_unfinished_stream_is_not_reusable() -> None:
    ex = stream()
    ex.receive(CHUNKED[:60])
    ex.take_body()
    assert ex.finish() is False
    with pytest.raises(RuntimeError):
        ex.start("GET", "example.test", "/", [], None)
