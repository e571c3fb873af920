"""The remaining branches of sogni_core.workflows, through its public functions."""

from __future__ import annotations

import json
from typing import Any, cast

import pytest

from sogni_core.protocol._errors import ApiStatusError, InvalidParamsError, RemoteProtocolError
from sogni_core.protocol.rest import ApiKeyAuth, Attribution, Hosts
from sogni_core.workflows import (
    ChatRunEventStream,
    HostedChatStream,
    StreamState,
    WorkflowEventStream,
    WorkflowInput,
    WorkflowStep,
    WorkflowStreamEvent,
    chat_run_request,
    check_external_media,
    hosted_completion_request,
    parse_chat_run,
    parse_hosted_completion,
    parse_template_delete,
    parse_tool_execution,
    parse_workflow,
    parse_workflow_events,
    parse_workflow_list,
    plan_to_wire,
    start_workflow_request,
    template_request,
    tool_execution_request,
    validate_plan,
)

HOSTS = Hosts(rest="https://api.example")
AUTH = ApiKeyAuth("k")


def _ok(data: Any) -> bytes:
    return json.dumps({"status": "success", "data": data}).encode()


def test_bodies_and_attribution() -> None:
    with pytest.raises(InvalidParamsError, match="not JSON-encodable"):
        start_workflow_request(HOSTS, auth=AUTH, workflow_id="t", inputs={"x": object()})
    attributed = start_workflow_request(
        HOSTS,
        auth=AUTH,
        workflow_id="t",
        app_source="app",
        attribution=Attribution(workload_kind="direct"),
        operation_id="OP",
    )
    assert attributed.header("X-App-Source") == "app"
    assert attributed.header("X-Sogni-Workload-Kind") == "direct"
    own = Attribution(app_source="mine")
    kept = tool_execution_request(
        HOSTS, auth=AUTH, tool="t", arguments={}, app_source="app", attribution=own
    )
    assert kept.header("X-App-Source") == "mine"
    unchecked = start_workflow_request(HOSTS, auth=AUTH, input={"steps": []}, validate=False)
    assert json.loads(unchecked.body or b"") == {"input": {"steps": []}}
    with pytest.raises(InvalidParamsError):
        plan_to_wire([1, 2])  # type: ignore[arg-type]
    typed = WorkflowInput(steps=(WorkflowStep(tool_name="generate_image"),))
    assert plan_to_wire(typed) == {"steps": [{"toolName": "generate_image", "arguments": {}}]}


def test_plan_edge_rules() -> None:
    for plan, field in [
        ({"steps": [3]}, "input.steps[0]"),
        (
            {"steps": [{"id": "a", "toolName": "x", "dependsOn": [3]}]},
            "input.steps[0].dependsOn[0]",
        ),
        (
            {"steps": [{"id": "a", "toolName": "x", "dependsOn": [{"sourceStepId": ""}]}]},
            "input.steps[0].dependsOn[0].sourceStepId",
        ),
    ]:
        with pytest.raises(InvalidParamsError) as info:
            validate_plan(cast(Any, plan))
        assert info.value.field == field
    dep = {
        "sourceStepId": "$input_media",
        "targetArgument": "a",
        "transform": "image_url",
        "mediaType": "video",
    }
    refs = ["not-a-mapping", {"type": "video", "url": "https://x/v.mp4"}, {"url": "https://x/u"}]
    validate_plan({"steps": [{"toolName": "x", "dependsOn": [dep]}]}, media_references=refs)
    check_external_media(["skip", {"url": "  "}, {"dataUri": " "}])  # nothing offending


def test_workflow_parser_shapes() -> None:
    with pytest.raises(RemoteProtocolError, match="unexpected workflow shape"):
        parse_workflow(200, [], _ok({"workflow": {"status": "x"}}))
    assert (
        parse_workflow_list(200, [], _ok({"workflows": [{"workflowId": "a"}]}))[0].workflow_id
        == "a"
    )
    assert (
        parse_workflow_events(200, [], _ok({"events": [{"sequence": 1, "type": "t"}]}))[0].sequence
        == 1
    )


