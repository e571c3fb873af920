"""``sogni image`` and ``sogni video``: build the params, render, save the files.

The params are built and checked here before any connection is opened (the
rules the command line can know: counts, sizes, formats, readable files);
model-specific rules come from the core's ``build_job_request`` once the
catalogue is known, still before the ``jobRequest`` is sent. Both raise
:class:`InvalidParamsError` naming the field.

Saved files are named ``<prompt slug>-<project id prefix>-<n>.<ext>`` in
``--out`` (default: the current directory), and their paths printed on
stdout, one a line.
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.markup import escape

from sogni_core.protocol._errors import ApiError, InvalidParamsError, JobFailedError
from sogni_core.protocol.jobrequest import ImageProjectParams, VideoProjectParams

from ._progress import ProjectProgress

if TYPE_CHECKING:
    from rich.console import Console
    from sogni_sync import Project, SogniClient

__all__ = [
    "DEFAULT_IMAGE_MODEL",
    "DEFAULT_I2V_MODEL",
    "DEFAULT_VIDEO_MODEL",
    "check_size_preset",
    "image_params",
    "render",
    "video_params",
]

DEFAULT_IMAGE_MODEL = "flux1-schnell-fp8"
DEFAULT_VIDEO_MODEL = "wan_v2.2-14b-fp8_t2v_lightx2v"
DEFAULT_I2V_MODEL = "wan_v2.2-14b-fp8_i2v_lightx2v"
MAX_MEDIA = 16  # the CLI's own guard on -n (the wire has no documented bound)
MAX_SIDE = 4096


def _check_prompt(prompt: str) -> str:
    if not prompt.strip():
        raise InvalidParamsError("prompt", "must not be empty")
    return prompt


def _check_size(width: int | None, height: int | None, size: str | None) -> None:
    if size is not None and (width is not None or height is not None):
        raise InvalidParamsError("size", "give --size or --width/--height, not both")
    if (width is None) != (height is None):
        missing = "height" if height is None else "width"
        raise InvalidParamsError(missing, "--width and --height go together")
    for name, value in (("width", width), ("height", height)):
        if value is not None and not 64 <= value <= MAX_SIDE:
            raise InvalidParamsError(name, f"must be between 64 and {MAX_SIDE} pixels")


def _check_common(args: Any) -> None:
    if args.steps is not None and not 1 <= args.steps <= 200:
        raise InvalidParamsError("steps", "must be between 1 and 200")
    if args.seed is not None and not 0 <= args.seed <= 0xFFFFFFFF:
        raise InvalidParamsError("seed", "must be between 0 and 4294967295")


def image_params(args: Any) -> ImageProjectParams:
    """The image project the options describe.

    Raises:
        InvalidParamsError: an option breaks a rule (``field`` names it).
    """
    prompt = _check_prompt(args.prompt)
    if not 1 <= args.count <= MAX_MEDIA:
        raise InvalidParamsError("count", f"-n must be between 1 and {MAX_MEDIA}")
    _check_size(args.width, args.height, args.size)
    _check_common(args)
    return ImageProjectParams(
        model_id=args.model or DEFAULT_IMAGE_MODEL,
        positive_prompt=prompt,
        negative_prompt=args.negative,
        number_of_media=args.count,
        steps=args.steps,
        seed=args.seed,
        size_preset=args.size,
        width=args.width,
        height=args.height,
        output_format=args.format,
    )


def video_params(args: Any) -> VideoProjectParams:
    """The video project the options describe (``--image`` makes it image-to-video).

    Raises:
        InvalidParamsError: an option breaks a rule, or ``--image`` is unreadable.
    """
    prompt = _check_prompt(args.prompt)
    _check_size(args.width, args.height, None)
    _check_common(args)
    if args.duration is not None and not 0 < args.duration <= 60:
        raise InvalidParamsError("duration", "must be more than 0 and at most 60 seconds")
    if args.fps is not None and not 1 <= args.fps <= 60:
        raise InvalidParamsError("fps", "must be between 1 and 60")
    reference: bytes | None = None
    if args.image is not None:
        path = Path(args.image)
        try:
            reference = path.read_bytes()
        except OSError as exc:
            raise InvalidParamsError("image", f"cannot read {path}: {exc.strerror}") from None
        if not reference:
            raise InvalidParamsError("image", f"{path} is empty")
    model = args.model or (DEFAULT_I2V_MODEL if reference is not None else DEFAULT_VIDEO_MODEL)
    return VideoProjectParams(
        model_id=model,
        positive_prompt=prompt,
        negative_prompt=args.negative,
        number_of_media=1,
        steps=args.steps,
        seed=args.seed,
        duration=args.duration,
        fps=args.fps,
        width=args.width,
        height=args.height,
        reference_image=reference,
    )


def check_size_preset(client: SogniClient, params: ImageProjectParams) -> None:
    """Check ``--size`` against the model's presets on the client's network.

    Skipped when the preset list cannot be fetched (the server then decides).

    Raises:
        InvalidParamsError: ``size`` is not one of the model's presets.
    """
    if params.size_preset is None or params.size_preset == "custom":
        return
    try:
        presets = client.projects.size_presets(params.model_id)
        known = [str(getattr(p, "id", "")) for p in presets]
    except (ApiError, TypeError):
        return
    if known and params.size_preset not in known:
        raise InvalidParamsError(
            "size", f"unknown preset for {params.model_id}; one of: {', '.join(known)}"
        )


def _slug(prompt: str) -> str:
    words = re.sub(r"[^a-z0-9]+", "-", prompt.lower()).strip("-")
    return words[:48].rstrip("-") or "sogni"


def _save(project: Project, prompt: str, out: Path) -> list[Path]:
    downloaded = project.download(out)
    prefix = f"{_slug(prompt)}-{project.id[:8].lower()}"
    saved: list[Path] = []
    for index, path in enumerate(downloaded, 1):
        target = out / f"{prefix}-{index}{path.suffix}"
        bump = 1
        while target.exists():
            bump += 1
            target = out / f"{prefix}-{index}.{bump}{path.suffix}"
        path.rename(target)
        saved.append(target)
    return saved


def render(
    client: SogniClient,
    params: ImageProjectParams | VideoProjectParams,
    *,
    out: Path,
    console: Console,
) -> tuple[list[Path], list[str]]:
    """Submit the project, draw its progress, save its results into ``out``.

    Returns:
        The saved paths in job order, and one line per failed job (a
        project whose jobs partly failed still saves the others).

    Raises:
        InvalidParamsError: a model-specific rule (from the core).
        JobFailedError: the project failed, or every job did.
        KeyboardInterrupt: after canceling the remote project.
    """
    kind = "image" if isinstance(params, ImageProjectParams) else "video"
    count = params.number_of_media or 1
    started = time.monotonic()
    project = client.projects.create(params)
    console.print(
        f"[bold]{count} {kind if count == 1 else kind + 's'}[/] with "
        f"[cyan]{escape(params.model_id)}[/] on the {client.network} network "
        f"[dim](project {project.id})[/]",
        highlight=False,
    )
    try:
        with ProjectProgress(console, kind, count) as bars:
            for event in project.events():
                bars.update(event)
        project.wait(timeout=0)
    except KeyboardInterrupt:
        project.cancel()
        raise
    for line in bars.failed:
        console.print(f"[red]failed[/] {escape(line)}", highlight=False)
    saved = _save(project, params.positive_prompt or "", out)
    if not saved:
        raise JobFailedError("no result was delivered", code="no_results")
    elapsed = time.monotonic() - started
    noun = kind if len(saved) == 1 else f"{kind}s"
    console.print(
        f"[green]✓[/] {len(saved)} {noun} saved to [bold]{escape(str(out))}[/] in {elapsed:.1f} s",
        highlight=False,
    )
    return saved, bars.failed
