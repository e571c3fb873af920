"""The official Python SDK as a benchmark peer: its venv and its subprocess runs.

The venv lives in ``.cache/bench/pysdk-venv`` (gitignored) and holds only the pinned
``sogni-client``. :func:`ensure_venv` creates it when missing or when its stamp names
another pin; when present it costs one file read.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

__all__ = ["PIN", "VENV", "PeerError", "ensure_venv", "interpreter", "run_json"]

REPO = Path(__file__).resolve().parents[1]
VENV = REPO / ".cache" / "bench" / "pysdk-venv"
PIN = "sogni-client==5.70.0"
_STAMP = VENV / ".sogni-bench-stamp"


class PeerError(RuntimeError):
    """The SDK venv could not be built or a peer run failed."""


def interpreter() -> Path:
    """The venv's Python."""
    return VENV / "bin" / "python"


def _run(cmd: list[str], timeout: float) -> None:
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
    if proc.returncode != 0:
        raise PeerError(f"{' '.join(cmd)} exited {proc.returncode}:\n{proc.stderr[-3000:]}")


def ensure_venv() -> Path:
    """Create the SDK venv unless it already holds the pinned SDK.

    Returns:
        The venv's interpreter.

    Raises:
        PeerError: ``venv`` or ``pip install`` failed.
    """
    python = interpreter()
    if python.is_file() and _STAMP.is_file() and _STAMP.read_text().strip() == PIN:
        return python
    if not python.is_file():
        VENV.parent.mkdir(parents=True, exist_ok=True)
        _run([sys.executable, "-m", "venv", str(VENV)], timeout=180)
    pip = [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", PIN]
    _run(pip, timeout=900)
    _STAMP.write_text(PIN + "\n")
    return python


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
