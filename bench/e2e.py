"""End to end: many concurrent projects on a zero-delay emulator, ours beside the official SDKs.

Issue 4 item 7. A script, never a test, never a CI gate. From the repository root::

    .venv/bin/python -m bench.e2e                         # 100 projects x 10 images, every client
    .venv/bin/python -m bench.e2e --projects 5 --images 2 --clients asyncio,pysdk

For every client, a fresh emulator (``python -m sogni_emulator --port 0 --speed 0``) is
started, then one child process connects, submits ``--projects`` image projects of
``--images`` images each concurrently, waits for every result and reports its own wall
and CPU seconds for that work (interpreter start and imports excluded). The parent also
takes each child's total CPU (``RUSAGE_CHILDREN`` delta: start-up and imports included) and
the emulator's, so a run that made the server work harder shows up. Import time is
measured apart, in fresh interpreters, best of ``--import-repeat``.

Clients:

* ``asyncio``, ``trio``, ``sync``: our transports (``transports/*/sogni_*``) in this venv,
  driven by ``bench/_e2e_ours.py``.
* ``pysdk``: sogni-client 5.70.0 in the shared peer venv ``.cache/peers/pysdk-venv``
  (``bench/_e2e_pysdk.py``).
* ``ts``: @sogni-ai/sogni-client 5.54.0 under node, the shared peer ``tests/peers/node``
  (``bench/_e2e_ts.mjs``). The SDK declares node >= 22; its dist runs on node 20 here.

Both are the tests' own peer installs (``tests/_peers.py``): made on first use, idempotent.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a file: make ``bench`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import _pysdk  # noqa: E402
from tests import _peers  # noqa: E402

__all__ = ["CLIENTS", "main"]

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
TS_PIN = _peers.TS_SDK_VERSION
CLIENTS = ("asyncio", "trio", "trio-wsproto", "sync", "pysdk", "ts")
LABELS = {
    "asyncio": "ours: sogni_asyncio",
    "trio": "ours: sogni_trio",
    "trio-wsproto": "ours: trio, wsproto ws",
    "sync": "ours: sogni_sync",
    "pysdk": f"official py {_pysdk.PIN.split('==')[1]}",
    "ts": f"official ts {TS_PIN}",
}
READY = re.compile(r"sogni-emulator ready rest=(\S+) socket=(\S+) api_key=(\S+)")


class BenchError(RuntimeError):
    """A peer could not be installed, or the emulator or a client failed."""


@dataclass
class Row:
    """One client's numbers (seconds); ``note`` says why some are missing."""

    client: str
    import_s: float | None = None
    import_loaded_s: float | None = None
    wall_s: float | None = None
    cpu_s: float | None = None
    wall_med_s: float | None = None
    cpu_med_s: float | None = None
    child_cpu_s: float | None = None
    emulator_cpu_s: float | None = None
    completed: str = ""
    note: str = ""
    runs: list[dict[str, Any]] = field(default_factory=list)


# --- peers ------------------------------------------------------------------------------------


def ensure_node() -> Path:
    """Install the shared TS SDK peer (``tests/_peers.py``, ``tests/peers/node``) if needed.

    Returns:
        The directory holding ``node_modules`` (the working directory of the node commands).

    Raises:
        BenchError: node/npm missing or ``npm ci`` failed.
    """
    try:
        return _peers.node_peer_dir()
    except _peers.PeerSetupError as exc:
        raise BenchError(str(exc)) from exc


# --- emulator ---------------------------------------------------------------------------------


