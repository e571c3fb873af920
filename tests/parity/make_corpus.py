"""Regenerate corpus.json (the parity corpus): ``python tests/parity/make_corpus.py``.

Media markers: ``{"$media": kind}`` is a small file with that kind's magic bytes (a Node
Buffer / Python bytes); ``{"$blob": mime, "kind": kind}`` is a typed Blob / MediaInput.
Valid cases may carry ``client`` defaults (appSource, workload attribution); invalid
cases name the field our builder must report.
"""

import json
from pathlib import Path
from typing import Any


def M(kind: str, **kw: Any) -> dict[str, Any]:
    """A media file of that kind (magic bytes + padding)."""
    return {"$media": kind, **kw}


def B(mime: str, kind: str) -> dict[str, Any]:
    """A media file carrying its own MIME type (a Blob)."""
    return {"$blob": mime, "kind": kind}


tiers = {
    "legacy_none": {
        "benchmark": {"sec": 1},
        "steps": {"min": 1, "max": 10, "default": 4},
        "guidance": {"min": 0, "max": 2, "decimals": 1, "default": 1},
    },
    "legacy_sd": {
        "benchmark": {"sec": 1},
        "steps": {"min": 1, "max": 60, "default": 20},
        "guidance": {"min": 1, "max": 20, "decimals": 1, "default": 7.5},
        "sampler": {
            "allowed": [
                "Euler",
                "Euler a",
                "DPM++ 2M",
                "DPM++ SDE",
                "LCM (Latent Consistency Model)",
            ],
            "default": "Euler a",
        },
        "scheduler": {"allowed": ["Simple", "Karras", "Normal"], "default": "Karras"},
    },
    "comfy_zimage": {
        "type": "image",
        "benchmark": {"sec": 1},
        "steps": {"min": 1, "max": 20, "default": 8},
        "defaultSize": {},
        "comfySampler": {"allowed": ["euler", "res_multistep", "DPM++ 2M"], "default": "euler"},
        "comfyScheduler": {"allowed": ["simple", "beta", "SGM Uniform"], "default": "simple"},
    },
    "comfy_qwen": {
        "type": "image",
        "benchmark": {"sec": 1},
        "steps": {"min": 1, "max": 50, "default": 20},
        "defaultSize": {},
        "guidance": {"min": 1, "max": 10, "decimals": 1, "default": 4},
        "comfySampler": {"allowed": ["euler"], "default": "euler"},
        "comfyScheduler": {"allowed": ["simple"], "default": "simple"},
        "vae": {
            "allowed": ["qwen_image_vae.safetensors", "qwen_alt_vae.safetensors"],
            "default": "qwen_image_vae.safetensors",
        },
    },
    "external_image": {
        "type": "image",
        "benchmark": {"sec": 1},
        "steps": {"min": 1, "max": 1, "default": 1},
        "defaultSize": {},
    },
    "video_comfy": {
        "type": "video",
        "benchmark": {"sec": 1},
        "width": {"min": 480, "max": 1920, "default": 832},
        "height": {"min": 480, "max": 1920, "default": 480},
        "steps": {"min": 1, "max": 40, "default": 4},
        "comfySampler": {"allowed": ["euler", "uni_pc", "Euler"], "default": "euler"},
        "comfyScheduler": {"allowed": ["simple", "Beta"], "default": "simple"},
        "fps": {"allowed": [16, 32], "default": 16},
    },
    "video_external": {
        "type": "video",
        "benchmark": {"sec": 1},
        "width": {"min": 480, "max": 1920, "default": 1280},
        "height": {"min": 480, "max": 1920, "default": 720},
    },
    "audio_ace": {
        "type": "audio",
        "benchmark": {"sec": 1},
        "steps": {"min": 1, "max": 16, "default": 8},
        "duration": {"min": 10, "max": 600, "default": 30},
        "comfySampler": {"allowed": ["euler", "DPM++ 2M"], "default": "euler"},
        "comfyScheduler": {"allowed": ["simple"], "default": "simple"},
    },
    "audio_speech": {
        "type": "audio",
        "benchmark": {"sec": 1},
        "steps": {"min": 1, "max": 1, "default": 1},
    },
}
model_tiers = {
    "flux1-schnell-fp8": ("legacy_none", "image"),
    "flux1-dev-fp8": ("legacy_sd", "image"),
    "coreml-sogniXLturbo_alpha1_ad": ("legacy_sd", "image"),
    "coreml-stableDiffusion-v1-5": ("legacy_sd", "image"),
    "flux1-kontext-dev-fp8": ("legacy_none", "image"),
    "z_image_turbo_bf16": ("comfy_zimage", "image"),
    "qwen_image_edit_2511_fp8": ("comfy_qwen", "image"),
    "qwen_image_2512_fp8_lightning": ("comfy_qwen", "image"),
    "krea2_identity_edit_v1_2": ("comfy_zimage", "image"),
    "rtx_vsr_pro": ("comfy_zimage", "image"),
    "gpt-image-2": ("external_image", "image"),
    "gpt-image-2.5-flare": ("external_image", "image"),
    "sam3_image_segment_bf16": ("external_image", "image"),
    "birefnet_image_background_removal_fp16": ("external_image", "image"),
    "pixal3d_int8_i23d": ("external_image", "model"),
    "pixal3d_multiview_int8_i23d": ("external_image", "model"),
    "wan_v2.2-14b-fp8_t2v": ("video_comfy", "video"),
    "wan_v2.2-14b-fp8_t2v_lightx2v": ("video_comfy", "video"),
    "wan_v2.2-14b-fp8_i2v_lightx2v": ("video_comfy", "video"),
    "wan_v2.2-14b-fp8_s2v_lightx2v": ("video_comfy", "video"),
    "wan_v2.2-14b-fp8_animate-move_lightx2v": ("video_comfy", "video"),
    "wan_v2.2-14b-fp8_animate-replace_lightx2v": ("video_comfy", "video"),
    "ltx23-22b-fp8_t2v_distilled": ("video_comfy", "video"),
    "ltx23-22b-fp8_i2v_distilled": ("video_comfy", "video"),
    "ltx23-22b-fp8_v2v_distilled": ("video_comfy", "video"),
    "ltx23-22b-fp8_ia2v_distilled": ("video_comfy", "video"),
    "ltx2-19b-fp8_a2v": ("video_comfy", "video"),
    "seedance-2-0": ("video_external", "video"),
    "seedance-2-0-mini": ("video_external", "video"),
    "seedance-2-5": ("video_external", "video"),
    "happyhorse-1.1-r2v": ("video_external", "video"),
    "happyhorse-1.1-i2v": ("video_external", "video"),
    "happyhorse-1.1-t2v": ("video_external", "video"),
    "wan3.0-video": ("video_external", "video"),
    "minimax-h3-fl2va-fp8_t2v": ("video_comfy", "video"),
    "minimax-h3-fl2va-fp8_i2v": ("video_comfy", "video"),
    "minimax-h3-fl2va-fp8_flf2v": ("video_comfy", "video"),
    "minimax-h3-fl2va-fp8_t2v_turbo": ("video_comfy", "video"),
    "minimax-h3-ref2va-fp8_r2v": ("video_comfy", "video"),
    "minimax-h3-fastvideo-int8_ia2v_turbo": ("video_comfy", "video"),
    "flashvsr_v1.1_tiny_long_bf16": ("video_external", "video"),
    "ace_step_1.5_turbo": ("audio_ace", "audio"),
    "minimax_music3": ("audio_ace", "audio"),
    "qwen3_tts_1.7b": ("audio_speech", "audio"),
}
models = [
    {"id": mid, "name": mid, "SID": i + 1, "tier": t, "media": media}
    for i, (mid, (t, media)) in enumerate(model_tiers.items())
]


