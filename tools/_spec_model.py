"""The spec model of ``tools/gen_schemas.py``: reading ``spec/*.toml`` into typed specs.

Names, the type-expression parser, the spec dataclasses and the loader that enforces the
format of ``spec/README.md`` (raising :class:`SpecError`).
"""

from __future__ import annotations

import json
import keyword
import re
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib  # type: ignore[import-not-found, unused-ignore]

ROOT = Path(__file__).resolve().parent.parent
SPEC_DIR = ROOT / "spec"
OUT_DIR = ROOT / "sogni_core" / "protocol" / "_generated"
LINE = 100
INDENT = "    "

PRIMITIVES = {"str": "str", "int": "int", "float": "float", "bool": "bool", "any": "Any"}
TOP_KEYS = {"doc", "enum", "const", "struct", "endpoint"}
ENUM_KEYS = {"name", "doc", "values", "members"}
CONST_KEYS = {"name", "doc", "value"}
STRUCT_KEYS = {
    "name",
    "doc",
    "wire",
    "direction",
    "fields",
    "tag_field",
    "tag",
    "union",
    "omit_defaults",
    "bare",
    "forbid_unknown_fields",
    "field_docs",
}
FIELD_KEYS = {"name", "type", "optional", "default", "py", "doc", "meta", "item_meta"}
#: msgspec.Meta keywords a field's ``meta`` / ``item_meta`` table may use.
META_KEYS = {
    "gt",
    "ge",
    "lt",
    "le",
    "multiple_of",
    "pattern",
    "min_length",
    "max_length",
    "extra_json_schema",
}
ENDPOINT_KEYS = {
    "name",
    "method",
    "host",
    "path",
    "request",
    "response",
    "envelope",
    "doc",
    "query",
}
DIRECTIONS = {"server", "client", "none"}


class SpecError(Exception):
    """A spec file breaks the format of ``spec/README.md``."""


# ---------------------------------------------------------------------------
# names


def snake_case(wire: str) -> str:
    """Return the Python attribute name for a wire name (``jobID`` -> ``job_id``).

    Args:
        wire: the JSON key as sent on the wire.

    Returns:
        The snake_case form; a Python keyword gets a trailing underscore.
    """
    s = re.sub(r"([A-Z]{2,})s(?![a-z])", r"\1S", wire)  # plural acronyms: jobIDs -> job_ids
    s = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", s)
    s = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", s)
    s = re.sub(r"[^0-9A-Za-z_]+", "_", s).strip("_").lower()
    s = re.sub(r"_+", "_", s)
    if not s:
        raise SpecError(f"cannot derive a Python name from {wire!r}")
    if s[0].isdigit():
        s = "n_" + s
    if keyword.iskeyword(s):
        s += "_"
    return s


def member_name(value: str) -> str:
    """Return the enum member name for a value (``no-workers`` -> ``NO_WORKERS``)."""
    name = snake_case(value).upper()
    return "V_" + name[2:] if name.startswith("N_") and value[:1].isdigit() else name


def _check_ident(name: str, what: str) -> None:
    if not name.isidentifier() or keyword.iskeyword(name):
        raise SpecError(f"{what}: {name!r} is not a valid Python identifier")


# ---------------------------------------------------------------------------
# the type-expression language (spec/README.md "Field types")


@dataclass(frozen=True)
class TPrim:
    name: str  # str | int | float | bool | any


@dataclass(frozen=True)
class TNull:
    pass


@dataclass(frozen=True)
class TLit:
    value: str | int | bool


@dataclass(frozen=True)
class TList:
    item: TypeExpr


@dataclass(frozen=True)
class TDict:
    value: TypeExpr


@dataclass(frozen=True)
class TRef:
    name: str


@dataclass(frozen=True)
class TUnion:
    members: tuple[TypeExpr, ...]


TypeExpr = TPrim | TNull | TLit | TList | TDict | TRef | TUnion

_TOKEN = re.compile(
    r"""\s*(?:(?P<str>"(?:[^"\\]|\\.)*"|'[^']*')|(?P<num>-?\d+)|(?P<name>[A-Za-z_][A-Za-z0-9_]*)|(?P<op>[\[\],|]))"""
)


