"""The official SDKs' durable-workflow, template, hosted-chat and chat-run flows against the
emulator: the TS SDK 5.54.0 (``node/workflows.mjs``) and the Python SDK 5.70.0
(``python/workflows.py``), one process per flow, same zero-error gate as the other peer tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ._harness import (
    PY_DIR,
    RunningEmulator,
    assert_flow_passed,
    decode_artifacts,
    emulator,
    ensure_node_peer,
    ensure_python_peer,
    run_flow,
)

FLOWS = ["wf-hosted-chat", "wf-start-stream", "wf-cancel", "wf-chat-run"]
#: Flows that need their own emulator with a fault.
FAULTED = {"wf-resume-drop": "sse-drop=3*"}
FLOW_TIMEOUT_S = 150


@pytest.fixture(scope="module")
def emu() -> Iterator[RunningEmulator]:
    with emulator(seed=1) as running:
        yield running


def _command(sdk: str, flow: str) -> tuple[list[str], Path]:
    if sdk == "ts":
        return ["node", "workflows.mjs", flow], ensure_node_peer()
    return [str(ensure_python_peer()), "workflows.py", flow], PY_DIR


@pytest.mark.parametrize("sdk", ["ts", "python"])
@pytest.mark.parametrize("flow", FLOWS)
def test_sdk_workflow_flow(sdk: str, flow: str, emu: RunningEmulator, tmp_path: Path) -> None:
    cmd, cwd = _command(sdk, flow)
    outcome = run_flow(cmd, emu, cwd=cwd, timeout=FLOW_TIMEOUT_S, artifact_dir=tmp_path)
    assert_flow_passed(outcome, emu, flow)
    assert decode_artifacts(outcome, tmp_path) == []


@pytest.mark.parametrize("sdk", ["ts", "python"])
@pytest.mark.parametrize("flow", sorted(FAULTED))
def test_sdk_workflow_fault_flow(sdk: str, flow: str, tmp_path: Path) -> None:
    cmd, cwd = _command(sdk, flow)
    with emulator(seed=1, faults=FAULTED[flow]) as emu:
        outcome = run_flow(cmd, emu, cwd=cwd, timeout=FLOW_TIMEOUT_S, artifact_dir=tmp_path)
        assert_flow_passed(outcome, emu, flow)
    assert decode_artifacts(outcome, tmp_path) == []
