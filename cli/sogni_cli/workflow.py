"""``sogni workflow run FILE`` / ``sogni workflow watch ID``: durable workflows from the CLI.

A workflow file is JSON (``.json``) or TOML (``.toml``) holding either an
inline plan or a template reference, plus optional start options::

    {"title": "Keyframe to clip",
     "steps": [{"id": "keyframe", "toolName": "generate_image",
                "arguments": {"prompt": "a lighthouse"}},
               {"id": "clip", "toolName": "generate_video",
                "arguments": {"prompt": "waves", "duration": 5},
                "dependsOn": [{"sourceStepId": "keyframe", "sourceArtifactIndex": 0,
                               "targetArgument": "referenceImageIndices",
                               "mediaType": "image", "transform": "image_index"}]}],
     "media_references": [], "token_type": "spark"}

or ``{"input": {...plan...}, ...}`` or ``{"workflow_id": "tpl_...", "inputs": {...}}``.
The plan is validated locally first (field-named errors). Progress lines go to
the console (stderr in the CLI); each artifact URL is printed as it appears.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sogni_core.protocol._errors import InvalidParamsError
from sogni_core.workflows import WORKFLOW_TERMINAL_STATUSES, WorkflowRecord, WorkflowStreamEvent

if TYPE_CHECKING:
    from rich.console import Console
    from sogni_sync import SogniClient

__all__ = ["exit_code", "load_workflow_file", "run", "watch"]

_OPTIONS = (
    "token_type",
    "billing_mode",
    "app_source",
    "max_estimated_capacity_units",
    "confirm_cost",
    "safe_content_filter",
    "media_references",
    "inputs",
)


def load_workflow_file(file: str | Path) -> dict[str, Any]:
    """Read a workflow file into ``workflows.start`` keyword arguments.

    Returns:
        ``{"input": plan}`` or ``{"workflow_id": id}``, plus any start options.

    Raises:
        InvalidParamsError: unreadable file, bad JSON/TOML, or an unknown shape.
    """
    path = Path(file)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InvalidParamsError("file", f"cannot read {path}: {exc.strerror}") from None
    try:
        if path.suffix.lower() == ".toml":
            if sys.version_info >= (3, 11):
                import tomllib
            else:  # pragma: no cover - Python 3.10
                import tomli as tomllib  # type: ignore[import-not-found, unused-ignore]
            data: Any = tomllib.loads(text)
        else:
            data = json.loads(text)
    except ValueError as exc:
        raise InvalidParamsError("file", f"{path} is not valid: {exc}") from None
    if not isinstance(data, dict):
        raise InvalidParamsError("file", f"{path} must hold an object")
    kwargs: dict[str, Any] = {k: data[k] for k in _OPTIONS if k in data}
    if "workflow_id" in data or "workflowId" in data:
        kwargs["workflow_id"] = data.get("workflow_id", data.get("workflowId"))
    elif "input" in data:
        kwargs["input"] = data["input"]
    elif "steps" in data:
        kwargs["input"] = {k: data[k] for k in ("title", "steps") if k in data}
    else:
        raise InvalidParamsError("file", "needs steps, input or workflow_id")
    return kwargs


def _describe(frame: WorkflowStreamEvent) -> str:
    data: dict[str, Any] = frame.data if isinstance(frame.data, dict) else {}
    inner: dict[str, Any] = data["data"] if isinstance(data.get("data"), dict) else {}
    parts = [f"[{frame.id or '-'}]", str(data.get("type") or frame.event)]
    step = inner.get("stepId")
    if step:
        tool = inner.get("toolName")
        parts.append(f"{step} ({tool})" if tool else str(step))
    if "progress" in inner:
        parts.append(f"{float(inner['progress']) * 100:.0f}%")
    if data.get("status"):
        parts.append(f"status={data['status']}")
    if data.get("message"):
        parts.append(f"- {data['message']}")
    return " ".join(parts)


def watch(
    workflow_id: str,
    client: SogniClient,
    console: Console,
    *,
    last_event_id: str | int | None = None,
    idle_timeout: float = 60.0,
    stop_on_waiting: bool = False,
) -> WorkflowRecord:
    """Print a workflow's events as they arrive, until it finishes.

    The stream resumes by itself after drops (no event printed twice).

    Args:
        workflow_id: the workflow.
        client: an open blocking client.
        console: where progress goes.
        last_event_id: start after this event.
        idle_timeout: seconds of silence before reconnecting.
        stop_on_waiting: also stop when the workflow waits for the user.

    Returns:
        The final :class:`WorkflowRecord`.

    Raises:
        ApiStatusError: unknown workflow or a refused stream.
    """
    for frame in client.workflows.stream_events(
        workflow_id,
        last_event_id=last_event_id,
        idle_timeout=idle_timeout,
        stop_on_waiting=stop_on_waiting,
    ):
        console.print(_describe(frame), highlight=False, markup=False)
        data: dict[str, Any] = frame.data if isinstance(frame.data, dict) else {}
        inner: dict[str, Any] = data["data"] if isinstance(data.get("data"), dict) else {}
        artifact = inner.get("artifact")
        if isinstance(artifact, dict) and artifact.get("url"):
            kind = artifact.get("mediaType") or artifact.get("kind") or "artifact"
            console.print(f"  {kind}: {artifact['url']}", highlight=False, markup=False)
    record: WorkflowRecord = client.workflows.get(workflow_id)
    style = "green" if record.status == "completed" else "red"
    if record.status not in WORKFLOW_TERMINAL_STATUSES:
        style = "yellow"
    console.print(f"[{style}]{workflow_id}: {record.status}[/{style}]")
    return record


def run(
    file: str | Path,
    client: SogniClient,
    console: Console,
    *,
    follow: bool = True,
    idle_timeout: float = 60.0,
    idempotency_key: str | None = None,
) -> WorkflowRecord:
    """Start the workflow described by ``file`` and (by default) watch it to the end.

    Args:
        file: a ``.json`` or ``.toml`` workflow file (module docstring).
        client: an open blocking client.
        console: where progress goes.
        follow: stream the events; otherwise return right after the start.
        idle_timeout: passed to :func:`watch`.
        idempotency_key: makes a retried start return the same workflow.

    Returns:
        The started (or, with ``follow``, final) :class:`WorkflowRecord`.

    Raises:
        InvalidParamsError: a bad file or plan (before any request).
        ApiStatusError: the server refused.
    """
    kwargs = load_workflow_file(file)
    record: WorkflowRecord = client.workflows.start(idempotency_key=idempotency_key, **kwargs)
    console.print(f"started {record.workflow_id} ({record.title or 'workflow'})", markup=False)
    if not follow:
        return record
    return watch(record.workflow_id, client, console, idle_timeout=idle_timeout)


def exit_code(record: WorkflowRecord) -> int:
    """0 for a completed workflow, 1 for any other outcome."""
    return 0 if record.status == "completed" else 1
