"""Generate ``sogni_core/protocol/_generated/`` from ``spec/*.toml``.

Every ``spec/<name>.toml`` becomes ``sogni_core/protocol/_generated/<name>.py`` (msgspec
Structs, enums, constants, endpoint tables and registries), plus one
``_generated/__init__.py`` that imports every module and merges the socket registries.
The file format is described in ``spec/README.md``; this script is its only reader.

Usage::

    python tools/gen_schemas.py            # (re)write the generated package
    python tools/gen_schemas.py --check    # exit 1 if anything is stale, missing or extra

The output is deterministic and already in ``ruff format`` style (line length 100), so
``ruff format --check`` and ``--check`` agree without running ruff here.
"""

from __future__ import annotations

import argparse
import json
import keyword
import re
import sys
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib  # type: ignore[import-not-found, unused-ignore]

__all__ = ["SpecError", "generate", "main", "snake_case"]

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


# ---------------------------------------------------------------------------
# rendering helpers (ruff-format compatible layout)


def pystr(s: str) -> str:
    """Render a Python string literal in ruff's preferred double-quoted form."""
    return json.dumps(s, ensure_ascii=False)


def pyvalue(v: Any) -> Doc:
    """Render a TOML value as a Python literal document (lists become tuples)."""
    if isinstance(v, bool):
        return "True" if v else "False"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, str):
        return pystr(v)
    if isinstance(v, list):
        return Seq("(", [pyvalue(x) for x in v], ")", tuple_=True)
    if isinstance(v, dict):
        items: list[Doc] = [Pair(pystr(str(k)) + ": ", pyvalue(x)) for k, x in v.items()]
        return Call("MappingProxyType(", [Seq("{", items, "}")], ")")
    raise SpecError(f"unsupported constant value {v!r}")


@dataclass
class Seq:
    """A bracketed collection: flat if it fits, else one element per line."""

    open: str
    items: list[Doc]
    close: str
    tuple_: bool = False


@dataclass
class Call:
    """A call/bracket whose arguments may share one indented line."""

    open: str
    items: list[Doc]
    close: str


@dataclass
class Pair:
    """``key: value`` or ``name=value`` whose value may itself break."""

    prefix: str
    value: Doc


Doc = str | Seq | Call | Pair


def flat(d: Doc) -> str:
    """Render a document on one line."""
    if isinstance(d, str):
        return d
    if isinstance(d, Pair):
        return d.prefix + flat(d.value)
    inner = ", ".join(flat(x) for x in d.items)
    if isinstance(d, Seq) and d.tuple_ and len(d.items) == 1:
        inner += ","
    return d.open + inner + d.close


def layout(d: Doc, indent: str, first: str, suffix: str) -> list[str]:
    """Lay out ``first + d + suffix`` starting at ``indent`` as ruff would.

    Args:
        d: the document.
        indent: indentation of the first line.
        first: text before the document on the first line.
        suffix: text after the document on the last line.

    Returns:
        The rendered lines (without newlines).
    """
    one = indent + first + flat(d) + suffix
    if len(one) <= LINE or isinstance(d, str):
        return [one]
    if isinstance(d, Pair):
        return layout(d.value, indent, first + d.prefix, suffix)
    inner = indent + INDENT
    if isinstance(d, Call):
        args = ", ".join(flat(x) for x in d.items)
        if len(inner + args) <= LINE:
            return [indent + first + d.open, inner + args, indent + d.close + suffix]
    lines = [indent + first + d.open]
    for item in d.items:
        lines.extend(layout(item, inner, "", ","))
    lines.append(indent + d.close + suffix)
    return lines


def docstring(text: str, indent: str) -> list[str]:
    """Render a docstring wrapped to the line limit."""
    width = LINE - len(indent)
    paras = [p.strip() for p in text.strip().split("\n\n") if p.strip()]
    if not paras:
        return []
    out: list[str] = []
    for i, para in enumerate(paras):
        if i:
            out.append("")
        if para.startswith("Attributes:"):
            out.extend(para.splitlines())
            continue
        out.extend(textwrap.wrap(" ".join(para.split()), width=width - 3 if i == 0 else width))
    q3 = '"' * 3
    out = [ln.replace("\\", "\\\\").replace(q3, "'''") for ln in out]
    if len(out) == 1 and len(indent + q3 + out[0] + q3) <= LINE and not out[0].endswith('"'):
        return [indent + q3 + out[0] + q3]
    lines = [indent + q3 + out[0]]
    lines.extend((indent + ln).rstrip() if ln else "" for ln in out[1:])
    lines.append(indent + q3)
    return lines


