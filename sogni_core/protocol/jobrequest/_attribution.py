"""Workload attribution: merge client defaults with per-request values (01 §4.3.5).

Invalid values are dropped silently, never rejected: attribution must not make
an otherwise valid generation request fail.
"""

from __future__ import annotations

import re

import msgspec

from sogni_core.protocol._generated import jobrequest as T

from ._params import WorkloadAttributionInput

__all__ = ["attribution_wire_fields", "resolve_workload_attribution"]

_UNSAFE = re.compile("[\x00-\x1f\x7f]")
_VERSION = re.compile(r"[0-9][0-9A-Za-z.+_-]*\Z")
_OPERATION_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]*\Z")
_WORKLOAD_KINDS = frozenset(m.value for m in T.WorkloadKind)
_SCOPES = frozenset(m.value for m in T.OperationScope)
_SURFACES = frozenset(m.value for m in T.AgentSurface)
_MODES = frozenset(m.value for m in T.ExecutionMode)
# What JavaScript String.prototype.trim strips (ECMA-262 WhiteSpace + LineTerminator).
_JS_WS = (
    "\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
    "\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
)


def _enum(value: str | None, allowed: frozenset[str]) -> str | None:
    if value is None:
        return None
    stripped: str = value.strip(_JS_WS)
    return stripped if stripped in allowed else None


def _bounded(value: str | None, max_length: int) -> str | None:
    if value is None:
        return None
    text: str = value.strip(_JS_WS)
    if not text or len(text.encode("utf-16-le")) // 2 > max_length or _UNSAFE.search(text):
        return None
    return text


def _version(value: str | None) -> str | None:
    value = _bounded(value, T.ATTRIBUTION_MAX_VERSION_LENGTH)
    return value if value and _VERSION.match(value) else None


def _operation_id(value: str | None) -> str | None:
    if (
        not value
        or len(value) > T.ATTRIBUTION_MAX_OPERATION_ID_LENGTH
        or value.strip(_JS_WS) != value
        or _UNSAFE.search(value)
        or not _OPERATION_ID.match(value)
    ):
        return None
    return value


def _as_dict(value: WorkloadAttributionInput | None) -> dict[str, str]:
    if value is None:
        return {}
    return {k: v for k, v in msgspec.structs.asdict(value).items() if v is not None}


def resolve_workload_attribution(
    defaults: WorkloadAttributionInput | None,
    overrides: WorkloadAttributionInput | None,
    fallback_operation_id: str | None = None,
) -> dict[str, str] | None:
    """Merge client ``defaults`` with one request's ``overrides``.

    Mirrors the SDK's ``resolveWorkloadAttribution``.

    Args:
        defaults: the client's configured workload attribution, if any.
        overrides: the request's ``attribution`` param, if any.
        fallback_operation_id: used as ``operation_id`` when none survives
            (the project id for a jobRequest).

    Returns:
        The normalized attribution keyed by snake_case name, or ``None`` when
        nothing valid remains (the fallback id alone never creates attribution).
    """
    if defaults is None and overrides is None:
        return None
    base, over = _as_dict(defaults), _as_dict(overrides)
    merged = {**base, **over}
    # A version belongs to its framework/surface: drop the default's version
    # when the request changes the identity without giving its own version.
    for identity, version in (
        ("agent_framework", "agent_framework_version"),
        ("agent_surface", "agent_surface_version"),
    ):
        if identity in over and over[identity] != base.get(identity) and version not in over:
            merged.pop(version, None)

    result: dict[str, str] = {}
    candidates = {
        "agent_framework": _bounded(
            merged.get("agent_framework"), T.ATTRIBUTION_MAX_METADATA_LENGTH
        ),
        "agent_framework_version": _version(merged.get("agent_framework_version")),
        "agent_surface": _enum(merged.get("agent_surface"), _SURFACES),
        "agent_surface_version": _version(merged.get("agent_surface_version")),
        "execution_mode": _enum(merged.get("execution_mode"), _MODES),
        "workload_kind": _enum(merged.get("workload_kind"), _WORKLOAD_KINDS),
        "operation_scope": _enum(merged.get("operation_scope"), _SCOPES),
        "operation_id": _operation_id(merged.get("operation_id")),
        "root_operation_id": _operation_id(merged.get("root_operation_id")),
        "parent_operation_id": _operation_id(merged.get("parent_operation_id")),
    }
    result = {k: v for k, v in candidates.items() if v}
    if result.get("workload_kind", "agent_mediated") != "agent_mediated":
        result.pop("agent_framework", None)
        result.pop("agent_framework_version", None)
    if not result:
        return None
    if "operation_id" not in result:
        fallback = _operation_id(fallback_operation_id)
        if fallback:
            result["operation_id"] = fallback
    if "operation_id" in result and "operation_scope" not in result:
        root = result.get("root_operation_id")
        child = "parent_operation_id" in result or (root and root != result["operation_id"])
        result["operation_scope"] = "child" if child else "top_level"
    scope = result.get("operation_scope")
    if scope == "child" and "root_operation_id" in result and "parent_operation_id" not in result:
        result["parent_operation_id"] = result["root_operation_id"]
    if scope == "top_level" and "operation_id" in result:
        result["root_operation_id"] = result["operation_id"]
        result.pop("parent_operation_id", None)
    return result


def attribution_wire_fields(attribution: dict[str, str] | None) -> dict[str, str]:
    """The flat camelCase keys appended to ``jobRequest``, in wire order (01 §4.3.5).

    Args:
        attribution: a result of :func:`resolve_workload_attribution`, or ``None``.

    Returns:
        ``{wireName: value}`` in the fixed wire order; empty without attribution.
    """
    if not attribution:
        return {}
    out: dict[str, str] = {}
    for wire in T.ATTRIBUTION_WIRE_FIELDS:
        snake = re.sub(r"([A-Z])", lambda m: "_" + m.group(1).lower(), wire)
        if snake in attribution:
            out[wire] = attribution[snake]
    return out
