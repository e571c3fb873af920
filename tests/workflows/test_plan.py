"""Plan validation (field-named errors) and the SDK-exact request bodies."""

from __future__ import annotations

import json
from typing import Any

import msgspec
import pytest

from sogni_core.protocol._errors import ApiStatusError, InvalidParamsError, RemoteProtocolError
from sogni_core.protocol.rest import ApiKeyAuth, Attribution, Hosts
from sogni_core.workflows import (
    ChatRunError,
    HostedChatStream,
    WorkflowBuilder,
    bind,
    chat_run_request,
    hosted_completion_request,
    parse_chat_run,
    parse_hosted_completion,
    parse_reseed,
    parse_resume,
    parse_template,
    parse_template_page,
    parse_workflow,
    start_workflow_request,
    template_request,
    tool_execution_request,
    validate_plan,
    workflow_request,
)

HOSTS = Hosts(rest="https://api.example")
AUTH = ApiKeyAuth("secret-key")


def _step(sid: str | None, tool: str = "generate_image", deps: Any = None) -> dict[str, Any]:
    step: dict[str, Any] = {"toolName": tool, "arguments": {"prompt": "x"}}
    if sid is not None:
        step["id"] = sid
    if deps is not None:
        step["dependsOn"] = deps
    return step


def _dep(source: str, **kw: Any) -> dict[str, Any]:
    return {
        "sourceStepId": source,
        "targetArgument": "referenceImageIndices",
        "transform": "image_index",
        **kw,
    }


@pytest.mark.parametrize(
    ("plan", "media", "field"),
    [
        ({"steps": []}, None, "input.steps"),
        ({"steps": [{"arguments": {}}]}, None, "input.steps[0].toolName"),
        (
            {"steps": [{"toolName": "generate_image", "arguments": 3}]},
            None,
            "input.steps[0].arguments",
        ),
        ({"steps": [_step("a"), _step("a")]}, None, "input.steps[1].id"),
        ({"steps": [_step("$input_media")]}, None, "input.steps[0].id"),
        ({"steps": [_step("")]}, None, "input.steps[0].id"),
        (
            {"steps": [_step("a", deps=[_dep("b")])]},
            None,
            "input.steps[0].dependsOn[0].sourceStepId",
        ),
        (
            {"steps": [_step("a", deps=[_dep("a")])]},
            None,
            "input.steps[0].dependsOn[0].sourceStepId",
        ),
        (
            {"steps": [_step("a"), _step("b", deps=[_dep("a", transform="blur")])]},
            None,
            "input.steps[1].dependsOn[0].transform",
        ),
        (
            {"steps": [_step("a"), _step("b", deps=[_dep("a", targetArgument="")])]},
            None,
            "input.steps[1].dependsOn[0].targetArgument",
        ),
        (
            {"steps": [_step("a"), _step("b", deps=[_dep("a", sourceArtifactIndex=-1)])]},
            None,
            "input.steps[1].dependsOn[0].sourceArtifactIndex",
        ),
        (
            {"steps": [_step("a"), _step("b", deps=[_dep("a", sourceArtifactIndex=True)])]},
            None,
            "input.steps[1].dependsOn[0].sourceArtifactIndex",
        ),
        (
            {"steps": [_step("a"), _step("b", deps=[_dep("a", mediaType="text")])]},
            None,
            "input.steps[1].dependsOn[0].mediaType",
        ),
        (
            {"steps": [_step("a", deps=[_dep("$input_media")])]},
            None,
            "input.steps[0].dependsOn[0].sourceStepId",
        ),
        (
            {
                "steps": [
                    _step(
                        "a", deps=[_dep("$input_media", sourceArtifactIndex=1, mediaType="image")]
                    )
                ]
            },
            [{"kind": "image", "url": "https://x/a.png"}, {"kind": "audio", "url": "https://x/b"}],
            "input.steps[0].dependsOn[0].sourceArtifactIndex",
        ),
        (
            {
                "steps": [
                    _step("a", deps=[_dep("b")]),
                    _step("b", deps=[_dep("c")]),
                    _step("c", deps=[_dep("a")]),
                ]
            },
            None,
            "input.steps[2].dependsOn",
        ),
        ({"steps": [_step("a", deps="b")]}, None, "input.steps[0].dependsOn"),
    ],
)
def test_validation_errors(plan: Any, media: Any, field: str) -> None:
    with pytest.raises(InvalidParamsError) as info:
        validate_plan(plan, media_references=media)
    assert info.value.field == field