def test_template_request_errors() -> None:
    cases: list[tuple[str, dict[str, Any], str]] = [
        ("explode", {}, "action"),
        ("create", {}, "template"),
        ("get", {}, "template_id"),
    ]
    for action, kwargs, field in cases:
        with pytest.raises(InvalidParamsError) as info:
            template_request(action, HOSTS, auth=AUTH, **kwargs)
        assert info.value.field == field
    fork = template_request("fork", HOSTS, "t", auth=AUTH)
    assert fork.body == b"{}"
    from sogni_core.workflows import WorkflowTemplate

    typed = template_request(
        "update", HOSTS, "t", auth=AUTH, body=WorkflowTemplate(id="t", name="n")
    )
    assert json.loads(typed.body or b"") == {"id": "t", "name": "n"}
    parse_template_delete(200, [], _ok({"deleted": True, "id": "t"}))
    with pytest.raises(ApiStatusError) as failed:
        parse_template_delete(404, [], b"not json")
    assert (failed.value.status, failed.value.code) == (404, 0)


def test_chat_run_request_edges() -> None:
    for action, run_id, params, field in [
        ("create", None, {"messages": []}, "messages"),
        ("explode", "r", {}, "action"),
        ("get", "", {}, "run_id"),
        ("confirm_cost", "r", {"decision": "confirm"}, "tool_call_id"),
        (
            "create",
            None,
            {
                "messages": [{"role": "user"}],
                "media_references": [{"url": "https://ok"}, {"data_uri": "x"}],
            },
            "mediaReferences[1].data_uri",
        ),
        (
            "create",
            None,
            {
                "messages": ["text", {"content": [3, {"image_url": "x"}]}],
                "media_context": {"images": ["data:x"]},
            },
            "mediaContext.images[0]",
        ),
    ]:
        with pytest.raises(InvalidParamsError) as info:
            chat_run_request(action, HOSTS, run_id, auth=AUTH, params=cast(Any, params))
        assert info.value.field == field
    assert chat_run_request("get", HOSTS, "r", auth=AUTH).url.endswith("/v1/chat/runs/r")
    cancel = chat_run_request("cancel", HOSTS, "r", auth=AUTH, params={"reason": "bored"})
    assert json.loads(cancel.body or b"") == {"reason": "bored"}


def test_chat_run_parse_edges() -> None:
    with pytest.raises(RemoteProtocolError, match="data.run"):
        parse_chat_run(200, [], _ok({"run": 3}))
    with pytest.raises(ApiStatusError) as plain:
        parse_chat_run(500, [], b"oops")
    assert not hasattr(plain.value, "error_type")
    with pytest.raises(ApiStatusError) as empty:
        parse_chat_run(503, [], b"")
    assert empty.value.status == 503
    with pytest.raises(ApiStatusError, match="flat failure"):
        parse_chat_run(402, [], b'{"error":"x","error_message":"flat failure"}')


def test_hosted_request_edges() -> None:
    for kwargs, field in [({"model": ""}, "model"), ({"messages": []}, "messages")]:
        args: dict[str, Any] = {"model": "m", "messages": [{}], **cast(Any, kwargs)}
        with pytest.raises(InvalidParamsError) as info:
            hosted_completion_request(HOSTS, auth=AUTH, **args)
        assert info.value.field == field
    full = hosted_completion_request(
        HOSTS,
        auth=AUTH,
        model="m",
        messages=[{}],
        tools=[{"type": "function"}],
        media_references=[{"url": "https://x"}],
        api_media_references=[{"id": 1}],
        chat_template_kwargs={"a": 1},
        think=False,
        response_format={"type": "json_object"},
        sogni_tools=False,
    )
    body = json.loads(full.body or b"")
    assert body["chat_template_kwargs"] == {"a": 1} and body["sogni_tools"] is False
    assert body["api_media_references"] == [{"id": 1}]
    for kwargs, field in [({"tool": ""}, "tool"), ({"arguments": []}, "arguments")]:
        targs: dict[str, Any] = {"tool": "t", "arguments": {}, **cast(Any, kwargs)}
        with pytest.raises(InvalidParamsError) as info:
            tool_execution_request(HOSTS, auth=AUTH, **targs)
        assert info.value.field == field
    assert parse_tool_execution(200, [], _ok({"tool": "t", "result": {"a": 1}})).tool == "t"
    with pytest.raises(RemoteProtocolError):
        parse_tool_execution(200, [], b'{"status":"success"}')
    with pytest.raises(ApiStatusError):
        parse_tool_execution(400, [], b'{"status":"error","message":"no"}')
    with pytest.raises(ApiStatusError) as err:
        parse_hosted_completion(429, [("Retry-After", "2")], b'{"message":"slow down"}')
    assert err.value.retry_after == 2.0


