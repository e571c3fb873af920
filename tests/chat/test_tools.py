"""Hosted tool recognition, argument validation and mapping to projects (02 §4.4-§4.8)."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from sogni_core.chat import (
    DIRECT_TOOL_NAMES,
    FunctionCall,
    MediaContext,
    MediaFetchRequired,
    MessageToolCall,
    SogniToolCall,
    ToolArgumentsError,
    add_results,
    auto_media_context,
    is_sogni_tool_call,
    parse_sogni_tool_call,
    parse_tool_call_arguments,
    project_attribution,
    round_attribution,
    sogni_tools,
    tool_project,
    tool_result,
    validate_tool_arguments,
)
from sogni_core.chat.tools import args_type, tool_schema
from sogni_core.protocol._errors import InvalidParamsError
from sogni_core.protocol._generated.tools import GenerateImageArgs
from sogni_core.protocol.jobrequest import (
    AudioProjectParams,
    ImageProjectParams,
    MediaInput,
    VideoProjectParams,
)
from sogni_core.protocol.rest import Attribution

MODELS = {
    "z_image_turbo_bf16": 3,
    "qwen_image_edit_2511_fp8_lightning": 2,
    "ltx23-22b-fp8_t2v_distilled": 1,
    "ltx23-22b-fp8_i2v_distilled": 1,
    "ltx23-22b-fp8_v2v_distilled": 1,
    "ltx23-22b-fp8_ia2v_distilled": 1,
    "ace_step_1.5_xl_turbo": 4,
}
PNG = b"\x89PNG\r\n\x1a\n" + b"x" * 16
JPEG_URI = "data:image/jpeg;base64," + base64.b64encode(b"\xff\xd8\xffjpg").decode()


def _call(name: str, arguments: str, call_id: str = "call_1") -> dict[str, Any]:
    return {"id": call_id, "type": "function", "function": {"name": name, "arguments": arguments}}


def test_recognition_and_argument_parsing() -> None:
    assert is_sogni_tool_call(_call("generate_image", "{}"))
    assert is_sogni_tool_call(
        MessageToolCall(id="a", function=FunctionCall(name="edit_image", arguments=""))
    )
    assert not is_sogni_tool_call(_call("sogni_generate_image", "{}"))  # retired prefix
    assert not is_sogni_tool_call(_call("get_weather", "{}"))
    assert parse_tool_call_arguments(_call("x", '{"a": 1}')) == {"a": 1}
    assert parse_tool_call_arguments(_call("x", "{bad")) == {}
    assert parse_tool_call_arguments(_call("x", "NaN")) == {}  # strict JSON, as JS
    assert parse_tool_call_arguments(_call("x", "[1]")) == [1]


def test_definitions_shape() -> None:
    tools = sogni_tools(["generate_music", "compose_lyrics"])
    music = tools[0]["function"]["parameters"]
    assert music["required"] == ["prompt"]
    assert music["properties"]["bpm"] == {
        "type": "number",
        "minimum": 30,
        "maximum": 300,
        "description": "Tempo in beats per minute.",
    }
    assert music["properties"]["timesig"]["enum"] == [2, 3, 4, 6]
    assert tools[1]["function"]["parameters"]["additionalProperties"] is False
    overlay = tool_schema("overlay_video")["properties"]["overlays"]
    assert overlay["type"] == "array" and overlay["items"]["required"] == ["kind", "position"]
    bg = overlay["items"]["properties"]["backgroundColor"]
    assert bg["type"] == ["string", "null"]
    sogni_tools()[0]["function"]["name"] = "changed"  # fresh copies every call
    assert sogni_tools()[0]["function"]["name"] == "generate_image"
    with pytest.raises(InvalidParamsError):
        sogni_tools(["nope"])
    assert args_type("generate_image") is GenerateImageArgs


@pytest.mark.parametrize(
    ("name", "args", "errors"),
    [
        ("generate_image", {}, [("prompt", 'Missing required argument "prompt"')]),
        ("generate_image", {"prompt": ""}, [("prompt", 'Missing required argument "prompt"')]),
        (
            "generate_image",
            {"prompt": "x", "numberOfVariations": 17},
            [("numberOfVariations", 'Argument "numberOfVariations" must be at most 16')],
        ),
        (
            "generate_image",
            {"prompt": "x", "width": "big"},
            [("width", 'Argument "width" must be number')],
        ),
        (
            "generate_image",
            {"prompt": "x", "seed": 1.5},
            [("seed", 'Argument "seed" must be integer')],
        ),
        (
            "generate_image",
            {"prompt": "x", "outputFormat": "gif"},
            [
                (
                    "outputFormat",
                    'Argument "outputFormat" must be one of "png", "jpg", "jpeg", "webp"',
                )
            ],
        ),
        ("generate_video", {"prompt": "x", "videoModel": "sora"}, [("videoModel", None)]),
        ("generate_music", {"prompt": "x", "model": "turbo"}, [("model", None)]),
        ("generate_music", {"prompt": "x", "timesig": 5}, [("timesig", None)]),
        (
            "generate_music",
            {"prompt": "x", "bpm": True},
            [("bpm", 'Argument "bpm" must be number')],
        ),
        (
            "overlay_video",
            {"overlays": [{"kind": "text", "position": "nowhere"}]},
            [("overlays[0].position", None)],
        ),
        (
            "overlay_video",
            {"overlays": []},
            [
                ("overlays", 'Missing required argument "overlays"'),
                ("overlays", 'Argument "overlays" must contain at least 1 item'),
            ],
        ),
        (
            "compose_workflow_template",
            {"brief": "b", "name": "x" * 201},
            [("name", 'Argument "name" must contain at most 200 characters')],
        ),
        (
            "compose_workflow_template",
            {"brief": "b", "name": "n", "inputs": [{"name": "a"}]},
            [("inputs[0].type", 'Missing required argument "inputs[0].type"')],
        ),
    ],
)
def test_validation_errors_name_the_argument(
    name: str, args: dict[str, Any], errors: list[tuple[str, str | None]]
) -> None:
    result = validate_tool_arguments(name, args)
    assert not result.ok
    assert [p for p, _ in result.errors] == [p for p, _ in errors]
    for (_, got), (_, want) in zip(result.errors, errors, strict=True):
        assert want is None or got == want
    with pytest.raises(ToolArgumentsError) as info:
        parse_sogni_tool_call(_call(name, __import__("json").dumps(args)))
    assert info.value.field == errors[0][0]
    assert str(info.value).startswith(f"Invalid {name} arguments: ")


def test_validation_leniency_as_the_sdk() -> None:
    # advisory model selectors, unknown keys kept on open schemas, nulls unchecked
    ok = validate_tool_arguments(
        "generate_image",
        {"prompt": "x", "model": "my-own-model", "negative_prompt": "blur", "seed": None},
    )
    assert ok.ok and ok.cleaned["negative_prompt"] == "blur"
    call = parse_sogni_tool_call(_call("generate_image", '{"prompt":"x","model":"my-own-model"}'))
    assert call.args is None and call.arguments["model"] == "my-own-model"
    typed = parse_sogni_tool_call(_call("generate_image", '{"prompt":"x","numberOfVariations":2}'))
    assert isinstance(typed.args, GenerateImageArgs) and typed.args.number_of_variations == 2
    stripped = validate_tool_arguments("compose_lyrics", {"prompt": "p", "extra": 1})
    assert stripped.ok and stripped.cleaned == {"prompt": "p"}
    assert stripped.warnings == ('Stripped unknown argument "extra"',)
    assert validate_tool_arguments("generate_image", [1]).errors == (
        ("arguments", "Tool arguments must be a JSON object"),
    )
    with pytest.raises(InvalidParamsError) as info:
        parse_sogni_tool_call(_call("get_weather", "{}"))
    assert info.value.field == "function.name"


def _parsed(name: str, args: str) -> SogniToolCall:
    return parse_sogni_tool_call(_call(name, args))


def test_image_tools_as_projects() -> None:
    ctx = MediaContext(images=(PNG,), uploaded_images=(JPEG_URI,))
    params, model = tool_project(
        _parsed(
            "generate_image",
            '{"prompt":"a cat","numberOfVariations":2,"width":512,'
            '"height":768,"outputFormat":"jpeg","seed":7,"sourceImageIndex":-1}',
        ),
        available_models=MODELS,
        media_context=ctx,
        token_type="spark",
    )
    assert model == "z_image_turbo_bf16"
    assert isinstance(params, ImageProjectParams)
    assert (params.positive_prompt, params.number_of_media, params.seed) == ("a cat", 2, 7)
    assert (params.width, params.height, params.size_preset) == (512, 768, "custom")
    assert params.output_format == "jpg" and params.token_type == "spark"
    assert params.starting_image == MediaInput(data=b"\xff\xd8\xffjpg", content_type="image/jpeg")
    edit, model = tool_project(
        _parsed("edit_image", '{"prompt":"hat","sourceImageIndex":0}'),
        available_models=MODELS,
        media_context=ctx,
    )
    assert model == "qwen_image_edit_2511_fp8_lightning"
    assert isinstance(edit, ImageProjectParams) and edit.context_images == (PNG,)
    _, chosen = tool_project(
        _parsed("generate_image", '{"prompt":"x","model":"z-turbo"}'), available_models={}
    )
    assert chosen == "z_image_turbo_bf16"  # selector table
    _, raw = tool_project(
        _parsed("generate_image", '{"prompt":"x","model":"Flux1_Schnell"}'), available_models={}
    )
    assert raw == "flux1-schnell-fp8"  # normalised lookup


def test_media_and_video_tools_as_projects() -> None:
    ctx = MediaContext(
        images=(PNG,),
        videos=(b"v0",),
        audio=(b"a0",),
        uploaded_videos=(b"up-v",),
        uploaded_audio=(b"up-a",),
    )
    video, model = tool_project(
        _parsed("generate_video", '{"prompt":"waves","duration":4,"referenceImageIndices":[0]}'),
        available_models=MODELS,
        media_context=ctx,
    )
    assert model == "ltx23-22b-fp8_i2v_distilled"
    assert isinstance(video, VideoProjectParams)
    assert video.reference_image == PNG and video.duration == 4
    t2v, model = tool_project(_parsed("generate_video", '{"prompt":"w"}'), available_models=MODELS)
    assert model == "ltx23-22b-fp8_t2v_distilled" and isinstance(t2v, VideoProjectParams)
    assert t2v.duration == 5
    s2v, model = tool_project(
        _parsed("sound_to_video", '{"prompt":"sing","audioSourceIndex":0,"sourceImageIndex":0}'),
        available_models=MODELS,
        media_context=MediaContext(uploaded_audio=(b"A",), uploaded_images=(PNG,)),
    )
    assert model == "ltx23-22b-fp8_ia2v_distilled"
    assert isinstance(s2v, VideoProjectParams) and s2v.reference_audio == b"A"
    v2v, _ = tool_project(
        _parsed("video_to_video", '{"prompt":"anime","videoSourceIndex":-1}'),
        available_models=MODELS,
        media_context=ctx,
    )
    assert isinstance(v2v, VideoProjectParams) and v2v.reference_video == b"up-v"
    music, model = tool_project(
        _parsed(
            "generate_music", '{"prompt":"jazz","duration":30,"bpm":90,"timesig":3,"lyrics":"la"}'
        ),
        available_models=MODELS,
    )
    assert model == "ace_step_1.5_xl_turbo"
    assert isinstance(music, AudioProjectParams)
    assert (music.duration, music.bpm, music.timesignature, music.lyrics) == (30, 90, "3", "la")


@pytest.mark.parametrize(
    ("name", "args", "field"),
    [
        ("generate_image", '{"prompt":"x","sourceImageIndex":0}', "sourceImageIndex"),
        ("generate_image", '{"prompt":"x","sourceImageIndex":3}', "sourceImageIndex"),
        ("edit_image", '{"prompt":"x"}', "sourceImageIndex"),
        (
            "generate_video",
            '{"prompt":"x","referenceImageIndices":[0.5]}',
            "referenceImageIndices[0]",
        ),
        ("sound_to_video", '{"prompt":"x"}', "audioSourceIndex"),
        ("video_to_video", '{"prompt":"x"}', "videoSourceIndex"),
        ("stitch_video", '{"videoIndices":[0,1]}', "function.name"),
    ],
)
def test_missing_media_is_rejected_before_io(name: str, args: str, field: str) -> None:
    ctx = None if 'sourceImageIndex":0' in args else MediaContext(images=(PNG,))
    with pytest.raises(InvalidParamsError) as info:
        tool_project(_parsed(name, args), available_models=MODELS, media_context=ctx)
    assert info.value.field == field


def test_no_model_with_workers() -> None:
    with pytest.raises(InvalidParamsError) as info:
        tool_project(
            _parsed("generate_music", '{"prompt":"x"}'), available_models={"z_image_turbo_bf16": 1}
        )
    assert info.value.field == "model"


def test_tool_results() -> None:
    call = _parsed("generate_image", '{"prompt":"a cat"}')
    ok = tool_result(call, result_urls=["https://x/1.png"], model="m")
    assert ok.content == (
        '{"success":true,"media_type":"image","urls":["https://x/1.png"],'
        '"model":"m","prompt":"a cat"}'
    )
    assert ok.to_message() == {
        "role": "tool",
        "content": ok.content,
        "tool_call_id": "call_1",
        "name": "generate_image",
    }
    bad = tool_result(call, error="boom")
    assert not bad.success and bad.content == '{"success":false,"error":"boom"}'
    assert set(DIRECT_TOOL_NAMES) <= set(t["function"]["name"] for t in sogni_tools())


def test_urls_are_fetched_by_the_caller() -> None:
    ctx = MediaContext(images=("https://cdn.example/r0.png",))
    call = _parsed("edit_image", '{"prompt":"x","sourceImageIndex":0}')
    with pytest.raises(MediaFetchRequired) as need:
        tool_project(call, available_models=MODELS, media_context=ctx)
    assert need.value.url == "https://cdn.example/r0.png" and need.value.field == "sourceImageIndex"
    params, _ = tool_project(
        call,
        available_models=MODELS,
        media_context=ctx,
        fetched={"https://cdn.example/r0.png": PNG},
    )
    assert isinstance(params, ImageProjectParams) and params.context_images == (PNG,)


def test_tool_loop_media_context() -> None:
    messages: list[dict[str, Any]] = [
        {"role": "user", "content": [{"type": "image_url", "image_url": {"url": JPEG_URI}}]},
        {"role": "user", "content": "plain"},
        {"role": "user", "content": [{"type": "image_url", "image_url": {"url": "  "}}]},
    ]
    ctx = auto_media_context(messages, MediaContext(uploaded_images=(PNG,)))
    assert ctx.uploaded_images == (PNG, JPEG_URI)
    image = tool_result(_parsed("generate_image", '{"prompt":"a"}'), result_urls=["u1", "u2"])
    music = tool_result(_parsed("generate_music", '{"prompt":"b"}'), result_urls=["m1"])
    failed = tool_result(_parsed("generate_video", '{"prompt":"c"}'), error="no")
    after = add_results(ctx, [image, music, failed])
    assert (after.images, after.audio, after.videos) == (("u1", "u2"), ("m1",), ())


def test_legacy_arguments_and_fallbacks() -> None:
    uri = JPEG_URI
    edit, _ = tool_project(
        _parsed(
            "edit_image",
            '{"prompt":"x","gpt_image_quality":" HIGH ","width":640,"height":480,'
            f'"source_image_url":"{uri}","reference_image_urls":["{uri}", " ", 5]}}',
        ),
        available_models=MODELS,
    )
    assert isinstance(edit, ImageProjectParams)
    assert edit.context_images is not None and len(edit.context_images) == 2
    assert edit.gpt_image_quality == "high" and edit.size_preset == "custom"
    uploads, _ = tool_project(
        _parsed("edit_image", '{"prompt":"x","outputFormat":"webp"}'),
        available_models=MODELS,
        media_context=MediaContext(uploaded_images=(PNG, PNG)),
    )
    assert isinstance(uploads, ImageProjectParams)
    assert uploads.context_images == (PNG, PNG) and uploads.output_format == "webp"
    video, model = tool_project(
        _parsed(
            "generate_video",
            f'{{"prompt":"x","reference_image_url":"{uri}","generateAudio":false,'
            '"negativePrompt":"blur","videoModel":"wan22"}',
        ),
        available_models=MODELS,
    )
    assert model == "wan_v2.2-14b-fp8_i2v_lightx2v"
    assert isinstance(video, VideoProjectParams)
    assert video.generate_audio is False and video.negative_prompt == "blur"
    assert isinstance(video.reference_image, MediaInput)
    both, _ = tool_project(
        _parsed("generate_video", '{"prompt":"x","referenceImageIndices":[0,1]}'),
        available_models=MODELS,
        media_context=MediaContext(images=(PNG, b"end")),
    )
    assert isinstance(both, VideoProjectParams) and both.reference_image_end == b"end"
    with pytest.raises(InvalidParamsError) as mixed:
        tool_project(
            _parsed(
                "generate_video",
                f'{{"prompt":"x","referenceImageIndices":[0],"reference_image_url":"{uri}"}}',
            ),
            available_models=MODELS,
            media_context=MediaContext(images=(PNG,)),
        )
    assert mixed.value.field == "reference_image_url"
    seed, model = tool_project(
        _parsed("generate_video", '{"prompt":"x","videoModel":"seedance2","negativePrompt":"n"}'),
        available_models=MODELS,
    )
    assert model == "seedance-2-0" and isinstance(seed, VideoProjectParams)
    assert seed.negative_prompt is None  # external models take no negative prompt
    s2v, model = tool_project(
        _parsed(
            "sound_to_video", '{"prompt":"x","reference_audio_url":"data:audio/mpeg;base64,SUQz"}'
        ),
        available_models={**MODELS, "ltx23-22b-fp8_a2v_distilled": 1},
    )
    assert model == "ltx23-22b-fp8_a2v_distilled"
    assert isinstance(s2v, VideoProjectParams) and s2v.reference_image is None
    v2v, _ = tool_project(
        _parsed(
            "video_to_video",
            '{"prompt":"x","reference_video_url":"data:video/mp4;base64,AAAA","sourceImageIndex":0}',
        ),
        available_models=MODELS,
        media_context=MediaContext(images=(PNG,)),
    )
    assert isinstance(v2v, VideoProjectParams) and v2v.reference_image == PNG
    for bad in ('"ftp://x"', '"data:image/png;base64,@@"'):
        with pytest.raises(InvalidParamsError):
            tool_project(
                _parsed("edit_image", '{"prompt":"x","source_image_url":' + bad + "}"),
                available_models=MODELS,
            )
    _, most = tool_project(
        _parsed("generate_image", '{"prompt":"x"}'), available_models={"my-image-model": 2}
    )
    assert most == "my-image-model"  # no preferred id: the fitting model with most workers


def test_tool_loop_attribution_lineage() -> None:
    base = Attribution(workload_kind="agent_mediated", agent_framework="lc", app_source="app")
    first = round_attribution(base, "ROOT", 0)
    assert first is not None
    assert (first.operation_id, first.operation_scope, first.root_operation_id) == (
        "ROOT",
        "top_level",
        None,
    )
    later = round_attribution(base, "ROOT", 2)
    assert later is not None and later.operation_id is None
    assert (later.operation_scope, later.root_operation_id, later.parent_operation_id) == (
        "child",
        "ROOT",
        "ROOT",
    )
    child = project_attribution(base, "ROOT")
    assert child is not None and child.operation_scope == "child"
    assert (child.root_operation_id, child.parent_operation_id) == ("ROOT", "ROOT")
    assert child.workload_kind == "agent_mediated" and child.agent_framework == "lc"
    # nothing to attribute: left alone
    plain = Attribution(app_source="app")
    assert round_attribution(plain, "ROOT", 1) is plain
    assert round_attribution(None, "ROOT", 0) is None
    assert project_attribution(plain, "ROOT") is None


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ('{"prompt":"x","videoModel":"minimax-h3-r2v"}', "videoModel"),
        ('{"prompt":"x","videoModel":"minimax-h3-t2v","referenceImageIndices":[0]}', "videoModel"),
        ('{"prompt":"x","videoModel":"minimax-h3-t2v","negativePrompt":"blur"}', "negativePrompt"),
    ],
)
def test_minimax_h3_rules(args: str, field: str) -> None:
    with pytest.raises(InvalidParamsError) as info:
        tool_project(
            _parsed("generate_video", args),
            available_models=MODELS,
            media_context=MediaContext(images=(PNG,)),
        )
    assert info.value.field == field


def test_minimax_h3_selectors() -> None:
    params, model = tool_project(
        _parsed("generate_video", '{"prompt":"x","videoModel":"minimax-h3-t2v-turbo"}'),
        available_models=MODELS,
    )
    assert model == "minimax-h3-fl2va-fp8_t2v_turbo" and isinstance(params, VideoProjectParams)
    _, i2v = tool_project(
        _parsed(
            "generate_video",
            '{"prompt":"x","videoModel":"minimax-h3-turbo","referenceImageIndices":[0]}',
        ),
        available_models=MODELS,
        media_context=MediaContext(images=(PNG,)),
    )
    assert i2v == "minimax-h3-fl2va-fp8_i2v_turbo"
