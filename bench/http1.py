"""One small REST cycle through the HTTP/1.1 codec: ours against h11.

Run from the repository root::

    .venv/bin/python -m bench.http1            # about 5 s
    .venv/bin/python bench/http1.py --cycles 20000 --repeat 5

A cycle is what a request pool does per REST call on a kept-alive connection:
``start()`` (build the request), ``receive()`` of the whole response as one
``recv`` would return it, ``result()`` and ``finish()``. The response is a
typical API answer: ``200 OK``, 8 headers, a ~300-byte JSON body framed by
``Content-Length``. The contenders are :class:`sogni_core.client.Http1Exchange`
and an h11 wrapper with the same interface, ``bench/_h11_exchange.py``
``Exchange`` (imported by path), which is how the pools drove h11 before.
Each repetition runs ``--cycles`` cycles on one exchange, the contenders
taking turns (so both see the same machine load); the best repetition (CPU
time, ``process_time``) is reported, and the ratio h11 / ours (the target is
>= 5).
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a file: make ``sogni_core`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sogni_core.client import Http1Exchange  # noqa: E402

__all__ = ["RESPONSE", "main", "measure"]

ROOT = Path(__file__).resolve().parents[1]
TARGET = 5.0

_BODY = (
    b'{"status":"success","data":{"projectId":"8F2C4A1E-6B7D-4E3F-9A0B-1C2D3E4F5A6B",'
    b'"jobs":[{"id":"3A4B5C6D-7E8F-4A1B-8C2D-9E0F1A2B3C4D","status":"completed",'
    b'"resultUrl":"https://complete-images.sogni.ai/8F2C4A1E/3A4B5C6D.png?X-Amz-Expires=3600",'
    b'"workerName":"gpu-worker-17","costInSogni":"0.42"}],"createdAt":1764586800000}}'
)
RESPONSE: bytes = (
    b"HTTP/1.1 200 OK\r\n"
    b"Date: Tue, 01 Dec 2026 11:00:00 GMT\r\n"
    b"Content-Type: application/json; charset=utf-8\r\n"
    b"Content-Length: " + str(len(_BODY)).encode() + b"\r\n"
    b"Connection: keep-alive\r\n"
    b"Server: nginx\r\n"
    b"Vary: Accept-Encoding\r\n"
    b"X-Request-Id: 6f1d2c3b4a5e6f708192a3b4c5d6e7f8\r\n"
    b"Cache-Control: no-cache\r\n"
    b"\r\n" + _BODY
)
"""A typical small REST answer (one ``recv``)."""

_HEADERS = [
    ("accept", "application/json"),
    ("user-agent", "sogni-core/0.1"),
    ("authorization", "Bearer sk-bench-not-a-secret"),
]


def _h11_exchange() -> Any:
    """Today's ``Exchange`` class, loaded from its file (no transport imports)."""
    path = ROOT / "bench" / "_h11_exchange.py"
    spec = importlib.util.spec_from_file_location("_bench_http11", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.Exchange


def _cycles(make: Callable[[], Any], n: int) -> float:
    """CPU seconds for ``n`` cycles on one exchange."""
    ex = make()
    response = RESPONSE
    headers = _HEADERS
    gc.collect()
    start = time.process_time()
    for _ in range(n):
        ex.start("GET", "api.sogni.ai", "/v1/projects/8F2C4A1E", headers, None)
        if not ex.receive(response):
            raise AssertionError("response not complete")
        status, _, body = ex.result()
        if status != 200 or len(body) != len(_BODY) or not ex.finish():
            raise AssertionError("bad cycle")
    return time.process_time() - start


def measure(cycles: int = 20_000, repeat: int = 5) -> dict[str, float]:
    """Best CPU microseconds per cycle for each contender, and the ratio."""
    contenders: dict[str, Callable[[], Any]] = {"ours": Http1Exchange, "h11": _h11_exchange()}
    best = dict.fromkeys(contenders, float("inf"))
    for _ in range(repeat):  # interleaved, so both see the same machine load
        for name, make in contenders.items():
            best[name] = min(best[name], _cycles(make, cycles))
    out = {name: t / cycles * 1e6 for name, t in best.items()}
    out["ratio"] = best["h11"] / best["ours"]
    return out


def main(argv: list[str] | None = None) -> int:
    """Print the table; exit status 1 when the ratio misses the target."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--cycles", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    r = measure(args.cycles, args.repeat)
    print(f"response: {len(RESPONSE)} bytes, 8 headers, {len(_BODY)}-byte body (Content-Length)")
    print(f"{'contender':<10} {'us/cycle (CPU)':>15}")
    print(f"{'ours':<10} {r['ours']:>15.2f}")
    print(f"{'h11':<10} {r['h11']:>15.2f}")
    verdict = "met" if r["ratio"] >= TARGET else "MISSED"
    print(f"ratio h11/ours: {r['ratio']:.1f}x (target >= {TARGET:.0f}x: {verdict})")
    return 0 if r["ratio"] >= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