def attributes_doc(fields: Sequence[FieldSpec], indent: str) -> str:
    """Build the ``Attributes:`` section of a struct docstring."""
    lines = ["Attributes:"]
    width = LINE - len(indent) - 8
    for f in fields:
        wire = f" (wire ``{f.wire}``)" if f.wire != f.py else ""
        text = f"{f.py}{wire}: {f.doc}".rstrip(": ") if f.doc else f"{f.py}{wire}."
        wrapped = textwrap.wrap(" ".join(text.split()), width=width)
        lines.append(INDENT + wrapped[0])
        lines.extend(INDENT * 2 + w for w in wrapped[1:])
    return "\n".join(lines)


# ---------------------------------------------------------------------------
# code generation


@dataclass
class Symbol:
    module: str
    kind: str  # struct | enum | union
    strict: str | None  # name of the strict twin (struct/union)


class Generator:
    """Render every module of a spec set into Python source text."""

    def __init__(self, modules: Sequence[Module]) -> None:
        self.modules = list(modules)
        self.symbols: dict[str, Symbol] = {}
        self.enum_values: dict[str, dict[str | int, str]] = {}
        self.aliases: dict[str, str] = {}
        for mod in self.modules:
            for e in mod.enums:
                self._define(e.name, Symbol(mod.name, "enum", None))
                self.enum_values[e.name] = {v: k for k, v in e.members}
            for s in mod.structs:
                self._define(s.name, Symbol(mod.name, "struct", "Strict" + s.name))
            for c in mod.consts:
                self._define(c.name, Symbol(mod.name, "const", None))
            for uname in self._unions(mod):
                self._define(uname, Symbol(mod.name, "union", "Strict" + uname))
        for mod in self.modules:
            self._validate(mod)

    def _define(self, name: str, sym: Symbol) -> None:
        if name in self.symbols:
            old = self.symbols[name]
            where = f"spec/{old.module}.toml, spec/{sym.module}.toml"
            raise SpecError(f"{name!r} is defined twice ({where})")
        self.symbols[name] = sym
        if sym.strict is not None and sym.strict in self.symbols:
            raise SpecError(f"{sym.strict!r} clashes with a generated strict twin")

    @staticmethod
    def _unions(mod: Module) -> dict[str, list[StructSpec]]:
        """Group tagged structs into unions: by ``union``, else by shared wire type."""
        unions: dict[str, list[StructSpec]] = {}
        by_wire: dict[tuple[str, str], list[StructSpec]] = {}
        for s in mod.structs:
            if s.wire is not None:
                by_wire.setdefault((s.direction, s.wire), []).append(s)
        for (_, wire), group in by_wire.items():
            if len(group) > 1:
                if any(s.tag is None for s in group):
                    raise SpecError(f"structs sharing wire {wire!r} must all be tagged")
                names = {s.union for s in group}
                if len(names) != 1:
                    raise SpecError(f"structs sharing wire {wire!r} need one 'union' name")
                for s in group:
                    if s.union is None:
                        s.union = wire[:1].upper() + wire[1:]
        for s in mod.structs:
            if s.union is not None:
                if s.tag is None:
                    raise SpecError(f"{s.name}: only tagged structs can form a union")
                unions.setdefault(s.union, []).append(s)
        for uname, group in unions.items():
            fields = {s.tag_field for s in group}
            tags = [s.tag for s in group]
            if len(fields) != 1 or len(set(tags)) != len(tags):
                raise SpecError(f"union {uname}: variants need one tag_field and distinct tags")
            wires = {s.wire for s in group}
            if len(wires) != 1:
                raise SpecError(f"union {uname}: variants must share one wire type (or none)")
        return unions

    def _validate(self, mod: Module) -> None:
        for s in mod.structs:
            for f in s.fields:
                for ref in type_refs(f.type):
                    sym = self.symbols.get(ref)
                    if sym is None or sym.kind == "const":
                        raise SpecError(f"{s.name}.{f.wire}: unknown type {ref!r}")
        for e in mod.endpoints:
            for t in (e.request, e.response):
                for ref in type_refs(t) if t is not None else ():
                    if ref not in self.symbols or self.symbols[ref].kind == "const":
                        raise SpecError(f"endpoint {e.name}: unknown type {ref!r}")

    # -- types -------------------------------------------------------------

    def render_type(self, t: TypeExpr, strict: bool) -> str:
        """Render a type expression as a Python annotation."""
        if isinstance(t, TPrim):
            return PRIMITIVES[t.name]
        if isinstance(t, TNull):
            return "None"
        if isinstance(t, TLit):
            return f"Literal[{self._lit(t.value)}]"
        if isinstance(t, TList):
            return f"tuple[{self.render_type(t.item, strict)}, ...]"
        if isinstance(t, TDict):
            return f"Mapping[str, {self.render_type(t.value, strict)}]"
        if isinstance(t, TRef):
            sym = self.symbols[t.name]
            return sym.strict if strict and sym.strict else t.name
        parts: list[str] = []
        lits: list[TLit] = [m for m in t.members if isinstance(m, TLit)]
        lit_done = False
        for m in t.members:
            if isinstance(m, TNull):
                continue
            if isinstance(m, TLit):
                if not lit_done:
                    parts.append("Literal[" + ", ".join(self._lit(x.value) for x in lits) + "]")
                    lit_done = True
                continue
            parts.append(self.render_type(m, strict))
        if any(isinstance(m, TNull) for m in t.members):
            parts.append("None")
        return " | ".join(parts)

    def render_field_type(self, f: FieldSpec, strict: bool, owner: str = "") -> str:
        """Render a field annotation; a constrained type becomes a private
        ``Annotated`` alias defined before the structs (kept short for ruff)."""
        if not f.meta and not f.item_meta:
            return self.render_type(f.type, strict)
        alias = f"_{'Strict' if strict else ''}{owner}_{f.py}"
        members = tuple(m for m in _members(f.type) if not isinstance(m, TNull))
        core = members[0] if len(members) == 1 else TUnion(members)
        if f.item_meta:
            assert isinstance(core, TList)
            item = _annotated(self.render_type(core.item, strict), f.item_meta)
            text = f"tuple[{item}, ...]"
        else:
            text = self.render_type(core, strict)
        if f.meta:
            text = _annotated(text, f.meta)
        if alias not in self.aliases:
            self.aliases[alias] = text
        return alias + (" | None" if _nullable(f.type) and core != TPrim("any") else "")

    @staticmethod
    def _lit(v: str | int | bool) -> str:
        if isinstance(v, bool):
            return "True" if v else "False"
        return pystr(v) if isinstance(v, str) else repr(v)

    def render_default(self, f: FieldSpec) -> str:
        """Render a field default as Python source."""
        v = f.default
        if not f.required and v is None:
            return "None"
        refs = [self.symbols[r] for r in type_refs(f.type)]
        if isinstance(v, (str, int)) and not isinstance(v, bool):
            for m in _members(f.type):
                if isinstance(m, TRef) and self.symbols[m.name].kind == "enum":
                    member = self.enum_values[m.name].get(v)
                    if member is not None:
                        return f"{m.name}.{member}"
        if isinstance(v, dict):
            if v:
                raise SpecError(f"{f.wire}: only an empty table can be a default")
            return "dict"
        if isinstance(v, list) and any(r.kind == "struct" for r in refs) and v:
            raise SpecError(f"{f.wire}: struct-typed defaults are not supported")
        return flat(pyvalue(v))

    # -- modules -----------------------------------------------------------

    def module_source(self, mod: Module) -> str:
        """Render one generated module."""
        body: list[str] = []
        uses: set[str] = set()
        imports: dict[str, set[str]] = {}
        unions = self._unions(mod)

        def note(t: TypeExpr | None, text: str) -> None:
            if t is not None:
                for ref in type_refs(t):
                    sym = self.symbols[ref]
                    if sym.module != mod.name:
                        imports.setdefault(sym.module, set()).add(ref)
                        if sym.strict and sym.kind in ("struct", "union"):
                            imports[sym.module].add(sym.strict)
            for token in (
                "Annotated",
                "Any",
                "Literal",
                "Mapping",
                "MappingProxyType",
                "ClassVar",
                "Final",
            ):
                if re.search(rf"\b{token}\b", text):
                    uses.add(token)

        exports: list[str] = []
        for e in mod.enums:
            body.extend(self._enum(e))
            exports.append(e.name)
        for c in mod.consts:
            lines = self._const(c)
            body.extend(lines)
            note(None, "\n".join(lines))
            exports.append(c.name)
        if mod.consts:
            body.append("")
            body.append("")
        self.aliases = {}
        for s in mod.structs:
            lines = self._struct(s, strict=False)
            body.extend(lines)
            for f in s.fields:
                note(f.type, "")
            note(None, "\n".join(lines))
            exports.append(s.name)
        for s in mod.structs:
            lines = self._struct(s, strict=True)
            body.extend(lines)
            note(None, "\n".join(lines))
            exports.append("Strict" + s.name)
        # Constrained field types, after the structs: the annotations are
        # strings (``from __future__ import annotations``) resolved lazily,
        # while an alias may name a struct defined above.
        has_aliases = bool(self.aliases)
        if has_aliases:
            alias_lines = ["#: Constrained field types (JSON-Schema bounds as msgspec.Meta)."]
            for alias, text in self.aliases.items():
                alias_lines.extend(_alias_lines(alias, text))
            alias_lines.extend(["", ""])
            body.extend(alias_lines)
            note(None, "\n".join(alias_lines))
        for uname, group in unions.items():
            for prefix in ("", "Strict"):
                members = Seq("", [prefix + s.name for s in group], "")
                doc = f"#: Tagged union of the ``{uname}`` variants (tag ``{group[0].tag_field}``)."
                body.append(doc if not prefix else f"#: Strict twin of :data:`{uname}`.")
                body.extend(_union_lines(f"{prefix}{uname}: TypeAlias = ", members))
                exports.append(prefix + uname)
            uses.add("TypeAlias")
        for direction, alias in (("server", "ServerEvent"), ("client", "ClientMessage")):
            classes = [
                x.name for x in mod.structs if x.wire is not None and x.direction == direction
            ]
            if classes:
                what = "server -> client event" if direction == "server" else "client -> server"
                body.append(f"#: Every {what} Struct class of this module.")
                body.extend(_union_lines(f"{alias}: TypeAlias = ", Seq("", list(classes), "")))
                exports.append(alias)
                uses.add("TypeAlias")
        if "TypeAlias" in uses:
            body.append("")
            body.append("")
        reg_lines = self._registries(mod, unions)
        if reg_lines:
            body.extend(reg_lines)
            note(None, "\n".join(reg_lines))
            for ln in reg_lines:
                m = re.match(r"^([A-Z_]+):", ln)
                if m:
                    exports.append(m.group(1))
        for ep in mod.endpoints:
            note(ep.request, "")
            note(ep.response, "")
        while body and body[-1] == "":
            body.pop()

        head: list[str] = [
            f"# Generated by tools/gen_schemas.py from {mod.source}; do not edit.",
            "# ruff: noqa: E501",
        ]
        head.extend(docstring(mod.doc or f"Schemas generated from ``{mod.source}``.", ""))
        head.append("")
        head.append("from __future__ import annotations")
        head.append("")
        std: list[str] = []
        if mod.enums:
            std.append("import enum")
        if "Mapping" in uses:
            std.append("from collections.abc import Mapping")
        if "MappingProxyType" in uses:
            std.append("from types import MappingProxyType")
        if has_aliases:
            uses.add("TypeAlias")
        typing_names = sorted(
            n
            for n in ("Annotated", "Any", "ClassVar", "Final", "Literal", "TypeAlias")
            if n in uses
        )
        if typing_names:
            std.append("from typing import " + ", ".join(typing_names))
        head.extend(std)
        if mod.structs:
            if std:
                head.append("")
            head.append("import msgspec")
        local: list[str] = []
        if mod.endpoints:
            head.append("")
            head.append("from sogni_core.protocol._endpoint import Endpoint")
        for other in sorted(imports):
            local.extend(_import_lines(f".{other}", sorted(imports[other])))
        if local:
            head.append("")
            head.extend(local)
        head.append("")
        head.extend(
            layout(Seq("[", [pystr(n) for n in sorted(exports)], "]"), "", "__all__ = ", "")
        )
        head.append("")
        head.append("")
        text = "\n".join(head + body) + "\n"
        return text

    def _enum(self, e: EnumSpec) -> list[str]:
        base = "enum.IntEnum" if isinstance(e.members[0][1], int) else "str, enum.Enum"
        lines = [f"class {e.name}({base}):"]
        lines.extend(docstring(e.doc or f"The ``{e.name}`` values.", INDENT))
        lines.append("")
        for k, v in e.members:
            lines.append(f"{INDENT}{k} = {self._lit(v)}")
        return [*lines, "", ""]

    def _const(self, c: ConstSpec) -> list[str]:
        lines: list[str] = []
        if c.doc:
            lines.extend(
                "#: " + ln for ln in textwrap.wrap(" ".join(c.doc.split()), width=LINE - 3)
            )
        lines.extend(layout(pyvalue(c.value), "", f"{c.name}: Final = ", ""))
        return lines

    def _struct(self, s: StructSpec, strict: bool) -> list[str]:
        name = ("Strict" if strict else "") + s.name
        args: list[Doc] = []
        if strict:
            args.append(s.name)
        else:
            args.append("msgspec.Struct")
        args += ["frozen=True", "kw_only=True"]
        if s.omit_defaults:
            args.append("omit_defaults=True")
        if strict or s.forbid_unknown_fields:
            args.append("forbid_unknown_fields=True")
        if s.tag_field is not None and s.tag is not None:
            args += [f"tag_field={pystr(s.tag_field)}", f"tag={self._lit(s.tag)}"]
        lines = layout(Call("(", args, ")"), "", f"class {name}", ":")
        if strict:
            doc = (
                f"Strict twin of :class:`{s.name}`: unknown fields are a decode error.\n\n"
                "Used by tests to prove the spec names every field a vector carries."
            )
        else:
            doc = s.doc or f"The ``{s.name}`` shape."
            if s.wire is not None:
                arrow = "server -> client" if s.direction == "server" else "client -> server"
                doc += f"\n\nWire: ``{s.wire}`` ({arrow})"
                if s.tag is not None:
                    doc += f", ``{s.tag_field}`` = ``{s.tag}``"
                if s.bare is not None:
                    doc += f"; the payload is the bare ``{s.bare}`` value"
                doc += "."
            if s.fields:
                doc += "\n\n" + attributes_doc(s.fields, INDENT)
        lines.extend(docstring(doc, INDENT))
        if not strict and s.wire is not None:
            lines.append("")
            lines.append(f"{INDENT}__wire_type__: ClassVar[str] = {pystr(s.wire)}")
            lines.append(f"{INDENT}__wire_direction__: ClassVar[str] = {pystr(s.direction)}")
            if s.bare is not None:
                lines.append(f"{INDENT}__wire_bare__: ClassVar[str | None] = {pystr(s.bare)}")
            else:
                lines.append(f"{INDENT}__wire_bare__: ClassVar[str | None] = None")
        if s.fields:
            lines.append("")
        if not strict and s.field_docs:
            docs: list[Doc] = [
                Pair(pystr(f.wire) + ": ", pystr(" ".join(f.doc.split())))
                for f in s.fields
                if f.doc
            ]
            lines.extend(
                layout(
                    Call("MappingProxyType(", [Seq("{", docs, "}")], ")"),
                    INDENT,
                    "__field_docs__: ClassVar[Mapping[str, str]] = ",
                    "",
                )
            )
        for f in s.fields:
            ann = self.render_field_type(f, strict, s.name)
            kwargs: list[Doc] = []
            default_src: str | None = None
            if not f.required:
                default_src = self.render_default(f)
            if default_src == "dict":
                kwargs.append("default_factory=dict")
            elif default_src is not None:
                kwargs.append(f"default={default_src}")
            if f.wire != f.py:
                kwargs.append(f"name={pystr(f.wire)}")
            lines.extend(self._field_line(f.py, ann, default_src, kwargs))
        return [*lines, "", ""]

    @staticmethod
    def _field_line(py: str, ann: str, default_src: str | None, kwargs: list[Doc]) -> list[str]:
        if any(isinstance(k, str) and k.startswith("name=") for k in kwargs) or (
            default_src == "dict"
        ):
            value: Doc = Call("msgspec.field(", kwargs, ")")
        elif default_src is not None:
            value = default_src
        else:
            value = ""
        if value == "":
            line = f"{INDENT}{py}: {ann}"
            if len(line) <= LINE:
                return [line]
            return [f"{INDENT}{py}: (", f"{INDENT * 2}{ann}", f"{INDENT})"]
        first = f"{py}: {ann} = "
        if len(INDENT + first + flat(value)) <= LINE:
            return [INDENT + first + flat(value)]
        if isinstance(value, Call) and len(INDENT + first + value.open) <= LINE:
            return layout(value, INDENT, first, "")
        if len(INDENT + first + "(") <= LINE and len(INDENT * 2 + flat(value)) <= LINE:
            return [INDENT + first + "(", INDENT * 2 + flat(value), INDENT + ")"]
        return [f"{INDENT}{py}: (", f"{INDENT * 2}{ann}", *layout(value, INDENT, ") = ", "")]

    def _registries(self, mod: Module, unions: Mapping[str, list[StructSpec]]) -> list[str]:
        lines: list[str] = []
        wired = [s for s in mod.structs if s.wire is not None]
        if wired:
            for direction, reg in (("server", "SERVER_EVENTS"), ("client", "CLIENT_MESSAGES")):
                entries: dict[str, tuple[str, list[str]]] = {}
                for s in wired:
                    if s.direction != direction:
                        continue
                    assert s.wire is not None
                    target = s.union or s.name
                    if s.wire in entries and entries[s.wire][0] != target:
                        raise SpecError(f"wire type {s.wire!r} ({direction}) is defined twice")
                    entries.setdefault(s.wire, (target, []))[1].append(s.name)
                what = "server -> client event" if direction == "server" else "client -> server"
                for prefix in ("", "STRICT_"):
                    sp = "Strict" if prefix else ""
                    lines.append(
                        f"#: Wire type -> decode type ({what}); unions for tagged variants."
                        if not prefix
                        else f"#: Strict twin of :data:`{reg}` (unknown fields are errors)."
                    )
                    items: list[Doc] = [
                        Pair(pystr(w) + ": ", sp + t) for w, (t, _) in sorted(entries.items())
                    ]
                    lines.extend(
                        layout(
                            Seq("{", items, "}"), "", f"{prefix}{reg}: Final[dict[str, Any]] = ", ""
                        )
                    )
                lines.append(f"#: Wire type -> every concrete Struct class ({what}).")
                items = [
                    Pair(pystr(w) + ": ", Seq("(", list(names), ")", tuple_=True))
                    for w, (_, names) in sorted(entries.items())
                ]
                lines.extend(
                    layout(
                        Seq("{", items, "}"),
                        "",
                        f"{reg[:-1] if reg.endswith('S') else reg}_CLASSES: "
                        "Final[dict[str, tuple[type[msgspec.Struct], ...]]] = ",
                        "",
                    )
                )
        if mod.structs:
            lines.append("#: Every Struct class of this module, in spec order.")
            lines.extend(
                layout(
                    Seq("(", [s.name for s in mod.structs], ")", tuple_=True),
                    "",
                    "STRUCTS: Final[tuple[type[msgspec.Struct], ...]] = ",
                    "",
                )
            )
            lines.append("#: Struct class -> its strict twin (forbid_unknown_fields=True).")
            lines.extend(
                layout(
                    Seq("{", [Pair(s.name + ": ", "Strict" + s.name) for s in mod.structs], "}"),
                    "",
                    "STRICT: Final[dict[type[msgspec.Struct], type[msgspec.Struct]]] = ",
                    "",
                )
            )
        if mod.enums:
            lines.append("#: Every enum class of this module, in spec order.")
            lines.extend(
                layout(
                    Seq("(", [e.name for e in mod.enums], ")", tuple_=True),
                    "",
                    "ENUMS: Final[tuple[type[enum.Enum], ...]] = ",
                    "",
                )
            )
        if mod.endpoints:
            lines.append("#: Endpoint name -> description (method, host, path, types).")
            items2: list[Doc] = [
                Pair(pystr(e.name) + ": ", self._endpoint(e)) for e in mod.endpoints
            ]
            lines.extend(
                layout(Seq("{", items2, "}"), "", "ENDPOINTS: Final[dict[str, Endpoint]] = ", "")
            )
        return lines

    def _endpoint(self, e: EndpointSpec) -> Doc:
        params = re.findall(r"\{([A-Za-z_][A-Za-z0-9_]*)\}", e.path)

        def typ(t: TypeExpr | None, strict: bool) -> str:
            if t is None:
                return "None"
            return self.render_type(t, strict)

        args: list[Doc] = [
            f"name={pystr(e.name)}",
            f"method={pystr(e.method)}",
            f"host={pystr(e.host)}",
            f"path={pystr(e.path)}",
            Pair("path_params=", Seq("(", [pystr(p) for p in params], ")", tuple_=True)),
            f"request={typ(e.request, False)}",
            f"response={typ(e.response, False)}",
            f"strict_request={typ(e.request, True)}",
            f"strict_response={typ(e.response, True)}",
            f"envelope={e.envelope}",
        ]
        if e.query:
            args.append(Pair("query=", Seq("(", [pystr(q) for q in e.query], ")", tuple_=True)))
        if e.doc:
            args.append(f"doc={pystr(' '.join(e.doc.split()))}")
        if e.meta:
            meta_items: list[Doc] = [Pair(pystr(k) + ": ", pyvalue(v)) for k, v in e.meta.items()]
            args.append(Pair("meta=", Call("MappingProxyType(", [Seq("{", meta_items, "}")], ")")))
        return Seq("Endpoint(", args, ")")

    def init_source(self) -> str:
        """Render ``_generated/__init__.py``."""
        names = [m.name for m in self.modules]
        # Modules with wire types feed the merged registries and are imported
        # here; the others (REST, tools...: most of the import time) on first
        # attribute access (PEP 562), so a socket client does not pay for them.
        eager = [m.name for m in self.modules if any(s.wire for s in m.structs)]
        lazy = [n for n in names if n not in eager]
        lines = ["# Generated by tools/gen_schemas.py from spec/*.toml; do not edit."]
        lines.append('"""Generated protocol schemas, one module per ``spec/<name>.toml``.')
        lines.append("")
        lines.append("The merged registries below span every module; see each module for its own.")
        if lazy:
            lines.append("Modules without socket types are imported on first use.")
        lines.append('"""')
        lines.append("")
        lines.append("from __future__ import annotations")
        lines.append("")
        if lazy:
            lines.append("import importlib")
        typing_names = "TYPE_CHECKING, Any, Final, TypeAlias" if lazy else "Any, Final, TypeAlias"
        lines.append(f"from typing import {typing_names}")
        lines.append("")
        lines.append("import msgspec")
        lines.append("")
        if eager:
            lines.extend(_import_lines(".", eager))
            lines.append("")
        if lazy:
            lines.append("if TYPE_CHECKING:")
            lines.extend(INDENT + line for line in _import_lines(".", lazy))
            lines.append("")
        if not eager and not lazy:
            lines.append("")
        exports = [
            "CLIENT_MESSAGES",
            "SERVER_EVENTS",
            "STRICT_CLIENT_MESSAGES",
            "STRICT_SERVER_EVENTS",
        ]
        exports += ["CLIENT_MESSAGE_CLASSES", "SERVER_EVENT_CLASSES", "MODULES", *names]
        exports += ["ClientMessage", "ServerEvent"]
        lines.extend(
            layout(Seq("[", [pystr(n) for n in sorted(exports)], "]"), "", "__all__ = ", "")
        )
        lines.append("")
        with_wire = [m.name for m in self.modules if any(s.wire for s in m.structs)]
        seen: dict[tuple[str, str], str] = {}
        for m in self.modules:
            for s in m.structs:
                if s.wire is not None:
                    key = (s.direction, s.wire)
                    if key in seen and seen[key] != m.name:
                        raise SpecError(f"wire type {s.wire!r} is defined in two spec files")
                    seen[key] = m.name

        def merged(reg: str, typ: str) -> list[str]:
            items: list[Doc] = [f"**{n}.{reg}" for n in with_wire]
            return layout(Seq("{", items, "}"), "", f"{reg}: Final[{typ}] = ", "")

        if lazy:
            lines.extend(
                layout(
                    Seq("(", [pystr(n) for n in names], ")", tuple_=True),
                    "",
                    "_NAMES: Final = ",
                    "",
                )
            )
            lines.append("")
            lines.append("")
            lines.append("def __getattr__(name: str) -> Any:")
            lines.append('    """Import a generated module, or build ``MODULES``, on first use."""')
            lines.append('    if name == "MODULES":')
            lines.append(
                '        modules = {n: importlib.import_module(f".{n}", __name__) for n in _NAMES}'
            )
            lines.append('        globals()["MODULES"] = modules')
            lines.append("        return modules")
            lines.append("    if name in _NAMES:")
            lines.append('        return importlib.import_module(f".{name}", __name__)')
            lines.append(
                '    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")'
            )
            lines.append("")
            lines.append("")
            lines.append("#: Every generated module, by spec name (imports them all).")
            lines.append("MODULES: dict[str, Any]")
        else:
            lines.append("#: Every generated module, by spec name.")
            lines.extend(
                layout(
                    Seq("{", [Pair(pystr(n) + ": ", n) for n in names], "}"),
                    "",
                    "MODULES: Final[dict[str, Any]] = ",
                    "",
                )
            )
        classes = "dict[str, tuple[type[msgspec.Struct], ...]]"
        for reg, typ in (
            ("SERVER_EVENTS", "dict[str, Any]"),
            ("STRICT_SERVER_EVENTS", "dict[str, Any]"),
            ("SERVER_EVENT_CLASSES", classes),
            ("CLIENT_MESSAGES", "dict[str, Any]"),
            ("STRICT_CLIENT_MESSAGES", "dict[str, Any]"),
            ("CLIENT_MESSAGE_CLASSES", classes),
        ):
            lines.extend(merged(reg, typ))
        for direction, alias in (("server", "ServerEvent"), ("client", "ClientMessage")):
            mods = [
                m.name
                for m in self.modules
                if any(s.wire is not None and s.direction == direction for s in m.structs)
            ]
            what = "server -> client event" if direction == "server" else "client -> server"
            lines.append(f"#: Every {what} Struct class of every module.")
            members = Seq("", [f"{n}.{alias}" for n in mods] or ["msgspec.Struct"], "")
            lines.extend(_union_lines(f"{alias}: TypeAlias = ", members))
        return "\n".join(lines) + "\n"


