"""Fuzz smoke pass (< 10 s): the frame harness's invariant under a bounded Hypothesis run.

Only decoded frames/events or RemoteProtocolError may come out of the receive path, the
same whole and fragmented (fuzz/frames_fuzz.py). Inputs: the seed vectors, garbage bytes
and text, and seeds mutated byte-wise.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

HARNESS = Path(__file__).resolve().parents[2] / "fuzz" / "frames_fuzz.py"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("frames_fuzz", HARNESS)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


fuzz = _load()
SEEDS: list[bytes] = fuzz.SEEDS


@st.composite
def _mutated(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(1, 6))):
        op = draw(st.sampled_from(["flip", "insert", "delete", "truncate"]))
        at = draw(st.integers(0, len(data)))
        if op == "flip" and at < len(data):
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif op == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=4))
        elif op == "delete" and at < len(data):
            del data[at]
        elif op == "truncate":
            del data[at:]
    return bytes(data)


_inputs = st.one_of(
    st.binary(max_size=300),
    st.text(max_size=200).map(lambda t: t.encode("utf-8", "surrogatepass")),
    _mutated(),
)


def test_seed_corpus_matches_vectors() -> None:
    corpus = {p.read_bytes() for p in fuzz.CORPUS.iterdir()}
    assert corpus == set(SEEDS)


@pytest.mark.parametrize("seed", SEEDS[::3])
def test_seeds(seed: bytes) -> None:
    fuzz.check(seed)


@settings(
    max_examples=300,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(_inputs)
def test_only_events_or_remote_protocol_error(data: bytes) -> None:
    fuzz.check(data)


def test_the_check_catches_a_broken_invariant(monkeypatch: pytest.MonkeyPatch) -> None:
    # A decoder that leaks another exception type must make check() fail.
    def leaky(data: object) -> object:
        raise KeyError("leak")

    monkeypatch.setattr(fuzz, "DECODERS", (leaky,))
    with pytest.raises(KeyError):
        fuzz.check(b"{}")
