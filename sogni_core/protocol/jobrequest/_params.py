"""Typed project parameters: what a caller asks the Supernet to generate.

These mirror the official SDK's ``ImageProjectParams``/``VideoProjectParams``/
``AudioProjectParams`` (01 §4.3-§4.6, SDK 5.54.0 ``Projects/types``). Python
attributes are snake_case; each struct also decodes from the SDK's camelCase
params JSON (``msgspec.convert(d, ProjectParams)``), the ``type`` key choosing
the struct. ``None`` means "not given" (JavaScript ``undefined``): the builder
then leaves the wire key out or lets the server default apply.

Media inputs (``Media``) are raw ``bytes`` (the content type is sniffed from
the magic bytes, like the SDK does for a Node ``Buffer``), a :class:`MediaInput`
carrying its own MIME type (like a browser ``Blob``), or ``True`` meaning
"already uploaded" (the ``has...`` flag is set but nothing is uploaded).
``False`` and ``None`` both mean "absent".
"""

from __future__ import annotations

import msgspec

__all__ = [
    "AudioProjectParams",
    "ControlNetParams",
    "ImageProjectParams",
    "Media",
    "MediaInput",
    "ProjectParams",
    "Sam2Point",
    "Sam3Box",
    "Sam3Point",
    "Sam3Prompt",
    "VideoControlNetParams",
    "VideoProjectParams",
    "WorkloadAttributionInput",
    "WorldGenerationReceipt",
]


class _Struct(
    msgspec.Struct, frozen=True, kw_only=True, rename="camel", forbid_unknown_fields=True
):
    """Base of every params struct: immutable, camelCase on the wire."""


class MediaInput(_Struct, frozen=True, kw_only=True):
    """An upload with a caller-declared MIME type.

    Attributes:
        data: the file bytes to upload.
        content_type: MIME type; wins over sniffing (like a browser ``Blob.type``).
            ``None`` or ``""`` falls back to sniffing ``data``.
    """

    data: bytes
    content_type: str | None = None


Media = bytes | bool | MediaInput
"""One media input: bytes, a :class:`MediaInput`, or ``True`` (already uploaded)."""


class ControlNetParams(_Struct, frozen=True, kw_only=True):
    """Image ControlNet (01 §4.4 step 5).

    Attributes:
        name: a ``ControlNetName`` value (``canny``, ``depth``, ``openpose`` ...).
        image: the control image, or ``True`` when already uploaded.
        strength: 0-1 (wire ``controlStrength``).
        mode: ``balanced`` | ``prompt_priority`` | ``cn_priority`` (wire ``controlMode`` 0/1/2).
        guidance_start: 0-1 (wire ``controlGuidanceStart``).
        guidance_end: 0-1 (wire ``controlGuidanceEnd``).
    """

    name: str
    image: Media | None = None
    strength: float | None = None
    mode: str | None = None
    guidance_start: float | None = None
    guidance_end: float | None = None


class VideoControlNetParams(_Struct, frozen=True, kw_only=True):
    """Video (LTX v2v) control: ``name`` in ``VideoControlNetName``; ``strength`` 0-1."""

    name: str
    strength: float | None = None


class Sam2Point(_Struct, frozen=True, kw_only=True):
    """One SAM2 subject coordinate for Wan animate-replace."""

    x: float
    y: float


class Sam3Point(_Struct, frozen=True, kw_only=True):
    """A SAM 3 point prompt; coordinates normalized 0-1; label positive|negative."""

    x: float
    y: float
    label: str


class Sam3Box(_Struct, frozen=True, kw_only=True):
    """A SAM 3 box prompt; normalized corners with x0 < x1, y0 < y1."""

    x0: float
    y0: float
    x1: float
    y1: float
    label: str | None = None


class Sam3Prompt(_Struct, frozen=True, kw_only=True):
    """Prompt of the SAM 3 segmentation workflow (``sam3_image_segment_bf16``)."""

    points: tuple[Sam3Point, ...] | None = None
    boxes: tuple[Sam3Box, ...] | None = None
    text: str | None = None
    threshold: float | None = None
    multimask: bool | None = None
    apply_mask: bool | None = None
    max_instances: int | None = None


class WorldGenerationReceipt(_Struct, frozen=True, kw_only=True):
    """World-generation receipt request; ``stage`` is ``target_still`` or ``transition``.

    ``target_still`` needs ``source_image_sha256`` and ``selection_hash``;
    ``transition`` needs ``first_frame_sha256`` and ``last_frame_sha256``
    (each a SHA-256 hex digest).
    """

    stage: str
    source_image_sha256: str | None = None
    selection_hash: str | None = None
    first_frame_sha256: str | None = None
    last_frame_sha256: str | None = None


class WorkloadAttributionInput(_Struct, frozen=True, kw_only=True):
    """Workload attribution defaults or per-request overrides (01 §4.3.5).

    Invalid values are dropped silently when resolved, never rejected.
    """

    workload_kind: str | None = None
    agent_framework: str | None = None
    agent_framework_version: str | None = None
    agent_surface: str | None = None
    agent_surface_version: str | None = None
    execution_mode: str | None = None
    operation_scope: str | None = None
    operation_id: str | None = None
    root_operation_id: str | None = None
    parent_operation_id: str | None = None


