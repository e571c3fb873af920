"""Image keyframe keys (01 §4.4; SDK 5.54.0 ``applyImageParams``)."""

from __future__ import annotations

import math
from typing import Any

from sogni_core.protocol._generated import jobrequest as T

from . import _families as F
from ._media import is_given
from ._options import ModelOptions
from ._params import ControlNetParams, ImageProjectParams, Sam3Prompt
from ._template import UNDEFINED
from ._validate import invalid, js_truthy, validate_choice, validate_number

__all__ = ["apply_image_params"]

_CONTROL_MODES = {m.value: index for index, m in enumerate(T.ControlNetMode)}
_PIXAL3D_VIEWS = (("left_view_image", 1), ("back_view_image", 2), ("right_view_image", 3))
_PIXAL3D_LIMITS = (
    ("texture_size", "textureSize", T.PIXAL3D_TEXTURE_SIZE_RANGE),
    ("mesh_target_faces", "meshTargetFaces", T.PIXAL3D_MESH_TARGET_FACES_RANGE),
    ("normal_map_size", "normalMapSize", T.PIXAL3D_NORMAL_MAP_SIZE_RANGE),
    ("ambient_occlusion_size", "ambientOcclusionSize", T.PIXAL3D_AMBIENT_OCCLUSION_SIZE_RANGE),
    ("shape_resolution", "shapeResolution", T.PIXAL3D_SHAPE_RESOLUTION_RANGE),
)
_MAX_SAFE_INTEGER = 2**53 - 1


def _safe_integer(value: Any) -> bool:
    return (
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        and math.isfinite(value)
        and float(value).is_integer()
        and abs(value) <= _MAX_SAFE_INTEGER
    )


def _control_net(cn: ControlNetParams) -> list[dict[str, Any]]:
    # 01 §4.4 step 5: keys in this order; optional ones only when given.
    raw: dict[str, Any] = {
        "name": cn.name,
        "cnImageState": "original",
        "hasImage": is_given(cn.image),
    }
    if cn.strength is not None:
        raw["controlStrength"] = validate_number(
            cn.strength, "control_net.strength", label="strength", minimum=0, maximum=1
        )
    if cn.mode:
        if cn.mode not in _CONTROL_MODES:
            raise invalid("control_net.mode", f"Invalid control mode {cn.mode}")
        raw["controlMode"] = _CONTROL_MODES[cn.mode]
    if cn.guidance_start is not None:
        raw["controlGuidanceStart"] = validate_number(
            cn.guidance_start,
            "control_net.guidance_start",
            label="guidanceStart",
            minimum=0,
            maximum=1,
        )
    if cn.guidance_end is not None:
        raw["controlGuidanceEnd"] = validate_number(
            cn.guidance_end, "control_net.guidance_end", label="guidanceEnd", minimum=0, maximum=1
        )
    return [raw]


def _coordinate(value: float, field: str) -> float:
    if not isinstance(value, (int, float)) or not math.isfinite(value) or not 0 <= value <= 1:
        raise invalid(field, f"{field} must be a finite normalized coordinate from 0 to 1")
    return value


