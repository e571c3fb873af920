"""The README's library example runs, as written, against the emulator.

Only the credentials line is rewritten (the emulator's URLs and key instead of the
production defaults); every other line is the README's own, so renaming an API the
README uses, or breaking what it promises (two results, files on disk), fails here.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from PIL import Image
from sogni_emulator import Emulator

README = Path(__file__).resolve().parents[2] / "README.md"
CREDENTIALS = 'SogniClient(api_key="...", network="fast")'


def _library_example() -> str:
    text = README.read_text(encoding="utf-8")
    section = text.split("## Using the library", 1)[1]
    match = re.search(r"```python\n(.*?)```", section, re.S)
    assert match, "README lost its library example"
    return match.group(1)


def test_readme_library_example_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = _library_example()
    assert CREDENTIALS in source, "the example's client line changed; update this test"
    with Emulator.run_in_thread(seed=3) as emu:
        local = (
            f"SogniClient(api_key={emu.api_key!r}, network='fast', "
            f"rest_endpoint={emu.rest_url!r}, socket_endpoint={emu.socket_url!r})"
        )
        monkeypatch.chdir(tmp_path)
        namespace: dict[str, object] = {"__name__": "__main__"}
        exec(compile(source.replace(CREDENTIALS, local), "README.md", "exec"), namespace)
    files = sorted((tmp_path / "out").iterdir())
    assert len(files) == 2
    for path in files:
        with Image.open(path) as image:
            assert image.format == "PNG"
    assert os.path.getsize(files[0]) > 0
