"""Table tests of the socket frame codec against the golden vectors in spec/vectors/.

Every vector runs both ways (payload -> frame text, frame text -> payload and typed
event) and every decode runs whole and reassembled from fragments split at every
position (STYLE Q2). A Hypothesis property checks decode(encode(x)) == x for every
generated Struct, and one node run checks the JavaScript number formatting.
"""

from __future__ import annotations

import json
import math
import shutil
import struct
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sogni_core.protocol as protocol
from sogni_core.protocol import _generated, frames
from sogni_core.protocol._errors import LocalProtocolError, RemoteProtocolError
from sogni_core.protocol._generated import socket as sock

ROOT = Path(__file__).resolve().parents[2]
VECTORS = ROOT / "spec" / "vectors"
FRAMES = json.loads((VECTORS / "frames.json").read_text(encoding="utf-8"))["vectors"]
DECODING = json.loads((VECTORS / "decoding.json").read_text(encoding="utf-8"))["vectors"]


def _raw(vector: dict[str, Any]) -> str | bytes:
    if "frame_hex" in vector:
        return bytes.fromhex(vector["frame_hex"])
    text: str = vector["frame"]
    return text


def _typed(direction: str) -> Any:
    return frames.decode_server_event if direction == "server" else frames.decode_client_message


def _fragments(data: str | bytes) -> Iterator[list[str | bytes]]:
    """Every two-way split, then one unit at a time (bytes may split UTF-8 sequences)."""
    for i in range(len(data) + 1):
        yield [data[:i], data[i:]]
    yield [data[i : i + 1] for i in range(len(data))] or [data]


def _reassemble(parts: list[str | bytes]) -> str | bytes:
    assembler = frames.FrameAssembler()
    for part in parts[:-1]:
        assert assembler.feed(part, final=False) is None
        assert assembler.pending or part in ("", b"")
    whole = assembler.feed(parts[-1], final=True)
    assert whole is not None
    assert not assembler.pending
    return whole


def _ids(vectors: list[dict[str, Any]]) -> list[str]:
    return [v["name"] for v in vectors]


# ---------------------------------------------------------------------------------------
# golden frames


def test_vectors_cover_every_wire_type_and_class() -> None:
    server = {v["type"] for v in FRAMES if v["direction"] == "server"}
    client = {v["type"] for v in FRAMES if v["direction"] == "client"}
    assert server == set(_generated.SERVER_EVENTS)
    assert client == set(_generated.CLIENT_MESSAGES)
    classes = {v["class"] for v in FRAMES}
    every = {c.__name__ for group in _generated.SERVER_EVENT_CLASSES.values() for c in group}
    every |= {c.__name__ for group in _generated.CLIENT_MESSAGE_CLASSES.values() for c in group}
    assert classes == every


@pytest.mark.parametrize("vector", FRAMES, ids=_ids(FRAMES))
def test_encode_frame_matches_javascript(vector: dict[str, Any]) -> None:
    assert frames.encode_frame(vector["type"], vector["payload"]) == vector["frame"]


@pytest.mark.parametrize("vector", FRAMES, ids=_ids(FRAMES))
def test_decode_frame_whole_and_fragmented(vector: dict[str, Any]) -> None:
    expected = frames.Frame(type=vector["type"], payload=vector["payload"])
    text: str = vector["frame"]
    assert frames.decode_frame(text) == expected
    assert frames.decode_frame(text.encode()) == expected
    for data in (text, text.encode()):
        for parts in _fragments(data):
            assert frames.decode_frame(_reassemble(parts)) == expected


@pytest.mark.parametrize("vector", FRAMES, ids=_ids(FRAMES))
def test_typed_decode_and_reencode(vector: dict[str, Any]) -> None:
    cls = getattr(sock, vector["class"])
    decode = _typed(vector["direction"])
    event = decode(vector["frame"])
    assert type(event) is cls
    assert type(event).__wire_type__ == vector["type"]
    # Strict twins prove the spec names every field the vector carries.
    strict = decode(vector["frame"], strict=True)
    assert type(strict) is _generated.MODULES["socket"].STRICT[cls]
    assert isinstance(strict, cls)
    assert msgspec.to_builtins(strict) == msgspec.to_builtins(event)
    again = frames.encode_message(event)
    assert (again == vector["frame"]) is vector.get("exact", True)
    assert decode(again) == event
    # Fragmented delivery decodes to the same event.
    for parts in list(_fragments(vector["frame"]))[::7]:
        assert decode(_reassemble(parts)) == event


