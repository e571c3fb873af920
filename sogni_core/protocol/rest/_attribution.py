"""Attribution headers of the Sogni-owned REST calls (01 §6.1.5, 02 §1.3).

Sent only by hosted chat completions, hosted tool execute, chat-run create and
workflow start/resume/reseed - never to presigned storage URLs and never by the
account/project endpoints. Invalid values are silently dropped, never an error.

The caller merges client defaults with per-call overrides (a field set on the
call wins) and supplies the fallback operation id (the SDK uses a fresh
uppercase UUID v4 - randomness is an input here).
Rules applied here, from the SDK's normaliser:

* strings are trimmed; free text is 1-128 characters without control characters;
  versions are <= 32 characters matching ``[0-9][0-9A-Za-z.+_-]*``;
* enums must be one of their listed values;
* lineage ids match ``[A-Za-z0-9][A-Za-z0-9._:-]*``, <= 128 characters;
* agent framework (and version) are kept only when ``workload_kind`` is absent
  or ``agent_mediated``;
* scope defaults to ``child`` when a parent (or a different root) is given,
  else ``top_level``; ``top_level`` forces root = operation id and drops parent;
  ``child`` with a root but no parent uses the root as parent.
"""

from __future__ import annotations

import re
from typing import Final

import msgspec

from ._request import Headers

__all__ = ["Attribution", "attribution_headers"]

_MAX_TEXT: Final = 128
_MAX_VERSION: Final = 32
# Pattern strings, compiled (and cached by ``re``) on first use, not at import.
_CONTROL = r"[\x00-\x1f\x7f]"
_VERSION = r"[0-9][0-9A-Za-z.+_-]*"
_OPERATION_ID = r"[A-Za-z0-9][A-Za-z0-9._:-]*"

INTERACTION_KINDS: Final = frozenset({"human_ui", "external_agent", "service", "unknown"})
WORKLOAD_KINDS: Final = frozenset({"direct", "agent_mediated", "service", "unknown"})
AGENT_SURFACES: Final = frozenset(
    {
        "native_web",
        "native_mobile",
        "native_desktop",
        "plugin",
        "personal_skill",
        "mcp",
        "cli",
        "sdk",
        "openai_compatible",
        "direct_api",
        "unknown",
    }
)
EXECUTION_MODES: Final = frozenset({"browser", "durable", "server", "unknown"})
OPERATION_SCOPES: Final = frozenset({"top_level", "child", "unknown"})


class Attribution(msgspec.Struct, frozen=True, kw_only=True):
    """Resolved attribution for one request; every field optional.

    Attributes:
        app_source: ``X-App-Source``.
        interaction_kind: connection attribution (``human_ui`` ...).
        workload_kind: ``direct`` | ``agent_mediated`` | ``service`` | ``unknown``.
        agent_framework: free text, e.g. ``langchain``.
        agent_framework_version: a version string.
        agent_surface: ``sdk``, ``cli``, ``mcp`` ...
        agent_surface_version: a version string.
        execution_mode: ``browser`` | ``durable`` | ``server`` | ``unknown``.
        operation_scope: ``top_level`` | ``child`` | ``unknown``.
        operation_id: this operation's id; see ``fallback_operation_id``.
        root_operation_id: the top-level operation's id.
        parent_operation_id: the parent operation's id.
    """

    app_source: str | None = None
    interaction_kind: str | None = None
    workload_kind: str | None = None
    agent_framework: str | None = None
    agent_framework_version: str | None = None
    agent_surface: str | None = None
    agent_surface_version: str | None = None
    execution_mode: str | None = None
    operation_scope: str | None = None
    operation_id: str | None = None
    root_operation_id: str | None = None
    parent_operation_id: str | None = None


def _text(value: str | None, limit: int = _MAX_TEXT) -> str | None:
    if value is None:
        return None
    value = value.strip()
    if not value or len(value) > limit or re.search(_CONTROL, value):
        return None
    return value


def _version(value: str | None) -> str | None:
    value = _text(value, _MAX_VERSION)
    return value if value is not None and re.fullmatch(_VERSION, value) else None


def _enum(value: str | None, allowed: frozenset[str]) -> str | None:
    value = value.strip() if value is not None else None
    return value if value in allowed else None


def _op_id(value: str | None) -> str | None:
    if value is None or len(value) > _MAX_TEXT or not re.fullmatch(_OPERATION_ID, value):
        return None
    return value


def attribution_headers(
    attribution: Attribution | None, *, fallback_operation_id: str | None = None
) -> Headers:
    """The ``X-App-Source`` / ``X-Sogni-*`` headers for ``attribution``.

    Args:
        attribution: resolved values, or ``None`` for no headers.
        fallback_operation_id: the operation id to use when ``operation_id``
            is unset - the SDK passes a fresh uppercase UUID v4 (the socket
            chat's ``jobID``). Used only when some workload field survives
            normalisation: "Do not turn an empty/invalid attribution object
            into attributed traffic solely because the transport happens to
            have a request ID."

    Returns:
        ``(name, value)`` pairs in the SDK's order; invalid values dropped.
    """
    if attribution is None:
        return ()
    a = attribution
    workload = _enum(a.workload_kind, WORKLOAD_KINDS)
    framework = _text(a.agent_framework)
    framework_version = _version(a.agent_framework_version)
    if workload is not None and workload != "agent_mediated":
        framework = framework_version = None
    surface = _enum(a.agent_surface, AGENT_SURFACES)
    surface_version = _version(a.agent_surface_version)
    mode = _enum(a.execution_mode, EXECUTION_MODES)
    op = _op_id(a.operation_id)
    root = _op_id(a.root_operation_id)
    parent = _op_id(a.parent_operation_id)
    scope = _enum(a.operation_scope, OPERATION_SCOPES)
    fields = (workload, framework, framework_version, surface, surface_version, mode)
    has_workload = any(v is not None for v in (*fields, op, root, parent, scope))
    if op is None and has_workload:
        op = _op_id(fallback_operation_id)
    if op is not None and scope is None:
        scope = "child" if parent or (root and root != op) else "top_level"
    if scope == "child" and root and not parent:
        parent = root
    if scope == "top_level" and op:
        root, parent = op, None
    pairs = (
        ("X-App-Source", _text(a.app_source)),
        ("X-Sogni-Interaction-Kind", _enum(a.interaction_kind, INTERACTION_KINDS)),
        ("X-Sogni-Workload-Kind", workload),
        ("X-Sogni-Agent-Framework", framework),
        ("X-Sogni-Agent-Framework-Version", framework_version),
        ("X-Sogni-Agent-Surface", surface),
        ("X-Sogni-Agent-Surface-Version", surface_version),
        ("X-Sogni-Execution-Mode", mode),
        ("X-Sogni-Operation-Scope", scope),
        ("X-Sogni-Operation-Id", op),
        ("X-Sogni-Root-Operation-Id", root),
        ("X-Sogni-Parent-Operation-Id", parent),
    )
    return tuple((name, value) for name, value in pairs if value is not None)
