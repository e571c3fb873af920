"""Pure rules the project machine applies (wire reference 01 §4.10, §4.12, §6.10.2).

Kept apart from ``project.py`` so that the machine file holds only the machine.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from typing import Literal

import msgspec

from sogni_core.state import events as ev

__all__ = [
    "ProjectSpec",
    "error_info_from_wire",
    "format_limit",
    "parse_seed",
    "result_route",
    "result_url_request",
    "runtime_limit",
]

_MIN = 60.0
_HOUR = 3600.0
# Newest reference (Job.ts): per network and media floors, 6x ETA, 12 h cap.
RUNTIME_FLOOR = {
    "fast": {"image": 30 * _MIN, "audio": 30 * _MIN, "video": 90 * _MIN},
    "relaxed": {"image": 2 * _HOUR, "audio": 2 * _HOUR, "video": 8 * _HOUR},
}
RUNTIME_ETA_MULTIPLIER = 6
RUNTIME_MAX = 12 * _HOUR

# 01 §6.10.2 symbolic jobError codes.
SYMBOLIC_CODES = {
    "serverRestarting": 5001,
    "workerDisconnected": 5002,
    "jobTimedOut": 5003,
    "artistCanceled": 5004,
    "workerCancelled": 5005,
}
# Pattern strings, compiled (and cached by ``re``) on first use, not at import.
_JS_NUMBER = r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?|0[xX][0-9a-fA-F]+"


class ProjectSpec(msgspec.Struct, frozen=True, kw_only=True):
    """What the machine must know about the request it tracks.

    Attributes:
        id: the project id (uppercase UUID sent as ``jobID``).
        media: ``image``, ``video``, ``audio`` or ``model`` (3D artifacts such
            as Pixal3D GLB, newest reference).
        number_of_media: requested jobs (``numberOfMedia``).
        steps: requested steps, 0 when the model has none.
        network: the network the project pinned, else the connection's.
        output_format: ``outputFormat`` (decides the download content type).
        disable_nsfw_filter: the request asked for the filter to be off.
    """

    id: str
    media: Literal["image", "video", "audio", "model"] = "image"
    number_of_media: int = 1
    steps: int = 0
    network: str = "fast"
    output_format: str | None = None
    disable_nsfw_filter: bool = False


def error_info_from_wire(
    error: object,
    message: str | None,
    *,
    subscription_limit: object = None,
    required_plans: Iterable[str] | None = None,
    feature: str | None = None,
    limitation: str | None = None,
) -> ev.ErrorInfo:
    """Map a ``jobError`` to :class:`ErrorInfo` (01 §6.10.2).

    ``code = Number(error)`` when that is a number (``Number("") == 0``);
    otherwise the symbolic table, default 5000, keeping the original string.
    """
    code: float | None = None
    if isinstance(error, bool):
        code = float(error)
    elif isinstance(error, (int, float)):
        code = float(error)
    elif isinstance(error, str):
        text = error.strip()
        if not text:
            code = 0.0
        elif re.fullmatch(_JS_NUMBER, text):
            code = float(int(text, 16)) if text[:2] in ("0x", "0X") else float(text)
    if code is not None and math.isfinite(code):
        # ErrorInfo.code is an integer; a fractional code keeps its text.
        original_num = None if code == int(code) else str(error)
        info = ev.ErrorInfo(code=int(code), message=message or "", original_code=original_num)
    else:
        original = None if error is None else str(error)
        sym = SYMBOLIC_CODES.get(original or "", 5000)
        info = ev.ErrorInfo(code=sym, message=message or "", original_code=original)
    if subscription_limit:
        info = msgspec.structs.replace(
            info,
            subscription_limit=True,
            required_plans=tuple(required_plans or ()),
            feature=feature or None,
            limitation=limitation or None,
        )
    return info


def runtime_limit(network: str, media: str, eta_seconds: float | None) -> float:
    """Job runtime ceiling in seconds (newest reference, see theory comment)."""
    floor = RUNTIME_FLOOR.get(network, RUNTIME_FLOOR["relaxed"]).get(media, 30 * _MIN)
    budget = eta_seconds * RUNTIME_ETA_MULTIPLIER if eta_seconds and eta_seconds > 0 else 0.0
    return min(RUNTIME_MAX, max(floor, budget))


def format_limit(seconds: float) -> str:
    minutes = round(seconds / 60)
    if minutes % 60 == 0:
        hours = minutes // 60
        return f"{hours} hour{'' if hours == 1 else 's'}"
    return f"{minutes} minute{'' if minutes == 1 else 's'}"


def result_route(
    *, direct_url: str | None, user_canceled: bool, withheld: bool
) -> Literal["direct", "canceled", "withheld", "fetch"]:
    """How a finished job's result is resolved, in the reference's order (01 §4.10.4).

    A direct URL completes the job with it; a cancel ends it without one; a
    result the NSFW filter withheld completes it without one; anything else
    needs a signed URL (:func:`result_url_request`). Shared by the live
    ``jobResult`` path and by a looked-up project record.
    """
    if direct_url:
        return "direct"
    if user_canceled:
        return "canceled"
    if withheld:
        return "withheld"
    return "fetch"


def result_url_request(spec: ProjectSpec, job_id: str) -> ev.FetchResultUrl:
    """The signed-URL request for a finished job (01 §4.10.4, query key order kept)."""
    media, fmt = spec.media, spec.output_format
    query: list[tuple[str, str]] = [("jobId", spec.id)]
    if media in ("video", "audio", "model"):
        path = "/v1/media/downloadUrl"
        query += [("id", job_id), ("type", "complete")]
        if media == "audio":
            ctype = {"flac": "audio/flac", "wav": "audio/wav"}.get(fmt or "", "audio/mpeg")
            query.append(("contentType", ctype))
        elif media == "model":
            query.append(("contentType", "model/gltf-binary"))
    else:
        path = "/v1/image/downloadUrl"
        query += [("imageId", job_id), ("type", "complete")]
        images = {"jpg": "image/jpeg", "jpeg": "image/jpeg", "webp": "image/webp"}
        ctype_img = {**images, "png": "image/png"}.get(fmt or "")
        if ctype_img:
            query.append(("contentType", ctype_img))
    return ev.FetchResultUrl(
        project_id=spec.id, job_id=job_id, media=media, path=path, query=tuple(query)
    )


def parse_seed(value: str | float | None, old: int | None) -> int | None:
    """``Number(lastSeed)`` when finite and integral, else the old seed."""
    try:
        number = float(value) if value is not None else math.nan
    except ValueError:
        return old
    if math.isfinite(number) and number == int(number):
        return int(number)
    return old
