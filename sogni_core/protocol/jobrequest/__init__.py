"""Build the ``jobRequest`` socket message for image, video and audio projects.

Sans-IO counterpart of the official SDK's ``projects.create()`` request
building (wire reference 01 §4.2-§4.7): typed parameters in, the exact
payload (key order, JavaScript number semantics) out. What the SDK fetches —
model tiers, client defaults — is an input; uploads are the caller's job.

Example::

    options = model_options_for("flux1-schnell-fp8", models, tiers)
    params = ImageProjectParams(model_id="flux1-schnell-fp8", positive_prompt="a cat",
                                number_of_media=1, steps=4, guidance=1)
    payload = build_job_request(params, project_id=project_id, model_options=options)
    for upload in plan_uploads(params):   # presigned uploads, before sending
        ...
    text = js_json_dumps(payload)   # the jobRequest data, as the SDK writes it

Validation errors are :class:`InvalidParamsError` with ``field`` = the
snake_case parameter (``width``, ``control_net.strength``,
``reference_video_durations[0]``) and ``rule`` naming the SDK params key.
Parity with the SDK is tested by ``tests/parity`` (node + the SDK's own code).
"""

import typing as _typing

from sogni_core._lazy import lazy_exports as _lazy_exports
from sogni_core.protocol._errors import InvalidParamsError

if _typing.TYPE_CHECKING:
    from ._attribution import attribution_wire_fields, resolve_workload_attribution
    from ._build import build_job_request
    from ._families import (
        calculate_video_frames,
        max_context_images,
        video_asset_requirements,
        video_workflow_type,
    )
    from ._media import sniff_content_type
    from ._numbers import js_json_dumps, js_number_str, js_round, js_value
    from ._options import Choice, ModelOptions, model_options_for, model_options_from_tier
    from ._params import (
        AudioProjectParams,
        ControlNetParams,
        ImageProjectParams,
        Media,
        MediaInput,
        ProjectParams,
        Sam2Point,
        Sam3Box,
        Sam3Point,
        Sam3Prompt,
        VideoControlNetParams,
        VideoProjectParams,
        WorkloadAttributionInput,
        WorldGenerationReceipt,
    )
    from ._uploads import PlannedUpload, plan_uploads

#: Public name -> the submodule defining it; imported on first access (PEP 562)
_LAZY: dict[str, str] = {
    "AudioProjectParams": "_params",
    "Choice": "_options",
    "ControlNetParams": "_params",
    "ImageProjectParams": "_params",
    "Media": "_params",
    "MediaInput": "_params",
    "ModelOptions": "_options",
    "PlannedUpload": "_uploads",
    "ProjectParams": "_params",
    "Sam2Point": "_params",
    "Sam3Box": "_params",
    "Sam3Point": "_params",
    "Sam3Prompt": "_params",
    "VideoControlNetParams": "_params",
    "VideoProjectParams": "_params",
    "WorkloadAttributionInput": "_params",
    "WorldGenerationReceipt": "_params",
    "attribution_wire_fields": "_attribution",
    "build_job_request": "_build",
    "calculate_video_frames": "_families",
    "js_json_dumps": "_numbers",
    "js_number_str": "_numbers",
    "js_round": "_numbers",
    "js_value": "_numbers",
    "max_context_images": "_families",
    "model_options_for": "_options",
    "model_options_from_tier": "_options",
    "plan_uploads": "_uploads",
    "resolve_workload_attribution": "_attribution",
    "sniff_content_type": "_media",
    "video_asset_requirements": "_families",
    "video_workflow_type": "_families",
}


__all__ = [
    "AudioProjectParams",
    "Choice",
    "ControlNetParams",
    "ImageProjectParams",
    "InvalidParamsError",
    "Media",
    "MediaInput",
    "ModelOptions",
    "PlannedUpload",
    "ProjectParams",
    "Sam2Point",
    "Sam3Box",
    "Sam3Point",
    "Sam3Prompt",
    "VideoControlNetParams",
    "VideoProjectParams",
    "WorkloadAttributionInput",
    "WorldGenerationReceipt",
    "attribution_wire_fields",
    "build_job_request",
    "calculate_video_frames",
    "js_json_dumps",
    "js_number_str",
    "js_round",
    "js_value",
    "max_context_images",
    "model_options_for",
    "model_options_from_tier",
    "plan_uploads",
    "resolve_workload_attribution",
    "sniff_content_type",
    "video_asset_requirements",
    "video_workflow_type",
]

__getattr__, __dir__ = _lazy_exports(__name__, _LAZY, __all__)
