"""Subscription entitlement of an account, in its socket and REST forms (01 §2.4.15, §6.6).

An account has no subscription by default.  ``Emulator.set_subscription``
gives it one; the change is pushed as ``subscriptionEntitlementUpdated`` (with
a monotonically increasing ``version``) and shows in ``authenticated`` and
``GET /v1/subscriptions/status``.  Jobs sent with ``billingMode:
"subscription"`` need an active one (else 4078 NOT_ENTITLED, 01 §6.6.2) and
are not debited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

__all__ = ["Subscription", "rest_snapshot", "socket_entitlement"]

# Producer status -> snapshot status (01 §6.6.2).
_STATUS = {
    "active": "active",
    "trialing": "trialing",
    "grace": "grace_period",
    "expired": "expired",
    "revoked": "canceled",
    "needs_reconciliation": "past_due",
}
_ACTIVE = frozenset({"active", "trialing", "cancelled"})
NOT_ENTITLED = 4078


@dataclass
class Subscription:
    """One account's plan, in the server's producer vocabulary."""

    tier: str
    term: str = "monthly"
    status: str = "active"  # trialing|active|grace|cancelled|expired|revoked|...
    provider: str = "stripe"
    period_start_ms: int = 0
    period_end_ms: int = 0
    version: int = 1

    @property
    def active(self) -> bool:
        return self.status in _ACTIVE


def _iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, tz=timezone.utc).isoformat().replace("+00:00", "Z")


def socket_entitlement(sub: Subscription | None) -> dict[str, Any]:
    """``subscriptionEntitlementUpdated`` / ``authenticated.subscriptionEntitlement`` (§2.4.15)."""
    if sub is None:
        return {
            "active": False,
            "trialing": False,
            "trialCapped": False,
            "subscription": None,
            "freeSparkLocked": False,
        }
    unlimited = sub.tier in ("unlimited", "unlimited_pro")
    return {
        "active": sub.active,
        "trialing": sub.status == "trialing",
        "trialCapped": False,
        "subscription": {
            "provider": sub.provider,
            "tier": sub.tier,
            "term": sub.term,
            "status": sub.status,
            "periodStart": sub.period_start_ms,
            "periodEnd": sub.period_end_ms,
            "graceEnd": 0,
            "trialEnd": sub.period_end_ms if sub.status == "trialing" else 0,
            "version": str(sub.version),
            "cancelAtPeriodEnd": sub.status == "cancelled",
            "capabilities": {"unlimited": True} if unlimited and sub.active else {},
        },
        "freeSparkLocked": False,
    }


def rest_snapshot(sub: Subscription | None) -> dict[str, Any]:
    """``GET /v1/subscriptions/status`` ``data.subscription`` (§6.6.1)."""
    if sub is None:
        return {"active": False, "status": "none"}
    status = _STATUS.get(sub.status)
    if sub.status == "cancelled":
        status = "cancel_at_period_end"
    snapshot: dict[str, Any] = {
        "active": sub.active,
        "status": status or ("active" if sub.active else "none"),
        "tier": sub.tier,
        "term": sub.term,
        "provider": sub.provider,
        "currentPeriodStart": _iso(sub.period_start_ms),
        "currentPeriodEnd": _iso(sub.period_end_ms),
        "cancelAtPeriodEnd": sub.status == "cancelled",
        "capabilities": {"unlimited": True}
        if sub.tier in ("unlimited", "unlimited_pro") and sub.active
        else {},
        "version": str(sub.version),
    }
    return snapshot
