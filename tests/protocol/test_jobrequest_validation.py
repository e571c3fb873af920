"""Every validation error names the offending field (snake_case), its SDK key, and the rule."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest

from sogni_core.protocol.jobrequest import (
    Choice,
    InvalidParamsError,
    ModelOptions,
    ProjectParams,
    build_job_request,
    model_options_for,
    model_options_from_tier,
)

OPTIONS = {
    "image": ModelOptions(
        type="image",
        sampler=Choice(allowed=("euler", "dpmpp_2m")),
        scheduler=Choice(allowed=("simple", "karras")),
        vae=Choice(allowed=("a.safetensors",)),
    ),
    "video": ModelOptions(type="video", sampler=Choice(allowed=("euler",)), scheduler=Choice()),
    "audio": ModelOptions(type="audio", sampler=Choice(allowed=("euler",))),
}

H = "ab" * 32
SDXL = "coreml-sogniXLturbo_alpha1_ad"
WAN_T2V = "wan_v2.2-14b-fp8_t2v_lightx2v"
WAN_I2V = "wan_v2.2-14b-fp8_i2v_lightx2v"
H3_T2V = "minimax-h3-fl2va-fp8_t2v"
H3_R2V = "minimax-h3-ref2va-fp8_r2v"
H3_IA2V = "minimax-h3-fastvideo-int8_ia2v_turbo"
FLASHVSR = "flashvsr_v1.1_tiny_long_bf16"


def image(model: str = SDXL, **kw: Any) -> dict[str, Any]:
    return {"type": "image", "modelId": model, "positivePrompt": "p", "numberOfMedia": 1, **kw}


def video(model: str = WAN_T2V, **kw: Any) -> dict[str, Any]:
    return {"type": "video", "modelId": model, "positivePrompt": "p", "numberOfMedia": 1, **kw}


def audio(model: str = "ace_step_1.5_turbo", **kw: Any) -> dict[str, Any]:
    return {"type": "audio", "modelId": model, "positivePrompt": "p", "numberOfMedia": 1, **kw}


def build(raw: dict[str, Any], options: ModelOptions | None = None) -> dict[str, Any]:
    params = msgspec.convert(raw, ProjectParams)
    return build_job_request(
        params, project_id="PROJECT-1", model_options=options or OPTIONS[raw["type"]]
    )


# (case, params, expected field, fragment of the rule)
INVALID: list[tuple[str, dict[str, Any], str, str]] = [
    ("width_max", image(width=2049, height=512), "width", "less or equal 2048, got 2049"),
    ("height_min", image(width=512, height=255), "height", "greater or equal 256, got 255"),
    ("gpt_width_max", image("gpt-image-2", width=3841, height=512), "width", "3840"),
    ("rtx_width_min", image("rtx_vsr_pro", width=511, height=512), "width", "512"),
    (
        "cn_strength",
        image(controlNet={"name": "canny", "strength": -1}),
        "control_net.strength",
        "greater or equal 0",
    ),
    (
        "cn_mode",
        image(controlNet={"name": "canny", "mode": "x"}),
        "control_net.mode",
        "control mode",
    ),
    (
        "cn_start",
        image(controlNet={"name": "canny", "guidanceStart": 2}),
        "control_net.guidance_start",
        "1",
    ),
    ("sampler", image(sampler="heun"), "sampler", 'Must be one of "euler", "dpmpp_2m"'),
    ("scheduler", image(scheduler="beta"), "scheduler", "Invalid scheduler beta"),
    ("vae", image("z_image_turbo_bf16", vae="b"), "vae", "Invalid VAE b"),
    ("ctx_default", image(contextImages=[True] * 4), "context_images", "Up to 3"),
    (
        "ctx_krea",
        image("krea2_identity_edit_v1_2", contextImages=[True] * 3),
        "context_images",
        "Up to 2",
    ),
    ("gpt_ctx", image("gpt-image-2", contextImages=[True] * 17), "context_images", "16"),
    ("gpt_hole", image("gpt-image-2", contextImages=[True, False]), "context_images", "non-empty"),
    ("gpt_quality", image("gpt-image-2", gptImageQuality="max"), "gpt_image_quality", "max"),
    (
        "gpt25_quality_auto",
        image("gpt-image-2.5-flare", gptImageQuality="auto"),
        "gpt_image_quality",
        "xhigh or max",
    ),
    (
        "gpt_bg_jpg",
        image("gpt-image-2.5-flare", gptImageBackground="transparent", outputFormat="jpg"),
        "gpt_image_background",
        "PNG or WebP",
    ),
    (
        "gpt_compression",
        image("gpt-image-2", gptImageOutputCompression=101, outputFormat="jpg"),
        "gpt_image_output_compression",
        "0 to 100",
    ),
    (
        "gpt_mask_needs_ref",
        image("gpt-image-2", gptImageMask=True),
        "gpt_image_mask",
        "first reference",
    ),
    (
        "gpt_two_masks",
        image(
            "gpt-image-2",
            contextImages=[True],
            gptImageMask=True,
            gptImageMaskUrl="https://x/m.png",
        ),
        "gpt_image_mask_url",
        "one GPT Image mask",
    ),
    (
        "gpt_mask_uri_and_media",
        image(
            "gpt-image-2",
            contextImages=[True],
            gptImageMask=True,
            gptImageMaskUrl="data:image/png;base64,AA==",
        ),
        "gpt_image_mask_url",
        "not both",
    ),
    (
        "gpt_mask_uri_bad_b64",
        image("gpt-image-2", contextImages=[True], gptImageMaskUrl="data:image/png;base64,A=A="),
        "gpt_image_mask_url",
        "base64",
    ),
    (
        "gpt_mask_url_blank",
        image("gpt-image-2", contextImages=[True], gptImageMaskUrl=" "),
        "gpt_image_mask_url",
        "mask URL",
    ),
    (
        "mask_url_other_model",
        image(gptImageMaskUrl="https://x/m.png"),
        "gpt_image_mask_url",
        "GPT Image model",
    ),
    (
        "receipt_hash",
        image(
            worldGenerationReceipt={
                "stage": "transition",
                "firstFrameSha256": H,
                "lastFrameSha256": "z" * 64,
            }
        ),
        "world_generation_receipt.last_frame_sha256",
        "SHA-256",
    ),
    (
        "receipt_stage",
        image(worldGenerationReceipt={"stage": "x"}),
        "world_generation_receipt.stage",
        "target_still or transition",
    ),
    (
        "sam3_needs_image",
        image("sam3_image_segment_bf16", sam3Prompt={"text": "a"}),
        "starting_image",
        "requires startingImage",
    ),
    (
        "sam3_empty",
        image("sam3_image_segment_bf16", startingImage=True, sam3Prompt={}),
        "sam3_prompt",
        "at least one",
    ),
    (
        "sam3_text_and_points",
        image(
            "sam3_image_segment_bf16",
            startingImage=True,
            sam3Prompt={"text": "a", "points": [{"x": 0, "y": 0, "label": "positive"}]},
        ),
        "sam3_prompt",
        "cannot combine",
    ),
    (
        "sam3_point_label",
        image(
            "sam3_image_segment_bf16",
            startingImage=True,
            sam3Prompt={"points": [{"x": 0, "y": 0, "label": "maybe"}]},
        ),
        "sam3_prompt.points[0].label",
        "positive",
    ),
    (
        "sam3_coordinate",
        image(
            "sam3_image_segment_bf16",
            startingImage=True,
            sam3Prompt={"points": [{"x": 1.5, "y": 0, "label": "positive"}]},
        ),
        "sam3_prompt.points[0].x",
        "0 to 1",
    ),
    (
        "sam3_box_order",
        image(
            "sam3_image_segment_bf16",
            startingImage=True,
            sam3Prompt={"boxes": [{"x0": 0.5, "y0": 0, "x1": 0.4, "y1": 1}]},
        ),
        "sam3_prompt.boxes[0]",
        "x0 < x1",
    ),
    (
        "sam3_box_label",
        image(
            "sam3_image_segment_bf16",
            startingImage=True,
            sam3Prompt={"boxes": [{"x0": 0, "y0": 0, "x1": 1, "y1": 1, "label": "x"}]},
        ),
        "sam3_prompt.boxes[0].label",
        "positive",
    ),
    (
        "sam3_two_boxes_with_points",
        image(
            "sam3_image_segment_bf16",
            startingImage=True,
            sam3Prompt={
                "points": [{"x": 0, "y": 0, "label": "positive"}],
                "boxes": [{"x0": 0, "y0": 0, "x1": 1, "y1": 1}] * 2,
            },
        ),
        "sam3_prompt.boxes",
        "at most one box",
    ),
    (
        "sam3_negative_box_points",
        image(
            "sam3_image_segment_bf16",
            startingImage=True,
            sam3Prompt={
                "points": [{"x": 0, "y": 0, "label": "positive"}],
                "boxes": [{"x0": 0, "y0": 0, "x1": 1, "y1": 1, "label": "negative"}],
            },
        ),
        "sam3_prompt.boxes",
        "negative boxes",
    ),
    (
        "sam3_threshold",
        image(
            "sam3_image_segment_bf16", startingImage=True, sam3Prompt={"text": "a", "threshold": 2}
        ),
        "sam3_prompt.threshold",
        "0 to 1",
    ),
    (
        "sam3_multimask",
        image(
            "sam3_image_segment_bf16",
            startingImage=True,
            sam3Prompt={"text": "a", "multimask": True},
        ),
        "sam3_prompt.multimask",
        "point prompts",
    ),
    (
        "sam3_instances",
        image(
            "sam3_image_segment_bf16",
            startingImage=True,
            sam3Prompt={"text": "a", "maxInstances": 17},
        ),
        "sam3_prompt.max_instances",
        "1 to 16",
    ),
    (
        "sam3_text_long",
        image("sam3_image_segment_bf16", startingImage=True, sam3Prompt={"text": "a" * 241}),
        "sam3_prompt.text",
        "240",
    ),
    (
        "sam3_too_many_points",
        image(
            "sam3_image_segment_bf16",
            startingImage=True,
            sam3Prompt={"points": [{"x": 0, "y": 0, "label": "positive"}] * 33},
        ),
        "sam3_prompt.points",
        "32",
    ),
    (
        "sam3_too_many_boxes",
        image(
            "sam3_image_segment_bf16",
            startingImage=True,
            sam3Prompt={"boxes": [{"x0": 0, "y0": 0, "x1": 1, "y1": 1}] * 17},
        ),
        "sam3_prompt.boxes",
        "16",
    ),
    (
        "birefnet_image",
        image("birefnet_image_background_removal_fp16"),
        "starting_image",
        "BiRefNet",
    ),
    ("pixal3d_multi_image", image("pixal3d_multiview_int8_i23d"), "starting_image", "front view"),
    (
        "pixal3d_context",
        image("pixal3d_int8_i23d", startingImage=True, contextImages=[True]),
        "context_images",
        "contextImages",
    ),
    (
        "view_on_single",
        image("pixal3d_int8_i23d", startingImage=True, leftViewImage=True),
        "left_view_image",
        "pixal3d_multiview",
    ),
    (
        "view_false",
        image("pixal3d_multiview_int8_i23d", startingImage=True, backViewImage=False),
        "back_view_image",
        "must be an image",
    ),
    (
        "template_other_model",
        image("pixal3d_multiview_int8_i23d", startingImage=True, templateVariant="i23d-birefnet"),
        "template_variant",
        "only supported",
    ),
    (
        "template_unknown",
        image("pixal3d_int8_i23d", startingImage=True, templateVariant="x"),
        "template_variant",
        "one of",
    ),
    (
        "pixal3d_range",
        image("pixal3d_int8_i23d", startingImage=True, meshTargetFaces=100),
        "mesh_target_faces",
        "5000 to 700000",
    ),
    (
        "pixal3d_int",
        image("pixal3d_int8_i23d", startingImage=True, normalMapSize=600.5),
        "normal_map_size",
        "integer",
    ),
    ("model_type", image(WAN_T2V), "model_id", "does not support image generation"),
    # video
    ("not_video_model", video("flux1-schnell-fp8"), "model_id", "only supported for video models"),
    ("duration_min", video(duration=0.5), "duration", "greater or equal 1"),
    ("duration_max", video(duration=10.5), "duration", "less or equal 10"),
    (
        "h3_duration_min",
        video(H3_T2V, duration=5),
        "duration",
        "greater or equal 5.166666666666667",
    ),
    (
        "video_height",
        video(width=640, height=479),
        "height",
        "Video height must greater or equal 480",
    ),
    ("teacache_range", video(teacacheThreshold=-0.1), "teacache_threshold", "between 0.0 and 1.0"),
    (
        "video_cn_strength",
        video(
            "ltx23-22b-fp8_v2v_distilled",
            referenceVideo=True,
            controlNet={"name": "canny", "strength": 2},
        ),
        "control_net.strength",
        "less or equal 1",
    ),
    ("output_format", video(outputFormat="avi"), "output_format", "mp4 or mov"),
    ("i2v_needs_image", video(WAN_I2V), "reference_image", "at least one of"),
    (
        "t2v_forbids_video",
        video(referenceVideo=True),
        "reference_video",
        "does not support referenceVideo",
    ),
    (
        "t2v_forbids_mask",
        video(referenceMask=True),
        "reference_mask",
        "does not support referenceMask",
    ),
    ("sam2_empty_list_counts", video(sam2Coordinates=[]), "sam2_coordinates", "animate-replace"),
    ("ref_videos_not_h3", video(referenceVideos=[True]), "reference_videos", "MiniMax H3 r2v"),
    (
        "ref_durations_not_h3",
        video(referenceVideoDurations=[3]),
        "reference_video_durations",
        "MiniMax H3 r2v",
    ),
    (
        "file_url_not_wan3",
        video(referenceFileUrl="https://x/doc.pdf"),
        "reference_file_url",
        "External reference URLs",
    ),
    ("h3_ctx_hole", video(H3_R2V, contextImages=[True, False]), "context_images", "empty entries"),
    (
        "h3_ref_hole",
        video(H3_R2V, referenceImage=True, referenceAudios=[False]),
        "reference_audios",
        "without empty entries",
    ),
    (
        "h3_urls",
        video(H3_R2V, referenceImage=True, referenceImageUrls=[]),
        "reference_image_urls",
        "does not accept",
    ),
    (
        "h3_too_many_images",
        video(H3_R2V, referenceImage=True, contextImages=[True] * 9),
        "context_images",
        "at most 9",
    ),
    (
        "h3_too_many_videos",
        video(H3_R2V, referenceVideo=True, referenceVideos=[True] * 3),
        "reference_videos",
        "at most 3",
    ),
    ("h3_audio_only", video(H3_R2V, referenceAudio=True), "reference_image", "visual reference"),
    (
        "h3_durations_count",
        video(H3_R2V, referenceVideo=True, referenceVideoDurations=[3, 3]),
        "reference_video_durations",
        "expected 1",
    ),
    (
        "h3_duration_range",
        video(H3_R2V, referenceVideo=True, referenceVideoDurations=[1]),
        "reference_video_durations[0]",
        "between 2 and 15",
    ),
    (
        "h3_duration_total",
        video(H3_R2V, referenceVideo=True, referenceVideos=[True], referenceVideoDurations=[8, 8]),
        "reference_video_durations",
        "total",
    ),
    ("h3_steps", video(H3_T2V, steps=4), "steps", "fixed at 20"),
    (
        "h3_turbo_steps",
        video("minimax-h3-fl2va-fp8_t2v_turbo", steps=20),
        "steps",
        "Turbo steps are fixed at 4",
    ),
    (
        "h3_balanced_steps",
        video("minimax-h3-fl2va-fp8_t2v_balanced", steps=20),
        "steps",
        "Balanced steps are fixed at 8",
    ),
    ("h3_guidance", video(H3_T2V, guidance=2), "guidance", "fixed at 1"),
    ("h3_height_alone", video(H3_T2V, width=512), "height", "provided together"),
    ("h3_pixels", video(H3_T2V, width=1344, height=1344), "width", "1,032,192"),
    ("h3_audio_duration", video(H3_T2V, audioDuration=3), "audio_duration", "no audioDuration"),
    ("h3_audio_start_not_guide", video(H3_T2V, audioStart=1), "audio_start", "audio-guide"),
    (
        "h3_guide_generate_audio",
        video(H3_IA2V, referenceImage=True, referenceAudio=True, generateAudio=False),
        "generate_audio",
        "always carries",
    ),
    (
        "h3_guide_audio_start",
        video(H3_IA2V, referenceImage=True, referenceAudio=True, audioStart=-1),
        "audio_start",
        "0 or greater",
    ),
    (
        "h3_guide_loras",
        video(H3_IA2V, referenceImage=True, referenceAudio=True, loras=["x"]),
        "loras",
        "does not support LoRAs",
    ),
    (
        "seedance_unknown_task",
        video("seedance-2-5", seedanceTaskType="remix"),
        "seedance_task_type",
        "reference, edit, or extend",
    ),
    (
        "seedance25_loose_needs_task",
        video("seedance-2-5", referenceVideoUrls=["https://x/v.mp4"]),
        "seedance_task_type",
        "require seedanceTaskType",
    ),
    (
        "seedance25_task_with_frames",
        video("seedance-2-5", seedanceTaskType="reference", referenceImage=True),
        "seedance_task_type",
        "omit it",
    ),
    (
        "seedance25_edit_needs_video",
        video("seedance-2-5", seedanceTaskType="edit", referenceImageUrls=["https://x/a.png"]),
        "reference_video",
        "at least one reference video",
    ),
    (
        "seedance25_reference_needs_loose",
        video("seedance-2-5", seedanceTaskType="reference"),
        "seedance_task_type",
        "at least one loose",
    ),
    (
        "seedance_too_many_videos",
        video("seedance-2-0", referenceVideo=True, referenceVideoUrls=["https://x/v"] * 3),
        "reference_video_urls",
        "at most 3 video",
    ),
    (
        "seedance_too_many_audios",
        video(
            "seedance-2-0",
            referenceImage=True,
            referenceAudio=True,
            referenceAudioUrls=["https://x/a"] * 3,
        ),
        "reference_audio_urls",
        "at most 3 audio",
    ),
    (
        "seedance_total",
        video(
            "seedance-2-0",
            referenceImageUrls=["https://x/i"] * 9,
            referenceVideoUrls=["https://x/v"] * 3,
            referenceAudioUrls=["https://x/a"],
        ),
        "reference_image_urls",
        "12 total",
    ),
    (
        "happyhorse_audio",
        video("happyhorse-1.1-r2v", referenceAudio=True),
        "reference_audio",
        "reference audio",
    ),
    (
        "happyhorse_end_frame",
        video("happyhorse-1.1-i2v", referenceImageEnd=True),
        "reference_image_end",
        "end-frame",
    ),
    ("happyhorse_r2v_none", video("happyhorse-1.1-r2v"), "reference_image_urls", "between 1 and 9"),
    (
        "happyhorse_t2v_image",
        video("happyhorse-1.1-t2v", referenceImage=True),
        "reference_image",
        "t2v does not support",
    ),
    (
        "wan3_link_not_https",
        video("wan3.0-video", referenceLinkUrl="http://x.com/p"),
        "reference_link_url",
        "valid public HTTPS",
    ),
    (
        "wan3_file_blank",
        video("wan3.0-video", referenceFileUrl=" "),
        "reference_file_url",
        "non-empty",
    ),
    (
        "wan3_file_and_link",
        video("wan3.0-video", referenceFileUrl="https://x/f", referenceLinkUrl="https://x/l"),
        "reference_link_url",
        "not both",
    ),
    (
        "wan3_enhanced_docs",
        video("wan3.0-spicy-video", referenceFileUrl="https://x/f"),
        "reference_file_url",
        "Enhanced",
    ),
    (
        "wan3_enhanced_watermark",
        video("wan3.0-spicy-video", watermark=True),
        "watermark",
        "watermark",
    ),
    ("wan3_ratio", video("wan3.0-video", ratio="2:1"), "ratio", "16:9"),
    (
        "wan3_identity",
        video("wan3.0-video", referenceAudioIdentity=True),
        "reference_audio_identity",
        "audio-identity",
    ),
    ("wan3_seed", video("wan3.0-video", seed=2**31), "seed", "2147483647"),
    (
        "wan3_last_needs_first",
        video("wan3.0-video", referenceImageEnd=True),
        "reference_image",
        "first-frame",
    ),
    (
        "wan3_anchor_and_loose",
        video("wan3.0-video", referenceImage=True, referenceVideo=True),
        "reference_image",
        "cannot be combined",
    ),
    (
        "wan3_too_many_videos",
        video("wan3.0-video", referenceVideoUrls=["https://x/v"] * 6),
        "reference_video_urls",
        "at most 5",
    ),
    (
        "wan3_empty",
        video("wan3.0-video", positivePrompt=" "),
        "positive_prompt",
        "requires a prompt",
    ),
    ("wan3_duration_min", video("wan3.0-video", duration=1.5), "duration", "greater or equal 2"),
    (
        "vsr_detail",
        video(FLASHVSR, positivePrompt="", referenceVideo=True, detailPreference="x"),
        "detail_preference",
        "stable or sharper",
    ),
    (
        "vsr_speed",
        video(FLASHVSR, positivePrompt="", referenceVideo=True, processingSpeed="x"),
        "processing_speed",
        "stable or faster",
    ),
    ("vsr_seed", video(FLASHVSR, positivePrompt="", referenceVideo=True, seed=-2), "seed", "-1"),
    (
        "vsr_needs_video",
        video(FLASHVSR, positivePrompt="", upscaleResolution=1080),
        "reference_video",
        "referenceVideo",
    ),
    (
        "vsr_fps",
        video(FLASHVSR, positivePrompt="", upscaleResolution=1080, referenceVideo=True, fps=61),
        "fps",
        "exact frame count",
    ),
    (
        "vsr_duration_needs_fps",
        video(FLASHVSR, positivePrompt="", upscaleResolution=1080, referenceVideo=True, duration=3),
        "fps",
        "frame rate",
    ),
    (
        "vsr_frames",
        video(FLASHVSR, positivePrompt="", upscaleResolution=1080, referenceVideo=True, frames=0),
        "frames",
        "frame count",
    ),
    (
        "vsr_prompt",
        video(FLASHVSR, upscaleResolution=1080, referenceVideo=True),
        "positive_prompt",
        "promptless",
    ),
    (
        "vsr_controls",
        video(
            FLASHVSR,
            positivePrompt="",
            upscaleResolution=1080,
            referenceVideo=True,
            trimEndFrame=True,
        ),
        "trim_end_frame",
        "unsupported",
    ),
    (
        "vsr_media_count",
        video(
            FLASHVSR,
            positivePrompt="",
            upscaleResolution=1080,
            referenceVideo=True,
            numberOfMedia=2,
        ),
        "number_of_media",
        "one source video",
    ),
    (
        "cn_strength_nan",
        image(controlNet={"name": "canny", "strength": float("nan")}),
        "control_net.strength",
        "must be a number, got NaN",
    ),
    (
        "teacache_nan",
        video(teacacheThreshold=float("nan")),
        "teacache_threshold",
        "must be a number",
    ),
    # audio
    ("audio_sampler", audio(sampler="heun"), "sampler", "Invalid sampler heun"),
    ("audio_model_type", audio(), "model_id", "does not support audio generation"),
]


# Cases that need model options of another kind than their params.
OPTIONS_OVERRIDE = {"audio_model_type": OPTIONS["image"], "model_type": OPTIONS["video"]}


@pytest.mark.parametrize(
    ("name", "params", "field", "fragment"), INVALID, ids=[c[0] for c in INVALID]
)
def test_invalid_params_name_field_and_rule(
    name: str, params: dict[str, Any], field: str, fragment: str
) -> None:
    with pytest.raises(InvalidParamsError) as info:
        build(params, OPTIONS_OVERRIDE.get(name))
    error = info.value
    assert error.field == field
    assert fragment in error.rule
    # The rule names the SDK / wire params key of the field.
    wire_head = field.split(".")[0].split("[")[0]
    camel = "".join(
        w if i == 0 else w[:1].upper() + w[1:] for i, w in enumerate(wire_head.split("_"))
    )
    assert "params key" in error.rule and camel in error.rule
    assert str(error).startswith(f"{field}: ")


def test_invalid_error_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        build(image(width=5000, height=5000))


def test_unknown_model_and_tier() -> None:
    models = [{"id": "m", "tier": "t"}, {"id": "n", "tier": "missing"}]
    with pytest.raises(InvalidParamsError) as info:
        model_options_for("x", models, {"t": {"steps": {}}})
    assert info.value.field == "model_id" and "not supported" in info.value.rule
    with pytest.raises(InvalidParamsError) as info:
        model_options_for("n", models, {"t": {"steps": {}}})
    assert info.value.field == "model_id" and "missing" in info.value.rule
    with pytest.raises(InvalidParamsError) as info:
        model_options_from_tier({"type": "llm"})
    assert info.value.field == "model_id" and "llm" in info.value.rule


def test_decoding_rejects_unknown_keys() -> None:
    with pytest.raises(msgspec.ValidationError):
        msgspec.convert({**image(), "outputScale": 2}, ProjectParams)