def _sam3_prompt(prompt: Sam3Prompt) -> dict[str, Any]:
    f = "sam3_prompt"
    points = prompt.points or ()
    if len(points) > T.SAM3_MAX_POINTS:
        raise invalid(
            f"{f}.points", f"sam3Prompt.points must contain at most {T.SAM3_MAX_POINTS} entries"
        )
    norm_points = []
    for i, point in enumerate(points):
        if point.label not in ("positive", "negative"):
            raise invalid(f"{f}.points[{i}].label", 'label must be "positive" or "negative"')
        norm_points.append(
            {
                "x": _coordinate(point.x, f"{f}.points[{i}].x"),
                "y": _coordinate(point.y, f"{f}.points[{i}].y"),
                "label": point.label,
            }
        )
    boxes = prompt.boxes or ()
    if len(boxes) > T.SAM3_MAX_BOXES:
        raise invalid(
            f"{f}.boxes", f"sam3Prompt.boxes must contain at most {T.SAM3_MAX_BOXES} entries"
        )
    norm_boxes = []
    for i, box in enumerate(boxes):
        if box.label is not None and box.label not in ("positive", "negative"):
            raise invalid(f"{f}.boxes[{i}].label", 'label must be "positive" or "negative"')
        norm: dict[str, Any] = {
            "x0": _coordinate(box.x0, f"{f}.boxes[{i}].x0"),
            "y0": _coordinate(box.y0, f"{f}.boxes[{i}].y0"),
            "x1": _coordinate(box.x1, f"{f}.boxes[{i}].x1"),
            "y1": _coordinate(box.y1, f"{f}.boxes[{i}].y1"),
            # An absent label has always meant a positive exemplar.
            "label": "positive" if box.label is None else box.label,
        }
        if norm["x0"] >= norm["x1"] or norm["y0"] >= norm["y1"]:
            raise invalid(f"{f}.boxes[{i}]", "box must have x0 < x1 and y0 < y1")
        norm_boxes.append(norm)
    text = None
    if prompt.text is not None:
        text = prompt.text.strip()
        if not text or len(text) > T.SAM3_MAX_TEXT_LENGTH:
            raise invalid(
                f"{f}.text",
                f"sam3Prompt.text must contain 1 to {T.SAM3_MAX_TEXT_LENGTH} characters",
            )
    if not norm_points and not norm_boxes and not text:
        raise invalid(f, "sam3Prompt requires at least one point, box, or text prompt")
    if text and norm_points:
        raise invalid(f, "sam3Prompt cannot combine text and point prompts")
    if norm_points and len(norm_boxes) > 1:
        raise invalid(f"{f}.boxes", "at most one box when point prompts are present")
    if norm_points and any(b["label"] == "negative" for b in norm_boxes):
        raise invalid(f"{f}.boxes", "sam3Prompt negative boxes require a text prompt")
    if prompt.threshold is not None and (
        not math.isfinite(prompt.threshold) or not 0 <= prompt.threshold <= 1
    ):
        raise invalid(f"{f}.threshold", "sam3Prompt.threshold must be a finite number from 0 to 1")
    if prompt.multimask is True and not norm_points:
        raise invalid(f"{f}.multimask", "sam3Prompt.multimask requires point prompts")
    if prompt.max_instances is not None and (
        not _safe_integer(prompt.max_instances)
        or not 1 <= prompt.max_instances <= T.SAM3_MAX_INSTANCES
    ):
        raise invalid(
            f"{f}.max_instances",
            f"sam3Prompt.maxInstances must be an integer from 1 to {T.SAM3_MAX_INSTANCES}",
        )
    out: dict[str, Any] = {"points": norm_points, "boxes": norm_boxes}
    if text:
        out["text"] = text
    out["threshold"] = T.SAM3_DEFAULT_THRESHOLD if prompt.threshold is None else prompt.threshold
    if norm_points:
        out["multimask"] = True if prompt.multimask is None else prompt.multimask
    out["applyMask"] = prompt.apply_mask is True
    if prompt.max_instances is not None:
        out["maxInstances"] = prompt.max_instances
    return out


