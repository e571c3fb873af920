"""One scenario suite, three transports (trio twice: with trio-websocket, its
default, and with ``websocket="wsproto"``).

Each scenario is an ``async def scenario(h, emu)`` written once. The harness
``h`` adapts the transport: for asyncio and trio it awaits the client's
coroutines on that library's loop; for the blocking client it runs the same
coroutine on a throwaway asyncio loop where every client call simply blocks
(the client itself uses only threads). Every run has a hard timeout.
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

TRANSPORTS = ("asyncio", "trio", "trio-wsproto", "sync")
SECRET_KEY = "sk-test-SECRET-5f0b9c1e7d2a4e68"
HARD_TIMEOUT = 45.0


class Harness:
    """Transport adapter for the scenarios."""

    def __init__(self, variant: str) -> None:
        name, _, websocket = variant.partition("-")
        self.name = name
        self.variant = variant
        self.websocket = websocket or None  # the client's ``websocket`` option
        self.mod = importlib.import_module(f"sogni_{name}")
        self.is_async = name != "sync"

    def __repr__(self) -> str:
        return f"Harness({self.variant})"

    async def call(self, value: Any) -> Any:
        """Await ``value`` if the transport returned an awaitable."""
        if inspect.isawaitable(value):
            return await value
        return value

    def client(self, emu: Emulator, **kwargs: Any) -> Any:
        kwargs.setdefault("api_key", emu.api_key)
        kwargs.setdefault("rest_endpoint", emu.rest_url)
        kwargs.setdefault("socket_endpoint", emu.socket_url)
        kwargs.setdefault("connect_timeout", 10.0)
        if self.websocket is not None:
            kwargs.setdefault("websocket", self.websocket)
        client = self.mod.SogniClient(**kwargs)
        return self._acm(client)

    @contextlib.asynccontextmanager
    async def _acm(self, client: Any) -> AsyncIterator[Any]:
        if self.is_async:
            async with client:
                yield client
        else:
            with client:
                yield client

    async def events(self, project: Any) -> AsyncIterator[Any]:
        if self.is_async:
            async for event in project.events():
                yield event
        else:
            for event in project.events():
                yield event

    async def gather(self, *calls: Callable[[], Any]) -> list[Any]:
        """Run the client calls concurrently (tasks, a nursery, or threads)."""
        if self.name == "asyncio":
            return list(await asyncio.gather(*(call() for call in calls)))
        if self.name == "trio":
            results: list[Any] = [None] * len(calls)

            async def one(i: int) -> None:
                results[i] = await calls[i]()

            async with trio.open_nursery() as nursery:
                for i in range(len(calls)):
                    nursery.start_soon(one, i)
            return results
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(len(calls)) as pool:
            return list(pool.map(lambda call: call(), calls))

    async def sleep(self, seconds: float) -> None:
        if self.name == "trio":
            await trio.sleep(seconds)
        else:
            await asyncio.sleep(seconds)

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
        kwargs.setdefault("seed", 0)
        kwargs.setdefault("api_keys", [SECRET_KEY])
        return Emulator.run_in_thread(port=0, **kwargs)

    return make
