"""Building blocks of the jobRequest builder: families, frames, options, media, attribution."""

from __future__ import annotations

import msgspec
import pytest

import sogni_core.protocol.jobrequest as jr
from sogni_core.protocol.jobrequest import (
    AudioProjectParams,
    Choice,
    ImageProjectParams,
    MediaInput,
    ModelOptions,
    ProjectParams,
    VideoProjectParams,
    WorkloadAttributionInput,
    attribution_wire_fields,
    build_job_request,
    calculate_video_frames,
    js_json_dumps,
    max_context_images,
    model_options_from_tier,
    resolve_workload_attribution,
    sniff_content_type,
    video_asset_requirements,
    video_workflow_type,
)

IMAGE = ModelOptions(type="image")
VIDEO = ModelOptions(type="video")
AUDIO = ModelOptions(type="audio")


def test_all_is_sorted_and_complete() -> None:
    assert jr.__all__ == sorted(jr.__all__)
    for name in jr.__all__:
        assert hasattr(jr, name), name


@pytest.mark.parametrize(
    ("data", "mime"),
    [
        (b"\xff\xd8\xff" + b"\0" * 9, "image/jpeg"),
        (b"\x89PNG" + b"\0" * 8, "image/png"),
        (b"RIFF\0\0\0\0WEBP", "image/webp"),
        (b"GIF89a" + b"\0" * 6, "image/gif"),
        (b"\0\0\0\x18ftypM4A ", "audio/mp4"),
        (b"\0\0\0\x18ftypM4B ", "audio/mp4"),
        (b"\0\0\0\x14ftypqt  ", "video/quicktime"),
        (b"\0\0\0\x18ftypisom", "video/mp4"),
        (b"RIFF\0\0\0\0WAVE", "audio/wav"),
        (b"ID3", "audio/mpeg"),
        (b"\xff\xfb", "audio/mpeg"),
        (b"\x89PNG", None),  # too short for the container checks
        (b"\xff", None),
        (b"", None),
        (b"hello world!", None),
        (b"\xd2IFF\0\0\0\0WAVE", "audio/wav"),  # Node's "ascii" decoding drops the high bit
    ],
)
def test_sniff_content_type(data: bytes, mime: str | None) -> None:
    assert sniff_content_type(data) == mime


@pytest.mark.parametrize(
    ("model", "duration", "fps", "frames"),
    [
        ("wan_v2.2-14b-fp8_t2v_lightx2v", 5, 24, 81),
        ("wan_v2.2-14b-fp8_t2v_lightx2v", 5, 32, 81),  # Wan renders 16 fps whatever fps says
        ("wan_v2.2-14b-fp8_t2v_lightx2v", 3.3, 32, 54),
        ("minimax-h3-fl2va-fp8_t2v", 5.2, 24, 124),
        ("minimax-h3-fl2va-fp8_t2v", 10, 24, 243),
        ("minimax-h3-fl2va-fp8_t2v", 15.08, 24, 362),
        ("ltx23-22b-fp8_t2v_distilled", 5, 24, 121),
        ("ltx23-22b-fp8_t2v_distilled", 3.7, 30, 113),
        ("seedance-2-0", 5, 24, 121),
        ("flashvsr_v1.1_tiny_long_bf16", 10, 30, 300),
    ],
)
def test_calculate_video_frames(model: str, duration: float, fps: float, frames: int) -> None:
    assert calculate_video_frames(model, duration, fps) == frames


@pytest.mark.parametrize(
    ("model", "workflow"),
    [
        ("wan_v2.2-14b-fp8_t2v", "t2v"),
        ("wan_v2.2-14b-fp8_s2v_lightx2v", "s2v"),
        ("wan_v2.2-14b-fp8_animate-move_lightx2v", "animate-move"),
        ("wan_v2.2-14b-fp8_animate-replace_lightx2v", "animate-replace"),
        ("ltx23-22b-fp8_v2v_distilled", "v2v"),
        ("ltx23-22b-fp8_ia2v_distilled", "ia2v"),
        ("ltx2-19b-fp8_a2v", "a2v"),
        ("seedance-2-0", None),
        ("happyhorse-1.1-r2v", "r2v"),
        ("wan3.0-video", "t2v"),
        ("minimax-h3-fastvideo-int8_flfa2v_turbo", "flfa2v"),
        ("minimax-h3-fl2va-fp8_flf2v", "flf2v"),
        ("flashvsr_v1.1_tiny_long_bf16", "upscale"),
        ("flux1-schnell-fp8", None),
        ("", None),
        ("wan_v2.2-14b-fp8_unknown", None),  # not in the exact id set
    ],
)
def test_video_workflow_type(model: str, workflow: str | None) -> None:
    assert video_workflow_type(model) == workflow


