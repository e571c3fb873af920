"""One surface suite, three transports (asyncio, trio, blocking), against the emulator.

The harness mirrors ``tests/transports/conftest.py``: a scenario is an
``async def scenario(h, emu)``; for the blocking client it runs on a
throwaway asyncio loop where every client call blocks. Hard timeout per run.
"""

from __future__ import annotations

import asyncio
import contextlib
import faulthandler
import importlib
import inspect
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
import trio
from sogni_emulator import Emulator

TRANSPORTS = ("asyncio", "trio", "sync")
API_KEY = "sk-wf-SECRET-0c5e8a"
HARD_TIMEOUT = 60.0


class Harness:
    """Transport adapter: ``call`` awaits if needed, ``iterate`` collects an iterator."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.mod = importlib.import_module(f"sogni_{name}")
        self.is_async = name != "sync"

    def __repr__(self) -> str:
        return f"Harness({self.name})"

    async def call(self, value: Any) -> Any:
        if inspect.isawaitable(value):
            return await value
        return value

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

    @contextlib.asynccontextmanager
    async def client(self, emu: Emulator, **kwargs: Any) -> AsyncIterator[Any]:
        kwargs.setdefault("api_key", API_KEY)
        kwargs.setdefault("rest_endpoint", emu.rest_url)
        kwargs.setdefault("socket_endpoint", emu.socket_url)
        kwargs.setdefault("connect_timeout", 10.0)
        client = self.mod.SogniClient(**kwargs)
        if self.is_async:
            async with client:
                yield client
        else:
            with client:
                yield client

    def run(self, scenario: Callable[..., Awaitable[Any]], *args: Any) -> Any:
        faulthandler.dump_traceback_later(HARD_TIMEOUT + 15, exit=True)
        try:
            if self.name == "trio":

                async def main() -> Any:
                    with trio.fail_after(HARD_TIMEOUT):
                        return await scenario(self, *args)

                return trio.run(main)

            async def amain() -> Any:
                return await asyncio.wait_for(scenario(self, *args), HARD_TIMEOUT)

            return asyncio.run(amain())
        finally:
            faulthandler.cancel_dump_traceback_later()


@pytest.fixture(params=TRANSPORTS)
def h(request: pytest.FixtureRequest) -> Harness:
    return Harness(request.param)


@pytest.fixture
def emulator_factory() -> Any:
    """``with emulator_factory(faults=...) as emu``: a fresh seeded emulator."""

    def make(**kwargs: Any) -> Any:
        kwargs.setdefault("seed", 3)
        kwargs.setdefault("api_keys", [API_KEY])
        return Emulator.run_in_thread(port=0, **kwargs)

    return make
