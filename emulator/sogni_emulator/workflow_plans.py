"""Workflow plans: the tools, binding transforms, validation and order (02 §5).

A plan is a list of steps; a step's ``dependsOn`` bindings name a source
step (or ``$input_media``, the request's ``media_references``) and a
``transform`` that turns its artifact into an argument. This module is pure:
it checks plans (:func:`plan_problem`), orders steps (:func:`step_order`) and
fills template inputs (:func:`substitute`); running them is
:mod:`sogni_emulator.workflow_runner`.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = [
    "AUDIO_TOOLS",
    "IMAGE_TOOLS",
    "INPUT_MEDIA",
    "KNOWN_TOOLS",
    "TEXT_TOOLS",
    "TRANSFORMS",
    "VIDEO_TOOLS",
    "media_kind",
    "plan_problem",
    "step_order",
    "substitute",
]

INPUT_MEDIA = "$input_media"
TRANSFORMS = frozenset(
    {
        "artifact_url",
        "artifact_data_uri",
        "image_url",
        "video_url",
        "audio_url",
        "image_index",
        "video_index",
        "audio_index",
        "subtitle_cues",
        "subtitle_srt",
        "overlay_items",
        "asset_ref",
    }
)
VIDEO_TOOLS = frozenset(
    {
        "generate_video",
        "animate_photo",
        "video_to_video",
        "stitch_video",
        "orbit_video",
        "dance_montage",
        "sound_to_video",
        "extend_video",
        "replace_video_segment",
        "overlay_video",
        "add_subtitles",
    }
)
AUDIO_TOOLS = frozenset({"generate_music"})
IMAGE_TOOLS = frozenset(
    {
        "generate_image",
        "edit_image",
        "apply_style",
        "restore_photo",
        "upscale_image",
        "refine_result",
        "change_angle",
    }
)
TEXT_TOOLS = frozenset(
    {
        "analyze_image",
        "analyze_video",
        "extract_metadata",
        "finalize_response",
        "create_asset_manifest",
        "inspect_asset",
        "label_asset",
        "map_assets_for_model",
        "validate_asset_references",
        "ask_clarifying_question",
    }
)
KNOWN_TOOLS = VIDEO_TOOLS | AUDIO_TOOLS | IMAGE_TOOLS | TEXT_TOOLS


def media_kind(ref: Any) -> str | None:
    if isinstance(ref, dict):
        for key in ("mediaType", "kind", "type"):
            if isinstance(ref.get(key), str):
                return str(ref[key])
    return None


def plan_problem(plan: Any, media: list[Any], *, allow_empty: bool = False) -> str | None:
    """Server-side plan validation; the first problem as a message, else ``None``."""
    if not isinstance(plan, dict):
        return "input must be an object"
    steps = plan.get("steps")
    if not isinstance(steps, list) or (not steps and not allow_empty):
        return "input.steps must be a non-empty array"
    ids: set[str] = set()
    for i, step in enumerate(steps):
        if not isinstance(step, dict):
            return f"input.steps[{i}] must be an object"
        tool = step.get("toolName")
        if tool not in KNOWN_TOOLS:
            return f"input.steps[{i}].toolName: unsupported tool {tool!r}"
        if not isinstance(step.get("arguments", {}), dict):
            return f"input.steps[{i}].arguments must be an object"
        sid = step.get("id")
        if sid is not None:
            if not isinstance(sid, str) or not sid or sid in ids or sid == INPUT_MEDIA:
                return f"input.steps[{i}].id: invalid or duplicate id"
            ids.add(sid)
    for i, step in enumerate(steps):
        for j, dep in enumerate(step.get("dependsOn") or []):
            at = f"input.steps[{i}].dependsOn[{j}]"
            if not isinstance(dep, dict):
                return f"{at} must be an object"
            source = dep.get("sourceStepId")
            if dep.get("transform") not in TRANSFORMS:
                return f"{at}.transform: unsupported transform"
            if not isinstance(dep.get("targetArgument"), str) or not dep["targetArgument"]:
                return f"{at}.targetArgument is required"
            if source == INPUT_MEDIA:
                if not media:
                    return f"{at}: $input_media needs media_references"
                continue
            if source not in ids or source == step.get("id"):
                return f"{at}.sourceStepId: unknown step {source!r}"
    if step_order(steps) is None:
        return "input.steps: dependency cycle"
    return None


def step_order(steps: list[dict[str, Any]]) -> list[int] | None:
    """Steps in dependency order (stable), or ``None`` on a cycle."""
    index = {s.get("id"): i for i, s in enumerate(steps) if s.get("id") is not None}
    deps = [
        {index[d["sourceStepId"]] for d in s.get("dependsOn") or [] if d["sourceStepId"] in index}
        for s in steps
    ]
    done: list[int] = []
    remaining = list(range(len(steps)))
    while remaining:
        ready = [i for i in remaining if deps[i] <= set(done)]
        if not ready:
            return None
        done.append(ready[0])
        remaining.remove(ready[0])
    return done


def substitute(value: Any, inputs: dict[str, Any]) -> Any:
    if isinstance(value, str):
        whole = re.fullmatch(r"\{\{\s*(\w+)\s*\}\}", value)
        if whole and whole.group(1) in inputs:
            return inputs[whole.group(1)]
        return re.sub(
            r"\{\{\s*(\w+)\s*\}\}", lambda m: str(inputs.get(m.group(1), m.group(0))), value
        )
    if isinstance(value, list):
        return [substitute(v, inputs) for v in value]
    if isinstance(value, dict):
        return {k: substitute(v, inputs) for k, v in value.items()}
    return value
