"""Simulated wall clock.

Signed URLs and stored objects expire on this clock, so tests can jump a day
ahead (``Emulator.advance_clock(86400)``) instead of waiting.  JWT ``exp``
claims use the real wall clock because clients compare them with their own.
"""

from __future__ import annotations

import time

__all__ = ["SimClock"]


class SimClock:
    """Real time plus an adjustable offset, in seconds since the epoch."""

    def __init__(self) -> None:
        self._offset = 0.0

    def now(self) -> float:
        """Current simulated time (seconds since the epoch)."""
        return time.time() + self._offset

    def now_ms(self) -> int:
        """Current simulated time in epoch milliseconds."""
        return int(self.now() * 1000)

    def advance(self, seconds: float) -> None:
        """Move the simulated clock forward.

        Args:
            seconds: how far to jump; must not be negative.

        Raises:
            ValueError: ``seconds`` is negative.
        """
        if seconds < 0:
            raise ValueError("the simulated clock only moves forward")
        self._offset += seconds
