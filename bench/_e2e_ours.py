"""One e2e workload with one of our transports (run as a child process by bench/e2e.py).

Usage: ``python -m bench._e2e_ours asyncio|trio|trio-wsproto|sync PROJECTS IMAGES``
(``trio-wsproto``: sogni_trio with ``websocket="wsproto"``) with
``SOGNI_REST_URL``, ``SOGNI_SOCKET_URL`` and ``SOGNI_API_KEY`` in the environment.
Connects, submits ``PROJECTS`` image projects of ``IMAGES`` images concurrently, waits for
all of them and prints one JSON line: wall and CPU seconds of that (imports excluded) and
how many projects completed with how many result URLs. The API key is never printed.
The transport package is imported before the clock starts (like the official SDK's
driver); anything it imports on first use is part of the timed work.
"""

from __future__ import annotations

import json
import os
import sys
import time
from typing import Any

MODEL_ID = "flux1-schnell-fp8"


def _params(images: int) -> Any:
    from sogni_core.protocol.jobrequest import ImageProjectParams

    return ImageProjectParams(
        model_id=MODEL_ID,
        positive_prompt="A lighthouse on a cliff at dawn, oil painting",
        number_of_media=images,
        steps=4,
        guidance=1,
        token_type="spark",
        network="fast",
        output_format="jpg",
    )


def _kwargs(transport: str) -> dict[str, Any]:
    return {
        "app_id": f"sogni-bench-e2e-{transport}-{os.getpid()}",
        "api_key": os.environ["SOGNI_API_KEY"],
        "rest_endpoint": os.environ["SOGNI_REST_URL"],
        "socket_endpoint": os.environ["SOGNI_SOCKET_URL"],
    }


async def _asyncio(projects: int, images: int) -> list[list[str]]:
    import asyncio

    from sogni_asyncio import SogniClient  # type: ignore[import-untyped, unused-ignore]

    async with SogniClient(**_kwargs("asyncio")) as client:
        created = await asyncio.gather(
            *(client.projects.create(_params(images)) for _ in range(projects))
        )
        return list(await asyncio.gather(*(p.wait(timeout=600) for p in created)))


async def _trio(projects: int, images: int, websocket: str | None = None) -> list[list[str]]:
    import trio
    from sogni_trio import SogniClient  # type: ignore[import-untyped, unused-ignore]

    urls: list[list[str]] = [[] for _ in range(projects)]
    async with SogniClient(**_kwargs("trio"), websocket=websocket) as client:

        async def one(i: int) -> None:
            project = await client.projects.create(_params(images))
            urls[i] = await project.wait(timeout=600)

        async with trio.open_nursery() as nursery:
            for i in range(projects):
                nursery.start_soon(one, i)
    return urls


def _sync(projects: int, images: int) -> list[list[str]]:
    from sogni_sync import SogniClient  # type: ignore[import-untyped, unused-ignore]

    with SogniClient(**_kwargs("sync")) as client:
        created = [client.projects.create(_params(images)) for _ in range(projects)]
        return [p.wait(timeout=600) for p in created]


def main() -> None:
    transport, projects, images = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    # The client package is imported before the clock starts, as bench/_e2e_pysdk.py does
    # for sogni_client; what it imports lazily on first use (wsproto, h11, httpx) is timed.
    if transport in ("asyncio", "trio", "trio-wsproto", "sync"):
        __import__(f"sogni_{transport.split('-')[0]}")
    if transport == "asyncio":
        import asyncio

        start, cpu0 = time.perf_counter(), time.process_time()
        urls = asyncio.run(_asyncio(projects, images))
    elif transport in ("trio", "trio-wsproto"):
        import trio

        websocket = "wsproto" if transport == "trio-wsproto" else None
        start, cpu0 = time.perf_counter(), time.process_time()
        urls = trio.run(_trio, projects, images, websocket)
    elif transport == "sync":
        start, cpu0 = time.perf_counter(), time.process_time()
        urls = _sync(projects, images)
    else:
        raise SystemExit(f"unknown transport {transport!r}")
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu0
    print(
        json.dumps(
            {
                "wall": wall,
                "cpu": cpu,
                "projects": projects,
                "completed": sum(1 for u in urls if len(u) == images),
                "urls": sum(len(u) for u in urls),
            }
        )
    )


if __name__ == "__main__":
    main()