def _validate_gpt_image(p: ImageProjectParams) -> None:
    # SDK lib/validation.ts validateGptImageOptions.
    if not F.gpt_image_model(p.model_id):
        if is_given(p.gpt_image_mask) or p.gpt_image_mask_url:
            field = "gpt_image_mask" if is_given(p.gpt_image_mask) else "gpt_image_mask_url"
            raise invalid(field, "GPT Image masks require a GPT Image model")
        return
    if is_given(p.gpt_image_mask) and p.gpt_image_mask_url:
        raise invalid("gpt_image_mask_url", "Provide one GPT Image mask")
    if is_given(p.gpt_image_mask) and not p.context_images:
        raise invalid("gpt_image_mask", "GPT Image mask requires a first reference image")
    if p.context_images is not None and (
        len(p.context_images) > T.MAX_CONTEXT_IMAGES_GPT_IMAGE
        or not all(is_given(image) for image in p.context_images)
    ):
        raise invalid(
            "context_images", "GPT Image accepts up to 16 non-empty references in source order"
        )
    if p.gpt_image_mask_url is not None and (
        not p.gpt_image_mask_url.strip() or not p.context_images
    ):
        raise invalid(
            "gpt_image_mask_url", "GPT Image mask requires a mask URL and a first reference image"
        )
    is25 = p.model_id != T.GPT_IMAGE_2_MODEL_ID
    quality = p.gpt_image_quality
    if quality == "auto":
        more = ", xhigh or max" if is25 else ""
        raise invalid(
            "gpt_image_quality",
            f"Unsupported quality for {p.model_id}: auto. Choose low, medium or high{more}.",
        )
    if quality is not None:
        allowed = ["low", "medium", "high", "standard", "hd"] + (["xhigh", "max"] if is25 else [])
        if quality not in allowed:
            raise invalid("gpt_image_quality", f"Unsupported quality for {p.model_id}: {quality}")
    background = p.gpt_image_background
    if background is not None and background not in (
        ["opaque", "auto"] + (["transparent"] if is25 else [])
    ):
        raise invalid(
            "gpt_image_background", f"Unsupported background for {p.model_id}: {background}"
        )
    if background == "transparent" and p.output_format == "jpg":
        raise invalid("gpt_image_background", "Transparent GPT Image output requires PNG or WebP")
    compression = p.gpt_image_output_compression
    if compression is not None:
        if not _safe_integer(compression) or not 0 <= compression <= 100:
            raise invalid(
                "gpt_image_output_compression",
                "GPT Image output compression must be an integer from 0 to 100",
            )
        if p.output_format not in ("jpg", "webp"):
            raise invalid(
                "gpt_image_output_compression", "GPT Image output compression requires JPEG or WebP"
            )


def _pixal3d_and_utilities(kf: dict[str, Any], p: ImageProjectParams) -> None:
    model = p.model_id
    if model == T.SAM3_IMAGE_SEGMENT_MODEL_ID:
        if not is_given(p.starting_image):
            raise invalid("starting_image", "SAM3 image segmentation requires startingImage")
        if p.sam3_prompt is None:
            raise invalid("sam3_prompt", "SAM3 image segmentation requires sam3Prompt")
        kf["sam3Prompt"] = _sam3_prompt(p.sam3_prompt)
    elif p.sam3_prompt is not None:
        raise invalid(
            "sam3_prompt", f"sam3Prompt is only supported by {T.SAM3_IMAGE_SEGMENT_MODEL_ID}"
        )
    if model == T.BIREFNET_BACKGROUND_REMOVAL_MODEL_ID:
        if not is_given(p.starting_image):
            raise invalid("starting_image", "BiRefNet background removal requires startingImage")
        kf["applyMask"] = p.apply_mask is True
    elif p.apply_mask is not None:
        raise invalid(
            "apply_mask", f"applyMask is only supported by {T.BIREFNET_BACKGROUND_REMOVAL_MODEL_ID}"
        )
    single, multi = T.PIXAL3D_IMAGE_TO_3D_MODEL_ID, T.PIXAL3D_MULTIVIEW_IMAGE_TO_3D_MODEL_ID
    if F.pixal3d_model(model) and not is_given(p.starting_image):
        rule = (
            "Pixal3D multi-view reconstruction requires startingImage (the front view)"
            if F.pixal3d_multiview_model(model)
            else "Pixal3D reconstruction requires startingImage"
        )
        raise invalid("starting_image", rule)
    if F.pixal3d_model(model) and p.context_images and any(map(is_given, p.context_images)):
        raise invalid("context_images", f"{model} does not support contextImages")
    for view, _slot in _PIXAL3D_VIEWS:
        value = getattr(p, view)
        if value is None:
            continue
        if not F.pixal3d_multiview_model(model):
            raise invalid(view, f"{view} is only supported by {multi}")
        if not is_given(value):
            raise invalid(view, "must be an image; leave it unset to omit that view")
    for view, slot in _PIXAL3D_VIEWS:
        if is_given(getattr(p, view)):
            kf[f"hasContextImage{slot}"] = True
    if p.template_variant is not None:
        if model != single:
            raise invalid("template_variant", f"templateVariant is only supported by {single}")
        if p.template_variant not in T.PIXAL3D_TEMPLATE_VARIANTS:
            variants = ", ".join(T.PIXAL3D_TEMPLATE_VARIANTS)
            raise invalid("template_variant", f"templateVariant must be one of: {variants}")
        kf["templateVariant"] = p.template_variant
    for field, wire, (low, high) in _PIXAL3D_LIMITS:
        requested = getattr(p, field)
        if requested is None:
            continue
        if not F.pixal3d_model(model):
            raise invalid(field, f"{wire} is only supported by {single} and {multi}")
        if not _safe_integer(requested) or not low <= requested <= high:
            raise invalid(field, f"{wire} must be an integer from {low} to {high}")
        kf[wire] = requested


