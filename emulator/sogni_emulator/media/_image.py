"""Still images: a seeded gradient, translucent shapes and the prompt as a caption."""

from __future__ import annotations

import io
import textwrap
from functools import lru_cache

from PIL import Image, ImageDraw, ImageFont

from ._seeded import SeededStream

__all__ = [
    "IMAGE_CONTENT_TYPES",
    "caption_lines",
    "draw_caption",
    "draw_scene",
    "encode_image",
    "normalize_image_format",
    "render_image",
]

#: Canonical format name -> MIME type of the encoded bytes.
IMAGE_CONTENT_TYPES: dict[str, str] = {
    "png": "image/png",
    "jpg": "image/jpeg",
    "webp": "image/webp",
}

_ALIASES = {
    "png": "png",
    "image/png": "png",
    "jpg": "jpg",
    "jpeg": "jpg",
    "image/jpeg": "jpg",
    "image/jpg": "jpg",
    "webp": "webp",
    "image/webp": "webp",
}

MIN_SIDE = 8
MAX_SIDE = 4096

FontType = ImageFont.FreeTypeFont | ImageFont.ImageFont


def normalize_image_format(fmt: str) -> str:
    """Map a format name, extension or MIME type to ``png``, ``jpg`` or ``webp``.

    Args:
        fmt: For example ``"PNG"``, ``".jpeg"``, ``"image/webp"``.

    Returns:
        The canonical name, a key of :data:`IMAGE_CONTENT_TYPES`.

    Raises:
        ValueError: The format is not one the emulator can encode.
    """
    key = fmt.strip().lower().lstrip(".")
    try:
        return _ALIASES[key]
    except KeyError:
        raise ValueError(f"unsupported image format {fmt!r}") from None


def _check_size(width: int, height: int) -> None:
    for name, side in (("width", width), ("height", height)):
        if not MIN_SIDE <= side <= MAX_SIDE:
            raise ValueError(f"{name} must be between {MIN_SIDE} and {MAX_SIDE}, got {side}")


@lru_cache(maxsize=32)
def _font(size: int) -> FontType:
    return ImageFont.load_default(size=size)


def _background(stream: SeededStream, width: int, height: int) -> Image.Image:
    """A two-colour linear gradient at a seeded angle, with a soft radial glow."""
    base_hue = stream.uniform()
    start = stream.color(0.55, 0.95, base_hue)
    end = stream.color(0.75, 0.35, base_hue + stream.uniform(0.25, 0.6))
    angle = stream.uniform(0.0, 360.0)
    # Work on a small canvas and scale up: the gradient is smooth, so this costs nothing visible.
    # Rotate a gradient twice the canvas size and keep the middle, so no corner is left unfilled.
    mask = Image.linear_gradient("L").resize((512, 512), Image.Resampling.BILINEAR)
    mask = mask.rotate(angle, resample=Image.Resampling.BILINEAR).crop((128, 128, 384, 384))
    mask = mask.point(lambda v: min(255, max(0, (v - 64) * 2)))  # stretch the kept middle
    small = Image.composite(
        Image.new("RGB", (256, 256), end), Image.new("RGB", (256, 256), start), mask
    )
    glow = Image.radial_gradient("L").resize((256, 256))
    glow_color = Image.new("RGB", (256, 256), stream.color(0.25, 1.0, base_hue + 0.5))
    glow_mask = glow.point(lambda v: max(0, 150 - v))
    gx, gy = stream.randint(-96, 96), stream.randint(-96, 96)
    shifted = Image.new("L", (256, 256), 0)
    shifted.paste(glow_mask, (gx, gy))
    small = Image.composite(glow_color, small, shifted)
    return small.resize((width, height), Image.Resampling.BILINEAR)


def _shapes(stream: SeededStream, image: Image.Image) -> None:
    """Blend translucent circles, rounded boxes and triangles onto an RGB image in place."""
    width, height = image.size
    draw = ImageDraw.Draw(image, "RGBA")  # RGBA fills blend onto the RGB pixels
    short = min(width, height)
    for _ in range(stream.randint(5, 9)):
        kind = stream.randint(0, 2)
        cx, cy = stream.uniform(0, width), stream.uniform(0, height)
        r = stream.uniform(0.06, 0.22) * short
        fill = (
            *stream.color(stream.uniform(0.3, 0.9), stream.uniform(0.6, 1.0)),
            stream.randint(60, 150),
        )
        box = (cx - r, cy - r, cx + r, cy + r)
        if kind == 0:
            draw.ellipse(box, fill=fill)
        elif kind == 1:
            draw.rounded_rectangle(box, radius=r * 0.3, fill=fill)
        else:
            draw.regular_polygon((cx, cy, r), n_sides=3, rotation=stream.uniform(0, 120), fill=fill)


