"""Which media of a project is uploaded where, and in what order (01 §4.7).

Pure planning: a transport reads files, then asks :func:`upload_plan` for the
list of presigned uploads to perform before it sends the ``jobRequest``. Each
:class:`Upload` names the upload-URL request to build and the error message
the SDKs use when the PUT fails.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal, TypeVar

import msgspec

from sogni_core.protocol.jobrequest import (
    AudioProjectParams,
    ImageProjectParams,
    MediaInput,
    ProjectParams,
    VideoProjectParams,
)
from sogni_core.protocol.jobrequest._media import is_upload, media_content_type
from sogni_core.protocol.rest import (
    Auth,
    Request,
    image_upload_url_request,
    media_upload_url_request,
)

P = TypeVar("P", bound=ProjectParams)

__all__ = ["MEDIA_FIELDS", "Upload", "file_media", "replace_media", "upload_plan"]

#: Every params attribute that can carry media (single value or tuple), by struct.
MEDIA_FIELDS: dict[type, tuple[str, ...]] = {
    ImageProjectParams: (
        "starting_image",
        "context_images",
        "gpt_image_mask",
        "left_view_image",
        "back_view_image",
        "right_view_image",
    ),
    VideoProjectParams: (
        "reference_image",
        "context_images",
        "reference_image_end",
        "reference_audio",
        "reference_audios",
        "reference_audio_identity",
        "reference_video",
        "reference_videos",
        "reference_mask",
    ),
    AudioProjectParams: ("reference_audio",),
}


def media_bytes(media: Any) -> bytes:
    """The raw bytes of an upload value."""
    return bytes(media.data) if isinstance(media, MediaInput) else bytes(media)


def _is_core_media(value: Any) -> bool:
    return value is None or isinstance(value, (bytes, bool, MediaInput))


def file_media(params: ProjectParams) -> list[tuple[str, int | None, Any]]:
    """Media values the core cannot take as they are (paths, file objects).

    Returns:
        ``(field, index or None, value)`` for every such value; the transport
        reads each one (off its event loop) and calls :func:`replace_media`.
        The ControlNet image is reported as field ``control_net.image``.
    """
    found: list[tuple[str, int | None, Any]] = []
    for name in MEDIA_FIELDS.get(type(params), ()):
        value = getattr(params, name)
        if isinstance(value, (tuple, list)):
            found += [(name, i, v) for i, v in enumerate(value) if not _is_core_media(v)]
        elif not _is_core_media(value):
            found.append((name, None, value))
    cn = getattr(params, "control_net", None)
    if cn is not None and not _is_core_media(getattr(cn, "image", None)):
        found.append(("control_net.image", None, cn.image))
    return found


def replace_media(params: P, values: dict[tuple[str, int | None], bytes | MediaInput]) -> P:
    """A copy of ``params`` with the media at each ``(field, index)`` replaced."""
    changes: dict[str, Any] = {}
    for (name, index), data in values.items():
        if name == "control_net.image":
            cn: Any = getattr(params, "control_net", None)
            changes["control_net"] = msgspec.structs.replace(cn, image=data)
            continue
        if index is None:
            changes[name] = data
        else:
            items = list(changes.get(name, getattr(params, name)))
            items[index] = data
            changes[name] = tuple(items)
    return msgspec.structs.replace(params, **changes)


class Upload(msgspec.Struct, frozen=True, kw_only=True):
    """One presigned upload to perform before sending the job request.

    Attributes:
        endpoint: ``image`` (``/v1/image/uploadUrl``) or ``media``
            (``/v1/media/uploadUrl``).
        slot: the asset slot (``type`` query value, 01 §4.7.2).
        slot_id: the media slot id for MiniMax H3 r2v, else ``None``.
        data: the bytes to PUT.
        content_type: the declared or sniffed MIME type, if any.
        error_message: the SDK's message when the PUT fails.
    """

    endpoint: Literal["image", "media"]
    slot: str
    data: bytes
    content_type: str | None = None
    slot_id: str | None = None
    error_message: str = "Failed to upload media"

    def __repr__(self) -> str:
        return f"Upload({self.endpoint}:{self.slot}, {len(self.data)} bytes)"

    def url_request(
        self, base_url: str, *, auth: Auth | None, project_id: str, new_id: Callable[[], str]
    ) -> Request:
        """The ``GET .../uploadUrl`` request for this upload.

        Args:
            base_url: the REST base.
            auth: credentials.
            project_id: the project id (``jobId``).
            new_id: a fresh uppercase UUID factory (image ``imageId``).
        """
        if self.endpoint == "image":
            return image_upload_url_request(
                base_url,
                auth=auth,
                image_id=new_id(),
                job_id=project_id,
                type=self.slot,
                content_type=self.content_type,
            )
        return media_upload_url_request(
            base_url,
            auth=auth,
            job_id=project_id,
            type=self.slot,
            id=self.slot_id,
            content_type=self.content_type,
        )


def _up(
    endpoint: Literal["image", "media"], slot: str, media: Any, message: str, sid: str | None = None
) -> Upload:
    return Upload(
        endpoint=endpoint,
        slot=slot,
        slot_id=sid,
        data=media_bytes(media),
        content_type=media_content_type(media),
        error_message=message,
    )


def upload_plan(params: ProjectParams) -> list[Upload]:
    """The uploads of 01 §4.7.3, in the SDK's order.

    Values that are ``True`` ("already uploaded") or absent produce nothing.
    Call it on params already accepted by ``build_job_request`` (after
    :func:`replace_media`), so every value here is bytes or a MediaInput.
    """
    # The family rules (and the generated tables behind them) load on first use.
    from sogni_core.protocol.jobrequest._families import minimax_h3_reference_model
    from sogni_core.protocol.jobrequest._video_refs import (
        context_image_slots,
        h3_audio_slots,
        h3_video_slots,
    )

    plan: list[Upload] = []
    if isinstance(params, ImageProjectParams):
        if is_upload(params.starting_image):
            plan.append(
                _up("image", "startingImage", params.starting_image, "Failed to upload guide image")
            )
        cn = params.control_net
        if cn is not None and is_upload(cn.image):
            plan.append(_up("image", "cnImage", cn.image, "Failed to upload ControlNet image"))
        for i, media in enumerate(params.context_images or ()):
            if is_upload(media):
                plan.append(
                    _up(
                        "image",
                        f"contextImage{i + 1}",
                        media,
                        f"Failed to upload context image {i}",
                    )
                )
    elif isinstance(params, VideoProjectParams):
        h3 = minimax_h3_reference_model(params.model_id)
        if is_upload(params.reference_image):
            plan.append(
                _up(
                    "image",
                    "referenceImage",
                    params.reference_image,
                    "Failed to upload reference image",
                )
            )
        if h3:
            for slot, media in context_image_slots(params):
                if is_upload(media):
                    plan.append(
                        _up(
                            "image",
                            f"contextImage{slot}",
                            media,
                            f"Failed to upload context image {slot - 1}",
                        )
                    )
        if is_upload(params.reference_image_end):
            plan.append(
                _up(
                    "image",
                    "referenceImageEnd",
                    params.reference_image_end,
                    "Failed to upload reference image end",
                )
            )
        if not h3 and is_upload(params.reference_audio):
            plan.append(
                _up(
                    "media",
                    "referenceAudio",
                    params.reference_audio,
                    "Failed to upload reference audio",
                )
            )
        if is_upload(params.reference_audio_identity):
            plan.append(
                _up(
                    "media",
                    "referenceAudio",
                    params.reference_audio_identity,
                    "Failed to upload reference audio",
                )
            )
        if not h3 and is_upload(params.reference_video):
            plan.append(
                _up(
                    "media",
                    "referenceVideo",
                    params.reference_video,
                    "Failed to upload reference video",
                )
            )
        if h3:
            for slot, media in h3_audio_slots(params):
                if is_upload(media):
                    plan.append(
                        _up(
                            "media",
                            "referenceAudio",
                            media,
                            "Failed to upload reference audio",
                            f"referenceAudio{slot}",
                        )
                    )
            for slot, media in h3_video_slots(params):
                if is_upload(media):
                    plan.append(
                        _up(
                            "media",
                            "referenceVideo",
                            media,
                            "Failed to upload reference video",
                            f"referenceVideo{slot}",
                        )
                    )
        cn_name = getattr(params.control_net, "name", None)
        if is_upload(params.reference_mask) and cn_name == "inpaint":
            plan.append(
                _up(
                    "image",
                    "referenceMask",
                    params.reference_mask,
                    "Failed to upload reference mask",
                )
            )
    return plan
