"""Build the ``jobRequest`` socket payload for a project (01 §4.2-§4.7).

This is the SDK's ``projects.create()`` without its I/O: the model options it
fetches, the client defaults it merges and the content types it sniffs before
uploading are inputs or pure computations here, and the uploads themselves are
the caller's business (see :func:`~sogni_core.protocol.jobrequest.sniff_content_type`).
"""

from __future__ import annotations

import re
from typing import Any

from . import _families as F
from ._attribution import attribution_wire_fields, resolve_workload_attribution
from ._audio import apply_audio_params
from ._image import apply_image_params
from ._media import is_upload, media_content_type
from ._normalize import normalize_params
from ._numbers import js_value
from ._options import ModelOptions
from ._params import (
    AudioProjectParams,
    ImageProjectParams,
    ProjectParams,
    VideoProjectParams,
    WorkloadAttributionInput,
    WorldGenerationReceipt,
)
from ._template import UNDEFINED, keyframe_template, request_template, strip_undefined
from ._validate import invalid
from ._video import apply_video_params
from ._video_refs import h3_audio_slots, h3_video_slots

__all__ = ["build_job_request"]

_SHA256 = re.compile(r"[a-fA-F0-9]{64}\Z")


def _receipt(receipt: WorldGenerationReceipt | None) -> dict[str, str] | None:
    if receipt is None:
        return None
    f = "world_generation_receipt"

    def digest(value: str | None, name: str) -> str:
        if not isinstance(value, str) or not _SHA256.match(value):
            raise invalid(f"{f}.{name}", "must be a SHA-256 hex digest")
        return value.lower()

    if receipt.stage == "target_still":
        return {
            "stage": receipt.stage,
            "sourceImageSha256": digest(receipt.source_image_sha256, "source_image_sha256"),
            "selectionHash": digest(receipt.selection_hash, "selection_hash"),
        }
    if receipt.stage == "transition":
        return {
            "stage": receipt.stage,
            "firstFrameSha256": digest(receipt.first_frame_sha256, "first_frame_sha256"),
            "lastFrameSha256": digest(receipt.last_frame_sha256, "last_frame_sha256"),
        }
    raise invalid(f"{f}.stage", "worldGenerationReceipt.stage must be target_still or transition.")


def _strips_negative_prompt(p: ProjectParams) -> bool:
    # 01 §4.3.2 #20: audio, external-API video and MiniMax H3 have no negative prompt.
    if isinstance(p, AudioProjectParams):
        return True
    return isinstance(p, VideoProjectParams) and (
        F.external_api_video_model(p.model_id) or F.minimax_h3_model(p.model_id)
    )


def _base_keyframe(p: ProjectParams, receipt: dict[str, str] | None) -> dict[str, Any]:
    def u(value: Any) -> Any:
        return UNDEFINED if value is None else value

    kf = keyframe_template()
    kf.update(
        steps=u(p.steps),
        guidanceScale=u(p.guidance),
        modelID=p.model_id,
        seed=u(p.seed),
        positivePrompt=u(p.positive_prompt),
    )
    if not _strips_negative_prompt(p) and p.negative_prompt:
        kf["negativePrompt"] = p.negative_prompt
    if p.style_prompt:
        kf["stylePrompt"] = p.style_prompt
    if p.loras:
        kf["loras"] = list(p.loras)
    if p.lora_strengths:
        kf["loraStrengths"] = list(p.lora_strengths)
    if receipt:
        kf["worldGenerationReceipt"] = receipt
    if _strips_negative_prompt(p):
        del kf["negativePrompt"]
    return kf