def test_typed_event_fields_use_snake_case_names() -> None:
    by_name = {v["name"]: v for v in FRAMES}
    progress = frames.decode_server_event(by_name["jobProgress"]["frame"])
    assert isinstance(progress, protocol.JobProgress)
    assert (progress.job_id, progress.img_id, progress.has_image) == (
        "3F2504E0-4F89-41D3-9A0C-0305E82C3301",
        "9B2C7D1E-0A4F-4C3B-8E6D-5F1A2B3C4D5E",
        True,
    )
    assert (progress.step, progress.step_count, progress.progress, progress.eta_seconds) == (
        3,
        20,
        None,
        None,
    )
    eta = frames.decode_server_event(by_name["jobProgress external with eta"]["frame"])
    assert isinstance(eta, protocol.JobProgress)
    assert (eta.progress, eta.eta_seconds, eta.eta_min, eta.eta_max) == (0.42, 17.5, 12.0, 25.0)
    models = frames.decode_server_event(by_name["swarmModels"]["frame"])
    assert isinstance(models, protocol.SwarmModels)
    assert models.models["flux1-schnell-fp8"] == 12
    network = frames.decode_client_message(by_name["changeNetwork relaxed"]["frame"])
    assert network == protocol.ChangeNetwork(network=protocol.Network.RELAXED)


