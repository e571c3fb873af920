"""The official Python SDK as a benchmark peer: its venv and its subprocess runs.

The venv is the tests' shared Python SDK peer (``tests/_peers.py``: ``.cache/peers/pysdk-venv``,
gitignored, holding only the pinned ``sogni-client``). :func:`ensure_venv` creates it when
missing or when its stamp names another pin; when present it costs one file read.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from tests import _peers

__all__ = ["PIN", "VENV", "PeerError", "ensure_venv", "interpreter", "run_json"]

VENV = _peers.PYSDK_VENV
PIN = _peers.PYSDK_PIN


class PeerError(RuntimeError):
    """The SDK venv could not be built or a peer run failed."""


def interpreter() -> Path:
    """The venv's Python."""
    return VENV / "bin" / "python"


def ensure_venv() -> Path:
    """Create the shared SDK venv unless it already holds the pinned SDK.

    Returns:
        The venv's interpreter.

    Raises:
        PeerError: ``venv`` or ``pip install`` failed.
    """
    try:
        return _peers.pysdk_python()
    except _peers.PeerSetupError as exc:
        raise PeerError(str(exc)) from exc


def run_json(script: Path, job: dict[str, Any], *, timeout: float = 900) -> dict[str, Any]:
    """Run ``script JOB.json`` in the SDK venv and parse the JSON it prints last.

    Raises:
        PeerError: the run failed or printed no JSON object.
    """
    python = ensure_venv()
    with tempfile.TemporaryDirectory(prefix="sogni-bench-") as tmp:
        path = Path(tmp) / "job.json"
        path.write_text(json.dumps(job), encoding="utf-8")
        proc = subprocess.run(
            [str(python), str(script), str(path)],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    if proc.returncode != 0 or not lines:
        raise PeerError(f"{script.name} exited {proc.returncode}:\n{proc.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(lines[-1])
    return result
