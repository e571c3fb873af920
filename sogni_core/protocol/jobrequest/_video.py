"""Video keyframe keys (01 §4.5.5-§4.5.6; SDK 5.54.0 ``applyVideoParams``)."""

from __future__ import annotations

import math
from typing import Any

from sogni_core.protocol._generated import jobrequest as T

from . import _families as F
from ._media import is_given
from ._numbers import js_json_dumps, js_round
from ._options import ModelOptions
from ._params import VideoProjectParams
from ._validate import invalid, js_truthy, validate_choice, validate_number
from ._video_refs import (
    context_image_slots,
    h3_audio_slots,
    h3_video_slots,
    reference_urls,
    validate_video_assets,
)

__all__ = ["apply_video_params"]

_UPSCALE_TIMING = (
    "Omit the source timing, or supply the source video's exact frame count and frame rate."
)


def _validate_upscale(p: VideoProjectParams) -> None:
    # FlashVSR: promptless, one source video, optional exact source timing.
    if p.detail_preference is not None and p.detail_preference not in ("stable", "sharper"):
        raise invalid("detail_preference", "FlashVSR detailPreference must be stable or sharper.")
    if p.processing_speed is not None and p.processing_speed not in ("stable", "faster"):
        raise invalid("processing_speed", "FlashVSR processingSpeed must be stable or faster.")
    seed = 0 if p.seed is None else p.seed
    if not -1 <= seed <= T.FLASHVSR_MAX_SEED:
        raise invalid(
            "seed", "FlashVSR seed must be -1 (random) or an integer from 0 through 4294967295."
        )
    if _upscale_resolution(p) not in (1080, 1440):
        raise invalid("upscale_resolution", "Choose 1080p or 1440p for video upscaling.")
    # (A missing referenceVideo was already refused by the upscale workflow table.)
    fps = p.fps
    if fps is not None and (not math.isfinite(fps) or fps < 1 or fps > 60):
        raise invalid("fps", _UPSCALE_TIMING)
    frames = p.frames
    if frames is None and p.duration is not None:
        # A duration identifies the source's frames only together with its exact rate.
        if fps is None:
            raise invalid("fps", _UPSCALE_TIMING)
        frames = js_round(p.duration * fps)
    if frames is not None and (
        not math.isfinite(frames) or not float(frames).is_integer() or frames < 1
    ):
        raise invalid("frames", _UPSCALE_TIMING)
    if (p.positive_prompt or "").strip() or (p.negative_prompt or "").strip():
        raise invalid("positive_prompt", "FlashVSR is promptless.")
    unsupported = {
        "teacache_threshold": p.teacache_threshold is not None,
        "trim_end_frame": bool(p.trim_end_frame),
        "control_net": p.control_net is not None,
        "video_start": p.video_start is not None,
        "reference_video_urls": bool(p.reference_video_urls),
        "reference_image_urls": bool(p.reference_image_urls),
        "reference_audio_urls": bool(p.reference_audio_urls),
        "reference_file_url": bool(p.reference_file_url),
        "reference_link_url": bool(p.reference_link_url),
        "generate_audio": p.generate_audio is False,
    }
    for field, bad in unsupported.items():
        if bad:
            raise invalid(
                field,
                "Video upscaling preserves the complete source video and its audio; generation "
                "controls are unsupported.",
            )
    if p.number_of_media != 1:
        raise invalid("number_of_media", "Upscale one source video per project.")


def _upscale_resolution(p: VideoProjectParams) -> float:
    if p.upscale_resolution is not None:
        return p.upscale_resolution
    if p.width is None or p.height is None:
        return math.nan  # Math.min(Number(undefined), ...) is NaN
    return min(p.width, p.height)