def test_video_asset_requirements() -> None:
    s2v = video_asset_requirements("wan_v2.2-14b-fp8_s2v_lightx2v")
    assert s2v is not None
    assert s2v["referenceImage"] == "required" and s2v["referenceAudio"] == "required"
    assert s2v["referenceVideo"] == "forbidden"
    h3 = video_asset_requirements("minimax-h3-ref2va-fp8_r2v")
    assert h3 is not None and h3["referenceAudio"] == "optional"
    h3_i2v = video_asset_requirements("minimax-h3-fl2va-fp8_i2v")
    assert h3_i2v is not None and h3_i2v["referenceAudioIdentity"] == "forbidden"
    assert video_asset_requirements("seedance-2-0") is None


def test_max_context_images() -> None:
    assert max_context_images("gpt-image-2") == 16
    assert max_context_images("qwen_image_edit_2511_fp8") == 3
    assert max_context_images("krea2_identity_edit_v1_2") == 2
    assert max_context_images("flux1-kontext-dev") == 2
    assert max_context_images("anything") == 3


def test_model_options_from_tier_kinds_and_aliases() -> None:
    legacy = model_options_from_tier(
        {"sampler": {"allowed": ["Euler a", "Custom"], "default": "Euler a"}, "scheduler": None}
    )
    assert legacy == ModelOptions(
        type="image",
        sampler=Choice(allowed=("euler_a", "Custom"), default="euler_a"),
        scheduler=Choice(),
    )
    comfy = model_options_from_tier(
        {
            "type": "image",
            "comfySampler": {"allowed": ["DPM++ 2M"], "default": None},
            "comfyScheduler": {"allowed": ["SGM Uniform"], "default": "SGM Uniform"},
            "vae": {"allowed": ["Euler"], "default": "Euler"},  # VAE names are not aliased
        }
    )
    assert comfy.sampler == Choice(allowed=("dpmpp_2m",), default=None)
    assert comfy.scheduler == Choice(allowed=("sgm_uniform",), default="sgm_uniform")
    assert comfy.vae == Choice(allowed=("Euler",), default="Euler")
    assert model_options_from_tier({"type": "video"}).type == "video"
    speech = model_options_from_tier({"type": "audio"})
    assert speech == ModelOptions(type="audio")


def test_resolve_workload_attribution() -> None:
    assert resolve_workload_attribution(None, None, "P") is None
    # Invalid values vanish; the fallback id alone never creates attribution.
    assert (
        resolve_workload_attribution(WorkloadAttributionInput(workload_kind="x"), None, "P") is None
    )
    top = resolve_workload_attribution(
        None, WorkloadAttributionInput(workload_kind=" direct ", agent_framework="f"), "PROJ-1"
    )
    assert top == {
        "workload_kind": "direct",
        "operation_id": "PROJ-1",
        "operation_scope": "top_level",
        "root_operation_id": "PROJ-1",
    }
    child = resolve_workload_attribution(
        WorkloadAttributionInput(
            workload_kind="agent_mediated", agent_framework="a", agent_framework_version="1"
        ),
        WorkloadAttributionInput(operation_id="op", root_operation_id="root"),
        "P",
    )
    assert child is not None
    assert child["operation_scope"] == "child" and child["parent_operation_id"] == "root"
    assert list(attribution_wire_fields(child)) == [
        "workloadKind",
        "agentFramework",
        "agentFrameworkVersion",
        "operationScope",
        "operationId",
        "rootOperationId",
        "parentOperationId",
    ]
    bad_ids = resolve_workload_attribution(
        None,
        WorkloadAttributionInput(
            execution_mode="server",
            operation_id=" padded",
            root_operation_id="-leading",
            agent_surface_version="v1",
        ),
        "also bad",
    )
    assert bad_ids == {"execution_mode": "server"}
    too_long = resolve_workload_attribution(
        None,
        WorkloadAttributionInput(
            workload_kind="agent_mediated", agent_framework="x" * 129, agent_surface=" cli "
        ),
        None,
    )
    assert too_long == {"workload_kind": "agent_mediated", "agent_surface": "cli"}
    control = resolve_workload_attribution(
        None,
        WorkloadAttributionInput(workload_kind="service", agent_framework_version="1\x00"),
        None,
    )
    assert control == {"workload_kind": "service"}
    assert attribution_wire_fields(None) == {}


