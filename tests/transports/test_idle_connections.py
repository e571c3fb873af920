"""IdleConnections: the request pools' shared bookkeeping."""

from __future__ import annotations

from sogni_core.client import IdleConnections

A = ("https", "api.example", 443)
B = ("http", "127.0.0.1", 8080)


def test_take_returns_the_most_recent_of_its_origin_only() -> None:
    idle = IdleConnections[str](4)
    assert idle.take(A) is None
    assert idle.keep(A, "a1") and idle.keep(A, "a2") and idle.keep(B, "b1")
    assert len(idle) == 3
    assert idle.take(A) == "a2"
    assert idle.take(A) == "a1"
    assert idle.take(A) is None
    assert idle.take(B) == "b1"
    assert len(idle) == 0


def test_each_origin_keeps_at_most_its_share() -> None:
    idle = IdleConnections[int](2)
    assert idle.keep(A, 1) and idle.keep(A, 2)
    assert not idle.keep(A, 3)  # the caller closes it
    assert idle.keep(B, 4)  # another origin has its own room
    assert len(idle) == 3


def test_close_hands_back_everything_and_keeps_nothing_after() -> None:
    idle = IdleConnections[str](4)
    idle.keep(A, "a")
    idle.keep(B, "b")
    assert sorted(idle.close()) == ["a", "b"]
    assert idle.closed
    assert idle.take(A) is None
    assert not idle.keep(A, "late")
    assert idle.close() == []