@dataclass
class Emulator:
    process: subprocess.Popen[str]
    env: dict[str, str]


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def start_emulator(timeout: float = 60.0) -> Emulator:
    """Start a zero-delay emulator on 127.0.0.1 and wait for its ready line.

    Raises:
        BenchError: it exited or did not print the ready line in time.
    """
    cmd = [sys.executable, "-m", "sogni_emulator", "--host", "127.0.0.1", "--port", "0"]
    proc = subprocess.Popen(
        [*cmd, "--speed", "0"],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert proc.stdout is not None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        match = READY.search(line)
        if match:
            env = dict(os.environ)
            env.update(
                SOGNI_REST_URL=match.group(1),
                SOGNI_SOCKET_URL=match.group(2),
                SOGNI_API_KEY=match.group(3),
            )
            return Emulator(process=proc, env=env)
    proc.kill()
    proc.wait()
    raise BenchError("the emulator did not get ready")


def stop_emulator(emulator: Emulator) -> None:
    proc = emulator.process
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    if proc.stdout is not None:
        proc.stdout.close()


# --- clients ----------------------------------------------------------------------------------


def client_command(client: str, projects: int, images: int) -> tuple[list[str], Path]:
    """The child command line of one client and its working directory."""
    counts = [str(projects), str(images)]
    if client in OURS:
        return [sys.executable, "-m", "bench._e2e_ours", client, *counts], REPO
    if client == "pysdk":
        return [str(_pysdk.ensure_venv()), str(HERE / "_e2e_pysdk.py"), *counts], REPO
    if client == "ts":
        node_dir = ensure_node()
        return ["node", str(HERE / "_e2e_ts.mjs"), *counts], node_dir
    raise BenchError(f"unknown client {client!r}")


#: Our clients (``trio-wsproto``: sogni_trio with ``websocket="wsproto"``).
OURS = ("asyncio", "trio", "trio-wsproto", "sync")

#: The event-loop library each client runs on, imported before the clock for
#: the "loaded" import column (a program using the client has imported it).
LOOPS = {"asyncio": "asyncio", "trio": "trio", "trio-wsproto": "trio", "pysdk": "asyncio"}


def import_command(client: str, *, loop_loaded: bool = False) -> tuple[list[str], Path]:
    """A fresh-interpreter command printing the seconds one import of the client takes.

    With ``loop_loaded`` its event-loop library (:data:`LOOPS`) is imported
    before the clock starts.
    """
    # What a user writes first: the client class, not just the package.
    timer = "import time; t = time.perf_counter(); {0}; print(time.perf_counter() - t)"
    if loop_loaded and client in LOOPS:
        timer = f"import {LOOPS[client]}; " + timer
    if client in OURS:
        statement = f"from sogni_{client.split('-')[0]} import SogniClient"
        return [sys.executable, "-c", timer.format(statement)], REPO
    if client == "core":
        statement = "import sogni_core.state.connection, sogni_core.protocol.frames"
        return [sys.executable, "-c", timer.format(statement)], REPO
    if client == "pysdk":
        statement = "from sogni_client import SogniClient"
        return [str(_pysdk.ensure_venv()), "-c", timer.format(statement)], REPO
    if client == "ts":
        node_dir = ensure_node()
        script = (
            "const t = performance.now(); await import('@sogni-ai/sogni-client');"
            " console.log((performance.now() - t) / 1000);"
        )
        return ["node", "--input-type=module", "-e", script], node_dir
    raise BenchError(f"unknown client {client!r}")


#: Our packages, compiled before measuring (as a wheel install does).
SOURCES = ("sogni_core", "transports", "emulator", "cli")


def compile_sources() -> None:
    """Give every child the bytecode a normal install has.

    An editable install compiles on first import and, with
    ``PYTHONDONTWRITEBYTECODE`` set (as in some sandboxes), on *every* import,
    inside the timed work of lazily imported modules; the official SDKs'
    venvs were compiled by pip. So: compile now, and let the children read
    (and write) ``__pycache__``.
    """
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    cmd = [sys.executable, "-m", "compileall", "-q", *(str(REPO / s) for s in SOURCES)]
    subprocess.run(cmd, cwd=REPO, capture_output=True, check=True, timeout=300)


def measure_import(client: str, repeat: int, *, loop_loaded: bool = False) -> float:
    """Best of ``repeat`` fresh-process imports, seconds."""
    cmd, cwd = import_command(client, loop_loaded=loop_loaded)
    best = float("inf")
    for _ in range(repeat):
        proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=120)
        if proc.returncode != 0:
            raise BenchError(f"import of {client} failed: {proc.stderr[-1500:]}")
        best = min(best, float(proc.stdout.strip().splitlines()[-1]))
    return best