def test_javascript_peer_agrees_with_stored_frames() -> None:
    node = shutil.which("node")
    assert node, "node is required to check the golden frames against JavaScript"
    done = subprocess.run(
        [node, str(VECTORS / "build.mjs"), "--check"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr


# ---------------------------------------------------------------------------------------
# decoding rules


@pytest.mark.parametrize("vector", DECODING, ids=_ids(DECODING))
def test_decoding_rules(vector: dict[str, Any]) -> None:
    data = _raw(vector)
    decode = _typed(vector["direction"])
    chunked = [_reassemble(parts) for parts in list(_fragments(data))[::5]]
    for item in [data, *chunked]:
        if vector.get("error") == "always":
            with pytest.raises(RemoteProtocolError):
                frames.decode_frame(item)
            with pytest.raises(RemoteProtocolError):
                decode(item)
            continue
        if vector.get("error") == "typed":
            frames.decode_frame(item)  # well formed
            with pytest.raises(RemoteProtocolError):
                decode(item)
            with pytest.raises(RemoteProtocolError):
                decode(item, strict=True)
            continue
        expect = vector["expect"]
        assert frames.decode_frame(item) == frames.Frame(
            type=expect["type"], payload=expect["payload"]
        )
        event = decode(item)
        if vector.get("unknown"):
            assert event == frames.UnknownEvent(type=expect["type"], payload=expect["payload"])
        else:
            assert type(event) is getattr(sock, vector["class"])
            # The typed event carries the same normalised values.
            info = msgspec.inspect.type_info(type(event))
            assert isinstance(info, msgspec.inspect.StructType)
            known = {f.encode_name for f in info.fields}
            tag = type(event).__struct_config__.tag_field
            payload = {k: v for k, v in expect["payload"].items() if k in known or k == tag}
            if type(event).__wire_bare__ is None:
                assert msgspec.to_builtins(event) == payload


def test_strict_mode_rejects_unknown_fields() -> None:
    text = frames.encode_frame("jobETA", {"jobID": "A", "etaSeconds": 1, "extra": True})
    assert frames.decode_server_event(text) == sock.JobETA(job_id="A", eta_seconds=1)
    with pytest.raises(RemoteProtocolError):
        frames.decode_server_event(text, strict=True)
    nested = frames.encode_frame(
        "jobTokens", {"jobID": "A", "usage": {"prompt_tokens": 1, "completion_tokens": 2, "x": 0}}
    )
    assert frames.decode_server_event(nested) == sock.JobTokens(
        job_id="A", usage=sock.TokenUsage(prompt_tokens=1, completion_tokens=2)
    )
    with pytest.raises(RemoteProtocolError):
        frames.decode_server_event(nested, strict=True)


def test_lowercase_ids_are_uppercased_in_typed_events() -> None:
    text = frames.encode_frame("jobProgress", {"jobID": "ab-c1", "imgID": "d2e", "step": 1})
    event = frames.decode_server_event(text)
    assert event == sock.JobProgress(job_id="AB-C1", img_id="D2E", step=1)
    queued = frames.encode_frame("jobState", {"type": "queued", "jobID": "q1"})
    assert frames.decode_server_event(queued) == sock.JobStateQueued(job_id="Q1")


# ---------------------------------------------------------------------------------------
# encoding details


def test_encode_message_requires_a_wire_struct() -> None:
    with pytest.raises(LocalProtocolError):
        frames.encode_message(sock.TokenUsage(prompt_tokens=1, completion_tokens=1))
    with pytest.raises(LocalProtocolError):
        frames.encode_message(object())  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "payload",
    [object(), {"s": "\ud800"}, {(1, 2): "tuple key"}, {"d": 1j}],
    ids=["object", "lone-surrogate", "tuple-key", "complex"],
)
def test_unencodable_payloads_raise_local_protocol_error(payload: object) -> None:
    with pytest.raises(LocalProtocolError):
        frames.encode_frame("x", payload)


def test_encode_is_compact_ordered_and_raw_unicode() -> None:
    payload = {"z": 1, "a": [1.0, 2.5, None, True], "é": "日本 🌍", "n": {"k": -0.0}}
    assert (
        frames.encode_payload(payload)
        == '{"z":1,"a":[1,2.5,null,true],"é":"日本 🌍","n":{"k":0}}'.encode()
    )
    assert frames.encode_payload(sock.CancelJob(job_id="P")) == (
        b'{"jobID":"P","error":"artistCanceled","error_message":"artistCanceled","isFromWorker":false}'
    )
    assert frames.encode_payload(protocol.Network.FAST) == b'"fast"'
    assert frames.encode_payload((1, 2)) == b"[1,2]"
    # Array-index keys come first in numeric order (node: JSON.stringify of this object).
    odd = {"b": 1, "10": 2, "2": 3, "01": 4, "-1": 5, "4294967294": 6, "4294967295": 7, "0": 9}
    assert frames.encode_payload(odd) == (
        b'{"0":9,"2":3,"10":2,"4294967294":6,"b":1,"01":4,"-1":5,"4294967295":7}'
    )
    # JavaScript object keys are strings: {1: "x"} stringifies as {"1":"x"}.
    assert frames.encode_payload({1: "x", 2.5: "y"}) == b'{"1":"x","2.5":"y"}'


def _number_sample() -> list[float]:
    fixed = [0.1, 0.5, 1.0, -1.0, 1e21, 1e-7, 1e-6, 123e-20, 2.0**53, 2.0**53 + 2, 2.0**70, 1e20]
    fixed += [5e-324, 1.7976931348623157e308, 0.30000000000000004, 100.5, 1234.5678, -2.5e-8]
    fixed += [9.999999999999999e20, 1.0000000000000001e21, 0.000001234, 123456789.125]
    state = 0x9E3779B97F4A7C15
    out = list(fixed)
    while len(out) < 3000:
        state = (state * 6364136223846793005 + 1442695040888963407) % 2**64
        value = struct.unpack("<d", state.to_bytes(8, "little"))[0]
        if math.isfinite(value):
            out.append(value)
            out.append(float(f"{value:.3e}"))  # short mantissas hit the plain-digits layout
    return out


def test_numbers_match_javascript_json_stringify() -> None:
    node = shutil.which("node")
    assert node, "node is required to compare number formatting with JavaScript"
    sample = _number_sample()
    # JSON text with Python repr digits: node parses the same doubles and re-stringifies.
    source = "[" + ",".join(repr(x) for x in sample) + "]"
    script = (
        "let s='';process.stdin.on('data',d=>s+=d)"
        ".on('end',()=>process.stdout.write(JSON.stringify(JSON.parse(s))))"
    )
    done = subprocess.run(
        [node, "-e", script], input=source, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert frames.encode_payload(sample).decode() == done.stdout


def test_nonfinite_numbers_encode_as_null() -> None:
    assert frames.encode_payload([math.nan, math.inf, -math.inf]) == b"[null,null,null]"


# ---------------------------------------------------------------------------------------
# fragment reassembly


def test_assembler_limits_size_and_recovers() -> None:
    assembler = frames.FrameAssembler(max_size=10)
    assert assembler.feed("12345", final=False) is None
    with pytest.raises(RemoteProtocolError) as info:
        assembler.feed("678901", final=False)
    assert info.value.close_code == 1009
    assert not assembler.pending
    assert assembler.feed("ok", final=True) == "ok"
    with pytest.raises(RemoteProtocolError):
        assembler.feed(b"x" * 11, final=True)


def test_assembler_joins_mixed_fragments_as_bytes() -> None:
    assembler = frames.FrameAssembler()
    assert assembler.feed("é", final=False) is None
    assert assembler.feed(bytearray(b"\xc3"), final=False) is None
    assert assembler.feed(memoryview(b"\xa9"), final=True) == "éé".encode()


# ---------------------------------------------------------------------------------------
# decode(encode(x)) == x for every generated Struct


_TEXT = st.text(st.characters(codec="utf-8"), max_size=12)
_ID = st.uuids().map(lambda u: str(u).upper())
_KEY = _TEXT.filter(lambda k: k not in ("jobID", "imgID"))
_JSON: st.SearchStrategy[Any] = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**53), 2**53)
    # Integral floats beyond 2**53 print as their shortest digits (JavaScript does the
    # same) and come back as a different Python int, equal only as a JS number.
    | st.floats(allow_nan=False, allow_infinity=False).filter(
        lambda x: not (x.is_integer() and abs(x) >= 2**53)
    )
    | _TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_KEY, inner, max_size=3),
    max_leaves=6,
)