SDXL_ID = "coreml-sogniXLturbo_alpha1_ad"


def img(model: str, **kw: Any) -> dict[str, Any]:
    return {
        "type": "image",
        "modelId": model,
        "positivePrompt": kw.pop("positivePrompt", "a red fox in snow"),
        "numberOfMedia": kw.pop("numberOfMedia", 1),
        **kw,
    }


def vid(model: str, **kw: Any) -> dict[str, Any]:
    return {
        "type": "video",
        "modelId": model,
        "positivePrompt": kw.pop("positivePrompt", "waves at dusk"),
        "numberOfMedia": kw.pop("numberOfMedia", 1),
        **kw,
    }


def aud(model: str, **kw: Any) -> dict[str, Any]:
    return {
        "type": "audio",
        "modelId": model,
        "positivePrompt": kw.pop("positivePrompt", "lofi beat"),
        "numberOfMedia": kw.pop("numberOfMedia", 1),
        **kw,
    }


H = "ABCDEF0123456789" * 4
cases = [
    ("flux_schnell_basic", img("flux1-schnell-fp8", steps=4, guidance=1)),
    (
        "flux_schnell_everything_common",
        img(
            "flux1-schnell-fp8",
            steps=4,
            seed=12345,
            negativePrompt="blurry",
            stylePrompt="anime",
            numberOfPreviews=3,
            numberOfMedia=2,
            disableNSFWFilter=True,
            tokenType="spark",
            outputFormat="jpg",
        ),
    ),
    (
        "flux_dev_sampler_aliases",
        img("flux1-dev-fp8", steps=20, guidance=3.5, sampler="euler", scheduler="karras"),
    ),
    (
        "sdxl_size_preset",
        img(
            "coreml-sogniXLturbo_alpha1_ad",
            steps=6,
            guidance=2,
            sizePreset="portrait_7_9",
            sampler="dpmpp_2m",
            scheduler="simple",
        ),
    ),
    (
        "sd15_starting_image_strength",
        img(
            "coreml-stableDiffusion-v1-5",
            startingImage=M("png"),
            startingImageStrength=0.3,
            steps=20,
        ),
    ),
    (
        "sd15_starting_image_uploaded_zero_strength",
        img("coreml-stableDiffusion-v1-5", startingImage=True, startingImageStrength=0),
    ),
    (
        "sd15_starting_image_blob_strength_point_85",
        img(
            "coreml-stableDiffusion-v1-5",
            startingImage=B("image/webp", "png"),
            startingImageStrength=0.85,
        ),
    ),
    ("sdxl_custom_size_implicit", img("coreml-sogniXLturbo_alpha1_ad", width=1024, height=768)),
    (
        "sdxl_custom_size_explicit",
        img("coreml-sogniXLturbo_alpha1_ad", sizePreset="custom", width=512, height=512),
    ),
    ("sdxl_custom_preset_without_dims", img("coreml-sogniXLturbo_alpha1_ad", sizePreset="custom")),
    (
        "sdxl_named_preset_ignores_dims",
        img("coreml-sogniXLturbo_alpha1_ad", sizePreset="square_hd", width=4000, height=4000),
    ),
    (
        "sdxl_sampler_lcm_display_alias",
        img(
            "coreml-sogniXLturbo_alpha1_ad",
            sampler="lcm",
            scheduler="normal",
            guidance=7.5,
            steps=30,
        ),
    ),
    (
        "zimage_comfy_extended_size",
        img(
            "z_image_turbo_bf16",
            sampler="res_multistep",
            scheduler="sgm_uniform",
            width=2560,
            height=1440,
            steps=8,
        ),
    ),
    (
        "zimage_loras",
        img(
            "z_image_turbo_bf16",
            loras=["lora-film-grain", "lora-watercolor"],
            loraStrengths=[0.8, 1.25],
            sampler="dpmpp_2m",
        ),
    ),
    ("zimage_empty_loras_omitted", img("z_image_turbo_bf16", loras=[], loraStrengths=[])),
    (
        "qwen_edit_context_images",
        img(
            "qwen_image_edit_2511_fp8",
            contextImages=[M("png"), M("jpeg"), True],
            vae="qwen_alt_vae.safetensors",
            guidance=4,
            steps=20,
        ),
    ),
    (
        "qwen_edit_context_hole",
        img("qwen_image_edit_2511_fp8", contextImages=[M("png"), False, M("webp")]),
    ),
    (
        "qwen_2512_fractional_values",
        img(
            "qwen_image_2512_fp8_lightning",
            steps=8,
            guidance=2.5,
            width=1328,
            height=1328,
            sampler="euler",
        ),
    ),
    (
        "gpt_image_2_quality_size",
        img(
            "gpt-image-2",
            gptImageQuality="high",
            gptImageBackground="opaque",
            contextImages=[M("png")],
            width=1536,
            height=1024,
        ),
    ),
    (
        "gpt_image_25_transparent_webp",
        img(
            "gpt-image-2.5-flare",
            gptImageQuality="xhigh",
            gptImageBackground="transparent",
            outputFormat="webp",
            gptImageOutputCompression=80,
        ),
    ),
    ("gpt_image_mask_media", img("gpt-image-2", contextImages=[M("png")], gptImageMask=M("png"))),
    (
        "gpt_image_mask_data_uri",
        img(
            "gpt-image-2",
            contextImages=[M("jpeg")],
            gptImageMaskUrl="data:image/png;base64,iVBORw0KGgoAAAANSUhEUg==",
        ),
    ),
    (
        "gpt_image_mask_https_url",
        img("gpt-image-2", contextImages=[True], gptImageMaskUrl="https://cdn.sogni.ai/mask.png"),
    ),
    ("gpt_image_16_context_images", img("gpt-image-2", contextImages=[M("png")] * 15 + [True])),
    (
        "kontext_two_context_images",
        img("flux1-kontext-dev-fp8", contextImages=[M("png"), M("gif")]),
    ),
    (
        "krea_identity_edit_bounds",
        img("krea2_identity_edit_v1_2", contextImages=[M("png"), True], width=512, height=2048),
    ),
    ("rtx_vsr_large_custom", img("rtx_vsr_pro", startingImage=M("jpeg"), width=8000, height=4500)),
    (
        "controlnet_canny_full",
        img(
            "coreml-stableDiffusion-v1-5",
            controlNet={
                "name": "canny",
                "image": M("png"),
                "strength": 0.7,
                "mode": "balanced",
                "guidanceStart": 0,
                "guidanceEnd": 0.8,
            },
        ),
    ),
    (
        "controlnet_openpose_prompt_priority",
        img(
            "coreml-stableDiffusion-v1-5",
            controlNet={"name": "openpose", "image": True, "mode": "prompt_priority"},
        ),
    ),
    (
        "controlnet_depth_cn_priority",
        img(
            "coreml-stableDiffusion-v1-5",
            controlNet={"name": "depth", "image": M("jpeg"), "strength": 1, "mode": "cn_priority"},
        ),
    ),
    (
        "controlnet_instantid_no_image",
        img("coreml-sogniXLturbo_alpha1_ad", controlNet={"name": "instantid"}),
    ),
    (
        "controlnet_tile_with_starting_image",
        img(
            "coreml-stableDiffusion-v1-5",
            startingImage=M("png"),
            controlNet={"name": "tile", "image": M("png"), "guidanceStart": 0.25},
        ),
    ),
    (
        "controlnet_scribble_lineart",
        img(
            "coreml-stableDiffusion-v1-5",
            controlNet={"name": "lineartanime", "image": True, "strength": 0.45, "guidanceEnd": 1},
        ),
    ),
    (
        "sam3_points_and_box",
        img(
            "sam3_image_segment_bf16",
            numberOfMedia=4,
            numberOfPreviews=2,
            startingImage=M("png"),
            sam3Prompt={
                "points": [{"x": 0.5, "y": 0.25, "label": "positive"}],
                "boxes": [{"x0": 0.1, "y0": 0.1, "x1": 0.9, "y1": 0.9}],
                "threshold": 0.4,
            },
        ),
    ),
    (
        "sam3_text_prompt",
        img(
            "sam3_image_segment_bf16",
            startingImage=True,
            sam3Prompt={
                "text": "  the dog ",
                "maxInstances": 3,
                "applyMask": True,
                "boxes": [{"x0": 0, "y0": 0, "x1": 0.5, "y1": 0.5, "label": "negative"}],
            },
        ),
    ),
    (
        "birefnet_apply_mask",
        img(
            "birefnet_image_background_removal_fp16",
            startingImage=M("jpeg"),
            applyMask=True,
            outputFormat="jpg",
        ),
    ),
    (
        "pixal3d_single_view",
        img(
            "pixal3d_int8_i23d",
            startingImage=M("png"),
            templateVariant="i23d-birefnet",
            textureSize=2048,
            shapeResolution=1536,
            numberOfPreviews=2,
        ),
    ),
    (
        "pixal3d_multiview",
        img(
            "pixal3d_multiview_int8_i23d",
            startingImage=M("png"),
            leftViewImage=M("png"),
            rightViewImage=True,
            meshTargetFaces=200000,
        ),
    ),
    (
        "attribution_child_scope",
        {
            "params": img(
                "flux1-schnell-fp8",
                attribution={"operationId": "op-1", "rootOperationId": "root-9"},
            ),
            "client": {
                "appSource": "client-app",
                "attribution": {
                    "workloadKind": "agent_mediated",
                    "agentFramework": "langchain",
                    "agentFrameworkVersion": "0.3.1",
                    "agentSurface": "mcp",
                    "executionMode": "server",
                },
            },
        },
    ),
    (
        "attribution_direct_fallback_id",
        {
            "params": img(
                "flux1-schnell-fp8",
                attribution={
                    "workloadKind": "direct",
                    "agentFramework": "dropped",
                    "executionMode": "bogus",
                },
            ),
            "client": {},
        },
    ),
    (
        "attribution_framework_override_drops_version",
        {
            "params": img(
                "flux1-schnell-fp8",
                attribution={
                    "agentFramework": "crewai",
                    "operationScope": "child",
                    "rootOperationId": "r.1",
                },
            ),
            "client": {
                "attribution": {
                    "workloadKind": "agent_mediated",
                    "agentFramework": "langchain",
                    "agentFrameworkVersion": "1.0",
                }
            },
        },
    ),
    (
        "network_billing_appsource",
        img(
            "flux1-schnell-fp8",
            network="relaxed",
            billingMode="subscription",
            appSource="my-app",
            tokenType="sogni",
        ),
    ),
    (
        "world_generation_receipt",
        img(
            "flux1-schnell-fp8",
            worldGenerationReceipt={
                "stage": "target_still",
                "sourceImageSha256": H,
                "selectionHash": H.lower(),
            },
        ),
    ),
    (
        "js_number_formatting",
        img(
            "flux1-schnell-fp8",
            steps=1e21,
            guidance=0.30000000000000004,
            seed=4294967295,
            positivePrompt="tiny 1e-7",
        ),
    ),
    (
        "unicode_prompt",
        img(
            "flux1-schnell-fp8",
            positivePrompt='caf\u00e9 \U0001f98a "quoted" back\\slash\nnew\tline \u2028 \x01 \x7f',
            negativePrompt="\u00fc\u00f1\u00ef",
        ),
    ),
    # video
    (
        "wan_t2v_lightx2v_duration",
        vid(
            "wan_v2.2-14b-fp8_t2v_lightx2v",
            duration=5,
            width=640,
            height=640,
            sampler="euler",
            scheduler="beta",
            seed=7,
            negativePrompt="static",
            steps=4,
        ),
    ),
    (
        "wan_t2v_fps32_fractional_duration",
        vid("wan_v2.2-14b-fp8_t2v_lightx2v", duration=3.3, fps=32, guidance=1),
    ),
    (
        "wan_t2v_frames_shift_teacache",
        vid(
            "wan_v2.2-14b-fp8_t2v", frames=81, shift=8, teacacheThreshold=0.3, width=832, height=480
        ),
    ),
    (
        "wan_i2v_first_last",
        vid(
            "wan_v2.2-14b-fp8_i2v_lightx2v",
            referenceImage=M("png"),
            referenceImageEnd=M("jpeg"),
            duration=4,
        ),
    ),
    (
        "wan_i2v_end_only_uploaded",
        vid("wan_v2.2-14b-fp8_i2v_lightx2v", referenceImageEnd=True, duration=2.5),
    ),
    (
        "wan_s2v",
        vid(
            "wan_v2.2-14b-fp8_s2v_lightx2v",
            referenceImage=M("png"),
            referenceAudio=M("mp3"),
            audioStart=1.5,
            audioDuration=5,
            duration=5,
        ),
    ),
    (
        "wan_animate_move",
        vid(
            "wan_v2.2-14b-fp8_animate-move_lightx2v",
            referenceImage=M("png"),
            referenceVideo=M("mp4"),
            videoStart=0.5,
            duration=12,
        ),
    ),
    (
        "wan_animate_replace_sam2",
        vid(
            "wan_v2.2-14b-fp8_animate-replace_lightx2v",
            referenceImage=M("jpeg"),
            referenceVideo=M("mov"),
            sam2Coordinates=[{"x": 0.5, "y": 0.4}, {"x": 0.25, "y": 0.75}],
            trimEndFrame=True,
            duration=6,
        ),
    ),
    (
        "ltx23_t2v_fps30",
        vid(
            "ltx23-22b-fp8_t2v_distilled",
            duration=3.7,
            fps=30,
            generateAudio=True,
            width=1280,
            height=720,
        ),
    ),
    (
        "ltx23_t2v_default_fps",
        vid("ltx23-22b-fp8_t2v_distilled", duration=5, negativePrompt="ugly"),
    ),
    (
        "ltx23_i2v_keyframe_strengths",
        vid(
            "ltx23-22b-fp8_i2v_distilled",
            referenceImage=M("png"),
            referenceImageEnd=True,
            firstFrameStrength=0.9,
            lastFrameStrength=0.6,
            duration=10,
        ),
    ),
    (
        "ltx23_v2v_canny",
        vid(
            "ltx23-22b-fp8_v2v_distilled",
            referenceVideo=M("mp4"),
            controlNet={"name": "canny", "strength": 0.8},
            detailerStrength=0.5,
            duration=4,
        ),
    ),
    (
        "ltx23_v2v_inpaint_mask",
        vid(
            "ltx23-22b-fp8_v2v_distilled",
            referenceVideo=M("mp4"),
            referenceMask=M("png"),
            controlNet={"name": "inpaint"},
        ),
    ),
    (
        "ltx23_v2v_outpaint_identity",
        vid(
            "ltx23-22b-fp8_v2v_distilled",
            referenceVideo=True,
            controlNet={"name": "outpaint", "strength": 1},
            outpaintPosition="left",
            referenceAudioIdentity=M("wav"),
            audioIdentityStrength=4,
        ),
    ),
    ("ltx2_a2v", vid("ltx2-19b-fp8_a2v", referenceAudio=M("m4a"), duration=7.3)),
    (
        "ltx23_ia2v_unknown_audio_type",
        vid(
            "ltx23-22b-fp8_ia2v_distilled",
            referenceImage=M("webp"),
            referenceAudio=M("unknown", short=True),
            duration=3,
        ),
    ),
    (
        "seedance_20_references",
        vid(
            "seedance-2-0",
            referenceImage=M("png"),
            referenceImageUrls=["https://example.com/a.png", "https://example.com/b.jpg"],
            referenceVideoUrls=["https://example.com/v.mp4"],
            referenceAudioUrls=["https://example.com/a.mp3"],
            duration=8,
            generateAudio=True,
            tokenType="spark",
            negativePrompt="dropped",
        ),
    ),
    (
        "seedance_mini_t2v_min_duration",
        vid("seedance-2-0-mini", duration=4, width=1280, height=720),
    ),
    (
        "seedance_25_reference_task",
        vid(
            "seedance-2-5",
            seedanceTaskType="reference",
            referenceImageUrls=["https://example.com/a.png"],
            referenceVideo=B("video/mp4", "mp4"),
            duration=20,
            outputFormat="mov",
            returnLastFrame=True,
        ),
    ),
    (
        "happyhorse_r2v",
        vid(
            "happyhorse-1.1-r2v",
            referenceImageUrls=[
                "https://example.com/1.png",
                "https://example.com/2.png",
                "https://example.com/3.png",
            ],
            duration=5,
        ),
    ),
    # JavaScript truthiness / undefined corner cases
    ("image_without_prompt_or_count", {"type": "image", "modelId": "flux1-schnell-fp8"}),
    ("image_zero_counts", img("flux1-schnell-fp8", numberOfMedia=0, numberOfPreviews=0, seed=0)),
    ("image_zero_width_is_not_custom", img(SDXL_ID, width=0, height=512)),
    ("image_empty_preset_with_dims", img(SDXL_ID, sizePreset="", width=768, height=1344)),
    ("image_blank_style_prompt_kept", img("flux1-schnell-fp8", stylePrompt=" ", negativePrompt="")),
    ("image_strengths_without_loras", img("z_image_turbo_bf16", loraStrengths=[0.5])),
    (
        "video_false_flags",
        vid("wan_v2.2-14b-fp8_t2v_lightx2v", trimEndFrame=False, generateAudio=False),
    ),
    (
        "wan3_frame_anchors",
        vid("wan3.0-video", referenceImage=M("png"), referenceImageEnd=M("jpeg"), duration=7.5),
    ),
    (
        "minimax_h3_flf2v_duration",
        vid(
            "minimax-h3-fl2va-fp8_flf2v",
            referenceImage=M("png"),
            referenceImageEnd=True,
            duration=7.9,
        ),
    ),
    (
        "seedance_25_first_last_frame",
        vid(
            "seedance-2-5",
            referenceImage=M("jpeg"),
            referenceImageEnd=M("png"),
            duration=30,
            width=1920,
            height=1080,
        ),
    ),
    ("happyhorse_t2v", vid("happyhorse-1.1-t2v", duration=15, width=1280, height=720)),
    ("happyhorse_i2v", vid("happyhorse-1.1-i2v", referenceImage=M("jpeg"), duration=3)),
    (
        "wan3_loose_references",
        vid(
            "wan3.0-video",
            ratio="16:9",
            promptExtend=True,
            watermark=False,
            duration=12,
            seed=42,
            referenceImageUrls=["https://example.com/x.png"],
            referenceLinkUrl="https://example.com/page",
        ),
    ),
    (
        "minimax_h3_t2v",
        vid(
            "minimax-h3-fl2va-fp8_t2v",
            duration=10,
            width=1024,
            height=576,
            steps=20,
            guidance=1,
            fps=24,
        ),
    ),
    (
        "minimax_h3_r2v_references",
        vid(
            "minimax-h3-ref2va-fp8_r2v",
            referenceImage=M("png"),
            contextImages=[M("jpeg"), True],
            referenceVideo=M("mp4"),
            referenceVideos=[M("mov")],
            referenceVideoDurations=[3, 4.5],
            referenceAudio=M("wav"),
            referenceAudios=[M("id3")],
            duration=6,
        ),
    ),
    (
        "minimax_h3_ia2v_turbo",
        vid(
            "minimax-h3-fastvideo-int8_ia2v_turbo",
            referenceImage=M("png"),
            referenceAudio=M("mp3"),
            audioStart=2,
            steps=4,
            frames=209,
        ),
    ),
    (
        "flashvsr_upscale_from_size_and_duration",
        vid(
            "flashvsr_v1.1_tiny_long_bf16",
            positivePrompt="",
            referenceVideo=B("video/quicktime", "mov"),
            width=1920,
            height=1080,
            fps=25,
            duration=10,
            detailPreference="sharper",
            processingSpeed="faster",
            seed=-1,
        ),
    ),
    (
        "seedance_audio_and_identity",
        vid(
            "seedance-2-0",
            referenceImage=M("png"),
            referenceAudio=M("mp3"),
            referenceAudioIdentity=M("wav"),
            duration=5,
        ),
    ),
    (
        "seedance_identity_sets_audio_type",
        vid(
            "seedance-2-0-mini",
            referenceVideo=M("mp4"),
            referenceAudioIdentity=M("m4a"),
            audioIdentityStrength=3.5,
            duration=6,
        ),
    ),
    (
        "minimax_h3_r2v_uploaded_slots",
        vid(
            "minimax-h3-ref2va-fp8_r2v",
            contextImages=[M("png"), True, M("webp")],
            referenceVideos=[True, M("mp4")],
            referenceAudios=[True, M("unknown")],
        ),
    ),
    (
        "minimax_h3_i2v_end_frame",
        vid("minimax-h3-fl2va-fp8_i2v", referenceImageEnd=M("jpeg"), frames=158),
    ),
    (
        "flashvsr_upscale",
        vid(
            "flashvsr_v1.1_tiny_long_bf16",
            positivePrompt="",
            referenceVideo=M("mp4"),
            upscaleResolution=1440,
            fps=30,
            frames=300,
        ),
    ),
    # audio
    (
        "ace_step_full",
        aud(
            "ace_step_1.5_turbo",
            duration=30,
            bpm=120,
            timesignature="4",
            language="en",
            lyrics="[verse]\nla la",
            keyscale="C major",
            composerMode=True,
            promptStrength=2,
            creativity=0.85,
            shift=3,
            sampler="dpmpp_2m",
            scheduler="simple",
            outputFormat="flac",
            negativePrompt="noise",
            numberOfMedia=2,
            steps=8,
            seed=99,
        ),
    ),
    ("minimax_music3_minimal", aud("minimax_music3")),
    (
        "speech_reference_audio",
        aud(
            "qwen3_tts_1.7b",
            speaker="Vivian",
            instruct="calm",
            referenceText="hello there",
            referenceAudio=M("wav"),
            sampler="euler",
        ),
    ),
]
invalid = [
    (
        "image_width_above_max",
        img("coreml-sogniXLturbo_alpha1_ad", width=4096, height=1024),
        "width",
    ),
    (
        "image_height_below_min",
        img("coreml-sogniXLturbo_alpha1_ad", width=512, height=100),
        "height",
    ),
    (
        "controlnet_strength_above_one",
        img(
            "coreml-stableDiffusion-v1-5",
            controlNet={"name": "canny", "image": True, "strength": 1.5},
        ),
        "control_net.strength",
    ),
    (
        "controlnet_bad_mode",
        img("coreml-stableDiffusion-v1-5", controlNet={"name": "canny", "mode": "bogus"}),
        "control_net.mode",
    ),
    (
        "controlnet_negative_guidance_end",
        img("coreml-stableDiffusion-v1-5", controlNet={"name": "depth", "guidanceEnd": -0.1}),
        "control_net.guidance_end",
    ),
    ("sampler_not_allowed", img("coreml-sogniXLturbo_alpha1_ad", sampler="bogus"), "sampler"),
    ("scheduler_not_allowed", img("z_image_turbo_bf16", scheduler="karras"), "scheduler"),
    ("vae_not_allowed", img("qwen_image_edit_2511_fp8", vae="other.safetensors"), "vae"),
    (
        "qwen_four_context_images",
        img("qwen_image_edit_2511_fp8", contextImages=[True, True, True, True]),
        "context_images",
    ),
    (
        "kontext_three_context_images",
        img("flux1-kontext-dev-fp8", contextImages=[True, True, True]),
        "context_images",
    ),
    ("gpt_quality_auto", img("gpt-image-2", gptImageQuality="auto"), "gpt_image_quality"),
    (
        "gpt2_transparent_background",
        img("gpt-image-2", gptImageBackground="transparent"),
        "gpt_image_background",
    ),
    (
        "gpt_compression_needs_jpeg_or_webp",
        img("gpt-image-2", gptImageOutputCompression=50),
        "gpt_image_output_compression",
    ),
    ("gpt_mask_on_other_model", img("flux1-schnell-fp8", gptImageMask=M("png")), "gpt_image_mask"),
    (
        "gpt_mask_bad_data_uri",
        img("gpt-image-2", contextImages=[True], gptImageMaskUrl="data:image/jpeg;base64,AAAA"),
        "gpt_image_mask_url",
    ),
    ("image_params_on_video_model", img("wan_v2.2-14b-fp8_t2v_lightx2v"), "model_id"),
    ("video_params_on_image_model", vid("flux1-schnell-fp8"), "model_id"),
    ("unknown_model", img("no-such-model"), "model_id"),
    ("wan_duration_above_max", vid("wan_v2.2-14b-fp8_t2v_lightx2v", duration=11), "duration"),
    ("seedance_duration_below_min", vid("seedance-2-0", duration=3), "duration"),
    ("ltx_duration_above_max", vid("ltx23-22b-fp8_t2v_distilled", duration=20.5), "duration"),
    ("wan_i2v_missing_images", vid("wan_v2.2-14b-fp8_i2v_lightx2v", duration=5), "reference_image"),
    (
        "wan_t2v_forbids_reference_image",
        vid("wan_v2.2-14b-fp8_t2v_lightx2v", referenceImage=True),
        "reference_image",
    ),
    (
        "s2v_requires_audio",
        vid("wan_v2.2-14b-fp8_s2v_lightx2v", referenceImage=True),
        "reference_audio",
    ),
    (
        "animate_move_requires_video",
        vid("wan_v2.2-14b-fp8_animate-move_lightx2v", referenceImage=True),
        "reference_video",
    ),
    (
        "sam2_only_for_animate_replace",
        vid(
            "wan_v2.2-14b-fp8_animate-move_lightx2v",
            referenceImage=True,
            referenceVideo=True,
            sam2Coordinates=[{"x": 0.1, "y": 0.2}],
        ),
        "sam2_coordinates",
    ),
    (
        "teacache_above_one",
        vid("wan_v2.2-14b-fp8_t2v", teacacheThreshold=1.5),
        "teacache_threshold",
    ),
    ("video_width_below_480", vid("wan_v2.2-14b-fp8_t2v_lightx2v", width=320, height=640), "width"),
    (
        "seedance_too_many_images",
        vid(
            "seedance-2-0",
            referenceImage=True,
            referenceImageUrls=[f"https://e.com/{i}.png" for i in range(9)],
        ),
        "reference_image_urls",
    ),
    (
        "seedance_audio_only",
        vid("seedance-2-0", referenceAudioUrls=["https://e.com/a.mp3"]),
        "reference_audio",
    ),
    (
        "seedance_empty_url",
        vid("seedance-2-0", referenceImageUrls=["https://e.com/a.png", " "]),
        "reference_image_urls",
    ),
    (
        "urls_on_wan",
        vid("wan_v2.2-14b-fp8_t2v_lightx2v", referenceImageUrls=["https://e.com/a.png"]),
        "reference_image_urls",
    ),
    (
        "context_images_on_ltx",
        vid("ltx23-22b-fp8_i2v_distilled", referenceImage=True, contextImages=[True]),
        "context_images",
    ),
    ("h3_fps_not_24", vid("minimax-h3-fl2va-fp8_t2v", fps=30), "fps"),
    ("h3_frames_off_grid", vid("minimax-h3-fl2va-fp8_t2v", frames=130), "frames"),
    ("h3_width_off_grid", vid("minimax-h3-fl2va-fp8_t2v", width=1000, height=576), "width"),
    (
        "h3_negative_prompt",
        vid("minimax-h3-fl2va-fp8_t2v", negativePrompt="blur"),
        "negative_prompt",
    ),
    (
        "happyhorse_i2v_two_images",
        vid("happyhorse-1.1-i2v", referenceImage=True, referenceImageUrls=["https://e.com/a.png"]),
        "reference_image",
    ),
    (
        "happyhorse_reference_video",
        vid("happyhorse-1.1-r2v", referenceImageUrls=["https://e.com/a.png"], referenceVideo=True),
        "reference_video",
    ),
    ("seedance_20_mov_output", vid("seedance-2-0", outputFormat="mov"), "output_format"),
    (
        "return_last_frame_on_wan",
        vid("wan_v2.2-14b-fp8_t2v_lightx2v", returnLastFrame=True),
        "return_last_frame",
    ),
    (
        "seedance_task_type_on_20",
        vid("seedance-2-0", seedanceTaskType="edit"),
        "seedance_task_type",
    ),
    (
        "receipt_bad_hash",
        img(
            "flux1-schnell-fp8",
            worldGenerationReceipt={
                "stage": "target_still",
                "sourceImageSha256": "abc",
                "selectionHash": H,
            },
        ),
        "world_generation_receipt.source_image_sha256",
    ),
    (
        "receipt_bad_stage",
        img("flux1-schnell-fp8", worldGenerationReceipt={"stage": "other"}),
        "world_generation_receipt.stage",
    ),
    ("sam3_without_prompt", img("sam3_image_segment_bf16", startingImage=True), "sam3_prompt"),
    ("sam3_prompt_on_flux", img("flux1-schnell-fp8", sam3Prompt={"text": "dog"}), "sam3_prompt"),
    ("apply_mask_on_flux", img("flux1-schnell-fp8", applyMask=True), "apply_mask"),
    ("pixal3d_without_starting_image", img("pixal3d_int8_i23d"), "starting_image"),
    ("texture_size_on_flux", img("flux1-schnell-fp8", textureSize=2048), "texture_size"),
    ("wan3_fps_24", vid("wan3.0-video", fps=24), "fps"),
    ("wan3_smart_duration", vid("wan3.0-video", smartDuration=True), "smart_duration"),
    (
        "flashvsr_without_resolution",
        vid("flashvsr_v1.1_tiny_long_bf16", positivePrompt="", referenceVideo=True),
        "upscale_resolution",
    ),
    (
        "h3_r2v_too_many_files",
        vid(
            "minimax-h3-ref2va-fp8_r2v",
            referenceImage=True,
            contextImages=[True] * 8,
            referenceVideo=True,
            referenceVideos=[True, True],
            referenceAudio=True,
        ),
        "context_images",
    ),
    (
        "wan3_too_many_images",
        vid("wan3.0-video", referenceImageUrls=[f"https://e.com/{i}.png" for i in range(11)]),
        "reference_image_urls",
    ),
    (
        "wan3_too_many_audios",
        vid("wan3.0-video", referenceAudioUrls=[f"https://e.com/{i}.mp3" for i in range(6)]),
        "reference_audio_urls",
    ),
    (
        "flashvsr_without_reference_video",
        vid("flashvsr_v1.1_tiny_long_bf16", positivePrompt="", upscaleResolution=1080),
        "reference_video",
    ),
    ("audio_sampler_not_allowed", aud("ace_step_1.5_turbo", sampler="heun"), "sampler"),
]
valid_cases: list[dict[str, Any]] = [
    {"name": name, **c} if "params" in c else {"name": name, "params": c} for name, c in cases
]
invalid_cases = [{"name": name, "params": p, "field": field} for name, p, field in invalid]
out = {"models": models, "tiers": tiers, "cases": valid_cases, "invalid": invalid_cases}
(Path(__file__).parent / "corpus.json").write_text(
    json.dumps(out, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
)
