"""Smoke tests of the benchmark scripts: they run end to end and print their table.

Structure only, never timings: a tiny session, one repetition, no minimum time. The
official-SDK row runs for real (the shared peer venv of ``tests/_peers.py``, installed on
first use).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from bench._scenario import build_scenario

REPO = Path(__file__).resolve().parents[2]
ROWS = (
    "floor: b64 + msgspec.json",
    "ours: decode only",
    "ours: decode + state",
    "ours: + next_deadline/frame",
    "official: sogni-client 5.70.0",
)
NUMBER = r"[\d,]+"


def test_scenario_mix_follows_its_arguments() -> None:
    scn = build_scenario(projects=3, jobs=2, steps=8, tokens=5, seed=1)
    mix = scn.mix()
    assert mix == {
        "authenticated": 1,
        "balanceUpdate": 1,
        "swarmModels": 1,
        "jobState:queued": 3 * 2,
        "jobState:initiatingModel": 3 * 2,
        "jobState:jobStarted": 3 * 2,
        "jobProgress": 3 * 2 * 8,
        "jobETA": 3 * 2 * 2,
        "jobResult": 3 * 2,
        "jobState:jobCompleted": 3,
        "jobTokens": 5,
    }
    assert len(scn.frames) == sum(mix.values())
    assert scn.frames[0].startswith(b'{"type":"authenticated"')
    assert build_scenario(projects=3, jobs=2, steps=8, tokens=5, seed=1) == scn
    assert build_scenario(projects=3, jobs=2, steps=8, tokens=5, seed=2) != scn


def test_frames_bench_prints_its_table(tmp_path: Path) -> None:
    out_json = tmp_path / "frames.json"
    cmd = [
        sys.executable,
        "-m",
        "bench.frames",
        *("--repeat", "1", "--warmup", "0", "--min-time", "0"),
        *("--projects", "2", "--jobs", "2", "--steps", "4", "--tokens", "2"),
        *("--json", str(out_json)),
    ]
    proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("bench/frames.py ")
    session = "session: 43 frames, 2 projects x 2 images x 4 steps"
    assert any(line.startswith(session) for line in lines)
    for row in ROWS:
        found = [line for line in lines if line.startswith(row + " ")]
        assert len(found) == 1, (row, proc.stdout)
        cells = found[0][len(row) :].split()
        assert re.fullmatch(NUMBER, cells[0]), found[0]  # frames/s, not "-"
        if row.startswith(("ours: decode +", "ours: +", "official")):
            assert found[0].endswith("2/2 projects, 4/4 jobs completed"), found[0]
    ratios = [line.split()[:3] for line in lines if line.startswith("  ours")]
    assert [r[0] for r in ratios] == ["ours", "ours", "ours+deadline", "ours:", "ours:"]
    for line in lines:
        if line.startswith("  ours"):
            assert re.search(r"\d+\.\d\dx +\d+\.\d\dx", line), line
    data = json.loads(out_json.read_text())
    assert set(data) == {"floor", "decode", "ours", "ours_deadline", "official"}
    for entry in data.values():
        assert entry["frames"] == 43 and len(entry["seconds"]) == 1 and entry["best_fps"] > 0
