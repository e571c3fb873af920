"""Spec-driven builders/parsers over every ENDPOINTS entry, attribution headers, exports."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import msgspec
import pytest

import sogni_core.protocol.rest as rest
from sogni_core.protocol._errors import ApiStatusError, InvalidParamsError, RemoteProtocolError
from sogni_core.protocol._generated.rest import (
    ENDPOINTS,
    ChatRunConfirmCostRequest,
    SupportedModel,
    WorkflowData,
)
from sogni_core.protocol.rest import (
    ApiKeyAuth,
    Attribution,
    Hosts,
    TokenAuth,
    attribution_headers,
    endpoint,
    endpoint_request,
    parse_endpoint_response,
)

SPEC = Path(__file__).resolve().parents[2] / "spec" / "rest.toml"
HOSTS = Hosts.from_config("http://127.0.0.1:8000", "ws://127.0.0.1:9000")
KEY = ApiKeyAuth("k-secret")


def test_exports_sorted_and_complete() -> None:
    assert rest.__all__ == sorted(rest.__all__)
    public = {n for n in dir(rest) if not n.startswith("_") and n != "annotations"}
    assert set(rest.__all__) == public


def test_hosts() -> None:
    assert Hosts() == Hosts.from_config()
    assert Hosts().socket == "https://socket.sogni.ai/"
    assert HOSTS.socket == "http://127.0.0.1:9000/"
    assert HOSTS.base_for(ENDPOINTS["models_list"]) == HOSTS.socket
    assert HOSTS.base_for(ENDPOINTS["account_me"]) == HOSTS.rest


def test_spec_and_generated_table_agree() -> None:
    spec: Any = msgspec.toml.decode(SPEC.read_bytes())
    names = [e["name"] for e in spec["endpoint"]]
    assert len(names) == len(set(names))
    assert set(names) == set(ENDPOINTS)
    for raw in spec["endpoint"]:
        ep = ENDPOINTS[raw["name"]]
        assert (ep.method, ep.host, ep.path, ep.envelope) == (
            raw["method"],
            raw["host"],
            raw["path"],
            raw["envelope"],
        )
        assert raw["auth"] in ("required", "optional", "none")
        # the socket host answers raw JSON (01 §2.6)
        if ep.host == "socket":
            assert not ep.envelope and ep.method == "GET"


def _params(path: str) -> dict[str, str]:
    return {name: f"v{i}" for i, name in enumerate(re.findall(r"{(\w+)}", path))}


@pytest.mark.parametrize("name", sorted(ENDPOINTS))
def test_every_endpoint_builds(name: str) -> None:
    ep = ENDPOINTS[name]
    r = endpoint_request(name, HOSTS, path_params=_params(ep.path), auth=KEY)
    base = "http://127.0.0.1:9000" if ep.host == "socket" else "http://127.0.0.1:8000"
    expected_path = ep.path
    for key, value in _params(ep.path).items():
        expected_path = expected_path.replace("{" + key + "}", value)
    assert r.url == base + expected_path
    assert r.method == ep.method
    sends_body = ep.method in ("POST", "PATCH") and ep.meta.get("body", True)
    assert (r.body == b"{}") if sends_body else (r.body is None)
    assert (r.header("content-type") == "application/json") == bool(sends_body)
    if ep.meta.get("auth") == "none":
        assert r.header("api-key") is None
    else:
        assert r.header("api-key") == "k-secret"
    assert (r.header("accept") == "text/event-stream") == bool(ep.meta.get("stream"))


def test_refresh_endpoint_never_carries_auth() -> None:
    r = endpoint_request(
        "account_refresh_token", HOSTS, body={"refreshToken": "r"}, auth=TokenAuth("t")
    )
    assert r.header("authorization") is None


def test_workflow_cancel_has_no_body() -> None:
    r = endpoint_request("workflow_cancel", HOSTS, path_params={"workflowId": "wf 1"}, auth=KEY)
    assert r.body is None and r.header("content-type") is None
    assert r.url.endswith("/v1/creative-agent/workflows/wf%201/cancel")
    with pytest.raises(InvalidParamsError):
        endpoint_request("workflow_cancel", HOSTS, path_params={"workflowId": "x"}, body={})


def test_image_estimate_raw_segments() -> None:
    params: dict[str, str | int | float | bool] = {
        "tokenType": "spark",
        "network": "fast",
        "model": "flux1-schnell-fp8",
        "imageCount": 1,
        "stepCount": 5,
        "previewCount": 0,
        "cnEnabled": 0,
        "denoiseStrength": 0.85,
        "width": 1024,
        "height": 1024,
    }
    r = endpoint_request(
        "image_estimate_v2", HOSTS, path_params=params, query={"outputFormat": "png"}
    )
    assert r.url == (
        "http://127.0.0.1:9000/api/v2/job/estimate/spark/fast/flux1-schnell-fp8/1/5/0/0/0.85/"
        "1024/1024?outputFormat=png"
    )
    assert r.headers == ()


def test_stream_request_headers() -> None:
    r = endpoint_request(
        "chat_run_events_stream", HOSTS, path_params={"runId": "r/1"}, last_event_id=12, auth=KEY
    )
    assert r.url == "http://127.0.0.1:8000/v1/chat/runs/r%2F1/events/stream"
    assert r.headers == (
        ("Accept", "text/event-stream"),
        ("Last-Event-ID", "12"),
        ("api-key", "k-secret"),
    )
    wf = endpoint_request(
        "workflow_events_stream", HOSTS, path_params={"workflowId": "w"}, query={"after": 3}
    )
    assert wf.url.endswith("/events/stream?after=3") and wf.header("last-event-id") is None
    with pytest.raises(InvalidParamsError):
        endpoint_request("account_me", HOSTS, last_event_id=1)


def test_typed_body_and_idempotency_and_attribution() -> None:
    body = ChatRunConfirmCostRequest(tool_call_id="tc1", decision="confirm")
    r = endpoint_request(
        "chat_run_confirm_cost",
        HOSTS,
        path_params={"runId": "R"},
        body=body,
        auth=KEY,
        idempotency_key="idem-1",
        attribution=Attribution(app_source="app", operation_id="OP1"),
    )
    assert r.body == b'{"tool_call_id":"tc1","decision":"confirm"}'
    assert r.headers == (
        ("Content-Type", "application/json"),
        ("X-App-Source", "app"),
        ("X-Sogni-Operation-Scope", "top_level"),
        ("X-Sogni-Operation-Id", "OP1"),
        ("X-Sogni-Root-Operation-Id", "OP1"),
        ("Idempotency-Key", "idem-1"),
        ("api-key", "k-secret"),
    )
    with pytest.raises(InvalidParamsError):
        endpoint_request("chat_run_confirm_cost", HOSTS, path_params={"runId": "R"}, body=[1])


def test_free_form_body() -> None:
    r = endpoint_request("chat_completions", HOSTS, body={"model": "m", "stop": None}, auth=KEY)
    assert r.body == b'{"model":"m"}'
    r2 = endpoint_request("template_create", HOSTS, body=[1, 2])
    assert r2.body == b"[1,2]"
    r3 = endpoint_request(ENDPOINTS["account_me"], HOSTS, auth=KEY)
    assert r3.url == "http://127.0.0.1:8000/v1/account/me"


def test_unknown_endpoint() -> None:
    with pytest.raises(InvalidParamsError):
        endpoint("nope")
    with pytest.raises(InvalidParamsError):
        endpoint_request("nope", HOSTS)


def test_parse_endpoint_response() -> None:
    models = msgspec.json.encode(
        [{"id": "flux1", "name": "Flux", "SID": 3, "tier": "t1", "media": "image", "x": 1}]
    )
    out = parse_endpoint_response("models_list", 200, {}, models)
    assert out == (SupportedModel(id="flux1", name="Flux", sid=3, tier="t1", media="image"),)
    with pytest.raises(RemoteProtocolError):  # strict twin forbids unknown fields
        parse_endpoint_response("models_list", 200, {}, models, strict=True)
    wf = msgspec.json.encode({"status": "success", "data": {"workflow": {"workflowId": "w"}}})
    assert parse_endpoint_response(ENDPOINTS["workflow_get"], 200, {}, wf) == WorkflowData(
        workflow={"workflowId": "w"}
    )
    assert parse_endpoint_response("account_logout", 200, {}, b"") is None
    with pytest.raises(ApiStatusError):
        parse_endpoint_response("account_me", 401, {}, b"")
    raw: Any = parse_endpoint_response("replay_list", 200, {}, msgspec.json.encode({"records": []}))
    assert raw.records == ()


# ---- attribution (02 §1.3) ----------------------------------------------------------


@pytest.mark.parametrize(
    ("attribution", "expected"),
    [
        (None, ()),
        (Attribution(), ()),
        (Attribution(app_source="  my app "), (("X-App-Source", "my app"),)),
        (Attribution(app_source="x" * 129), ()),
        (Attribution(app_source="bad\x07"), ()),
        (Attribution(interaction_kind="human_ui"), (("X-Sogni-Interaction-Kind", "human_ui"),)),
        (Attribution(interaction_kind="robot"), ()),
        (
            Attribution(
                workload_kind="agent_mediated",
                agent_framework="langchain",
                agent_framework_version="0.3.1",
                agent_surface="mcp",
                agent_surface_version="1.0-beta",
                execution_mode="server",
            ),
            (
                ("X-Sogni-Workload-Kind", "agent_mediated"),
                ("X-Sogni-Agent-Framework", "langchain"),
                ("X-Sogni-Agent-Framework-Version", "0.3.1"),
                ("X-Sogni-Agent-Surface", "mcp"),
                ("X-Sogni-Agent-Surface-Version", "1.0-beta"),
                ("X-Sogni-Execution-Mode", "server"),
            ),
        ),
        # framework dropped for non-agent workloads; bad version dropped
        (
            Attribution(workload_kind="direct", agent_framework="x", agent_surface_version="v1"),
            (("X-Sogni-Workload-Kind", "direct"),),
        ),
        # child scope inferred from a parent
        (
            Attribution(operation_id="B", parent_operation_id="A"),
            (
                ("X-Sogni-Operation-Scope", "child"),
                ("X-Sogni-Operation-Id", "B"),
                ("X-Sogni-Parent-Operation-Id", "A"),
            ),
        ),
        # child with a root but no parent: the root is the parent
        (
            Attribution(operation_id="B", root_operation_id="R"),
            (
                ("X-Sogni-Operation-Scope", "child"),
                ("X-Sogni-Operation-Id", "B"),
                ("X-Sogni-Root-Operation-Id", "R"),
                ("X-Sogni-Parent-Operation-Id", "R"),
            ),
        ),
        # top_level forces root = operation and drops parent
        (
            Attribution(operation_scope="top_level", operation_id="C", parent_operation_id="P"),
            (
                ("X-Sogni-Operation-Scope", "top_level"),
                ("X-Sogni-Operation-Id", "C"),
                ("X-Sogni-Root-Operation-Id", "C"),
            ),
        ),
        # invalid lineage ids dropped
        (Attribution(operation_id=" bad", root_operation_id="-x"), ()),
    ],
)
def test_attribution_headers(
    attribution: Attribution | None, expected: tuple[tuple[str, str], ...]
) -> None:
    assert attribution_headers(attribution) == expected


def test_attribution_fallback_operation_id() -> None:
    with_workload = Attribution(workload_kind="direct")
    assert attribution_headers(with_workload, fallback_operation_id="OP-9") == (
        ("X-Sogni-Workload-Kind", "direct"),
        ("X-Sogni-Operation-Scope", "top_level"),
        ("X-Sogni-Operation-Id", "OP-9"),
        ("X-Sogni-Root-Operation-Id", "OP-9"),
    )
    # app source / interaction kind alone are not workload attribution
    only_app = Attribution(app_source="app", interaction_kind="service")
    assert attribution_headers(only_app, fallback_operation_id="OP-9") == (
        ("X-App-Source", "app"),
        ("X-Sogni-Interaction-Kind", "service"),
    )
    # an explicit id wins; an invalid fallback is dropped
    explicit = Attribution(operation_id="OWN", workload_kind="direct")
    assert ("X-Sogni-Operation-Id", "OWN") in attribution_headers(
        explicit, fallback_operation_id="OP-9"
    )
    assert attribution_headers(with_workload, fallback_operation_id="bad id") == (
        ("X-Sogni-Workload-Kind", "direct"),
    )
    r = endpoint_request(
        "tools_execute",
        HOSTS,
        body={"tool": "enhance_prompt", "arguments": {}},
        attribution=with_workload,
        operation_id="OP-7",
    )
    assert r.header("x-sogni-operation-id") == "OP-7"
