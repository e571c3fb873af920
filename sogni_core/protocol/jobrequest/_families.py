"""Model families, video workflow types and per-family rules (01 §4.5.1-§4.5.6).

In SDK 5.54.0 every family is an exact id set (the 5.17.0 notes describe id
prefixes); the sets live in ``spec/jobrequest.toml``.
"""

from __future__ import annotations

import math
import re

from sogni_core.protocol._generated import jobrequest as T

from ._numbers import js_round

__all__ = [
    "calculate_video_frames",
    "comfy_model",
    "custom_image_size_bounds",
    "external_api_video_model",
    "gpt_image_model",
    "happyhorse_model",
    "ltx2_model",
    "max_context_images",
    "max_video_duration",
    "minimax_h3_audio_guide_model",
    "minimax_h3_balanced_model",
    "minimax_h3_model",
    "minimax_h3_reference_model",
    "minimax_h3_turbo_model",
    "model_artifact_model",
    "pixal3d_model",
    "pixal3d_multiview_model",
    "seedance25_model",
    "seedance_model",
    "segmentation_model",
    "video_asset_requirements",
    "video_model",
    "video_upscale_model",
    "video_workflow_type",
    "wan3_enhanced_model",
    "wan3_model",
    "wan_animate_model",
    "wan_model",
]

_LTX2 = frozenset(T.LTX2_VIDEO_MODEL_IDS)
_WAN = frozenset(T.WAN_VIDEO_MODEL_IDS)
_WAN_ANIMATE = frozenset(T.WAN_ANIMATE_MODEL_IDS)
_SEEDANCE = frozenset(T.SEEDANCE_VIDEO_MODEL_IDS)
_HAPPYHORSE = frozenset(T.HAPPYHORSE_VIDEO_MODEL_IDS)
_WAN3 = frozenset(T.WAN3_VIDEO_MODEL_IDS)
_MINIMAX_H3 = frozenset(T.MINIMAX_H3_VIDEO_MODEL_IDS)
_GPT_IMAGE = frozenset(T.GPT_IMAGE_MODEL_IDS)
_EXTENDED_SIZE = frozenset(T.EXTENDED_IMAGE_SIZE_MODEL_IDS)
_KREA_IDENTITY = frozenset(T.KREA_IDENTITY_EDIT_MODEL_IDS)
_QWEN_IMAGE = frozenset(T.QWEN_IMAGE_MODEL_IDS)

# utils isMinimaxH3TurboModel / isMinimaxH3BalancedModel / isMinimaxH3AudioGuideModel.
_H3_TURBO = re.compile(
    r"^(?:minimax-h3-fl2va-fp8_(?:t2v|i2v|flf2v)_turbo"
    r"|minimax-h3-fastvideo-int8_(?:t2v|i2v|flf2v)_turbo(?:_2stage(?:_720p)?)?"
    r"|minimax-h3-fastvideo-int8_(?:ia2v|flfa2v|a2v)_turbo(?:_2stage)?"
    r"|minimax-h3-ref2va-fp8_r2v_turbo)\Z"
)
_H3_BALANCED = re.compile(
    r"^(?:minimax-h3-fl2va-fp8_(?:t2v|i2v|flf2v)_balanced"
    r"|minimax-h3-ref2va-fp8_r2v_balanced(?:_2stage)?)\Z"
)
_H3_AUDIO_GUIDE = re.compile(r"^minimax-h3-fastvideo-int8_(?:ia2v|flfa2v|a2v)_turbo(?:_2stage)?\Z")


def ltx2_model(model_id: str) -> bool:
    """LTX 2.x video model."""
    return model_id in _LTX2


def wan_model(model_id: str) -> bool:
    """Wan 2.2 video model."""
    return model_id in _WAN


def wan_animate_model(model_id: str) -> bool:
    """Wan 2.2 animate-move / animate-replace model."""
    return model_id in _WAN_ANIMATE


def seedance_model(model_id: str) -> bool:
    """Seedance (any generation) model."""
    return model_id in _SEEDANCE


