"""Regenerate corpus.json (the parity corpus): ``python tests/parity/make_corpus.py``.

Media markers: ``{"$media": kind}`` is a small file with that kind's magic bytes (a Node
Buffer / Python bytes); ``{"$blob": mime, "kind": kind}`` is a typed Blob / MediaInput.
Valid cases may carry ``client`` defaults (appSource, workload attribution); invalid
cases name the field our builder must report. The shared parts are ``_corpus_base.py``, the
valid cases ``_corpus_valid.py``; the invalid ones are here.
"""

import json
from pathlib import Path
from typing import Any

from _corpus_base import H, M, aud, img, models, tiers, vid
from _corpus_valid import cases

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
