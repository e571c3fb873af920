"""Fuzz the HTTP/1.1 client codec (STYLE Q8): random bytes give a response or HttpProtocolError.

The invariant, checked for every input as the response to a GET and to a HEAD
request, with and without an EOF after it:

* feeding the bytes whole, in two chunks and in three chunks (split points
  derived from the input), and one byte at a time for short inputs, gives the
  same outcome every time: the same complete result and keep-alive verdict,
  "incomplete", or :class:`HttpProtocolError`; nothing else may escape (any
  other exception is a codec bug), and the work per input is bounded (every
  call returns; nothing here can loop without consuming input);
* a complete result satisfies the framing it was read with: status 200-999;
  header names are lowercased tokens and values carry no CR, LF or NUL and no
  outer whitespace; a HEAD, 204 or 304 response has an empty body; when
  Content-Length framed the body, its length is that value and the bytes come
  from the input; no body is over ``MAX_BODY``;
* a connection reported reusable had no ``Connection: close``, was not read
  until EOF, and accepts the next ``start()``; after an error the exchange
  refuses more input (HttpProtocolError again) and is not reusable;
* taking the body as a stream (``start(stream=True)``, ``take_body()`` after
  every ``receive``, split any of the ways above) yields the same status,
  headers, body bytes and keep-alive verdict as ``result()`` whenever the
  whole-body read completed and decoded; ``head()`` is ``None`` until the head
  is parsed and then the result's status and headers.

Run with atheris (``pip install atheris``, or ``pip install --target .cache/atheris
atheris`` and ``PYTHONPATH=.cache/atheris``)::

    mkdir -p /tmp/http1-corpus
    python fuzz/http1_fuzz.py /tmp/http1-corpus -max_total_time=60

The seed inputs below are hand-built responses (RFC 9112 §4-§7): Content-Length,
chunked with extensions and trailers, 1xx before the response, 204/304,
read-until-close, gzip, and a few broken ones; atheris starts from them when
given an empty corpus directory. ``tests/fuzz/test_http1_fuzz_smoke.py`` runs the
same check as a bounded Hypothesis pass in CI.
"""

from __future__ import annotations

import gzip
import importlib
import sys
import zlib
from pathlib import Path
from typing import Any

from sogni_core.client._errors import HttpProtocolError
from sogni_core.client._http1 import Http1Exchange

# Small limit so the fuzzer reaches the body-size paths (declared, summed, decoded) quickly.
MAX_BODY = 4096

_TCHAR = frozenset("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyz")

SEEDS: tuple[bytes, ...] = (
    b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 7\r\n\r\n{"a":1}',
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
    b"4;name=value\r\nWiki\r\n5 ; q\r\npedia\r\n0\r\nExpires: never\r\n\r\n",
    b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early\r\nLink: </a>\r\n\r\n"
    b"HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok",
    b"HTTP/1.1 204 No Content\r\nContent-Length: 10\r\n\r\n",
    b'HTTP/1.1 304 Not Modified\r\nETag: "x"\r\n\r\n',
    b"HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 3\r\n\r\nabc",
    b"HTTP/1.1 200 OK\r\nServer: x\r\n\r\nread until close",
    b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 23\r\n\r\n"
    + gzip.compress(b"", mtime=0),
    b"HTTP/1.1 200 OK\r\nContent-Encoding: deflate\r\nContent-Length: 17\r\n\r\n"
    + zlib.compress(b"\x00" * 5000)[:17],
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\nContent-Length: 1\r\n\r\n0\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nxx",
    b"HTTP/1.1 200 OK\r\nX: a\r\n folded\r\nContent-Length: 0\r\n\r\n",
    b"HTTP/1.1 101 Switching Protocols\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nfffff\r\nx",
    b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhiHTTP/1.1 200 OK\r\n\r\n",
)


def _run(chunks: list[bytes], method: str, eof: bool) -> tuple[Any, ...]:
    """Feed ``chunks`` (then EOF).

    Returns ``("ok", result, reusable)``, ``("undecodable", reusable)`` (the
    content-coding did not decode), ``("incomplete",)`` or ``("error",)``.
    """
    ex = Http1Exchange(max_body=MAX_BODY)
    ex.start(method, "fuzz.test", "/", [], None)
    done = False
    try:
        for chunk in [*chunks, b""] if eof else chunks:
            done = ex.receive(chunk)
    except HttpProtocolError:
        try:
            ex.receive(b"x")
        except HttpProtocolError:
            pass
        else:
            raise AssertionError("the exchange accepted input after an error") from None
        assert ex.finish() is False
        return ("error",)
    if not done:
        assert ex.finish() is False
        return ("incomplete",)
    try:
        result: Any = ex.result()
    except HttpProtocolError as exc:
        assert "decode" in str(exc) or "max_body" in str(exc) or "truncated" in str(exc), exc
        result = None
    reusable = ex.finish()
    assert type(reusable) is bool
    if reusable:
        ex.start("GET", "fuzz.test", "/next", [], None)  # ready for the next cycle
    return ("ok", result, reusable) if result is not None else ("undecodable", reusable)


