"""Hosted Sogni creative tools: definitions, recognition, argument validation (02 §4.1-§4.7).

The tool set lives in ``spec/tools.toml`` (one argument Struct per tool,
generated into :mod:`sogni_core.protocol._generated.tools`). This module turns
those Structs into OpenAI tool definitions (:func:`sogni_tools`) through
``msgspec.inspect`` - types, enums, bounds, required flags and our
descriptions - and validates a model's tool-call arguments with the rules of
the SDK's hosted-tool validator (02 §4.7):

* arguments must be a JSON object;
* a required argument that is missing, ``null``, ``""`` or ``[]`` is missing;
* types are checked (``integer`` = a number without fraction); enums, except
  ``model`` (advisory selectors) on every tool but ``generate_music``;
  ``minimum``/``maximum``, string lengths in UTF-16 units, item counts;
* ``null`` values are kept unchecked; unknown keys are kept, except under
  ``additionalProperties: false`` where they are stripped with a warning.

Errors name the argument path (``overlays[0].kind``) and are collected; a
failed validation raises :class:`ToolArgumentsError` (an
``InvalidParamsError`` whose ``field`` is the first bad path).
"""

from __future__ import annotations

import copy
import functools
import math
from collections.abc import Mapping
from typing import Any, Final

import msgspec
import msgspec.inspect as mi

from sogni_core.protocol._errors import InvalidParamsError
from sogni_core.protocol._generated import tools as _gen

__all__ = [
    "DIRECT_TOOL_NAMES",
    "SYNC_TOOL_NAMES",
    "SogniToolCall",
    "TOOL_NAMES",
    "ToolArgumentsError",
    "ToolValidation",
    "args_type",
    "is_sogni_tool_call",
    "parse_sogni_tool_call",
    "parse_tool_call_arguments",
    "sogni_tools",
    "tool_schema",
    "validate_tool_arguments",
]

TOOL_NAMES: Final[tuple[str, ...]] = tuple(_gen.TOOL_NAMES)
"""Every hosted tool, in the protocol manifest's order."""
DIRECT_TOOL_NAMES: Final = (
    "generate_image",
    "edit_image",
    "generate_video",
    "sound_to_video",
    "video_to_video",
    "generate_music",
)
"""02 §4.2: the tools a client can run itself as projects."""
SYNC_TOOL_NAMES: Final = (
    "enhance_prompt",
    "compose_lyrics",
    "compose_instrumental",
    "compose_script",
    "compose_workflow",
    "compose_workflow_template",
)
"""02 §3.2: synchronous text tools for ``/v1/creative-agent/tools/execute``."""


def _pascal(name: str) -> str:
    return "".join(p[:1].upper() + p[1:] for p in name.split("_"))


def args_type(name: str) -> type[msgspec.Struct]:
    """The generated argument Struct of a tool (``generate_image`` -> ``GenerateImageArgs``).

    Raises:
        InvalidParamsError: not a hosted tool (field ``name``).
    """
    if name not in TOOL_NAMES:
        raise InvalidParamsError("name", f"unknown hosted Sogni tool {name!r}")
    cls = getattr(_gen, _pascal(name) + "Args")
    assert isinstance(cls, type) and issubclass(cls, msgspec.Struct)
    return cls


# -- JSON Schema from the generated Structs --------------------------------------


def _strip_none(t: mi.Type) -> mi.Type:
    if isinstance(t, mi.UnionType):
        rest = [x for x in t.types if not isinstance(x, mi.NoneType)]
        if len(rest) == 1:
            return rest[0]
    return t


