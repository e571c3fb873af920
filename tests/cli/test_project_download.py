"""``sogni project ID --out DIR``: download a finished project's results.

Projects are made through the blocking SDK and downloaded live
(``project.download``); the command, run later as a new process would, writes
the same files byte for byte. An unfinished project exits 1 and writes
nothing; a failed job is named on stderr and makes the status 1; a bad id
exits 2 before any I/O.
"""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

import pytest
from sogni_cli import main
from sogni_emulator import Emulator
from sogni_sync import SogniClient

from sogni_core.protocol._errors import JobFailedError
from sogni_core.protocol.jobrequest import ImageProjectParams

SECRET = "sk-cli-DL-5d1c9e-key-should-never-print"
MODEL = "flux1-schnell-fp8"


@pytest.fixture(autouse=True)
def _no_env_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("SOGNI_API_KEY", "SOGNI_USERNAME", "SOGNI_PASSWORD"):
        monkeypatch.delenv(name, raising=False)


def remote(emu: Any) -> list[str]:
    return ["--api-key", SECRET, "--endpoint", emu.rest_url, "--socket-endpoint", emu.socket_url]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def _client(emu: Any) -> SogniClient:
    client = SogniClient(api_key=SECRET, rest_endpoint=emu.rest_url, socket_endpoint=emu.socket_url)
    client.connect()
    return client


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def _render(emu: Any, live: Path, count: int) -> str:
    """Create a project, wait for it, download it live; return its id."""
    client = _client(emu)
    try:
        params = ImageProjectParams(
            model_id=MODEL, positive_prompt="two lamps", steps=4, number_of_media=count
        )
        project = client.projects.create(params)
        try:
            project.wait(timeout=60)
        except JobFailedError:
            pass
        project.download(live)
        return project.id
    finally:
        client.close()


@pytest.fixture(scope="module")
def emu() -> Any:
    with Emulator.run_in_thread(seed=5, api_keys=[SECRET], faults="slow-workers=3") as emulator:
        yield emulator


def test_out_writes_the_real_files(capsys: Any, emu: Any, tmp_path: Path) -> None:
    project_id = _render(emu, tmp_path / "live", 2)
    out = tmp_path / "new" / "dir"  # created if missing
    status, stdout, err = run(
        capsys, *remote(emu), "project", project_id.lower(), "--out", str(out)
    )
    assert status == 0, err
    assert _files(out) == _files(tmp_path / "live")
    assert len(_files(out)) == 2 and all(len(b) > 100 for b in _files(out).values())
    assert sorted(stdout.split()) == sorted(str(p) for p in out.iterdir())
    assert SECRET not in stdout + err

    status, stdout, err = run(
        capsys, *remote(emu), "project", project_id, "--out", str(out), "--json"
    )
    assert status == 0, err
    row = json.loads(stdout)
    assert row["status"] == "completed" and row["missing"] == []
    assert sorted(row["files"]) == sorted(str(p) for p in out.iterdir())


def test_unfinished_project_exits_1_and_writes_nothing(
    capsys: Any, emu: Any, tmp_path: Path
) -> None:
    client = _client(emu)
    try:
        params = ImageProjectParams(model_id=MODEL, positive_prompt="slow", steps=40)
        project = client.projects.create(params)
        out = tmp_path / "out"
        status, stdout, err = run(capsys, *remote(emu), "project", project.id, "--out", str(out))
        assert status == 1 and stdout == ""
        assert f"project {project.id} is not finished yet" in " ".join(err.split())
        assert not out.exists()
        project.cancel()
    finally:
        client.close()


def test_bad_id_exits_2_before_any_io(capsys: Any, tmp_path: Path) -> None:
    with socket.socket() as listener:  # nothing may connect to it
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        listener.setblocking(False)
        url = f"http://127.0.0.1:{listener.getsockname()[1]}"
        out = tmp_path / "out"
        argv = ["--api-key", SECRET, "--endpoint", url, "project", "nope", "--out", str(out)]
        status, _, err = run(capsys, *argv)
        assert status == 2 and "invalid project_id" in err
        with pytest.raises(BlockingIOError):
            listener.accept()
        assert not out.exists()


def test_a_failed_job_is_named_and_exits_1(capsys: Any, tmp_path: Path) -> None:
    with Emulator.run_in_thread(seed=6, api_keys=[SECRET], faults="worker-error=40") as emu:
        project_id = _render(emu, tmp_path / "live", 3)
        out = tmp_path / "out"
        status, stdout, err = run(capsys, *remote(emu), "project", project_id, "--out", str(out))
    assert status == 1
    assert _files(out) == _files(tmp_path / "live") and len(_files(out)) == 2
    assert len(stdout.split()) == 2
    failed = [line for line in err.splitlines() if line.startswith("job ")]
    assert len(failed) == 1 and " failed " in failed[0] and "no file" in failed[0], err
