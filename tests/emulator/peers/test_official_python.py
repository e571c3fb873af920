"""Proof of fidelity: the official Python SDK (sogni-client 5.70.0) against the emulator.

Each flow is a separate process of the peer venv (``.cache/peers/pysdk-venv``) running
``python/flows.py <flow>`` with the SDK's real public API, pointed at one emulator per module via
``rest_endpoint``/``socket_endpoint`` and an API key. A flow passes only with zero errors: no
exception, none left to the event loop, no SDK error log, every expectation true, every result
URL downloading a file of the right type.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from ._harness import (
    FAULT_FLOWS,
    PY_DIR,
    RunningEmulator,
    assert_flow_passed,
    decode_artifacts,
    emulator,
    ensure_python_peer,
    run_flow,
)

FLOWS = [
    "connect",
    "models",
    "presets",
    "estimate",
    "balance",
    "image-promise",
    "image-events",
    "cancel",
    "video",
    "audio",
    "chat",
    "chat-stream",
    "image-preset",
    "determinism",
    "previews",
    "concurrent",
    "project-get",
    "subscriptions",
    "img2img",
    "image-edit",
    "video-i2v",
    "chat-tools",
    "recover-new-client",
    "projects-elsewhere",
    "hosted-chat",
    "account",
    "catalog",
    "billing",
    "switch-network",
]
FLOW_TIMEOUT_S = 150


@pytest.fixture(scope="module")
def python_peer() -> Path:
    return ensure_python_peer()


@pytest.fixture(scope="module")
def emu() -> Iterator[RunningEmulator]:
    with emulator(seed=1) as running:
        yield running


@pytest.mark.parametrize("flow", FLOWS)
def test_python_sdk_flow(
    python_peer: Path, emu: RunningEmulator, flow: str, tmp_path: Path
) -> None:
    cmd = [str(python_peer), "flows.py", flow]
    outcome = run_flow(cmd, emu, cwd=PY_DIR, timeout=FLOW_TIMEOUT_S, artifact_dir=tmp_path)
    assert_flow_passed(outcome, emu, flow)
    assert decode_artifacts(outcome, tmp_path) == []


def test_python_harness_fails_against_a_dead_endpoint(python_peer: Path) -> None:
    """The zero-error gate is real: with nothing listening, the flow reports failure."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    dead = RunningEmulator(
        rest_url=f"http://127.0.0.1:{port}",
        socket_url=f"ws://127.0.0.1:{port}",
        api_key="not-a-real-key",
        process=None,  # type: ignore[arg-type]
        log=[],
    )
    cmd = [str(python_peer), "flows.py", "balance"]
    outcome = run_flow(cmd, dead, cwd=PY_DIR, timeout=60)
    assert outcome.summary["flow"] == "balance"
    assert outcome.summary["ok"] is False
    assert outcome.returncode == 1
    kinds = {error["kind"] for error in outcome.summary["errors"]}
    # A real transport failure, not a harness or usage mistake.
    assert kinds & {"exception", "unhandledRejection", "sdk-error-log"}, outcome.summary
    assert "not-a-real-key" not in str(outcome.summary), "the API key leaked into the summary"


@pytest.mark.parametrize("flow", sorted(FAULT_FLOWS))
def test_python_sdk_fault_flow(python_peer: Path, flow: str, tmp_path: Path) -> None:
    """Failure and recovery paths, each against an emulator started with one fault."""
    with emulator(seed=1, faults=FAULT_FLOWS[flow]) as emu:
        cmd = [str(python_peer), "flows.py", flow]
        outcome = run_flow(cmd, emu, cwd=PY_DIR, timeout=FLOW_TIMEOUT_S, artifact_dir=tmp_path)
        assert_flow_passed(outcome, emu, flow)
    assert decode_artifacts(outcome, tmp_path) == []
