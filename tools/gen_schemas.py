"""Generate ``sogni_core/protocol/_generated/`` from ``spec/*.toml``.

Every ``spec/<name>.toml`` becomes ``sogni_core/protocol/_generated/<name>.py`` (msgspec
Structs, enums, constants, endpoint tables and registries), plus one
``_generated/__init__.py`` that imports every module and merges the socket registries.
The file format is described in ``spec/README.md``; this script is its only reader
(``_spec_model.py`` loads the specs, ``_spec_render.py`` holds the layout helpers).

Usage::

    python tools/gen_schemas.py            # (re)write the generated package
    python tools/gen_schemas.py --check    # exit 1 if anything is stale, missing or extra

The output is deterministic and already in ``ruff format`` style (line length 100), so
``ruff format --check`` and ``--check`` agree without running ruff here.
"""

from __future__ import annotations

import argparse
import re
import sys
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the helper modules beside it


from _spec_model import (
    INDENT,
    LINE,
    OUT_DIR,
    PRIMITIVES,
    SPEC_DIR,
    ConstSpec,
    EndpointSpec,
    FieldSpec,
    Module,
    SpecError,
    StructSpec,
    TDict,
    TList,
    TLit,
    TNull,
    TPrim,
    TRef,
    TUnion,
    TypeExpr,
    _members,
    _nullable,
    load_module,
    snake_case,
    type_refs,
)
from _spec_render import (
    Call,
    Doc,
    Pair,
    Seq,
    _alias_lines,
    _annotated,
    _import_lines,
    _union_lines,
    attributes_doc,
    docstring,
    enum_lines,
    flat,
    layout,
    lazy_enum_lines,
    lazy_enums,
    pystr,
    pyvalue,
)

__all__ = ["SpecError", "generate", "main", "snake_case"]


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
        if lazy_enums(mod):
            body.extend(lazy_enum_lines(mod.enums))
            exports.extend([*(e.name for e in mod.enums), "ENUMS"])
            uses.update({"Any", "Final", "TYPE_CHECKING"})
        else:
            for e in mod.enums:
                body.extend(enum_lines(e))
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
        typing_names = ["TYPE_CHECKING"] if "TYPE_CHECKING" in uses else []  # isort: constants first
        typing_names += sorted(
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
        if mod.enums and not lazy_enums(mod):
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