def _type_schema(t: mi.Type, description: str | None = None) -> dict[str, Any]:
    t = _strip_none(t)
    extra: dict[str, Any] = {}
    if isinstance(t, mi.Metadata):
        extra = dict(t.extra_json_schema or {})
        t = _strip_none(t.type)
    out: dict[str, Any] = {}
    if isinstance(t, mi.StrType):
        out["type"] = "string"
        if t.min_length is not None:
            out["minLength"] = t.min_length
        if t.max_length is not None:
            out["maxLength"] = t.max_length
    elif isinstance(t, (mi.IntType, mi.FloatType)):
        out["type"] = "integer" if isinstance(t, mi.IntType) else "number"
        if t.ge is not None:
            out["minimum"] = t.ge
        if t.le is not None:
            out["maximum"] = t.le
    elif isinstance(t, mi.BoolType):
        out["type"] = "boolean"
    elif isinstance(t, mi.EnumType):
        out["type"] = "string"
        out["enum"] = [m.value for m in t.cls]
    elif isinstance(t, mi.VarTupleType):
        out["type"] = "array"
        out["items"] = _type_schema(t.item_type)
        if t.min_length is not None:
            out["minItems"] = t.min_length
        if t.max_length is not None:
            out["maxItems"] = t.max_length
    elif isinstance(t, mi.DictType):
        out["type"] = "object"
    elif isinstance(t, mi.StructType):
        out.update(_struct_schema(t))
    else:
        assert isinstance(t, mi.AnyType), t
    if description:
        out["description"] = description
    out.update(extra)
    return out


def _struct_schema(t: mi.StructType) -> dict[str, Any]:
    docs: Mapping[str, str] = getattr(t.cls, "__field_docs__", {})
    props = {f.encode_name: _type_schema(f.type, docs.get(f.encode_name)) for f in t.fields}
    out: dict[str, Any] = {"type": "object", "properties": props}
    required = [f.encode_name for f in t.fields if f.required]
    if required:
        out["required"] = required
    if t.forbid_unknown_fields:
        out["additionalProperties"] = False
    return out


@functools.cache
def _definitions() -> dict[str, dict[str, Any]]:
    """Every tool's definition, built on first use (~80 ms of msgspec.inspect at import)."""
    out: dict[str, dict[str, Any]] = {}
    for name in TOOL_NAMES:
        info = mi.type_info(args_type(name))
        assert isinstance(info, mi.StructType)
        out[name] = {
            "type": "function",
            "function": {
                "name": name,
                "description": _gen.TOOL_DESCRIPTIONS[name],
                "parameters": _struct_schema(info),
            },
        }
    return out


def tool_schema(name: str) -> dict[str, Any]:
    """The JSON Schema (``parameters``) of one tool (a fresh copy).

    Raises:
        InvalidParamsError: not a hosted tool.
    """
    args_type(name)
    return copy.deepcopy(_definitions()[name]["function"]["parameters"])


def sogni_tools(names: list[str] | tuple[str, ...] | None = None) -> list[dict[str, Any]]:
    """OpenAI-style definitions of the hosted tools, ready for ``tools=``.

    Args:
        names: a subset, in the order wanted; ``None`` gives every tool in
            manifest order.

    Returns:
        Fresh ``{"type": "function", "function": {name, description, parameters}}`` dicts.

    Raises:
        InvalidParamsError: an unknown name.
    """
    chosen = TOOL_NAMES if names is None else tuple(names)
    for n in chosen:
        args_type(n)
    definitions = _definitions()
    return [copy.deepcopy(definitions[n]) for n in chosen]


# -- recognising and parsing tool calls ---------------------------------------------


def _call_parts(call: Any) -> tuple[str | None, str | None, Any]:
    """(id, name, arguments) of a tool call given as a Struct or a dict."""
    if isinstance(call, Mapping):
        fn = call.get("function")
        if isinstance(fn, Mapping):
            return call.get("id"), fn.get("name"), fn.get("arguments")
        return call.get("id"), call.get("name"), call.get("arguments")
    fn = getattr(call, "function", None)
    if fn is not None:
        return getattr(call, "id", None), getattr(fn, "name", None), getattr(fn, "arguments", None)
    return getattr(call, "id", None), getattr(call, "name", None), getattr(call, "arguments", None)


def is_sogni_tool_call(call: Any) -> bool:
    """02 §4.5: the function name is exactly one of the hosted tool names
    (the retired ``sogni_`` prefixes are not recognised)."""
    return _call_parts(call)[1] in TOOL_NAMES