def _validate_minimax_h3(p: VideoProjectParams) -> None:
    model = p.model_id
    if not F.minimax_h3_model(model):
        return
    if p.fps is not None and p.fps != T.MINIMAX_H3_FPS:
        raise invalid("fps", "MiniMax H3 fps is fixed at 24. Omit fps or set it to 24.")
    turbo, balanced = F.minimax_h3_turbo_model(model), F.minimax_h3_balanced_model(model)
    expected = (
        T.MINIMAX_H3_TURBO_STEPS
        if turbo
        else T.MINIMAX_H3_BALANCED_STEPS
        if balanced
        else T.MINIMAX_H3_STEPS
    )
    if p.steps is not None and p.steps != expected:
        variant = " Turbo" if turbo else " Balanced" if balanced else ""
        raise invalid("steps", f"MiniMax H3{variant} steps are fixed at {expected}.")
    if p.guidance is not None and p.guidance != 1:
        raise invalid("guidance", "MiniMax H3 guidance is fixed at 1.")
    if p.negative_prompt and p.negative_prompt.strip():
        raise invalid(
            "negative_prompt",
            "MiniMax H3 has no negative-prompt input. Put requested exclusions in positivePrompt.",
        )
    if p.frames is not None:
        frames = p.frames
        if (
            not math.isfinite(frames)
            or not float(frames).is_integer()
            or frames < T.MINIMAX_H3_MIN_FRAMES
            or frames > T.MINIMAX_H3_MAX_FRAMES
            or (frames - T.MINIMAX_H3_BASE_FRAMES) % T.MINIMAX_H3_FRAME_STEP != 0
        ):
            raise invalid(
                "frames", "MiniMax H3 frames must be 124 + n*17 in the inclusive range 124-362."
            )
    if (p.width is None) != (p.height is None):
        field = "height" if p.height is None else "width"
        raise invalid(field, "MiniMax H3 width and height must be provided together.")
    if p.width is not None and p.height is not None:
        step, top = T.MINIMAX_H3_DIMENSION_STEP, T.MINIMAX_H3_MAX_DIMENSION
        for field, value in (("width", p.width), ("height", p.height)):
            if (
                not math.isfinite(value)
                or not float(value).is_integer()
                or not step <= value <= top
                or value % step
            ):
                raise invalid(
                    field,
                    "MiniMax H3 dimensions must use a 32px grid, stay at or below 1344px per "
                    "axis, and fit within 1,032,192 pixels.",
                )
        if p.width * p.height > T.MINIMAX_H3_MAX_PIXELS:
            raise invalid(
                "width",
                "MiniMax H3 dimensions must use a 32px grid, stay at or below 1344px per axis, "
                "and fit within 1,032,192 pixels.",
            )
    # The worker derives the audio window from frames/24.
    if p.audio_duration is not None:
        raise invalid(
            "audio_duration",
            "MiniMax H3 has no audioDuration input. Set frames or duration; the uploaded audio "
            "is trimmed to the video length.",
        )
    if F.minimax_h3_audio_guide_model(model):
        workflow = F.video_workflow_type(model)
        if p.generate_audio is False:
            raise invalid(
                "generate_audio",
                f"MiniMax H3 {workflow} output always carries the uploaded audio. Omit "
                "generateAudio or set it to true.",
            )
        if p.audio_start is not None and (not math.isfinite(p.audio_start) or p.audio_start < 0):
            raise invalid(
                "audio_start",
                f"MiniMax H3 {workflow} audioStart must be a number of seconds, 0 or greater.",
            )
        if p.loras or p.lora_strengths:
            raise invalid(
                "loras",
                f"MiniMax H3 {workflow} does not support LoRAs. Remove loras and loraStrengths.",
            )
    elif p.audio_start is not None:
        raise invalid(
            "audio_start",
            "audioStart is supported only by the MiniMax H3 FastH3 audio-guide workflows.",
        )


def _min_duration(p: VideoProjectParams) -> float:
    model = p.model_id
    if F.video_upscale_model(model):
        return 1 / (T.VIDEO_DEFAULT_FPS if p.fps is None else p.fps)
    if F.minimax_h3_model(model):
        return T.MINIMAX_H3_MIN_FRAMES / T.MINIMAX_H3_FPS
    if F.wan3_model(model):
        return T.WAN3_MIN_DURATION
    if F.happyhorse_model(model):
        return T.HAPPYHORSE_MIN_DURATION
    if F.seedance_model(model):
        return T.SEEDANCE_MIN_DURATION
    return T.VIDEO_MIN_DURATION