def _alias_lines(alias: str, text: str) -> list[str]:
    """``alias: TypeAlias = Annotated[inner, msgspec.Meta(...)]``, broken as ruff would."""
    first = f"{alias}: TypeAlias = "
    if len(first + text) <= LINE or not text.startswith("Annotated["):
        return [first + text]
    inner, meta = text[len("Annotated[") : -1].rsplit(", msgspec.Meta(", 1)
    return layout(Call("Annotated[", [inner, "msgspec.Meta(" + meta], "]"), "", first, "")


def _meta_value(v: Any) -> str:
    if isinstance(v, dict):
        return "{" + ", ".join(f"{pystr(str(k))}: {_meta_value(x)}" for k, x in v.items()) + "}"
    if isinstance(v, list):
        return "[" + ", ".join(_meta_value(x) for x in v) + "]"
    return flat(pyvalue(v))


def _annotated(text: str, meta: Mapping[str, Any]) -> str:
    kwargs = ", ".join(f"{k}={_meta_value(v)}" for k, v in meta.items())
    return f"Annotated[{text}, msgspec.Meta({kwargs})]"


def _union_lines(first: str, members: Seq) -> list[str]:
    one = first + " | ".join(flat(m) for m in members.items)
    if len(one) <= LINE:
        return [one]
    inner = INDENT + " | ".join(flat(m) for m in members.items)
    if len(inner) <= LINE:
        return [first + "(", inner, ")"]
    lines = [first + "("]
    for i, m in enumerate(members.items):
        lines.append(INDENT + ("| " if i else "") + flat(m))
    lines.append(")")
    return lines


