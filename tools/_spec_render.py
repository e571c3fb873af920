"""Rendering helpers of ``tools/gen_schemas.py``: literals, the ruff-format-compatible layout
of calls and sequences, docstrings, and the line builders the generator shares."""

from __future__ import annotations

import ast
import json
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from _spec_model import (
    INDENT,
    LINE,
    EnumSpec,
    FieldSpec,
    Module,
    SpecError,
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
        first = width - 3 if i == 0 else width
        if len(paras) == 1 and width - 6 < len(" ".join(para.split())) <= width - 3:
            # One paragraph: leave room for the closing quotes too, or ruff, which keeps
            # a one-line docstring on one line, would join a lone overflowing line.
            first = width - 6
        out.extend(textwrap.wrap(" ".join(para.split()), width=first))
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
# enums


def _lit(v: str | int) -> str:
    return pystr(v) if isinstance(v, str) else repr(v)


def enum_doc(e: EnumSpec) -> str:
    """The docstring of an enum class."""
    return e.doc or f"The ``{e.name}`` values."


def enum_lines(e: EnumSpec, indent: str = "") -> list[str]:
    """The class statement of one enum (two blank lines after it)."""
    base = "enum.IntEnum" if isinstance(e.members[0][1], int) else "str, enum.Enum"
    lines = [f"{indent}class {e.name}({base}):"]
    lines.extend(docstring(enum_doc(e), indent + INDENT))
    lines.append("")
    for k, v in e.members:
        lines.append(f"{indent}{INDENT}{k} = {_lit(v)}")
    return [*lines, "", ""]


def _runtime_doc(e: EnumSpec) -> str:
    """The ``__doc__`` of the enum's class statement at module level."""
    source = "\n".join(docstring(enum_doc(e), INDENT)).removeprefix(INDENT)
    value = ast.literal_eval(source)
    assert isinstance(value, str)
    return value


def lazy_enums(mod: Module) -> bool:
    """Whether ``mod``'s enums are built on first access (PEP 562 ``__getattr__``).

    Creating an enum class costs ~0.1 ms, and ``enums.py`` (24 of them) is imported
    by every client, which touches a handful. Only a module without Structs
    qualifies: msgspec resolves a Struct's annotations in its module's namespace,
    which a module ``__getattr__`` does not serve.
    """
    return bool(mod.enums) and not mod.structs


#: The run-time half of a lazy enum module (see :func:`lazy_enum_lines`).
_LAZY_ENUM_FUNCTIONS = '''\
def _build(name: str) -> type[enum.Enum]:
    """Create the enum class ``name`` from :data:`_ENUM_SPECS`."""
    doc, members = _ENUM_SPECS[name]
    # Called through Any: type checkers read the class statements above instead.
    factory: Any = enum.IntEnum if isinstance(members[0][1], int) else enum.Enum
    kwargs: dict[str, Any] = {} if factory is enum.IntEnum else {"type": str}
    cls: type[enum.Enum] = factory(name, members, module=__name__, qualname=name, **kwargs)
    cls.__doc__ = doc
    return cls


def __getattr__(name: str) -> Any:
    """Build an enum class (or ``ENUMS``) on first access (PEP 562)."""
    if name == "ENUMS":
        value: Any = tuple(globals().get(n) or __getattr__(n) for n in _ENUM_SPECS)
    elif name in _ENUM_SPECS:
        value = _build(name)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    # setdefault: should two threads race, both get the class stored first.
    return globals().setdefault(name, value)


def __dir__() -> list[str]:
    """The module's names, the enums not built yet included."""
    return sorted({*globals(), *__all__})'''


def lazy_enum_lines(enums: Sequence[EnumSpec]) -> list[str]:
    """The enums of a lazy module: class statements for type checkers, a table of
    names and values, and the ``__getattr__`` that builds each class from it."""
    lines = [
        "if TYPE_CHECKING:",
        f"{INDENT}# What type checkers see. At run time each class is built from",
        f"{INDENT}# _ENUM_SPECS on first access by __getattr__ below: the class (bases,",
        f"{INDENT}# members, docstring, module and qualname) this statement would make.",
        "",
    ]
    for e in enums:
        lines.extend(enum_lines(e, INDENT)[:-1])
    lines.append(f"{INDENT}#: Every enum class of this module, in spec order.")
    lines.append(f"{INDENT}ENUMS: tuple[type[enum.Enum], ...]")
    lines.extend(["", ""])
    items: list[Doc] = []
    for e in enums:
        pairs: list[Doc] = [Seq("(", [pystr(k), _lit(v)], ")", tuple_=True) for k, v in e.members]
        entry = Seq("(", [pystr(_runtime_doc(e)), Seq("(", pairs, ")", tuple_=True)], ")")
        items.append(Pair(pystr(e.name) + ": ", entry))
    lines.append("#: Enum name -> (docstring, (member, value) pairs), in spec order.")
    lines.extend(
        layout(
            Seq("{", items, "}"),
            "",
            "_ENUM_SPECS: Final[dict[str, tuple[str, tuple[tuple[str, str | int], ...]]]] = ",
            "",
        )
    )
    lines.extend(["", "", *_LAZY_ENUM_FUNCTIONS.splitlines(), "", ""])
    return lines
