"""The emulator's frame codec and the fault spec parser (pure functions)."""

from __future__ import annotations

import base64
import json

import pytest
from sogni_emulator._frames import FrameError, decode_frame, encode_frame
from sogni_emulator.faults import FaultPlan, FaultSpecError, parse_faults

CASES = [
    ("changeNetwork", "relaxed", '{"type":"changeNetwork","data":"InJlbGF4ZWQi"}'),
    ("jobState", {"jobID": "A", "type": "queued"}, None),
    ("jobTokens", {"content": "héllo ✓"}, None),
]


@pytest.mark.parametrize(("type_", "payload", "wire"), CASES)
def test_encode_decode_round_trip(type_, payload, wire):
    text = encode_frame(type_, payload)
    if wire is not None:
        assert text == wire  # 01 §2.1 example: "relaxed" -> InJlbGF4ZWQi
    outer = json.loads(text)
    assert list(outer) == ["type", "data"]
    raw = base64.b64decode(outer["data"], validate=True).decode("utf-8")
    assert "\\u" not in raw  # non-ASCII stays raw UTF-8 like JSON.stringify
    assert " " not in raw.replace("héllo ✓", "")  # compact separators
    assert decode_frame(text) == (type_, payload)
    assert decode_frame(text.encode()) == (type_, payload)


@pytest.mark.parametrize(
    "bad",
    ['{"type":', "[]", '{"data":"e30="}', '{"type":"x","data":"!!!"}', '{"type":"x","data":5}'],
)
def test_decode_rejects_malformed(bad):
    with pytest.raises(FrameError):
        decode_frame(bad)


@pytest.mark.parametrize(
    "empty", ['{"type":"x"}', '{"type":"x","data":""}', '{"type":"x","data":"bnVsbA=="}']
)
def test_missing_or_null_data_is_rejected(empty):
    # the official client drops such frames (01 §2.1), so the emulator ignores them too
    with pytest.raises(FrameError):
        decode_frame(empty)


def test_ids_are_upper_cased():
    frame = decode_frame(encode_frame("jobError", {"jobID": "abc-def", "error": "x"}))
    assert frame.payload["jobID"] == "ABC-DEF"


def test_integral_floats_encode_like_javascript():
    assert decode_frame(encode_frame("x", {"a": 1.0, "b": 0.5})).payload == {"a": 1, "b": 0.5}
    assert b'"a":1,' in base64.b64decode(
        json.loads(encode_frame("x", {"a": 1.0, "b": 0.5}))["data"]
    )


def test_parse_faults_unknown_name_rejected():
    with pytest.raises(FaultSpecError):
        parse_faults("close=4015@3, nsfw, dup")


def test_parse_faults_good():
    close, rest, slow = parse_faults("close=4015@3,rest-429=2:/v1/account/me,slow-workers=2.5")
    assert (close.value, close.at) == (4015, 3)
    assert (rest.value, rest.remaining, rest.path) == (429, 2, "/v1/account/me")
    assert slow.value == 2.5


@pytest.mark.parametrize("bad", ["explode", "close=abc", "drop-after", "rest-429=x"])
def test_parse_faults_rejects(bad):
    with pytest.raises(FaultSpecError):
        parse_faults(bad)


def test_fault_plan_one_shot_and_repeat():
    plan = FaultPlan("rest-503=1,rest-429=1*:/v1/x")
    assert plan.rest_status("/v1/y") == 503
    assert plan.rest_status("/v1/y") is None
    assert plan.rest_status("/v1/x") == 429
    assert plan.rest_status("/v1/x") == 429  # '*' repeats


def test_public_surface():
    import sogni_emulator

    assert sogni_emulator.__all__ == sorted(sogni_emulator.__all__)
    for name in sogni_emulator.__all__:
        assert getattr(sogni_emulator, name) is not None
    assert callable(sogni_emulator.Emulator.run_in_thread)
