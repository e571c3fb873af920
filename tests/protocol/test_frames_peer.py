"""Differential test: the official TS SDK's receive path against decode_frame.

tests/protocol/sdk_peer/receive.js feeds frames to the unmodified WebSocketClient of
@sogni-ai/sogni-client 5.54.0 (the shared node peer that tests/_peers.py installs)
and reports what it dispatches. Every golden frame, every decoding-rule vector and a batch
of deterministic mutations of them must decode to the same (type, payload) here, and a
frame the SDK drops (or dispatches under a non-string type, which no listener can receive)
must raise RemoteProtocolError here.
"""

from __future__ import annotations

import base64
import json
import math
import shutil
import struct
import subprocess
from pathlib import Path
from typing import Any

import pytest

from sogni_core.protocol import frames
from sogni_core.protocol._errors import RemoteProtocolError
from tests._peers import node_peer_dir

HERE = Path(__file__).resolve().parent
PEER = HERE / "sdk_peer"
VECTORS = HERE.parents[1] / "spec" / "vectors"


def _ensure_sdk() -> None:
    node_peer_dir()


def _inputs() -> list[bytes]:
    out: list[bytes] = []
    for name in ("frames.json", "decoding.json"):
        for vector in json.loads((VECTORS / name).read_text(encoding="utf-8"))["vectors"]:
            if "frame_hex" in vector:
                out.append(bytes.fromhex(vector["frame_hex"]))
            else:
                out.append(vector["frame"].encode("utf-8"))
    # Deterministic byte-level mutations (an LCG, so the batch is the same every run).
    state = 12345
    seeds = list(out)
    for i in range(600):
        state = (state * 1103515245 + 12345) % 2**31
        data = bytearray(seeds[i % len(seeds)])
        at = state % max(len(data), 1)
        op = (state >> 8) % 4
        if op == 0 and data:
            data[at] ^= 1 << ((state >> 12) % 8)
        elif op == 1:
            data[at:at] = bytes([(state >> 4) % 256])
        elif op == 2 and data:
            del data[at]
        else:
            del data[at:]
        out.append(bytes(data))
    # Mutations of the payload JSON itself, re-wrapped in valid base64: JSON.parse and
    # TextDecoder semantics (lone surrogate escapes, 1e400, BOMs, invalid UTF-8).
    vectors = json.loads((VECTORS / "frames.json").read_text(encoding="utf-8"))["vectors"]
    payloads = [json.dumps(v["payload"], separators=(",", ":")).encode() for v in vectors]
    inserts = [
        b"\\ud800",
        b"1e400",
        b"\xef\xbb\xbf",
        b"\xff",
        b"-0",
        b'"jobID":"ab",',
        b"00",
        b"\t",
    ]
    for i in range(600):
        state = (state * 1103515245 + 12345) % 2**31
        data = bytearray(payloads[i % len(payloads)])
        at = state % (len(data) + 1)
        if (state >> 9) % 2:
            data[at:at] = inserts[(state >> 3) % len(inserts)]
        elif at < len(data):
            data[at] ^= 1 << ((state >> 12) % 8)
        frame_type = "jobProgress" if i % 2 else "unknownType"
        envelope = {"type": frame_type, "data": base64.b64encode(bytes(data)).decode()}
        out.append(json.dumps(envelope, separators=(",", ":")).encode())
    return out


def _js_values(value: Any) -> Any:
    """What JSON.stringify shows of a value: non-finite numbers become null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _js_values(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_js_values(v) for v in value]
    return value


@pytest.fixture(scope="module")
def sdk_results() -> tuple[list[bytes], list[dict[str, Any]]]:
    _ensure_sdk()
    node = shutil.which("node")
    assert node, "node is required for the SDK receive-path test"
    inputs = _inputs()
    done = subprocess.run(
        [node, str(PEER / "receive.js")],
        input=json.dumps([d.hex() for d in inputs]),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    results: list[dict[str, Any]] = json.loads(done.stdout)
    assert len(results) == len(inputs)
    return inputs, results


def test_sdk_and_decode_frame_agree(sdk_results: tuple[list[bytes], list[dict[str, Any]]]) -> None:
    inputs, results = sdk_results
    delivered = 0
    for data, sdk in zip(inputs, results, strict=True):
        events = [e for e in sdk["events"] if isinstance(e.get("type"), str)]
        try:
            ours = frames.decode_frame(data)
        except RemoteProtocolError:
            assert sdk["dropped"] or not events, data
            continue
        assert not sdk["dropped"], data
        assert len(events) == 1, data
        expected = (ours.type, _js_values(ours.payload))
        assert (events[0]["type"], events[0].get("payload")) == expected, data
        delivered += 1
    assert delivered > 100  # the batch exercises both outcomes


# ---------------------------------------------------------------------------------------
# encoding: encode_frame against the SDK's send() (JSON.stringify + its base64Encode)


def _random_payloads(count: int) -> list[Any]:
    """Deterministic JSON values rich in what JSON.stringify formats specially."""
    state = 99
    strings = ["", "a", "é", "日本", "🌍", '"\\', "\b\f\n\r\t", "\x00\x01\x1f\x7f", "\u2028\u2029"]
    strings += ["\ufeffbom", "<script>", "tab\tand space", "\U0010ffff"]

    def rand() -> int:
        nonlocal state
        state = (state * 6364136223846793005 + 1442695040888963407) % 2**64
        return state >> 11

    def number() -> float | int:
        kind = rand() % 6
        if kind == 0:
            return rand() % 10**6 - 5 * 10**5
        if kind == 1:
            return float(rand() % 1000)  # integral float
        if kind == 2:
            bits = rand() % 2**64
            value: float = struct.unpack("<d", bits.to_bytes(8, "little"))[0]
            return value if math.isfinite(value) else 0.5
        if kind == 3:
            return (rand() % 10**6) / float(10 ** (rand() % 12))
        if kind == 4:
            return float(f"1e{rand() % 60 - 30}")
        return -0.0

    def value(depth: int) -> Any:
        kind = rand() % (7 if depth < 3 else 4)
        if kind == 0:
            return number()
        if kind == 1:
            return "".join(strings[rand() % len(strings)] for _ in range(rand() % 4))
        if kind == 2:
            return [True, False, None][rand() % 3]
        if kind == 3:
            return strings[rand() % len(strings)]
        if kind == 4:
            return [value(depth + 1) for _ in range(rand() % 4)]
        keys = [strings[rand() % len(strings)] + str(i) for i in range(rand() % 4)]
        keys += [str(rand() % 20) for _ in range(rand() % 2)]  # array-index keys go first
        return {k: value(depth + 1) for k in keys}

    return [value(0) for _ in range(count)]


def test_encode_frame_matches_sdk_send() -> None:
    _ensure_sdk()
    node = shutil.which("node")
    assert node, "node is required for the SDK send-path test"
    vectors = json.loads((VECTORS / "frames.json").read_text(encoding="utf-8"))["vectors"]
    cases = [(v["type"], v["payload"]) for v in vectors]
    cases += [("t", p) for p in _random_payloads(400)]
    # Python's JSON text (repr digits, \\u escapes) gives node the very same values.
    source = json.dumps([{"type": t, "payload": p} for t, p in cases], allow_nan=False)
    done = subprocess.run(
        [node, str(PEER / "receive.js"), "encode"],
        input=source,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    sdk_frames = json.loads(done.stdout)
    for (frame_type, payload), expected in zip(cases, sdk_frames, strict=True):
        assert frames.encode_frame(frame_type, payload) == expected, payload
