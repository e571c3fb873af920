"""The public surface of sogni_core.state: sorted, complete, no I/O imports."""

from __future__ import annotations

import ast
import pathlib

import sogni_core.state as state
from sogni_core.state import events

BANNED = {"socket", "ssl", "asyncio", "trio", "anyio", "threading", "time", "random", "httpx"}


def test_all_sorted_and_resolvable() -> None:
    assert state.__all__ == sorted(state.__all__)
    for name in state.__all__:
        assert getattr(state, name) is not None


def test_every_event_class_is_exported() -> None:
    exported = set(state.__all__)
    assert set(events.__all__) <= exported
    assert events.__all__ == sorted(events.__all__)


def test_state_package_imports_no_io() -> None:
    root = pathlib.Path(state.__file__).parent
    for path in root.glob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = {node.module.split(".")[0]}
            else:
                continue
            assert not names & BANNED, (path.name, names)
