"""Fuzz smoke pass (< 10 s): the atheris harness's invariant under a bounded Hypothesis run."""

from __future__ import annotations

import importlib.util
import time
import zlib
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

HARNESS = Path(__file__).resolve().parents[2] / "fuzz" / "wsframes_fuzz.py"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("wsframes_fuzz", HARNESS)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


fuzz = _load()


def _deflate(data: bytes) -> bytes:
    c = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)
    return (c.compress(data) + c.flush(zlib.Z_SYNC_FLUSH))[:-4]


# Frames with random header bits, biased toward the valid ones so the pass
# reaches deep paths (fragments, inflating, close codes, the size limit).
_payloads = st.one_of(
    st.binary(max_size=40),
    st.text(max_size=20).map(str.encode),
    st.binary(max_size=200).map(_deflate),
    st.sampled_from([b"\x00" * 5000, b"a" * 4097]).map(_deflate),  # inflate past the limit
    st.tuples(st.integers(0, 5100), st.text(max_size=10)).map(
        lambda c: c[0].to_bytes(2, "big") + c[1].encode()
    ),  # close payloads
    st.sampled_from([b"x" * 126, b"y" * 300, b"z" * 4097]),
)
_opcodes = st.one_of(st.sampled_from([0, 1, 2, 8, 9, 10]), st.integers(0, 15))


@st.composite
def _frame(draw: st.DrawFn) -> bytes:
    b0 = draw(_opcodes) | (0x80 if draw(st.integers(0, 3)) else 0)  # mostly FIN
    b0 |= draw(st.sampled_from([0, 0, 0x40, 0x40, 0x20, 0x10]))
    payload: bytes = draw(_payloads)
    n = len(payload)
    form = draw(st.sampled_from(["short", "short", "short", "16", "64", "masked", "lie"]))
    if form == "lie":  # declared length unrelated to what follows
        n = draw(st.sampled_from([0, 1, 125, 126, 4096, 4097, 65535, 1 << 40, 1 << 63]))
    if n < 126 and form in ("short", "lie"):
        head = bytes([b0, n])
    elif n < 65536 and form != "64":
        head = bytes([b0, 126]) + n.to_bytes(2, "big")
    else:
        head = bytes([b0, 127]) + n.to_bytes(8, "big")
    if form == "masked":
        head = bytes([head[0], head[1] | 0x80]) + head[2:] + b"\x00\x00\x00\x00"
    return head + payload


_inputs = st.one_of(
    st.binary(max_size=300),
    st.lists(_frame(), max_size=8).map(b"".join),
    st.tuples(st.sampled_from(fuzz.SEEDS), st.integers(0, 10_000), st.integers(0, 255)).map(
        lambda m: (
            m[0][: m[1] % (len(m[0]) + 1)] + bytes([m[2]]) + m[0][m[1] % (len(m[0]) + 1) + 1 :]
        )
    ),  # a seed with one byte replaced
)


@pytest.mark.parametrize("seed", fuzz.SEEDS)
def test_seeds(seed: bytes) -> None:
    fuzz.check(seed)


def test_seeds_reach_items_and_every_code() -> None:
    # The seeds exercise the paths they are there for (a seed that stops
    # doing so is a stale seed), with deflate on.
    results = [fuzz._run([seed], True) for seed in fuzz.SEEDS]
    assert {code for kind, code in results if kind == "closed"} == {1002, 1007, 1009}
    assert any(kind == "items" and "Hello" in items for kind, items in results)


@settings(
    max_examples=400,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=_inputs)
def test_invariant(data: bytes) -> None:
    fuzz.check(data)


def test_smoke_is_fast() -> None:
    start = time.monotonic()
    for seed in fuzz.SEEDS * 20:
        fuzz.check(seed)
    assert time.monotonic() - start < 10