def _annotate_content_types(kf: dict[str, Any], p: ProjectParams) -> None:
    # create() adds these after the uploads, from the sniffed MIME types
    # (01 §4.5.5 step 27); an undetected type leaves the key out.
    def put(key: str, media: Any) -> None:
        kf[key] = media_content_type(media) or UNDEFINED

    if isinstance(p, AudioProjectParams):
        if is_upload(p.reference_audio):
            put("referenceAudioContentType", p.reference_audio)
        return
    if not isinstance(p, VideoProjectParams):
        return
    h3_r2v = F.minimax_h3_reference_model(p.model_id)
    if is_upload(p.reference_image):
        put("referenceImageContentType", p.reference_image)
    if is_upload(p.reference_image_end):
        put("referenceImageEndContentType", p.reference_image_end)
    if not h3_r2v and is_upload(p.reference_audio):
        put("referenceAudioContentType", p.reference_audio)
    if is_upload(p.reference_audio_identity):
        put("referenceAudioIdentityContentType", p.reference_audio_identity)
        if kf.get("referenceAudioContentType", UNDEFINED) is UNDEFINED:
            put("referenceAudioContentType", p.reference_audio_identity)
    if not h3_r2v and is_upload(p.reference_video):
        put("referenceVideoContentType", p.reference_video)
    if h3_r2v:
        for slot, media in h3_audio_slots(p):
            if media is not True:
                put(f"referenceAudio{slot}ContentType", media)
        for slot, media in h3_video_slots(p):
            if media is not True:
                put(f"referenceVideo{slot}ContentType", media)
    inpaint = p.control_net is not None and p.control_net.name == "inpaint"
    if is_upload(p.reference_mask) and inpaint:
        put("referenceMaskContentType", p.reference_mask)


def build_job_request(
    params: ProjectParams,
    *,
    project_id: str,
    model_options: ModelOptions,
    default_app_source: str | None = None,
    default_attribution: WorkloadAttributionInput | None = None,
) -> dict[str, Any]:
    """Validate ``params`` and build the ``jobRequest`` payload the SDK would send.

    The result has the SDK's exact key order; numbers are JavaScript-normalized
    (integral floats are ints, non-finite numbers are ``None``) and keys the SDK
    leaves ``undefined`` are absent, so ``js_json_dumps(result)`` is the text the
    SDK writes.

    Args:
        params: the project parameters.
        project_id: the project id (uppercase UUID v4 in the SDK; sent as ``jobID``).
        model_options: options of ``params.model_id`` (see :func:`model_options_for`).
        default_app_source: the client's ``appSource``, used when the params have none.
        default_attribution: the client's workload attribution defaults.

    Returns:
        The ``jobRequest`` payload (a fresh dict).

    Raises:
        InvalidParamsError: a parameter breaks a rule; ``field`` names it.
    """
    p = normalize_params(params)
    receipt = _receipt(p.world_generation_receipt)
    kf = _base_keyframe(p, receipt)
    kind = {ImageProjectParams: "image", VideoProjectParams: "video", AudioProjectParams: "audio"}[
        type(p)
    ]
    if model_options.type != kind:
        raise invalid(
            "model_id",
            f"Invalid model type. Model does not support {kind} generation. Please use a "
            "different model.",
        )
    if isinstance(p, ImageProjectParams):
        kf = apply_image_params(kf, p, model_options)
    elif isinstance(p, VideoProjectParams):
        kf = apply_video_params(kf, p, model_options)
    else:
        kf = apply_audio_params(kf, p, model_options)

    utility = F.segmentation_model(p.model_id) or F.pixal3d_model(p.model_id)
    previews = 0
    if isinstance(p, ImageProjectParams) and not utility:
        previews = p.number_of_previews or 0
    if F.pixal3d_model(p.model_id):
        output_format = "glb"
    elif F.segmentation_model(p.model_id):
        output_format = "png"
    else:
        default_format = {"image": "png", "video": "mp4", "audio": "mp3"}[kind]
        output_format = p.output_format or default_format
    request = request_template()
    request.update(
        keyFrames=[kf],
        previews=previews,
        numberOfImages=1 if F.segmentation_model(p.model_id) else (p.number_of_media or 1),
        jobID=project_id,
        disableSafety=bool(p.disable_nsfw_filter),
    )
    request["tokenType"] = UNDEFINED if p.token_type is None else p.token_type
    request["billingMode"] = UNDEFINED if p.billing_mode is None else p.billing_mode
    request["outputFormat"] = output_format
    attribution = resolve_workload_attribution(default_attribution, p.attribution, project_id)
    request.update(attribution_wire_fields(attribution))
    if p.network:
        request["network"] = p.network
    app_source = p.app_source or default_app_source
    if app_source:
        request["appSource"] = app_source

    # 01 §4.4: the context-image ceiling is checked after building, before uploading.
    if isinstance(p, ImageProjectParams) and p.context_images:
        ceiling = F.max_context_images(p.model_id)
        if len(p.context_images) > ceiling:
            raise invalid(
                "context_images", f"Up to {ceiling} context images are supported for this model"
            )
    _annotate_content_types(kf, p)
    result: dict[str, Any] = js_value(strip_undefined(request))
    return result