def seedance25_model(model_id: str) -> bool:
    """Seedance 2.5."""
    return model_id == T.SEEDANCE_25_MODEL_ID


def happyhorse_model(model_id: str) -> bool:
    """HappyHorse 1.1 model."""
    return model_id in _HAPPYHORSE


def wan3_model(model_id: str) -> bool:
    """Wan 3 model."""
    return model_id in _WAN3


def wan3_enhanced_model(model_id: str) -> bool:
    """Wan 3.0 Enhanced."""
    return model_id == T.WAN3_ENHANCED_MODEL_ID


def minimax_h3_model(model_id: str) -> bool:
    """MiniMax H3 model."""
    return model_id in _MINIMAX_H3


def minimax_h3_turbo_model(model_id: str) -> bool:
    """MiniMax H3 Turbo (4 steps)."""
    return _H3_TURBO.match(model_id) is not None


def minimax_h3_balanced_model(model_id: str) -> bool:
    """MiniMax H3 Balanced (8 steps)."""
    return _H3_BALANCED.match(model_id) is not None


def minimax_h3_audio_guide_model(model_id: str) -> bool:
    """MiniMax H3 FastH3 audio-guide model (ia2v / flfa2v / a2v)."""
    return _H3_AUDIO_GUIDE.match(model_id) is not None


def minimax_h3_reference_model(model_id: str) -> bool:
    """MiniMax H3 r2v (multi-reference) model."""
    return minimax_h3_model(model_id) and video_workflow_type(model_id) == "r2v"


def video_upscale_model(model_id: str) -> bool:
    """FlashVSR video upscaler."""
    return model_id == T.FLASHVSR_VIDEO_UPSCALE_MODEL_ID


def external_api_video_model(model_id: str) -> bool:
    """Seedance, HappyHorse or Wan 3 (rendered by an external vendor)."""
    return seedance_model(model_id) or happyhorse_model(model_id) or wan3_model(model_id)


def video_model(model_id: str) -> bool:
    """Any video model the SDK knows."""
    return (
        wan_model(model_id)
        or ltx2_model(model_id)
        or seedance_model(model_id)
        or happyhorse_model(model_id)
        or wan3_model(model_id)
        or minimax_h3_model(model_id)
        or video_upscale_model(model_id)
    )


def gpt_image_model(model_id: str) -> bool:
    """GPT Image external image model."""
    return model_id in _GPT_IMAGE


def comfy_model(model_id: str) -> bool:
    """ComfyUI image model: gets comfySampler/comfyScheduler/vae keys (01 §6.12.1)."""
    return model_id.startswith(T.COMFY_MODEL_ID_PREFIXES)


def pixal3d_model(model_id: str) -> bool:
    """Pixal3D image-to-3D workflow (single or multi-view)."""
    return model_id in (T.PIXAL3D_IMAGE_TO_3D_MODEL_ID, T.PIXAL3D_MULTIVIEW_IMAGE_TO_3D_MODEL_ID)


def pixal3d_multiview_model(model_id: str) -> bool:
    """Pixal3D multi-view workflow."""
    return model_id == T.PIXAL3D_MULTIVIEW_IMAGE_TO_3D_MODEL_ID


def model_artifact_model(model_id: str) -> bool:
    """A model returning a 3D artifact (``pixal3d_`` prefix)."""
    return model_id.startswith("pixal3d_")


def segmentation_model(model_id: str) -> bool:
    """SAM 3 or BiRefNet one-source/one-mask utility workflow."""
    return model_id in (T.SAM3_IMAGE_SEGMENT_MODEL_ID, T.BIREFNET_BACKGROUND_REMOVAL_MODEL_ID)


