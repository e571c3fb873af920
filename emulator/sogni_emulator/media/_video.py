"""Short MP4 clips: the still scene with orbiting shapes, encoded as H.264 by PyAV.

PyAV (the ``av`` wheel) bundles ffmpeg with libx264, so the emulator produces real H.264/AAC
files that browsers, ffprobe and the SDKs' sniffers accept, without a system ffmpeg.
"""

from __future__ import annotations

import math
import os
import tempfile
from fractions import Fraction

import av
from PIL import Image, ImageDraw

from ._image import caption_lines, draw_caption, draw_scene
from ._seeded import SeededStream

__all__ = ["VIDEO_CONTENT_TYPES", "render_video"]

#: Canonical container name -> MIME type.
VIDEO_CONTENT_TYPES: dict[str, str] = {"mp4": "video/mp4"}

MAX_FRAMES = 2400  # 20 s at 120 fps; LTX-2.3 allows 20 s at up to 60 fps
MAX_POSES = 120  # distinct pictures per clip, see _encode
MIN_SIDE = 16
MAX_SIDE = 4096  # FlashVSR delivers up to 1440p on the short edge


def _even(side: int) -> int:
    # yuv420p needs even dimensions.
    return side - (side % 2)


def render_video(
    prompt: str, seed: int, width: int, height: int, frames: int = 16, fps: float = 16.0
) -> bytes:
    """Render a deterministic H.264 MP4 clip for a prompt and seed.

    Args:
        prompt: Request prompt, drawn as the caption and mixed into the seed.
        seed: Request seed.
        width: Pixel width, 16 to 4096; an odd value is rounded down to even (4:2:0 video).
        height: Pixel height, 16 to 4096; rounded down to even likewise.
        frames: Number of frames, 1 to 2400. Clips longer than 120 frames hold each of 120
            poses for several frames, which keeps long renders fast.
        fps: Frame rate, greater than 0 and at most 120 (fractional rates such as 23.976 are kept
            to three decimals).

    Returns:
        The MP4 file (``ftyp`` first, ``moov`` before ``mdat`` so it can stream).

    Raises:
        ValueError: A size, frame count or rate out of range.
    """
    for name, side in (("width", width), ("height", height)):
        if not MIN_SIDE <= side <= MAX_SIDE:
            raise ValueError(f"{name} must be between {MIN_SIDE} and {MAX_SIDE}, got {side}")
    if not 1 <= frames <= MAX_FRAMES:
        raise ValueError(f"frames must be between 1 and {MAX_FRAMES}, got {frames}")
    if not 0 < fps <= 120:
        raise ValueError(f"fps must be in (0, 120], got {fps}")
    w, h = _even(width), _even(height)
    rate = Fraction(round(fps * 1000), 1000)

    scene = draw_scene(prompt, seed, w, h)
    draw_caption(scene, caption_lines(prompt, w, h, max_lines=2), f"seed {seed} \u00b7 {w}x{h}")
    stream = SeededStream("video", prompt, seed)
    orbs: list[Orb] = [
        (
            stream.uniform(0.15, 0.4) * min(w, h),  # orbit radius
            stream.uniform(0.03, 0.08) * min(w, h),  # orb radius
            stream.uniform(0.0, math.tau),  # phase
            stream.choice((-2, -1, 1, 2)),  # turns over the clip
            (*stream.color(0.7, 1.0), 200),
        )
        for _ in range(3)
    ]
    cx, cy = w / 2, h * 0.4

    # ffmpeg's "faststart" pass re-opens the output by name, so encode to a scratch file.
    with tempfile.TemporaryDirectory(prefix="sogni-emu-video-") as scratch:
        path = os.path.join(scratch, "clip.mp4")
        _encode(path, scene, orbs, (cx, cy), frames, rate)
        with open(path, "rb") as handle:
            return handle.read()


Orb = tuple[float, float, float, int, tuple[int, int, int, int]]


def _encode(
    path: str,
    scene: Image.Image,
    orbs: list[Orb],
    centre: tuple[float, float],
    frames: int,
    rate: Fraction,
) -> None:
    w, h = scene.size
    cx, cy = centre
    options = {"movflags": "faststart", "fflags": "+bitexact"}
    with av.open(path, mode="w", format="mp4", options=options) as container:
        vstream = container.add_stream("libx264", rate=rate)
        vstream.width = w
        vstream.height = h
        vstream.pix_fmt = "yuv420p"
        vstream.codec_context.options = {"preset": "ultrafast", "crf": "30", "tune": "stillimage"}
        vstream.thread_count = 1
        # At most MAX_POSES distinct pictures: long clips hold each pose for a few frames, so
        # a 20 s 60 fps request costs about as much as a 4 s one (x264 codes repeats as skips).
        poses = min(frames, MAX_POSES)
        frame: av.VideoFrame | None = None
        last_pose = -1
        for index in range(frames):
            pose = index * poses // frames
            if pose != last_pose or frame is None:
                t = pose / poses
                frame_image = scene.copy()
                draw = ImageDraw.Draw(frame_image, "RGBA")
                for orbit, radius, phase, turns, fill in orbs:
                    angle = phase + turns * math.tau * t
                    x, y = cx + orbit * math.cos(angle), cy + orbit * math.sin(angle)
                    draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=fill)
                rgba = frame_image.convert("RGBA").tobytes()
                frame = av.VideoFrame.from_bytes(rgba, w, h, format="rgba").reformat(
                    format="yuv420p"
                )
                last_pose = pose
            frame.pts = index
            for packet in vstream.encode(frame):
                container.mux(packet)
        for packet in vstream.encode(None):
            container.mux(packet)
