"""Socket event subscriptions, server side (wire reference 01 §3.6).

The rules (group overrides dominate, ``reset`` clears first, the opt-in
``subscriptionLimitNotice``) live in ``sogni_core.state.subscriptions``;
the emulator folds each connection's updates and filters every outgoing
event with the same functions the client core uses.
"""

from __future__ import annotations

from sogni_core.state.subscriptions import GROUPS, fold_update, normalize_map, should_deliver

__all__ = ["GROUPS", "fold_update", "normalize_map", "should_deliver"]
