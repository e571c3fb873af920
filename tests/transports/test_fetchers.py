"""Result-URL fetches run on a bounded set of reused fetchers, on every transport.

A burst of results must not start a task (a thread, on the blocking client) per
job: fetches queue for at most ``MAX_CONCURRENT_ACTIONS`` long-lived fetchers,
and every result still arrives exactly once.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from sogni_core.protocol.jobrequest import ImageProjectParams

PROJECTS, IMAGES = 3, 20
SLOW = 0.4  # seconds per fetch: long enough for results to queue up behind the cap


async def _burst(h: Any, emu: Any) -> dict[str, int]:
    cap = h.mod._driver.MAX_CONCURRENT_ACTIONS
    stats = {"running": 0, "peak": 0, "fetches": 0, "fetchers": 0, "cap": cap}
    guard = threading.Lock()

    def enter() -> None:
        with guard:
            stats["running"] += 1
            stats["fetches"] += 1
            stats["peak"] = max(stats["peak"], stats["running"])

    def leave() -> None:
        with guard:
            stats["running"] -= 1

    async with h.client(emu) as client:
        driver = client._driver
        inner, start_soon = driver._fetch_result, driver._tasks.start_soon

        def counting_start(fn: Any, *args: Any) -> None:
            if getattr(fn, "__name__", "") in ("_fetcher", "_fetch_result", "_fetch_preview"):
                with guard:
                    stats["fetchers"] += 1
            start_soon(fn, *args)

        if h.is_async:

            async def slow_fetch(action: Any) -> None:
                enter()
                try:
                    await h.sleep(SLOW)
                    await inner(action)
                finally:
                    leave()

        else:

            def slow_fetch(action: Any) -> None:  # type: ignore[misc]
                enter()
                try:
                    time.sleep(SLOW)
                    inner(action)
                finally:
                    leave()

        driver._fetch_result = slow_fetch
        driver._tasks.start_soon = counting_start
        params = ImageProjectParams(
            model_id="flux1-schnell-fp8",
            positive_prompt="a harbour at night",
            steps=4,
            number_of_media=IMAGES,
        )
        projects = await h.gather(
            *(lambda: client.projects.create(params) for _ in range(PROJECTS))
        )
        urls: list[str] = []
        for project in projects:
            got = await h.call(project.wait(60))
            assert len(got) == IMAGES
            urls.extend(got)
        assert len(set(urls)) == PROJECTS * IMAGES  # each result once
    return stats


def test_result_fetches_share_bounded_fetchers(h: Any, emulator_factory: Any) -> None:
    with emulator_factory() as emu:
        stats = h.run(_burst, emu)
    total = PROJECTS * IMAGES
    assert stats["fetches"] == total
    assert 1 < stats["peak"] <= stats["cap"], stats
    # Fetchers are reused: never more tasks (threads) started for fetching
    # than the cap, however many results came.
    assert 0 < stats["fetchers"] <= stats["cap"], stats
