"""Small pure helpers the transports share: ids, project specs, handshake headers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from sogni_core.protocol.jobrequest import (
    AudioProjectParams,
    ImageProjectParams,
    ProjectParams,
    VideoProjectParams,
)
from sogni_core.protocol.rest import Auth
from sogni_core.state._rules import ProjectSpec

__all__ = ["CLIENT_NAME", "media_type_of", "project_spec", "socket_headers", "uuid4_upper"]

#: ``clientName`` of 01 §1.2 for this SDK.
CLIENT_NAME: Final = "Sogni/3.0.0 (sogni-core) 0.1.0"


def uuid4_upper(random16: bytes) -> str:
    """An uppercase RFC 4122 version-4 UUID from 16 random bytes (01 §2.2).

    Raises:
        ValueError: not exactly 16 bytes.
    """
    if len(random16) != 16:
        raise ValueError("need 16 random bytes")
    b = bytearray(random16)
    b[6] = (b[6] & 0x0F) | 0x40
    b[8] = (b[8] & 0x3F) | 0x80
    h = b.hex().upper()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def media_type_of(params: ProjectParams) -> str:
    """``image``, ``video`` or ``audio`` for a params struct."""
    if isinstance(params, VideoProjectParams):
        return "video"
    if isinstance(params, AudioProjectParams):
        return "audio"
    if isinstance(params, ImageProjectParams):
        return "image"
    raise TypeError(f"not a project params struct: {type(params).__name__}")


def project_spec(
    params: ProjectParams, payload: Mapping[str, Any], *, project_id: str, network: str
) -> ProjectSpec:
    """What the project machine must know about a built ``jobRequest``."""
    kf = (payload.get("keyFrames") or [{}])[0]
    steps = kf.get("steps") if isinstance(kf, Mapping) else None
    return ProjectSpec(
        id=project_id,
        media=media_type_of(params),  # type: ignore[arg-type]
        number_of_media=int(payload.get("numberOfImages") or 1),
        steps=int(steps) if isinstance(steps, (int, float)) else 0,
        network=str(payload.get("network") or network),
        output_format=payload.get("outputFormat"),
        disable_nsfw_filter=bool(payload.get("disableSafety")),
    )


def socket_headers(auth: Auth | None) -> list[tuple[str, str]]:
    """The WebSocket handshake headers for ``auth`` (01 §1.3.1, Node path)."""
    return list(auth.headers()) if auth is not None else []