def parse_type(text: str) -> TypeExpr:
    """Parse a spec type expression such as ``list[dict[str, int | Foo]] | null``.

    Args:
        text: the ``type`` string of a field, endpoint request or response.

    Returns:
        The parsed expression.

    Raises:
        SpecError: the text is not a type expression.
    """
    tokens: list[tuple[str, str]] = []
    pos = 0
    stripped = text.rstrip()
    while pos < len(stripped):
        m = _TOKEN.match(stripped, pos)
        if m is None or m.end() == pos:
            raise SpecError(f"bad type expression {text!r} at offset {pos}")
        kind = m.lastgroup
        assert kind is not None
        tokens.append((kind, m.group(kind)))
        pos = m.end()
    cursor = 0

    def peek() -> tuple[str, str] | None:
        return tokens[cursor] if cursor < len(tokens) else None

    def take(op: str | None = None) -> tuple[str, str]:
        nonlocal cursor
        tok = peek()
        if tok is None or (op is not None and tok != ("op", op)):
            raise SpecError(f"bad type expression {text!r}: expected {op or 'a token'}")
        cursor += 1
        return tok

    def union() -> TypeExpr:
        members = [atom()]
        while peek() == ("op", "|"):
            take("|")
            members.append(atom())
        flat: list[TypeExpr] = []
        for m in members:
            items = m.members if isinstance(m, TUnion) else (m,)
            for item in items:
                if item not in flat:
                    flat.append(item)
        return flat[0] if len(flat) == 1 else TUnion(tuple(flat))

    def atom() -> TypeExpr:
        kind, value = take()
        if kind == "str":
            lit = json.loads(value) if value.startswith('"') else value[1:-1]
            return TLit(lit)
        if kind == "num":
            return TLit(int(value))
        if kind != "name":
            raise SpecError(f"bad type expression {text!r}: unexpected {value!r}")
        if value in ("true", "false"):
            return TLit(value == "true")
        if value == "null":
            return TNull()
        if value in ("list", "dict"):
            take("[")
            first = union()
            if value == "list":
                take("]")
                return TList(first)
            if first != TPrim("str"):
                raise SpecError(f"bad type expression {text!r}: dict keys must be str")
            take(",")
            second = union()
            take("]")
            return TDict(second)
        if value in PRIMITIVES:
            return TPrim(value)
        return TRef(value)

    result = union()
    if cursor != len(tokens):
        raise SpecError(f"bad type expression {text!r}: trailing tokens")
    return result


def type_refs(t: TypeExpr) -> Iterable[str]:
    """Yield every struct/enum/union name a type expression refers to."""
    if isinstance(t, TRef):
        yield t.name
    elif isinstance(t, TList):
        yield from type_refs(t.item)
    elif isinstance(t, TDict):
        yield from type_refs(t.value)
    elif isinstance(t, TUnion):
        for m in t.members:
            yield from type_refs(m)


# ---------------------------------------------------------------------------
# the spec model


@dataclass
class FieldSpec:
    wire: str
    py: str
    type: TypeExpr
    required: bool
    default: Any  # python source text, or None when required
    doc: str
    meta: dict[str, Any] = field(default_factory=dict)
    item_meta: dict[str, Any] = field(default_factory=dict)


@dataclass
class StructSpec:
    name: str
    doc: str
    wire: str | None
    direction: str
    fields: list[FieldSpec]
    tag_field: str | None
    tag: str | None
    union: str | None
    omit_defaults: bool
    bare: str | None
    forbid_unknown_fields: bool = False
    field_docs: bool = False


@dataclass
class EnumSpec:
    name: str
    doc: str
    members: list[tuple[str, str | int]]


@dataclass
class ConstSpec:
    name: str
    doc: str
    value: Any


@dataclass
class EndpointSpec:
    name: str
    doc: str
    method: str
    host: str
    path: str
    request: TypeExpr | None
    response: TypeExpr
    envelope: bool
    query: list[str]
    meta: dict[str, Any]


@dataclass
class Module:
    name: str
    source: str
    doc: str
    enums: list[EnumSpec] = field(default_factory=list)
    consts: list[ConstSpec] = field(default_factory=list)
    structs: list[StructSpec] = field(default_factory=list)
    endpoints: list[EndpointSpec] = field(default_factory=list)


