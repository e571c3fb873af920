"""``--estimate`` on ``sogni image``/``sogni video``, and ``sogni project ID``.

``--estimate`` quotes the very params the command would submit
(:meth:`SogniClient.projects.estimate_cost`, a typed
:class:`~sogni_core.protocol.rest.CostEstimate`) and creates nothing.
Amounts stay :class:`~decimal.Decimal`; the JSON form carries them as the
server's decimal text so no digit is lost.

``sogni project ID`` shows one of the caller's projects from the live
lookup (:meth:`SogniClient.projects.status`, a typed
``ProjectStatusSnapshot``): status, jobs finished of total, model, cost.
The id is checked with the SDK's own pattern before any connection is
opened, so a malformed id exits 2 without network I/O. With ``--out DIR`` it
downloads a finished project's results (:meth:`SogniClient.projects.download`,
files ``<project id>_<job id>.<ext>`` as ``project.download`` names them); an
unfinished project exits 1 with a message and downloads nothing.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sogni_core.protocol._errors import InvalidParamsError
from sogni_core.protocol._generated.rest import PROJECT_ID_PATTERN
from sogni_core.protocol.jobrequest import ImageProjectParams, VideoProjectParams

if TYPE_CHECKING:
    from rich.console import Console
    from sogni_sync import SogniClient

    from sogni_core.protocol._generated.rest import ProjectJobRecord, ProjectStatusSnapshot
    from sogni_core.protocol.rest import CostEstimate

__all__ = [
    "check_estimate",
    "check_project_id",
    "download_project",
    "estimate_row",
    "print_estimate",
    "print_project",
    "project_row",
]


# A video estimate has no model defaults: the options that must be given.
_VIDEO_HINTS = {
    "width": "--width and --height",
    "height": "--width and --height",
    "duration": "--duration",
    "frames": "--duration",
}


def check_estimate(params: ImageProjectParams | VideoProjectParams, network: str) -> None:
    """Check every estimate rule that needs no look-up, before any I/O.

    The core's :func:`~sogni_core.protocol.rest.estimate_inputs` is the same
    check :meth:`projects.estimate_cost` runs first; calling it here lets a
    bad quote exit 2 before the connection is opened. A video estimate, for
    one, needs ``--width``/``--height`` and ``--duration`` (it has no
    model defaults).

    Raises:
        InvalidParamsError: a rule is broken (``field`` names it).
    """
    from sogni_core.protocol.rest import estimate_inputs

    try:
        estimate_inputs(params, network=network)
    except InvalidParamsError as exc:
        hint = _VIDEO_HINTS.get(exc.field) if isinstance(params, VideoProjectParams) else None
        if hint is None:
            raise
        raise InvalidParamsError(exc.field, f"{exc.rule}: pass {hint}") from None


def _dec(value: Decimal) -> str:
    """A Decimal as plain decimal text (never exponent form)."""
    return format(value, "f")


def estimate_row(
    client: SogniClient,
    params: ImageProjectParams | VideoProjectParams,
    estimate: CostEstimate,
) -> dict[str, Any]:
    """The estimate as a JSON-ready dict (amounts as decimal strings).

    Args:
        client: the connected client (its network is the quoted one unless
            the params pin another).
        params: the project that was quoted.
        estimate: what :meth:`projects.estimate_cost` returned.

    Returns:
        ``media``, ``model``, ``count``, ``network``, ``token_type``,
        ``token``, ``usd``, ``spark``, ``sogni``, ``estimated_render_seconds``,
        ``estimated_total_seconds``, ``daily_fair_use_pct``.
    """
    return {
        "media": "image" if isinstance(params, ImageProjectParams) else "video",
        "model": params.model_id,
        "count": params.number_of_media or 1,
        "network": params.network or client.network,
        "token_type": params.token_type or "spark",
        "token": _dec(estimate.token),
        "usd": _dec(estimate.usd),
        "spark": _dec(estimate.spark),
        "sogni": _dec(estimate.sogni),
        "estimated_render_seconds": estimate.estimated_render_seconds,
        "estimated_total_seconds": estimate.estimated_total_seconds,
        "daily_fair_use_pct": estimate.daily_fair_use_pct,
    }


def print_estimate(
    client: SogniClient,
    params: ImageProjectParams | VideoProjectParams,
    console: Console,
    *,
    as_json: bool,
) -> None:
    """Quote ``params`` and print the price (one line, or JSON with ``as_json``).

    Nothing is rendered and no project is created.

    Raises:
        InvalidParamsError: a parameter breaks an estimate rule (before any request).
        ApiStatusError: the server refused the estimate.
    """
    row = estimate_row(client, params, client.projects.estimate_cost(params))
    if as_json:
        console.print_json(json.dumps(row))
        return
    # The token the project would bill in first, then the other one, then USD.
    other = "sogni" if row["token_type"] == "spark" else "spark"
    noun = row["media"] if row["count"] == 1 else row["media"] + "s"
    line = (
        f"{row['count']} {noun} with {row['model']} on the {row['network']} network: "
        f"{row[row['token_type']]} {row['token_type']} ({row[other]} {other}, "
        f"${row['usd']} USD)"
    )
    render = row["estimated_render_seconds"]
    if render is not None:
        line += f"; render ≈ {render:.1f} s"
        total = row["estimated_total_seconds"]
        if total is not None:
            line += f" (≈ {total:.1f} s with the queue)"
    if row["daily_fair_use_pct"] is not None:
        line += f"; {row['daily_fair_use_pct']:g}% of the daily fair use"
    console.print(line, highlight=False, soft_wrap=True)


def check_project_id(value: str) -> str:
    """Check a project id the way the SDK's lookups do, before any I/O.

    Raises:
        InvalidParamsError: empty or not a UUID (field ``project_id``).
    """
    if not value:
        raise InvalidParamsError("project_id", "must be a non-empty string")
    if re.fullmatch(PROJECT_ID_PATTERN, value) is None:
        raise InvalidParamsError("project_id", "must be a project id (a UUID)")
    return value


def _text(value: Any) -> str | None:
    if value is None:
        return None
    return str(getattr(value, "value", value))


def _job_row(job: ProjectJobRecord) -> dict[str, Any]:
    return {
        "id": job.id,
        "status": job.status,
        "reason": job.reason,
        "worker": job.worker.name if job.worker is not None else None,
        "seed": job.seed_used,
        "nsfw_filtered": job.triggered_nsfw_filter,
    }


def project_row(snapshot: ProjectStatusSnapshot) -> dict[str, Any]:
    """The status snapshot as a JSON-ready dict.

    Returns:
        ``id``, ``status``, ``finished``, ``reason``, ``model``, ``network``,
        ``token_type``, ``jobs_total``, ``jobs_finished``, ``cost`` (the
        ``costActual`` strings, when charged) and ``jobs`` (one dict a job).
    """
    cost = snapshot.cost_actual
    return {
        "id": snapshot.id,
        "status": _text(snapshot.status),
        "finished": snapshot.finished,
        "reason": snapshot.reason,
        "model": snapshot.model.id if snapshot.model is not None else None,
        "network": snapshot.network,
        "token_type": snapshot.token_type,
        "jobs_total": max(len(snapshot.worker_jobs), snapshot.image_count or 0),
        "jobs_finished": len(snapshot.completed_worker_jobs),
        "cost": None
        if cost is None
        else {
            "token": cost.cost_in_token,
            "usd": cost.cost_in_usd,
            "render_seconds": cost.cost_in_render_sec,
        },
        "jobs": [_job_row(job) for job in snapshot.worker_jobs],
    }


def print_project(client: SogniClient, project_id: str, console: Console, *, as_json: bool) -> None:
    """Look up one of the caller's projects and print its status.

    Raises:
        InvalidParamsError: a malformed id (field ``project_id``).
        ApiStatusError: 404 for an unknown project or another account's.
    """
    row = project_row(client.projects.status(check_project_id(project_id)))
    if as_json:
        console.print_json(json.dumps(row))
        return
    line = f"{row['id']} {row['status']}: {row['jobs_finished']}/{row['jobs_total']} jobs finished"
    if row["model"]:
        line += f", model {row['model']}"
    if row["network"]:
        line += f", {row['network']} network"
    cost = row["cost"]
    if cost and cost.get("token"):
        line += f", cost {cost['token']} {row['token_type'] or 'tokens'}"
        if cost.get("usd"):
            line += f" (${cost['usd']} USD)"
    if row["reason"] and row["status"] != "completed":
        line += f" ({row['reason']})"
    console.print(line, highlight=False, soft_wrap=True)
    for job in row["jobs"]:
        extra = f" on {job['worker']}" if job["worker"] else ""
        extra += f", seed {job['seed']}" if job["seed"] is not None else ""
        extra += ", withheld by the safety filter" if job["nsfw_filtered"] else ""
        console.print(f"  job {job['id']} {job['status']}{extra}", highlight=False, soft_wrap=True)


def download_project(
    client: SogniClient,
    project_id: str,
    out: Path,
    console: Console,
    errors: Console,
    *,
    as_json: bool,
) -> int:
    """Download the results of a finished project into ``out``.

    The live lookup tells first whether the project finished; an unfinished
    one exits 1 (``not finished yet``) with nothing written. Saved paths go to
    stdout, one a line (with ``as_json``: the project row plus ``files`` and
    ``missing``); every job without media (failed, canceled, withheld) is
    named on stderr and makes the exit status 1.

    Returns:
        The exit status: 0 when every job's result was saved, else 1.

    Raises:
        InvalidParamsError: a malformed id (field ``project_id``).
        ApiStatusError: 404 for an unknown project or another account's; a
            refused download-URL request.
        TransportError: a download failed.
    """
    snapshot = client.projects.status(check_project_id(project_id))
    row = project_row(snapshot)
    if not snapshot.finished:
        errors.print(
            f"[red]error:[/] project {row['id']} is not finished yet ({row['status']}); "
            "nothing downloaded, try again when it has finished",
            highlight=False,
        )
        return 1
    from sogni_core.client import record_results

    record = client.projects.get(project_id)
    saved = client.projects.download(record, out)
    # which jobs have no media needs no request (the core reads the record)
    missing = [r for r in record_results(record) if r.outcome != "completed"]
    if as_json:
        row["files"] = [str(path) for path in saved]
        row["missing"] = [
            {"id": r.job_id, "outcome": r.outcome, "reason": r.reason} for r in missing
        ]
        console.print_json(json.dumps(row))
    else:
        for path in saved:
            console.print(str(path), highlight=False, soft_wrap=True)
    for r in missing:
        why = f" ({r.reason})" if r.reason and r.reason != "jobCompleted" else ""
        errors.print(f"job {r.job_id} {r.outcome}{why}: no file", highlight=False)
    return 1 if missing else 0
