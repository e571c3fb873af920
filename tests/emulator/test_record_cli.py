"""``--record`` JSON lines (secrets redacted) and the command line entry point."""

from __future__ import annotations

import json
import re
import subprocess
import sys

from sogni_emulator import Emulator
from sogni_emulator.record import REDACTED, redact

from ._signing import KEY, WALLET, nonce, sign_login
from .conftest import greet, image_request, until_completed
from .wsclient import WsClient, http_json


def test_record_format_and_redaction(tmp_path):
    path = tmp_path / "rec.jsonl"
    with Emulator.run_in_thread(seed=1, api_keys=["super-secret-key"], record=path) as emu:
        h = {"api-key": emu.api_key}
        http_json(emu.rest_url, "GET", "/v1/account/me", headers=h)
        signature = sign_login(KEY, WALLET, nonce(emu, WALLET))
        status, login = http_json(
            emu.rest_url,
            "POST",
            "/v1/account/login",
            json_body={"walletAddress": WALLET, "signature": signature},
        )
        token = login["data"]["token"]
        client = WsClient(emu.socket_url, headers=h, app_id="rec")
        greet(client)
        request = image_request()
        client.send("jobRequest", request)
        frames = client.recv_until(until_completed(request["jobID"]))
        result = next(p for t, p in frames if t == "jobResult")
        http_json(
            emu.rest_url,
            "GET",
            f"/v1/image/downloadUrl?jobId={request['jobID']}&imageId={result['imgID']}"
            "&type=complete",
            headers=h,
        )
        client.send_raw("this is not an envelope")
        client.send("changeNetwork", "fast")
        client.recv()
        client.close()
    text = path.read_text()
    assert "super-secret-key" not in text and token not in text and signature[2:] not in text
    lines = [json.loads(line) for line in text.splitlines()]
    assert all(isinstance(entry["t"], float) for entry in lines)
    kinds = {entry["kind"] for entry in lines}
    assert kinds == {"rest", "ws", "ws-open", "ws-close"}
    rest = [e for e in lines if e["kind"] == "rest"]
    assert rest[0]["method"] == "GET" and rest[0]["path"] == "/v1/account/me"
    assert rest[0]["status"] == 200 and rest[0]["response"]["status"] == "success"
    assert rest[0]["headers"]["api-key"] == REDACTED
    login_entry = next(e for e in rest if e["path"] == "/v1/account/login")
    assert login_entry["request"]["signature"] == REDACTED
    assert login_entry["response"]["data"]["token"] == REDACTED
    download = next(e for e in rest if e["path"] == "/v1/image/downloadUrl")
    assert "X-Signature=" + REDACTED in download["response"]["data"]["downloadUrl"]
    ws = [e for e in lines if e["kind"] == "ws"]
    outgoing = [e["type"] for e in ws if e["dir"] == "out"]
    assert outgoing[:5] == [
        "authenticated",
        "balanceUpdate",
        "swarmModels",
        "swarmLLMModels",
        "socketEventSubscriptionsUpdated",
    ]
    incoming = [e for e in ws if e["dir"] == "in"]
    assert incoming[0]["type"] == "jobRequest"
    assert incoming[0]["payload"]["jobID"] == request["jobID"]
    assert any(e["type"] is None and e["raw"] == "this is not an envelope" for e in incoming)
    opened = next(e for e in lines if e["kind"] == "ws-open")
    assert opened["appId"] == "rec" and opened["authenticated"] is True


def test_redact_nested():
    data = {"a": [{"refreshToken": "x", "Authorization": "y"}], "url": "u?X-Signature=abc&b=1"}
    assert redact(data) == {
        "a": [{"refreshToken": REDACTED, "Authorization": REDACTED}],
        "url": f"u?X-Signature={REDACTED}&b=1",
    }


def test_cli_ready_line_and_serving():
    with subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sogni_emulator",
            "--port",
            "0",
            "--seed",
            "1",
            "--api-key",
            "cli-key",
            "--faults",
            "rest-503=1:/nothing",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as proc:
        try:
            assert proc.stdout is not None
            line = proc.stdout.readline().rstrip("\n")
            match = re.fullmatch(
                r"sogni-emulator ready rest=http://127\.0\.0\.1:(\d+) "
                r"socket=ws://127\.0\.0\.1:(\d+) api_key=cli-key",
                line,
            )
            assert match, line
            assert match.group(1) == match.group(2) and int(match.group(1)) > 0
            rest = f"http://127.0.0.1:{match.group(1)}"
            status, body = http_json(rest, "GET", "/v1/account/me", headers={"api-key": "cli-key"})
            assert status == 200 and body["data"]["username"]
        finally:
            proc.terminate()
            proc.communicate(timeout=10)
    assert proc.returncode == 0


def test_cli_rejects_bad_fault_spec():
    proc = subprocess.run(
        [sys.executable, "-m", "sogni_emulator", "--faults", "explode"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert proc.returncode == 2 and "unknown fault" in proc.stderr and proc.stdout == ""


def test_separate_socket_port():
    with Emulator.run_in_thread(socket_port=0) as emu:
        assert emu.socket_url != emu.rest_url.replace("http", "ws")
        client = WsClient(emu.socket_url, headers={"api-key": emu.api_key})
        assert greet(client)[0][0] == "authenticated"
        client.close()
