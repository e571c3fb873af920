"""Our hosted tool definitions agree with @sogni-ai/sogni-protocol@1.0.0-alpha.45.

The package is the shared node peer's pinned install (``tests/_peers.py``:
``tests/peers/node/node_modules``, ``npm ci`` only when the lock file changed).
Names, order, parameter names, types, enums, bounds, required flags and closed
objects are compared with ``manifests/openai-tools.json`` and
``schemas/tools/*.schema.json``; descriptions are ours and are not compared.
The one intended difference is the official SDK's own patches (02 §4.1):
``generate_music.model`` lists the music model ids and
``generate_video.videoModel`` gains the SDK's extra selectors.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from sogni_core.chat import TOOL_NAMES, sogni_tools
from tests._peers import sogni_protocol_dir

VERSION = "1.0.0-alpha.45"
SDK_MUSIC_MODELS = [
    "ace_step_1.5_xl_turbo",
    "ace_step_1.5_xl_sft",
    "ace_step_1.5_turbo",
    "ace_step_1.5_sft",
    "minimax_music3",
]
# selectors the SDK 5.54 appends to generate_video.videoModel (its modelRouting tables)
SDK_VIDEO_SELECTORS = [
    "minimax-h3-turbo",
    "minimax-h3-fasth3-turbo",
    "minimax-h3-fasth3-turbo-2stage",
    "minimax-h3-balanced",
    "minimax-h3-t2v-balanced",
    "minimax-h3-r2v-balanced",
]
SDK_ANIMATE_SELECTORS = ["minimax-h3-i2v-balanced", "minimax-h3-flf2v-balanced"]
COMPARED = (
    "type",
    "enum",
    "required",
    "minimum",
    "maximum",
    "minLength",
    "maxLength",
    "minItems",
    "maxItems",
)


@pytest.fixture(scope="module")
def protocol() -> Path:
    package = sogni_protocol_dir()
    assert json.loads((package / "package.json").read_text())["version"] == VERSION
    return package


def _compare(ours: dict[str, Any], theirs: dict[str, Any], path: str, problems: list[str]) -> None:
    for key in COMPARED:
        a, b = ours.get(key), theirs.get(key)
        if key == "required":
            a, b = a or [], b or []
        if a != b or type(a) is not type(b) and not (_num(a) and _num(b)):
            problems.append(f"{path}: {key} {a!r} != {b!r}")
    if (ours.get("additionalProperties") is False) != (theirs.get("additionalProperties") is False):
        problems.append(f"{path}: additionalProperties differ")
    mine, other = ours.get("properties", {}), theirs.get("properties", {})
    if list(mine) != list(other):
        problems.append(f"{path}: properties {list(mine)} != {list(other)}")
    for name in mine:
        if name in other:
            _compare(mine[name], other[name], f"{path}.{name}", problems)
    if isinstance(ours.get("items"), dict) or isinstance(theirs.get("items"), dict):
        _compare(ours.get("items") or {}, theirs.get("items") or {}, f"{path}[]", problems)


def _num(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _sdk_patched(tools: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    out = {}
    for tool in copy.deepcopy(tools):
        fn = tool["function"]
        if fn["name"] == "generate_music":
            fn["parameters"]["properties"]["model"]["enum"] = SDK_MUSIC_MODELS
        if fn["name"] == "generate_video":
            enum = fn["parameters"]["properties"]["videoModel"]["enum"]
            enum.extend(v for v in SDK_VIDEO_SELECTORS if v not in enum)
        if fn["name"] == "animate_photo":
            enum = fn["parameters"]["properties"]["videoModel"]["enum"]
            enum.extend(v for v in SDK_ANIMATE_SELECTORS if v not in enum)
        out[fn["name"]] = fn
    return out


def test_names_and_order_match_the_manifest(protocol: Path) -> None:
    manifest = json.loads((protocol / "manifests" / "openai-tools.json").read_text())
    names = [t["function"]["name"] for t in manifest["tools"]]
    assert list(TOOL_NAMES) == names
    enums = json.loads((protocol / "enums" / "tool-names.json").read_text())
    assert sorted(TOOL_NAMES) == sorted(enums["hosted"])
    assert [t["function"]["name"] for t in sogni_tools()] == names


def test_parameters_match_the_manifest(protocol: Path) -> None:
    manifest = json.loads((protocol / "manifests" / "openai-tools.json").read_text())
    theirs = _sdk_patched(manifest["tools"])
    problems: list[str] = []
    for tool in sogni_tools():
        fn = tool["function"]
        assert tool["type"] == "function" and fn["description"]
        _compare(fn["parameters"], theirs[fn["name"]]["parameters"], fn["name"], problems)
    assert problems == []


def test_parameters_match_the_tool_schemas(protocol: Path) -> None:
    problems: list[str] = []
    for tool in sogni_tools():
        fn = tool["function"]
        schema = json.loads(
            (protocol / "schemas" / "tools" / f"{fn['name']}.schema.json").read_text()
        )
        schema = _sdk_patched([{"function": {"name": fn["name"], "parameters": schema}}])[
            fn["name"]
        ]["parameters"]
        ours = copy.deepcopy(fn["parameters"])
        # the media schemas close their objects; the manifest the SDK ships leaves them open
        schema.pop("additionalProperties", None)
        ours.pop("additionalProperties", None)
        _compare(ours, schema, fn["name"], problems)
    # existing_template is free-form in the manifest, described in the schema
    assert [p for p in problems if "existing_template" not in p] == []


def test_descriptions_are_our_own(protocol: Path) -> None:
    manifest = json.loads((protocol / "manifests" / "openai-tools.json").read_text())
    theirs = {t["function"]["name"]: t["function"] for t in manifest["tools"]}
    for tool in sogni_tools():
        fn = tool["function"]
        assert fn["description"] != theirs[fn["name"]]["description"]
        for name, prop in fn["parameters"]["properties"].items():
            other = theirs[fn["name"]]["parameters"]["properties"][name].get("description")
            assert prop.get("description") is None or prop["description"] != other
