"""LLM jobs over the socket (02 §2): states, token stream, result, tools, errors."""

from __future__ import annotations

import json
from decimal import Decimal

from .conftest import greet

MODEL = "qwen3.6-35b-a3b-gguf-iq4xs"


def _chat(client, request):
    client.send("llmJobRequest", request)
    done = {"llmJobResult", "llmJobError"}
    return client.recv_until(lambda t, p: t in done and p.get("jobID") == request["jobID"])


def _assemble(frames):
    content, calls, finish, usage = "", {}, None, None
    for kind, payload in frames:
        if kind != "jobTokens":
            continue
        content += payload.get("content") or ""
        finish = payload.get("finishReason") or finish
        usage = payload.get("usage") or usage
        for delta in payload.get("tool_calls") or []:
            call = calls.setdefault(delta["index"], {"id": "", "name": "", "arguments": ""})
            call["id"] = delta.get("id") or call["id"]
            fn = delta.get("function") or {}
            call["name"] = fn.get("name") or call["name"]
            call["arguments"] += fn.get("arguments") or ""
    return content, [calls[i] for i in sorted(calls)], finish, usage


def test_chat_stream_and_result(emu, connect):
    client = connect()
    greet(client)
    request = {
        "jobID": "C0FFEE00-0000-4000-8000-000000000001",
        "type": "llm",
        "model": MODEL,
        "messages": [{"role": "user", "content": "Say hello to the emulator"}],
        "stream": True,
        "tokenType": "sogni",
    }
    frames = _chat(client, request)
    states = [p["type"] for t, p in frames if t == "jobState"]
    assert states == ["pending", "queued", "assigned", "jobStarted"]
    content, calls, finish, usage = _assemble(frames)
    assert "Say hello to the emulator" in content and not calls and finish == "stop"
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]
    result = frames[-1][1]
    assert frames[-1][0] == "llmJobResult" and result["usage"] == usage
    assert set(result["cost"]) == {
        "costInUSD",
        "costInToken",
        "costInSogni",
        "costInSpark",
        "inputTokens",
        "outputTokens",
    }
    assert isinstance(result["timeTaken"], float) and result["workerName"].startswith("emu-llm")
    # the same request gives the same text (deterministic by --seed)
    again, _, _, _ = _assemble(_chat(client, {**request, "jobID": request["jobID"][:-1] + "2"}))
    assert again == content
    balance = client.recv()
    assert balance[0] == "balanceUpdate" and Decimal(balance[1]["sogni"]["debit"]) > 0


def test_chat_tool_call_then_tool_result(emu, connect):
    client = connect()
    greet(client)
    tools = [
        {
            "type": "function",
            "function": {
                "name": "get_weather",
                "description": "Weather for a city",
                "parameters": {
                    "type": "object",
                    "properties": {"city": {"type": "string"}, "days": {"type": "integer"}},
                    "required": ["city"],
                },
            },
        }
    ]
    messages = [{"role": "user", "content": "Use get_weather for Paris please"}]
    request = {
        "jobID": "C0FFEE00-0000-4000-8000-000000000003",
        "type": "llm",
        "model": MODEL,
        "messages": messages,
        "tools": tools,
    }
    content, calls, finish, _ = _assemble(_chat(client, request))
    assert finish == "tool_calls" and content == ""
    assert len(calls) == 1 and calls[0]["name"] == "get_weather" and calls[0]["id"]
    args = json.loads(calls[0]["arguments"])
    assert list(args) == ["city"] and isinstance(args["city"], str)
    follow = messages + [
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": calls[0]["id"],
                    "type": "function",
                    "function": {"name": "get_weather", "arguments": calls[0]["arguments"]},
                }
            ],
        },
        {"role": "tool", "tool_call_id": calls[0]["id"], "content": "Sunny, 21C"},
    ]
    content, calls, finish, _ = _assemble(
        _chat(client, {**request, "jobID": request["jobID"][:-1] + "4", "messages": follow})
    )
    assert finish == "stop" and not calls and "Sunny, 21C" in content


def test_chat_options_and_errors(emu, connect):
    client = connect()
    greet(client)
    base = {"type": "llm", "model": MODEL, "messages": [{"role": "user", "content": "hi there"}]}
    content, *_ = _assemble(
        _chat(
            client,
            {
                **base,
                "jobID": "A1000000-0000-4000-8000-000000000001",
                "response_format": {"type": "json_object"},
            },
        )
    )
    assert isinstance(json.loads(content), dict)
    content, *_ = _assemble(
        _chat(
            client,
            {
                **base,
                "jobID": "A1000000-0000-4000-8000-000000000002",
                "chat_template_kwargs": {"enable_thinking": True},
            },
        )
    )
    assert content.startswith("<think>") and "</think>" in content
    _, _, finish, _ = _assemble(
        _chat(client, {**base, "jobID": "A1000000-0000-4000-8000-000000000003", "max_tokens": 2})
    )
    assert finish == "length"
    frames = _chat(
        client, {**base, "jobID": "A1000000-0000-4000-8000-000000000004", "model": "no-such-llm"}
    )
    assert frames[-1][0] == "llmJobError" and frames[-1][1]["error"] == "model_unavailable"


def test_hosted_chat_completion(emu):
    from .wsclient import http_json

    h = {"api-key": emu.api_key}
    body = {"model": MODEL, "messages": [{"role": "user", "content": "hello hosted"}]}
    status, reply = http_json(
        emu.rest_url, "POST", "/v1/chat/completions", headers=h, json_body=body
    )
    assert status == 200 and reply["object"] == "chat.completion"  # bare JSON, no envelope
    choice = reply["choices"][0]
    assert choice["finish_reason"] == "stop" and "hello hosted" in choice["message"]["content"]
    assert reply["usage"]["total_tokens"] > 0
    status, again = http_json(
        emu.rest_url, "POST", "/v1/chat/completions", headers=h, json_body=body
    )
    assert again["choices"] == reply["choices"] and again["id"] == reply["id"]
    status, error = http_json(
        emu.rest_url, "POST", "/v1/chat/completions", headers=h, json_body={**body, "model": "nope"}
    )
    assert status == 404 and error["error"]["code"] == "model_unavailable"
    assert http_json(emu.rest_url, "POST", "/v1/chat/completions", json_body=body)[0] == 401


def test_llm_amounts_are_plain_decimal_strings(emu, connect):
    client = connect()
    greet(client)
    request = {
        "jobID": "D0000000-0000-4000-8000-000000000001",
        "type": "llm",
        "model": MODEL,
        "messages": [{"role": "user", "content": "x"}],
        "max_tokens": 1,
    }
    frames = _chat(client, request)
    pending = next(p for t, p in frames if t == "jobState" and p["type"] == "pending")
    cost = frames[-1][1]["cost"]
    for text in (pending["estimatedCost"], cost["costInUSD"], cost["costInSogni"]):
        assert "e" not in text.lower() and Decimal(text) > 0
