"""Fuzz the SSE decoder (STYLE Q8): random bytes in give only SSEEvents or RemoteProtocolError.

The invariant, checked for every input:

* feeding the bytes whole, and one byte at a time, either both succeed with the
  same events or both raise :class:`RemoteProtocolError` (nothing else may
  escape - any other exception is a decoder bug);
* every returned item is an :class:`SSEEvent` with ``str`` fields.

Run with atheris (``pip install atheris``, or ``pip install --target .cache/atheris
atheris`` and ``PYTHONPATH=.cache/atheris``)::

    mkdir -p /tmp/sse-corpus && python fuzz/sse_fuzz.py /tmp/sse-corpus -max_total_time=60

The seed inputs below are the SSE vectors of spec 02 §3.3.4 and §5.5 plus the
WHATWG edge cases (CR/LF/CRLF, BOM, NUL ids, retry); atheris starts from them
when given an empty corpus directory. ``tests/fuzz/test_sse_fuzz_smoke.py``
runs the same check as a bounded Hypothesis pass in CI.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from typing import Any

from sogni_core.protocol._errors import RemoteProtocolError
from sogni_core.protocol.sse import SSEDecoder, SSEEvent

SEEDS: tuple[bytes, ...] = (
    b'id: 7\nevent: workflow_status\ndata: {"workflowId":"wf_1","status":"completed"}\n\n',
    b'id: 3\ndata: {"sequence":3,"type":"run_completed","at":"2026-01-01T00:00:00Z"}\n\n',
    b"event: run_status\ndata: {}\n\n: heartbeat\n\n",
    b"\xef\xbb\xbfdata: a\r\ndata: b\r\rdata: c\n\n",
    b"id: 1\x002\nretry: 1500\nretry: x\ndata\n\n",
    b"data: \xe2\x98\x83 \xf0\x9f\x8e\xa8\n\n",
    b"data: \xff\n\n",
    b"data: unterminated",
)

# Small limits so the fuzzer reaches the limit paths quickly.
MAX_LINE = 256
MAX_EVENT = 1024


def _run(chunks: list[bytes], dispatch_incomplete: bool) -> list[SSEEvent] | None:
    """Decode ``chunks``; ``None`` when the decoder raised RemoteProtocolError."""
    decoder = SSEDecoder(
        dispatch_incomplete=dispatch_incomplete,
        max_line_length=MAX_LINE,
        max_event_size=MAX_EVENT,
    )
    out: list[SSEEvent] = []
    try:
        for chunk in chunks:
            out.extend(decoder.feed(chunk))
        out.extend(decoder.finish())
    except RemoteProtocolError:
        return None
    for event in out:
        assert type(event) is SSEEvent, event
        assert isinstance(event.event, str) and isinstance(event.data, str)
        assert isinstance(event.id, str) and "\0" not in event.id
        assert event.retry is None or (isinstance(event.retry, int) and event.retry >= 0)
        assert len(event.data) <= MAX_EVENT
    return out


def check(data: bytes) -> None:
    """Assert the fuzz invariant for one input (raises AssertionError on a bug)."""
    for incomplete in (False, True):
        whole = _run([data], incomplete)
        bytewise = _run([data[i : i + 1] for i in range(len(data))], incomplete)
        assert whole == bytewise, (whole, bytewise)


def test_one_input(data: bytes) -> None:
    """atheris entry point."""
    check(data)


def _seed_corpus(argv: list[str]) -> None:
    """Write SEEDS into the corpus directory (first non-flag argument) if it is empty."""
    dirs = [Path(a) for a in argv[1:] if not a.startswith("-")]
    if dirs and dirs[0].is_dir() and not any(dirs[0].iterdir()):
        for i, seed in enumerate(SEEDS):
            (dirs[0] / f"seed-{i}").write_bytes(seed)


def main(argv: list[str]) -> None:
    """Run the atheris fuzzer (imported lazily: it is an optional tool)."""
    atheris: Any = importlib.import_module("atheris")
    # The decoder is already imported; instrument everything loaded so far.
    atheris.instrument_all()
    _seed_corpus(argv)
    atheris.Setup(argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main(sys.argv)
