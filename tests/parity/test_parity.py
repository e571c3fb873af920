"""Parity of our jobRequest builder with the official TS SDK 5.54.0.

``harness.js`` runs the SDK's own ``projects.create()`` (compiled dist, from the
shared node peer of ``tests/_peers.py``) against stubbed I/O for every case of
``corpus.json`` and prints the ``jobRequest`` it sends. We build the same case with
``sogni_core.protocol.jobrequest`` from the same stub inputs (models list,
tiers, client defaults, media bytes) and require the *same JSON text*: key
order, number formatting and omitted keys included. The project id is the
one random value; we reuse the SDK's ``jobID`` so it matches too.

Invalid cases must be rejected by both, and ours must name the field.
"""

from __future__ import annotations

import json
import math
import random
import shutil
import struct
import subprocess
from pathlib import Path
from typing import Any

import msgspec
import pytest

from sogni_core.protocol.jobrequest import (
    InvalidParamsError,
    ProjectParams,
    WorkloadAttributionInput,
    build_job_request,
    js_json_dumps,
    js_number_str,
    js_round,
    model_options_for,
    plan_uploads,
)
from tests._peers import node_peer_dir

HERE = Path(__file__).parent
CORPUS = json.loads((HERE / "corpus.json").read_text(encoding="utf-8"))

MAGIC = {
    "png": b"\x89PNG\r\n\x1a\n",
    "jpeg": b"\xff\xd8\xff\xe0",
    "webp": b"RIFF\0\0\0\0WEBP",
    "gif": b"GIF89a",
    "mp4": b"\0\0\0\x18ftypisom",
    "mov": b"\0\0\0\x14ftypqt  ",
    "m4a": b"\0\0\0\x18ftypM4A ",
    "wav": b"RIFF\0\0\0\0WAVE",
    "id3": b"ID3\x04\0",
    "mp3": b"\xff\xfb\x90\x00",
    "unknown": b"hello",
}

# Doubles whose JavaScript text or rounding is easy to get wrong.
NUMBER_SAMPLE = [
    0.0,
    -0.0,
    1.0,
    -1.0,
    0.5,
    -0.5,
    1.5,
    -1.5,
    2.5,
    -2.5,
    0.49999999999999994,
    -0.49999999999999994,
    4503599627370495.5,
    4503599627370497.0,
    2.0**53,
    2.0**53 + 2,
    0.1,
    0.2,
    0.1 + 0.2,
    1 / 3,
    2 / 3,
    100.0,
    123456789.125,
    1e20,
    1e21,
    1.5e21,
    1e22,
    123e20,
    1e-6,
    1e-7,
    1.5e-7,
    0.000001234,
    5e-324,
    1.7976931348623157e308,
    float("inf"),
    float("-inf"),
    float("nan"),
    7.5,
    0.7,
    1 - 0.3,
    1 - 0.85,
    24 * 3.3,
    3.3 * 16,
    5.1666666666666667,
    362 / 24,
    -1e-7,
    -123.456,
    9007199254740993.0,
    4294967295.0,
    1e300,
    2.2250738585072014e-308,
]
_rng = random.Random(20260801)  # fixed: the sample is the same on every run
NUMBER_SAMPLE += [
    struct.unpack(">d", _rng.getrandbits(64).to_bytes(8, "big"))[0] for _ in range(300)
]
NUMBER_SAMPLE += [round(_rng.uniform(-1e7, 1e7), _rng.randint(0, 12)) for _ in range(200)]
NUMBER_SAMPLE += [_rng.randint(-(10**6), 10**6) / 2 for _ in range(100)]
NUMBER_SAMPLE += [10.0**e * _rng.random() for e in range(-12, 25)]


def media(spec: dict[str, Any]) -> bytes:
    """The bytes harness.js builds for a ``{"$media": kind}`` marker."""
    magic = MAGIC[spec.get("kind") or spec["$media"]]
    return magic if spec.get("short") else magic + b"\0" * max(0, 16 - len(magic))


def revive(value: Any) -> Any:
    """Corpus params (SDK camelCase, media markers) -> input of msgspec.convert."""
    if isinstance(value, list):
        return [revive(v) for v in value]
    if isinstance(value, dict):
        if "$media" in value:
            return media(value)
        if "$blob" in value:
            return {"data": media({"$media": value["kind"]}), "contentType": value["$blob"]}
        return {k: revive(v) for k, v in value.items()}
    return value


def params_of(case: dict[str, Any]) -> ProjectParams:
    params: ProjectParams = msgspec.convert(revive(case["params"]), ProjectParams)
    return params


def ours(case: dict[str, Any], project_id: str) -> dict[str, Any]:
    params = params_of(case)
    client = case.get("client") or {}
    attribution = client.get("attribution")
    options = model_options_for(params.model_id, CORPUS["models"], CORPUS["tiers"])
    return build_job_request(
        params,
        project_id=project_id,
        model_options=options,
        default_app_source=client.get("appSource"),
        default_attribution=None
        if attribution is None
        else msgspec.convert(attribution, WorkloadAttributionInput),
    )


def _hex(x: float) -> str:
    return struct.pack(">d", x).hex()


def _ensure_node_modules() -> None:
    node_peer_dir()


