"""What the per-transport test suites share: the transport adapter and the emulator factory.

A scenario is an ``async def scenario(h, emu)`` written once; :class:`TransportHarness` runs it
on asyncio, trio, or (for the blocking client) a throwaway asyncio loop where every client call
simply blocks, always under a hard timeout. Suites subclass it to add their own ``client``
helper and set :attr:`TransportHarness.hard_timeout`; their ``conftest.py`` turns it into the
``h`` fixture with ``params=TRANSPORTS``.
"""

from __future__ import annotations

import asyncio
import faulthandler
import importlib
import inspect
import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import trio
from sogni_emulator import Emulator

__all__ = ["TRANSPORTS", "TransportHarness", "emulator_factory", "read_record"]

TRANSPORTS = ("asyncio", "trio", "sync")


def read_record(path: Path) -> list[dict[str, Any]]:
    """The entries of an emulator ``--record`` file written so far.

    The emulator may be appending while a test reads, so a last line without its
    newline is a write in progress and is left out rather than parsed half-written.
    """
    lines = path.read_text(encoding="utf-8").split("\n")[:-1]
    return [json.loads(line) for line in lines if line.strip()]


class TransportHarness:
    """Adapts one transport (``sogni_asyncio``, ``sogni_trio`` or ``sogni_sync``) to scenarios."""

    #: Seconds one scenario may run; a hung run also dumps every stack 15 s later and exits.
    hard_timeout: float = 45.0

    def __init__(self, name: str) -> None:
        self.name = name
        self.mod = importlib.import_module(f"sogni_{name}")
        self.is_async = name != "sync"

    def __repr__(self) -> str:
        return f"Harness({self.name})"

    async def call(self, value: Any) -> Any:
        """Await ``value`` if the transport returned an awaitable."""
        if inspect.isawaitable(value):
            return await value
        return value

    async def sleep(self, seconds: float) -> None:
        if self.name == "trio":
            await trio.sleep(seconds)
        else:
            await asyncio.sleep(seconds)

    async def iterate(self, iterable: Any, until: Callable[[Any], bool] | None = None) -> list[Any]:
        """Collect items; stop after the first one ``until`` accepts (closing the iterator)."""
        out: list[Any] = []
        if hasattr(iterable, "__aiter__"):
            iterator = iterable.__aiter__()
            try:
                async for item in iterator:
                    out.append(item)
                    if until is not None and until(item):
                        break
            finally:
                if hasattr(iterator, "aclose"):
                    await iterator.aclose()
        else:
            iterator = iter(iterable)
            try:
                for item in iterator:
                    out.append(item)
                    if until is not None and until(item):
                        break
            finally:
                if hasattr(iterator, "close"):
                    iterator.close()
        return out

    def run(self, scenario: Callable[..., Awaitable[Any]], *args: Any) -> Any:
        """Run ``scenario(self, *args)`` to completion on this transport's event loop."""
        limit = self.hard_timeout
        faulthandler.dump_traceback_later(limit + 15, exit=True)
        try:
            if self.name == "trio":

                async def main() -> Any:
                    with trio.fail_after(limit):
                        return await scenario(self, *args)

                return trio.run(main)

            async def amain() -> Any:
                return await asyncio.wait_for(scenario(self, *args), limit)

            return asyncio.run(amain())
        finally:
            faulthandler.cancel_dump_traceback_later()


def emulator_factory(*, seed: int, api_key: str) -> Callable[..., Any]:
    """``make(**kwargs)``: a fresh in-thread emulator (``with make(faults=...) as emu``).

    ``seed`` and ``api_keys=[api_key]`` are the defaults; ``kwargs`` override them.
    """

    def make(**kwargs: Any) -> Any:
        kwargs.setdefault("seed", seed)
        kwargs.setdefault("api_keys", [api_key])
        return Emulator.run_in_thread(port=0, **kwargs)

    return make