def test_hosted_stream_edges() -> None:
    stream = HostedChatStream()
    with pytest.raises(RemoteProtocolError, match="not JSON"):
        stream.feed(b"data: {oops\n\n")
    with pytest.raises(RemoteProtocolError, match="unknown"):
        HostedChatStream().feed(b'data: {"error":{"code":1}}\n\n')
    with pytest.raises(RemoteProtocolError, match="chunk shape"):
        HostedChatStream().feed(b'data: {"choices":[]}\n\n')
    ok = HostedChatStream()
    ok.feed(
        b'data: {"id":"a","created":5,"creative_workflows":[{"workflowId":"w"}],'
        b'"sogni_tool_results":[{"tool":"t"}],"choices":[{"delta":{"tool_calls":[{}]}}]}\n\n'
    )
    ok.feed(b"data:\n\n")
    assert ok.finish() == []
    result = ok.result()
    assert result.created == 5 and result.creative_workflows == ({"workflowId": "w"},)
    assert result.choices[0]["message"]["tool_calls"][0]["function"] == {
        "name": "",
        "arguments": "",
    }
    assert result.choices[0]["message"]["content"] is None and ok.content == ""


def test_stream_edges() -> None:
    frame = WorkflowStreamEvent(event="m", data={"sequence": "x"})
    assert frame.workflow_event() is None
    assert WorkflowStreamEvent(event="m", data={"type": "t"}).workflow_event() is not None
    machine = WorkflowEventStream("wf", idle_timeout=7.0)
    assert machine.idle_timeout == 7.0
    machine.next_request(HOSTS, AUTH, 0.0)
    assert machine.receive_eof(now=1.0) == []  # closed before any response: a drop
    assert machine.state is StreamState.BACKOFF
    machine.stream_failed(now=1.0)  # already backing off: no-op
    assert machine.reconnect_at == 2.0
    machine.next_request(HOSTS, AUTH, 2.0)
    machine.receive_response(200, now=2.0)
    machine.receive_data(b'data: {"sequence": 1}\n\ndata: \xe2\x82', now=2.0)
    assert machine.receive_eof(now=3.0) == []  # cut inside a UTF-8 sequence
    assert machine.last_event_id == "1"
    machine.close()
    assert machine.state.value == "done"
    runs = ChatRunEventStream("r")
    runs.next_request(HOSTS, AUTH, 0.0)
    runs.receive_response(200, now=0.0)
    assert runs.receive_data(b'data: {"sequence": "bad"}\n\ndata: nope\n\n', now=0.0) == []
    with pytest.raises(RemoteProtocolError):
        runs.receive_data(b"data: \xff\n\n", now=0.0)
    runs.close()  # ERROR stays ERROR
    assert runs.state is StreamState.ERROR


def test_last_branches() -> None:
    from sogni_core.workflows import parse_template_page

    assert parse_template_page(200, [], b"[1, 2]").templates == ()
    request = chat_run_request(
        "create",
        HOSTS,
        auth=AUTH,
        params={"messages": [{"role": "user", "content": "hi"}], "media_references": ["x"]},
    )
    assert json.loads(request.body or b"")["media_references"] == ["x"]
    plain = HostedChatStream()
    plain.feed(b'data: {"id":"a","choices":[{"delta":{"content":"hi"}}]}\n\n')
    assert "tool_calls" not in plain.result().choices[0]["message"]
    dep = {"sourceStepId": "$input_media", "targetArgument": "a", "transform": "image_url"}
    validate_plan(
        {"steps": [{"toolName": "x", "dependsOn": [dep]}]},
        media_references=[{"url": "https://x/a"}],
    )
    machine = WorkflowEventStream("wf")
    machine.next_request(HOSTS, AUTH, 0.0)
    machine.receive_response(200, now=0.0)
    # a boolean "sequence" is no key: the event passes through un-deduplicated
    events = machine.receive_data(b'data: {"sequence": true}\n\n' * 2, now=0.0)
    assert len(events) == 2 and machine.last_event_id is None


def test_terminal_event_without_final_blank_line() -> None:
    machine = WorkflowEventStream("wf")
    machine.next_request(HOSTS, AUTH, 0.0)
    machine.receive_response(200, now=0.0)
    assert machine.receive_data(b'id: 1\ndata: {"sequence": 1, "status": "failed"}', now=0.0) == []
    events = machine.receive_eof(now=0.0)
    assert [e.status for e in events] == ["failed"] and machine.state is StreamState.DONE
