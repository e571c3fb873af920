"""Shared plumbing for the official-SDK peer tests: install peers, run the emulator, run flows.

Everything has a bounded timeout. The peers are the shared installs of ``tests/_peers.py``
(``tests/peers/node/node_modules`` and ``.cache/peers/pysdk-venv``), idempotent and file-locked.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests._peers import PeerSetupError, node_peer_dir, pysdk_python

REPO = Path(__file__).resolve().parents[3]
PEERS = Path(__file__).resolve().parent
NODE_DIR = PEERS / "node"
PY_DIR = PEERS / "python"

READY = re.compile(
    r"^sogni-emulator ready"
    r" rest=(?P<rest>http://\S+) socket=(?P<socket>ws://\S+) api_key=(?P<key>\S+)$"
)

EMULATOR_START_TIMEOUT_S = 30.0


def ensure_node_peer() -> Path:
    """Install the shared node peer (``tests/_peers.py``) if needed.

    Returns:
        The shared peer directory whose ``node_modules`` holds the TS SDK (the flow scripts
        themselves live in :data:`NODE_DIR` and import the SDK from there).

    Raises:
        PeerSetupError: ``node``/``npm`` missing or ``npm ci`` failed.
    """
    return node_peer_dir()


def ensure_python_peer() -> Path:
    """Create the shared Python SDK peer venv (``tests/_peers.py``) if needed.

    Returns:
        The peer venv's interpreter.

    Raises:
        PeerSetupError: venv creation or ``pip install`` failed.
    """
    return pysdk_python()


# --- emulator -----------------------------------------------------------------------------


@dataclass(frozen=True)
class RunningEmulator:
    rest_url: str
    socket_url: str
    api_key: str
    process: subprocess.Popen[str]
    log: list[str]

    def env(self) -> dict[str, str]:
        """Environment for a flow process: endpoints and key, nothing else of ours."""
        env = dict(os.environ)
        env.update(
            SOGNI_REST_URL=self.rest_url,
            SOGNI_SOCKET_URL=self.socket_url,
            SOGNI_API_KEY=self.api_key,
        )
        return env

    def log_tail(self, lines: int = 60) -> str:
        return "\n".join(self.log[-lines:])


def _pump(
    stream: Any, sink: list[str], found: list[re.Match[str]], ready: threading.Event | None
) -> None:
    """Copy a pipe into ``sink``; on stdout, also watch for the ready line."""
    for raw in stream:
        line = raw.rstrip("\n")
        match = READY.match(line) if ready is not None and not found else None
        if match is not None:
            found.append(match)
            assert ready is not None
            ready.set()
            sink.append("sogni-emulator ready (line captured by the harness)")
        else:
            sink.append(line)
    if ready is not None:
        ready.set()


@contextmanager
def emulator(seed: int = 1, faults: str = "") -> Iterator[RunningEmulator]:
    """Start ``python -m sogni_emulator --port 0 --seed N`` and wait for its ready line.

    ``faults`` is passed as ``--faults SPEC`` when given (see ``sogni_emulator.faults``).

    The server is stopped (SIGTERM to its process group, then SIGKILL after 5 s) when the
    block exits.

    Raises:
        PeerSetupError: The process exited before the ready line, or did not print it within
            30 s.
    """
    cmd = [sys.executable, "-m", "sogni_emulator", "--port", "0", "--seed", str(seed)]
    if faults:
        cmd += ["--faults", faults]
    proc = subprocess.Popen(
        cmd,
        cwd=REPO,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    log: list[str] = []
    found: list[re.Match[str]] = []
    ready = threading.Event()
    pumps = [
        threading.Thread(target=_pump, args=(proc.stdout, log, found, ready), daemon=True),
        threading.Thread(target=_pump, args=(proc.stderr, log, [], None), daemon=True),
    ]
    for pump in pumps:
        pump.start()
    try:
        ready.wait(EMULATOR_START_TIMEOUT_S)
        if not found:
            time.sleep(0.3)  # let stderr drain into the log
            raise PeerSetupError(
                f"emulator did not print its ready line within {EMULATOR_START_TIMEOUT_S} s "
                f"(exit={proc.poll()}):\n" + "\n".join(log[-40:])
            )
        match = found[0]
        yield RunningEmulator(
            rest_url=match["rest"],
            socket_url=match["socket"],
            api_key=match["key"],
            process=proc,
            log=log,
        )
    finally:
        _stop(proc)
        for pump in pumps:
            pump.join(timeout=5)
        for pipe in (proc.stdout, proc.stderr):
            if pipe is not None:
                pipe.close()


def _stop(proc: subprocess.Popen[str]) -> None:
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=5)


# --- flows --------------------------------------------------------------------------------


@dataclass(frozen=True)
class FlowOutcome:
    summary: dict[str, Any]
    returncode: int
    stderr: str

    def failure_report(self, emu: RunningEmulator) -> str:
        errors = self.summary.get("errors") or []
        lines = [f"flow {self.summary.get('flow')!r} exit={self.returncode}"]
        for error in errors:
            lines.append(f"- [{error.get('kind')}] {error.get('message')}")
        failed = [c["name"] for c in self.summary.get("checks", []) if not c.get("ok")]
        if failed:
            lines.append(f"failed checks: {failed}")
        lines.append(f"result: {json.dumps(self.summary.get('result'), default=str)[:3000]}")
        if self.stderr.strip():
            lines.append("peer stderr (tail):\n" + self.stderr[-3000:])
        lines.append("emulator log (tail):\n" + emu.log_tail())
        return "\n".join(lines)


def run_flow(
    cmd: list[str],
    emu: RunningEmulator,
    *,
    cwd: Path,
    timeout: float,
    artifact_dir: Path | None = None,
) -> FlowOutcome:
    """Run one peer flow process and parse the JSON summary from its last stdout line.

    A flow that prints no summary (crash, timeout) yields a synthetic failing summary so the
    caller's assertion shows what happened. With ``artifact_dir`` the flow saves every file it
    downloaded there (listed in ``summary["artifacts"]``) for :func:`decode_artifacts`.
    """
    env = emu.env()
    if artifact_dir is not None:
        env["FLOW_ARTIFACT_DIR"] = str(artifact_dir)
    try:
        proc = subprocess.run(
            cmd,
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        out = exc.stdout.decode() if isinstance(exc.stdout, bytes) else (exc.stdout or "")
        err = exc.stderr.decode() if isinstance(exc.stderr, bytes) else (exc.stderr or "")
        summary = {
            "flow": cmd[-1],
            "ok": False,
            "errors": [{"kind": "harness-timeout", "message": f"no exit within {timeout} s"}],
            "checks": [],
            "result": {"stdout": out[-2000:]},
        }
        return FlowOutcome(summary, -1, err)
    lines = [line for line in proc.stdout.splitlines() if line.strip()]
    parsed: object = None
    if lines:
        try:
            parsed = json.loads(lines[-1])
        except json.JSONDecodeError:
            parsed = None
    if isinstance(parsed, dict):
        summary = parsed
    else:
        summary = {
            "flow": cmd[-1],
            "ok": False,
            "errors": [{"kind": "harness", "message": "no JSON summary on stdout"}],
            "checks": [],
            "result": {"stdout": proc.stdout[-2000:]},
        }
    return FlowOutcome(summary, proc.returncode, proc.stderr)


def assert_flow_passed(outcome: FlowOutcome, emu: RunningEmulator, flow: str) -> None:
    """The flow ran to the end, checked something, and recorded no error."""
    summary = outcome.summary
    report = outcome.failure_report(emu)
    assert summary.get("flow") == flow, report
    assert summary.get("errors") == [], report
    assert summary.get("ok") is True, report
    assert outcome.returncode == 0, report
    checks = summary.get("checks") or []
    assert checks, "flow recorded no checks at all\n" + report
    assert all(c.get("ok") for c in checks), report


# --- downloaded media ---------------------------------------------------------------------

#: Files each media flow must have downloaded, by sniffed kind (exact counts).
EXPECTED_ARTIFACTS: dict[str, dict[str, int]] = {
    "image-promise": {"jpg": 3},
    "image-events": {"png": 2},
    "image-preset": {"png": 1},
    "determinism": {"png": 3},
    "concurrent": {"jpg": 6},
    "video": {"mp4": 1},
    "audio": {"mp3": 1, "flac": 1, "wav": 1},
    "img2img": {"png": 1, "jpg": 1},
    "image-edit": {"jpg": 1, "png": 1},
    "video-i2v": {"jpg": 1, "mp4": 1},
    "recover-new-client": {"png": 1},
    "switch-network": {"jpg": 1},
    "job-failure": {},
    "nsfw": {},
    "drop-reconnect": {"jpg": 1},
    "restart-recovery": {"png": 1},
}

#: Flows that need an emulator of their own started with ``--faults SPEC``.
FAULT_FLOWS: dict[str, str] = {
    "job-failure": "worker-error=50",
    "nsfw": "nsfw",
    "drop-reconnect": "drop-at-progress=30",
    "restart-recovery": "restart-at-progress=40",
}


def decode_artifacts(outcome: FlowOutcome, artifact_dir: Path) -> list[str]:
    """Fully decode every downloaded file with Pillow / PyAV (an ffprobe equivalent).

    Returns:
        One line per problem; empty when every file decodes (images to their full pixel
        data, videos to at least one H.264/MPEG-4 frame, audio to a non-empty sample stream)
        and the flow downloaded exactly the files :data:`EXPECTED_ARTIFACTS` lists for it.
    """
    import av
    from PIL import Image

    problems: list[str] = []
    listed = outcome.summary.get("artifacts") or []
    flow = str(outcome.summary.get("flow"))
    counts: dict[str, int] = {}
    for item in listed:
        counts[item["kind"]] = counts.get(item["kind"], 0) + 1
    expected = EXPECTED_ARTIFACTS.get(flow)
    if expected is not None and counts != expected:
        problems.append(f"{flow}: downloaded {counts}, expected {expected}")
    for item in listed:
        path = artifact_dir / item["file"]
        kind = item["kind"]
        try:
            if kind in {"png", "jpg", "webp"}:
                with Image.open(path) as img:
                    img.load()
                    if img.width <= 0 or img.height <= 0:
                        problems.append(f"{item['file']}: empty image")
            elif kind == "mp4":
                with av.open(str(path)) as container:
                    stream = container.streams.video[0]
                    if stream.codec_context.name not in {"h264", "mpeg4", "hevc", "av1", "vp9"}:
                        problems.append(f"{item['file']}: codec {stream.codec_context.name}")
                    frames = sum(1 for _ in container.decode(video=0))
                if frames < 1:
                    problems.append(f"{item['file']}: no video frames decode")
            elif kind in {"mp3", "flac", "m4a", "wav"}:
                with av.open(str(path)) as container:
                    samples = sum(frame.samples for frame in container.decode(audio=0))
                if samples < 1:
                    problems.append(f"{item['file']}: no audio samples decode")
            else:
                problems.append(f"{item['file']}: unrecognised file type {kind!r}")
        except Exception as exc:  # any decoder failure is a finding, reported with its name
            problems.append(f"{item['file']}: {type(exc).__name__}: {exc}")
    return problems
