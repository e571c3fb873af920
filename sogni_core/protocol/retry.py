"""Pure retry and reconnect policy (STYLE A3, L3).

Theory of operation
-------------------
A transport that got a failed REST response (or no response at all) asks
:meth:`RetryPolicy.decide` whether to send the request again and after how
long. The answer is a pure function of its inputs: the attempt number, the
HTTP status (``None`` when the request failed before any response), the
response headers, a uniform random float from the caller's rng, and - only to
resolve an HTTP-date ``Retry-After`` - the caller's clock. The core never
sleeps or draws randomness itself.

Rules, in order:

1. ``attempt >= max_attempts`` -> give up.
2. The status must be retryable: no response, 408, 409, 423, 425, 429 or a 5xx
   other than 501/505 (``RETRYABLE_STATUSES``). A request that is not
   idempotent (a POST without an ``Idempotency-Key``) is retried only when the
   server explicitly refused it unprocessed (429) or no response arrived
   before the request was sent - the caller says which with ``idempotent``.
3. A ``Retry-After`` the server sent is honoured: the 5.54.0 SDK's ``ApiError``
   docs say "Wait at least that long before retrying: a request sent sooner is
   refused again." The wait comes from the error body's ``retryAfter``
   (seconds) when given, else the header (delta-seconds or HTTP-date, parsed as
   the official SDKs do). A wait above ``max_retry_after`` is not shortened -
   that would be refused again - so the policy gives up instead and the caller
   surfaces the error with its ``retry_after``.
4. Otherwise capped exponential backoff with *full jitter*:
   ``delay = rng * min(max_delay, base_delay * 2 ** (attempt - 1))``.

Socket reconnects use :func:`reconnect_delay`, the official SDKs' schedule
(``ApiClient.ts`` ``_scheduleReconnect``): ``min(1 s * 2**n, 15 s)`` scaled by a
jitter factor in ``[0.8, 1.2)``; attempts continue while the session is
authenticated (the state machine decides that, not this function).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from typing import Final

import msgspec

__all__ = [
    "DEFAULT_RETRY_POLICY",
    "RECONNECT_BASE_DELAY",
    "RECONNECT_MAX_DELAY",
    "RETRYABLE_STATUSES",
    "RetryDecision",
    "RetryPolicy",
    "parse_retry_after",
    "reconnect_delay",
]

#: Statuses worth a second try: timeouts, conflicts and locks the server says
#: are transient (423 is what ``/v1/assets`` answers while busy, retried by the
#: 5.54.0 SDK), rate limits and server-side failures. 501 and 505 are
#: permanent answers and are not retried.
RETRYABLE_STATUSES: Final = frozenset(
    {408, 409, 423, 425, 429, 500, 502, 503, 504, 507, 508, 509, 510, 511, 520, 521, 522, 523, 524}
)

#: Reconnect schedule of the official SDKs (``WS_RECONNECT_BASE_DELAY_MS`` /
#: ``WS_RECONNECT_MAX_DELAY_MS`` in 5.54.0, ``WS_RECONNECT_*`` in Python 5.70.0).
RECONNECT_BASE_DELAY: Final = 1.0
RECONNECT_MAX_DELAY: Final = 15.0

# Retry-After: delta-seconds = 1*DIGIT (RFC 9110 §10.2.3). The official SDKs
# accept an HTTP-date only when it has a day/month word and an HH:MM:SS time,
# because lenient date parsers read "1.5" or "-5" as dates.
# Pattern strings, compiled (and cached by ``re``) on first use, not at import.
_DELTA_SECONDS = r"[0-9]+"
_HTTP_DATE_TIME = r"\d{2}:\d{2}:\d{2}"  # matched with re.ASCII
_HTTP_DATE_WORD = r"[A-Za-z]{3}"
# The TS SDK ignores delta-seconds above Number.MAX_SAFE_INTEGER.
_MAX_SAFE_INTEGER: Final = 2**53 - 1


class RetryDecision(msgspec.Struct, frozen=True, kw_only=True):
    """What to do after a failed attempt.

    Attributes:
        retry: whether to send the request again.
        delay: seconds to wait before the next attempt (0.0 when not retrying).
        retry_after: the server's requested wait in seconds, if it gave one
            (also set when the wait was too long to honour and ``retry`` is
            false).
    """

    retry: bool
    delay: float = 0.0
    retry_after: float | None = None


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Parse a ``Retry-After`` header value into seconds from ``now``.

    Args:
        value: the header value, or ``None`` when absent.
        now: the current time as a Unix timestamp, needed only for the
            HTTP-date form; without it a date is ignored.

    Returns:
        Seconds to wait (a date in the past gives 0.0), or ``None`` when the
        value is absent or malformed.
    """
    if value is None:
        return None
    header = value.strip()
    if not header:
        return None
    if re.fullmatch(_DELTA_SECONDS, header):
        seconds = int(header)
        return float(seconds) if seconds <= _MAX_SAFE_INTEGER else None
    if (
        now is None
        or not re.search(_HTTP_DATE_WORD, header)
        or not re.search(_HTTP_DATE_TIME, header, re.ASCII)
    ):
        return None
    # Imported here: email.utils costs ~10 ms of import and only HTTP-date values need it.
    from datetime import timezone
    from email.utils import parsedate_to_datetime

    try:
        at = parsedate_to_datetime(header)
    except (TypeError, ValueError, IndexError):
        return None
    # RFC 9110 §5.6.7: HTTP-dates are UTC; a "-0000" zone parses as naive.
    if at.tzinfo is None:
        at = at.replace(tzinfo=timezone.utc)
    # Whole seconds, rounded up, like the official SDKs; a past date reads 0.
    return float(max(0, math.ceil(at.timestamp() - now)))