def test_cycle_message_names_steps() -> None:
    plan = {"steps": [_step("a", deps=[_dep("b")]), _step("b", deps=[_dep("a")])]}
    with pytest.raises(InvalidParamsError, match="a -> b -> a|b -> a -> b"):
        validate_plan(plan)


def test_valid_plans() -> None:
    validate_plan({"steps": [_step(None)]})
    # forward references are fine as long as there is no cycle
    validate_plan({"steps": [_step("b", deps=[_dep("a")]), _step("a")]})
    media = [{"kind": "image", "url": "https://x/a.png"}, {"kind": "image", "url": "https://x/b"}]
    validate_plan(
        {
            "steps": [
                _step("a", deps=[_dep("$input_media", sourceArtifactIndex=1, mediaType="image")])
            ]
        },
        media_references=media,
    )


def test_builder_and_wire_casing() -> None:
    plan = (
        WorkflowBuilder("Keyframe to clip")
        .step("keyframe", "generate_image", {"prompt": "a lighthouse", "model": "gpt-image-2"})
        .step(
            "clip",
            "generate_video",
            {"prompt": "waves", "videoModel": "ltx23", "duration": 5},
            depends_on=[
                bind(
                    "keyframe",
                    "referenceImageIndices",
                    "image_index",
                    index=0,
                    media_type="image",
                    required=True,
                )
            ],
        )
        .build()
    )
    request = start_workflow_request(
        HOSTS,
        auth=AUTH,
        input=plan,
        token_type="spark",
        confirm_cost=False,
        idempotency_key="idem-1",
        app_source="my-app",
        operation_id="OP-1",
    )
    body = json.loads(request.body or b"")
    assert list(body) == ["input", "token_type", "app_source", "confirm_cost"]
    step = body["input"]["steps"][1]
    assert list(step) == ["id", "toolName", "arguments", "dependsOn"]
    assert step["dependsOn"] == [
        {
            "sourceStepId": "keyframe",
            "targetArgument": "referenceImageIndices",
            "transform": "image_index",
            "sourceArtifactIndex": 0,
            "mediaType": "image",
            "required": True,
        }
    ]
    assert request.header("Idempotency-Key") == "idem-1"
    assert request.header("X-App-Source") == "my-app"
    assert request.header("api-key") == "secret-key"
    assert "secret-key" not in repr(request)
    with pytest.raises(InvalidParamsError):
        WorkflowBuilder().build()