def _run_stream(chunks: list[bytes], method: str, eof: bool) -> tuple[Any, ...]:
    """Feed ``chunks`` (then EOF) to a stream, taking the body after every receive.

    Returns ``("ok", (status, headers, body), reusable)`` or ``("failed",)``.
    """
    ex = Http1Exchange(max_body=MAX_BODY)
    ex.start(method, "fuzz.test", "/", [], None, stream=True)
    body = bytearray()
    done = False
    try:
        for chunk in [*chunks, b""] if eof else chunks:
            done = ex.receive(chunk)
            head = ex.head()
            body += ex.take_body()
            if head is None:
                assert not body and not done
        if not done:
            return ("failed",)
        body += ex.take_body()  # a no-op after the final take above
    except HttpProtocolError:
        return ("failed",)
    head = ex.head()
    assert head is not None
    return ("ok", (head[0], head[1], bytes(body)), ex.finish())


def _framed(method: str, status: int, names: dict[str, str]) -> bool:
    """Whether the message's end was known without an EOF (RFC 9112 §6.3)."""
    if method == "HEAD" or status in (204, 304):
        return True
    te = names.get("transfer-encoding")
    if te is not None:
        return te.rsplit(",", 1)[-1].strip(" \t").lower() == "chunked"
    return "content-length" in names


def _check_result(data: bytes, method: str, result: Any, reusable: bool) -> None:
    """The framing invariants of one complete result."""
    status, headers, body = result
    assert type(status) is int and 200 <= status <= 999, status
    assert type(body) is bytes and len(body) <= MAX_BODY
    names: dict[str, str] = {}
    for name, value in headers:
        assert type(name) is str and type(value) is str
        assert name and set(name) <= _TCHAR, name
        assert not {"\r", "\n", "\x00"} & set(value), value
        assert value == value.strip(" \t")
        names.setdefault(name, value)
    if method == "HEAD" or status in (204, 304):
        assert body == b""
    elif "content-length" in names and "transfer-encoding" not in names:
        length = int(names["content-length"].split(",")[0])
        if "content-encoding" not in names:
            assert len(body) == length and body in data
    if reusable:
        tokens = {
            t.strip(" \t").lower() for n, v in headers if n == "connection" for t in v.split(",")
        }
        assert "close" not in tokens
        assert _framed(method, status, names)


def _splits(data: bytes) -> tuple[int, int]:
    """Two split points derived from the input (any point is reachable)."""
    h = zlib.crc32(data)
    n = len(data) + 1
    return h % n, (h >> 16) % n


def check(data: bytes) -> None:
    """Assert the fuzz invariant for one input (raises AssertionError on a bug)."""
    i, j = sorted(_splits(data))
    pieces = [
        [data],
        [p for p in (data[:i], data[i:]) if p],
        [p for p in (data[:i], data[i:j], data[j:]) if p],
    ]
    if len(data) <= 256:
        pieces.append([data[k : k + 1] for k in range(len(data))])
    for method in ("GET", "HEAD"):
        for eof in (False, True):
            outcomes = [_run([p for p in chunks if p], method, eof) for chunks in pieces]
            assert all(o == outcomes[0] for o in outcomes), (method, eof, i, j, outcomes)
            if outcomes[0][0] == "ok":
                _check_result(data, method, outcomes[0][1], outcomes[0][2])
                for chunks in pieces:
                    streamed = _run_stream([p for p in chunks if p], method, eof)
                    assert streamed == outcomes[0], (method, eof, i, j, streamed, outcomes[0])


def test_one_input(data: bytes) -> None:
    """atheris entry point."""
    check(data)


def _seed_corpus(argv: list[str]) -> None:
    """Write SEEDS into the corpus directory (first non-flag argument) if it is empty."""
    dirs = [Path(a) for a in argv[1:] if not a.startswith("-")]
    if dirs and dirs[0].is_dir() and not any(dirs[0].iterdir()):
        for i, seed in enumerate(SEEDS):
            (dirs[0] / f"seed-{i}").write_bytes(seed)


def main(argv: list[str]) -> None:
    """Run the atheris fuzzer (imported lazily: it is an optional tool)."""
    atheris: Any = importlib.import_module("atheris")
    # The codec is already imported; instrument everything loaded so far.
    atheris.instrument_all()
    _seed_corpus(argv)
    atheris.Setup(argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main(sys.argv)
