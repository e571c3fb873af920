"""The official SDKs' durable-workflow, template, hosted-chat and chat-run flows against the
emulator: the TS SDK 5.54.0 (``node/workflows.mjs``) and the Python SDK 5.70.0
(``python/workflows.py``), one process per flow, same zero-error gate as the other peer tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ._harness import RunningEmulator, emulator
from ._run import check_flow

FLOWS = ["wf-hosted-chat", "wf-start-stream", "wf-cancel", "wf-chat-run"]
#: Flows that need their own emulator with a fault.
FAULTED = {"wf-resume-drop": "sse-drop=3*"}


@pytest.fixture(scope="module")
def emu() -> Iterator[RunningEmulator]:
    with emulator(seed=1) as running:
        yield running


@pytest.mark.parametrize("sdk", ["ts", "python"])
@pytest.mark.parametrize("flow", FLOWS)
def test_sdk_workflow_flow(sdk: str, flow: str, emu: RunningEmulator, tmp_path: Path) -> None:
    check_flow(sdk, "workflows", flow, tmp_path, emu=emu)


@pytest.mark.parametrize("sdk", ["ts", "python"])
@pytest.mark.parametrize("flow", sorted(FAULTED))
def test_sdk_workflow_fault_flow(sdk: str, flow: str, tmp_path: Path) -> None:
    check_flow(sdk, "workflows", flow, tmp_path, faults=FAULTED[flow])
