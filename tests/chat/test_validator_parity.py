"""Our hosted-tool validator agrees with the TS SDK's on a generated corpus (02 §4.5, §4.7).

For every tool and every (nested) parameter the corpus holds a valid value
and mutations: wrong type, out of bounds, outside the enum, ``null``, empty
string/list, an unknown key, plus raw ``arguments`` strings for the parser.
The SDK side runs its compiled validator with its own tool definitions, so
this also checks that our definitions equal what the SDK ships.
"""

from __future__ import annotations

import importlib.util
import json
import random
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from sogni_core.chat import (
    TOOL_NAMES,
    is_sogni_tool_call,
    parse_tool_call_arguments,
    sogni_tools,
    validate_tool_arguments,
)
from sogni_core.chat.tools import tool_schema

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]


def _peer_dir() -> Path:
    spec = importlib.util.spec_from_file_location(
        "_peers_harness", ROOT / "tests" / "emulator" / "peers" / "_harness.py"
    )
    assert spec is not None and spec.loader is not None
    module = sys.modules.get(spec.name) or importlib.util.module_from_spec(spec)
    if spec.name not in sys.modules:
        sys.modules[spec.name] = module
        spec.loader.exec_module(module)
    path: Path = module.ensure_node_peer()
    return path


def _valid(schema: dict[str, Any], rng: random.Random) -> Any:
    if "enum" in schema:
        return rng.choice(schema["enum"])
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = kind[0]
    if kind == "object":
        props = schema.get("properties", {})
        return {k: _valid(v, rng) for k, v in props.items() if k in schema.get("required", [])}
    if kind == "array":
        n = max(schema.get("minItems", 1), 1)
        return [_valid(schema.get("items", {}), rng) for _ in range(n)]
    if kind in ("number", "integer"):
        low, high = schema.get("minimum", 0), schema.get("maximum", 100)
        return low if rng.random() < 0.5 else high
    if kind == "boolean":
        return True
    if kind == "string":
        return "x" * max(schema.get("minLength", 1), 1)
    return "anything"


def _mutations(schema: dict[str, Any], rng: random.Random) -> list[Any]:
    kind = schema.get("type")
    out: list[Any] = [None, "", [], {}, True, 1.5, "text", -1]
    if "enum" in schema:
        out.append("not-in-the-enum")
    if "minimum" in schema:
        out.append(schema["minimum"] - 1)
    if "maximum" in schema:
        out.append(schema["maximum"] + 0.5)
    if "maxLength" in schema:
        out.append("é" * (schema["maxLength"] + 1))
    if "minLength" in schema:
        out.append("")
    if kind == "array":
        item = _valid(schema.get("items", {}), rng)
        out += [[item] * (schema.get("maxItems", 3) + 1), ["bad", 2, None]]
    if kind == "object" and schema.get("properties"):
        base = _valid(schema, rng)
        out += [{**base, "unknown_key": 1}, {k: v for k, v in list(base.items())[1:]}]
    return out


def _corpus() -> list[tuple[str, Any, str]]:
    rng = random.Random(7)
    cases: list[tuple[str, Any, str]] = []
    for name in TOOL_NAMES:
        schema = tool_schema(name)
        base = _valid(schema, rng)
        cases.append((name, base, json.dumps(base)))
        cases.append((name, {**base, "legacy_snake_arg": "kept?"}, "{bad json"))
        for prop, sub in schema.get("properties", {}).items():
            cases.append((name, {**base, prop: _valid(sub, rng)}, "NaN"))
            for bad in _mutations(sub, rng):
                cases.append((name, {**base, prop: bad}, json.dumps({prop: bad})))
    cases.append(("sogni_generate_image", {}, "[1, 2]"))
    return [c for c in cases if c[0] in TOOL_NAMES] + [cases[-1]]


def _shape(value: Any) -> Any:
    if isinstance(value, dict):
        # an empty ``required`` list means the same as none
        return {
            k: _shape(v)
            for k, v in value.items()
            if k != "description" and not (k == "required" and v == [])
        }
    if isinstance(value, list):
        return [_shape(v) for v in value]
    return value


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_validator_matches_the_ts_sdk(tmp_path: Path) -> None:
    corpus = _corpus()
    assert len(corpus) > 1500
    path = tmp_path / "corpus.json"
    path.write_text(json.dumps(corpus))
    proc = subprocess.run(
        ["node", str(HERE / "node" / "validate_tools.mjs"), str(_peer_dir()), str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    answer = json.loads(proc.stdout)
    theirs = answer["results"]
    # the SDK's definitions equal ours except for the descriptions
    assert [_shape(t) for t in answer["definitions"]] == [_shape(t) for t in sogni_tools()]
    mismatches = []
    for (name, args, raw), sdk in zip(corpus, theirs, strict=True):
        call = {"id": "c", "type": "function", "function": {"name": name, "arguments": raw}}
        assert is_sogni_tool_call(call) == sdk["recognised"]
        assert parse_tool_call_arguments(call) == sdk["parsed"]
        if name not in TOOL_NAMES:
            continue
        ours = validate_tool_arguments(name, args)
        mine = {
            "ok": ours.ok,
            "errors": [rule for _, rule in ours.errors],
            "warnings": list(ours.warnings),
            "cleaned": ours.cleaned,
        }
        if mine != {k: sdk[k] for k in mine}:
            mismatches.append((name, args, mine, sdk))
    assert mismatches[:5] == []
