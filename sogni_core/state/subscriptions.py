# Theory of operation
# ===================
#
# Socket event subscriptions (wire reference 01 §3) let a connection opt out
# of chatty broadcasts (``swarmModels``, ``swarmLLMModels``) and opt in to
# ``subscriptionLimitNotice``. Three pieces live here:
#
# 1. Client-side shaping, as pure functions: map normalization (§3.2), the
#    plain-map vs update-shape detection that builds the
#    ``setSocketEventSubscriptions`` payload (§3.3) and the compact JSON put in
#    the URL (§3.4).
# 2. The server-side fold (§3.6), as pure functions the emulator reuses:
#    ``fold_update(snapshot, update)`` (reset first, then merge explicit flags,
#    subscribe, unsubscribe, event/enabled) and ``should_deliver(snapshot,
#    name)`` (a ``false`` group flag dominates; then the event's own flag; then
#    a ``true`` group flag; then the default: on, except the opt-in
#    ``subscriptionLimitNotice``).
# 3. The client tracker, a two-state machine::
#
#        SYNCED ──LOCAL_UPDATE──> PENDING ──SERVER_SNAPSHOT (covers intent)──> SYNCED
#           ^                        │
#           └──────RECONNECT─────────┘   (intent baked into the URL map)
#
#    The reference replaces its "current map" with every server snapshot and
#    serializes it into the URL on each reconnect, so an update whose snapshot
#    was lost to a disconnect silently disappears (01 §3.5). We keep the
#    server's snapshot *and* the composed effect of our own updates sent since
#    the server last confirmed them. Every update is an assignment of some
#    names (optionally after clearing), and assignments compose into one
#    assignment and are idempotent, so ``fold(snapshot, pending)`` is the
#    client's intent whether or not the server already applied ``pending``.
#    That map goes into the URL on reconnect; the server rebuilds the same
#    state from it. A snapshot that already satisfies the pending effect
#    confirms it (PENDING -> SYNCED: the one transition decided in code).
#
# Every (State, Input) pair is legal: nothing here can be violated by either
# peer, so this machine has no ERROR state.

"""Socket event subscription shaping, server fold and client tracker."""

from __future__ import annotations

import enum
import json
from collections.abc import Mapping
from typing import Any

from sogni_core.state._table import step

__all__ = [
    "DEFAULT_OFF",
    "GROUPS",
    "SubscriptionInput",
    "SubscriptionState",
    "SubscriptionTracker",
    "TRANSITIONS",
    "UPDATE_KEYS",
    "fold_update",
    "normalize_map",
    "normalize_update",
    "serialize_map",
    "should_deliver",
]

UPDATE_KEYS = frozenset({"subscriptions", "subscribe", "unsubscribe", "reset", "event", "enabled"})
"""§3.3 rule 2: any of these keys marks an input as an update shape."""

GROUPS: Mapping[str, frozenset[str]] = {
    "modelAvailability": frozenset({"swarmModels", "swarmLLMModels"}),
}
"""§3.1: the only group the SDK defines."""

DEFAULT_OFF = frozenset({"subscriptionLimitNotice"})
"""§3.1: events that are delivered only when explicitly enabled."""


def normalize_map(value: object) -> dict[str, bool] | None:
    """Keep only the real-boolean entries of a subscription map (§3.2).

    Args:
        value: anything; non-mappings normalize to ``None``.

    Returns:
        A new ``name -> bool`` dict in input order, or ``None`` when empty.
    """
    if not isinstance(value, Mapping):
        return None
    out = {str(k): v for k, v in value.items() if isinstance(v, bool)}
    return out or None


def normalize_update(value: object) -> dict[str, Any]:
    """Build the ``setSocketEventSubscriptions`` payload (§3.3).

    Args:
        value: a plain ``name -> bool`` map or an update shape.

    Returns:
        The payload dict, key order as the JSON must carry it.
    """
    raw: Mapping[str, Any] = value if isinstance(value, Mapping) else {}
    update: Mapping[str, Any]
    if any(key in UPDATE_KEYS for key in raw):
        update = raw
    else:
        # Quirk kept (§3.3): a plain map naming an event "event" or "enabled"
        # is detected as an update shape above.
        update = {"subscriptions": raw}
    out: dict[str, Any] = {}
    subs = normalize_map(update.get("subscriptions"))
    for key, item in update.items():
        if key == "subscriptions":
            if subs is not None:
                out[key] = subs
        else:
            out[key] = item
    return out


def serialize_map(mapping: Mapping[str, Any] | None) -> str | None:
    """Compact JSON of the normalized map for the URL (§3.4), or ``None``."""
    normalized = normalize_map(mapping)
    if normalized is None:
        return None
    return json.dumps(normalized, separators=(",", ":"), ensure_ascii=False)


def _names(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, (list, tuple)):
        return [v for v in value if isinstance(v, str)]
    return []