class _ProjectBase(_Struct, frozen=True, kw_only=True, tag_field="type"):
    """Parameters shared by every project type (SDK ``BaseProjectParams``)."""

    model_id: str
    number_of_media: int | None = None
    positive_prompt: str | None = None
    negative_prompt: str | None = None
    style_prompt: str | None = None
    steps: float | None = None
    guidance: float | None = None
    network: str | None = None
    disable_nsfw_filter: bool | None = msgspec.field(default=None, name="disableNSFWFilter")
    seed: int | None = None
    token_type: str | None = None
    billing_mode: str | None = None
    app_source: str | None = None
    world_generation_receipt: WorldGenerationReceipt | None = None
    attribution: WorkloadAttributionInput | None = None
    loras: tuple[str, ...] | None = None
    lora_strengths: tuple[float, ...] | None = None


class ImageProjectParams(_ProjectBase, frozen=True, kw_only=True, tag="image"):
    """An image project (01 §4.4). Size: ``size_preset`` id, or ``width`` + ``height``
    (then the preset becomes ``custom``)."""

    number_of_previews: int | None = None
    starting_image: Media | None = None
    starting_image_strength: float | None = None
    sam3_prompt: Sam3Prompt | None = None
    apply_mask: bool | None = None
    context_images: tuple[Media, ...] | None = None
    sampler: str | None = None
    scheduler: str | None = None
    vae: str | None = None
    size_preset: str | None = None
    width: float | None = None
    height: float | None = None
    control_net: ControlNetParams | None = None
    output_format: str | None = None
    gpt_image_quality: str | None = None
    gpt_image_background: str | None = None
    gpt_image_output_compression: float | None = None
    gpt_image_mask_url: str | None = None
    gpt_image_mask: Media | None = None
    template_variant: str | None = None
    texture_size: float | None = None
    mesh_target_faces: float | None = None
    normal_map_size: float | None = None
    ambient_occlusion_size: float | None = None
    shape_resolution: float | None = None
    left_view_image: Media | None = None
    back_view_image: Media | None = None
    right_view_image: Media | None = None


class VideoProjectParams(_ProjectBase, frozen=True, kw_only=True, tag="video"):
    """A video project (01 §4.5). Prefer ``duration`` (seconds) over ``frames``."""

    upscale_resolution: int | None = None
    detail_preference: str | None = None
    processing_speed: str | None = None
    frames: float | None = None
    duration: float | None = None
    smart_duration: bool | None = None
    fps: float | None = None
    seedance_task_type: str | None = None
    wan3_task_type: str | None = None
    ratio: str | None = None
    shift: float | None = None
    teacache_threshold: float | None = None
    reference_image: Media | None = None
    reference_image_urls: tuple[str, ...] | None = None
    context_images: tuple[Media, ...] | None = None
    reference_image_end: Media | None = None
    reference_audio: Media | None = None
    reference_audios: tuple[Media, ...] | None = None
    reference_audio_urls: tuple[str, ...] | None = None
    reference_file_url: str | None = None
    reference_link_url: str | None = None
    prompt_extend: bool | None = None
    watermark: bool | None = None
    generate_audio: bool | None = None
    reference_audio_identity: Media | None = None
    audio_identity_strength: float | None = None
    audio_start: float | None = None
    audio_duration: float | None = None
    reference_video: Media | None = None
    reference_videos: tuple[Media, ...] | None = None
    reference_video_durations: tuple[float, ...] | None = None
    reference_mask: Media | None = None
    reference_video_urls: tuple[str, ...] | None = None
    control_net: VideoControlNetParams | None = None
    detailer_strength: float | None = None
    video_start: float | None = None
    trim_end_frame: bool | None = None
    width: float | None = None
    height: float | None = None
    sampler: str | None = None
    scheduler: str | None = None
    first_frame_strength: float | None = None
    last_frame_strength: float | None = None
    output_format: str | None = None
    return_last_frame: bool | None = None
    sam2_coordinates: tuple[Sam2Point, ...] | None = None
    outpaint_position: str | None = None


class AudioProjectParams(_ProjectBase, frozen=True, kw_only=True, tag="audio"):
    """An audio project (01 §4.6). Unset values take server defaults."""

    duration: float | None = None
    bpm: float | None = None
    timesignature: str | None = None
    language: str | None = None
    lyrics: str | None = None
    keyscale: str | None = None
    composer_mode: bool | None = None
    prompt_strength: float | None = None
    creativity: float | None = None
    shift: float | None = None
    sampler: str | None = None
    scheduler: str | None = None
    output_format: str | None = None
    speaker: str | None = None
    instruct: str | None = None
    reference_text: str | None = None
    reference_audio: Media | None = None


ProjectParams = ImageProjectParams | VideoProjectParams | AudioProjectParams
"""Any project's parameters; decode camelCase JSON with ``msgspec.convert(d, ProjectParams)``."""
