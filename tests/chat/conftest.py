"""Chat scenarios run once per transport (asyncio, trio, blocking) against the emulator.

A scenario is an ``async def scenario(h, emu)``; the harness awaits the
client's coroutines on asyncio or trio, or, for the blocking client, runs the
scenario on a throwaway asyncio loop where each client call simply blocks.
Every run has a hard timeout.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import inspect
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
import trio
from sogni_emulator import Emulator

TRANSPORTS = ("asyncio", "trio", "sync")
KEY = "sk-chat-test-0d1e2f"
HARD_TIMEOUT = 40.0


class Harness:
    """Transport adapter: ``call`` awaits when needed, ``chunks`` iterates a stream."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.mod = importlib.import_module(f"sogni_{name}")
        self.is_async = name != "sync"

    def __repr__(self) -> str:
        return f"Harness({self.name})"

    async def call(self, value: Any) -> Any:
        return await value if inspect.isawaitable(value) else value

    @contextlib.asynccontextmanager
    async def client(self, emu: Emulator, **kwargs: Any) -> AsyncIterator[Any]:
        kwargs.setdefault("api_key", KEY)
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

    async def chunks(self, stream: Any, limit: int | None = None) -> list[Any]:
        """Iterate a stream (stopping with ``break`` after ``limit`` chunks)."""
        out: list[Any] = []
        if self.is_async:
            async for chunk in stream:
                out.append(chunk)
                if limit is not None and len(out) >= limit:
                    break
        else:
            for chunk in stream:
                out.append(chunk)
                if limit is not None and len(out) >= limit:
                    break
        return out

    async def sleep(self, seconds: float) -> None:
        if self.name == "trio":
            await trio.sleep(seconds)
        else:
            await asyncio.sleep(seconds)

    def run(self, scenario: Callable[..., Awaitable[Any]], *args: Any) -> Any:
        if self.name == "trio":

            async def main() -> Any:
                with trio.fail_after(HARD_TIMEOUT):
                    return await scenario(self, *args)

            return trio.run(main)

        async def amain() -> Any:
            return await asyncio.wait_for(scenario(self, *args), HARD_TIMEOUT)

        return asyncio.run(amain())


@pytest.fixture(params=TRANSPORTS)
def h(request: pytest.FixtureRequest) -> Harness:
    return Harness(request.param)


@pytest.fixture
def emulator_factory() -> Any:
    """``with emulator_factory(**options) as emu``: a fresh seeded emulator in a thread."""

    def make(**kwargs: Any) -> Any:
        kwargs.setdefault("seed", 0)
        kwargs.setdefault("api_keys", [KEY])
        return Emulator.run_in_thread(port=0, **kwargs)

    return make