def video_workflow_type(model_id: str) -> str | None:
    """The workflow a video model runs, derived from its id (01 §4.5.2).

    Args:
        model_id: any model id.

    Returns:
        ``t2v``, ``i2v``, ``flf2v``, ``flfa2v``, ``s2v``, ``ia2v``, ``a2v``, ``v2v``,
        ``r2v``, ``animate-move``, ``animate-replace`` or ``upscale``; ``None`` for
        non-video ids and video ids without a workflow marker (Seedance).
    """
    if not model_id:
        return None
    if video_upscale_model(model_id):
        return "upscale"
    is_wan, is_ltx2, is_seedance = (
        wan_model(model_id),
        ltx2_model(model_id),
        seedance_model(model_id),
    )
    if not (
        is_wan
        or is_ltx2
        or is_seedance
        or happyhorse_model(model_id)
        or wan3_model(model_id)
        or minimax_h3_model(model_id)
    ):
        return None
    if wan3_model(model_id):
        return "t2v"
    if happyhorse_model(model_id):
        return _first_marker(model_id, (("-r2v", "r2v"), ("-i2v", "i2v"), ("-t2v", "t2v")))
    if minimax_h3_model(model_id):
        return _first_marker(
            model_id,
            (
                ("_r2v", "r2v"),
                ("_flfa2v", "flfa2v"),
                ("_ia2v", "ia2v"),
                ("_a2v", "a2v"),
                ("_flf2v", "flf2v"),
                ("_i2v", "i2v"),
                ("_t2v", "t2v"),
            ),
        )
    if "_i2v" in model_id:
        return "i2v"
    if "_t2v" in model_id:
        return "t2v"
    if (is_ltx2 or is_seedance) and "_v2v" in model_id:
        return "v2v"
    if (is_ltx2 or is_seedance) and "_ia2v" in model_id:
        return "ia2v"
    if is_ltx2 and "_a2v" in model_id:
        return "a2v"
    if is_wan:
        return _first_marker(
            model_id,
            (
                ("_s2v", "s2v"),
                ("_animate-move", "animate-move"),
                ("_animate-replace", "animate-replace"),
            ),
        )
    return None


def _first_marker(model_id: str, markers: tuple[tuple[str, str], ...]) -> str | None:
    return next((workflow for marker, workflow in markers if marker in model_id), None)


_ASSET_KEYS = tuple(key.value for key in T.VideoAssetKey)
_WORKFLOW_ASSETS: dict[str, tuple[str, ...]] = {
    "upscale": T.VIDEO_ASSETS_UPSCALE,
    "t2v": T.VIDEO_ASSETS_T2V,
    "i2v": T.VIDEO_ASSETS_I2V,
    "flf2v": T.VIDEO_ASSETS_FLF2V,
    "flfa2v": T.VIDEO_ASSETS_FLFA2V,
    "s2v": T.VIDEO_ASSETS_S2V,
    "ia2v": T.VIDEO_ASSETS_IA2V,
    "a2v": T.VIDEO_ASSETS_A2V,
    "animate-move": T.VIDEO_ASSETS_ANIMATE_MOVE,
    "animate-replace": T.VIDEO_ASSETS_ANIMATE_REPLACE,
    "v2v": T.VIDEO_ASSETS_V2V,
    "r2v": T.VIDEO_ASSETS_R2V,
}


def video_asset_requirements(model_id: str) -> dict[str, str] | None:
    """Requirement of each single upload slot of a video model (SDK ``getVideoAssetConfig``).

    Args:
        model_id: a video model id.

    Returns:
        ``{assetKey: "required" | "optional" | "forbidden"}`` keyed by the SDK's
        camelCase asset names in table order (01 §4.5.3), MiniMax H3 r2v and i2v
        rows overriding the generic ones; ``None`` when no workflow is recognised.
    """
    workflow = video_workflow_type(model_id)
    if workflow is None:
        return None
    row = _WORKFLOW_ASSETS[workflow]
    if workflow == "r2v" and minimax_h3_model(model_id):
        row = T.MINIMAX_H3_ASSETS_R2V
    elif workflow == "i2v" and minimax_h3_model(model_id):
        row = T.MINIMAX_H3_ASSETS_I2V
    return dict(zip(_ASSET_KEYS, row, strict=True))