def apply_video_params(
    base: dict[str, Any], p: VideoProjectParams, options: ModelOptions
) -> dict[str, Any]:
    """Append the video keys to the common keyframe ``base`` (01 §4.5.5, in order).

    Raises:
        InvalidParamsError: a parameter breaks a video rule.
    """
    model = p.model_id
    if not F.video_model(model):
        raise invalid("model_id", "Video generation is only supported for video models.")
    validate_video_assets(p)
    upscale = F.video_upscale_model(model)
    if upscale:
        _validate_upscale(p)
    _validate_minimax_h3(p)
    h3_r2v = F.minimax_h3_reference_model(model)

    kf = dict(base)
    if is_given(p.reference_image):
        kf["hasReferenceImage"] = True
    for slot, _media in context_image_slots(p):
        kf[f"hasContextImage{slot}"] = True
    urls = reference_urls(p.reference_image_urls)
    if urls:
        kf["referenceImageURLs"] = urls
    if is_given(p.reference_image_end):
        kf["hasReferenceImageEnd"] = True
    if h3_r2v:
        for slot, _media in h3_audio_slots(p):
            kf[f"hasReferenceAudio{slot}"] = True
    elif is_given(p.reference_audio):
        kf["hasReferenceAudio"] = True
    urls = reference_urls(p.reference_audio_urls)
    if urls:
        kf["referenceAudioURLs"] = urls
    if h3_r2v:
        durations = p.reference_video_durations or ()
        for slot, _media in h3_video_slots(p):
            kf[f"hasReferenceVideo{slot}"] = True
            if slot - 1 < len(durations):
                kf[f"referenceVideo{slot}DurationSeconds"] = durations[slot - 1]
    elif is_given(p.reference_video):
        kf["hasReferenceVideo"] = True
    if is_given(p.reference_mask) and p.control_net is not None and p.control_net.name == "inpaint":
        kf["hasReferenceMask"] = True
    urls = reference_urls(p.reference_video_urls)
    if urls:
        kf["referenceVideoURLs"] = urls
    if is_given(p.reference_audio_identity):
        kf["hasReferenceAudioIdentity"] = True
    for wire, value in (
        ("generateAudio", p.generate_audio),
        ("referenceFileURL", p.reference_file_url),
        ("referenceLinkURL", p.reference_link_url),
        ("promptExtend", p.prompt_extend),
        ("watermark", p.watermark),
        ("ratio", p.ratio),
        ("returnLastFrame", p.return_last_frame),
        ("seedanceTaskType", p.seedance_task_type),
        ("identityGuidanceScale", p.audio_identity_strength),
    ):
        if value is not None:
            kf[wire] = value

    # fps before duration: LTX frame counts depend on it (01 §4.5.5 step 13-15).
    if p.fps is not None:
        kf["fps"] = p.fps
    elif F.wan3_model(model):
        kf["fps"] = T.WAN3_FPS
    elif F.external_api_video_model(model) or F.minimax_h3_model(model):
        kf["fps"] = T.EXTERNAL_VIDEO_FPS
    if p.frames is not None:
        kf["frames"] = p.frames
    if p.duration is not None and not (upscale and p.frames is not None):
        minimum = _min_duration(p)
        if upscale:
            duration = validate_number(
                p.duration, "duration", label="Video duration", minimum=minimum
            )
        else:
            duration = validate_number(
                p.duration,
                "duration",
                label="Video duration",
                minimum=minimum,
                maximum=F.max_video_duration(model),
            )
        fps = (
            p.fps
            if p.fps is not None
            else (T.WAN3_FPS if F.wan3_model(model) else T.VIDEO_DEFAULT_FPS)
        )
        kf["frames"] = F.calculate_video_frames(model, duration, fps)
    if p.shift is not None:
        kf["shift"] = p.shift
    if p.teacache_threshold is not None:
        threshold = p.teacache_threshold
        if math.isnan(threshold):
            raise invalid(
                "teacache_threshold", f"teacacheThreshold must be a number, got {threshold}"
            )
        if not 0.0 <= threshold <= 1.0:
            raise invalid(
                "teacache_threshold",
                f"teacacheThreshold must be between 0.0 and 1.0 (got {threshold})",
            )
        kf["teacacheThreshold"] = threshold
    for wire, value in (
        ("audioStart", p.audio_start),
        ("audioDuration", p.audio_duration),
        ("videoStart", p.video_start),
    ):
        if value is not None:
            kf[wire] = value
    if p.sam2_coordinates is not None:
        # Sent as a JSON *string* of the coordinate array.
        kf["sam2Coordinates"] = js_json_dumps([{"x": c.x, "y": c.y} for c in p.sam2_coordinates])
    if p.trim_end_frame:
        kf["trimEndFrame"] = True
    if p.first_frame_strength is not None:
        kf["firstFrameStrength"] = p.first_frame_strength
    if p.last_frame_strength is not None:
        kf["lastFrameStrength"] = p.last_frame_strength
    if p.control_net is not None:
        cn: dict[str, Any] = {"name": p.control_net.name}
        if p.control_net.strength is not None:
            cn["controlStrength"] = validate_number(
                p.control_net.strength,
                "control_net.strength",
                label="strength",
                minimum=0,
                maximum=1,
            )
        kf["currentControlNetsJob"] = [cn]
    if p.detailer_strength is not None:
        kf["detailerStrength"] = p.detailer_strength
    if js_truthy(p.width) and js_truthy(p.height):
        assert p.width is not None and p.height is not None
        if F.minimax_h3_model(model):
            kf["width"], kf["height"] = p.width, p.height
        else:
            minimum = T.VIDEO_SIZE_MIN
            kf["width"] = validate_number(p.width, "width", label="Video width", minimum=minimum)
            kf["height"] = validate_number(
                p.height, "height", label="Video height", minimum=minimum
            )
    if p.outpaint_position is not None:
        kf["outpaintPosition"] = p.outpaint_position
    kf["comfySampler"] = validate_choice(p.sampler, "sampler", options)
    kf["comfyScheduler"] = validate_choice(p.scheduler, "scheduler", options)
    if upscale:
        kf["upscaleResolution"] = _upscale_resolution(p)
        kf["steps"] = 1
        kf["seed"] = 0 if p.seed is None else p.seed
        kf["detailPreference"] = p.detail_preference or "stable"
        kf["processingSpeed"] = p.processing_speed or "stable"
        kf["generateAudio"] = True
        kf["interpolation"] = "none"
    return kf