def fold_update(snapshot: Mapping[str, bool], update: Mapping[str, Any]) -> dict[str, bool]:
    """Apply one update to a connection's override map, as the server does.

    §3.6: ``reset: true`` clears every override first; the rest of the same
    update then merges (names not mentioned keep their state). Within one
    update the order is ``subscriptions``, ``subscribe``, ``unsubscribe``,
    ``event``/``enabled`` **(inferred; the README fixes only reset-first)**.
    Malformed members are ignored, never an error.

    Args:
        snapshot: the current override map (not modified).
        update: a ``setSocketEventSubscriptions`` payload.

    Returns:
        The new override map.
    """
    result: dict[str, bool] = {} if update.get("reset") is True else dict(snapshot)
    result.update(normalize_map(update.get("subscriptions")) or {})
    for name in _names(update.get("subscribe")):
        result[name] = True
    for name in _names(update.get("unsubscribe")):
        result[name] = False
    event, enabled = update.get("event"), update.get("enabled")
    if isinstance(event, str) and isinstance(enabled, bool):
        result[event] = enabled
    return result


def should_deliver(snapshot: Mapping[str, bool], event_name: str) -> bool:
    """Decide whether the server delivers ``event_name`` (§3.6).

    Args:
        snapshot: the connection's override map.
        event_name: the wire type of the outgoing event.

    Returns:
        ``True`` when the event is delivered.
    """
    groups = [g for g, members in GROUPS.items() if event_name in members]
    # "Group flags dominate individual flags": a false group always drops.
    if any(snapshot.get(g) is False for g in groups):
        return False
    own = snapshot.get(event_name)
    if isinstance(own, bool):
        return own
    if any(snapshot.get(g) is True for g in groups):
        return True
    return event_name not in DEFAULT_OFF


class SubscriptionState(enum.Enum):
    __hash__ = object.__hash__  # members are singletons; Enum's hash is Python

    SYNCED = "synced"
    PENDING = "pending"


class SubscriptionInput(enum.Enum):
    __hash__ = object.__hash__  # members are singletons; Enum's hash is Python

    LOCAL_UPDATE = "local_update"
    SERVER_SNAPSHOT = "server_snapshot"
    RECONNECT = "reconnect"


_S = SubscriptionState
_I = SubscriptionInput

TRANSITIONS: dict[tuple[SubscriptionState, SubscriptionInput], SubscriptionState] = {
    (_S.SYNCED, _I.LOCAL_UPDATE): _S.PENDING,
    (_S.SYNCED, _I.SERVER_SNAPSHOT): _S.SYNCED,
    (_S.SYNCED, _I.RECONNECT): _S.SYNCED,
    (_S.PENDING, _I.LOCAL_UPDATE): _S.PENDING,
    # Stays PENDING unless the snapshot covers the pending effect (code).
    (_S.PENDING, _I.SERVER_SNAPSHOT): _S.PENDING,
    (_S.PENDING, _I.RECONNECT): _S.SYNCED,
}


class SubscriptionTracker:
    """The client's view of its subscriptions (see the theory comment).

    Args:
        initial: the configured initial map (normalized; may be ``None``).
    """

    def __init__(self, initial: Mapping[str, Any] | None = None) -> None:
        self.state = SubscriptionState.SYNCED
        self.snapshot: dict[str, bool] = normalize_map(initial) or {}
        """The last map the server confirmed (or the initial config)."""
        self._reset = False
        self._assign: dict[str, bool] = {}

    def _process(self, event: SubscriptionInput) -> None:
        self.state = step(TRANSITIONS, self.state, event, machine="subscriptions", remote=False)

    @property
    def pending(self) -> dict[str, Any]:
        """The composed effect of unconfirmed local updates, as one update."""
        out: dict[str, Any] = {}
        if self._reset:
            out["reset"] = True
        if self._assign:
            out["subscriptions"] = dict(self._assign)
        return out

    @property
    def intent(self) -> dict[str, bool]:
        """``fold(snapshot, pending)``: what the server should hold."""
        return fold_update(self.snapshot, self.pending)

    def local_update(self, value: object) -> dict[str, Any]:
        """Record an application update and return the payload to send.

        Args:
            value: a plain map or an update shape (§3.3).

        Returns:
            The normalized ``setSocketEventSubscriptions`` payload.
        """
        payload = normalize_update(value)
        # Compose this update onto the pending effect: an update is an
        # assignment, so reset discards older assignments, then merge.
        if payload.get("reset") is True:
            self._reset = True
            self._assign = {}
        self._assign.update(fold_update({}, {**payload, "reset": False}))
        self._process(SubscriptionInput.LOCAL_UPDATE)
        return payload

    def server_snapshot(self, value: object) -> bool:
        """Adopt the server's ``socketEventSubscriptionsUpdated`` map.

        Args:
            value: the ``socketEventSubscriptions`` member (falsy is ignored,
                like the reference).

        Returns:
            ``True`` when the snapshot was adopted.
        """
        if not isinstance(value, Mapping) or not value:
            return False
        self.snapshot = {str(k): v for k, v in value.items() if isinstance(v, bool)}
        self._process(SubscriptionInput.SERVER_SNAPSHOT)
        if self.state is SubscriptionState.PENDING and self.intent == self.snapshot:
            self._clear_pending()
        return True

    def _clear_pending(self) -> None:
        self._reset = False
        self._assign = {}
        self.state = SubscriptionState.SYNCED

    def url_value(self) -> str | None:
        """The ``socketEventSubscriptions`` URL value for the next connect.

        Calling it means a new socket is being opened: the pending effect is
        baked into the returned map, which becomes the expected snapshot.
        """
        intent = self.intent
        self._process(SubscriptionInput.RECONNECT)
        self.snapshot = intent
        self._clear_pending()
        return serialize_map(intent)
