"""examples/chat.py and examples/chat_stream.py run end to end against the emulator."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("script", "extra", "prompt", "expect"),
    [
        (
            "chat.py",
            [],
            "please generate_image of a lighthouse",
            ["tool generate_image: ['http", "assistant: The tool returned"],
        ),
        ("chat_stream.py", ["--think"], "a haiku about GPUs", ["<think>", "[stop,"]),
        (
            "chat_stream.py",
            ["--max-chunks", "1"],
            " ".join(["long"] * 40),
            ["[stopped early; job canceled]"],
        ),
    ],
)
def test_chat_examples(
    script: str, extra: list[str], prompt: str, expect: list[str], emulator_factory: Any
) -> None:
    with emulator_factory() as emu:
        result = subprocess.run(
            [
                sys.executable,
                str(ROOT / "examples" / script),
                "--endpoint",
                emu.rest_url,
                "--api-key",
                emu.api_key,
                *extra,
                prompt,
            ],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert result.returncode == 0, result.stderr[-2000:]
    for text in expect:
        assert text in result.stdout, result.stdout
    assert "sk-chat-test" not in result.stdout + result.stderr
