"""Rendering helpers of ``tools/gen_schemas.py``: literals, the ruff-format-compatible layout
of calls and sequences, docstrings, and the line builders the generator shares."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from _spec_model import (
    INDENT,
    LINE,
    FieldSpec,
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