def parse_tool_call_arguments(call: Any) -> Any:
    """02 §4.5: strict JSON parse of ``function.arguments``; any failure gives ``{}``.

    The parsed value's type is not checked (a JSON array is returned as is
    and later fails validation).
    """
    raw = _call_parts(call)[2]
    if isinstance(raw, Mapping):
        return dict(raw)
    if not isinstance(raw, (str, bytes)):
        return {}
    try:
        return msgspec.json.decode(raw)
    except msgspec.DecodeError:
        return {}


class ToolArgumentsError(InvalidParamsError):
    """A tool call's arguments broke the tool's schema.

    Attributes:
        tool: the tool name.
        errors: ``(path, rule)`` pairs, in schema order; ``field`` is the first path.
    """

    def __init__(self, tool: str, errors: list[tuple[str, str]]) -> None:
        super().__init__(errors[0][0], errors[0][1])
        self.tool = tool
        self.errors = tuple(errors)
        self.args = (f"Invalid {tool} arguments: " + "; ".join(rule for _, rule in errors),)


class ToolValidation(msgspec.Struct, frozen=True, kw_only=True):
    """Result of :func:`validate_tool_arguments`.

    Attributes:
        ok: no errors.
        errors: ``(path, rule)`` pairs.
        cleaned: the arguments with stripped keys removed.
        warnings: e.g. ``Stripped unknown argument "x"``.
    """

    ok: bool
    errors: tuple[tuple[str, str], ...]
    cleaned: dict[str, Any]
    warnings: tuple[str, ...]


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _is_num(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _matches(kind: str, v: Any) -> bool:
    if kind == "array":
        return isinstance(v, list)
    if kind == "integer":
        return _is_num(v) and float(v).is_integer()
    if kind == "number":
        return _is_num(v)
    if kind == "boolean":
        return isinstance(v, bool)
    if kind == "object":
        return isinstance(v, dict)
    if kind == "string":
        return isinstance(v, str)
    if kind == "null":
        return v is None
    return True  # unknown type names match anything


def _same(a: Any, b: Any) -> bool:
    # JS strict equality: a boolean never equals a number
    return isinstance(a, bool) == isinstance(b, bool) and a == b


def _plural(n: float, word: str) -> str:
    return f"{n:g} {word}" + ("" if n == 1 else "s")


class _Ctx:
    def __init__(self, skip_enum: frozenset[str]) -> None:
        self.errors: list[tuple[str, str]] = []
        self.warnings: list[str] = []
        self.skip_enum = skip_enum

    def error(self, path: str, rule: str) -> None:
        self.errors.append((path, f'Argument "{path}" {rule}'))


def _check(schema: Mapping[str, Any], value: Any, path: str, ctx: _Ctx) -> Any:
    kinds = schema.get("type")
    allowed = [kinds] if isinstance(kinds, str) else list(kinds or [])
    if allowed and not any(_matches(k, value) for k in allowed):
        ctx.error(path, "must be " + " or ".join(allowed))
        return value
    enum = schema.get("enum")
    if isinstance(enum, list):
        last = path.rsplit(".", 1)[-1]
        if path not in ctx.skip_enum and last not in ctx.skip_enum:
            if not any(_same(value, e) for e in enum):
                listed = ", ".join(msgspec.json.encode(e).decode() for e in enum)
                ctx.error(path, f"must be one of {listed}")
    if _is_num(value):
        if "minimum" in schema and value < schema["minimum"]:
            ctx.error(path, f"must be at least {schema['minimum']:g}")
        if "maximum" in schema and value > schema["maximum"]:
            ctx.error(path, f"must be at most {schema['maximum']:g}")
    if isinstance(value, str):
        n = _utf16(value)
        if "minLength" in schema and n < schema["minLength"]:
            ctx.error(path, f"must contain at least {_plural(schema['minLength'], 'character')}")
        if "maxLength" in schema and n > schema["maxLength"]:
            ctx.error(path, f"must contain at most {_plural(schema['maxLength'], 'character')}")
    if isinstance(value, list):
        if "minItems" in schema and len(value) < schema["minItems"]:
            ctx.error(path, f"must contain at least {_plural(schema['minItems'], 'item')}")
        if "maxItems" in schema and len(value) > schema["maxItems"]:
            ctx.error(path, f"must contain at most {_plural(schema['maxItems'], 'item')}")
        items = schema.get("items")
        if isinstance(items, Mapping):
            return [_check(items, v, f"{path}[{i}]", ctx) for i, v in enumerate(value)]
        return value
    if isinstance(value, dict) and ("properties" in schema or "required" in schema):
        return _check_object(schema, value, path, ctx)
    return value


def _check_object(schema: Mapping[str, Any], value: dict[str, Any], path: str, ctx: _Ctx) -> Any:
    props: Mapping[str, Any] = schema.get("properties") or {}
    prefix = f"{path}." if path else ""
    for name in schema.get("required") or ():
        v = value.get(name)
        if v is None or v == "" or v == []:
            ctx.errors.append((prefix + name, f'Missing required argument "{prefix}{name}"'))
    closed = schema.get("additionalProperties") is False
    cleaned: dict[str, Any] = {}
    for key, v in value.items():
        if key not in props:
            if closed:
                ctx.warnings.append(f'Stripped unknown argument "{prefix}{key}"')
            else:
                cleaned[key] = v
            continue
        cleaned[key] = v if v is None else _check(props[key], v, prefix + key, ctx)
    return cleaned


def validate_tool_arguments(name: str, arguments: Any) -> ToolValidation:
    """Validate a hosted tool call's arguments with the SDK's rules (02 §4.7).

    Args:
        name: the tool name.
        arguments: the parsed arguments (see :func:`parse_tool_call_arguments`).

    Returns:
        A :class:`ToolValidation`; errors are collected, never raised.

    Raises:
        InvalidParamsError: ``name`` is not a hosted tool.
    """
    schema = tool_schema(name)
    if not isinstance(arguments, dict):
        return ToolValidation(
            ok=False,
            errors=(("arguments", "Tool arguments must be a JSON object"),),
            cleaned={},
            warnings=(),
        )
    ctx = _Ctx(frozenset() if name == "generate_music" else frozenset({"model"}))
    cleaned = _check_object(schema, arguments, "", ctx)
    return ToolValidation(
        ok=not ctx.errors,
        errors=tuple(ctx.errors),
        cleaned=cleaned,
        warnings=tuple(ctx.warnings),
    )


class SogniToolCall(msgspec.Struct, frozen=True, kw_only=True):
    """A recognised, validated hosted tool call.

    Attributes:
        id: the tool call id.
        name: the tool name.
        arguments: the cleaned arguments (wire names, unknown keys kept
            unless the tool's schema is closed).
        args: the typed argument Struct, or ``None`` when an advisory value
            (an unlisted ``model`` selector) does not fit the Struct's enum.
        warnings: validator warnings.
    """

    id: str
    name: str
    arguments: dict[str, Any]
    args: msgspec.Struct | None
    warnings: tuple[str, ...] = ()


def parse_sogni_tool_call(call: Any) -> SogniToolCall:
    """Recognise, parse and validate one tool call.

    Args:
        call: a tool call (:class:`~sogni_core.chat.MessageToolCall`, the
            state machine's ``ToolCall``, or an OpenAI dict).

    Returns:
        The :class:`SogniToolCall`.

    Raises:
        InvalidParamsError: not a hosted tool (field ``function.name``).
        ToolArgumentsError: the arguments break the schema (fields name them).
    """
    call_id, name, _ = _call_parts(call)
    if not isinstance(name, str) or name not in TOOL_NAMES:
        raise InvalidParamsError("function.name", f"not a Sogni tool call: {name}")
    result = validate_tool_arguments(name, parse_tool_call_arguments(call))
    if not result.ok:
        raise ToolArgumentsError(name, list(result.errors))
    try:
        typed: msgspec.Struct | None = msgspec.convert(result.cleaned, args_type(name))
    except msgspec.ValidationError:
        typed = None
    return SogniToolCall(
        id=call_id if isinstance(call_id, str) else "",
        name=name,
        arguments=result.cleaned,
        args=typed,
        warnings=result.warnings,
    )
