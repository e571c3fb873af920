"""What the official-SDK flow tests share: the flow list, the command per SDK, the checks.

``test_official_ts.py``, ``test_official_python.py`` and ``test_official_workflows.py`` each
parametrise over flows and call these; the per-SDK difference is only :func:`flow_command`.
"""

from __future__ import annotations

import socket
from pathlib import Path

from ._harness import (
    NODE_DIR,
    PY_DIR,
    RunningEmulator,
    assert_flow_passed,
    decode_artifacts,
    emulator,
    ensure_node_peer,
    ensure_python_peer,
    run_flow,
)

#: The core flows both SDKs run (``node/flows.mjs`` and ``python/flows.py``).
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


def flow_command(sdk: str, script: str, flow: str) -> tuple[list[str], Path]:
    """The command and working directory that run ``flow`` of ``script`` with one SDK.

    Args:
        sdk: ``"ts"`` (node, ``node/<script>.mjs``) or ``"python"`` (``python/<script>.py``).
        script: ``"flows"`` or ``"workflows"``.
        flow: The flow name (the script's only argument).

    Returns:
        ``(argv, cwd)``, with the SDK's shared peer installed.
    """
    if sdk == "ts":
        ensure_node_peer()
        return ["node", f"{script}.mjs", flow], NODE_DIR
    return [str(ensure_python_peer()), f"{script}.py", flow], PY_DIR


def check_flow(
    sdk: str,
    script: str,
    flow: str,
    tmp_path: Path,
    *,
    emu: RunningEmulator | None = None,
    faults: str = "",
) -> None:
    """Run one flow (against ``emu``, or a fresh emulator with ``faults``) and require success.

    Success: zero errors, every check true, and every downloaded file decodes to the kinds
    :data:`~._harness.EXPECTED_ARTIFACTS` lists.
    """
    cmd, cwd = flow_command(sdk, script, flow)
    if emu is None:
        with emulator(seed=1, faults=faults) as fresh:
            outcome = run_flow(cmd, fresh, cwd=cwd, timeout=FLOW_TIMEOUT_S, artifact_dir=tmp_path)
            assert_flow_passed(outcome, fresh, flow)
    else:
        outcome = run_flow(cmd, emu, cwd=cwd, timeout=FLOW_TIMEOUT_S, artifact_dir=tmp_path)
        assert_flow_passed(outcome, emu, flow)
    assert decode_artifacts(outcome, tmp_path) == []


def check_dead_endpoint_fails(sdk: str) -> None:
    """The zero-error gate is real: with nothing listening, the ``balance`` flow fails."""
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
    cmd, cwd = flow_command(sdk, "flows", "balance")
    outcome = run_flow(cmd, dead, cwd=cwd, timeout=60)
    assert outcome.summary["flow"] == "balance"
    assert outcome.summary["ok"] is False
    assert outcome.returncode == 1
    kinds = {error["kind"] for error in outcome.summary["errors"]}
    # A real transport failure, not a harness or usage mistake.
    assert kinds & {"exception", "unhandledRejection", "sdk-error-log"}, outcome.summary
    assert "not-a-real-key" not in str(outcome.summary), "the API key leaked into the summary"