def apply_image_params(
    base: dict[str, Any], p: ImageProjectParams, options: ModelOptions
) -> dict[str, Any]:
    """Append the image keys to the common keyframe ``base`` (01 §4.4, in order).

    Raises:
        InvalidParamsError: a parameter breaks an image rule.
    """
    kf = {**base, "sizePreset": UNDEFINED if p.size_preset is None else p.size_preset}
    context = p.context_images or ()
    for index in range(1, T.IMAGE_CONTEXT_IMAGE_SLOTS + 1):
        kf[f"hasContextImage{index}"] = index <= len(context) and is_given(context[index - 1])
    # 01 §4.4 step 3: ComfyUI models get comfy* keys; legacy models reuse the
    # template's scheduler (= sampler) and timeStepSpacing (= scheduler) keys.
    if F.comfy_model(p.model_id):
        kf["comfySampler"] = validate_choice(p.sampler, "sampler", options)
        kf["comfyScheduler"] = validate_choice(p.scheduler, "scheduler", options)
        kf["vae"] = validate_choice(p.vae, "vae", options)
    else:
        kf["scheduler"] = validate_choice(p.sampler, "sampler", options)
        kf["timeStepSpacing"] = validate_choice(p.scheduler, "scheduler", options)
    if is_given(p.starting_image):
        kf["hasStartingImage"] = True
        kf["strengthIsEnabled"] = True
        # Wire strength is the denoise amount: 1 - image strength (0/unset -> 0.5).
        strength = p.starting_image_strength
        if strength is None or not js_truthy(strength):
            strength = T.DEFAULT_STARTING_IMAGE_STRENGTH
        kf["strength"] = 1 - strength
    _pixal3d_and_utilities(kf, p)
    if p.control_net is not None:
        kf["currentControlNetsJob"] = _control_net(p.control_net)
    preset = p.size_preset
    if js_truthy(p.width) and js_truthy(p.height) and not preset:
        preset = "custom"
    kf["sizePreset"] = UNDEFINED if preset is None else preset
    if preset == "custom" and js_truthy(p.width) and js_truthy(p.height):
        low, high = F.custom_image_size_bounds(p.model_id)
        assert p.width is not None and p.height is not None
        kf["width"] = validate_number(p.width, "width", label="Width", minimum=low, maximum=high)
        kf["height"] = validate_number(
            p.height, "height", label="Height", minimum=low, maximum=high
        )
    _validate_gpt_image(p)
    if is_given(p.gpt_image_mask):
        kf["hasReferenceMask"] = True
        kf["referenceMaskContentType"] = "image/png"
    if p.gpt_image_mask_url is not None:
        kf["gptImageMaskUrl"] = p.gpt_image_mask_url
    if p.gpt_image_quality is not None:
        kf["gptImageQuality"] = p.gpt_image_quality
    if p.gpt_image_background is not None:
        kf["gptImageBackground"] = p.gpt_image_background
    if p.gpt_image_output_compression is not None:
        kf["gptImageOutputCompression"] = p.gpt_image_output_compression
    return kf