@pytest.fixture(scope="module")
def sdk() -> dict[str, Any]:
    """Run the SDK once over the whole corpus; results keyed by case name."""
    _ensure_node_modules()
    node = shutil.which("node")
    assert node, "node is required for the parity test"
    doc = {
        "models": CORPUS["models"],
        "tiers": CORPUS["tiers"],
        "cases": CORPUS["cases"] + CORPUS["invalid"],
        "numbers": [_hex(x) for x in NUMBER_SAMPLE],
    }
    proc = subprocess.run(
        [node, "harness.js"],
        cwd=HERE,
        input=json.dumps(doc).encode(),
        capture_output=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    out = json.loads(proc.stdout)
    return {"results": {r["name"]: r for r in out["results"]}, "numbers": out["numbers"]}


def _first_difference(a: Any, b: Any, path: str = "$") -> str:
    if isinstance(a, dict) and isinstance(b, dict):
        if list(a) != list(b):
            return f"{path}: keys differ\n  sdk:  {list(a)}\n  ours: {list(b)}"
        for key in a:
            diff = _first_difference(a[key], b[key], f"{path}.{key}")
            if diff:
                return diff
        return ""
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            diff = _first_difference(x, y, f"{path}[{i}]")
            if diff:
                return diff
        return ""
    if js_json_dumps(a) != js_json_dumps(b):
        return f"{path}: sdk {js_json_dumps(a)} != ours {js_json_dumps(b)}"
    return ""


def test_corpus_is_large_enough() -> None:
    assert len(CORPUS["cases"]) >= 40
    assert len(CORPUS["invalid"]) >= 20
    names = [c["name"] for c in CORPUS["cases"] + CORPUS["invalid"]]
    assert len(names) == len(set(names))


@pytest.mark.parametrize("case", CORPUS["cases"], ids=lambda c: c["name"])
def test_payload_matches_sdk(sdk: dict[str, Any], case: dict[str, Any]) -> None:
    result = sdk["results"][case["name"]]
    assert result["ok"], f"the SDK rejected a valid case: {result.get('error')}"
    expected_text = result["payloadText"]
    expected = json.loads(expected_text)
    payload = ours(case, expected["jobID"])
    text = js_json_dumps(payload)
    assert text == expected_text, _first_difference(expected, payload) or "texts differ"


@pytest.mark.parametrize("case", CORPUS["cases"], ids=lambda c: c["name"])
def test_upload_plan_matches_sdk(sdk: dict[str, Any], case: dict[str, Any]) -> None:
    result = sdk["results"][case["name"]]
    project_id = json.loads(result["payloadText"])["jobID"]
    plan = plan_uploads(params_of(case))
    # Upload-URL requests, in order (imageId is a fresh random UUID per upload); the
    # SDK starts one parallel group at a time, and within a group calls may interleave.
    expected_gets = []
    for call in result["uploads"]:
        query = {k: v for k, v in call["query"].items() if k != "imageId" and v is not None}
        expected_gets.append(json.dumps([call["path"], query]))
    our_gets: list[tuple[int, str]] = []
    for upload in plan:
        query = {"jobId": project_id, "type": upload.type, "id": upload.id}
        query["contentType"] = upload.content_type
        if upload.endpoint == "image":
            del query["id"]
        path = f"/v1/{upload.endpoint}/uploadUrl"
        query = {k: v for k, v in query.items() if v is not None}
        our_gets.append((upload.parallel_group, json.dumps([path, query])))
    assert len(our_gets) == len(expected_gets), (our_gets, expected_gets)
    start = 0
    for group in sorted({g for g, _ in our_gets}):
        ours_in_group = sorted(text for g, text in our_gets if g == group)
        sdk_in_group = sorted(expected_gets[start : start + len(ours_in_group)])
        assert ours_in_group == sdk_in_group
        start += len(ours_in_group)
    # The PUTs (parallel ones may interleave): body bytes and Content-Type header.
    expected_puts = sorted(
        (put["bodyHex"], json.dumps(put["headers"], sort_keys=True)) for put in result["puts"]
    )
    our_puts = sorted(
        (
            u.data.hex(),
            json.dumps({"Content-Type": u.content_type} if u.content_type else {}, sort_keys=True),
        )
        for u in plan
    )
    assert our_puts == expected_puts
    assert all(put["method"] == "PUT" for put in result["puts"])


@pytest.mark.parametrize("case", CORPUS["invalid"], ids=lambda c: c["name"])
def test_invalid_params_rejected_like_sdk(sdk: dict[str, Any], case: dict[str, Any]) -> None:
    result = sdk["results"][case["name"]]
    assert not result["ok"], "the SDK accepted a case the corpus lists as invalid"
    with pytest.raises(InvalidParamsError) as info:
        ours(case, "00000000-0000-4000-8000-000000000000")
    assert info.value.field == case["field"], (info.value, result["error"])
    assert info.value.rule


def test_number_formatting_matches_json_stringify(sdk: dict[str, Any]) -> None:
    for x, node in zip(NUMBER_SAMPLE, sdk["numbers"], strict=True):
        assert js_json_dumps(x) == node["json"], x
        assert js_number_str(x) == node["string"], x
        rounded = struct.unpack(">d", bytes.fromhex(node["round"]))[0]
        if math.isnan(x):
            assert math.isnan(js_round(x)) and math.isnan(rounded)
        else:
            assert _hex(js_round(x)) == node["round"], x