def test_start_body_order_and_pass_through() -> None:
    plan = {
        "steps": [
            {
                "toolName": "generate_image",
                "arguments": {"prompt": "p", "seed": None},
                "custom": {"keep": True},
            }
        ]
    }
    request = start_workflow_request(
        HOSTS,
        auth=AUTH,
        input=plan,
        billing_mode="tokens",
        max_estimated_capacity_units=0,
        safe_content_filter=False,
        media_references=[{"kind": "image", "url": "https://x/y"}],
        token_type="sogni",
        app_source="a",
        confirm_cost=True,
    )
    body = json.loads(request.body or b"")
    assert list(body) == [
        "input",
        "token_type",
        "billing_mode",
        "app_source",
        "max_estimated_capacity_units",
        "confirm_cost",
        "safe_content_filter",
        "media_references",
    ]
    assert body["input"] == plan  # nested null and unknown keys kept as given
    templated = start_workflow_request(
        HOSTS, auth=AUTH, workflow_id="tpl_1", inputs={"prompt": "p"}
    )
    assert json.loads(templated.body or b"") == {"workflow_id": "tpl_1", "inputs": {"prompt": "p"}}


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({}, "input"),
        ({"input": {"steps": [_step("a")]}, "workflow_id": "t"}, "workflow_id"),
        (
            {"workflow_id": "t", "media_references": [{"url": "data:image/png;base64,AA"}]},
            "mediaReferences[0].url",
        ),
        (
            {"workflow_id": "t", "media_references": [{"url": "ftp://x"}, {"dataUri": "x"}]},
            "mediaReferences[0].url",
        ),
    ],
)
def test_start_errors(kwargs: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidParamsError) as info:
        start_workflow_request(HOSTS, auth=AUTH, **kwargs)
    assert info.value.field == field


def test_inline_media_message_lists_every_path() -> None:
    with pytest.raises(
        InvalidParamsError,
        match=r"mediaReferences\[0\].url, mediaReferences\[1\]"
        r".dataUri, mediaReferences\[1\].data_uri",
    ):
        start_workflow_request(
            HOSTS,
            auth=AUTH,
            workflow_id="t",
            media_references=[
                {"url": " DATA:x"},
                {"url": "https://ok", "dataUri": "a", "data_uri": "b"},
            ],
        )


def test_other_workflow_calls() -> None:
    assert workflow_request("list", HOSTS, auth=AUTH, limit=5).url.endswith("workflows?limit=5")
    assert workflow_request("list", HOSTS, auth=AUTH).url.endswith("/workflows")
    cancel = workflow_request("cancel", HOSTS, "a b", auth=AUTH)
    assert cancel.body is None and cancel.header("Content-Type") is None
    assert cancel.url.endswith("/workflows/a%20b/cancel")
    reseed = workflow_request(
        "reseed",
        HOSTS,
        "w",
        auth=AUTH,
        seed_overrides={"s": 1},
        billing_mode="auto",
        idempotency_key="k",
    )
    assert json.loads(reseed.body or b"") == {"seed_overrides": {"s": 1}, "billing_mode": "auto"}
    assert reseed.header("Idempotency-Key") == "k"
    resume = workflow_request(
        "resume",
        HOSTS,
        "w",
        auth=AUTH,
        app_source="app",
        attribution=Attribution(workload_kind="direct"),
        operation_id="OP",
    )
    assert json.loads(resume.body or b"") == {"app_source": "app"}
    assert resume.header("X-Sogni-Operation-Id") == "OP"
    with pytest.raises(InvalidParamsError):
        workflow_request("get", HOSTS, "", auth=AUTH)
    with pytest.raises(InvalidParamsError):
        workflow_request("explode", HOSTS, "w", auth=AUTH)


def _ok(data: Any) -> bytes:
    return json.dumps({"status": "success", "data": data}).encode()


def test_workflow_parsers() -> None:
    record = {
        "workflowId": "w",
        "status": "completed",
        "artifacts": [{"id": "a", "url": "u"}],
        "extra": 1,
    }
    parsed = parse_workflow(200, [], _ok({"workflow": record}))
    assert parsed.workflow_id == "w" and parsed.artifacts[0].url == "u"
    with pytest.raises(RemoteProtocolError, match="did not include data.workflow"):
        parse_workflow(200, [], _ok({"other": 1}))
    with pytest.raises(RemoteProtocolError, match="did not include data$"):
        parse_workflow(200, [], b'{"status":"success"}')
    with pytest.raises(ApiStatusError) as info:
        parse_workflow(409, [], b'{"status":"error","message":"busy","errorCode":7}')
    assert (info.value.status, info.value.message, info.value.code) == (409, "busy", 7)
    assert parse_resume(200, [], _ok({"workflow": record, "resumed": 1})).resumed is False
    assert parse_resume(200, [], _ok({"workflow": record, "resumed": True})).resumed is True
    reseed = parse_reseed(
        200,
        [],
        _ok(
            {
                "workflow": record,
                "reseed": {"cloned_from_run_id": "old", "steps": [{"stepId": "a"}]},
            }
        ),
    )
    assert (reseed.cloned_from_run_id, len(reseed.steps)) == ("old", 1)
    assert parse_reseed(200, [], _ok({"workflow": record})).cloned_from_run_id == ""


