"""llmJobRequest building and validation before any I/O (02 §2.2-§2.6, §2.12)."""

from __future__ import annotations

import base64
import importlib
import io
import json
from typing import Any

import msgspec
import pytest
from PIL import Image

from sogni_core.chat import (
    build_llm_request,
    default_max_tokens,
    estimate_input_tokens,
    image_data_uri,
    image_size,
    is_trusted_image_url,
    normalize_vision,
    parse_llm_models,
    remote_image_urls,
    sampling_preset,
    select_llm_model,
    sogni_tools,
)
from sogni_core.protocol._errors import InvalidParamsError
from sogni_core.protocol.rest import Attribution

USER = [{"role": "user", "content": "hi"}]
resize_image = importlib.import_module("sogni_asyncio._chat").resize_image


def _image(fmt: str, size: tuple[int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, format=fmt)
    return out.getvalue()


def _wire(**kwargs: Any) -> dict[str, Any]:
    kwargs.setdefault("job_id", "JOB-1")
    kwargs.setdefault("model", "m")
    kwargs.setdefault("messages", USER)
    decoded: dict[str, Any] = json.loads(msgspec.json.encode(build_llm_request(**kwargs)))
    return decoded


def test_minimal_request_and_key_order() -> None:
    assert _wire() == {"jobID": "JOB-1", "type": "llm", "model": "m", "messages": USER}
    full = _wire(
        stream=False,
        max_tokens=64,
        temperature=0.5,
        top_p=0.9,
        top_k=20,
        min_p=0.1,
        repetition_penalty=1.1,
        frequency_penalty=0.2,
        presence_penalty=0.3,
        stop=["END"],
        token_type="spark",
        safe_content_filter=False,
        billing_mode="auto",
        tools=sogni_tools(["generate_image"]),
        tool_choice="auto",
        sogni_tools=" Rich ",
        sogni_tool_execution=True,
        task_profile="coding",
        think=True,
        response_format={"type": "json_object"},
        app_source="my-app",
        attribution=Attribution(workload_kind="agent_mediated", agent_framework="langchain"),
    )
    # 02 §2.2: the SDK's insertion order; think -> chat_template_kwargs; rich -> creative-tools
    assert list(full) == [
        "jobID",
        "type",
        "model",
        "messages",
        "appSource",
        "max_tokens",
        "temperature",
        "top_p",
        "top_k",
        "min_p",
        "stream",
        "repetition_penalty",
        "frequency_penalty",
        "presence_penalty",
        "stop",
        "tokenType",
        "safeContentFilter",
        "billingMode",
        "tools",
        "tool_choice",
        "sogni_tools",
        "sogni_tool_execution",
        "taskProfile",
        "chat_template_kwargs",
        "response_format",
        "workloadKind",
        "agentFramework",
        "operationScope",
        "operationId",
        "rootOperationId",
    ]
    assert full["stream"] is False and full["safeContentFilter"] is False
    assert full["sogni_tools"] == "creative-tools"
    assert full["chat_template_kwargs"] == {"enable_thinking": True}
    assert full["operationId"] == "JOB-1" and full["rootOperationId"] == "JOB-1"
    assert full["operationScope"] == "top_level"
    assert _wire(think=False)["chat_template_kwargs"] == {"enable_thinking": False}
    assert _wire(default_app_source="client-src")["appSource"] == "client-src"
    assert "appSource" not in _wire(app_source="")


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"messages": []}, "messages"),
        ({"messages": [{"role": "robot", "content": "x"}]}, "messages[0].role"),
        ({"messages": [{"role": "user", "content": 5}]}, "messages[0].content"),
        (
            {"messages": [{"role": "user", "content": [{"type": "audio"}]}]},
            "messages[0].content[0].type",
        ),
        (
            {"messages": [{"role": "user", "content": [{"type": "text"}]}]},
            "messages[0].content[0].text",
        ),
        ({"messages": [{"role": "tool", "content": "r"}]}, "messages[0].tool_call_id"),
        (
            {
                "messages": [
                    {
                        "role": "assistant",
                        "content": None,
                        "tool_calls": [{"id": "a", "function": {"name": "f", "arguments": {}}}],
                    }
                ]
            },
            "messages[0].tool_calls[0].function.arguments",
        ),
        (
            {"tools": [{"type": "function", "function": {"name": "bad name"}}]},
            "tools[0].function.name",
        ),
        ({"tools": [{"type": "x"}]}, "tools[0].type"),
        (
            {"tools": [{"type": "function", "function": {"name": "f", "parameters": []}}]},
            "tools[0].function.parameters",
        ),
        ({"tool_choice": "always"}, "tool_choice"),
        ({"tool_choice": "required"}, "tool_choice"),
        (
            {"tool_choice": {"type": "function", "function": {"name": "nope"}}},
            "tool_choice.function.name",
        ),
        ({"max_tokens": 0}, "max_tokens"),
        ({"temperature": float("nan")}, "temperature"),
        ({"top_k": 2.5}, "top_k"),
        ({"think": "yes"}, "think"),
        ({"task_profile": "poetry"}, "task_profile"),
        ({"token_type": "eth"}, "token_type"),
        ({"billing_mode": "free"}, "billing_mode"),
        ({"stop": [1]}, "stop"),
        ({"model": " "}, "model"),
        ({"messages": ["hi"]}, "messages[0]"),
        ({"messages": "hi"}, "messages"),
        ({"messages": [{"role": "user", "content": ["x"]}]}, "messages[0].content[0]"),
        (
            {"messages": [{"role": "user", "content": [{"type": "image_url", "image_url": {}}]}]},
            "messages[0].content[0].image_url.url",
        ),
        (
            {
                "messages": [
                    {
                        "role": "user",
                        "content": [
                            {"type": "image_url", "image_url": {"url": "data:", "detail": "max"}}
                        ],
                    }
                ]
            },
            "messages[0].content[0].image_url.detail",
        ),
        (
            {"messages": [{"role": "assistant", "content": None, "tool_calls": ["x"]}]},
            "messages[0].tool_calls[0]",
        ),
        (
            {"messages": [{"role": "assistant", "content": None, "tool_calls": [{"id": 1}]}]},
            "messages[0].tool_calls[0].id",
        ),
        (
            {
                "messages": [
                    {"role": "assistant", "content": None, "tool_calls": [{"id": "a", "type": "x"}]}
                ]
            },
            "messages[0].tool_calls[0].type",
        ),
        (
            {"messages": [{"role": "assistant", "content": None, "tool_calls": [{"id": "a"}]}]},
            "messages[0].tool_calls[0].function.name",
        ),
        (
            {"messages": [{"role": "user", "content": "x", "tool_calls": []}]},
            "messages[0].tool_calls",
        ),
        ({"messages": [{"role": "user", "content": "x", "name": 3}]}, "messages[0].name"),
        ({"tools": {"a": 1}}, "tools"),
        ({"tools": [{"type": "function", "function": "f"}]}, "tools[0].function"),
        (
            {
                "tools": [
                    {"type": "function", "function": {"name": "f"}},
                    {"type": "function", "function": {"name": "f"}},
                ]
            },
            "tools[1].function.name",
        ),
        (
            {"tools": [{"type": "function", "function": {"name": "f", "description": 1}}]},
            "tools[0].function.description",
        ),
        ({"tool_choice": 3}, "tool_choice"),
        ({"stream": "yes"}, "stream"),
        ({"safe_content_filter": 1}, "safe_content_filter"),
        ({"sogni_tools": 1}, "sogni_tools"),
        ({"response_format": "json"}, "response_format"),
    ],
)
def test_bad_arguments_are_named(kwargs: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidParamsError) as info:
        _wire(**kwargs)
    assert info.value.field == field


