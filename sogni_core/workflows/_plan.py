"""Inline workflow plans: a small builder and the client-side validation.

A durable workflow is started with an inline plan ``{title?, steps: [...]}``
(02 §5.3) whose steps name a hosted tool, its exact arguments, and
``dependsOn`` bindings from earlier outputs. The server validates the plan
again before every step; this module catches the mistakes a client can see
before any I/O, each as an :class:`InvalidParamsError` naming the offending
field with the SDK's JSON path spelling (``input.steps[1].dependsOn[0].sourceStepId``):

* every step has a non-empty ``toolName`` and an ``arguments`` object;
* step ids are non-empty, unique and never the reserved ``$input_media``;
* a ``dependsOn`` source names an existing step other than itself, or
  ``$input_media`` - which needs request-level ``media_references`` with
  enough entries of the requested ``mediaType`` for ``sourceArtifactIndex``;
* ``targetArgument`` is a non-empty string, ``transform`` one of the
  DependencyTransform values, ``sourceArtifactIndex`` an integer >= 0,
  ``mediaType`` image/video/audio;
* the dependency graph has no cycle (the server runs steps in dependency
  order, so a cycle could never start).

On the wire the plan is sent exactly as given (02 §5.2: "The inline ``input``
object (title, steps, step arguments, ``dependsOn`` entries) is sent exactly
as given, in camelCase"); validation never rewrites it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import msgspec

from sogni_core.protocol._errors import InvalidParamsError
from sogni_core.protocol._generated.workflows import (
    INPUT_MEDIA,
    MEDIA_TYPES,
    DependencyTransform,
    StepDependency,
    WorkflowInput,
    WorkflowStep,
)

__all__ = [
    "WorkflowBuilder",
    "bind",
    "check_external_media",
    "plan_to_wire",
    "validate_plan",
]

_TRANSFORMS = frozenset(t.value for t in DependencyTransform)

# 02 §3.3.2 / §5.3 (same rule for chat runs and workflows).
_WORKFLOW_MEDIA_MESSAGE = (
    "Durable creative workflows do not support inline base64/data URI media. "
    "Upload media first and pass HTTP(S) URLs instead. Offending field(s): "
)


def bind(
    source_step_id: str,
    target_argument: str,
    transform: str | DependencyTransform,
    *,
    index: int | None = None,
    artifact_id: str | None = None,
    media_type: str | None = None,
    required: bool | None = None,
) -> StepDependency:
    """Build one ``dependsOn`` binding.

    Args:
        source_step_id: an earlier step's id, or ``"$input_media"``.
        target_argument: the argument of the dependent step to fill.
        transform: a :class:`DependencyTransform` (or its value).
        index: ``sourceArtifactIndex``.
        artifact_id: ``sourceArtifactId``.
        media_type: ``image``, ``video`` or ``audio``.
        required: fail the step when the binding cannot be resolved.

    Returns:
        The :class:`StepDependency` (validated later, with the whole plan).
    """
    value = transform.value if isinstance(transform, DependencyTransform) else transform
    return StepDependency(
        source_step_id=source_step_id,
        target_argument=target_argument,
        transform=value,
        source_artifact_index=index,
        source_artifact_id=artifact_id,
        media_type=media_type,  # type: ignore[arg-type]
        required=required,
    )


class WorkflowBuilder:
    """Collect steps into a :class:`WorkflowInput`.

    Example::

        plan = (
            WorkflowBuilder("Keyframe to clip")
            .step("keyframe", "generate_image", {"prompt": "a lighthouse"})
            .step("clip", "generate_video", {"prompt": "waves"},
                  depends_on=[bind("keyframe", "referenceImageIndices", "image_index", index=0)])
            .build()
        )

    Args:
        title: the plan title, or ``None``.
    """

    def __init__(self, title: str | None = None) -> None:
        self._title = title
        self._steps: list[WorkflowStep] = []

    def step(
        self,
        step_id: str,
        tool_name: str,
        arguments: Mapping[str, Any] | None = None,
        *,
        depends_on: Sequence[StepDependency] = (),
    ) -> WorkflowBuilder:
        """Append one step; returns the builder for chaining."""
        self._steps.append(
            WorkflowStep(
                id=step_id,
                tool_name=tool_name,
                arguments=dict(arguments or {}),
                depends_on=tuple(depends_on) or None,
            )
        )
        return self

    def build(self, *, media_references: Sequence[Any] | None = None) -> WorkflowInput:
        """Validate and return the plan.

        Args:
            media_references: the request-level media the plan's
                ``$input_media`` bindings will read.

        Returns:
            The :class:`WorkflowInput`.

        Raises:
            InvalidParamsError: a rule of :func:`validate_plan` is broken.
        """
        plan = WorkflowInput(title=self._title, steps=tuple(self._steps))
        validate_plan(plan, media_references=media_references)
        return plan


def plan_to_wire(plan: WorkflowInput | Mapping[str, Any]) -> Any:
    """The JSON value sent as ``input``: a mapping passes through untouched.

    Raises:
        InvalidParamsError: ``plan`` is neither a mapping nor a WorkflowInput.
    """
    if isinstance(plan, WorkflowInput):
        # JSON-shaped (lists, not tuples); every step keeps its ``arguments``
        # object even when empty (omit_defaults would drop it).
        raw: dict[str, Any] = msgspec.json.decode(msgspec.json.encode(plan))
        steps = []
        for step in raw["steps"]:
            shaped = {k: step[k] for k in ("id", "toolName") if k in step}
            shaped["arguments"] = step.get("arguments", {})
            if "dependsOn" in step:
                shaped["dependsOn"] = step["dependsOn"]
            steps.append(shaped)
        raw["steps"] = steps
        return raw
    if isinstance(plan, Mapping):
        return plan
    raise InvalidParamsError("input", "must be a WorkflowInput or a mapping")


def _media_kind(ref: Any) -> str | None:
    if not isinstance(ref, Mapping):
        return None
    for key in ("mediaType", "kind", "type"):
        value = ref.get(key)
        if isinstance(value, str):
            return value
    return None


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def validate_plan(
    plan: WorkflowInput | Mapping[str, Any],
    *,
    media_references: Sequence[Any] | None = None,
) -> None:
    """Check an inline plan before it is sent (rules in the module docstring).

    Args:
        plan: a :class:`WorkflowInput` or the raw mapping.
        media_references: the request's ``media_references`` (for ``$input_media``).

    Raises:
        InvalidParamsError: the first broken rule, with a field path such as
            ``input.steps[2].dependsOn[0].sourceStepId``.
    """
    raw = plan_to_wire(plan)
    steps = raw.get("steps")
    if not isinstance(steps, (list, tuple)) or not steps:
        raise InvalidParamsError("input.steps", "must be a non-empty list of steps")
    ids: dict[str, int] = {}
    for i, step in enumerate(steps):
        where = f"input.steps[{i}]"
        if not isinstance(step, Mapping):
            raise InvalidParamsError(where, "must be an object")
        tool = step.get("toolName")
        if not isinstance(tool, str) or not tool.strip():
            raise InvalidParamsError(f"{where}.toolName", "must be a non-empty string")
        if "arguments" in step and not isinstance(step["arguments"], Mapping):
            raise InvalidParamsError(f"{where}.arguments", "must be an object")
        step_id = step.get("id")
        if step_id is None:
            continue
        if not isinstance(step_id, str) or not step_id:
            raise InvalidParamsError(f"{where}.id", "must be a non-empty string")
        if step_id == INPUT_MEDIA:
            raise InvalidParamsError(f"{where}.id", f"{INPUT_MEDIA!r} is reserved")
        if step_id in ids:
            raise InvalidParamsError(
                f"{where}.id", f"duplicate step id {step_id!r} (also input.steps[{ids[step_id]}])"
            )
        ids[step_id] = i
    edges: dict[int, list[int]] = {i: [] for i in range(len(steps))}
    for i, step in enumerate(steps):
        deps = step.get("dependsOn")
        if deps is None:
            continue
        where = f"input.steps[{i}].dependsOn"
        if not isinstance(deps, (list, tuple)):
            raise InvalidParamsError(where, "must be a list")
        for j, dep in enumerate(deps):
            at = f"{where}[{j}]"
            if not isinstance(dep, Mapping):
                raise InvalidParamsError(at, "must be an object")
            source = dep.get("sourceStepId")
            if not isinstance(source, str) or not source:
                raise InvalidParamsError(f"{at}.sourceStepId", "must be a non-empty string")
            target = dep.get("targetArgument")
            if not isinstance(target, str) or not target:
                raise InvalidParamsError(f"{at}.targetArgument", "must be a non-empty string")
            if dep.get("transform") not in _TRANSFORMS:
                raise InvalidParamsError(
                    f"{at}.transform", f"must be one of {', '.join(sorted(_TRANSFORMS))}"
                )
            index = dep.get("sourceArtifactIndex")
            if index is not None and (not _is_int(index) or index < 0):
                raise InvalidParamsError(f"{at}.sourceArtifactIndex", "must be an integer >= 0")
            media_type = dep.get("mediaType")
            if media_type is not None and media_type not in MEDIA_TYPES:
                raise InvalidParamsError(f"{at}.mediaType", "must be image, video or audio")
            if source == INPUT_MEDIA:
                _check_input_media(at, media_references, index, media_type)
                continue
            if source not in ids:
                raise InvalidParamsError(f"{at}.sourceStepId", f"no step has id {source!r}")
            if ids[source] == i:
                raise InvalidParamsError(f"{at}.sourceStepId", "a step cannot depend on itself")
            edges[i].append(ids[source])
    _check_acyclic(steps, edges)


def _check_input_media(
    at: str, media_references: Sequence[Any] | None, index: int | None, media_type: str | None
) -> None:
    # 02 §5.3: "$input_media = the request-level media_references"; with a
    # mediaType, sourceArtifactIndex counts the references of that type.
    refs = list(media_references or ())
    if not refs:
        raise InvalidParamsError(
            f"{at}.sourceStepId", f"{INPUT_MEDIA} needs request-level media_references"
        )
    if media_type is not None:
        refs = [r for r in refs if _media_kind(r) in (None, media_type)]
    wanted = index if index is not None else 0
    if wanted >= len(refs):
        lane = f" of type {media_type}" if media_type else ""
        raise InvalidParamsError(
            f"{at}.sourceArtifactIndex",
            f"{INPUT_MEDIA} has {len(refs)} media reference(s){lane}; "
            f"index {wanted} is out of range",
        )


def _check_acyclic(steps: Sequence[Any], edges: Mapping[int, list[int]]) -> None:
    # Iterative three-colour DFS; the reported cycle lists step ids in order.
    colour = dict.fromkeys(edges, 0)  # 0 new, 1 on stack, 2 done
    for start in edges:
        if colour[start]:
            continue
        stack: list[tuple[int, int]] = [(start, 0)]
        path: list[int] = [start]
        colour[start] = 1
        while stack:
            node, k = stack[-1]
            if k < len(edges[node]):
                stack[-1] = (node, k + 1)
                nxt = edges[node][k]
                if colour[nxt] == 1:
                    cycle = path[path.index(nxt) :] + [nxt]
                    names = " -> ".join(str(steps[n].get("id")) for n in cycle)
                    raise InvalidParamsError(
                        f"input.steps[{node}].dependsOn", f"dependency cycle: {names}"
                    )
                if colour[nxt] == 0:
                    colour[nxt] = 1
                    stack.append((nxt, 0))
                    path.append(nxt)
            else:
                colour[node] = 2
                stack.pop()
                path.pop()


def check_external_media(media_references: Any, *, prefix: str = "mediaReferences") -> None:
    """Refuse inline media in durable requests (02 §5.3 rule 1, §3.3.2).

    A ``url`` that, trimmed, is non-empty and starts with ``data:`` or not
    with ``http(s)://`` is a violation; so is any non-blank ``dataUri`` /
    ``data_uri``. Non-list values and non-object entries are ignored, as in
    the SDK.

    Raises:
        InvalidParamsError: ``field`` is the first offending path; the rule
            is the SDK's message listing every offending path.
    """
    if not isinstance(media_references, (list, tuple)):
        return
    bad: list[str] = []
    for i, ref in enumerate(media_references):
        if not isinstance(ref, Mapping):
            continue
        url = ref.get("url")
        if isinstance(url, str) and url.strip():
            lowered = url.strip().lower()
            if lowered.startswith("data:") or not lowered.startswith(("http://", "https://")):
                bad.append(f"{prefix}[{i}].url")
        for key in ("dataUri", "data_uri"):
            value = ref.get(key)
            if isinstance(value, str) and value.strip():
                bad.append(f"{prefix}[{i}].{key}")
    if bad:
        raise InvalidParamsError(bad[0], _WORKFLOW_MEDIA_MESSAGE + ", ".join(bad))
