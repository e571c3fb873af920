"""Deterministic pseudo-random stream keyed by (kind, prompt, seed).

The emulator must return the same bytes for the same request, across processes and Python
versions, so the stream is built from SHA-256 in counter mode rather than ``random`` (whose
algorithm is an implementation detail) or ``hash()`` (salted per process).
"""

from __future__ import annotations

import colorsys
import hashlib

__all__ = ["SeededStream"]


class SeededStream:
    """A reproducible source of floats and integers.

    Args:
        kind: A domain separator (``"image"``, ``"video"``, ``"audio"``) so the same prompt and
            seed give unrelated streams for different media.
        prompt: The request prompt (any text, UTF-8 encoded).
        seed: The request seed; any integer (negative values are fine).
    """

    __slots__ = ("_block", "_counter", "_key", "_offset")

    def __init__(self, kind: str, prompt: str, seed: int) -> None:
        material = f"{kind}\x00{seed}\x00{prompt}".encode()
        self._key = hashlib.sha256(material).digest()
        self._counter = 0
        self._block = b""
        self._offset = 0

    def _next_u32(self) -> int:
        if self._offset + 4 > len(self._block):
            self._block = hashlib.sha256(self._key + self._counter.to_bytes(8, "big")).digest()
            self._counter += 1
            self._offset = 0
        value = int.from_bytes(self._block[self._offset : self._offset + 4], "big")
        self._offset += 4
        return value

    def uniform(self, low: float = 0.0, high: float = 1.0) -> float:
        """Return a float in ``[low, high)``."""
        return low + (high - low) * (self._next_u32() / 4294967296.0)

    def randint(self, low: int, high: int) -> int:
        """Return an integer in ``[low, high]`` (both inclusive)."""
        return low + self._next_u32() % (high - low + 1)

    def choice(self, options: tuple[int, ...]) -> int:
        """Return one element of a non-empty tuple."""
        return options[self._next_u32() % len(options)]

    def color(
        self, saturation: float, value: float, hue: float | None = None
    ) -> tuple[int, int, int]:
        """Return an RGB colour with the given saturation and value and a seeded (or given) hue."""
        h = self.uniform() if hue is None else hue % 1.0
        r, g, b = colorsys.hsv_to_rgb(h, saturation, value)
        return round(r * 255), round(g * 255), round(b * 255)
