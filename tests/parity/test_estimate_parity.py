"""Parity of our cost-estimate builder and parser with the official TS SDK 5.54.0.

``estimate_harness.js`` runs the SDK's own ``estimateCost``,
``estimateEnhancementCost``, ``estimateVideoCost`` and ``estimateAudioCost``
(compiled dist, from the shared node peer of ``tests/_peers.py``) against a stub
socket that answers the models list, tiers and size presets from the same
documents we use, records the estimate GET and answers it with the case's
body. For each case we build the same estimate with
``sogni_core.protocol.rest`` (``estimate_inputs`` -> only the look-ups it asks
for -> ``build_estimate``) and require the *same path and query text*, then
parse the same body and require the same amounts and timings.

One documented difference is checked as such: a sampler on a model with no
sampler choices is an empty path segment in the SDK (it pushes ``null``) and
``_`` in ours.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import msgspec
import pytest

from sogni_core.protocol._generated.rest import SizePreset
from sogni_core.protocol.jobrequest import (
    AudioProjectParams,
    ControlNetParams,
    ImageProjectParams,
    InvalidParamsError,
    ProjectParams,
    VideoProjectParams,
    model_options_for,
)
from sogni_core.protocol.rest import (
    CostEstimate,
    EstimateCall,
    Hosts,
    VideoEstimateOptions,
    build_enhancement_estimate,
    build_estimate,
    endpoint_request,
    estimate_inputs,
    parse_cost_estimate,
    parse_endpoint_response,
)
from tests._peers import node_peer_dir

HERE = Path(__file__).parent
CORPUS = json.loads((HERE / "corpus.json").read_text(encoding="utf-8"))
PRESETS = [
    {
        "label": "Square HD",
        "id": "square_hd",
        "width": 1024,
        "height": 1024,
        "ratio": "1:1",
        "aspect": "1",
    },
    {
        "label": "Portrait",
        "id": "portrait_7_9",
        "width": 896,
        "height": 1152,
        "ratio": "7:9",
        "aspect": "0.78",
    },
]
PNG = b"\x89PNG\r\n\x1a\n" + bytes(8)
HOSTS = Hosts(rest="http://rest.invalid", socket="http://socket.invalid/")

Z = "z_image_turbo_bf16"
WAN = "wan_v2.2-14b-fp8_t2v_lightx2v"
LTX = "ltx23-22b-fp8_t2v_distilled"
H3 = "minimax-h3-fl2va-fp8_t2v"
VSR = "flashvsr_v1.1_tiny_long_bf16"
SEEDANCE = "seedance-2-0"
ACE = "ace_step_1.5_xl_turbo"


def _body(i: int) -> dict[str, Any]:
    """An estimate body; the benchmark and fair-use parts come and go with ``i``."""
    project = {
        "costInRenderSec": "3.25",
        "costInUSD": ["0.0013", "0.00000100", "12.5", "0.0000001"][i % 4],
        "costInToken": f"{i + 1}.015625",
        "costInSpark": ["0.26", "3.84000000", "2500", "0.00002"][i % 4],
        "costInSogni": f"{i + 1}.015625",
        "calculatedStepCount": 8,
    }
    body: dict[str, Any] = {
        "request": {"model": "m", "imageCount": 1},
        "rate": {"network": "fast"},
        "quote": {"model": {"weight": "1"}, "job": project, "project": project},
    }
    if i % 3 != 2:
        body["benchmark"] = {
            "estimatedRenderTimeSec": 1.5 + i,
            "medianRenderTimeSec": 1.4,
            "sampleCount": 12,
            "confidence": 0.8,
        }
        if i % 3 == 1:
            body["benchmark"]["estimatedWaitTimeSec"] = 2
            body["benchmark"]["estimatedTotalTimeSec"] = 3.5 + i
    if i % 2 == 0:
        body["dailyFairUse"] = {"pct": 0.1 * i}
    return body


def _ours(
    params: ProjectParams, network: str, video: VideoEstimateOptions | None = None
) -> EstimateCall:
    """What a transport does: ask, look up only what is asked for, build."""
    inputs = estimate_inputs(params, network=network, video_options=video)
    presets = msgspec.convert(PRESETS, tuple[SizePreset, ...]) if inputs.size_presets else None
    options = (
        model_options_for(params.model_id, CORPUS["models"], CORPUS["tiers"])
        if inputs.model_options
        else None
    )
    return build_estimate(
        params, network=network, size_presets=presets, model_options=options, video_options=video
    )


def _img(**kw: Any) -> ImageProjectParams:
    return ImageProjectParams(**kw)


def _vid(**kw: Any) -> VideoProjectParams:
    return VideoProjectParams(**kw)


# (name, TS method, TS args, connection network, our EstimateCall thunk)
CASES: list[tuple[str, str, list[Any], str, Any]] = [
    (
        "image v2 explicit size",
        "estimateCost",
        [
            {
                "network": "fast",
                "tokenType": "spark",
                "model": Z,
                "imageCount": 2,
                "stepCount": 8,
                "previewCount": 1,
                "cnEnabled": False,
                "width": 1024,
                "height": 768,
            }
        ],
        "fast",
        lambda: _ours(
            _img(
                model_id=Z,
                network="fast",
                token_type="spark",
                number_of_media=2,
                steps=8,
                number_of_previews=1,
                width=1024,
                height=768,
            ),
            "fast",
        ),
    ),
    (
        "image v2 preset, controlnet, denoise",
        "estimateCost",
        [
            {
                "network": "relaxed",
                "tokenType": "sogni",
                "model": Z,
                "imageCount": 1,
                "stepCount": 4,
                "previewCount": 0,
                "cnEnabled": True,
                "startingImageStrength": 0.35,
                "sizePreset": "portrait_7_9",
            }
        ],
        "fast",
        lambda: _ours(
            _img(
                model_id=Z,
                network="relaxed",
                token_type="sogni",
                steps=4,
                control_net=ControlNetParams(name="canny"),
                starting_image=PNG,
                starting_image_strength=0.35,
                size_preset="portrait_7_9",
            ),
            "fast",
        ),
    ),
    (
        "image denoise in JS number text",
        "estimateCost",
        [
            {
                "network": "fast",
                "model": Z,
                "imageCount": 1,
                "stepCount": 4,
                "previewCount": 0,
                "startingImageStrength": 0.7,
                "width": 512,
                "height": 512,
            }
        ],
        "fast",
        lambda: _ours(
            _img(model_id=Z, steps=4, starting_image_strength=0.7, width=512, height=512), "fast"
        ),
    ),
    (
        "image v3 sampler, guidance, context images, query",
        "estimateCost",
        [
            {
                "network": "fast",
                "tokenType": "spark",
                "model": Z,
                "imageCount": 3,
                "stepCount": 8,
                "previewCount": 2,
                "sizePreset": "square_hd",
                "guidance": 3.5,
                "sampler": "res_multistep",
                "contextImages": 2,
                "outputFormat": "jpg",
                "billingMode": "subscription",
            }
        ],
        "relaxed",
        lambda: _ours(
            _img(
                model_id=Z,
                network="fast",
                token_type="spark",
                number_of_media=3,
                steps=8,
                number_of_previews=2,
                size_preset="square_hd",
                guidance=3.5,
                sampler="res_multistep",
                context_images=(PNG, PNG),
                output_format="jpg",
                billing_mode="subscription",
            ),
            "relaxed",
        ),
    ),
    (
        "image v3 by context images alone (zero of them)",
        "estimateCost",
        [
            {
                "network": "relaxed",
                "model": Z,
                "imageCount": 1,
                "stepCount": 8,
                "previewCount": 0,
                "contextImages": 0,
                "guidance": 0,
            }
        ],
        "relaxed",
        lambda: _ours(_img(model_id=Z, steps=8, context_images=(), guidance=0), "relaxed"),
    ),
    (
        "gpt image quality and context images",
        "estimateCost",
        [
            {
                "network": "fast",
                "tokenType": "spark",
                "model": "gpt-image-2",
                "imageCount": 1,
                "stepCount": 1,
                "previewCount": 0,
                "width": 1536,
                "height": 1024,
                "contextImages": 3,
                "gptImageQuality": "high",
                "outputFormat": "webp",
                "billingMode": "tokens",
            }
        ],
        "fast",
        lambda: _ours(
            _img(
                model_id="gpt-image-2",
                steps=1,
                width=1536,
                height=1024,
                context_images=(PNG, PNG, PNG),
                gpt_image_quality="high",
                output_format="webp",
                billing_mode="tokens",
            ),
            "fast",
        ),
    ),
    *[
        (
            f"enhancement {strength}",
            "estimateEnhancementCost",
            [strength, token],
            "relaxed",
            lambda strength=strength, token=token: build_enhancement_estimate(
                strength, token_type=token
            ),
        )
        for strength, token in (("light", "spark"), ("medium", "sogni"), ("heavy", "spark"))
    ],
    (
        "video wan duration, steps",
        "estimateVideoCost",
        [
            {
                "tokenType": "spark",
                "model": WAN,
                "width": 640,
                "height": 640,
                "duration": 2,
                "fps": 16,
                "steps": 4,
                "numberOfMedia": 1,
            }
        ],
        "fast",
        lambda: _ours(
            _vid(
                model_id=WAN,
                token_type="spark",
                width=640,
                height=640,
                duration=2,
                fps=16,
                steps=4,
                number_of_media=1,
            ),
            "fast",
        ),
    ),
    (
        "video no steps, several media, connection network",
        "estimateVideoCost",
        [
            {
                "tokenType": "sogni",
                "model": WAN,
                "width": 832,
                "height": 480,
                "duration": 5,
                "fps": 32,
                "numberOfMedia": 3,
            }
        ],
        "relaxed",
        lambda: _ours(
            _vid(
                model_id=WAN,
                token_type="sogni",
                width=832,
                height=480,
                duration=5,
                fps=32,
                number_of_media=3,
            ),
            "relaxed",
        ),
    ),
    (
        "video ltx explicit frames",
        "estimateVideoCost",
        [
            {
                "tokenType": "spark",
                "model": LTX,
                "width": 1280,
                "height": 720,
                "duration": 4,
                "frames": 97,
                "fps": 24,
                "steps": 8,
                "numberOfMedia": 2,
            }
        ],
        "fast",
        lambda: _ours(
            _vid(
                model_id=LTX,
                token_type="spark",
                width=1280,
                height=720,
                duration=4,
                frames=97,
                fps=24,
                steps=8,
                number_of_media=2,
            ),
            "fast",
        ),
    ),
    (
        "video ltx snapped frames",
        "estimateVideoCost",
        [
            {
                "tokenType": "spark",
                "model": LTX,
                "width": 1280,
                "height": 720,
                "duration": 3.3,
                "fps": 24,
                "numberOfMedia": 1,
            }
        ],
        "fast",
        lambda: _ours(_vid(model_id=LTX, width=1280, height=720, duration=3.3, fps=24), "fast"),
    ),
    (
        "video minimax h3 frame grid",
        "estimateVideoCost",
        [
            {
                "tokenType": "spark",
                "model": H3,
                "width": 1280,
                "height": 720,
                "duration": 5,
                "fps": 24,
                "numberOfMedia": 1,
            }
        ],
        "fast",
        lambda: _ours(_vid(model_id=H3, width=1280, height=720, duration=5, fps=24), "fast"),
    ),
    (
        "video input, reference counts, pinned network, billing mode",
        "estimateVideoCost",
        [
            {
                "tokenType": "spark",
                "model": SEEDANCE,
                "width": 1280,
                "height": 720,
                "duration": 5,
                "fps": 24,
                "numberOfMedia": 1,
                "referenceVideoUrls": ["https://example.invalid/v.mp4"],
                "referenceImageCount": 2,
                "referenceVideoCount": 1,
                "referenceVideoDurationSeconds": 4.5,
                "network": "relaxed",
                "billingMode": "tokens",
            }
        ],
        "fast",
        lambda: _ours(
            _vid(
                model_id=SEEDANCE,
                width=1280,
                height=720,
                duration=5,
                fps=24,
                reference_video_urls=("https://example.invalid/v.mp4",),
                network="relaxed",
                billing_mode="tokens",
            ),
            "fast",
            VideoEstimateOptions(
                reference_image_count=2,
                reference_video_count=1,
                reference_video_duration_seconds=4.5,
            ),
        ),
    ),
    (
        "video reference media and explicit video input",
        "estimateVideoCost",
        [
            {
                "tokenType": "spark",
                "model": SEEDANCE,
                "width": 720,
                "height": 1280,
                "duration": 4,
                "fps": 24,
                "numberOfMedia": 1,
                "referenceVideo": "yes",
                "hasVideoInput": True,
            }
        ],
        "fast",
        lambda: _ours(
            _vid(
                model_id=SEEDANCE, width=720, height=1280, duration=4, fps=24, reference_video=PNG
            ),
            "fast",
            VideoEstimateOptions(has_video_input=True),
        ),
    ),
    (
        "video flashvsr source size",
        "estimateVideoCost",
        [
            {
                "tokenType": "spark",
                "model": VSR,
                "width": 1920,
                "height": 1080,
                "duration": 3,
                "fps": 30,
                "numberOfMedia": 1,
                "sourceWidth": 960,
                "sourceHeight": 540,
            }
        ],
        "fast",
        lambda: _ours(
            _vid(model_id=VSR, width=1920, height=1080, duration=3, fps=30),
            "fast",
            VideoEstimateOptions(source_width=960, source_height=540),
        ),
    ),
    (
        "audio",
        "estimateAudioCost",
        [{"tokenType": "sogni", "model": ACE, "duration": 30, "steps": 8, "numberOfMedia": 2}],
        "relaxed",
        lambda: _ours(
            AudioProjectParams(
                model_id=ACE, token_type="sogni", duration=30, steps=8, number_of_media=2
            ),
            "relaxed",
        ),
    ),
    (
        "audio pinned network, billing mode",
        "estimateAudioCost",
        [
            {
                "tokenType": "spark",
                "model": ACE,
                "duration": 12.5,
                "steps": 50,
                "numberOfMedia": 1,
                "network": "fast",
                "billingMode": "auto",
            }
        ],
        "relaxed",
        lambda: _ours(
            AudioProjectParams(
                model_id=ACE, duration=12.5, steps=50, network="fast", billing_mode="auto"
            ),
            "relaxed",
        ),
    ),
]


@pytest.fixture(scope="module")
def ts() -> dict[str, Any]:
    if shutil.which("node") is None:
        pytest.fail("node is required for the TS SDK parity tests")
    node_peer_dir()
    import subprocess

    cases = [
        {"name": name, "method": method, "args": args, "network": network, "response": _body(i)}
        for i, (name, method, args, network, _) in enumerate(CASES)
    ]
    cases += [
        {
            "name": "unknown preset",
            "method": "estimateCost",
            "args": [
                {
                    "network": "fast",
                    "model": Z,
                    "imageCount": 1,
                    "stepCount": 4,
                    "previewCount": 0,
                    "sizePreset": "nope",
                }
            ],
            "network": "fast",
            "response": _body(0),
        },
        {
            "name": "sampler on a model without sampler choices",
            "method": "estimateCost",
            "args": [
                {
                    "network": "fast",
                    "model": "flux1-schnell-fp8",
                    "imageCount": 1,
                    "stepCount": 4,
                    "previewCount": 0,
                    "sampler": "euler",
                }
            ],
            "network": "fast",
            "response": _body(0),
        },
    ]
    doc = {"models": CORPUS["models"], "tiers": CORPUS["tiers"], "presets": PRESETS, "cases": cases}
    proc = subprocess.run(
        ["node", str(HERE / "estimate_harness.js")],
        input=json.dumps(doc),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return {r["name"]: r for r in json.loads(proc.stdout)["results"]}


def _sent(call: EstimateCall) -> str:
    url = urlsplit(
        endpoint_request(call.endpoint, HOSTS, path_params=call.path_params, query=call.query).url
    )
    return url.path + (f"?{url.query}" if url.query else "")


def _compare(ours: CostEstimate, theirs: dict[str, Any]) -> None:
    for ours_key, ts_key in (
        ("token", "token"),
        ("usd", "usd"),
        ("spark", "spark"),
        ("sogni", "sogni"),
    ):
        assert format(getattr(ours, ours_key), "f") == theirs[ts_key], ts_key
    for ours_key, ts_key in (
        ("estimated_render_seconds", "estimatedRenderSeconds"),
        ("estimated_total_seconds", "estimatedTotalSeconds"),
        ("daily_fair_use_pct", "dailyFairUsePct"),
    ):
        assert getattr(ours, ours_key) == theirs.get(ts_key), ts_key


@pytest.mark.parametrize("index", range(len(CASES)), ids=[c[0] for c in CASES])
def test_same_request_and_result_as_the_ts_sdk(ts: dict[str, Any], index: int) -> None:
    name, _, _, _, build = CASES[index]
    theirs = ts[name]
    assert theirs["ok"], theirs
    assert len(theirs["paths"]) == 1
    call = build()
    assert _sent(call) == theirs["paths"][0]
    body = json.dumps(_body(index)).encode()
    response = parse_endpoint_response(call.endpoint, 200, [], body, strict=True)
    _compare(parse_cost_estimate(response), theirs["result"])


def test_unknown_preset_is_rejected_by_both(ts: dict[str, Any]) -> None:
    theirs = ts["unknown preset"]
    assert not theirs["ok"] and theirs["error"] == "Invalid size preset"
    assert theirs["paths"] == []
    with pytest.raises(InvalidParamsError) as info:
        _ours(_img(model_id=Z, steps=4, size_preset="nope"), "fast")
    assert info.value.field == "size_preset"


def test_sampler_without_choices_is_underscore_not_an_empty_segment(ts: dict[str, Any]) -> None:
    theirs = ts["sampler on a model without sampler choices"]
    assert theirs["ok"], theirs
    ours = _sent(_ours(_img(model_id="flux1-schnell-fp8", steps=4, sampler="euler"), "fast"))
    assert ours.endswith("/0/_/0") and theirs["paths"][0].endswith("/0//0")
    assert ours.replace("/_/", "//") == theirs["paths"][0]
