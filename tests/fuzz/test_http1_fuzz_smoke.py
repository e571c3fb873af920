"""Fuzz smoke pass (< 10 s): the atheris harness's invariant under a bounded Hypothesis run."""

from __future__ import annotations

import gzip
import importlib.util
import time
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

HARNESS = Path(__file__).resolve().parents[2] / "fuzz" / "http1_fuzz.py"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("http1_fuzz", HARNESS)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


fuzz = _load()

# Responses assembled from plausible and broken parts, so the pass reaches deep
# paths (1xx, every framing, trailers, codings, the limits, keep-alive).
_status_lines = st.one_of(
    st.sampled_from(
        [
            b"HTTP/1.1 200 OK",
            b"HTTP/1.0 200 OK",
            b"HTTP/1.1 204 No",
            b"HTTP/1.1 304",
            b"HTTP/1.1 100 C",
        ]
    ),
    st.tuples(
        st.sampled_from([b"HTTP/1.1 ", b"HTTP/1.0 ", b"HTTP/1.2 ", b"HTTP/1.1  "]),
        st.integers(0, 1200),
    ).map(lambda t: t[0] + str(t[1]).encode() + b" R"),
)
_names = st.sampled_from(
    [
        b"Content-Length",
        b"Transfer-Encoding",
        b"Connection",
        b"Content-Encoding",
        b"X-A",
        b"x a",
        b"",
    ]
)
_values = st.one_of(
    st.sampled_from(
        [
            b"0",
            b"5",
            b"3, 3",
            b"3, 4",
            b"4097",
            b"chunked",
            b"gzip, chunked",
            b"gzip",
            b"close",
            b"keep-alive",
            b"deflate",
            b"a\x00b",
            b"a\x01b",
            b" x \t",
        ]
    ),
    st.binary(max_size=8),
)
_header = st.tuples(_names, st.sampled_from([b":", b": ", b" : ", b""]), _values).map(b"".join)


def _chunked(body: bytes) -> bytes:
    out = b""
    for k in range(0, len(body), 7):
        part = body[k : k + 7]
        out += f"{len(part):x};e=1\r\n".encode() + part + b"\r\n"
    return out + b"0\r\nT: v\r\n\r\n"


_bodies = st.one_of(
    st.binary(max_size=40),
    st.binary(max_size=60).map(_chunked),
    st.binary(max_size=40).map(gzip.compress),
    st.sampled_from([b"fffff\r\n", b"1000\r\n" + b"x" * 4096, b"0\r\n\r\n", b"\r\n", b"x" * 4097]),
)


@st.composite
def _response(draw: st.DrawFn) -> bytes:
    line = draw(_status_lines)
    headers = draw(st.lists(_header, max_size=5))
    sep = draw(st.sampled_from([b"\r\n", b"\r\n", b"\n", b"\r\n "]))
    return line + b"\r\n" + b"".join(h + sep for h in headers) + b"\r\n" + draw(_bodies)


_inputs = st.one_of(
    st.binary(max_size=300),
    st.lists(_response(), min_size=1, max_size=3).map(b"".join),
    st.tuples(st.sampled_from(fuzz.SEEDS), st.integers(0, 10_000), st.integers(0, 255)).map(
        lambda m: (
            m[0][: m[1] % (len(m[0]) + 1)] + bytes([m[2]]) + m[0][m[1] % (len(m[0]) + 1) + 1 :]
        )
    ),  # a seed with one byte replaced
)


@pytest.mark.parametrize("seed", fuzz.SEEDS)
def test_seeds(seed: bytes) -> None:
    fuzz.check(seed)


def test_seeds_reach_every_outcome() -> None:
    # The seeds exercise the paths they are there for (a seed that stops
    # doing so is a stale seed).
    kinds = {
        fuzz._run([seed], m, eof)[0]
        for seed in fuzz.SEEDS
        for m in ("GET", "HEAD")
        for eof in (False, True)
    }
    assert kinds == {"ok", "error", "incomplete", "undecodable"}
    reuse = {
        fuzz._run([seed], "GET", False)[-1]
        for seed in fuzz.SEEDS
        if fuzz._run([seed], "GET", False)[0] == "ok"
    }
    assert reuse == {True, False}


@settings(
    max_examples=300,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=_inputs)
def test_invariant(data: bytes) -> None:
    fuzz.check(data)


def test_smoke_is_fast() -> None:
    start = time.monotonic()
    for seed in fuzz.SEEDS * 10:
        fuzz.check(seed)
    assert time.monotonic() - start < 10
