"""The public surface of sogni_core.chat and client.chat (STYLE L4)."""

from __future__ import annotations

import importlib

import pytest

import sogni_core.chat as chat
import sogni_core.chat.tools as tools


@pytest.mark.parametrize("module", [chat, tools])
def test_all_is_sorted_and_resolves(module: object) -> None:
    names = module.__all__  # type: ignore[attr-defined]
    assert names == sorted(names)
    for name in names:
        assert hasattr(module, name), name


@pytest.mark.parametrize("transport", ["asyncio", "trio", "sync"])
def test_transports_export_chat(transport: str) -> None:
    mod = importlib.import_module(f"sogni_{transport}")
    for name in ("Chat", "ChatError", "ChatStream"):
        assert name in mod.__all__ and hasattr(mod, name)
    assert mod.ChatError is chat.ChatError