def _strategy(t: msgspec.inspect.Type, name: str = "") -> st.SearchStrategy[Any]:
    """A strategy of values of a msgspec type (from msgspec.inspect)."""
    mi = msgspec.inspect
    if isinstance(t, mi.StrType):
        if t.pattern is not None:
            text: st.SearchStrategy[str] = st.from_regex(t.pattern)
        elif name in ("jobID", "imgID"):
            text = _ID
        else:
            text = st.text(st.characters(codec="utf-8"), min_size=t.min_length or 0, max_size=12)
        lo, hi = t.min_length or 0, t.max_length
        return text.filter(lambda x: lo <= len(x) and (hi is None or len(x) <= hi))
    if isinstance(t, mi.BoolType):
        return st.booleans()
    if isinstance(t, mi.IntType):
        low = max(
            -(2**53), t.ge if t.ge is not None else (t.gt + 1 if t.gt is not None else -(2**53))
        )
        high = min(2**53, t.le if t.le is not None else (t.lt - 1 if t.lt is not None else 2**53))
        ints = st.integers(low, high)
        step = t.multiple_of
        return ints if step is None else ints.map(lambda x: x - x % step).filter(lambda x: x >= low)
    if isinstance(t, mi.FloatType):
        return st.floats(
            min_value=t.ge if t.ge is not None else t.gt,
            max_value=t.le if t.le is not None else t.lt,
            exclude_min=t.ge is None and t.gt is not None,
            exclude_max=t.le is None and t.lt is not None,
            allow_nan=False,
            allow_infinity=False,
        )
    if isinstance(t, mi.Metadata):  # extra_json_schema only; the type carries the bounds
        return _strategy(t.type, name)
    if isinstance(t, mi.NoneType):
        return st.none()
    if isinstance(t, mi.AnyType):
        return _JSON
    if isinstance(t, mi.LiteralType):
        return st.sampled_from(t.values)
    if isinstance(t, mi.EnumType):
        return st.sampled_from(list(t.cls))
    if isinstance(t, (mi.VarTupleType, mi.ListType)):
        lo = t.min_length or 0
        items = st.lists(
            _strategy(t.item_type), min_size=lo, max_size=max(lo, min(3, t.max_length or 3))
        )
        return items.map(tuple) if isinstance(t, mi.VarTupleType) else items
    if isinstance(t, mi.DictType):
        lo = t.min_length or 0
        size = max(lo, min(3, t.max_length or 3))
        return st.dictionaries(_KEY, _strategy(t.value_type), min_size=lo, max_size=size)
    if isinstance(t, mi.UnionType):
        return st.one_of([_strategy(x, name) for x in t.types])
    if isinstance(t, mi.StructType):
        required = {f.name: _strategy(f.type, f.encode_name) for f in t.fields if f.required}
        optional = {f.name: _strategy(f.type, f.encode_name) for f in t.fields if not f.required}
        return st.fixed_dictionaries(required, optional=optional).map(lambda kw: t.cls(**kw))
    raise NotImplementedError(f"no strategy for {t!r}")


ALL_STRUCTS = [
    (name, cls) for name, mod in _generated.MODULES.items() for cls in getattr(mod, "STRUCTS", ())
]
WIRE = {c for group in _generated.SERVER_EVENT_CLASSES.values() for c in group}
WIRE |= {c for group in _generated.CLIENT_MESSAGE_CLASSES.values() for c in group}


@pytest.mark.parametrize(
    "cls", [c for _, c in ALL_STRUCTS], ids=[f"{m}.{c.__name__}" for m, c in ALL_STRUCTS]
)
def test_roundtrip_every_generated_struct(cls: type[msgspec.Struct]) -> None:
    strategy = _strategy(msgspec.inspect.type_info(cls))
    # The socket catalogue is this codec's own; other modules get a lighter pass.
    examples = 12 if cls.__module__.endswith(".socket") else 5

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def check(value: msgspec.Struct) -> None:
        assert msgspec.json.decode(msgspec.json.encode(value), type=cls) == value
        # The JavaScript-exact encoder keeps values too (integral floats print as ints).
        assert msgspec.json.decode(frames.encode_payload(value), type=cls) == value
        if cls in WIRE:
            decode = (
                frames.decode_server_event
                if cls.__wire_direction__ == "server"  # type: ignore[attr-defined]
                else frames.decode_client_message
            )
            assert decode(frames.encode_message(value)) == value

    check()
