"""Which files a project uploads before its ``jobRequest``, in SDK order (01 §4.7.3).

Each :class:`PlannedUpload` is one two-step presigned upload: ask
``GET /v1/image/uploadUrl`` (``endpoint == "image"``, with a fresh uppercase
UUID as ``imageId``) or ``GET /v1/media/uploadUrl`` (``endpoint == "media"``)
for a URL, then ``PUT`` the bytes there with only a ``Content-Type`` header
(see ``sogni_core.protocol.rest``). Media given as ``True`` is "already
uploaded" and planned for nothing. The server finds the files by
``(jobId, type[, id])``, so they must all be stored before the request is sent.
"""

from __future__ import annotations

from typing import Any

import msgspec

from . import _families as F
from ._media import is_upload, media_content_type
from ._normalize import normalize_params
from ._params import (
    ImageProjectParams,
    MediaInput,
    ProjectParams,
    VideoProjectParams,
)
from ._video_refs import context_image_slots, h3_audio_slots, h3_video_slots

__all__ = ["PlannedUpload", "plan_uploads"]

_PIXAL3D_VIEW_SLOTS = (("left_view_image", 1), ("back_view_image", 2), ("right_view_image", 3))
_AUDIO_FAILED = "Failed to upload reference audio"
_VIDEO_FAILED = "Failed to upload reference video"
_END_FAILED = "Failed to upload reference image end"


def _context_failed(index: int) -> str:
    return f"Failed to upload context image {index}"


class PlannedUpload(msgspec.Struct, frozen=True, kw_only=True):
    """One file to store before sending the ``jobRequest``.

    Attributes:
        endpoint: ``image`` (``/v1/image/uploadUrl``) or ``media`` (``/v1/media/uploadUrl``).
        type: the upload slot (query ``type``), e.g. ``startingImage``, ``contextImage2``,
            ``referenceAudio``.
        id: the media slot id (query ``id``) for multi-slot models, else ``None``.
        data: the bytes to ``PUT``.
        content_type: query ``contentType`` and the PUT's ``Content-Type``; ``None``
            when undetected (both are then left out).
        failure: the SDK's error message when the PUT fails (``ApiError(status)``).
        parallel_group: uploads sharing a group number are started together by
            the SDK; groups run in increasing order.
    """

    endpoint: str
    type: str
    id: str | None
    data: bytes
    content_type: str | None
    failure: str
    parallel_group: int


def _bytes(media: bytes | MediaInput) -> bytes:
    return media.data if isinstance(media, MediaInput) else media


class _Planner:
    def __init__(self) -> None:
        self.uploads: list[PlannedUpload] = []
        self.group = 0

    def add(
        self, endpoint: str, slot: str, media: Any, failure: str, *, id: str | None = None
    ) -> None:
        if not is_upload(media):
            return
        self.uploads.append(
            PlannedUpload(
                endpoint=endpoint,
                type=slot,
                id=id,
                data=_bytes(media),
                content_type=media_content_type(media),
                failure=failure,
                parallel_group=self.group,
            )
        )

    def next_group(self) -> None:
        self.group += 1


def plan_uploads(params: ProjectParams) -> tuple[PlannedUpload, ...]:
    """The uploads ``projects.create()`` performs for ``params``, in order.

    Call it after :func:`build_job_request` accepted the params (it validates;
    this does not).

    Args:
        params: the project parameters.

    Returns:
        The planned uploads; empty when nothing needs uploading.
    """
    p = normalize_params(params)
    plan = _Planner()
    if isinstance(p, ImageProjectParams):
        plan.add("image", "referenceMask", p.gpt_image_mask, "Failed to upload reference mask")
        plan.next_group()
        plan.add("image", "startingImage", p.starting_image, "Failed to upload guide image")
        plan.next_group()
        if p.control_net is not None:
            plan.add("image", "cnImage", p.control_net.image, "Failed to upload ControlNet image")
        plan.next_group()
        for index, media in enumerate(p.context_images or ()):
            plan.add(
                "image",
                f"contextImage{index + 1}",
                media,
                f"Failed to upload context image {index}",
            )
        plan.next_group()
        for view, slot in _PIXAL3D_VIEW_SLOTS:
            plan.add(
                "image",
                f"contextImage{slot}",
                getattr(p, view),
                f"Failed to upload context image {slot - 1}",
            )
    elif isinstance(p, VideoProjectParams):
        h3_r2v = F.minimax_h3_reference_model(p.model_id)
        plan.add("image", "referenceImage", p.reference_image, "Failed to upload reference image")
        plan.next_group()
        for slot, media in context_image_slots(p):
            plan.add("image", f"contextImage{slot}", media, _context_failed(slot - 1))
        plan.next_group()
        plan.add(
            "image",
            "referenceImageEnd",
            p.reference_image_end,
            "Failed to upload reference image end",
        )
        plan.next_group()
        if not h3_r2v:
            plan.add(
                "media", "referenceAudio", p.reference_audio, "Failed to upload reference audio"
            )
        plan.next_group()
        # The audio identity shares the referenceAudio slot (the workflows never take both).
        plan.add(
            "media",
            "referenceAudio",
            p.reference_audio_identity,
            "Failed to upload reference audio",
        )
        plan.next_group()
        if not h3_r2v:
            plan.add(
                "media", "referenceVideo", p.reference_video, "Failed to upload reference video"
            )
        plan.next_group()
        if h3_r2v:
            for slot, media in h3_audio_slots(p):
                plan.add(
                    "media",
                    "referenceAudio",
                    media,
                    _AUDIO_FAILED,
                    id=f"referenceAudio{slot}",
                )
            for slot, media in h3_video_slots(p):
                plan.add(
                    "media",
                    "referenceVideo",
                    media,
                    _VIDEO_FAILED,
                    id=f"referenceVideo{slot}",
                )
        plan.next_group()
        if p.control_net is not None and p.control_net.name == "inpaint":
            plan.add("image", "referenceMask", p.reference_mask, "Failed to upload reference mask")
    else:  # audio: only a voice-cloning reference
        plan.add("media", "referenceAudio", p.reference_audio, _AUDIO_FAILED)
    return tuple(plan.uploads)
