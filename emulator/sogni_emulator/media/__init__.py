"""Deterministic real media for the emulator: images, MP4 clips and music.

Everything here is a pure function of its arguments: the same prompt, seed and size give the
same bytes, so tests can compare downloads and a re-run of a project returns identical files.

- :func:`render_image` - PNG, JPEG or WebP (Pillow).
- :func:`render_video` - H.264 in MP4 (PyAV, which bundles ffmpeg).
- :func:`render_audio` - MP3, FLAC, M4A (AAC) via PyAV, or WAV via the standard library.

The ``*_CONTENT_TYPES`` tables map each canonical format to the MIME type to serve it with,
and the ``normalize_*_format`` helpers accept names, extensions or MIME types.
"""

from ._audio import AUDIO_CONTENT_TYPES, normalize_audio_format, render_audio
from ._image import IMAGE_CONTENT_TYPES, normalize_image_format, render_image
from ._video import VIDEO_CONTENT_TYPES, render_video

__all__ = [
    "AUDIO_CONTENT_TYPES",
    "IMAGE_CONTENT_TYPES",
    "VIDEO_CONTENT_TYPES",
    "normalize_audio_format",
    "normalize_image_format",
    "render_audio",
    "render_image",
    "render_video",
]
