"""Video reference-asset validation (01 §4.5.3-§4.5.4; SDK ``validateVideoWorkflowAssets``).

Order matters (the first broken rule is reported): export options, context
images, reference arrays, then the family rules (HappyHorse, Wan 3 and
Seedance stop there), then MiniMax H3 r2v references, then the generic
requirement table.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from sogni_core.protocol._generated import jobrequest as T

from . import _families as F
from ._media import is_given
from ._params import VideoProjectParams
from ._validate import camel, invalid

__all__ = ["reference_urls", "validate_video_assets"]

_H3_R2V = "the MiniMax H3 r2v workflow (minimax-h3-ref2va-fp8_r2v)"


def reference_urls(value: Sequence[str] | None) -> list[str]:
    """The non-blank URL strings of a ``*_urls`` parameter (SDK ``asReferenceUrlArray``)."""
    if value is None:
        return []
    return [url for url in value if isinstance(url, str) and url.strip()]


def _check_url_array(value: Sequence[str] | None, field: str) -> None:
    if value is None:
        return
    if any(not isinstance(url, str) or not url.strip() for url in value):
        raise invalid(field, f"{camel(field)} must contain only non-empty URL strings.")


def _seedance_task_type(p: VideoProjectParams) -> None:
    task = p.seedance_task_type
    is25 = F.seedance25_model(p.model_id)
    if task is not None and task not in ("reference", "edit", "extend"):
        raise invalid("seedance_task_type", "seedanceTaskType must be reference, edit, or extend.")
    if task is not None and not is25:
        raise invalid("seedance_task_type", "seedanceTaskType is supported only by Seedance 2.5.")
    if not is25:
        return
    has_frame = is_given(p.reference_image) or is_given(p.reference_image_end)
    has_video = is_given(p.reference_video) or bool(reference_urls(p.reference_video_urls))
    has_loose = (
        bool(reference_urls(p.reference_image_urls))
        or has_video
        or is_given(p.reference_audio)
        or bool(reference_urls(p.reference_audio_urls))
    )
    if task is None and has_loose:
        raise invalid(
            "seedance_task_type", "Seedance 2.5 loose-reference requests require seedanceTaskType."
        )
    if task is not None and has_frame:
        raise invalid(
            "seedance_task_type",
            "seedanceTaskType is for Seedance 2.5 loose-reference, edit, or extend requests; "
            "omit it for first/last-frame generation.",
        )
    if task in ("edit", "extend") and not has_video:
        raise invalid(
            "reference_video", f"Seedance 2.5 {task} requires at least one reference video."
        )
    if task == "reference" and not has_loose:
        raise invalid(
            "seedance_task_type",
            "Seedance 2.5 reference requires at least one loose image, video, or audio reference.",
        )


def _seedance_limits(model_id: str) -> tuple[int, int, int, int]:
    if model_id == T.SEEDANCE_25_MODEL_ID:
        return (
            T.SEEDANCE_25_MAX_REFERENCE_IMAGES,
            T.SEEDANCE_25_MAX_REFERENCE_VIDEOS,
            T.SEEDANCE_25_MAX_REFERENCE_AUDIOS,
            T.SEEDANCE_25_MAX_REFERENCE_ASSETS,
        )
    return (
        T.SEEDANCE_20_MAX_REFERENCE_IMAGES,
        T.SEEDANCE_20_MAX_REFERENCE_VIDEOS,
        T.SEEDANCE_20_MAX_REFERENCE_AUDIOS,
        T.SEEDANCE_20_MAX_REFERENCE_ASSETS,
    )


def _seedance_references(p: VideoProjectParams) -> None:
    _check_url_array(p.reference_image_urls, "reference_image_urls")
    _check_url_array(p.reference_video_urls, "reference_video_urls")
    _check_url_array(p.reference_audio_urls, "reference_audio_urls")
    max_images, max_videos, max_audios, max_assets = _seedance_limits(p.model_id)
    images = (
        is_given(p.reference_image)
        + is_given(p.reference_image_end)
        + len(reference_urls(p.reference_image_urls))
    )
    videos = is_given(p.reference_video) + len(reference_urls(p.reference_video_urls))
    audios = (is_given(p.reference_audio) or is_given(p.reference_audio_identity)) + len(
        reference_urls(p.reference_audio_urls)
    )
    model = p.model_id
    if images > max_images:
        raise invalid(
            "reference_image_urls", f"{model} supports at most {max_images} image assets."
        )
    if videos > max_videos:
        raise invalid(
            "reference_video_urls", f"{model} supports at most {max_videos} video assets."
        )
    if audios > max_audios:
        raise invalid(
            "reference_audio_urls", f"{model} supports at most {max_audios} audio assets."
        )
    if images + videos + audios > max_assets:
        raise invalid(
            "reference_image_urls", f"{model} supports at most {max_assets} total asset files."
        )
    if not F.seedance25_model(model) and audios > 0 and images == 0 and videos == 0:
        raise invalid(
            "reference_audio",
            "Seedance audio references require at least one image or video reference.",
        )


def _happyhorse_references(p: VideoProjectParams) -> None:
    _check_url_array(p.reference_image_urls, "reference_image_urls")
    _check_url_array(p.reference_video_urls, "reference_video_urls")
    _check_url_array(p.reference_audio_urls, "reference_audio_urls")
    if is_given(p.reference_video) or reference_urls(p.reference_video_urls):
        raise invalid("reference_video", "HappyHorse models do not support reference video assets.")
    if (
        is_given(p.reference_audio)
        or is_given(p.reference_audio_identity)
        or reference_urls(p.reference_audio_urls)
    ):
        raise invalid("reference_audio", "HappyHorse models do not support reference audio assets.")
    if is_given(p.reference_image_end):
        raise invalid(
            "reference_image_end",
            "HappyHorse models do not support a separate end-frame image (referenceImageEnd).",
        )
    workflow = F.video_workflow_type(p.model_id)
    images = is_given(p.reference_image) + len(reference_urls(p.reference_image_urls))
    if workflow == "i2v":
        if images != 1:
            raise invalid(
                "reference_image",
                "HappyHorse i2v requires exactly one first-frame reference image.",
            )
        return
    if workflow == "r2v":
        if not 1 <= images <= T.HAPPYHORSE_R2V_MAX_REFERENCE_IMAGES:
            raise invalid(
                "reference_image_urls", "HappyHorse r2v requires between 1 and 9 reference images."
            )
        return
    if images > 0:
        raise invalid("reference_image", "HappyHorse t2v does not support reference images.")


def _https_url(value: str) -> bool:
    # WHATWG URL parsing, reduced to what the rule needs: an https: URL with a host.
    scheme, sep, rest = value.strip().partition(":")
    return sep == ":" and scheme.lower() == "https" and rest.lstrip("/\\") != ""


def _wan3_references(p: VideoProjectParams) -> None:
    enhanced = F.wan3_enhanced_model(p.model_id)
    _check_url_array(p.reference_image_urls, "reference_image_urls")
    _check_url_array(p.reference_video_urls, "reference_video_urls")
    _check_url_array(p.reference_audio_urls, "reference_audio_urls")
    for field in ("reference_file_url", "reference_link_url"):
        value = getattr(p, field)
        if value is None:
            continue
        if not value.strip():
            raise invalid(field, f"{camel(field)} must be a non-empty public HTTPS URL.")
        if not _https_url(value):
            raise invalid(field, f"{camel(field)} must be a valid public HTTPS URL.")
    if p.reference_file_url and p.reference_link_url:
        raise invalid(
            "reference_link_url",
            "Wan 3 accepts either one reference file or one reference link, not both.",
        )
    if enhanced and (p.reference_file_url or p.reference_link_url):
        field = "reference_file_url" if p.reference_file_url else "reference_link_url"
        raise invalid(field, "Wan 3.0 Enhanced does not accept document or webpage references.")
    if enhanced and p.watermark is not None:
        raise invalid("watermark", "Wan 3.0 Enhanced does not expose a watermark option.")
    if p.smart_duration is not None:
        raise invalid(
            "smart_duration",
            "Wan 3 smartDuration has been retired. Send an explicit duration between 2 and 30 "
            "seconds instead.",
        )
    if p.fps is not None and p.fps != T.WAN3_FPS:
        raise invalid("fps", "Wan 3 output is fixed at 30 fps.")
    if p.ratio is not None and p.ratio not in ("adaptive", "16:9", "4:3", "1:1", "3:4", "9:16"):
        raise invalid("ratio", "Wan 3 ratio must be adaptive, 16:9, 4:3, 1:1, 3:4, or 9:16.")
    if is_given(p.reference_audio_identity) or is_given(p.reference_mask):
        field = (
            "reference_audio_identity" if is_given(p.reference_audio_identity) else "reference_mask"
        )
        raise invalid(field, "Wan 3 does not support audio-identity or mask inputs.")
    if p.seed is not None and not (0 <= p.seed <= T.WAN3_MAX_SEED):
        raise invalid("seed", "Wan 3 seed must be an integer from 0 through 2147483647.")
    loose_images = len(reference_urls(p.reference_image_urls))
    videos = is_given(p.reference_video) + len(reference_urls(p.reference_video_urls))
    audios = is_given(p.reference_audio) + len(reference_urls(p.reference_audio_urls))
    anchors = is_given(p.reference_image) or is_given(p.reference_image_end)
    documents = bool(p.reference_file_url or p.reference_link_url)
    loose = loose_images > 0 or videos > 0 or audios > 0 or documents
    if not enhanced and is_given(p.reference_image_end) and not is_given(p.reference_image):
        raise invalid(
            "reference_image", "Wan 3 last-frame generation requires a first-frame referenceImage."
        )
    if anchors and loose:
        raise invalid(
            "reference_image",
            "Wan 3 first/last-frame anchors cannot be combined with loose media, file, or link "
            "references.",
        )
    if loose_images > T.WAN3_MAX_REFERENCE_IMAGES:
        raise invalid("reference_image_urls", "Wan 3 supports at most 10 reference images.")
    if videos > T.WAN3_MAX_REFERENCE_VIDEOS:
        raise invalid("reference_video_urls", "Wan 3 supports at most 5 reference videos.")
    if audios > T.WAN3_MAX_REFERENCE_AUDIOS:
        raise invalid("reference_audio_urls", "Wan 3 supports at most 5 reference audio clips.")
    if not (p.positive_prompt or "").strip() and not anchors and not loose:
        raise invalid(
            "positive_prompt", "Wan 3 requires a prompt or at least one media, file, or link input."
        )


def h3_video_slots(p: VideoProjectParams) -> list[tuple[int, Any]]:
    """MiniMax H3 r2v video slots: ``[reference_video, *reference_videos]``, given ones, from 1."""
    media = [p.reference_video, *(p.reference_videos or ())]
    return list(enumerate((m for m in media if is_given(m)), start=1))


def h3_audio_slots(p: VideoProjectParams) -> list[tuple[int, Any]]:
    """MiniMax H3 r2v audio slots: ``[reference_audio, *reference_audios]``, given ones, from 1."""
    media = [p.reference_audio, *(p.reference_audios or ())]
    return list(enumerate((m for m in media if is_given(m)), start=1))


def context_image_slots(p: VideoProjectParams) -> list[tuple[int, Any]]:
    """MiniMax H3 r2v context-image slots, shifted past ``reference_image`` (01 §4.7.4)."""
    if not p.context_images:
        return []
    offset = 1 if is_given(p.reference_image) else 0
    return [(offset + index + 1, media) for index, media in enumerate(p.context_images)]


def _h3_references(p: VideoProjectParams) -> None:
    for field in ("reference_image_urls", "reference_video_urls", "reference_audio_urls"):
        if getattr(p, field) is not None:
            raise invalid(
                field,
                f"MiniMax H3 r2v does not accept {camel(field)}; pass files through the Sogni "
                "asset upload fields instead.",
            )
    images = is_given(p.reference_image) + len(p.context_images or ())
    videos, audios = len(h3_video_slots(p)), len(h3_audio_slots(p))
    durations = p.reference_video_durations
    if durations is not None:
        if len(durations) != videos:
            raise invalid(
                "reference_video_durations",
                "MiniMax H3 r2v referenceVideoDurations must contain one entry for each uploaded "
                f"reference video (expected {videos}).",
            )
        eps = T.MINIMAX_H3_REFERENCE_VIDEO_EPSILON
        low, high = (
            T.MINIMAX_H3_REFERENCE_VIDEO_MIN_SECONDS,
            T.MINIMAX_H3_REFERENCE_VIDEO_MAX_SECONDS,
        )
        total = 0.0
        for index, seconds in enumerate(durations):
            if not math.isfinite(seconds) or seconds < low - eps or seconds > high + eps:
                raise invalid(
                    f"reference_video_durations[{index}]",
                    f"MiniMax H3 r2v referenceVideoDurations[{index}] must be between 2 and 15 "
                    "seconds.",
                )
            total += seconds
        if total > high + eps:
            raise invalid(
                "reference_video_durations",
                "MiniMax H3 r2v reference videos may total at most 15 seconds.",
            )
    for count, ceiling, label, field in (
        (images, T.MINIMAX_H3_MAX_REFERENCE_IMAGES, "reference images", "context_images"),
        (videos, T.MINIMAX_H3_MAX_REFERENCE_VIDEOS, "reference videos", "reference_videos"),
        (audios, T.MINIMAX_H3_MAX_REFERENCE_AUDIOS, "reference audios", "reference_audios"),
    ):
        if count > ceiling:
            raise invalid(
                field, f"MiniMax H3 r2v supports at most {ceiling} uploaded {label} (got {count})."
            )
    if images + videos + audios > T.MINIMAX_H3_MAX_REFERENCE_FILES:
        raise invalid(
            "context_images",
            f"MiniMax H3 r2v supports at most {T.MINIMAX_H3_MAX_REFERENCE_FILES} reference files "
            "in total.",
        )
    if images + videos < 1:
        raise invalid(
            "reference_image",
            "MiniMax H3 r2v needs at least one uploaded visual reference (image or video).",
        )


def validate_video_assets(p: VideoProjectParams) -> None:
    """Check a video project's reference assets against its model's rules.

    Raises:
        InvalidParamsError: an asset is missing, forbidden or over a limit.
    """
    model = p.model_id
    if p.output_format is not None and p.output_format not in ("mp4", "mov"):
        raise invalid("output_format", "Video outputFormat must be mp4 or mov.")
    if p.output_format == "mov" and not F.seedance25_model(model):
        raise invalid("output_format", "MOV output is supported only by Seedance 2.5.")
    if p.return_last_frame is True and not F.seedance25_model(model):
        raise invalid("return_last_frame", "Last-frame export is supported only by Seedance 2.5.")
    h3_r2v = F.minimax_h3_reference_model(model)
    if p.context_images is not None:
        if not h3_r2v:
            raise invalid("context_images", f"contextImages is supported only by {_H3_R2V}.")
        if not all(map(is_given, p.context_images)):
            raise invalid(
                "context_images",
                "contextImages must not contain empty entries (reference ordinals follow array "
                "position).",
            )
    for field in ("reference_videos", "reference_audios"):
        value = getattr(p, field)
        if value is None:
            continue
        if not h3_r2v:
            raise invalid(field, f"{camel(field)} is supported only by {_H3_R2V}.")
        if not all(map(is_given, value)):
            raise invalid(field, f"{camel(field)} must be an array without empty entries.")
    if p.reference_video_durations is not None and not h3_r2v:
        raise invalid(
            "reference_video_durations", f"referenceVideoDurations is supported only by {_H3_R2V}."
        )
    if F.happyhorse_model(model):
        _happyhorse_references(p)
        return
    if F.wan3_model(model):
        _wan3_references(p)
        return
    if F.seedance_model(model):
        _seedance_task_type(p)
        _seedance_references(p)
        return
    if h3_r2v:
        _h3_references(p)
    else:
        for field in (
            "reference_image_urls",
            "reference_video_urls",
            "reference_audio_urls",
            "reference_file_url",
            "reference_link_url",
        ):
            if getattr(p, field) is not None and (getattr(p, field) or field.endswith("_urls")):
                raise invalid(
                    field,
                    "External reference URLs are supported only by Seedance, HappyHorse, and "
                    "Wan 3 models.",
                )
    workflow = F.video_workflow_type(model)
    requirements = F.video_asset_requirements(model)
    # Every remaining video id names its workflow (the families returned above do not).
    assert workflow is not None and requirements is not None
    if workflow == "i2v" and not (is_given(p.reference_image) or is_given(p.reference_image_end)):
        raise invalid(
            "reference_image",
            "i2v workflow requires at least one of referenceImage or referenceImageEnd.",
        )
    # Any array is truthy in JavaScript, an empty one too.
    if p.sam2_coordinates is not None and workflow != "animate-replace":
        raise invalid(
            "sam2_coordinates", "sam2Coordinates is only supported for animate-replace workflows."
        )
    for asset, requirement in requirements.items():
        field = {
            "referenceImage": "reference_image",
            "referenceImageEnd": "reference_image_end",
            "referenceAudio": "reference_audio",
            "referenceAudioIdentity": "reference_audio_identity",
            "referenceVideo": "reference_video",
            "referenceMask": "reference_mask",
        }[asset]
        present = is_given(getattr(p, field))
        if requirement == "required" and not present:
            raise invalid(
                field, f"{workflow} workflow requires {asset}. Please provide this asset."
            )
        if requirement == "forbidden" and present:
            raise invalid(
                field, f"{workflow} workflow does not support {asset}. Please remove this asset."
            )
