"""Drive the official Python SDK's receive path with recorded frames (run in its own venv).

Runs inside ``.cache/peers/pysdk-venv`` (``sogni-client==5.70.0``); it imports nothing of
this project. Usage: ``python _pysdk_frames.py JOB.json`` where the job file holds
``{"frames": [str, ...], "project_ids": [...], "params": {...}, "repeat": N, "warmup": W,
"min_time": S}``. Prints one JSON object: per-repetition wall and CPU seconds and the end
state of the projects.

What is measured is the SDK's own code, unmodified, as a user gets it: a full
``SogniClient`` (account, projects, chat... every listener it registers) built with
``SogniClient.create(api_key=...)``, whose socket is a stand-in handed over through the
public ``websocket_factory`` hook and whose REST clients answer from an in-memory
``httpx.MockTransport``. The stand-in's ``recv()`` returns the next recorded frame, so
``WebSocketClient._read_loop`` does what it does on a live socket: bytes -> ``str``,
``json.loads`` of the envelope, ``base64`` + ``json.loads`` of the payload, ID
upper-casing, and ``emit`` to the SDK's listeners, which update the ``Project``/``Job``
entities (``ProjectsApi._handle_job_state`` / ``_handle_job_progress`` / ``_handle_job_eta``
/ ``_handle_job_result`` ...). The clock stops when the last frame was handled *and* every
background task the handlers started (``jobResult`` is applied in a task) has finished.

Each repetition uses a fresh client; projects are registered the way ``projects.create``
does after sending the ``jobRequest`` (``Project(params, api, id=...)``, appended to the
tracked list, submit time recorded), outside the clock. ``recv()`` never suspends, which is
the cheapest possible socket for the SDK (a live one yields to the event loop per frame).
"""

from __future__ import annotations

import asyncio
import gc
import json
import logging
import sys
import time
from typing import Any

import httpx  # type: ignore[import-not-found, unused-ignore]
from sogni_client import SogniClient  # type: ignore[import-not-found, unused-ignore]
from sogni_client.projects import Project  # type: ignore[import-not-found, unused-ignore]


def _rest(request: Any) -> Any:
    """In-memory REST host: empty but well-formed answers, never an error."""
    path = request.url.path
    if path.startswith("/api/v1/models/list"):
        return httpx.Response(200, json=[])
    if path.startswith("/v1/subscriptions/status"):
        return httpx.Response(200, json={"status": "success", "data": {"active": False}})
    return httpx.Response(200, json={"status": "success", "data": {}})


class _Socket:
    """The object ``websocket_factory`` returns: serves the recorded frames."""

    def __init__(self, frames: list[bytes]) -> None:
        self._frames = frames
        self._next = 0
        self.go = asyncio.Event()
        self.drained = asyncio.Event()
        self._never: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    async def recv(self) -> bytes:
        if self._next == 0 and not self.go.is_set():
            await self.go.wait()
        if self._next < len(self._frames):
            frame = self._frames[self._next]
            self._next += 1
            return frame
        self.drained.set()
        await self._never
        raise AssertionError("unreachable")

    async def send(self, _text: str) -> None:
        return None

    async def close(self, code: int = 1000, reason: str = "") -> None:
        if not self._never.done():
            self._never.cancel()


async def _one(frames: list[bytes], project_ids: list[str], params: dict[str, Any]) -> Any:
    opened = asyncio.Event()
    holder: dict[str, _Socket] = {}

    async def factory(_url: str, **_kwargs: Any) -> _Socket:
        sock = _Socket(frames)
        holder["socket"] = sock
        opened.set()
        return sock

    mock = httpx.MockTransport(_rest)
    rest = httpx.AsyncClient(transport=mock)
    socket_rest = httpx.AsyncClient(transport=mock)
    client = await SogniClient.create(
        app_id="bench-frames",
        api_key="bench-key",
        rest_endpoint="http://127.0.0.1:9",
        socket_endpoint="ws://127.0.0.1:9",
        http_client=rest,
        socket_http_client=socket_rest,
        websocket_factory=factory,
    )
    await asyncio.wait_for(opened.wait(), 10)
    for _ in range(20):  # let the start-up REST calls (account, ...) settle
        await asyncio.sleep(0)
    await asyncio.sleep(0.01)
    api = client.projects
    projects = []
    for pid in project_ids:
        project = Project(dict(params), api, id=pid)
        api._projects.append(project)
        api._submitted_at[pid] = time.time()
        projects.append(project)
    sock = holder["socket"]
    reader = client.api_client.socket._reader_task
    gc.collect()

    cpu0 = time.process_time()
    start = time.perf_counter()
    sock.go.set()
    await sock.drained.wait()
    while api._background_tasks:
        await asyncio.gather(*list(api._background_tasks), return_exceptions=True)
    elapsed = time.perf_counter() - start
    cpu = time.process_time() - cpu0

    state = {
        "projects": len(projects),
        "completed": sum(1 for p in projects if p.status == "completed"),
        "jobs": sum(len(p.jobs) for p in projects),
        "jobs_completed": sum(1 for p in projects for j in p.jobs if j.status == "completed"),
        "reader_alive": reader is not None and not reader.done(),
    }
    for project in projects:
        project._dispose()
    await client.aclose()
    await rest.aclose()
    await socket_rest.aclose()
    return elapsed, cpu, state


async def _main(job: dict[str, Any]) -> dict[str, Any]:
    """Warm up, then measure like bench/frames.py does (repeat, then up to min_time)."""
    frames = [f.encode() for f in job["frames"]]
    ids, params = job["project_ids"], job["params"]
    seconds: list[float] = []
    cpus: list[float] = []
    state: dict[str, Any] = {}
    for _ in range(job["warmup"]):
        await _one(frames, ids, params)
    repeat, min_time = job["repeat"], job.get("min_time", 0.0)
    while len(seconds) < repeat or (sum(seconds) < min_time and len(seconds) < 20 * repeat):
        elapsed, cpu, state = await _one(frames, ids, params)
        seconds.append(elapsed)
        cpus.append(cpu)
    return {"seconds": seconds, "cpu": cpus, "frames": len(frames), "state": state}


def main() -> None:
    logging.disable(logging.CRITICAL)  # the SDK logs every stand-in REST quirk
    with open(sys.argv[1], encoding="utf-8") as fh:
        job = json.load(fh)
    result = asyncio.run(_main(job))
    import sogni_client  # type: ignore[import-not-found, unused-ignore]

    result["sdk_version"] = getattr(sogni_client, "__version__", "?")
    result["python"] = sys.version.split()[0]
    print(json.dumps(result))


if __name__ == "__main__":
    main()
