"""Vision inputs of socket chat (wire reference 02 §2.6).

Every ``image_url`` part must reach the wire as an inline
``data:image/(png|jpeg|jpg);base64,...`` URI: at most 20 images per request,
each at most 10 MiB decoded, canonical base64, magic bytes matching the
declared type, and the longest side at most 1024 px. The official SDK rejects
larger images; here a caller may inject ``resize`` (the transports pass a
Pillow-based one) that scales the longest side down to 1024 px - the pixel
work stays out of the pure core.

Remote URLs: as in the SDK, only HTTPS URLs on trusted hosts (Sogni, S3,
CloudFront; :func:`is_trusted_image_url`) are accepted, and they are sent as
data URIs of their downloaded bytes. The core does no I/O:
:func:`remote_image_urls` lists the URLs to download and
:func:`normalize_vision` takes the bytes as ``fetched``.
"""

from __future__ import annotations

import base64
import binascii
import re
import struct
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final
from urllib.parse import urlsplit

from sogni_core.protocol._errors import InvalidParamsError

__all__ = [
    "ALLOWED_IMAGE_TYPES",
    "MAX_IMAGE_BYTES",
    "MAX_IMAGE_SIDE",
    "MAX_VISION_IMAGES",
    "Resize",
    "image_data_uri",
    "image_size",
    "is_trusted_image_url",
    "normalize_vision",
    "remote_image_urls",
    "sniff_image_type",
]

MAX_VISION_IMAGES: Final = 20
"""02 §2.6 step 1: "A maximum of 20 vision images is allowed per request"."""
MAX_IMAGE_BYTES: Final = 10 * 1024 * 1024
"""02 §2.6 step 3: decoded bytes <= 10 MiB."""
MAX_IMAGE_SIDE: Final = 1024
"""02 §2.6 step 3: the longest side must be <= 1024 px."""
ALLOWED_IMAGE_TYPES: Final = ("image/jpeg", "image/jpg", "image/png")

Resize = Callable[[bytes, str, int], tuple[bytes, str]]
"""``resize(data, mime, max_side) -> (data, mime)``: scale so the longest side is ``max_side``."""

_DATA_URI = re.compile(r"data:([^;,]+);base64,([A-Za-z0-9+/=\s]*)", re.IGNORECASE | re.DOTALL)
_PNG = b"\x89PNG\r\n\x1a\n"
_JPEG = b"\xff\xd8\xff"
# JPEG start-of-frame markers carry the dimensions (C4, C8 and CC are not SOF).
_SOF = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}


_S3_HOST = re.compile(
    r"(?:[a-z0-9][a-z0-9.-]*\.)?s3(?:[.-][a-z0-9-]+)?\.amazonaws\.com", re.IGNORECASE
)


