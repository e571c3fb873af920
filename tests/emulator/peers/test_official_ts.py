"""Proof of fidelity: the official TS SDK (@sogni-ai/sogni-client 5.54.0) against the emulator.

Each flow is a separate node process running ``node/flows.mjs <flow>`` with the SDK's real
public API, pointed at one emulator per module via ``restEndpoint``/``socketEndpoint`` and an
API key. A flow passes only with zero errors: no exception, no unhandled rejection, no SDK
error log, every expectation true, every result URL downloading a file of the right type.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from ._harness import (
    FAULT_FLOWS,
    RunningEmulator,
    assert_flow_passed,
    decode_artifacts,
    emulator,
    ensure_node_peer,
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
def node_peer() -> Path:
    return ensure_node_peer()


@pytest.fixture(scope="module")
def emu() -> Iterator[RunningEmulator]:
    with emulator(seed=1) as running:
        yield running


@pytest.mark.parametrize("flow", FLOWS)
def test_ts_sdk_flow(node_peer: Path, emu: RunningEmulator, flow: str, tmp_path: Path) -> None:
    cmd = ["node", "flows.mjs", flow]
    outcome = run_flow(cmd, emu, cwd=node_peer, timeout=FLOW_TIMEOUT_S, artifact_dir=tmp_path)
    assert_flow_passed(outcome, emu, flow)
    assert decode_artifacts(outcome, tmp_path) == []


def test_ts_harness_fails_against_a_dead_endpoint(node_peer: Path) -> None:
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
    outcome = run_flow(["node", "flows.mjs", "balance"], dead, cwd=node_peer, timeout=60)
    assert outcome.summary["flow"] == "balance"
    assert outcome.summary["ok"] is False
    assert outcome.returncode == 1
    kinds = {error["kind"] for error in outcome.summary["errors"]}
    # A real transport failure, not a harness or usage mistake.
    assert kinds & {"exception", "unhandledRejection", "sdk-error-log"}, outcome.summary
    assert "not-a-real-key" not in str(outcome.summary), "the API key leaked into the summary"


@pytest.mark.parametrize("flow", sorted(FAULT_FLOWS))
def test_ts_sdk_fault_flow(node_peer: Path, flow: str, tmp_path: Path) -> None:
    """Failure and recovery paths, each against an emulator started with one fault."""
    with emulator(seed=1, faults=FAULT_FLOWS[flow]) as emu:
        cmd = ["node", "flows.mjs", flow]
        outcome = run_flow(cmd, emu, cwd=node_peer, timeout=FLOW_TIMEOUT_S, artifact_dir=tmp_path)
        assert_flow_passed(outcome, emu, flow)
    assert decode_artifacts(outcome, tmp_path) == []
