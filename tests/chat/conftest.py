"""Chat scenarios run once per transport (asyncio, trio, blocking) against the emulator.

The harness is ``tests/_fixtures.py``'s :class:`TransportHarness`: a scenario is an
``async def scenario(h, emu)``; the harness awaits the client's coroutines on asyncio
or trio, or, for the blocking client, runs the scenario on a throwaway asyncio loop
where each client call simply blocks. Every run has a hard timeout.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sogni_emulator import Emulator

from tests._fixtures import TRANSPORTS, TransportHarness, emulator_factory

KEY = "sk-chat-test-0d1e2f"
HARD_TIMEOUT = 40.0


class Harness(TransportHarness):
    """Transport adapter: ``call`` awaits when needed, ``chunks`` iterates a stream."""

    hard_timeout = HARD_TIMEOUT

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
        """Iterate a stream (stopping with ``break`` after ``limit`` chunks).

        Unlike :meth:`TransportHarness.iterate` this does not close the stream after a
        ``break``: the chat suite checks that breaking out alone cancels the job.
        """
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


@pytest.fixture(params=TRANSPORTS)
def h(request: pytest.FixtureRequest) -> Harness:
    return Harness(request.param)


@pytest.fixture(name="emulator_factory")
def _emulator_factory() -> Any:
    """``with emulator_factory(**options) as emu``: a fresh seeded emulator in a thread."""
    return emulator_factory(seed=0, api_key=KEY)
