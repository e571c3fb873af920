"""Fault injection: a spec string (``--faults``) or in-process API.

A spec is a comma-separated list of ``name`` or ``name=value`` entries.
Every fault fires **once** (so a reconnecting client recovers) unless its
count carries a ``*`` (``rest-429=1*``, ``close=1001@3*``: fire every time).
Documented in ``emulator/README.md``:

=====================  ==========================================================
``drop-after=N``       abort the TCP connection (no close frame) after the N-th
                       server->client frame of a connection
``drop-at-progress=P`` abort the project owner's connection when a job reaches
                       P percent
``close=CODE[@N]``     send close CODE (e.g. 4015, 4021, 1001) after N frames
                       (default 1: right after ``authenticated``)
``restart-at-progress=P``  simulate a server restart at P percent: close every
                       socket with 1012, keep in-flight projects; they are
                       handed back in ``authenticated.activeProjects`` and
                       continue on reconnect with the same appId
``malformed=N``        before every N-th outgoing frame send a malformed one
                       (cycling: bad JSON, bad base64, missing ``data``)
``duplicate=N``        send every N-th job event twice
``reorder=N``          swap every N-th job event with the one after it
``slow-workers=F``     multiply worker timings by F
``worker-error=P``     the worker fails each job (``jobError`` with ``imgID``)
                       at P percent
``worker-retry=P``     the worker drops each job at P percent: ``jobRetry``, then
                       the job restarts on another worker with a new ``imgID``
``nsfw``               the next media result trips the safety filter
``rest-429=N[:PATH]``  the next N REST calls (under PATH) get 429 + Retry-After: 1
``rest-500=N[:PATH]``, ``rest-502=...``, ``rest-503=...``  likewise with 5xx
``sse-drop=N``         abort the next workflow / chat-run SSE connection after it
                       sent N events (``N*``: every stream), see ``event_stream.py``
``slow-steps=F``       multiply workflow step and chat-run durations by F
=====================  ==========================================================
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

__all__ = ["Fault", "FaultPlan", "FaultSpecError", "parse_faults"]

_NAMES = frozenset(
    {
        "drop-after",
        "drop-at-progress",
        "close",
        "restart-at-progress",
        "malformed",
        "duplicate",
        "reorder",
        "slow-workers",
        "worker-error",
        "worker-retry",
        "nsfw",
        "rest-429",
        "rest-500",
        "rest-502",
        "rest-503",
        "sse-drop",
        "slow-steps",
    }
)


class FaultSpecError(ValueError):
    """A ``--faults`` entry that cannot be parsed."""


@dataclass
class Fault:
    """One parsed fault entry."""

    name: str
    value: float = 0.0
    at: int = 1
    path: str = ""
    repeat: bool = False
    remaining: int = 1
    fired: int = 0
    seen: int = 0


def parse_faults(spec: str) -> list[Fault]:
    """Parse a fault spec string.

    Args:
        spec: e.g. ``"close=4015@2,rest-429=1:/v1/account/me,slow-workers=3"``.

    Returns:
        The faults in order.

    Raises:
        FaultSpecError: unknown name or malformed value.
    """
    faults: list[Fault] = []
    for raw in (part.strip() for part in spec.split(",")):
        if not raw:
            continue
        name, _, value = raw.partition("=")
        name = name.strip()
        if name not in _NAMES:
            raise FaultSpecError(f"unknown fault {name!r}")
        fault = Fault(name)
        value = value.strip()
        if "*" in value:  # "N*", "CODE@N*", "N*:PATH": fire every time
            fault.repeat = True
            value = value.replace("*", "")
        try:
            if name.startswith("rest-"):
                count, _, path = value.partition(":")
                fault.remaining = int(count or "1")
                fault.path = path
                fault.value = float(name.split("-")[1])
            elif name == "close":
                code, _, at = value.partition("@")
                fault.value = float(int(code))
                fault.at = int(at or "1")
            elif name == "nsfw":
                fault.value = 1.0
            else:
                if not value:
                    raise FaultSpecError(f"fault {name!r} needs a value")
                fault.value = float(value)
        except ValueError as exc:
            raise FaultSpecError(f"bad value in fault {raw!r}") from exc
        faults.append(fault)
    return faults


class FaultPlan:
    """The active faults and the queries the server makes of them (thread-safe)."""

    def __init__(self, spec: str = "") -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = parse_faults(spec) if spec else []

    def add(self, spec: str) -> None:
        """Arm more faults at run time (same syntax as ``--faults``)."""
        parsed = parse_faults(spec)
        with self._lock:
            self._faults.extend(parsed)

    def clear(self) -> None:
        """Disarm every fault."""
        with self._lock:
            self._faults.clear()

    @property
    def active(self) -> list[str]:
        with self._lock:
            return [f.name for f in self._faults]

    def _take(self, fault: Fault) -> None:
        fault.fired += 1
        if not fault.repeat:
            fault.remaining -= 1
            if fault.remaining <= 0:
                self._faults.remove(fault)

    # -- socket frames -------------------------------------------------------------

    def on_frame(self, frames_sent: int, job_event: bool) -> list[tuple[str, float]]:
        """Actions for the frame about to be sent as number ``frames_sent + 1``.

        Returns:
            A list of ``(action, arg)``: ``("malformed", k)`` before the frame,
            ``("duplicate", 0)``, ``("reorder", 0)``, then after it
            ``("close", code)`` or ``("drop", 0)``.
        """
        actions: list[tuple[str, float]] = []
        number = frames_sent + 1
        with self._lock:
            for fault in list(self._faults):
                n = int(fault.value)
                if fault.name == "malformed" and n > 0 and number % n == 0:
                    actions.insert(0, ("malformed", float(fault.fired)))
                    self._take(fault)
                elif fault.name == "duplicate" and job_event and n > 0:
                    fault.seen += 1
                    if fault.seen % n == 0:
                        actions.append(("duplicate", 0.0))
                        self._take(fault)
                elif fault.name == "reorder" and job_event and n > 0:
                    fault.seen += 1
                    if fault.seen % n == 0:
                        actions.append(("reorder", 0.0))
                        self._take(fault)
                elif fault.name == "drop-after" and number >= n:
                    actions.append(("drop", 0.0))
                    self._take(fault)
                elif fault.name == "close" and number >= fault.at:
                    actions.append(("close", fault.value))
                    self._take(fault)
        return actions

    # -- workers ---------------------------------------------------------------------

    def on_progress(self, percent: float) -> str | None:
        """What happens when a job reaches ``percent``: drop, restart, error, retry."""
        with self._lock:
            for fault in list(self._faults):
                threshold = fault.value * 100 if 0 < fault.value < 1 else fault.value
                if percent + 1e-9 < threshold:
                    continue
                kind = {
                    "drop-at-progress": "drop",
                    "restart-at-progress": "restart",
                    "worker-error": "error",
                    "worker-retry": "retry",
                }.get(fault.name)
                if kind is not None:
                    self._take(fault)
                    return kind
        return None

    def slowdown(self) -> float:
        """Multiplier for worker timings (``slow-workers``)."""
        with self._lock:
            factor = 1.0
            for fault in self._faults:
                if fault.name == "slow-workers":
                    factor *= max(fault.value, 0.0)
            return factor

    def nsfw(self) -> bool:
        """Whether the next result trips the safety filter (consumes a one-shot fault)."""
        with self._lock:
            for fault in self._faults:
                if fault.name == "nsfw":
                    self._take(fault)
                    return True
        return False

    # -- durable streams (event_stream.py, workflow_runner.py, chat_runs.py) ------------

    def sse_drop_after(self) -> int | None:
        """Events after which to abort the SSE stream being opened (consumes ``sse-drop``)."""
        with self._lock:
            for fault in self._faults:
                if fault.name == "sse-drop":
                    self._take(fault)
                    return int(fault.value)
        return None

    def step_slowdown(self) -> float:
        """Multiplier for workflow step durations (``slow-steps``)."""
        with self._lock:
            factor = 1.0
            for fault in self._faults:
                if fault.name == "slow-steps":
                    factor *= max(fault.value, 0.0)
            return factor

    # -- REST ------------------------------------------------------------------------

    def rest_status(self, path: str) -> int | None:
        """The status to answer instead of handling a REST call, or ``None``."""
        with self._lock:
            for fault in self._faults:
                if fault.name.startswith("rest-") and path.startswith(fault.path or "/"):
                    self._take(fault)
                    return int(fault.value)
        return None
