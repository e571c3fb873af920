"""Fuzz harness of the socket frame codec (sogni_core.protocol.frames).

Invariant (STYLE Q8): any bytes fed to the receive path produce a decoded frame/event or
:class:`RemoteProtocolError`, nothing else, and the same outcome whole and reassembled
from fragments. Inputs are used three ways: as a whole frame, as the base64 payload of a
frame of a known type (to reach the typed decoders), and split into fragments.

Run with atheris (optional; imported lazily so the module loads without it)::

    pip install atheris
    python fuzz/frames_fuzz.py fuzz/corpus/frames -max_total_time=60

``python fuzz/frames_fuzz.py --write-corpus`` rewrites the seed corpus from spec/vectors.
The bounded Hypothesis smoke pass in tests/fuzz/test_frames_fuzz_smoke.py runs ``check``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from sogni_core.protocol import _generated, frames
from sogni_core.protocol._errors import RemoteProtocolError

ROOT = Path(__file__).resolve().parent.parent
VECTORS = ROOT / "spec" / "vectors"
CORPUS = Path(__file__).resolve().parent / "corpus" / "frames"

DECODERS: tuple[Callable[[Any], object], ...] = (
    frames.decode_frame,
    frames.decode_server_event,
    frames.decode_client_message,
    lambda d: frames.decode_server_event(d, strict=True),
    lambda d: frames.decode_client_message(d, strict=True),
)
TYPES: tuple[str, ...] = tuple(
    sorted(set(_generated.SERVER_EVENTS) | set(_generated.CLIENT_MESSAGES))
)


def _seeds() -> list[bytes]:
    out: list[bytes] = []
    for name in ("frames.json", "decoding.json"):
        for vector in json.loads((VECTORS / name).read_text(encoding="utf-8"))["vectors"]:
            if "frame_hex" in vector:
                out.append(bytes.fromhex(vector["frame_hex"]))
            else:
                out.append(vector["frame"].encode("utf-8"))
    return out


#: Seed inputs: every golden and decoding-rule frame of spec/vectors.
SEEDS: list[bytes] = _seeds()


def _outcome(decode: Callable[[Any], object], data: str | bytes) -> object:
    try:
        return decode(data)
    except RemoteProtocolError as exc:
        return ("error", type(exc))


def _run(data: str | bytes, split: int) -> None:
    for decode in DECODERS:
        whole = _outcome(decode, data)
        assembler = frames.FrameAssembler()
        cut = split % (len(data) + 1)
        assert assembler.feed(data[:cut], final=False) is None
        joined = assembler.feed(data[cut:], final=True)
        assert joined == data, "reassembly changed the message"
        assert _outcome(decode, joined) == whole, "fragmented decode differs from whole"


def check(data: bytes) -> None:
    """Assert the invariant for one input; raise AssertionError (or anything else) if broken.

    Args:
        data: arbitrary bytes; the first byte steers the split point and payload type.
    """
    steer = data[0] if data else 0
    _run(data, steer * 7)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        _run(text, steer * 3)
    # The input as the payload of a frame of a known type reaches the typed decoders.
    frame_type = TYPES[steer % len(TYPES)]
    wrapped = json.dumps({"type": frame_type, "data": base64.b64encode(data[1:]).decode()})
    _run(wrapped, steer)


def write_corpus(directory: Path = CORPUS) -> int:
    """Write every seed as one corpus file named by its hash; return how many."""
    directory.mkdir(parents=True, exist_ok=True)
    for old in directory.iterdir():
        old.unlink()
    for seed in SEEDS:
        (directory / hashlib.sha1(seed).hexdigest()[:16]).write_bytes(seed)
    return len(SEEDS)


def main(argv: Sequence[str] | None = None) -> int:
    """Run atheris (when installed) on :func:`check`, or write the seed corpus."""
    args = list(sys.argv if argv is None else argv)
    if "--write-corpus" in args:
        print(f"wrote {write_corpus()} seeds to {CORPUS}")
        return 0
    try:
        import atheris  # type: ignore[import-not-found, import-untyped, unused-ignore]
    except ImportError:
        print("atheris is not installed (pip install atheris); the smoke test runs check()")
        return 2
    atheris.instrument_all()  # coverage-guide through the already-imported codec
    atheris.Setup(args, check)
    atheris.Fuzz()
    return 0


if __name__ == "__main__":
    sys.exit(main())
