"""Fuzz the WebSocket frame reader (STYLE Q8): random bytes give only items or WebSocketClosed.

The invariant, checked for every input, with permessage-deflate off and on:

* feeding the bytes whole, in two chunks and in three chunks (split points
  derived from the input), and one byte at a time for short inputs, either
  gives the same items every time or raises :class:`WebSocketClosed` with the
  same close code every time (1002, 1007 or 1009); nothing else may escape -
  any other exception is a reader bug. Feeding stops after a close frame, as a
  transport does;
* every item is a ``str``, ``bytes`` (at most ``MAX_MESSAGE`` long),
  :class:`PingReceived` (payload at most 125 bytes) or :class:`CloseReceived`
  (the last item, with a valid close code or 1005);
* once the reader raised or returned a close, it refuses more input with 1002.

Run with atheris (``pip install atheris``, or ``pip install --target .cache/atheris
atheris`` and ``PYTHONPATH=.cache/atheris``)::

    mkdir -p /tmp/wsframes-corpus
    python fuzz/wsframes_fuzz.py /tmp/wsframes-corpus -max_total_time=60

The seed inputs below are hand-built server frames (RFC 6455 §5.2, RFC 7692
§7.2.3 examples): text, binary, the three length forms, fragments with a ping
between them, compressed messages, a close, and a few broken frames; atheris
starts from them when given an empty corpus directory.
``tests/fuzz/test_wsframes_fuzz_smoke.py`` runs the same check as a bounded
Hypothesis pass in CI.
"""

from __future__ import annotations

import importlib
import sys
import zlib
from pathlib import Path
from typing import Any

from sogni_core.client._errors import WebSocketClosed
from sogni_core.client._wsframes import CloseReceived, PingReceived, ReaderItem, WebSocketReader

# Small limit so the fuzzer reaches the size paths (declared, summed, inflated) quickly.
MAX_MESSAGE = 4096


def _frame(b0: int, payload: bytes) -> bytes:
    """One unmasked frame: first byte ``b0``, then the shortest length form."""
    n = len(payload)
    if n < 126:
        return bytes([b0, n]) + payload
    if n < 65536:
        return bytes([b0, 126]) + n.to_bytes(2, "big") + payload
    return bytes([b0, 127]) + n.to_bytes(8, "big") + payload


def _deflate(data: bytes) -> bytes:
    c = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)
    return (c.compress(data) + c.flush(zlib.Z_SYNC_FLUSH))[:-4]


SEEDS: tuple[bytes, ...] = (
    _frame(0x81, b"hello") + _frame(0x82, b"\x00\x01\xff"),
    _frame(0x81, "h\u00e9llo \u2603 \U0001f3a8".encode()) + _frame(0x81, b"") + _frame(0x82, b""),
    _frame(0x82, b"m" * 300) + bytes([0x82, 127]) + (5).to_bytes(8, "big") + b"short",
    _frame(0x01, b"frag") + _frame(0x89, b"ping") + _frame(0x80, b"ment") + _frame(0x8A, b""),
    _frame(0x80, b"continuation without a message"),
    bytes.fromhex("c107f248cdc9c90700"),  # RFC 7692 §7.2.3.1: "Hello", compressed
    bytes.fromhex("41 03 f2 48 cd 80 04 c9 c9 07 00".replace(" ", "")),  # §7.2.3.1, fragmented
    bytes.fromhex("c107f248cdc9c90700c105f200110000"),  # §7.2.3.2: the second uses the context
    _frame(0xC1, bytes.fromhex("f348cdc9c90700")),  # §7.2.3.5: BFINAL set
    _frame(0xC2, _deflate(b"\x00" * 100_000)),  # inflates past MAX_MESSAGE
    _frame(0x81, b"bye?") + _frame(0x88, b"\x03\xe8bye") + b"\x81\x85trailing",
    _frame(0x88, b"\x03\xed") + _frame(0x88, b"\x03"),  # 1005 on the wire, 1-byte close
    bytes([0x81, 0x82, 1, 2, 3, 4, 0x69, 0x6B]),  # masked
    _frame(0xF1, b"rsv") + _frame(0x83, b"op3"),
    _frame(0x81, b"\xed\xa0\x80"),  # a UTF-8-encoded surrogate
)


def _run(chunks: list[bytes], deflate: bool) -> tuple[str, Any]:
    """Feed ``chunks``: ``("items", [...])``, or ``("closed", code)`` when the reader raised."""
    reader = WebSocketReader(deflate=deflate, max_message_size=MAX_MESSAGE)
    out: list[ReaderItem] = []
    try:
        for chunk in chunks:
            out.extend(reader.receive(chunk))
            if out and type(out[-1]) is CloseReceived:
                break
    except WebSocketClosed as exc:
        assert exc.code in (1002, 1007, 1009), exc.code
        result: tuple[str, Any] = ("closed", exc.code)
    else:
        result = ("items", out)
    for i, item in enumerate(out):
        kind = type(item)
        assert kind in (str, bytes, PingReceived, CloseReceived), item
        if kind is str:
            assert isinstance(item, str) and len(item.encode()) <= MAX_MESSAGE
        elif kind is bytes:
            assert isinstance(item, bytes) and len(item) <= MAX_MESSAGE
        elif isinstance(item, PingReceived):
            assert type(item.payload) is bytes and len(item.payload) <= 125
        else:
            assert isinstance(item, CloseReceived) and i == len(out) - 1
            assert item.code == 1005 or 1000 <= item.code <= 4999, item.code
            assert type(item.reason) is str and len(item.reason.encode()) <= 123
    if result[0] == "closed" or (out and type(out[-1]) is CloseReceived):
        try:
            reader.receive(b"")
        except WebSocketClosed as exc:
            assert exc.code == 1002, exc.code
        else:
            raise AssertionError("the reader accepted input after it was done")
    return result


def _splits(data: bytes) -> tuple[int, int]:
    """Two split points derived from the input (any point is reachable)."""
    h = zlib.crc32(data)
    n = len(data) + 1
    return h % n, (h >> 16) % n


def check(data: bytes) -> None:
    """Assert the fuzz invariant for one input (raises AssertionError on a bug)."""
    i, j = sorted(_splits(data))
    for deflate in (False, True):
        whole = _run([data], deflate)
        two = _run([data[:i], data[i:]], deflate)
        three = _run([data[:i], data[i:j], data[j:]], deflate)
        assert whole == two == three, (deflate, i, j, whole, two, three)
        if len(data) <= 256:
            bytewise = _run([data[k : k + 1] for k in range(len(data))], deflate)
            assert whole == bytewise, (deflate, whole, bytewise)


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
    # The reader is already imported; instrument everything loaded so far.
    atheris.instrument_all()
    _seed_corpus(argv)
    atheris.Setup(argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main(sys.argv)