def _keys(table: Mapping[str, Any], allowed: set[str], where: str) -> None:
    extra = sorted(set(table) - allowed)
    if extra:
        raise SpecError(f"{where}: unknown keys {extra}; allowed: {sorted(allowed)}")


def _str(table: Mapping[str, Any], key: str, where: str, default: str | None = None) -> str:
    value = table.get(key, default)
    if not isinstance(value, str):
        raise SpecError(f"{where}: {key!r} must be a string")
    return value


def load_module(path: Path) -> Module:
    """Read and validate one spec file.

    Args:
        path: ``spec/<name>.toml``.

    Returns:
        The validated module description.

    Raises:
        SpecError: the file breaks the spec format.
    """
    name = path.stem
    _check_ident(name, str(path))
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise SpecError(f"{path}: {exc}") from exc
    _keys(data, TOP_KEYS, str(path))
    mod = Module(name=name, source=f"spec/{path.name}", doc=str(data.get("doc", "")))
    for i, raw in enumerate(data.get("enum", [])):
        mod.enums.append(_load_enum(raw, f"{path.name}: enum[{i}]"))
    for i, raw in enumerate(data.get("const", [])):
        where = f"{path.name}: const[{i}]"
        _keys(raw, CONST_KEYS, where)
        cname = _str(raw, "name", where)
        _check_ident(cname, where)
        if "value" not in raw:
            raise SpecError(f"{where}: missing 'value'")
        mod.consts.append(ConstSpec(cname, _str(raw, "doc", where, ""), raw["value"]))
    for i, raw in enumerate(data.get("struct", [])):
        mod.structs.append(_load_struct(raw, f"{path.name}: struct[{i}]"))
    for i, raw in enumerate(data.get("endpoint", [])):
        mod.endpoints.append(_load_endpoint(raw, f"{path.name}: endpoint[{i}]"))
    return mod


def _load_enum(raw: Mapping[str, Any], where: str) -> EnumSpec:
    _keys(raw, ENUM_KEYS, where)
    name = _str(raw, "name", where)
    _check_ident(name, where)
    members: list[tuple[str, str | int]] = []
    if ("values" in raw) == ("members" in raw):
        raise SpecError(f"{where}: give exactly one of 'values' or 'members'")
    if "values" in raw:
        for v in raw["values"]:
            if isinstance(v, bool) or not isinstance(v, (str, int)):
                raise SpecError(f"{where}: values must be strings or integers")
            members.append((member_name(str(v)), v))
    else:
        for k, v in raw["members"].items():
            if isinstance(v, bool) or not isinstance(v, (str, int)):
                raise SpecError(f"{where}: member values must be strings or integers")
            members.append((k, v))
    if not members:
        raise SpecError(f"{where}: an enum needs at least one member")
    seen: set[str] = set()
    for k, _ in members:
        _check_ident(k, where)
        if k in seen or k.startswith("_"):
            raise SpecError(f"{where}: member name {k!r} is duplicated or private; use 'members'")
        seen.add(k)
    kinds = {type(v) for _, v in members}
    if len(kinds) != 1:
        raise SpecError(f"{where}: enum values must be all strings or all integers")
    return EnumSpec(name, _str(raw, "doc", where, ""), members)


