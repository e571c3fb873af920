"""The emulator's workflow, template, chat-run and hosted routes at the HTTP level:
validation answers, SSE replay rules, faults."""

from __future__ import annotations

import json
import time
from typing import Any

import httpx
import pytest

from .conftest import API_KEY

BASE = "/v1/creative-agent/workflows"
STEP = {
    "id": "a",
    "toolName": "generate_image",
    "arguments": {"prompt": "p", "width": 16, "height": 16},
}


def _client(emu: Any) -> httpx.Client:
    return httpx.Client(base_url=emu.rest_url, headers={"api-key": API_KEY}, timeout=20)


def _sse_ids(text: str) -> list[int]:
    return [int(line[4:]) for line in text.splitlines() if line.startswith("id: ")]


def _wait_status(http: httpx.Client, wid: str, wanted: set[str]) -> dict[str, Any]:
    for _ in range(200):
        record: dict[str, Any] = http.get(f"{BASE}/{wid}").json()["data"]["workflow"]
        if record["status"] in wanted:
            return record
        time.sleep(0.02)
    raise AssertionError(f"{wid} never reached {wanted}")


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ({"input": {"steps": [STEP]}, "workflow_id": "tpl_keyframe_clip"}, "exactly one"),
        ({"input": {"steps": [{"toolName": "teleport"}]}}, "unsupported tool"),
        (
            {
                "input": {
                    "steps": [
                        dict(
                            STEP,
                            dependsOn=[
                                {
                                    "sourceStepId": "$input_media",
                                    "targetArgument": "x",
                                    "transform": "image_url",
                                }
                            ],
                        )
                    ]
                }
            },
            "needs media_references",
        ),
        (
            {
                "input": {
                    "steps": [
                        dict(
                            STEP,
                            id="a",
                            dependsOn=[
                                {
                                    "sourceStepId": "b",
                                    "targetArgument": "x",
                                    "transform": "image_url",
                                }
                            ],
                        ),
                        dict(
                            STEP,
                            id="b",
                            dependsOn=[
                                {
                                    "sourceStepId": "a",
                                    "targetArgument": "x",
                                    "transform": "image_url",
                                }
                            ],
                        ),
                    ]
                }
            },
            "cycle",
        ),
        (
            {"input": {"steps": [STEP]}, "media_references": [{"url": "data:image/png;base64,AA"}]},
            "HTTP(S)",
        ),
        ({"workflow_id": "tpl_nope"}, "not found"),
    ],
)
def test_start_is_validated(emulator_factory: Any, body: dict[str, Any], needle: str) -> None:
    with emulator_factory() as emu, _client(emu) as http:
        response = http.post(BASE, json=body)
    assert response.status_code in (400, 404)
    payload = response.json()
    assert payload["status"] == "error" and needle in payload["message"]


def test_sse_replay_after_and_last_event_id(emulator_factory: Any) -> None:
    with emulator_factory() as emu, _client(emu) as http:
        wid = http.post(BASE, json={"input": {"steps": [STEP]}}).json()["data"]["workflow"][
            "workflowId"
        ]
        full = http.get(f"{BASE}/{wid}/events/stream").text
        ids = _sse_ids(full)
        assert ids == list(range(1, len(ids) + 1)) and "retry: 200" in full
        assert full.count("retry:") == 1
        after = http.get(f"{BASE}/{wid}/events/stream", params={"after": 2}).text
        assert _sse_ids(after) == ids[2:]
        both = http.get(
            f"{BASE}/{wid}/events/stream", params={"after": 1}, headers={"Last-Event-ID": "3"}
        ).text
        assert _sse_ids(both) == ids[3:]
        last = json.loads(full.strip().split("data: ")[-1])
        assert last["type"] == "workflow_completed" and last["status"] == "completed"
        steps = [json.loads(b.split("data: ")[1]) for b in full.split("\n\n") if "data: " in b]
        assert all("status" not in e for e in steps if not e["type"].startswith("workflow_"))


def test_sse_drop_fault_truncates_the_body(emulator_factory: Any) -> None:
    with emulator_factory(faults="sse-drop=2") as emu, _client(emu) as http:
        wid = http.post(BASE, json={"input": {"steps": [STEP]}}).json()["data"]["workflow"][
            "workflowId"
        ]
        _wait_status(http, wid, {"completed"})
        got: list[str] = []
        with pytest.raises(httpx.RemoteProtocolError):
            with http.stream("GET", f"{BASE}/{wid}/events/stream") as response:
                for line in response.iter_lines():
                    got.append(line)
        assert _sse_ids("\n".join(got)) == [1, 2]
        again = http.get(f"{BASE}/{wid}/events/stream", headers={"Last-Event-ID": "2"}).text
        assert _sse_ids(again)[0] == 3  # the fault fired once


