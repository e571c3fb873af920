"""Retry policy: table cases and Hypothesis properties (bounds, Retry-After honoured/capped)."""

from __future__ import annotations

import math
from datetime import datetime, timezone
from email.utils import format_datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sogni_core.protocol.retry import (
    DEFAULT_RETRY_POLICY,
    RECONNECT_BASE_DELAY,
    RECONNECT_MAX_DELAY,
    RETRYABLE_STATUSES,
    RetryDecision,
    RetryPolicy,
    parse_retry_after,
    reconnect_delay,
)

NOW = 1_700_000_000.0


def http_date(ts: float) -> str:
    return format_datetime(datetime.fromtimestamp(ts, tz=timezone.utc), usegmt=True)


@pytest.mark.parametrize(
    ("value", "now", "expected"),
    [
        (None, None, None),
        ("", None, None),
        ("  ", None, None),
        ("0", None, 0.0),
        ("120", None, 120.0),
        (" 7 ", None, 7.0),
        ("1.5", NOW, None),
        ("-5", NOW, None),
        ("1e3", NOW, None),
        ("soon", NOW, None),
        (str(2**53), None, None),  # above Number.MAX_SAFE_INTEGER, as the TS SDK
        (str(2**53 - 1), None, float(2**53 - 1)),
        (http_date(NOW + 30), NOW, 30.0),
        (http_date(NOW + 30), NOW + 0.5, 30.0),  # rounded up to whole seconds
        (http_date(NOW - 100), NOW, 0.0),  # past date reads 0
        (http_date(NOW + 30), None, None),  # a date needs a clock
        ("Wed, 99 Foo 2015 07:28:00 GMT", NOW, None),
        ("Sun, 06 Nov 1994 08:49:37 -0000", 784111777.0 - 10, 10.0),
    ],
)
def test_parse_retry_after(value: str | None, now: float | None, expected: float | None) -> None:
    assert parse_retry_after(value, now=now) == expected


P = RetryPolicy(max_attempts=3, base_delay=0.5, max_delay=8.0, max_retry_after=60.0)


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        # retryable statuses back off with full jitter: rng * base * 2**(attempt-1)
        ({"attempt": 1, "status": 503, "rng": 0.5}, RetryDecision(retry=True, delay=0.25)),
        ({"attempt": 2, "status": 500, "rng": 0.5}, RetryDecision(retry=True, delay=0.5)),
        ({"attempt": 1, "status": None, "rng": 0.0}, RetryDecision(retry=True, delay=0.0)),
        # attempts exhausted
        ({"attempt": 3, "status": 503, "rng": 0.5}, RetryDecision(retry=False)),
        # not retryable
        ({"attempt": 1, "status": 400, "rng": 0.5}, RetryDecision(retry=False)),
        ({"attempt": 1, "status": 401, "rng": 0.5}, RetryDecision(retry=False)),
        ({"attempt": 1, "status": 404, "rng": 0.5}, RetryDecision(retry=False)),
        ({"attempt": 1, "status": 501, "rng": 0.5}, RetryDecision(retry=False)),
        # Retry-After honoured
        (
            {"attempt": 1, "status": 429, "headers": {"Retry-After": "3"}, "rng": 0.9},
            RetryDecision(retry=True, delay=3.0, retry_after=3.0),
        ),
        (
            {
                "attempt": 1,
                "status": 503,
                "headers": [("x-request-id", "r"), ("retry-after", "60")],
                "rng": 0.9,
            },
            RetryDecision(retry=True, delay=60.0, retry_after=60.0),
        ),
        # over the cap: give up rather than be refused again
        (
            {"attempt": 1, "status": 429, "headers": {"RETRY-AFTER": "61"}, "rng": 0.9},
            RetryDecision(retry=False, retry_after=61.0),
        ),
        # body retryAfter wins over the header
        (
            {
                "attempt": 1,
                "status": 429,
                "headers": {"Retry-After": "50"},
                "retry_after": 2.0,
                "rng": 0.9,
            },
            RetryDecision(retry=True, delay=2.0, retry_after=2.0),
        ),
        # a non-retryable status reports the wait but does not retry
        (
            {"attempt": 1, "status": 400, "headers": {"Retry-After": "5"}, "rng": 0.1},
            RetryDecision(retry=False, retry_after=5.0),
        ),
        # non-idempotent: only 429 or never-sent
        (
            {"attempt": 1, "status": 503, "rng": 0.5, "idempotent": False},
            RetryDecision(retry=False),
        ),
        (
            {"attempt": 1, "status": 429, "rng": 0.5, "idempotent": False},
            RetryDecision(retry=True, delay=0.25),
        ),
        (
            {"attempt": 1, "status": None, "rng": 0.5, "idempotent": False},
            RetryDecision(retry=True, delay=0.25),
        ),
        # HTTP-date Retry-After with a clock
        (
            {
                "attempt": 1,
                "status": 503,
                "headers": {"Retry-After": http_date(NOW + 4)},
                "rng": 0.5,
                "now": NOW,
            },
            RetryDecision(retry=True, delay=4.0, retry_after=4.0),
        ),
        # negative body retryAfter ignored
        (
            {"attempt": 1, "status": 503, "rng": 0.5, "retry_after": -1.0},
            RetryDecision(retry=True, delay=0.25),
        ),
    ],
)
def test_decide_table(kwargs: dict[str, object], expected: RetryDecision) -> None:
    assert P.decide(**kwargs) == expected  # type: ignore[arg-type]


