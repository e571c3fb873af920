# mypy: disable-error-code="comparison-overlap,unreachable"
# (mypy narrows ``m.state`` after an assert and cannot see that a method call changes it.)
"""Subscriptions: shaping, the server fold (model-checked) and reconnect replay."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sogni_core.state.subscriptions import (
    SubscriptionState,
    SubscriptionTracker,
    fold_update,
    normalize_map,
    normalize_update,
    serialize_map,
    should_deliver,
)


def test_normalize_map_drops_non_booleans() -> None:
    assert normalize_map({"a": True, "b": 1, "c": None, "d": False}) == {"a": True, "d": False}
    assert normalize_map({"a": "yes"}) is None
    assert normalize_map("nope") is None


@pytest.mark.parametrize(
    ("given_", "payload"),
    [
        ({"modelAvailability": False}, '{"subscriptions":{"modelAvailability":false}}'),
        ({"swarmModels": "x"}, "{}"),
        ("junk", "{}"),
        ({"subscribe": ["a"], "reset": True}, '{"subscribe":["a"],"reset":true}'),
        (
            {"reset": True, "subscriptions": {"a": True, "b": 3}, "event": "x"},
            '{"reset":true,"subscriptions":{"a":true},"event":"x"}',
        ),
        ({"subscriptions": {"a": 1}, "unsubscribe": "b"}, '{"unsubscribe":"b"}'),
        # Quirk of §3.3: a plain map naming "enabled" is an update shape.
        ({"enabled": True, "swarmModels": False}, '{"enabled":true,"swarmModels":false}'),
    ],
)
def test_normalize_update_payload(given_: object, payload: str) -> None:
    assert json.dumps(normalize_update(given_), separators=(",", ":")) == payload


def test_serialize_map() -> None:
    assert serialize_map({"a": True, "ü": False}) == '{"a":true,"ü":false}'
    assert serialize_map({}) is None
    assert serialize_map(None) is None


@pytest.mark.parametrize(
    ("snapshot", "event", "delivered"),
    [
        ({}, "swarmModels", True),
        ({}, "subscriptionLimitNotice", False),
        ({"subscriptionLimitNotice": True}, "subscriptionLimitNotice", True),
        ({"modelAvailability": False, "swarmModels": True}, "swarmModels", False),
        ({"modelAvailability": False}, "swarmLLMModels", False),
        ({"modelAvailability": False}, "jobProgress", True),
        ({"modelAvailability": True, "swarmModels": False}, "swarmModels", False),
        ({"modelAvailability": True}, "swarmModels", True),
        ({"jobTokens": False}, "jobTokens", False),
        ({}, "somethingNew", True),
    ],
)
def test_should_deliver(snapshot: dict[str, bool], event: str, delivered: bool) -> None:
    assert should_deliver(snapshot, event) is delivered


NAMES = st.sampled_from(
    ["swarmModels", "swarmLLMModels", "modelAvailability", "subscriptionLimitNotice", "jobETA", "x"]
)
MAPS = st.dictionaries(NAMES, st.booleans(), max_size=4)
LISTY = st.one_of(NAMES, st.lists(NAMES, max_size=3))
UPDATES = st.one_of(
    MAPS,  # plain map form
    st.fixed_dictionaries(
        {},
        optional={
            "reset": st.booleans(),
            "subscriptions": st.dictionaries(NAMES, st.one_of(st.booleans(), st.integers())),
            "subscribe": LISTY,
            "unsubscribe": LISTY,
            "event": NAMES,
            "enabled": st.booleans(),
        },
    ),
).map(normalize_update)


def ops_of(update: dict[str, Any]) -> list[tuple[Any, ...]]:
    """Lower an update into primitive ops: ('reset',) and ('set', name, value)."""
    ops: list[tuple[Any, ...]] = []
    if update.get("reset") is True:
        ops.append(("reset",))
    for k, v in (update.get("subscriptions") or {}).items():
        ops.append(("set", k, v))
    for key, value in (("subscribe", True), ("unsubscribe", False)):
        names = update.get(key)
        for n in [names] if isinstance(names, str) else names or []:
            ops.append(("set", n, value))
    if isinstance(update.get("event"), str) and isinstance(update.get("enabled"), bool):
        ops.append(("set", update["event"], update["enabled"]))
    return ops


def reference_state(initial: dict[str, bool], updates: list[dict[str, Any]]) -> dict[str, bool]:
    """Naive server: per name, the last 'set' after the last 'reset' wins."""
    ops = [op for u in updates for op in ops_of(u)]
    last_reset = max((i for i, op in enumerate(ops) if op[0] == "reset"), default=-1)
    names = set(initial) | {op[1] for op in ops if op[0] == "set"}
    state: dict[str, bool] = {}
    for name in names:
        after = [
            op[2] for i, op in enumerate(ops) if op[0] == "set" and op[1] == name and i > last_reset
        ]
        if after:
            state[name] = after[-1]
        elif last_reset < 0 and name in initial:
            state[name] = initial[name]
    return state


@given(MAPS, st.lists(UPDATES, max_size=6))
def test_fold_matches_naive_reference(
    initial: dict[str, bool], updates: list[dict[str, Any]]
) -> None:
    state = dict(initial)
    for u in updates:
        state = fold_update(state, u)
    assert state == reference_state(initial, updates)


@given(MAPS, st.lists(UPDATES, min_size=1, max_size=4))
def test_fold_is_idempotent_per_sequence(
    initial: dict[str, bool], updates: list[dict[str, Any]]
) -> None:
    once = initial
    for u in updates:
        once = fold_update(once, u)
    twice = once
    for u in updates:
        twice = fold_update(twice, u)
    assert once == twice


def test_tracker_adopts_snapshot_and_bakes_pending_into_url() -> None:
    t = SubscriptionTracker({"modelAvailability": False, "junk": 1})
    assert t.url_value() == '{"modelAvailability":false}'
    payload = t.local_update({"subscribe": "subscriptionLimitNotice"})
    assert payload == {"subscribe": "subscriptionLimitNotice"}
    assert t.state is SubscriptionState.PENDING
    # An unrelated (stale) snapshot does not confirm the update.
    assert t.server_snapshot({"modelAvailability": False})
    assert t.state is SubscriptionState.PENDING
    assert not t.server_snapshot(None)
    assert t.server_snapshot({"modelAvailability": False, "subscriptionLimitNotice": True})
    assert t.state is SubscriptionState.SYNCED
    t.local_update({"reset": True})
    assert json.loads(t.url_value() or "{}") == {}
    assert t.state is SubscriptionState.SYNCED


# Replay property: a client and a server model with lost frames and reconnects.
ACTIONS = st.lists(
    st.one_of(
        st.tuples(st.just("update"), UPDATES),
        st.tuples(st.just("server"), st.booleans()),
        st.tuples(st.just("client"), st.booleans()),
        st.tuples(st.just("reconnect"), st.lists(st.booleans(), max_size=6)),
    ),
    max_size=25,
)


@settings(max_examples=300)
@given(MAPS, ACTIONS)
def test_reconnect_replay_reproduces_intent(
    initial: dict[str, bool], actions: list[tuple[str, Any]]
) -> None:
    client = SubscriptionTracker(initial)
    server = normalize_map(json.loads(client.url_value() or "{}")) or {}
    to_server: list[dict[str, Any]] = []
    to_client: list[dict[str, Any]] = []
    intent = normalize_map(initial) or {}
    for kind, arg in actions:
        if kind == "update":
            to_server.append(client.local_update(arg))
            intent = fold_update(intent, arg)
        elif kind == "server" and to_server:
            server = fold_update(server, to_server.pop(0))
            to_client.append(dict(server))
        elif kind == "client":
            if to_client:
                client.server_snapshot(to_client.pop(0))
            elif arg:  # an unsolicited snapshot (e.g. after connect)
                client.server_snapshot(dict(server))
        elif kind == "reconnect":
            # In-flight updates either reached the server before the drop or not.
            for i, msg in enumerate(to_server):
                if i < len(arg) and arg[i]:
                    server = fold_update(server, msg)
            to_server.clear()
            to_client.clear()
            server = normalize_map(json.loads(client.url_value() or "{}")) or {}
            assert server == intent
        assert client.intent == intent
    while to_server:
        server = fold_update(server, to_server.pop(0))
    assert server == intent
