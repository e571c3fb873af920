"""Media bytes for results and previews.

Delegates to :mod:`sogni_emulator.media` (the deterministic renderer).  If
that package cannot be imported (its optional encoders missing), tiny
placeholder files are produced instead so the protocol still works: a solid
PNG (stdlib zlib), a silent WAV, and a minimal ``ftyp`` MP4 box.
Rendering runs in a worker thread so the event loop stays responsive.
"""

from __future__ import annotations

import asyncio
import hashlib
import struct
import zlib
from typing import Any

__all__ = ["audio_content_type", "image_content_type", "render"]

_IMAGE_TYPES = {"png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "webp": "image/webp"}
_AUDIO_TYPES = {"mp3": "audio/mpeg", "flac": "audio/flac", "wav": "audio/wav", "m4a": "audio/mp4"}

_media: Any
try:  # pragma: no branch - depends on the environment
    from . import media as _media
except ImportError:  # pragma: no cover - placeholder path
    _media = None


def image_content_type(fmt: str) -> str:
    """MIME type for an image ``outputFormat`` (default PNG)."""
    return _IMAGE_TYPES.get(fmt.lower(), "image/png")


def audio_content_type(fmt: str) -> str:
    """MIME type for an audio ``outputFormat`` (default MP3)."""
    return _AUDIO_TYPES.get(fmt.lower(), "audio/mpeg")


def _placeholder_png(seed: int, width: int, height: int) -> bytes:
    colour = hashlib.sha256(str(seed).encode()).digest()[:3]
    w, h = max(1, min(width, 64)), max(1, min(height, 64))
    rows = b"".join(b"\x00" + colour * w for _ in range(h))

    def chunk(tag: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + tag + body + struct.pack(">I", zlib.crc32(tag + body))

    ihdr = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def _placeholder_wav(duration_s: float) -> bytes:
    frames = int(8000 * max(0.1, min(duration_s, 5.0)))
    data = b"\x00\x00" * frames
    header = struct.pack(
        "<4sI4s4sIHHIIHH4sI",
        b"RIFF",
        36 + len(data),
        b"WAVE",
        b"fmt ",
        16,
        1,
        1,
        8000,
        16000,
        2,
        16,
        b"data",
        len(data),
    )
    return header + data


def _placeholder_mp4() -> bytes:
    return struct.pack(">I4s4sI4s4s", 24, b"ftyp", b"isom", 512, b"isom", b"mp41")


def _render_sync(kind: str, params: dict[str, Any]) -> tuple[bytes, str]:
    prompt = str(params.get("prompt", ""))
    seed = int(params.get("seed", 0))
    if kind == "image":
        fmt = str(params.get("fmt", "png")).lower()
        width, height = int(params.get("width", 1024)), int(params.get("height", 1024))
        if _media is not None:
            try:
                return _media.render_image(prompt, seed, width, height, fmt), image_content_type(
                    fmt
                )
            except ValueError:
                pass
        return _placeholder_png(seed, width, height), "image/png"
    if kind == "video":
        if _media is not None:
            try:
                data = _media.render_video(
                    prompt,
                    seed,
                    int(params.get("width", 640)),
                    int(params.get("height", 480)),
                    int(params.get("frames", 16)),
                    float(params.get("fps", 16)),
                )
                return data, "video/mp4"
            except ValueError:
                pass
        return _placeholder_mp4(), "video/mp4"
    fmt = str(params.get("fmt", "mp3")).lower()
    duration = float(params.get("duration", 30))
    if _media is not None:
        try:
            return _media.render_audio(prompt, seed, duration, fmt), audio_content_type(fmt)
        except ValueError:
            pass
    return _placeholder_wav(duration), "audio/wav"


async def render(kind: str, **params: Any) -> tuple[bytes, str]:
    """Render one result or preview.

    Args:
        kind: ``image``, ``video`` or ``audio``.
        **params: ``prompt``, ``seed``, and per kind ``width``/``height``/``fmt``,
            ``frames``/``fps``, or ``duration``/``fmt``.

    Returns:
        ``(bytes, content_type)``.
    """
    return await asyncio.to_thread(_render_sync, kind, params)