def test_optional_fields_pass_through() -> None:
    wire = _wire(
        messages=[{"role": "user", "content": "x", "name": "ann"}],
        stop="END",
        sogni_tools=False,
        tool_choice={"type": "function", "function": {"name": "f"}},
        tools=[{"type": "function", "function": {"name": "f", "description": "d"}}],
    )
    assert wire["messages"] == [{"role": "user", "content": "x", "name": "ann"}]
    assert wire["stop"] == "END" and wire["sogni_tools"] is False
    assert "tool_choice" in wire and "response_format" not in _wire(response_format={})


def test_model_info_ranges() -> None:
    (info,) = parse_llm_models(
        {
            "m": {
                "workers": 2,
                "temperature": {"min": 0, "max": 2, "default": 0.7},
                "maxOutputTokens": {
                    "min": 1,
                    "max": 100,
                    "default": 50,
                    "thinkingComplexDefault": 90,
                },
            }
        }
    ).values()
    with pytest.raises(InvalidParamsError) as info_err:
        _wire(temperature=2.5, model_info=info)
    assert info_err.value.field == "temperature"
    with pytest.raises(InvalidParamsError):
        _wire(max_tokens=101, model_info=info)
    assert _wire(temperature=1.5, model_info=info)["temperature"] == 1.5
    # 02 §2.3 max-output default used by the estimate
    assert default_max_tokens(info) == 50
    assert default_max_tokens(info, think=True, task_profile="coding") == 90
    assert default_max_tokens(info, think=False, task_profile="coding") == 50
    assert default_max_tokens(None) == 4096
    assert default_max_tokens(info, max_tokens=7) == 7