def _import_lines(module: str, names: Sequence[str]) -> list[str]:
    """Render ``from module import names`` the way ruff formats it."""
    one = f"from {module} import " + ", ".join(names)
    if len(one) <= LINE:
        return [one]
    return [f"from {module} import (", *(INDENT + n + "," for n in names), ")"]


# ---------------------------------------------------------------------------
# driver


def generate(spec_dir: Path = SPEC_DIR) -> dict[str, str]:
    """Render the whole generated package.

    Args:
        spec_dir: the directory holding ``*.toml`` spec files.

    Returns:
        File name (relative to the output directory) -> source text.

    Raises:
        SpecError: a spec file is invalid.
    """
    modules = [load_module(p) for p in sorted(spec_dir.glob("*.toml"))]
    gen = Generator(modules)
    files = {f"{m.name}.py": gen.module_source(m) for m in modules}
    files["__init__.py"] = gen.init_source()
    return files


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns the process exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--check", action="store_true", help="fail if generated files are stale")
    parser.add_argument("--spec-dir", type=Path, default=SPEC_DIR)
    parser.add_argument("--out-dir", type=Path, default=OUT_DIR)
    args = parser.parse_args(argv)
    try:
        files = generate(args.spec_dir)
    except SpecError as exc:
        print(f"gen_schemas: {exc}", file=sys.stderr)
        return 2
    out: Path = args.out_dir
    existing = {p.name for p in out.glob("*.py")} if out.is_dir() else set()
    problems: list[str] = []
    for name, text in sorted(files.items()):
        path = out / name
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current != text:
            problems.append(f"{'stale' if current is not None else 'missing'}: {path}")
            if not args.check:
                out.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
    for name in sorted(existing - set(files)):
        problems.append(f"extra: {out / name}")
        if not args.check:
            (out / name).unlink()
    if args.check:
        for p in problems:
            print(f"gen_schemas --check: {p}", file=sys.stderr)
        if problems:
            print("gen_schemas: run `python tools/gen_schemas.py` to regenerate", file=sys.stderr)
        return 1 if problems else 0
    for p in problems:
        print(f"gen_schemas: wrote {p}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
