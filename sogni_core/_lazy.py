"""Lazy package exports (PEP 562): a package's public names, imported on first access.

A package lists which submodule defines each name; ``import package`` then costs
nothing for the submodules nobody uses yet (``from sogni_asyncio import
SogniClient`` must stay well under 100 ms, bench/README.md).
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Iterable, Mapping
from typing import Any

__all__ = ["lazy_exports"]


def lazy_exports(
    package: str, table: Mapping[str, str], public: Iterable[str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """The ``__getattr__`` and ``__dir__`` of a package with lazy exports.

    Args:
        package: the package's ``__name__``.
        table: public name -> the submodule (relative, e.g. ``"_auth"``) defining it.
        public: the package's ``__all__``.

    Returns:
        ``(__getattr__, __dir__)``: assign them at the end of the package's
        ``__init__``. A name is imported on first access and then cached in
        the package, so later lookups are plain attribute reads.
    """
    names = frozenset(public)

    def __getattr__(name: str) -> Any:
        submodule = table.get(name)
        if submodule is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f".{submodule}", package), name)
        setattr(sys.modules[package], name, value)
        return value

    def __dir__() -> list[str]:
        return sorted({*vars(sys.modules[package]), *names})

    return __getattr__, __dir__