def test_templates() -> None:
    q = template_request("list", HOSTS, auth=AUTH, visibility="own", offset=2.7, limit=999)
    assert q.url.endswith("/templates?visibility=own&offset=2&limit=200")
    assert template_request("list", HOSTS, auth=AUTH, limit=0, offset=-1).url.endswith("/templates")
    create = template_request("create", HOSTS, auth=AUTH, body={"name": "n", "x": None})
    assert json.loads(create.body or b"") == {"name": "n", "x": None}
    assert create.header("X-App-Source") is None
    get = template_request("get", HOSTS, "t/1", auth=AUTH)
    assert get.url.endswith("/templates/t%2F1") and get.body is None
    page = parse_template_page(
        200,
        [],
        _ok({"templates": [{"id": "a", "name": "A"}, {"id": 1, "name": "bad"}], "next": 20}),
    )
    assert [t.id for t in page.templates] == ["a"] and page.next_cursor == 20
    assert parse_template(200, [], b'{"template":{"id":"a","name":"A"}}').name == "A"
    with pytest.raises(ApiStatusError, match="create response missing template field") as info:
        parse_template(200, [], _ok({}), action="create")
    assert info.value.status == 500
    assert parse_template_page(200, [], b"<html>500</html>").templates == ()
    with pytest.raises(ApiStatusError) as err:
        parse_template(401, [], b'{"status":"error","errorCode":101,"message":"Authorization"}')
    assert (err.value.status, err.value.code) == (401, 101)


def test_chat_runs() -> None:
    create = chat_run_request(
        "create",
        HOSTS,
        auth=AUTH,
        params={
            "messages": [{"role": "user", "content": "hi"}],
            "runtime_config": {"requireJobConfirmation": True},
            "tool_choice": None,
            "confirm_cost": False,
            "token_type": "spark",
            "model": "m",
        },
        app_source="a",
        idempotency_key="k",
    )
    assert list(json.loads(create.body or b"")) == [
        "messages",
        "model",
        "confirm_cost",
        "token_type",
        "app_source",
        "runtime_config",
    ]
    assert create.header("Idempotency-Key") == "k"
    confirm = chat_run_request(
        "confirm_cost",
        HOSTS,
        "r",
        auth=AUTH,
        params={"tool_call_id": "c", "decision": "confirm", "accepted_cost_preview": {"x": 1}},
    )
    assert json.loads(confirm.body or b"") == {
        "tool_call_id": "c",
        "decision": "confirm",
        "acceptedCostPreview": {"x": 1},
    }
    assert json.loads(chat_run_request("cancel", HOSTS, "r", auth=AUTH).body or b"") == {}
    with pytest.raises(InvalidParamsError) as info:
        chat_run_request(
            "create",
            HOSTS,
            auth=AUTH,
            params={
                "messages": [
                    {
                        "role": "user",
                        "content": [{"type": "image_url", "image_url": {"url": "data:x"}}],
                    }
                ]
            },
        )
    assert info.value.field == "messages[0].content[0].image_url.url"
    with pytest.raises(InvalidParamsError) as info:
        chat_run_request(
            "confirm_cost", HOSTS, "r", auth=AUTH, params={"tool_call_id": "c", "decision": "maybe"}
        )
    assert info.value.field == "decision"
    run = parse_chat_run(202, [], _ok({"run": {"runId": "r", "status": "queued"}}))
    assert run.run_id == "r"
    body = b'{"message":"no plan","error":{"type":"subscription_unavailable","code":"4078"}}'
    with pytest.raises(ChatRunError) as chat:
        parse_chat_run(402, [], body)
    assert (chat.value.message, chat.value.code, chat.value.error_type) == (
        "no plan",
        "4078",
        "subscription_unavailable",
    )