def run_client(client: str, projects: int, images: int, timeout: float) -> dict[str, Any]:
    """One workload on a fresh emulator; the child's JSON plus CPU taken by the parent."""
    cmd, cwd = client_command(client, projects, images)
    emulator = start_emulator()
    try:
        before = _children_cpu()
        proc = subprocess.run(
            cmd, cwd=cwd, env=emulator.env, capture_output=True, text=True, timeout=timeout
        )
        child_cpu = _children_cpu() - before
    finally:
        before = _children_cpu()
        stop_emulator(emulator)
        emulator_cpu = _children_cpu() - before
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    if proc.returncode != 0 or not lines:
        raise BenchError(f"{client} exited {proc.returncode}: {proc.stderr[-1500:]}")
    out: dict[str, Any] = json.loads(lines[-1])
    out["child_cpu"] = child_cpu
    out["emulator_cpu"] = emulator_cpu
    return out


def measure_clients(
    clients: Sequence[str],
    *,
    projects: int,
    images: int,
    repeat: int,
    import_repeat: int,
    timeout: float,
) -> list[Row]:
    """Import times, then ``repeat`` rounds of one workload per client; of each
    client, the numbers of its lowest-CPU run, with the lowest wall of its runs.

    Rounds go client by client (asyncio, trio, ..., ts, then again), imports
    too, not all the runs of one client first: on a shared machine the load drifts, and
    interleaving gives every client the same mix of quiet and busy minutes.
    """
    rows = {c: Row(client=c) for c in clients}
    for _ in range(import_repeat):  # interleaved too
        for client, row in rows.items():
            if row.note:
                continue
            try:
                seconds = measure_import(client, 1)
                loaded = measure_import(client, 1, loop_loaded=True) if client in LOOPS else None
                if client == "sync":  # threads: no event-loop library to load first
                    loaded = seconds
            except (BenchError, OSError, subprocess.TimeoutExpired) as exc:
                row.note = f"failed: {exc}"[:300]
                continue
            row.import_s = seconds if row.import_s is None else min(row.import_s, seconds)
            if loaded is not None:
                previous = row.import_loaded_s
                row.import_loaded_s = loaded if previous is None else min(previous, loaded)
    for _ in range(repeat):
        for client, row in rows.items():
            if row.note:
                continue
            try:
                row.runs.append(run_client(client, projects, images, timeout))
            except (BenchError, OSError, subprocess.TimeoutExpired) as exc:
                row.note = f"failed: {exc}"[:300]
    for row in rows.values():
        if row.note or not row.runs:
            continue
        best = min(row.runs, key=lambda r: r["cpu"])
        # Each metric's best run: the wall is set by the emulator, whose speed
        # drifts with the machine's load independently of the client's CPU.
        row.wall_s, row.cpu_s = min(r["wall"] for r in row.runs), best["cpu"]
        # Medians too: one quiet minute can hand one client a low minimum.
        row.wall_med_s = statistics.median(r["wall"] for r in row.runs)
        row.cpu_med_s = statistics.median(r["cpu"] for r in row.runs)
        row.child_cpu_s, row.emulator_cpu_s = best["child_cpu"], best["emulator_cpu"]
        row.completed = f"{best['completed']}/{best['projects']} projects, {best['urls']} urls"
    return list(rows.values())


# --- report -----------------------------------------------------------------------------------


def _fmt(value: float | None, width: int = 8) -> str:
    return f"{value:>{width}.3f}" if value is not None else f"{'-':>{width}}"


