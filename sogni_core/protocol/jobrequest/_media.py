"""Media inputs: presence, "already uploaded", and content-type sniffing (01 §4.7.5)."""

from __future__ import annotations

from typing import Any

from ._params import MediaInput

__all__ = ["is_given", "is_upload", "media_content_type", "sniff_content_type"]


def is_given(media: Any) -> bool:
    """JavaScript truthiness of a media value: present unless ``None``/``False``.

    An empty ``bytes`` still counts (a Node ``Buffer`` object is always truthy).
    """
    return media is not None and media is not False


def is_upload(media: Any) -> bool:
    """Whether ``media`` is a file to upload (given, and not ``True``)."""
    return is_given(media) and media is not True


def media_content_type(media: bytes | MediaInput) -> str | None:
    """MIME type of an upload: the declared one, else sniffed from the bytes."""
    if isinstance(media, MediaInput):
        if media.content_type:
            return media.content_type
        # A Blob without a type is not a Buffer: the SDK does not sniff it.
        return None
    return sniff_content_type(media)


def _ascii(data: bytes, start: int, end: int) -> str:
    # Node's Buffer.toString("ascii") clears the high bit of every byte.
    return bytes(b & 0x7F for b in data[start:end]).decode("ascii")


def sniff_content_type(data: bytes) -> str | None:
    """Guess a MIME type from magic bytes, exactly as the SDK does for a Buffer.

    Checks run top to bottom (01 §4.7.5); the container checks need at least
    12 bytes, ``ID3`` 3 and an MPEG frame sync 2.

    Args:
        data: the file's leading bytes (or all of it).

    Returns:
        The MIME type, or ``None`` when undetected (no ``Content-Type`` header).
    """
    if len(data) >= 12:
        if data[:3] == b"\xff\xd8\xff":
            return "image/jpeg"
        if data[:4] == b"\x89PNG":
            return "image/png"
        if _ascii(data, 0, 4) == "RIFF" and _ascii(data, 8, 12) == "WEBP":
            return "image/webp"
        if _ascii(data, 0, 3) == "GIF":
            return "image/gif"
        if _ascii(data, 4, 8) == "ftyp":
            brand = _ascii(data, 8, 12).lower()
            if "m4a" in brand or "m4b" in brand:
                return "audio/mp4"
            if "qt" in brand:
                return "video/quicktime"
            return "video/mp4"
        if _ascii(data, 0, 4) == "RIFF" and _ascii(data, 8, 12) == "WAVE":
            return "audio/wav"
    if len(data) >= 3 and _ascii(data, 0, 3) == "ID3":
        return "audio/mpeg"
    if len(data) >= 2 and data[0] == 0xFF and (data[1] & 0xE0) == 0xE0:
        return "audio/mpeg"
    return None