def _header(headers: Mapping[str, str] | Iterable[tuple[str, str]], name: str) -> str | None:
    items = headers.items() if isinstance(headers, Mapping) else headers
    for key, value in items:
        if key.lower() == name:
            return value
    return None


class RetryPolicy(msgspec.Struct, frozen=True, kw_only=True):
    """Retry rules for REST calls; see the module docstring.

    Attributes:
        max_attempts: total attempts including the first (>= 1).
        base_delay: backoff seed in seconds for the first retry.
        max_delay: ceiling of the backoff before jitter, in seconds.
        max_retry_after: longest server-requested wait the policy will honour,
            in seconds; longer waits end the retries.
    """

    max_attempts: int = 3
    base_delay: float = 0.5
    max_delay: float = 8.0
    max_retry_after: float = 60.0

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if self.base_delay < 0 or self.max_delay < 0 or self.max_retry_after < 0:
            raise ValueError("delays must not be negative")

    def backoff(self, attempt: int, rng: float) -> float:
        """Full-jitter exponential backoff after failed attempt ``attempt``.

        Args:
            attempt: the 1-based number of the attempt that just failed.
            rng: a uniform random float in ``[0, 1)``.

        Returns:
            ``rng * min(max_delay, base_delay * 2 ** (attempt - 1))``.

        Raises:
            ValueError: ``attempt < 1`` or ``rng`` outside ``[0, 1)``.
        """
        if attempt < 1:
            raise ValueError("attempt is 1-based")
        if not 0.0 <= rng < 1.0:
            raise ValueError("rng must be in [0, 1)")
        # Cap the exponent first so huge attempt numbers cannot overflow.
        exponent = min(attempt - 1, 64)
        return rng * min(self.max_delay, self.base_delay * (2.0**exponent))

    def decide(
        self,
        attempt: int,
        status: int | None,
        headers: Mapping[str, str] | Iterable[tuple[str, str]] = (),
        rng: float = 0.0,
        *,
        idempotent: bool = True,
        retry_after: float | None = None,
        now: float | None = None,
    ) -> RetryDecision:
        """Decide whether and when to retry after a failed attempt.

        Args:
            attempt: the 1-based number of the attempt that just failed.
            status: the HTTP status, or ``None`` when no response arrived.
            headers: the response headers (mapping or name/value pairs).
            rng: a uniform random float in ``[0, 1)`` from the caller's rng.
            idempotent: whether sending the request twice is safe (GET, DELETE,
                or a POST carrying an ``Idempotency-Key``). For a
                non-idempotent request ``status=None`` must mean the request
                was never sent.
            retry_after: a wait in seconds from the error body (the 5.54.0
                ``retryAfter`` field, e.g. ``ApiStatusError.retry_after``);
                wins over the header.
            now: the current Unix time, to resolve an HTTP-date header.

        Returns:
            The :class:`RetryDecision`.

        Raises:
            ValueError: ``attempt < 1`` or ``rng`` outside ``[0, 1)``.
        """
        if attempt < 1:
            raise ValueError("attempt is 1-based")
        if not 0.0 <= rng < 1.0:
            raise ValueError("rng must be in [0, 1)")
        wait = retry_after
        if wait is None and status is not None:
            wait = parse_retry_after(_header(headers, "retry-after"), now=now)
        if wait is not None and wait < 0:
            wait = None
        if attempt >= self.max_attempts:
            return RetryDecision(retry=False, retry_after=wait)
        if status is not None:
            if status not in RETRYABLE_STATUSES:
                return RetryDecision(retry=False, retry_after=wait)
            if not idempotent and status != 429:
                return RetryDecision(retry=False, retry_after=wait)
        if wait is not None:
            if wait > self.max_retry_after:
                return RetryDecision(retry=False, retry_after=wait)
            return RetryDecision(retry=True, delay=wait, retry_after=wait)
        return RetryDecision(retry=True, delay=self.backoff(attempt, rng))


#: The policy transports use unless configured otherwise.
DEFAULT_RETRY_POLICY: Final = RetryPolicy()


def reconnect_delay(
    attempt: int,
    rng: float,
    *,
    base_delay: float = RECONNECT_BASE_DELAY,
    max_delay: float = RECONNECT_MAX_DELAY,
) -> float:
    """Delay before socket reconnect attempt ``attempt``.

    Matches the official SDKs: ``min(base * 2**attempt, max)`` times a jitter
    factor ``0.8 + 0.4 * rng``.

    Args:
        attempt: the 0-based number of consecutive reconnect attempts already
            scheduled since the socket was last open.
        rng: a uniform random float in ``[0, 1)``.
        base_delay: seconds for the first attempt (default 1.0).
        max_delay: ceiling before jitter (default 15.0).

    Returns:
        Seconds to wait, in ``[0.8 * d, 1.2 * d)`` where ``d`` is the capped
        exponential delay.

    Raises:
        ValueError: ``attempt < 0`` or ``rng`` outside ``[0, 1)``.
    """
    if attempt < 0:
        raise ValueError("attempt is 0-based")
    if not 0.0 <= rng < 1.0:
        raise ValueError("rng must be in [0, 1)")
    exponent = min(attempt, 64)
    base = min(base_delay * (2.0**exponent), max_delay)
    return base * (0.8 + 0.4 * rng)