def render(
    rows: list[Row], *, projects: int, images: int, repeat: int, core_import: float | None
) -> str:
    """The report table and the ratios against ``ours: sogni_asyncio``."""
    lines = [
        f"bench/e2e.py  {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC  "
        f"python {platform.python_version()}  {os.cpu_count()} cpus",
        f"{projects} concurrent projects x {images} images on a zero-delay emulator, "
        f"best of {repeat} (lowest client CPU; wall: lowest wall; med: median of the runs);"
        " seconds",
        "",
        f"{'client':<24} {'import':>8} {'import*':>8} {'wall':>8} {'wall med':>8} {'cpu':>8}"
        f" {'cpu med':>8} {'proc cpu':>8} {'emu cpu':>8}  result",
        "-" * 124,
    ]
    if core_import is not None:
        lines.append(f"{'ours: sogni_core':<24} {_fmt(core_import)}")
    for row in rows:
        result = row.completed or row.note
        lines.append(
            f"{LABELS[row.client]:<24} {_fmt(row.import_s)} {_fmt(row.import_loaded_s)}"
            f" {_fmt(row.wall_s)} {_fmt(row.wall_med_s)} {_fmt(row.cpu_s)} {_fmt(row.cpu_med_s)}"
            f" {_fmt(row.child_cpu_s)}"
            f" {_fmt(row.emulator_cpu_s)}  {result}"
        )
    lines += [
        "",
        "cpu: the client's CPU for the workload; proc cpu: its whole process",
        "import*: with its event-loop library (asyncio, trio) imported before the clock"
        " (sync: none, so the same)",
    ]
    by = {row.client: row for row in rows}
    py, ts = by.get("pysdk"), by.get("ts")
    if py is not None and py.cpu_s:
        lines.append(
            "targets (issue 4): cpu <= 1/3 of official py, wall <= official ts, import < 100 ms"
        )
        for row in rows:
            if row.client not in OURS or not row.cpu_s or not row.wall_s:
                continue
            wall = _ratio(row.wall_s, ts.wall_s if ts else None)
            wall_med = _ratio(row.wall_med_s, ts.wall_med_s if ts else None)
            cpu_med = _ratio(row.cpu_med_s, py.cpu_med_s)
            lines.append(
                f"  {LABELS[row.client]:<24} cpu {row.cpu_s / py.cpu_s:5.2f}x (med {cpu_med}) of py"
                f"  wall {wall} (med {wall_med}) of ts"
                f"  import {_ms(row.import_s)} / {_ms(row.import_loaded_s)}*"
            )
    return "\n".join(lines)


def _ratio(ours: float | None, theirs: float | None) -> str:
    return f"{ours / theirs:4.2f}x" if ours is not None and theirs else "    -"


def _ms(value: float | None) -> str:
    return f"{value * 1000:.0f} ms" if value is not None else "-"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--projects", type=int, default=100)
    parser.add_argument("--images", type=int, default=10, help="images per project")
    parser.add_argument("--repeat", type=int, default=1, help="workloads per client")
    parser.add_argument("--import-repeat", type=int, default=5)
    parser.add_argument("--clients", default=",".join(CLIENTS), help="comma-separated subset")
    parser.add_argument("--timeout", type=float, default=1800.0, help="seconds per workload")
    parser.add_argument("--json", type=Path, help="also write the rows as JSON here")
    args = parser.parse_args(argv)
    clients = [c for c in args.clients.split(",") if c]
    unknown = sorted(set(clients) - set(CLIENTS))
    if unknown or args.projects < 1 or args.images < 1 or args.repeat < 1:
        parser.error(f"bad arguments (unknown clients: {unknown})")
    compile_sources()
    core_import: float | None = None
    try:
        core_import = measure_import("core", args.import_repeat)
    except BenchError as exc:
        print(f"sogni_core import failed: {exc}", file=sys.stderr)
    rows = measure_clients(
        clients,
        projects=args.projects,
        images=args.images,
        repeat=args.repeat,
        import_repeat=args.import_repeat,
        timeout=args.timeout,
    )
    print(
        render(
            rows,
            projects=args.projects,
            images=args.images,
            repeat=args.repeat,
            core_import=core_import,
        )
    )
    if args.json is not None:
        data = [row.__dict__ for row in rows]
        args.json.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