def test_models_and_presets() -> None:
    models = parse_llm_models(
        {
            "a": 3,
            "b": {
                "workers": 9,
                "defaultsThinking": {"temperature": 0.6},
                "defaultsNonThinkingReasoning": {"temperature": 1.0},
            },
            "bad": "x",
        }
    )
    assert sorted(models) == ["a", "b"] and models["a"].workers == 3
    assert select_llm_model(models) == "b"
    assert select_llm_model(models, "a") == "a"
    with pytest.raises(InvalidParamsError):
        select_llm_model(models, "zzz")
    with pytest.raises(InvalidParamsError):
        select_llm_model({})
    b = models["b"]
    preset = sampling_preset(b, think=True, task_profile="general")
    assert preset is not None and preset.temperature == 0.6
    reasoning = sampling_preset(b, think=False, task_profile="reasoning")
    assert reasoning is not None and reasoning.temperature == 1.0
    assert sampling_preset(b, think=None, task_profile="coding") is None


# -- vision (02 §2.6) ----------------------------------------------------------------


def _msg(*urls: str) -> list[dict[str, Any]]:
    parts: list[dict[str, Any]] = [{"type": "text", "text": "look"}]
    parts += [{"type": "image_url", "image_url": {"url": u, "detail": "low", "x": 1}} for u in urls]
    return [{"role": "user", "content": parts}]


def test_vision_parts_are_rebuilt() -> None:
    uri = image_data_uri(_image("PNG", (64, 32)))
    out = normalize_vision(_msg(uri))
    assert out[0]["content"][1] == {"type": "image_url", "image_url": {"url": uri, "detail": "low"}}
    assert image_size(_image("JPEG", (300, 200))) == (300, 200)
    assert image_size(_image("PNG", (5, 7))) == (5, 7)


@pytest.mark.parametrize(
    ("url", "rule"),
    [
        ("https://cdn.sogni.ai/a.png", "remote URLs are not allowed"),
        ("data:image/gif;base64,R0lGODlh", "Unsupported inline image MIME type image/gif"),
        ("data:image/png;base64,abd", "Invalid base64 payload"),  # stray bits
        ("data:image/png;base64,abcd=", "Invalid base64 payload"),
        (
            "data:image/png;base64," + base64.b64encode(b"\xff\xd8\xff\xe0jpeg").decode(),
            "does not match",
        ),
        (
            "data:image/png;base64," + base64.b64encode(b"\x89PNG\r\n\x1a\nxx").decode(),
            "dimensions",
        ),
    ],
)
def test_bad_vision_inputs(url: str, rule: str) -> None:
    with pytest.raises(InvalidParamsError) as info:
        _wire(messages=_msg(url))
    assert info.value.field == "messages[0].content[1].image_url.url"
    assert rule in info.value.rule


def test_vision_limits() -> None:
    small = image_data_uri(_image("PNG", (8, 8)))
    with pytest.raises(InvalidParamsError) as info:
        _wire(messages=_msg(*[small] * 21))
    assert info.value.field == "messages[0].content[21].image_url"
    assert "maximum of 20 vision images" in info.value.rule
    assert len(_wire(messages=_msg(*[small] * 20))["messages"][0]["content"]) == 21
    big = image_data_uri(_image("PNG", (2048, 512)))
    with pytest.raises(InvalidParamsError) as info:
        _wire(messages=_msg(big))
    assert "1024px on its longest side" in info.value.rule
    # with a resizer (the transports pass Pillow's) the longest side becomes 1024
    url = _wire(messages=_msg(big), resize=resize_image)["messages"][0]["content"][1]["image_url"][
        "url"
    ]
    data = base64.b64decode(url.split(",", 1)[1])
    assert image_size(data) == (1024, 256)
    jpeg = image_data_uri(_image("JPEG", (1500, 3000)))
    url = _wire(messages=_msg(jpeg), resize=resize_image)["messages"][0]["content"][1]["image_url"][
        "url"
    ]
    assert url.startswith("data:image/jpeg;base64,")
    assert image_size(base64.b64decode(url.split(",", 1)[1])) == (512, 1024)
    huge = (
        "data:image/png;base64," + base64.b64encode(b"\x89PNG\r\n\x1a\n" + bytes(11 << 20)).decode()
    )
    with pytest.raises(InvalidParamsError) as info:
        normalize_vision(_msg(huge))
    assert info.value.rule == "image input exceeds 10MB limit"