def max_video_duration(model_id: str) -> float:
    """Longest ``duration`` (s) the SDK accepts for a model (01 §4.5.6)."""
    if minimax_h3_model(model_id):
        return T.MINIMAX_H3_MAX_FRAMES / T.MINIMAX_H3_FPS
    if seedance25_model(model_id):
        return T.SEEDANCE_25_MAX_DURATION
    if wan3_model(model_id):
        return T.WAN3_MAX_DURATION
    if external_api_video_model(model_id):
        return T.EXTERNAL_VIDEO_MAX_DURATION
    if ltx2_model(model_id) or wan_animate_model(model_id):
        return T.LTX2_WAN_ANIMATE_MAX_DURATION
    return T.VIDEO_MAX_DURATION


def calculate_video_frames(model_id: str, duration: float, fps: float) -> float:
    """Frame count for ``duration`` seconds (01 §4.5.6), with JS ``Math.round``.

    Wan 2.2 always renders 16 fps (``fps`` ignored); MiniMax H3 snaps to its
    124 + 17n grid; LTX 2.x snaps to 1 + 8n; FlashVSR keeps the exact count;
    everything else is ``round(duration * fps) + 1``.

    Args:
        model_id: the video model.
        duration: seconds (already validated against the model's bounds).
        fps: the frame rate (params ``fps``, else 24; 30 for Wan 3).

    Returns:
        The frame count (an integral float).
    """
    if video_upscale_model(model_id):
        return js_round(duration * fps)
    if wan_model(model_id):
        return js_round(duration * T.WAN_INTERNAL_FPS) + 1
    if minimax_h3_model(model_id):
        requested = js_round(duration * T.MINIMAX_H3_FPS)
        base, step = T.MINIMAX_H3_BASE_FRAMES, T.MINIMAX_H3_FRAME_STEP
        minimum_step = math.ceil((T.MINIMAX_H3_MIN_FRAMES - base) / step)
        maximum_step = math.floor((T.MINIMAX_H3_MAX_FRAMES - base) / step)
        steps = min(maximum_step, max(minimum_step, js_round((requested - base) / step)))
        return float(base + steps * step)
    frames = js_round(duration * fps) + 1
    if ltx2_model(model_id):
        frames = js_round((frames - 1) / T.LTX2_FRAME_STEP) * T.LTX2_FRAME_STEP + 1
    return frames


def custom_image_size_bounds(model_id: str) -> tuple[int, int]:
    """``(min, max)`` of a custom image width/height for a model (01 §6.12.1)."""
    if model_id == T.RTX_VSR_MODEL_ID:
        return T.CUSTOM_IMAGE_SIZE_MIN_RTX_VSR, T.CUSTOM_IMAGE_SIZE_MAX_RTX_VSR
    if model_id in _KREA_IDENTITY:
        return T.CUSTOM_IMAGE_SIZE_MIN_KREA_IDENTITY_EDIT, T.CUSTOM_IMAGE_SIZE_MAX
    if gpt_image_model(model_id):
        return T.CUSTOM_IMAGE_SIZE_MIN, T.CUSTOM_IMAGE_SIZE_MAX_GPT_IMAGE
    if model_id in _EXTENDED_SIZE:
        return T.CUSTOM_IMAGE_SIZE_MIN, T.CUSTOM_IMAGE_SIZE_MAX_EXTENDED
    return T.CUSTOM_IMAGE_SIZE_MIN, T.CUSTOM_IMAGE_SIZE_MAX


def max_context_images(model_id: str) -> int:
    """Most context images an image project may carry (01 §4.4).

    Args:
        model_id: an image model id.

    Returns:
        16 for GPT Image, 3 for Qwen Image, 2 for Krea identity edit and any
        ``kontext`` id, else 3.
    """
    if gpt_image_model(model_id):
        return T.MAX_CONTEXT_IMAGES_GPT_IMAGE
    if model_id in _QWEN_IMAGE:
        return T.MAX_CONTEXT_IMAGES_QWEN_IMAGE
    if model_id in _KREA_IDENTITY:
        return T.MAX_CONTEXT_IMAGES_KREA_IDENTITY_EDIT
    if "kontext" in model_id:
        return T.MAX_CONTEXT_IMAGES_KONTEXT
    return T.MAX_CONTEXT_IMAGES_DEFAULT
