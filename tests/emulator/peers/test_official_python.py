"""Proof of fidelity: the official Python SDK (sogni-client 5.70.0) against the emulator.

Each flow is a separate process of the peer venv (``.cache/peers/pysdk-venv``) running
``python/flows.py <flow>`` with the SDK's real public API, pointed at one emulator per module via
``rest_endpoint``/``socket_endpoint`` and an API key. A flow passes only with zero errors: no
exception, none left to the event loop, no SDK error log, every expectation true, every result
URL downloading a file of the right type.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ._harness import FAULT_FLOWS, RunningEmulator, emulator
from ._run import FLOWS, check_dead_endpoint_fails, check_flow


@pytest.fixture(scope="module")
def emu() -> Iterator[RunningEmulator]:
    with emulator(seed=1) as running:
        yield running


@pytest.mark.parametrize("flow", FLOWS)
def test_python_sdk_flow(emu: RunningEmulator, flow: str, tmp_path: Path) -> None:
    check_flow("python", "flows", flow, tmp_path, emu=emu)


def test_python_harness_fails_against_a_dead_endpoint() -> None:
    """The zero-error gate is real: with nothing listening, the flow reports failure."""
    check_dead_endpoint_fails("python")


@pytest.mark.parametrize("flow", sorted(FAULT_FLOWS))
def test_python_sdk_fault_flow(flow: str, tmp_path: Path) -> None:
    """Failure and recovery paths, each against an emulator started with one fault."""
    check_flow("python", "flows", flow, tmp_path, faults=FAULT_FLOWS[flow])
