"""``sogni image/video --estimate`` and ``sogni project ID`` against the local emulator.

The module's emulator records every frame and REST call (``record=``), so the
tests can prove an estimate sent the quoted sizes and never a ``jobRequest``.
"""

from __future__ import annotations

import json
import socket
import uuid
from decimal import Decimal
from pathlib import Path

import pytest
from sogni_cli import main
from sogni_emulator import Emulator
from sogni_sync import SogniClient

from sogni_core.protocol.jobrequest import ImageProjectParams

SECRET = "sk-cli-EST-0b7e4c2a-key-should-never-print"
ENV_NAMES = ("SOGNI_API_KEY", "SOGNI_USERNAME", "SOGNI_PASSWORD")
ESTIMATE_KEYS = {
    "media",
    "model",
    "count",
    "network",
    "token_type",
    "token",
    "usd",
    "spark",
    "sogni",
    "estimated_render_seconds",
    "estimated_total_seconds",
    "daily_fair_use_pct",
}


@pytest.fixture(autouse=True)
def _no_env_credentials(monkeypatch):
    for name in ENV_NAMES:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="module")
def recording(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("rec") / "emulator.jsonl"


@pytest.fixture(scope="module")
def emu(recording):
    with Emulator.run_in_thread(seed=11, api_keys=[SECRET], record=recording) as emulator:
        yield emulator


class Recorded:
    """The emulator recording's entries written after a point."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.start = path.stat().st_size if path.exists() else 0

    def entries(self) -> list[dict]:
        with self.path.open("rb") as handle:
            handle.seek(self.start)
            return [json.loads(line) for line in handle.read().splitlines() if line.strip()]

    def rest_paths(self) -> list[str]:
        return [e["path"] for e in self.entries() if e.get("kind") == "rest"]

    def socket_types(self) -> list[str]:
        return [
            e["type"]
            for e in self.entries()
            if e.get("kind") == "ws" and e.get("dir") == "in" and e.get("type")
        ]


def remote(emu) -> list[str]:
    return ["--api-key", SECRET, "--endpoint", emu.rest_url, "--socket-endpoint", emu.socket_url]


def run(capsys, *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def assert_estimate_shape(row: dict) -> None:
    assert set(row) == ESTIMATE_KEYS
    assert row["token_type"] == "spark" and row["network"] == "fast"
    for key in ("token", "usd", "spark", "sogni"):
        assert isinstance(row[key], str) and Decimal(row[key]) > 0
    assert "E" not in row["spark"]  # plain decimal text, never exponent form
    render = row["estimated_render_seconds"]
    assert render is None or render > 0


# -- --estimate ---------------------------------------------------------------------------


def test_image_estimate_with_a_preset_quotes_its_size_and_creates_nothing(
    capsys, tmp_path, emu, recording
):
    seen = Recorded(recording)
    status, out, err = run(
        capsys,
        *remote(emu),
        "image",
        "a lighthouse",
        "--size",
        "portrait_7_9",
        "--estimate",
        "--json",
        "--out",
        str(tmp_path),
    )
    assert status == 0, err
    row = json.loads(out)
    assert_estimate_shape(row)
    assert row["media"] == "image" and row["model"] == "flux1-schnell-fp8" and row["count"] == 1
    # the preset's size (800x1024) went into the quote, after the preset look-up
    [path] = [p for p in seen.rest_paths() if "/job/estimate/" in p]
    assert path.endswith("/800/1024")
    assert "jobRequest" not in seen.socket_types()
    assert list(tmp_path.iterdir()) == []  # nothing rendered or saved


def test_image_estimate_with_an_explicit_size_and_count(capsys, tmp_path, emu, recording):
    seen = Recorded(recording)
    status, out, err = run(
        capsys,
        *remote(emu),
        "image",
        "a boat",
        "-n",
        "3",
        "--width",
        "640",
        "--height",
        "384",
        "--steps",
        "4",
        "--estimate",
        "--json",
        "--out",
        str(tmp_path),
    )
    assert status == 0, err
    row = json.loads(out)
    assert_estimate_shape(row)
    assert row["count"] == 3
    [path] = [p for p in seen.rest_paths() if "/job/estimate/" in p]
    segments = path.split("/")
    assert segments[-2:] == ["640", "384"]
    assert "flux1-schnell-fp8" in segments and "3" in segments and "4" in segments
    assert "jobRequest" not in seen.socket_types()
    assert list(tmp_path.iterdir()) == []


def test_more_images_cost_more(capsys, emu):
    prices = []
    for count in ("1", "4"):
        status, out, err = run(
            capsys, *remote(emu), "image", "x", "-n", count, "--estimate", "--json"
        )
        assert status == 0, err
        prices.append(Decimal(json.loads(out)["spark"]))
    assert prices[1] > prices[0]


def test_image_estimate_prints_one_human_line(capsys, emu, recording):
    seen = Recorded(recording)
    status, out, err = run(capsys, *remote(emu), "image", "a cat", "-n", "2", "--estimate")
    assert status == 0, err
    [line] = out.splitlines()
    assert line.startswith("2 images with flux1-schnell-fp8 on the fast network: ")
    # the billed token first, then the other one and USD
    assert line.index(" spark") < line.index(" sogni") < line.index(" USD")
    assert "$" in line and "render ≈" in line
    assert "jobRequest" not in seen.socket_types()


def test_video_estimate_against_the_emulator(capsys, tmp_path, emu, recording):
    seen = Recorded(recording)
    status, out, err = run(
        capsys,
        *remote(emu),
        "video",
        "waves at night",
        "--width",
        "512",
        "--height",
        "320",
        "--duration",
        "2",
        "--fps",
        "16",
        "--estimate",
        "--json",
        "--out",
        str(tmp_path),
    )
    assert status == 0, err
    row = json.loads(out)
    assert_estimate_shape(row)
    assert row["media"] == "video" and row["model"] == "wan_v2.2-14b-fp8_t2v_lightx2v"
    [path] = [p for p in seen.rest_paths() if "/job-video/estimate/" in p]
    assert "/512/320/" in path and "16" in path.split("/")
    assert "jobRequest" not in seen.socket_types()
    assert list(tmp_path.iterdir()) == []
    status, out, err = run(
        capsys,
        *remote(emu),
        "video",
        "waves",
        "--width",
        "512",
        "--height",
        "320",
        "--duration",
        "2",
        "--estimate",
    )
    assert status == 0, err
    assert out.startswith("1 video with wan_v2.2-14b-fp8_t2v_lightx2v") and "spark" in out


# -- errors before any I/O ----------------------------------------------------------------


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
        (["image", "a cat", "-n", "0", "--estimate"], "count"),
        (["image", "a cat", "--width", "512", "--estimate"], "height"),
        (["image", " ", "--estimate", "--json"], "prompt"),
        (["image", "a cat", "--json"], "json"),
        (["video", "waves", "--fps", "500", "--estimate"], "fps"),
        (["video", "waves", "--estimate", "--duration", "2"], "width"),
        (["video", "waves", "--estimate", "--width", "512", "--height", "512"], "duration"),
        (["project", "not-a-uuid"], "project_id"),
        (["project", "1234", "--json"], "project_id"),
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


def test_video_estimate_hint_names_the_options(capsys, listener):
    status, _, err = run(
        capsys, "--api-key", SECRET, "--endpoint", listener, "video", "w", "--estimate"
    )
    assert status == 2 and "--width and --height" in err


# -- sogni project ID ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def finished_project(emu) -> str:
    """A two-image project made through the SDK and rendered to the end."""
    client = SogniClient(api_key=SECRET, rest_endpoint=emu.rest_url, socket_endpoint=emu.socket_url)
    client.connect()
    try:
        project = client.projects.create(
            ImageProjectParams(
                model_id="flux1-schnell-fp8", positive_prompt="two lamps", number_of_media=2
            )
        )
        project.wait(timeout=60)
        return project.id
    finally:
        client.close()


def test_project_status_of_a_finished_project_json(capsys, emu, finished_project):
    status, out, err = run(capsys, *remote(emu), "project", finished_project, "--json")
    assert status == 0, err
    row = json.loads(out)
    assert row["id"].upper() == finished_project.upper()
    assert row["status"] == "completed" and row["finished"] is True
    assert row["jobs_total"] == 2 and row["jobs_finished"] == 2
    assert row["model"] == "flux1-schnell-fp8" and row["network"] == "fast"
    assert len(row["jobs"]) == 2 and {j["status"] for j in row["jobs"]} == {"jobCompleted"}
    assert all(j["worker"] for j in row["jobs"])
    assert row["cost"] is not None and Decimal(row["cost"]["token"]) > 0
    # the emulator's own record agrees
    record = emu.project(finished_project)
    assert {j["imgID"] for j in record["workerJobs"]} == {j["id"] for j in row["jobs"]}


def test_project_status_human_output_and_lowercase_id(capsys, emu, finished_project):
    status, out, err = run(capsys, *remote(emu), "project", finished_project.lower())
    assert status == 0, err
    lines = out.splitlines()
    assert lines[0].startswith(f"{finished_project.upper()} completed: 2/2 jobs finished")
    assert "model flux1-schnell-fp8" in lines[0] and "cost " in lines[0]
    assert len(lines) == 3 and all(line.startswith("  job ") for line in lines[1:])


def test_project_unknown_id_exits_1_with_the_code(capsys, emu):
    status, out, err = run(capsys, *remote(emu), "project", str(uuid.uuid4()))
    assert status == 1 and out == ""
    assert "error: API error (HTTP 404) [404]: Project not found" in err
    assert "Traceback" not in err and SECRET not in err


def test_project_works_with_local(capsys):
    # a fresh embedded emulator knows no project: the lookup reaches it and 404s
    status, _, err = run(capsys, "project", "--local", str(uuid.uuid4()))
    assert status == 1 and "[404]" in err