def test_slow_steps_cancel_and_reseed_rules(emulator_factory: Any) -> None:
    with emulator_factory(faults="slow-steps=40") as emu, _client(emu) as http:
        plan = {"input": {"steps": [STEP, dict(STEP, id="b")]}}
        wid = http.post(BASE, json=plan).json()["data"]["workflow"]["workflowId"]
        _wait_status(http, wid, {"running"})
        cancelled = http.post(f"{BASE}/{wid}/cancel").json()["data"]
        assert cancelled["cancelled"] is True and cancelled["workflow"]["status"] == "cancelled"
        assert cancelled["workflow"]["artifacts"] == []  # 2 s steps: nothing finished yet
        again = http.post(f"{BASE}/{wid}/cancel").json()["data"]
        assert again["cancelled"] is False
        reseed = http.post(f"{BASE}/{wid}/reseed", json={})
        assert reseed.status_code == 409
        resume = http.post(f"{BASE}/{wid}/resume", json={}).json()["data"]
        assert resume["resumed"] is False
        assert http.get(f"{BASE}/nope").status_code == 404


def test_templates_ownership(emulator_factory: Any) -> None:
    with emulator_factory() as emu, _client(emu) as http:
        base = f"{BASE}/templates"
        assert http.patch(f"{base}/tpl_keyframe_clip", json={"name": "x"}).status_code == 403
        assert http.delete(f"{base}/tpl_keyframe_clip").status_code == 403
        assert http.get(f"{base}/missing").status_code == 404
        assert http.post(base, json={"steps": []}).status_code == 400
        bad_plan = {"name": "n", "steps": [{"toolName": "teleport"}]}
        assert http.post(base, json=bad_plan).status_code == 400
        fork = http.post(f"{base}/tpl_keyframe_clip/fork", json={"name": "legacy"}).json()
        assert fork["data"]["template"]["name"] == "legacy"  # the SDK script's {name}


def test_chat_runs_and_tools(emulator_factory: Any) -> None:
    with emulator_factory() as emu, _client(emu) as http:
        missing = http.post("/v1/chat/runs", json={})
        assert missing.status_code == 400 and missing.json()["error"]["code"] == "invalid_request"
        run = http.post(
            "/v1/chat/runs",
            json={"messages": [{"role": "user", "content": "x"}]},
            headers={"Idempotency-Key": "k1"},
        ).json()["data"]["run"]
        again = http.post(
            "/v1/chat/runs",
            json={"messages": [{"role": "user", "content": "x"}]},
            headers={"Idempotency-Key": "k1"},
        ).json()["data"]
        assert again["idempotent"] is True and again["run"]["runId"] == run["runId"]
        confirm = http.post(
            f"/v1/chat/runs/{run['runId']}/confirm-cost",
            json={"tool_call_id": "c", "decision": "confirm"},
        )
        assert confirm.status_code == 409
        stream = http.get(f"/v1/chat/runs/{run['runId']}/events/stream").text
        events = [json.loads(line[6:]) for line in stream.splitlines() if line.startswith("data: ")]
        assert {"runId", "sequence", "type", "at", "payload"} <= set(events[0])
        assert events[-1]["type"] == "run_completed"
        tool = http.post(
            "/v1/creative-agent/tools/execute", json={"tool": "generate_image", "arguments": {}}
        )
        assert tool.status_code == 400
        for name, key in [
            ("compose_script", "script"),
            ("compose_instrumental", "structure"),
            ("compose_workflow", "workflow"),
            ("compose_workflow_template", "template"),
        ]:
            answer = http.post(
                "/v1/creative-agent/tools/execute",
                json={"tool": name, "arguments": {"idea": "rain"}},
            ).json()
            assert key in answer["data"]["result"], name
        bad_model = http.post(
            "/v1/chat/completions",
            json={"model": "nope", "messages": [{"role": "user", "content": "x"}], "stream": True},
        )
        assert bad_model.status_code == 404 and "error" in bad_model.json()
