"""Event callbacks run one at a time and in order, on every transport, although
events are delivered from two places (the pump, and the socket reader or a
REST answer while the pump is idle; threads on the blocking client)."""

from __future__ import annotations

import threading
import time
from typing import Any

from sogni_core.protocol.jobrequest import ImageProjectParams
from sogni_core.state import events as ev


async def _serialized(h: Any, emu: Any) -> None:
    active = 0
    overlaps = 0
    seen: list[tuple[str, type]] = []
    guard = threading.Lock()

    def slow(event: ev.Event) -> None:
        nonlocal active, overlaps
        with guard:
            active += 1
            overlaps += active > 1
        time.sleep(0.002)  # long enough for a second deliverer to collide
        with guard:
            seen.append((getattr(event, "project_id", ""), type(event)))
            active -= 1

    async with h.client(emu) as client:
        client.on(ev.Event, slow)
        params = ImageProjectParams(
            model_id="flux1-schnell-fp8",
            positive_prompt="a lighthouse at dusk",
            steps=4,
            number_of_media=4,
        )
        projects = await h.gather(*(lambda: client.projects.create(params) for _ in range(5)))
        for project in projects:
            assert len(await h.call(project.wait(30))) == 4
    assert overlaps == 0, f"{overlaps} callbacks ran while another was running"
    for project in projects:
        kinds = [kind for pid, kind in seen if pid == project.id]
        assert kinds.count(ev.JobCompleted) == 4
        assert kinds[-1] is ev.ProjectCompleted  # nothing of a project after its end
        assert kinds.index(ev.ProjectCompleted) > max(
            i for i, k in enumerate(kinds) if k is ev.JobCompleted
        )


def test_callbacks_never_overlap_and_keep_order(h: Any, emulator_factory: Any) -> None:
    with emulator_factory() as emu:
        h.run(_serialized, emu)