def is_trusted_image_url(url: str) -> bool:
    """02 §2.6: HTTPS without user info on ``*.sogni.ai``, S3 or ``*.cloudfront.net``."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return False
    host = (parts.hostname or "").lower()
    if parts.scheme != "https" or not host or "@" in parts.netloc:
        return False
    if host == "sogni.ai" or host.endswith((".sogni.ai", ".cloudfront.net")):
        return True
    return _S3_HOST.fullmatch(host) is not None


def remote_image_urls(messages: Sequence[Mapping[str, Any]]) -> list[str]:
    """The trusted remote image URLs of the messages, in order, without repeats:
    download each (at most 10 MiB) and pass the bytes to :func:`normalize_vision`."""
    urls: list[str] = []
    for message in messages:
        content = message.get("content") if isinstance(message, Mapping) else None
        for part in content if isinstance(content, list) else ():
            image = part.get("image_url") if isinstance(part, Mapping) else None
            url = image.get("url") if isinstance(image, Mapping) else None
            if isinstance(url, str) and is_trusted_image_url(url) and url.strip() not in urls:
                urls.append(url.strip())
    return urls


def sniff_image_type(data: bytes) -> str | None:
    """``image/png`` or ``image/jpeg`` from the magic bytes, else ``None``."""
    if data.startswith(_PNG):
        return "image/png"
    if data.startswith(_JPEG):
        return "image/jpeg"
    return None


def image_size(data: bytes) -> tuple[int, int] | None:
    """Width and height from a PNG IHDR or a JPEG SOF segment (02 §2.6 step 3)."""
    if data.startswith(_PNG):
        if len(data) < 24 or data[12:16] != b"IHDR":
            return None
        width, height = struct.unpack(">II", data[16:24])
        return width, height
    if not data.startswith(_JPEG):
        return None
    pos = 2
    while pos + 4 <= len(data):
        if data[pos] != 0xFF:
            return None
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker in (0x01, *range(0xD0, 0xDA)):  # markers without a length
            pos += 2
            continue
        (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
        if marker in _SOF:
            if pos + 9 > len(data):
                return None
            height, width = struct.unpack(">HH", data[pos + 5 : pos + 9])
            return width, height
        pos += 2 + length
    return None


def image_data_uri(data: bytes, mime: str | None = None) -> str:
    """Build an inline ``data:`` URI for image bytes (type sniffed when not given).

    Raises:
        InvalidParamsError: not a PNG or JPEG (field ``image``).
    """
    kind = mime or sniff_image_type(data)
    if kind is None:
        raise InvalidParamsError("image", "only PNG and JPEG images are supported")
    return f"data:{kind};base64,{base64.b64encode(data).decode('ascii')}"


def _decode_data_uri(url: str, field: str) -> tuple[str, bytes]:
    m = _DATA_URI.fullmatch(url.strip())
    if m is None:
        raise InvalidParamsError(
            field,
            "Only inline base64-encoded data URIs are supported for image inputs; "
            "remote URLs are not allowed",
        )
    mime = m.group(1).strip().lower()
    body = re.sub(r"\s+", "", m.group(2))
    if mime not in ALLOWED_IMAGE_TYPES:
        raise InvalidParamsError(
            field,
            f"Unsupported inline image MIME type {mime}. "
            f"Allowed types: {', '.join(ALLOWED_IMAGE_TYPES)}",
        )
    try:
        if not body or len(body) % 4 == 1:
            raise ValueError("length")
        padded = body + "=" * (-len(body) % 4)
        data = base64.b64decode(padded, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidParamsError(field, "Invalid base64 payload") from None
    # canonical: re-encoding gives back the padded input (no stray bits)
    if base64.b64encode(data).decode("ascii") != padded:
        raise InvalidParamsError(field, "Invalid base64 payload")
    return mime, data


def _check_image(
    url: str,
    field: str,
    resize: Resize | None,
    max_bytes: int,
    max_side: int,
    fetched: Mapping[str, bytes],
) -> str:
    if url.strip() in fetched and is_trusted_image_url(url):
        raw = fetched[url.strip()]
        kind = sniff_image_type(raw)
        if kind is None:
            raise InvalidParamsError(
                field,
                "Remote image input is not a supported format. "
                f"Allowed types: {', '.join(ALLOWED_IMAGE_TYPES)}",
            )
        url = image_data_uri(raw, kind)
    mime, data = _decode_data_uri(url, field)
    if len(data) > max_bytes:
        raise InvalidParamsError(
            field, f"image input exceeds {round(max_bytes / (1024 * 1024))}MB limit"
        )
    sniffed = sniff_image_type(data)
    if sniffed is None or (sniffed == "image/png") != (mime == "image/png"):
        raise InvalidParamsError(
            field, f"Inline image data does not match declared MIME type {mime}"
        )
    size = image_size(data)
    if size is None:
        raise InvalidParamsError(field, "Unable to determine inline image dimensions")
    if max(size) <= max_side:
        return url.strip()
    if resize is None:
        raise InvalidParamsError(
            field, f"Inline image exceeds maximum dimensions of {max_side}px on its longest side"
        )
    data, mime = resize(data, mime, max_side)
    scaled = image_size(data)
    if scaled is None or max(scaled) > max_side or len(data) > max_bytes:
        raise InvalidParamsError(field, "resized image still breaks the limits")
    return image_data_uri(data, mime)


def normalize_vision(
    messages: Sequence[Mapping[str, Any]],
    *,
    resize: Resize | None = None,
    max_images: int = MAX_VISION_IMAGES,
    max_bytes: int = MAX_IMAGE_BYTES,
    max_side: int = MAX_IMAGE_SIDE,
    fetched: Mapping[str, bytes] | None = None,
) -> list[dict[str, Any]]:
    """Check and rebuild every ``image_url`` part (02 §2.6), before any I/O.

    String and ``None`` content is left untouched; each image part becomes
    ``{"type": "image_url", "image_url": {"url": <data uri>, "detail"?}}``
    (``detail`` kept only when truthy, other ``image_url`` keys dropped).

    Args:
        messages: OpenAI-style message mappings.
        resize: optional pixel scaler for images over ``max_side``.
        max_images: most images per request.
        max_bytes: most decoded bytes per image.
        max_side: longest allowed side in pixels.
        fetched: downloaded bytes of the trusted remote URLs
            (:func:`remote_image_urls`); other remote URLs are rejected.

    Returns:
        New message dicts (the input is not modified).

    Raises:
        InvalidParamsError: a broken image, named by its path such as
            ``messages[0].content[1].image_url.url``.
    """
    out: list[dict[str, Any]] = []
    count = 0
    for i, message in enumerate(messages):
        copy = dict(message)
        content = copy.get("content")
        if isinstance(content, list):
            parts: list[Any] = []
            for j, part in enumerate(content):
                if not (isinstance(part, Mapping) and part.get("type") == "image_url"):
                    parts.append(part)
                    continue
                count += 1
                field = f"messages[{i}].content[{j}].image_url"
                if count > max_images:
                    raise InvalidParamsError(
                        field, f"A maximum of {max_images} vision images is allowed per request"
                    )
                image = part.get("image_url")
                url = image.get("url") if isinstance(image, Mapping) else None
                if not isinstance(url, str):
                    raise InvalidParamsError(field + ".url", "must be a string")
                checked = _check_image(
                    url, field + ".url", resize, max_bytes, max_side, fetched or {}
                )
                rebuilt: dict[str, Any] = {"url": checked}
                assert isinstance(image, Mapping)
                if image.get("detail"):
                    rebuilt["detail"] = image["detail"]
                parts.append({"type": "image_url", "image_url": rebuilt})
            copy["content"] = parts
        out.append(copy)
    return out
