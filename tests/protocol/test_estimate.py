"""The sans-IO cost-estimate builder and parser (sogni_core.protocol.rest._estimate).

Every branch of the rules in 01 §5.7 / TS 5.54.0 ``estimate*Cost``: v2 against v3,
the size-preset look-up and its error, denoise text, guidance/sampler/context
segments, the video frame computation and its steps/numberOfMedia segments,
the video query, audio, the enhancement estimate, what must be looked up, and
the bad parameters rejected before any I/O. Parity with the SDK itself:
tests/parity/test_estimate_parity.py.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import msgspec
import pytest

from sogni_core.protocol._errors import InvalidParamsError, RemoteProtocolError
from sogni_core.protocol._generated.rest import EstimationResponse, SizePreset
from sogni_core.protocol.jobrequest import (
    AudioProjectParams,
    Choice,
    ControlNetParams,
    ImageProjectParams,
    ModelOptions,
    VideoProjectParams,
    calculate_video_frames,
)
from sogni_core.protocol.rest import (
    CostEstimate,
    EstimateCall,
    EstimateInputs,
    Hosts,
    VideoEstimateOptions,
    build_enhancement_estimate,
    build_estimate,
    endpoint_request,
    estimate_inputs,
    parse_cost_estimate,
    parse_endpoint_response,
)

PRESETS = (
    SizePreset(label="Square", id="square_hd", width=1024, height=1024, ratio="1:1", aspect="1"),
    SizePreset(
        label="Wide", id="landscape_16_9", width=1344, height=768, ratio="16:9", aspect="1.75"
    ),
)
OPTIONS = ModelOptions(type="image", sampler=Choice(allowed=("euler", "dpmpp_2m"), default="euler"))
PNG = b"\x89PNG\r\n\x1a\n"


def _img(**kw: Any) -> ImageProjectParams:
    kw.setdefault("model_id", "flux1-schnell-fp8")
    kw.setdefault("steps", 4)
    return ImageProjectParams(**kw)


def _vid(**kw: Any) -> VideoProjectParams:
    kw.setdefault("model_id", "wan_v2.2-14b-fp8_t2v_lightx2v")
    kw.setdefault("width", 640)
    kw.setdefault("height", 480)
    kw.setdefault("fps", 16)
    kw.setdefault("duration", 2)
    return VideoProjectParams(**kw)


def _url(call: EstimateCall) -> str:
    req = endpoint_request(
        call.endpoint,
        Hosts(socket="http://s.invalid/"),
        path_params=call.path_params,
        query=call.query,
    )
    return req.url.removeprefix("http://s.invalid")


def _build(params: Any, network: str | None = "fast", **kw: Any) -> EstimateCall:
    return build_estimate(params, network=network, **kw)


# -- image ---------------------------------------------------------------------------------


def test_image_v2_defaults() -> None:
    call = _build(_img())
    assert call.endpoint == "image_estimate_v2"
    assert _url(call) == "/api/v2/job/estimate/spark/fast/flux1-schnell-fp8/1/4/0/0/0/0/0"
    assert call.query == ()


def test_image_v2_every_segment() -> None:
    call = _build(
        _img(
            token_type="sogni",
            network="relaxed",
            number_of_media=3,
            steps=20.0,
            number_of_previews=2,
            control_net=ControlNetParams(name="canny"),
            starting_image_strength=0.25,
            width=768.0,
            height=512,
        )
    )
    assert (
        _url(call) == "/api/v2/job/estimate/sogni/relaxed/flux1-schnell-fp8/3/20/2/1/0.75/768/512"
    )


def test_network_falls_back_to_the_connection_then_fast() -> None:
    assert _build(_img(), "relaxed").path_params["network"] == "relaxed"
    assert _build(_img(network="fast"), "relaxed").path_params["network"] == "fast"
    assert _build(_img(), None).path_params["network"] == "fast"


@pytest.mark.parametrize(
    ("strength", "segment"),
    [
        (None, "0"),
        (0.0, "0"),
        (float("nan"), None),
        (0.35, "0.65"),
        (0.7, "0.30000000000000004"),
        (1, "0"),
    ],
)
def test_denoise_segment_in_js_number_text(strength: float | None, segment: str | None) -> None:
    if segment is None:  # NaN is not a strength
        with pytest.raises(InvalidParamsError) as info:
            _build(_img(starting_image_strength=strength))
        assert info.value.field == "starting_image_strength"
        return
    assert _build(_img(starting_image_strength=strength)).path_params["denoiseStrength"] == segment


def test_size_needs_both_dimensions() -> None:
    only_width = _build(_img(width=512))
    assert (only_width.path_params["width"], only_width.path_params["height"]) == ("0", "0")


def test_size_preset_lookup() -> None:
    params = _img(size_preset="landscape_16_9", width=10, height=10)
    assert estimate_inputs(params, network="relaxed") == EstimateInputs(
        network="relaxed", size_presets=True, model_options=False
    )
    call = _build(params, size_presets=PRESETS)
    assert (call.path_params["width"], call.path_params["height"]) == ("1344", "768")


def test_unknown_size_preset_names_the_field() -> None:
    with pytest.raises(InvalidParamsError) as info:
        _build(_img(size_preset="portrait"), size_presets=PRESETS)
    assert info.value.field == "size_preset"
    assert "Invalid size preset" in info.value.rule


def test_custom_preset_is_the_explicit_size_and_needs_no_lookup() -> None:
    params = _img(size_preset="custom", width=640, height=832)
    assert not estimate_inputs(params, network="fast").size_presets
    call = _build(params)
    assert (call.path_params["width"], call.path_params["height"]) == ("640", "832")


def test_a_needed_lookup_must_be_passed() -> None:
    with pytest.raises(InvalidParamsError) as info:
        _build(_img(size_preset="square_hd"))
    assert info.value.field == "size_presets"
    with pytest.raises(InvalidParamsError) as info:
        _build(_img(sampler="euler"))
    assert info.value.field == "model_options"


def test_v3_with_a_sampler() -> None:
    params = _img(sampler="dpmpp_2m", guidance=7.5)
    assert estimate_inputs(params, network="fast").model_options
    call = _build(params, model_options=OPTIONS)
    assert call.endpoint == "image_estimate_v3"
    assert _url(call).endswith("/0/0/7.5/dpmpp_2m/0")


def test_v3_with_context_images_only() -> None:
    params = _img(context_images=(PNG, PNG, PNG))
    inputs = estimate_inputs(params, network="fast")
    assert not inputs.model_options and not inputs.size_presets
    call = _build(params)
    assert call.endpoint == "image_estimate_v3"
    assert (call.path_params["guidance"], call.path_params["sampler"]) == ("0", "_")
    assert call.path_params["contextImages"] == "3"
    assert _build(_img(context_images=())).endpoint == "image_estimate_v3"


def test_v3_guidance_zero_and_sampler_without_choices() -> None:
    call = _build(_img(sampler="euler", guidance=0), model_options=ModelOptions(type="image"))
    assert (call.path_params["guidance"], call.path_params["sampler"]) == ("0", "_")


def test_v3_rejects_a_sampler_the_model_does_not_offer() -> None:
    with pytest.raises(InvalidParamsError) as info:
        _build(_img(sampler="lms"), model_options=OPTIONS)
    assert info.value.field == "sampler"


def test_image_query_order_and_omission() -> None:
    call = _build(_img(billing_mode="tokens", output_format="jpg", gpt_image_quality="low"))
    assert call.query == (
        ("gptImageQuality", "low"),
        ("outputFormat", "jpg"),
        ("billingMode", "tokens"),
    )
    assert _url(call).endswith("?gptImageQuality=low&outputFormat=jpg&billingMode=tokens")


# -- video ---------------------------------------------------------------------------------


def test_video_frames_come_from_the_job_builders_computation() -> None:
    call = _build(_vid(duration=3, fps=32))
    expected = calculate_video_frames("wan_v2.2-14b-fp8_t2v_lightx2v", 3, 32)
    assert call.path_params["frames"] == str(int(expected)) == "49"
    assert call.endpoint == "video_estimate"
    assert _url(call) == (
        "/api/v1/job-video/estimate/spark/wan_v2.2-14b-fp8_t2v_lightx2v/640/480/49/32?network=fast"
    )


def test_video_explicit_frames_win() -> None:
    assert _build(_vid(frames=65, duration=9)).path_params["frames"] == "65"
    assert _build(_vid(frames=0, duration=2)).path_params["frames"] == "33"  # 0 is falsy


def test_video_default_fps() -> None:
    ltx = _build(_vid(model_id="ltx23-22b-fp8_t2v_distilled", fps=None, duration=2))
    assert ltx.path_params["fps"] == "24"
    assert ltx.path_params["frames"] == str(
        int(calculate_video_frames("ltx23-22b-fp8_t2v_distilled", 2, 24))
    )
    assert _build(_vid(model_id="wan3.0-video", fps=None)).path_params["fps"] == "30"


@pytest.mark.parametrize(
    ("steps", "count", "endpoint", "tail"),
    [
        (None, None, "video_estimate", "/33/16"),
        (None, 1, "video_estimate", "/33/16"),
        (None, 4, "video_estimate_steps", "/33/16/0/4"),
        (8, None, "video_estimate_steps", "/33/16/8/1"),
        (0, 2, "video_estimate_steps", "/33/16/0/2"),
    ],
)
def test_video_steps_and_count_segments(
    steps: int | None, count: int | None, endpoint: str, tail: str
) -> None:
    call = _build(_vid(steps=steps, number_of_media=count))
    assert call.endpoint == endpoint
    assert _url(call).split("?")[0].endswith(tail)


def test_video_query_in_sdk_order() -> None:
    call = _build(
        _vid(reference_video_urls=("https://example.invalid/a.mp4",), billing_mode="auto"),
        "relaxed",
        video_options=VideoEstimateOptions(
            source_width=960,
            source_height=540.0,
            reference_image_count=3,
            reference_video_count=1,
            reference_video_duration_seconds=4.5,
        ),
    )
    assert [k for k, _ in call.query] == [
        "sourceWidth",
        "sourceHeight",
        "hasVideoInput",
        "referenceImageCount",
        "referenceVideoCount",
        "referenceVideoDurationSeconds",
        "network",
        "billingMode",
    ]
    assert dict(call.query) == {
        "sourceWidth": "960",
        "sourceHeight": "540",
        "hasVideoInput": "1",
        "referenceImageCount": "3",
        "referenceVideoCount": "1",
        "referenceVideoDurationSeconds": "4.5",
        "network": "relaxed",
        "billingMode": "auto",
    }


@pytest.mark.parametrize(
    ("params", "options", "video_input"),
    [
        ({}, None, False),
        ({"reference_video": PNG}, None, True),
        ({"reference_video": True}, None, True),  # already uploaded
        ({"reference_video_urls": ("https://example.invalid/v.mp4",)}, None, True),
        ({"reference_video_urls": ("  ",)}, None, False),  # blank URLs do not count
        ({}, VideoEstimateOptions(has_video_input=True), True),
    ],
)
def test_has_video_input(
    params: dict[str, Any], options: VideoEstimateOptions | None, video_input: bool
) -> None:
    call = _build(_vid(**params), video_options=options)
    assert (("hasVideoInput", "1") in call.query) is video_input


def test_video_network_is_the_pinned_then_the_connections() -> None:
    assert dict(_build(_vid(), "relaxed").query)["network"] == "relaxed"
    assert dict(_build(_vid(network="fast"), "relaxed").query)["network"] == "fast"


# -- audio, enhancement ------------------------------------------------------------------------


def test_audio() -> None:
    call = _build(
        AudioProjectParams(
            model_id="ace_step_1.5_xl_turbo", duration=12.5, steps=8, number_of_media=2
        ),
        "relaxed",
    )
    assert call.endpoint == "audio_estimate"
    assert (
        _url(call)
        == "/api/v1/job-audio/estimate/spark/ace_step_1.5_xl_turbo/12.5/8/2?network=relaxed"
    )
    default_steps = _build(AudioProjectParams(model_id="a", duration=30, billing_mode="tokens"))
    assert (
        _url(default_steps)
        == "/api/v1/job-audio/estimate/spark/a/30/0/1?network=fast&billingMode=tokens"
    )


@pytest.mark.parametrize(
    ("strength", "denoise"), [("light", "0.85"), ("medium", "0.65"), ("heavy", "0.51")]
)
def test_enhancement(strength: str, denoise: str) -> None:
    call = build_enhancement_estimate(strength, token_type="sogni")
    assert _url(call) == f"/api/v2/job/estimate/sogni/fast/flux1-schnell-fp8/1/5/0/0/{denoise}/0/0"
    assert build_enhancement_estimate(strength).path_params["tokenType"] == "spark"


def test_enhancement_rejects_unknown_values() -> None:
    with pytest.raises(InvalidParamsError) as info:
        build_enhancement_estimate("extreme")
    assert info.value.field == "strength"
    with pytest.raises(InvalidParamsError) as info:
        build_enhancement_estimate("light", token_type="usd")
    assert info.value.field == "token_type"


# -- bad params ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "kwargs", "field"),
    [
        (_img(token_type="gold"), {}, "token_type"),
        (_img(network="slow"), {}, "network"),
        (_img(), {"network": "slow"}, "network"),
        (_img(billing_mode="free"), {}, "billing_mode"),
        (_img(model_id=""), {}, "model_id"),
        (_img(model_id="a/b"), {}, "model_id"),
        (_img(steps=-1), {}, "steps"),
        (_img(steps=float("inf")), {}, "steps"),
        (_img(number_of_media=0), {}, "number_of_media"),
        (_img(number_of_media=1.5), {}, "number_of_media"),
        (_img(number_of_previews=-2), {}, "number_of_previews"),
        (_img(width=float("nan"), height=5), {}, "width"),
        (_img(guidance=float("nan"), sampler="euler"), {"model_options": OPTIONS}, "guidance"),
        (_vid(width=None), {}, "width"),
        (_vid(height=None), {}, "height"),
        (_vid(duration=None), {}, "duration"),
        (_vid(duration=-1), {}, "duration"),
        (_vid(fps=0), {}, "fps"),
        (_vid(frames=2.5), {}, "frames"),
        (
            _vid(),
            {"video_options": VideoEstimateOptions(source_width=960)},
            "video_options.source_height",
        ),
        (
            _vid(),
            {"video_options": VideoEstimateOptions(reference_image_count=-1)},
            "video_options.reference_image_count",
        ),
        (
            _vid(),
            {"video_options": VideoEstimateOptions(reference_video_count=1.5)},
            "video_options.reference_video_count",
        ),
        (
            _vid(),
            {"video_options": VideoEstimateOptions(reference_video_duration_seconds=float("inf"))},
            "video_options.reference_video_duration_seconds",
        ),
        (AudioProjectParams(model_id="a"), {}, "duration"),
        (AudioProjectParams(model_id="a", duration=0), {}, "duration"),
        (
            AudioProjectParams(model_id="a", duration=5),
            {"video_options": VideoEstimateOptions()},
            "video_options",
        ),
        ("not params", {}, "params"),
    ],
)
def test_bad_params_name_the_field(params: Any, kwargs: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidParamsError) as info:
        build_estimate(params, **{"network": "fast", **kwargs})
    assert info.value.field == field
    # estimate_inputs checks every rule that needs no look-up, before any request
    inputs_kwargs = {k: v for k, v in kwargs.items() if k in ("network", "video_options")}
    with pytest.raises(InvalidParamsError) as info:
        estimate_inputs(params, **{"network": "fast", **inputs_kwargs})
    assert info.value.field == field


def test_inputs_do_not_reject_what_needs_a_lookup() -> None:
    params = _img(size_preset="nope", sampler="nope")
    assert estimate_inputs(params, network="fast") == EstimateInputs(
        network="fast", size_presets=True, model_options=True
    )


# -- response ----------------------------------------------------------------------------------


def _response(project: dict[str, Any], **extra: Any) -> EstimationResponse:
    body = json.dumps({"quote": {"project": project}, **extra}).encode()
    parsed = parse_endpoint_response("video_estimate", 200, [], body, strict=True)
    assert isinstance(parsed, EstimationResponse)
    return parsed


AMOUNTS = {
    "costInToken": "1.50000000",
    "costInUSD": "0.0192",
    "costInSpark": "3.84",
    "costInSogni": "0.0000001",
}


def test_parse_amounts_and_timings() -> None:
    estimate = parse_cost_estimate(
        _response(
            AMOUNTS,
            benchmark={"estimatedRenderTimeSec": 2.5, "estimatedTotalTimeSec": 4, "sampleCount": 3},
            dailyFairUse={"pct": 0.4},
        )
    )
    assert estimate == CostEstimate(
        token=Decimal("1.50000000"),
        usd=Decimal("0.0192"),
        spark=Decimal("3.84"),
        sogni=Decimal("1E-7"),
        estimated_render_seconds=2.5,
        estimated_total_seconds=4.0,
        daily_fair_use_pct=0.4,
    )
    # every digit the server sent survives
    assert format(estimate.token, "f") == "1.50000000"
    assert format(estimate.sogni, "f") == "0.0000001"
    with pytest.raises(AttributeError):
        estimate.token = Decimal(0)  # type: ignore[misc]


def test_parse_without_benchmark_or_fair_use() -> None:
    estimate = parse_cost_estimate(_response(AMOUNTS))
    assert estimate.estimated_render_seconds is None
    assert estimate.estimated_total_seconds is None
    assert estimate.daily_fair_use_pct is None
    only_render = parse_cost_estimate(_response(AMOUNTS, benchmark={"estimatedRenderTimeSec": 1}))
    assert (only_render.estimated_render_seconds, only_render.estimated_total_seconds) == (
        1.0,
        None,
    )


def test_parse_numbers_sent_as_json_numbers() -> None:
    estimate = parse_cost_estimate(_response({**AMOUNTS, "costInUSD": 0.1, "costInSpark": 20}))
    assert (estimate.usd, estimate.spark) == (Decimal("0.1"), Decimal(20))


@pytest.mark.parametrize("bad", [None, "abc", "NaN", "Infinity", True, [], {}])
def test_parse_rejects_missing_or_broken_amounts(bad: Any) -> None:
    project = dict(AMOUNTS)
    if bad is None:
        del project["costInSpark"]
    else:
        project["costInSpark"] = bad
    with pytest.raises(RemoteProtocolError, match="costInSpark"):
        parse_cost_estimate(_response(project))


def test_cost_estimate_encodes() -> None:
    estimate = parse_cost_estimate(_response(AMOUNTS))
    assert msgspec.json.decode(msgspec.json.encode(estimate))["token"] == "1.50000000"