def draw_caption(image: Image.Image, lines: list[str], footer: str) -> None:
    """Draw the wrapped prompt and a small footer on a translucent band at the bottom.

    Args:
        image: An RGB image, modified in place (left alone when smaller than 64x48).
        lines: Caption lines, from :func:`caption_lines`.
        footer: A smaller line under the caption.
    """
    width, height = image.size
    if width < 64 or height < 48:
        return  # no room for legible text; thumbnails stay plain
    size = max(10, min(width, height) // 22)
    font = _font(size)
    small = _font(max(8, size * 2 // 3))
    line_h = round(size * 1.25)
    margin = size // 2
    band_h = line_h * len(lines) + round(size * 1.6)
    top = max(0, height - band_h - margin)
    draw = ImageDraw.Draw(image, "RGBA")
    draw.rounded_rectangle(
        (margin, top, width - margin, height - margin), radius=margin, fill=(0, 0, 0, 120)
    )
    y = top + size // 3
    for line in lines:
        draw.text((margin * 2, y), line, font=font, fill=(255, 255, 255, 240))
        y += line_h
    draw.text((margin * 2, y), footer, font=small, fill=(255, 255, 255, 170))


def caption_lines(prompt: str, width: int, height: int, max_lines: int = 3) -> list[str]:
    """Wrap a prompt to fit the canvas width, ellipsising what does not fit."""
    size = max(10, min(width, height) // 22)
    chars = max(8, int((width - size * 2) / (size * 0.55)))
    text = " ".join(prompt.split()) or "(empty prompt)"
    lines = textwrap.wrap(text, width=chars) or [text[:chars]]
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1][: max(1, chars - 1)].rstrip() + "\u2026"
    return lines


def draw_scene(prompt: str, seed: int, width: int, height: int) -> Image.Image:
    """Paint the still scene for ``(prompt, seed)`` as an RGB image (no caption).

    Args:
        prompt: Request prompt; it seeds the palette and layout together with ``seed``.
        seed: Request seed.
        width: Pixel width.
        height: Pixel height.

    Returns:
        An RGB :class:`PIL.Image.Image` of the requested size.
    """
    stream = SeededStream("image", prompt, seed)
    image = _background(stream, width, height)
    _shapes(stream, image)
    return image


def encode_image(image: Image.Image, fmt: str) -> bytes:
    """Encode an image as ``png``, ``jpg`` or ``webp`` (already normalised) without metadata."""
    out = io.BytesIO()
    if fmt == "png":
        image.save(out, format="PNG", compress_level=1)
    elif fmt == "jpg":
        image.save(out, format="JPEG", quality=88)
    else:
        image.save(out, format="WEBP", quality=80, method=0)
    return out.getvalue()


def render_image(prompt: str, seed: int, width: int, height: int, fmt: str = "png") -> bytes:
    """Render a deterministic picture for a prompt and seed.

    The same arguments always give the same bytes (for a given Pillow build). The picture is a
    seeded gradient with translucent shapes, captioned with the prompt, the seed and the size.

    Args:
        prompt: Request prompt, drawn as the caption and mixed into the seed.
        seed: Request seed.
        width: Pixel width, 8 to 4096.
        height: Pixel height, 8 to 4096.
        fmt: ``png``, ``jpg``/``jpeg`` or ``webp`` (extension or MIME type also accepted).

    Returns:
        The encoded file.

    Raises:
        ValueError: Unsupported format or size out of range.
    """
    canonical = normalize_image_format(fmt)
    _check_size(width, height)
    image = draw_scene(prompt, seed, width, height)
    draw_caption(
        image, caption_lines(prompt, width, height), f"seed {seed} \u00b7 {width}x{height}"
    )
    return encode_image(image, canonical)
