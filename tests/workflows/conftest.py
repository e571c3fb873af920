"""One surface suite, three transports (asyncio, trio, blocking), against the emulator.

The harness is ``tests/_fixtures.py``'s :class:`TransportHarness`: a scenario is an
``async def scenario(h, emu)``; for the blocking client it runs on a
throwaway asyncio loop where every client call blocks. Hard timeout per run.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sogni_emulator import Emulator

from tests._fixtures import TRANSPORTS, TransportHarness, emulator_factory

API_KEY = "sk-wf-SECRET-0c5e8a"
HARD_TIMEOUT = 60.0


class Harness(TransportHarness):
    """Transport adapter: ``call`` awaits if needed, ``iterate`` collects an iterator."""

    hard_timeout = HARD_TIMEOUT

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


@pytest.fixture(params=TRANSPORTS)
def h(request: pytest.FixtureRequest) -> Harness:
    return Harness(request.param)


@pytest.fixture(name="emulator_factory")
def _emulator_factory() -> Any:
    """``with emulator_factory(faults=...) as emu``: a fresh seeded emulator."""
    return emulator_factory(seed=3, api_key=API_KEY)
