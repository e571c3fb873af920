"""The generator features spec/tools.toml relies on: field ``meta``/``item_meta``,
``field_docs`` and ``forbid_unknown_fields`` (spec/README.md)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import msgspec
import msgspec.inspect as mi
import pytest

ROOT = Path(__file__).resolve().parents[2]
TOOL = ROOT / "tools" / "gen_schemas.py"


def _gen() -> Any:
    spec = importlib.util.spec_from_file_location("_gen_schemas_chat", TOOL)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


gen = _gen()

SPEC = """
[[struct]]
name = "Item"
forbid_unknown_fields = true
fields = [{ name = "label", type = "str", meta = { min_length = 1, max_length = 5 } }]

[[struct]]
name = "Args"
field_docs = true
doc = "Arguments."
fields = [
  { name = "count", type = "int", optional = true, meta = { ge = 1, le = 16 }, doc = "How many." },
  { name = "tags", type = "list[str]", optional = true, item_meta = { min_length = 1 }, meta = { max_length = 3 } },
  { name = "kind", type = '"a" | "b"', optional = true, meta = { extra_json_schema = { type = "string" } } },
  { name = "items", type = "list[Item]", meta = { min_length = 1 }, doc = "Things." },
  { name = "scale", type = "float", optional = true, meta = { extra_json_schema = { enum = [1, 1.5] } } },
]
"""  # noqa: E501


def _module(tmp_path: Path, text: str) -> Any:
    spec_dir = tmp_path / "spec"
    spec_dir.mkdir()
    (spec_dir / "feat.toml").write_text(textwrap.dedent(text), encoding="utf-8")
    files: dict[str, str] = gen.generate(spec_dir)
    pkg = tmp_path / "pkg_chat_feat"
    pkg.mkdir()
    for name, source in files.items():
        (pkg / name).write_text(source, encoding="utf-8")
    sys.path.insert(0, str(tmp_path))
    try:
        import pkg_chat_feat  # type: ignore[import-not-found]

        return pkg_chat_feat.feat
    finally:
        sys.path.remove(str(tmp_path))


def test_meta_docs_and_closed_structs(tmp_path: Path) -> None:
    mod = _module(tmp_path, SPEC)
    ok = msgspec.convert({"count": 3, "tags": ["x"], "items": [{"label": "ab"}]}, mod.Args)
    assert ok.count == 3 and ok.items == (mod.Item(label="ab"),)
    bad_values: list[dict[str, Any]] = [
        {"count": 0, "items": [{"label": "a"}]},
        {"count": 17, "items": [{"label": "a"}]},
        {"tags": [""], "items": [{"label": "a"}]},
        {"tags": ["a"] * 4, "items": [{"label": "a"}]},
        {"items": []},
        {"items": [{"label": "toolong"}]},
        {"items": [{"label": "a", "extra": 1}]},  # forbid_unknown_fields
    ]
    for bad in bad_values:
        with pytest.raises(msgspec.ValidationError):
            msgspec.convert(bad, mod.Args)
    assert dict(mod.Args.__field_docs__) == {"count": "How many.", "items": "Things."}
    info = mi.type_info(mod.Args)
    assert isinstance(info, mi.StructType)
    kind = info.fields[2].type
    assert isinstance(kind, mi.UnionType)
    meta = kind.types[0]
    assert isinstance(meta, mi.Metadata) and meta.extra_json_schema == {"type": "string"}
    item = mi.type_info(mod.Item)
    assert isinstance(item, mi.StructType) and item.forbid_unknown_fields
    text = (tmp_path / "pkg_chat_feat" / "feat.py").read_text()
    assert "_Args_count: TypeAlias = Annotated[int, msgspec.Meta(ge=1, le=16)]" in text
    # the output is already ruff-formatted
    ruff = Path(sys.executable).parent / "ruff"
    check = subprocess.run(
        [str(ruff), "format", "--check", "--diff", str(tmp_path / "pkg_chat_feat" / "feat.py")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.returncode == 0, check.stdout


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ('{ name = "x", type = "int | str", meta = { ge = 1 } }', "need one non-null type"),
        ('{ name = "x", type = "int", item_meta = { ge = 1 } }', "needs a list type"),
        ('{ name = "x", type = "int", meta = { minimum = 1 } }', "unknown keys"),
        ('{ name = "x", type = "int", meta = 3 }', "must be a table"),
    ],
)
def test_bad_meta_is_a_spec_error(tmp_path: Path, field: str, message: str) -> None:
    spec_dir = tmp_path / "spec"
    spec_dir.mkdir()
    (spec_dir / "bad.toml").write_text(f'[[struct]]\nname = "S"\nfields = [{field}]\n')
    with pytest.raises(gen.SpecError, match=message):
        gen.generate(spec_dir)
