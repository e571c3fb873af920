"""The ``sogni`` command line against the local emulator.

Most tests call ``sogni_cli.main(argv)`` in-process (capsys captures the two
consoles); one runs the installed console script and one ``python -m
sogni_cli`` as subprocesses. Commands either start their own embedded
emulator (``--local``) or talk to the module's emulator, which accepts only
a distinctive API key so the tests can prove it never reaches the output.
"""

from __future__ import annotations

import _thread
import io
import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from PIL import Image
from sogni_cli import main
from sogni_emulator import Emulator

SECRET = "sk-cli-TEST-7d1f0c9e-key-should-never-print"
OTHER_SECRET = "sk-cli-WRONG-51aa9e77-also-never-printed"
ENV_NAMES = ("SOGNI_API_KEY", "SOGNI_USERNAME", "SOGNI_PASSWORD")


@pytest.fixture(autouse=True)
def _no_env_credentials(monkeypatch):
    for name in ENV_NAMES:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="module")
def emu():
    with Emulator.run_in_thread(seed=7, api_keys=[SECRET]) as emulator:
        yield emulator


def remote(emu) -> list[str]:
    """Global options that point the CLI at the module's emulator."""
    return ["--api-key", SECRET, "--endpoint", emu.rest_url, "--socket-endpoint", emu.socket_url]