def test_decode_from_sdk_camel_case() -> None:
    params = msgspec.convert(
        {
            "type": "video",
            "modelId": "seedance-2-0",
            "disableNSFWFilter": True,
            "referenceImageUrls": ["https://x/a.png"],
            "referenceVideo": {"data": b"\0\0\0\x18ftypisom", "contentType": "video/mp4"},
        },
        ProjectParams,
    )
    assert isinstance(params, VideoProjectParams)
    assert params.disable_nsfw_filter is True
    assert params.reference_image_urls == ("https://x/a.png",)
    assert params.reference_video == MediaInput(
        data=b"\0\0\0\x18ftypisom", content_type="video/mp4"
    )


def test_image_payload_basics() -> None:
    payload = build_job_request(
        ImageProjectParams(
            model_id="flux1-schnell-fp8",
            positive_prompt="cat",
            steps=4.0,
            width=1024,
            height=1024.0,
        ),
        project_id="P-1",
        model_options=IMAGE,
        default_app_source="app",
    )
    kf = payload["keyFrames"][0]
    assert kf["steps"] == 4 and type(kf["steps"]) is int
    assert "seed" not in kf and "guidanceScale" not in kf
    assert (kf["sizePreset"], kf["width"], kf["height"]) == ("custom", 1024, 1024)
    assert list(payload)[-2:] == ["outputFormat", "appSource"]
    assert payload["numberOfImages"] == 1 and payload["previews"] == 0
    assert js_json_dumps(payload).startswith('{"selectedUpscalingModel":"OFF",')


def test_video_content_types_follow_the_media() -> None:
    payload = build_job_request(
        VideoProjectParams(
            model_id="wan_v2.2-14b-fp8_s2v_lightx2v",
            positive_prompt="x",
            reference_image=MediaInput(data=b"whatever", content_type="image/avif"),
            reference_audio=MediaInput(data=b"ID3", content_type=""),  # Blob without a type
        ),
        project_id="P-2",
        model_options=VIDEO,
    )
    kf = payload["keyFrames"][0]
    assert kf["referenceImageContentType"] == "image/avif"
    assert "referenceAudioContentType" not in kf
    assert kf["comfySampler"] is None and kf["comfyScheduler"] is None
    assert "negativePrompt" in kf  # Wan keeps it


def test_audio_drops_negative_prompt_and_passes_values_through() -> None:
    payload = build_job_request(
        AudioProjectParams(model_id="ace_step_1.5_turbo", negative_prompt="noise", bpm=120.0),
        project_id="P-3",
        model_options=AUDIO,
    )
    kf = payload["keyFrames"][0]
    assert "negativePrompt" not in kf and "positivePrompt" not in kf
    assert kf["bpm"] == 120 and payload["outputFormat"] == "mp3"


def test_builder_does_not_mutate_and_returns_fresh_dicts() -> None:
    params = ImageProjectParams(model_id="flux1-schnell-fp8", loras=("a",))
    first = build_job_request(params, project_id="P", model_options=IMAGE)
    first["keyFrames"][0]["loras"].append("b")
    second = build_job_request(params, project_id="P", model_options=IMAGE)
    assert second["keyFrames"][0]["loras"] == ["a"]
    assert params.loras == ("a",)


def test_plan_uploads_order_groups_and_skips_already_uploaded() -> None:
    png = b"\x89PNG\r\n\x1a\n\0\0\0\0"
    plan = jr.plan_uploads(
        ImageProjectParams(
            model_id="qwen_image_edit_2511_fp8",
            starting_image=png,
            context_images=(True, MediaInput(data=b"raw", content_type="image/webp"), png),
        )
    )
    assert [(u.type, u.content_type, u.parallel_group) for u in plan] == [
        ("startingImage", "image/png", 1),
        ("contextImage2", "image/webp", 3),
        ("contextImage3", "image/png", 3),
    ]
    assert plan[1].failure == "Failed to upload context image 1"
    assert all(u.endpoint == "image" and u.id is None for u in plan)
    h3 = jr.plan_uploads(
        VideoProjectParams(
            model_id="minimax-h3-ref2va-fp8_r2v",
            reference_audio=True,
            reference_audios=(b"ID3\x04",),
            reference_video=b"\0\0\0\x18ftypisom",
        )
    )
    assert [(u.endpoint, u.type, u.id, u.content_type) for u in h3] == [
        ("media", "referenceAudio", "referenceAudio2", "audio/mpeg"),
        ("media", "referenceVideo", "referenceVideo1", "video/mp4"),
    ]
    assert jr.plan_uploads(AudioProjectParams(model_id="ace_step_1.5_turbo")) == ()