def _load_struct(raw: Mapping[str, Any], where: str) -> StructSpec:
    _keys(raw, STRUCT_KEYS, where)
    name = _str(raw, "name", where)
    _check_ident(name, where)
    where = f"{where} ({name})"
    wire = raw.get("wire")
    if wire is not None and not isinstance(wire, str):
        raise SpecError(f"{where}: 'wire' must be a string")
    direction = _str(raw, "direction", where, "none" if wire is None else "server")
    if direction not in DIRECTIONS:
        raise SpecError(f"{where}: direction must be one of {sorted(DIRECTIONS)}")
    if wire is not None and direction == "none":
        raise SpecError(f"{where}: a 'wire' struct needs direction server or client")
    tag_field = raw.get("tag_field")
    tag = raw.get("tag")
    if (tag_field is None) != (tag is None):
        raise SpecError(f"{where}: 'tag_field' and 'tag' go together")
    fields: list[FieldSpec] = []
    py_names: set[str] = set()
    wire_names: set[str] = set()
    for j, fraw in enumerate(raw.get("fields", [])):
        f = _load_field(fraw, f"{where}: fields[{j}]")
        if f.py in py_names or f.wire in wire_names:
            raise SpecError(f"{where}: duplicate field {f.wire!r} / {f.py!r}")
        if tag_field is not None and f.wire == tag_field:
            raise SpecError(f"{where}: the tag field {tag_field!r} must not be listed as a field")
        py_names.add(f.py)
        wire_names.add(f.wire)
        fields.append(f)
    bare = raw.get("bare")
    if bare is not None:
        if len(fields) != 1 or fields[0].wire != bare or tag is not None:
            raise SpecError(f"{where}: a 'bare' struct has exactly that one field and no tag")
    union = raw.get("union")
    if union is not None:
        _check_ident(str(union), where)
    return StructSpec(
        name=name,
        doc=_str(raw, "doc", where, ""),
        wire=wire,
        direction=direction,
        fields=fields,
        tag_field=tag_field,
        tag=tag,
        union=union,
        omit_defaults=bool(raw.get("omit_defaults", True)),
        bare=bare,
        forbid_unknown_fields=bool(raw.get("forbid_unknown_fields", False)),
        field_docs=bool(raw.get("field_docs", False)),
    )


def _load_field(raw: Mapping[str, Any], where: str) -> FieldSpec:
    _keys(raw, FIELD_KEYS, where)
    wire = _str(raw, "name", where)
    py = raw.get("py") or snake_case(wire)
    _check_ident(py, where)
    if py.startswith("_"):
        raise SpecError(f"{where}: Python name {py!r} must not start with '_'")
    t = parse_type(_str(raw, "type", where))
    optional = bool(raw.get("optional", False))
    has_default = "default" in raw
    meta = _meta(raw, "meta", where)
    item_meta = _meta(raw, "item_meta", where)
    core = [m for m in _members(t) if not isinstance(m, TNull)]
    if (meta or item_meta) and len(core) != 1 and not all(isinstance(m, TLit) for m in core):
        raise SpecError(f"{where}: 'meta'/'item_meta' need one non-null type or literals")
    if item_meta and not isinstance(core[0], TList):
        raise SpecError(f"{where}: 'item_meta' needs a list type")
    doc = _str(raw, "doc", where, "")
    if optional and not has_default:
        if not _nullable(t):
            t = TUnion((*_members(t), TNull()))
        return FieldSpec(wire, py, t, False, None, doc, meta, item_meta)
    return FieldSpec(
        wire,
        py,
        t,
        not has_default,
        raw["default"] if has_default else None,
        doc,
        meta,
        item_meta,
    )


def _meta(raw: Mapping[str, Any], key: str, where: str) -> dict[str, Any]:
    value = raw.get(key, {})
    if not isinstance(value, dict):
        raise SpecError(f"{where}: {key!r} must be a table")
    _keys(value, META_KEYS, f"{where}: {key}")
    return dict(value)


def _members(t: TypeExpr) -> tuple[TypeExpr, ...]:
    return t.members if isinstance(t, TUnion) else (t,)


def _nullable(t: TypeExpr) -> bool:
    return any(isinstance(m, TNull) or m == TPrim("any") for m in _members(t))


def _load_endpoint(raw: Mapping[str, Any], where: str) -> EndpointSpec:
    name = _str(raw, "name", where)
    where = f"{where} ({name})"
    req = raw.get("request", "none")
    query = raw.get("query", [])
    if not isinstance(query, list) or not all(isinstance(q, str) for q in query):
        raise SpecError(f"{where}: 'query' must be a list of strings")
    meta = {k: raw[k] for k in sorted(set(raw) - ENDPOINT_KEYS)}
    return EndpointSpec(
        name=name,
        doc=_str(raw, "doc", where, ""),
        method=_str(raw, "method", where).upper(),
        host=_str(raw, "host", where, "rest"),
        path=_str(raw, "path", where),
        request=None if req == "none" else parse_type(str(req)),
        response=parse_type(_str(raw, "response", where, "any")),
        envelope=bool(raw.get("envelope", True)),
        query=list(query),
        meta=meta,
    )