def run(capsys, *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def saved_paths(out: str) -> list[Path]:
    return [Path(line) for line in out.splitlines() if line.strip()]


# -- images and video ---------------------------------------------------------------


def test_local_image_saves_two_real_pngs(capsys, tmp_path):
    out_dir = tmp_path / "out"
    status, out, err = run(
        capsys, "image", "--local", "a cat wearing a hat", "-n", "2", "--out", str(out_dir)
    )
    assert status == 0, err
    paths = saved_paths(out)
    assert len(paths) == 2 and len(set(paths)) == 2
    assert sorted(out_dir.iterdir()) == sorted(paths)  # nothing else left behind
    for path in paths:
        assert path.name.startswith("a-cat-wearing-a-hat-") and path.suffix == ".png"
        with Image.open(path) as image:
            assert image.format == "PNG"
            image.load()
            assert image.size[0] > 0
    assert "2 images saved" in err


def test_image_options_reach_the_render(capsys, tmp_path, emu):
    status, out, err = run(
        capsys,
        *remote(emu),
        "image",
        "a red boat",
        "--width",
        "640",
        "--height",
        "384",
        "--format",
        "jpg",
        "--steps",
        "3",
        "--seed",
        "42",
        "--negative",
        "blur",
        "--out",
        str(tmp_path),
    )
    assert status == 0, err
    [path] = saved_paths(out)
    assert path.suffix == ".jpg"
    with Image.open(path) as image:
        assert image.format == "JPEG"
        assert image.size == (640, 384)


def test_size_preset_is_checked_against_the_model(capsys, tmp_path, emu):
    status, out, err = run(
        capsys, *remote(emu), "image", "x", "--size", "bogus", "--out", str(tmp_path)
    )
    assert status == 2 and out == "" and "invalid size:" in err and "portrait_7_9" in err
    assert list(tmp_path.iterdir()) == []
    status, out, err = run(
        capsys, *remote(emu), "image", "x", "--size", "portrait_7_9", "--out", str(tmp_path)
    )
    assert status == 0, err
    [path] = saved_paths(out)
    with Image.open(path) as image:
        assert image.size == (800, 1024)


def test_global_options_before_the_command(capsys, tmp_path):
    status, out, err = run(
        capsys, "--local", "image", "a fox", "--size", "square", "--out", str(tmp_path)
    )
    assert status == 0, err
    [path] = saved_paths(out)
    with Image.open(path) as image:
        assert image.size == (512, 512)


def test_local_video_is_an_mp4(capsys, tmp_path):
    status, out, err = run(
        capsys,
        "video",
        "--local",
        "ocean waves",
        "--duration",
        "1",
        "--fps",
        "16",
        "--out",
        str(tmp_path),
    )
    assert status == 0, err
    [path] = saved_paths(out)
    data = path.read_bytes()
    assert path.suffix == ".mp4" and data[4:8] == b"ftyp" and len(data) > 1000


def test_image_to_video_uploads_the_image(capsys, tmp_path, emu):
    start = tmp_path / "start.png"
    Image.new("RGB", (96, 64), "red").save(start)
    status, out, err = run(
        capsys,
        *remote(emu),
        "video",
        "it moves",
        "--image",
        str(start),
        "--duration",
        "1",
        "--out",
        str(tmp_path),
    )
    assert status == 0, err
    [path] = saved_paths(out)
    assert path.read_bytes()[4:8] == b"ftyp"


# -- information ----------------------------------------------------------------------


def test_models_json_lists_media_and_llm_models_with_workers(capsys, emu):
    status, out, err = run(capsys, *remote(emu), "models", "--json")
    assert status == 0, err
    rows = {row["id"]: row for row in json.loads(out)}
    assert rows["flux1-schnell-fp8"]["media"] == "image"
    assert rows["flux1-schnell-fp8"]["workers"] > 0
    assert any(row["media"] == "video" for row in rows.values())
    assert any(row["media"] == "llm" and row["workers"] > 0 for row in rows.values())


def test_models_follow_the_swarm(capsys, emu):
    status, out, err = run(capsys, *remote(emu), "models", "--media", "image", "--json")
    assert status == 0, err
    before = {row["id"]: row["workers"] for row in json.loads(out)}["flux1-schnell-fp8"]
    emu.set_workers("flux1-schnell-fp8", "fast", 0)
    try:
        status, out, err = run(capsys, *remote(emu), "models", "--media", "image", "--json")
    finally:
        emu.set_workers("flux1-schnell-fp8", "fast", before)
    assert status == 0, err
    rows = {row["id"]: row for row in json.loads(out)}
    assert rows["flux1-schnell-fp8"]["workers"] == 0
    assert {row["media"] for row in rows.values()} == {"image"}
    status, out, _ = run(capsys, *remote(emu), "models")
    assert status == 0 and "flux1-schnell-fp8" in out and "workers" in out


def test_balance_shows_the_server_balance(capsys, emu):
    emu.set_balance("sogni", "1234.5")
    status, out, err = run(capsys, *remote(emu), "balance", "--json")
    assert status == 0, err
    assert json.loads(out)["sogni"]["settled"] == "1234.5"
    status, out, err = run(capsys, *remote(emu), "balance")
    assert status == 0 and "1234.5" in out and "SPARK" in out


# -- chat ---------------------------------------------------------------------------------


def test_chat_prints_the_answer(capsys, emu):
    status, out, err = run(capsys, *remote(emu), "chat", "what is a diffusion model?")
    assert status == 0, err
    assert out.startswith("Emulated reply to: what is a diffusion model?")


def test_chat_stream_system_and_image(capsys, tmp_path, emu):
    picture = tmp_path / "p.jpg"
    Image.new("RGB", (32, 32), "blue").save(picture, format="JPEG")
    status, out, err = run(
        capsys,
        *remote(emu),
        "-v",
        "chat",
        "describe",
        "--stream",
        "--system",
        "be brief",
        "--image",
        str(picture),
        "--image",
        str(picture),
    )
    assert status == 0, err
    assert "Emulated reply to: describe" in out and "2 images" in out
    assert "prompt" in err and "completion tokens" in err  # -v usage line on stderr


# -- workflows ------------------------------------------------------------------------------


def test_workflow_run_follows_to_completion(capsys, tmp_path, emu):
    plan = tmp_path / "plan.json"
    plan.write_text(
        json.dumps(
            {
                "title": "one image",
                "steps": [
                    {
                        "id": "still",
                        "toolName": "generate_image",
                        "arguments": {"prompt": "a lighthouse"},
                    }
                ],
            }
        )
    )
    status, out, err = run(capsys, *remote(emu), "workflow", "run", str(plan))
    assert status == 0, err
    workflow_id, state = out.split()
    assert state == "completed"
    status, out, err = run(capsys, *remote(emu), "workflow", "watch", workflow_id)
    assert status == 0, err
    assert out.split() == [workflow_id, "completed"]


# -- errors -------------------------------------------------------------------------------


@pytest.fixture
def listener():
    """A listening socket that records whether anyone connected."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.setblocking(False)
    yield f"http://127.0.0.1:{server.getsockname()[1]}"
    try:
        conn, _ = server.accept()
    except BlockingIOError:
        pass
    else:
        conn.close()
        server.close()
        pytest.fail("the CLI connected before rejecting the parameters")
    server.close()


@pytest.mark.parametrize(
    ("argv", "field"),
    [
        (["image", "a cat", "-n", "0"], "count"),
        (["image", "a cat", "--width", "512"], "height"),
        (["image", "a cat", "--width", "8", "--height", "8"], "width"),
        (["image", "a cat", "--size", "square", "--width", "512", "--height", "512"], "size"),
        (["image", "  "], "prompt"),
        (["image", "a cat", "--steps", "0"], "steps"),
        (["image", "a cat", "--seed", "-1"], "seed"),
        (["video", "waves", "--duration", "0"], "duration"),
        (["video", "waves", "--fps", "500"], "fps"),
        (["video", "waves", "--image", "/nonexistent/start.png"], "image"),
        (["chat", "hi", "--image", "/nonexistent/x.png"], "image[0]"),
        (["chat", "hi", "--max-tokens", "0"], "max_tokens"),
        (["workflow", "run", "/nonexistent/plan.json"], "file"),
    ],
)
def test_bad_params_exit_2_naming_the_field_before_any_io(capsys, listener, argv, field):
    status, out, err = run(
        capsys, "--api-key", SECRET, "--endpoint", listener, "--connect-timeout", "2", *argv
    )
    assert status == 2
    assert out == ""
    assert f"invalid {field}:" in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_bad_workflow_file_is_rejected_before_any_io(capsys, tmp_path, listener):
    plan = tmp_path / "plan.json"
    plan.write_text("{not json")
    status, _, err = run(
        capsys, "--api-key", SECRET, "--endpoint", listener, "workflow", "run", str(plan)
    )
    assert status == 2 and "invalid file:" in err


def test_model_rule_from_the_core_exits_2(capsys, emu, tmp_path):
    status, out, err = run(
        capsys, *remote(emu), "image", "a cat", "--model", "no-such-model", "--out", str(tmp_path)
    )
    assert status == 2 and out == ""
    assert "invalid model_id:" in err


def test_usage_errors_exit_2(capsys):
    assert run(capsys, "image")[0] == 2  # missing prompt
    assert run(capsys, "image", "x", "--format", "gif")[0] == 2
    assert run(capsys, "nonsense")[0] == 2


def test_missing_credentials_mention_local_and_env(capsys):
    status, out, err = run(capsys, "balance")
    assert status == 2 and out == ""
    assert "--local" in err and "SOGNI_API_KEY" in err and "Traceback" not in err


def test_failed_job_reports_the_code_and_exits_1(capsys, emu, tmp_path):
    emu.inject("worker-error=50")
    try:
        status, out, err = run(capsys, *remote(emu), "image", "a cat", "--out", str(tmp_path))
    finally:
        emu.clear_faults()
    assert status == 1 and out == ""
    assert "error: job failed [workerError]:" in err and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


def test_partial_failure_saves_the_rest_and_exits_1(capsys, emu, tmp_path):
    emu.inject("worker-error=50")  # fires once: one of the two jobs fails
    try:
        status, out, err = run(
            capsys, *remote(emu), "image", "a cat", "-n", "2", "--out", str(tmp_path)
        )
    finally:
        emu.clear_faults()
    assert status == 1
    [path] = saved_paths(out)
    assert sorted(tmp_path.iterdir()) == [path]
    assert "workerError" in err and "job failed [partial]: 1 of 2 jobs failed" in err


def test_login_with_password_from_the_environment(capsys, emu, monkeypatch):
    password = "pw-cli-9f3e1d2c-never-printed"
    monkeypatch.setenv("SOGNI_PASSWORD", password)
    status, out, err = run(
        capsys, "--endpoint", emu.rest_url, "--username", "Alice", "-vv", "balance", "--json"
    )
    assert status == 0, err
    assert set(json.loads(out)) >= {"sogni", "spark"}
    assert password not in out + err


def test_login_without_a_password_or_terminal_exits_2(capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    status, _, err = run(capsys, "--username", "Alice", "balance")
    assert status == 2 and "SOGNI_PASSWORD" in err


def test_unreachable_endpoint_exits_1_quickly(capsys, listener):
    started = time.monotonic()
    status, _, err = run(
        capsys,
        "--connect-timeout",
        "0.5",
        "--api-key",
        SECRET,
        "--endpoint",
        "http://127.0.0.1:9",
        "balance",
    )
    assert status == 1 and "timed out" in err
    assert time.monotonic() - started < 10


def test_ctrl_c_cancels_the_remote_project(capsys, tmp_path):
    with Emulator.run_in_thread(speed=300, api_keys=[SECRET]) as slow:
        running = threading.Event()

        def interrupt_once_submitted() -> None:
            deadline = time.monotonic() + 20
            while not slow.supernet.projects and time.monotonic() < deadline:
                time.sleep(0.02)
            time.sleep(0.2)
            if running.is_set():
                _thread.interrupt_main()

        running.set()
        threading.Thread(target=interrupt_once_submitted, daemon=True).start()
        try:
            status, out, err = run(capsys, *remote(slow), "image", "slow", "--out", str(tmp_path))
        finally:
            running.clear()
        assert status == 130 and out == "" and "interrupted" in err
        [project_id] = list(slow.supernet.projects)
        deadline = time.monotonic() + 5
        while slow.project(project_id)["status"] != "cancelled" and time.monotonic() < deadline:
            time.sleep(0.05)
        assert slow.project(project_id)["status"] == "cancelled"


# -- secrets -------------------------------------------------------------------------------


def test_api_key_never_appears_in_output(capsys, emu, tmp_path, monkeypatch):
    outputs = []
    for argv in (
        [*remote(emu), "-vv", "image", "a cat", "--out", str(tmp_path)],
        [*remote(emu), "-vv", "models"],
        [*remote(emu), "-vv", "balance", "--json"],
        [*remote(emu), "-vv", "chat", "hello", "--stream"],
    ):
        status, out, err = run(capsys, *argv)
        assert status == 0, err
        outputs.append(out + err)
    assert any("DEBUG" in text for text in outputs)  # the logs really were on
    monkeypatch.setenv("SOGNI_API_KEY", SECRET)
    status, out, err = run(capsys, "--endpoint", emu.rest_url, "-vv", "balance")
    assert status == 0, err
    outputs.append(out + err)
    # a key the server refuses: a clear error, still no key
    status, out, err = run(
        capsys, "--api-key", OTHER_SECRET, "--endpoint", emu.rest_url, "-vv", "models"
    )
    assert status == 1 and "authentication failed" in err and "Traceback" not in err
    outputs.append(out + err)
    for text in outputs:
        assert SECRET not in text and OTHER_SECRET not in text
        assert SECRET[8:24] not in text


def test_local_emulator_accepts_the_given_key(capsys, tmp_path):
    status, out, err = run(capsys, "--local", "--api-key", SECRET, "-vv", "balance")
    assert status == 0, err
    assert SECRET not in out + err


# -- as a program -----------------------------------------------------------------------------


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ENV_NAMES}
    env["COLUMNS"] = "120"
    return env


def test_console_script_renders_images(tmp_path):
    script = Path(sys.executable).with_name("sogni")
    assert script.exists(), "the sogni console script is not installed (pip install -e .)"
    result = subprocess.run(
        [
            str(script),
            "image",
            "--local",
            "a cat wearing a hat",
            "-n",
            "2",
            "--out",
            str(tmp_path / "out"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        env=_env(),
    )
    assert result.returncode == 0, result.stderr
    paths = saved_paths(result.stdout)
    assert len(paths) == 2
    for path in paths:
        with Image.open(path) as image:
            assert image.format == "PNG"


def test_python_dash_m_reports_version_and_bad_params():
    result = subprocess.run(
        [sys.executable, "-m", "sogni_cli", "--version"],
        capture_output=True,
        text=True,
        timeout=60,
        env=_env(),
    )
    assert result.returncode == 0 and result.stdout.startswith("sogni ")
    result = subprocess.run(
        [sys.executable, "-m", "sogni_cli", "image", "--local", "x", "-n", "99"],
        capture_output=True,
        text=True,
        timeout=60,
        env=_env(),
    )
    assert result.returncode == 2
    assert "invalid count:" in result.stderr and "Traceback" not in result.stderr


# -- credential precedence (no I/O) ---------------------------------------------------------


def _opts(**kw):
    import argparse

    return argparse.Namespace(**{"api_key": None, "username": None, "password": None, **kw})


def test_credential_precedence(monkeypatch):
    from sogni_cli._session import CredentialsError, resolve_credentials

    monkeypatch.setenv("SOGNI_USERNAME", "envuser")
    monkeypatch.setenv("SOGNI_PASSWORD", "envpass")
    assert resolve_credentials(_opts(api_key="k-explicit")).client_kwargs() == {
        "api_key": "k-explicit"
    }
    assert resolve_credentials(_opts()).client_kwargs() == {
        "username": "envuser",
        "password": "envpass",
    }
    monkeypatch.setenv("SOGNI_API_KEY", "k-env")
    assert resolve_credentials(_opts()).client_kwargs() == {"api_key": "k-env"}
    login = resolve_credentials(_opts(username="bob", password="pw"))
    assert login.client_kwargs() == {"username": "bob", "password": "pw"}
    assert "pw" not in repr(login) and "bob" not in repr(login)
    with pytest.raises(CredentialsError, match="not both"):
        resolve_credentials(_opts(api_key="k", username="bob"))
    monkeypatch.delenv("SOGNI_USERNAME")
    with pytest.raises(CredentialsError, match="needs --username"):
        resolve_credentials(_opts(password="pw"))
