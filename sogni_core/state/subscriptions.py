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
#        SYNCED ──LOCAL_UPDATE──> PENDING ──SERVER_SNAPSHOT (last ack)──> SYNCED
#                                  │  ^
#                                  └──┘ LOCAL_UPDATE, SERVER_SNAPSHOT, RECONNECT
#
#    The reference replaces its "current map" with every server snapshot and
#    serializes it into the URL on each reconnect, so an update whose snapshot
#    was lost to a disconnect silently disappears (01 §3.5). We keep the
#    server's snapshot (the *base*) *and* the list of our own updates the
#    server has not acknowledged yet, in send order.
#
#    Acknowledgement is by counting, never by comparing maps: each
#    ``setSocketEventSubscriptions`` the server applies yields exactly one
#    ``socketEventSubscriptionsUpdated``, in order, so the k-th snapshot on a
#    socket acknowledges the k-th unacknowledged update. (Comparing the
#    snapshot with the intent is wrong: an early snapshot can equal the
#    intent by chance while later updates are still in flight, and the
#    snapshot that follows would then overwrite them.) A snapshot with nothing
#    unacknowledged just replaces the base. An empty snapshot is counted and
#    adopted too (only its report is suppressed), or the count would shift.
#
#    Why ``fold(base, unacked...)`` is the intent whether or not the server
#    already applied some of them: every update is an assignment of some
#    names (optionally after clearing), and a run of assignments composes
#    into one idempotent assignment, so re-applying a suffix of the history
#    the server already holds changes nothing.
#
#    Reconnect (``url_value``): that fold goes into the URL and becomes the
#    base; the server rebuilds the same state from it. The connection says
#    how many unacknowledged updates it re-sends on the new socket (frames the
#    transport never drained; always the newest ones, sends keep their
#    order): those stay unacknowledged, and their snapshots must still count.
#    The older ones went out on the socket that dropped and will never be
#    acknowledged (their effect is in the URL's map): they are dropped, so
#    the tracker is SYNCED again once the re-sent ones are. (Without the
#    count, all are kept: safe, folding them again is idempotent, but PENDING
#    would never end.)
#    The first snapshot on a new socket is the server's greeting (the
#    emulator sends one before it reads any frame): it replaces the base and
#    acknowledges nothing, which restarts the count. Were a server not to
#    greet, the first acknowledgement is taken for the greeting: one update
#    is acknowledged late, never early, which is the safe direction.
#
# Every (State, Input) pair is legal: nothing here can be violated by either
# peer, so this machine has no ERROR state.

"""Socket event subscription shaping, server fold and client tracker."""

from __future__ import annotations

import enum
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
    import json  # on first use: not needed at import (~2 ms)

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
    # Stays PENDING unless this snapshot acknowledged the last update (code).
    (_S.PENDING, _I.SERVER_SNAPSHOT): _S.PENDING,
    # Unacknowledged updates survive a reconnect (they may be re-sent).
    (_S.PENDING, _I.RECONNECT): _S.PENDING,
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
        self._unacked: list[dict[str, Any]] = []
        # True from ``url_value`` until the new socket's first snapshot.
        self._greeting = False

    def _process(self, event: SubscriptionInput) -> None:
        self.state = step(TRANSITIONS, self.state, event, machine="subscriptions", remote=False)

    @property
    def pending(self) -> dict[str, Any]:
        """The composed effect of unacknowledged local updates, as one update."""
        reset = False
        assign: dict[str, bool] = {}
        for payload in self._unacked:
            # An update is an assignment: a reset discards older assignments.
            if payload.get("reset") is True:
                reset = True
                assign = {}
            assign.update(fold_update({}, {**payload, "reset": False}))
        out: dict[str, Any] = {}
        if reset:
            out["reset"] = True
        if assign:
            out["subscriptions"] = assign
        return out

    @property
    def intent(self) -> dict[str, bool]:
        """The snapshot folded with every unacknowledged update, in order."""
        result = self.snapshot
        for payload in self._unacked:
            result = fold_update(result, payload)
        return dict(result)

    def local_update(self, value: object) -> dict[str, Any]:
        """Record an application update and return the payload to send.

        Args:
            value: a plain map or an update shape (§3.3).

        Returns:
            The normalized ``setSocketEventSubscriptions`` payload.
        """
        payload = normalize_update(value)
        self._unacked.append(payload)
        self._process(SubscriptionInput.LOCAL_UPDATE)
        return payload

    def server_snapshot(self, value: object) -> bool:
        """Adopt the server's ``socketEventSubscriptionsUpdated`` map.

        The first snapshot after ``url_value`` is the greeting; any later one
        acknowledges the oldest unacknowledged update (see the theory
        comment).

        Args:
            value: the ``socketEventSubscriptions`` member. A non-mapping
                (absent, ``null``) is ignored, like the reference.

        Returns:
            ``True`` when the snapshot was adopted and is worth reporting.
            An empty map returns ``False`` (it is not reported, the
            documented behaviour here) but is still adopted and counted: it
            is the server's real answer, e.g. to a ``reset``, and skipping it
            would shift the count.
        """
        if not isinstance(value, Mapping):
            return False
        self.snapshot = {str(k): v for k, v in value.items() if isinstance(v, bool)}
        if self._greeting:
            self._greeting = False
        elif self._unacked:
            del self._unacked[0]
        self._process(SubscriptionInput.SERVER_SNAPSHOT)
        if not self._unacked:
            self.state = SubscriptionState.SYNCED
        return bool(value)

    def url_value(self, resending: int | None = None) -> str | None:
        """The ``socketEventSubscriptions`` URL value for the next connect.

        Calling it means a new socket is being opened: the intent becomes the
        base (the server rebuilds it from the URL) and the next snapshot is
        taken as the greeting.

        Args:
            resending: how many unacknowledged updates go out again on the new
                socket (the newest ones); the older ones are dropped, they
                will never be acknowledged. ``None`` keeps them all.
        """
        self.snapshot = self.intent
        if resending is not None and resending < len(self._unacked):
            del self._unacked[: len(self._unacked) - max(0, resending)]
        self._greeting = True
        self._process(SubscriptionInput.RECONNECT)
        return serialize_map(self.snapshot)
