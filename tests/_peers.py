"""The one install of each official peer SDK, shared by every test and by bench.

* Node: ``tests/peers/node`` pins ``@sogni-ai/sogni-client@5.54.0`` and
  ``@sogni-ai/sogni-protocol@1.0.0-alpha.45`` in a committed ``package-lock.json``;
  :func:`node_peer_dir` runs ``npm ci`` there (``node_modules`` is gitignored) unless the
  installed tree was made from the same lock file. Node scripts elsewhere resolve the
  packages from that ``node_modules`` (``createRequire`` on :data:`NODE_PEER_DIR`'s
  ``package.json``, or a path from :func:`sogni_client_dir`).
* Python: :func:`pysdk_python` creates ``.cache/peers/pysdk-venv`` holding only
  ``sogni-client==5.70.0`` unless it is there already.

Both installs are idempotent (one stamp-file read when present), bounded in time, and
serialised by a file lock across threads and concurrent processes, so the first test on a
fresh machine that needs a peer installs it and every later one reuses it.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

__all__ = [
    "NODE_PEER_DIR",
    "PYSDK_PIN",
    "PYSDK_VENV",
    "TS_SDK_VERSION",
    "PeerSetupError",
    "node_peer_dir",
    "pysdk_python",
    "run_with_sdk",
    "sogni_client_dir",
    "sogni_protocol_dir",
]

REPO = Path(__file__).resolve().parents[1]
NODE_PEER_DIR = REPO / "tests" / "peers" / "node"
PYSDK_VENV = REPO / ".cache" / "peers" / "pysdk-venv"
PYSDK_PIN = "sogni-client==5.70.0"
TS_SDK_VERSION = "5.54.0"
PROTOCOL_VERSION = "1.0.0-alpha.45"

NPM_TIMEOUT_S = 300.0
PIP_TIMEOUT_S = 900.0
_LOCK_FILE = REPO / ".cache" / "peers" / "install.lock"
_thread_lock = threading.Lock()


class PeerSetupError(RuntimeError):
    """A peer SDK could not be installed (tool missing, or its installer failed)."""


@contextmanager
def _installing() -> Iterator[None]:
    """Serialise peer installs across threads and across concurrent processes."""
    _LOCK_FILE.parent.mkdir(parents=True, exist_ok=True)
    with _thread_lock, open(_LOCK_FILE, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _run(cmd: list[str], *, cwd: Path | None = None, timeout: float) -> None:
    proc = subprocess.run(
        cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False
    )
    if proc.returncode != 0:
        tail = (proc.stdout + proc.stderr)[-4000:]
        raise PeerSetupError(f"{' '.join(cmd)} exited {proc.returncode}:\n{tail}")


def _version(package_json: Path) -> object:
    if not package_json.is_file():
        return None
    return json.loads(package_json.read_text()).get("version")


def sogni_client_dir() -> Path:
    """The installed ``@sogni-ai/sogni-client`` package directory (installing it if needed)."""
    return node_peer_dir() / "node_modules" / "@sogni-ai" / "sogni-client"


def sogni_protocol_dir() -> Path:
    """The installed ``@sogni-ai/sogni-protocol`` package directory (installing it if needed)."""
    return node_peer_dir() / "node_modules" / "@sogni-ai" / "sogni-protocol"


def run_with_sdk(script: str | Path, payload: object, *, timeout: float = 120.0) -> Any:
    """Run a node script against the installed TS SDK and parse the JSON it prints.

    Args:
        script: A script file, or JavaScript source text (run with ``node -e``).
        payload: Sent as JSON on stdin.
        timeout: Seconds before the run is killed.

    Returns:
        The JSON value on stdout. The script gets the ``@sogni-ai/sogni-client`` package
        directory as its first argument (``process.argv[2]`` for a file, ``process.argv[1]``
        with ``-e``).

    Raises:
        PeerSetupError: node is missing or the peer cannot be installed.
        subprocess.CalledProcessError: the script exited non-zero.
    """
    node = shutil.which("node")
    if node is None:
        raise PeerSetupError("node must be on PATH for the TS SDK peer")
    package = str(sogni_client_dir())
    cmd = (
        [node, str(script), package] if isinstance(script, Path) else [node, "-e", script, package]
    )
    proc = subprocess.run(
        cmd, input=json.dumps(payload), capture_output=True, text=True, timeout=timeout, check=True
    )
    return json.loads(proc.stdout)


def node_peer_dir() -> Path:
    """Install the node peer with ``npm ci`` unless ``node_modules`` matches the lock file.

    Returns:
        :data:`NODE_PEER_DIR`, whose ``node_modules`` holds the pinned packages.

    Raises:
        PeerSetupError: ``node``/``npm`` missing or ``npm ci`` failed.
    """
    with _installing():
        if shutil.which("node") is None or shutil.which("npm") is None:
            raise PeerSetupError("node and npm must be on PATH for the TS SDK peer")
        modules = NODE_PEER_DIR / "node_modules"
        digest = hashlib.sha256((NODE_PEER_DIR / "package-lock.json").read_bytes()).hexdigest()
        stamp = modules / ".sogni-peer-stamp"
        fresh = (
            stamp.is_file()
            and stamp.read_text().strip() == digest
            and _version(modules / "@sogni-ai" / "sogni-client" / "package.json") == TS_SDK_VERSION
            and _version(modules / "@sogni-ai" / "sogni-protocol" / "package.json")
            == PROTOCOL_VERSION
        )
        if not fresh:
            _run(["npm", "ci", "--no-audit", "--no-fund"], cwd=NODE_PEER_DIR, timeout=NPM_TIMEOUT_S)
            stamp.write_text(digest + "\n")
        return NODE_PEER_DIR


def pysdk_python() -> Path:
    """Create the Python SDK peer venv unless it exists with the pinned ``sogni-client``.

    Returns:
        The venv's interpreter (``.cache/peers/pysdk-venv/bin/python``).

    Raises:
        PeerSetupError: venv creation or ``pip install`` failed.
    """
    with _installing():
        python = PYSDK_VENV / "bin" / "python"
        stamp = PYSDK_VENV / ".sogni-peer-stamp"
        if python.is_file() and stamp.is_file() and stamp.read_text().strip() == PYSDK_PIN:
            return python
        if not python.is_file():
            PYSDK_VENV.parent.mkdir(parents=True, exist_ok=True)
            _run([sys.executable, "-m", "venv", str(PYSDK_VENV)], timeout=180)
        _run(
            [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", PYSDK_PIN],
            timeout=PIP_TIMEOUT_S,
        )
        stamp.write_text(PYSDK_PIN + "\n")
        return python
