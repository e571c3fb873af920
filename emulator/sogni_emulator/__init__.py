"""sogni-emulator: a local Sogni Supernet for tests and offline development.

It speaks the socket protocol and REST API the official SDKs expect (see
``emulator/README.md``): API-key and token auth, the connection greeting,
projects with simulated workers, LLM chat, uploads/downloads through signed
URLs, cost estimates, fault injection and JSON-lines recording.
"""

from __future__ import annotations

from .emulator import Emulator
from .faults import FaultSpecError, parse_faults

__all__ = ["Emulator", "FaultSpecError", "parse_faults"]
