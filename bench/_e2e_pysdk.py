"""One e2e workload with the official Python SDK (run by bench/e2e.py in the SDK's venv).

Usage: ``python _e2e_pysdk.py PROJECTS IMAGES`` with ``SOGNI_REST_URL``,
``SOGNI_SOCKET_URL`` and ``SOGNI_API_KEY`` in the environment. The same workload as
``_e2e_ours.py``, through sogni-client 5.70.0's public API (``SogniClient.create``,
``projects.create``, ``wait_for_completion``); prints one JSON line. Imports nothing of
this project. The API key is never printed.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sys
import time
from typing import Any

MODEL_ID = "flux1-schnell-fp8"


def _params(images: int) -> dict[str, Any]:
    return {
        "type": "image",
        "modelId": MODEL_ID,
        "positivePrompt": "A lighthouse on a cliff at dawn, oil painting",
        "numberOfMedia": images,
        "steps": 4,
        "guidance": 1,
        "tokenType": "spark",
        "network": "fast",
        "outputFormat": "jpg",
    }


async def _run(projects: int, images: int) -> list[Any]:
    from sogni_client import SogniClient  # type: ignore[import-not-found, unused-ignore]

    sogni = await SogniClient.create(
        app_id=f"sogni-bench-e2e-pysdk-{os.getpid()}",
        network="fast",
        api_key=os.environ["SOGNI_API_KEY"],
        rest_endpoint=os.environ["SOGNI_REST_URL"],
        socket_endpoint=os.environ["SOGNI_SOCKET_URL"],
    )
    try:
        await sogni.projects.wait_for_models(30)
        created = await asyncio.gather(
            *(sogni.projects.create(_params(images)) for _ in range(projects))
        )
        return list(await asyncio.gather(*(p.wait_for_completion(timeout=600) for p in created)))
    finally:
        await sogni.aclose()


def main() -> None:
    logging.disable(logging.WARNING)
    projects, images = int(sys.argv[1]), int(sys.argv[2])
    import sogni_client  # type: ignore[import-not-found, unused-ignore]  # noqa: F401

    start, cpu0 = time.perf_counter(), time.process_time()
    urls = asyncio.run(_run(projects, images))
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu0
    print(
        json.dumps(
            {
                "wall": wall,
                "cpu": cpu,
                "projects": projects,
                "completed": sum(1 for u in urls if isinstance(u, list) and len(u) == images),
                "urls": sum(len(u) for u in urls if isinstance(u, list)),
            }
        )
    )


if __name__ == "__main__":
    main()