def test_input_token_estimate_masks_images() -> None:
    uri = image_data_uri(_image("PNG", (16, 16)))
    masked = [
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "look"},
                {"type": "image_url", "image_url": {"url": "[image]", "detail": "low"}},
            ],
        }
    ]
    text = json.dumps(masked, separators=(",", ":"))
    assert estimate_input_tokens(_msg(uri)) == -(-len(text) // 4)
    # UTF-16 length: a non-BMP character counts two
    length = len('[{"role":"user","content":""}]') + 16
    assert (
        estimate_input_tokens([{"role": "user", "content": "\U0001f600" * 8}]) == (length + 3) // 4
    )


def test_image_header_parsing_edges() -> None:
    sof = b"\xff\xc0\x00\x11\x08\x00\x20\x00\x40"  # SOF0: height 32, width 64
    assert image_size(b"\xff\xd8" + b"\xff\xff" + b"\xff\xd0" + sof) == (64, 32)  # fill, RSTn
    app0 = b"\xff\xe0\x00\x04ab"
    assert image_size(b"\xff\xd8" + app0 + sof) == (64, 32)  # skips a segment by its length
    assert image_size(b"\xff\xd8\xff\xc0\x00\x11\x08") is None  # truncated SOF
    assert image_size(b"\xff\xd8\x00\x00\x00\x00") is None  # not a marker
    assert image_size(b"\xff\xd8" + app0) is None  # no SOF at all
    assert image_size(b"\x89PNG\r\n\x1a\n" + bytes(16)) is None  # no IHDR
    assert image_size(b"GIF89a") is None
    with pytest.raises(InvalidParamsError) as info:
        image_data_uri(b"GIF89a")
    assert info.value.field == "image"
    big = image_data_uri(_image("PNG", (2048, 16)))
    with pytest.raises(InvalidParamsError) as broken:
        normalize_vision(_msg(big), resize=lambda data, mime, side: (data, mime))
    assert broken.value.rule == "resized image still breaks the limits"
    with pytest.raises(InvalidParamsError) as not_str:
        normalize_vision([{"role": "user", "content": [{"type": "image_url", "image_url": "u"}]}])
    assert not_str.value.field == "messages[0].content[0].image_url.url"
    assert normalize_vision([{"role": "user", "content": None}]) == [
        {"role": "user", "content": None}
    ]


@pytest.mark.parametrize(
    ("url", "trusted"),
    [
        ("https://cdn.sogni.ai/a.png", True),
        ("https://x.sogni.ai/a.png", True),
        ("https://sogni.ai/a.png", True),
        ("https://complete-images-production.s3.amazonaws.com/a.png", True),
        ("https://bucket.s3.us-east-1.amazonaws.com/a.png", True),
        ("https://s3.eu-west-2.amazonaws.com/b/a.png", True),
        ("https://d1.cloudfront.net/a.png", True),
        ("http://cdn.sogni.ai/a.png", False),
        ("https://user@cdn.sogni.ai/a.png", False),
        ("https://sogni.ai.evil.com/a.png", False),
        ("https://evilsogni.ai/a.png", False),
        ("https://example.com/a.png", False),
        ("https://[::1/a.png", False),
    ],
)
def test_trusted_image_hosts(url: str, trusted: bool) -> None:
    assert is_trusted_image_url(url) is trusted


def test_trusted_remote_images_are_inlined() -> None:
    url = "https://cdn.sogni.ai/cat.png"
    png = _image("PNG", (40, 20))
    messages = _msg(url, "https://example.com/x.png", url)
    assert remote_image_urls(messages) == [url]
    with pytest.raises(InvalidParamsError) as info:
        normalize_vision(_msg(url))  # not downloaded: rejected like any remote URL
    assert "remote URLs are not allowed" in info.value.rule
    out = normalize_vision(_msg(url), fetched={url: png})
    assert out[0]["content"][1]["image_url"]["url"] == image_data_uri(png)
    with pytest.raises(InvalidParamsError) as bad:
        normalize_vision(_msg(url), fetched={url: b"GIF89a"})
    assert bad.value.rule.startswith("Remote image input is not a supported format")
    assert estimate_input_tokens(_msg(url), {url: png}) == estimate_input_tokens(
        _msg(image_data_uri(png))
    )
    wire = _wire(messages=_msg(url), fetched_images={url: png})
    assert wire["messages"][0]["content"][1]["image_url"]["url"].startswith("data:image/png;")
