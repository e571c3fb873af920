"""The examples run end to end against the emulator."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("script", "extra", "expect_files"),
    [
        ("text_to_image_asyncio.py", ["--count", "2"], 2),
        ("text_to_image_trio.py", [], 1),
        ("text_to_image_sync.py", [], 1),
        ("video.py", ["--duration", "1"], 1),
        ("cancel.py", [], 0),
        ("events.py", [], 0),
    ],
)
def test_example(
    script: str, extra: list[str], expect_files: int, emulator_factory: Any, tmp_path: Path
) -> None:
    faults = "slow-workers=15" if script == "cancel.py" else ""
    with emulator_factory(faults=faults) as emu:
        out = tmp_path / "out"
        result = subprocess.run(
            [
                sys.executable,
                str(ROOT / "examples" / script),
                "--endpoint",
                emu.rest_url,
                "--api-key",
                emu.api_key,
                "--out",
                str(out),
                *extra,
                "a lighthouse at dusk",
            ],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert result.returncode == 0, result.stderr[-2000:]
    files = sorted(out.glob("*")) if out.exists() else []
    assert len(files) == expect_files, result.stdout
    if script == "cancel.py":
        assert "first:" in result.stdout and "second:" in result.stdout
    if script == "events.py":
        assert "ProjectCompleted" in result.stdout
    assert emu.api_key not in result.stdout + result.stderr