def test_backoff_is_capped() -> None:
    assert P.backoff(1, 0.999) == pytest.approx(0.4995)
    assert P.backoff(10, 0.5) == 4.0  # min(8, 0.5*512) * 0.5
    assert P.backoff(10_000, 0.5) == 4.0  # no overflow


def test_invalid_inputs() -> None:
    with pytest.raises(ValueError):
        P.decide(0, 503)
    with pytest.raises(ValueError):
        P.decide(1, 503, rng=1.0)
    with pytest.raises(ValueError):
        P.backoff(0, 0.1)
    with pytest.raises(ValueError):
        P.backoff(1, -0.1)
    with pytest.raises(ValueError):
        RetryPolicy(max_attempts=0)
    with pytest.raises(ValueError):
        RetryPolicy(base_delay=-1)
    with pytest.raises(ValueError):
        reconnect_delay(-1, 0.5)
    with pytest.raises(ValueError):
        reconnect_delay(0, 1.5)


def test_defaults() -> None:
    assert DEFAULT_RETRY_POLICY == RetryPolicy()
    assert {429, 500, 502, 503, 504, 423} <= RETRYABLE_STATUSES
    assert not {400, 401, 403, 404, 422, 501, 505} & RETRYABLE_STATUSES


def test_reconnect_matches_sdk_schedule() -> None:
    # ApiClient.ts: min(1000 * 2**n, 15000) * (0.8 + rand * 0.4)
    assert reconnect_delay(0, 0.5) == pytest.approx(1.0)
    assert reconnect_delay(1, 0.0) == pytest.approx(1.6)
    assert reconnect_delay(3, 0.5) == pytest.approx(8.0)
    assert reconnect_delay(4, 0.5) == pytest.approx(15.0)
    assert reconnect_delay(100, 0.0) == pytest.approx(12.0)
    assert reconnect_delay(2, 0.5, base_delay=0.1, max_delay=1.0) == pytest.approx(0.4)


# ---- properties ----------------------------------------------------------------------

policies = st.builds(
    RetryPolicy,
    max_attempts=st.integers(1, 10),
    base_delay=st.floats(0, 10),
    max_delay=st.floats(0, 100),
    max_retry_after=st.floats(0, 600),
)
rngs = st.floats(0, 1, exclude_max=True)
statuses = st.none() | st.integers(100, 599)


@settings(max_examples=300, deadline=None)
@given(policy=policies, attempt=st.integers(1, 50), status=statuses, rng=rngs)
def test_delay_within_backoff_bounds(
    policy: RetryPolicy, attempt: int, status: int | None, rng: float
) -> None:
    d = policy.decide(attempt, status, {}, rng)
    assert d.retry_after is None
    if not d.retry:
        assert d.delay == 0.0
        return
    assert attempt < policy.max_attempts
    assert status is None or status in RETRYABLE_STATUSES
    ceiling = min(policy.max_delay, policy.base_delay * 2.0 ** min(attempt - 1, 64))
    assert 0.0 <= d.delay <= ceiling
    assert math.isfinite(d.delay)


@settings(max_examples=300, deadline=None)
@given(
    policy=policies,
    attempt=st.integers(1, 50),
    status=st.sampled_from(sorted(RETRYABLE_STATUSES)),
    wait=st.integers(0, 3600),
    rng=rngs,
)
def test_retry_after_honoured_and_capped(
    policy: RetryPolicy, attempt: int, status: int, wait: int, rng: float
) -> None:
    d = policy.decide(attempt, status, {"Retry-After": str(wait)}, rng)
    assert d.retry_after == float(wait)
    if attempt >= policy.max_attempts or wait > policy.max_retry_after:
        assert not d.retry
    else:
        # never sooner than the server asked, and never past the cap
        assert d.retry and d.delay == float(wait) <= policy.max_retry_after


@settings(max_examples=200, deadline=None)
@given(attempt=st.integers(0, 200), rng=rngs)
def test_reconnect_bounds(attempt: int, rng: float) -> None:
    base = min(RECONNECT_BASE_DELAY * 2.0 ** min(attempt, 64), RECONNECT_MAX_DELAY)
    delay = reconnect_delay(attempt, rng)
    assert 0.8 * base <= delay < 1.2 * base + 1e-12
    assert delay <= RECONNECT_MAX_DELAY * 1.2
