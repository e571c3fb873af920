"""Fuzz smoke pass (< 10 s): the atheris harness's invariant under a bounded Hypothesis run."""

from __future__ import annotations

import importlib.util
import time
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

HARNESS = Path(__file__).resolve().parents[2] / "fuzz" / "sse_fuzz.py"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("sse_fuzz", HARNESS)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


fuzz = _load()

# Bytes biased toward SSE syntax so the pass reaches deep paths, plus raw noise.
_tokens = st.sampled_from(
    [
        b"data",
        b"event",
        b"id",
        b"retry",
        b":",
        b" ",
        b"\n",
        b"\r",
        b"\r\n",
        b"\x00",
        b"\xef\xbb\xbf",
        b"\xe2\x98\x83",
        b"\xff",
        b"\xc3",
        b"7",
        b"{}",
        b"x" * 300,
    ]
)
_inputs = st.one_of(
    st.binary(max_size=400),
    st.lists(_tokens, max_size=60).map(b"".join),
)


@pytest.mark.parametrize("seed", fuzz.SEEDS)
def test_seeds(seed: bytes) -> None:
    fuzz.check(seed)


@settings(
    max_examples=400,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(data=_inputs)
def test_invariant(data: bytes) -> None:
    fuzz.check(data)


def test_smoke_is_fast() -> None:
    start = time.monotonic()
    for seed in fuzz.SEEDS * 20:
        fuzz.check(seed)
    assert time.monotonic() - start < 10