def test_hosted_completion_body() -> None:
    request = hosted_completion_request(
        HOSTS,
        auth=AUTH,
        model="m",
        messages=[{"role": "user", "content": "hi"}],
        think=True,
        sogni_tools="rich",
        sogni_tool_execution=True,
        billing_mode="auto",
        token_type="spark",
        temperature=0.5,
        stop=["x"],
        safe_content_filter=False,
    )
    body = json.loads(request.body or b"")
    assert list(body) == [
        "model",
        "messages",
        "temperature",
        "stop",
        "token_type",
        "billingMode",
        "sogni_tools",
        "sogni_tool_execution",
        "safe_content_filter",
        "chat_template_kwargs",
    ]
    assert body["sogni_tools"] == "creative-tools"
    assert body["chat_template_kwargs"] == {"enable_thinking": True}
    streamed = hosted_completion_request(
        HOSTS, auth=AUTH, model="m", messages=[{}], stream=True, sogni_tools="creative-agent"
    )
    assert json.loads(streamed.body or b"")["stream"] is True
    assert streamed.header("Accept") == "text/event-stream"
    for bad in ({"sogni_tools": "all"}, {"top_q": 1}):
        with pytest.raises(InvalidParamsError):
            hosted_completion_request(HOSTS, auth=AUTH, model="m", messages=[{}], **bad)
    tool = tool_execution_request(
        HOSTS, auth=AUTH, tool="enhance_prompt", arguments={"prompt": "p"}, token_type="auto"
    )
    assert json.loads(tool.body or b"") == {
        "tool": "enhance_prompt",
        "arguments": {"prompt": "p"},
        "token_type": "auto",
    }
    with pytest.raises(ChatRunError, match="Chat completion failed"):
        parse_hosted_completion(402, [], b'{"error":{"code":"4080"}}')
    done = parse_hosted_completion(200, [], b'{"id":"c","choices":[]}')
    assert done.id == "c"


def _chunk(**delta: Any) -> bytes:
    data = {"id": "c1", "model": "m", "choices": [{"index": 0, "delta": delta}]}
    return b"data: " + json.dumps(data).encode() + b"\n\n"


def test_hosted_stream_reducer_any_split() -> None:
    body = (
        _chunk(role="assistant")
        + _chunk(content="Hel")
        + _chunk(content="lo")
        + _chunk(tool_calls=[{"index": 0, "id": "t", "function": {"name": "f", "arguments": "{"}}])
        + _chunk(tool_calls=[{"index": 0, "function": {"arguments": "}"}}])
        + b'data: {"id":"c1","choices":[{"index":0,"delta":{},"finish_reason":"stop"}],'
        b'"usage":{"total_tokens":3}}\n\n' + b"data: [DONE]\n\n" + _chunk(content="late")
    )
    results = []
    for size in (1, 7, len(body)):
        stream = HostedChatStream()
        chunks = []
        for i in range(0, len(body), size):
            chunks += stream.feed(body[i : i + size])
        chunks += stream.finish()
        assert stream.done and len(chunks) == 6
        results.append(msgspec.to_builtins(stream.result()))
    assert results[0] == results[1] == results[2]
    message = results[0]["choices"][0]["message"]
    assert message["content"] == "Hello"
    assert message["tool_calls"][0]["function"] == {"name": "f", "arguments": "{}"}
    assert results[0]["choices"][0]["finish_reason"] == "stop"
    bad = HostedChatStream()
    with pytest.raises(RemoteProtocolError, match="quota"):
        bad.feed(b'data: {"error":{"message":"quota"}}\n\n')
