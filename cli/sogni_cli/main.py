"""The ``sogni`` command: argument parsing, dispatch, error reporting.

Commands: ``image``, ``video`` (``--estimate``: quote, do not render),
``project ID``, ``models``, ``balance``, ``chat``, ``workflow run|watch``.
Global options work before or after the command (``sogni --local image
...`` and ``sogni image --local ...``).

Exit status: 0 success; 1 an API, job or connection error (printed with its
code; also when only some of the requested media failed: the others are
still saved and their paths printed); 2 bad parameters or usage, including
missing credentials (one line naming the field and the rule, printed before
any network I/O when the command line alone shows it); 130 interrupted
(Ctrl-C cancels the running project). Expected errors never print a
traceback; ``-vv`` adds debug logs.

Secrets: the API key and password are read from options, environment or a
prompt and go to the client only; every error line printed is also scrubbed
of them.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape

from sogni_core.protocol._errors import (
    ApiError,
    ApiStatusError,
    ConnectionClosedError,
    InvalidParamsError,
    JobFailedError,
    SogniError,
)

from ._session import CredentialsError, open_client

__all__ = ["build_parser", "main"]

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130

_AUTH_CLOSE_CODES = {
    4021: "authentication failed (check the API key or login)",
    4010: "app id refused",
}


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("sogni-core")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "unknown"


# -- parser ---------------------------------------------------------------------------


def _add_global(parser: argparse.ArgumentParser, *, sub: bool) -> None:
    """The global options; on subcommands their defaults are suppressed so a
    value given before the command is not overwritten."""

    def default(value: Any) -> Any:
        return argparse.SUPPRESS if sub else value

    group = parser.add_argument_group("connection")
    group.add_argument(
        "--local",
        action="store_true",
        default=default(False),
        help="start a local Supernet emulator in this process (no account needed)",
    )
    group.add_argument(
        "--api-key",
        metavar="KEY",
        default=default(None),
        help="API key (default: $SOGNI_API_KEY); never printed",
    )
    group.add_argument("--username", default=default(None), help="log in with an account name")
    group.add_argument(
        "--password",
        default=default(None),
        help="account password (prefer $SOGNI_PASSWORD or the prompt)",
    )
    group.add_argument("--endpoint", metavar="URL", default=default(None), help="REST base URL")
    group.add_argument(
        "--socket-endpoint",
        metavar="URL",
        default=default(None),
        help="socket URL (default: --endpoint with ws(s)://, else production)",
    )
    group.add_argument("--app-id", default=default(None), help="connection app id (default random)")
    group.add_argument(
        "--connect-timeout",
        type=float,
        metavar="S",
        default=default(20.0),
        help="seconds to wait for the connection (default 20)",
    )
    group.add_argument(
        "--local-seed",
        type=int,
        metavar="N",
        default=default(0),
        help=argparse.SUPPRESS,  # the emulator's seed (tests)
    )
    group.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=default(0),
        help="more output (-v: info and usage, -vv: debug logs)",
    )


def _add_render_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("prompt", help="what to generate")
    parser.add_argument("--model", metavar="ID", help="model id (see `sogni models`)")
    parser.add_argument("--width", type=int, metavar="W", help="width in pixels (with --height)")
    parser.add_argument("--height", type=int, metavar="H", help="height in pixels (with --width)")
    parser.add_argument("--steps", type=int, metavar="S", help="inference steps (model default)")
    parser.add_argument("--seed", type=int, metavar="N", help="seed (random by default)")
    parser.add_argument("--negative", metavar="TEXT", help="negative prompt")
    parser.add_argument(
        "--network", choices=("fast", "relaxed"), default="fast", help="worker network"
    )
    parser.add_argument(
        "--out",
        metavar="DIR",
        type=Path,
        default=Path("."),
        help="folder to save into (created; default: the current directory)",
    )
    parser.add_argument(
        "--estimate",
        action="store_true",
        help="print what the project would cost and exit (nothing is rendered)",
    )
    parser.add_argument("--json", action="store_true", help="with --estimate: print JSON")


def build_parser() -> argparse.ArgumentParser:
    """The ``sogni`` argument parser (exposed for docs and tests)."""
    parser = argparse.ArgumentParser(
        prog="sogni",
        description="Generate images, video and chat on the Sogni Supernet.",
        epilog="Try it without an account: sogni image --local 'a cat wearing a hat' -n 2",
    )
    parser.add_argument("--version", action="version", version=f"sogni {_version()}")
    _add_global(parser, sub=False)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    image = commands.add_parser("image", help="generate images", description="Generate images.")
    _add_render_options(image)
    image.add_argument("-n", "--count", type=int, default=1, metavar="N", help="how many images")
    image.add_argument("--size", metavar="PRESET", help="size preset id, e.g. square_hd")
    image.add_argument("--format", choices=("png", "jpg"), help="file format (default png)")
    _add_global(image, sub=True)

    video = commands.add_parser("video", help="generate a video", description="Generate a video.")
    _add_render_options(video)
    video.add_argument("--duration", type=float, metavar="S", help="length in seconds")
    video.add_argument("--fps", type=int, metavar="N", help="frames per second")
    video.add_argument(
        "--image", metavar="PATH", help="start from this image (image-to-video model)"
    )
    _add_global(video, sub=True)

    project = commands.add_parser(
        "project",
        help="show one of your projects (or download its results)",
        description="Show one of your projects: status and jobs finished of total. "
        "With --out DIR, download the results of a finished project into DIR.",
    )
    project.add_argument("project_id", metavar="ID", help="project id (a UUID)")
    project.add_argument("--json", action="store_true", help="print JSON")
    project.add_argument(
        "--out",
        metavar="DIR",
        type=Path,
        default=None,
        help="download the results of the finished project into DIR (created if missing)",
    )
    _add_global(project, sub=True)

    models = commands.add_parser("models", help="list models and their online workers")
    models.add_argument("--json", action="store_true", help="print JSON")
    models.add_argument("--media", choices=("image", "video", "audio", "llm"), help="filter")
    models.add_argument(
        "--network", choices=("fast", "relaxed"), default="fast", help="worker network"
    )
    _add_global(models, sub=True)

    balance = commands.add_parser("balance", help="show the account balance")
    balance.add_argument("--json", action="store_true", help="print JSON")
    _add_global(balance, sub=True)

    chat = commands.add_parser("chat", help="ask an LLM", description="Ask a Supernet LLM.")
    chat.add_argument("prompt", help="the question")
    chat.add_argument("--model", metavar="M", help="LLM model id (default: the SDK's choice)")
    chat.add_argument(
        "--image", action="append", metavar="PATH", help="attach a PNG/JPEG (repeatable)"
    )
    chat.add_argument("--stream", action="store_true", help="print tokens as they arrive")
    chat.add_argument("--system", metavar="TEXT", help="system prompt")
    chat.add_argument("--max-tokens", type=int, metavar="N", help="answer length limit")
    chat.add_argument("--temperature", type=float, metavar="T", help="sampling temperature")
    _add_global(chat, sub=True)

    workflow = commands.add_parser("workflow", help="run or watch a durable workflow")
    actions = workflow.add_subparsers(dest="action", metavar="ACTION", required=True)
    run = actions.add_parser("run", help="start a workflow from a plan file and follow it")
    run.add_argument("file", type=Path, help="workflow plan (JSON/TOML)")
    run.add_argument(
        "--no-watch", action="store_true", help="print the workflow id and return at once"
    )
    _add_global(run, sub=True)
    watch = actions.add_parser("watch", help="follow a running workflow's events")
    watch.add_argument("workflow_id", metavar="ID", help="workflow id")
    _add_global(watch, sub=True)
    return parser


# -- commands -------------------------------------------------------------------------


class _Context:
    """What every command gets: the options and the two consoles."""

    def __init__(self, args: argparse.Namespace, out: Console, err: Console) -> None:
        self.args = args
        self.out = out
        self.err = err


def _report(ctx: _Context, saved: list[Path], failed: list[str], requested: int) -> int:
    for path in saved:
        ctx.out.print(str(path), highlight=False, soft_wrap=True)
    if failed:
        raise JobFailedError(f"{len(failed)} of {requested} jobs failed", code="partial")
    return EXIT_OK


def _check_estimate_flags(args: argparse.Namespace) -> None:
    if args.json and not args.estimate:
        raise InvalidParamsError("json", "--json goes with --estimate")


def _cmd_image(ctx: _Context) -> int:
    from ._media import check_size_preset, image_params, render
    from ._project import check_estimate, print_estimate

    _check_estimate_flags(ctx.args)
    params = image_params(ctx.args)  # before any I/O
    if ctx.args.estimate:
        check_estimate(params, ctx.args.network)
    with open_client(ctx.args, network=ctx.args.network) as client:
        check_size_preset(client, params)
        if ctx.args.estimate:
            print_estimate(client, params, ctx.out, as_json=ctx.args.json)
            return EXIT_OK
        saved, failed = render(client, params, out=ctx.args.out, console=ctx.err)
    return _report(ctx, saved, failed, params.number_of_media or 1)


def _cmd_video(ctx: _Context) -> int:
    from ._media import render, video_params
    from ._project import check_estimate, print_estimate

    _check_estimate_flags(ctx.args)
    params = video_params(ctx.args)  # before any I/O
    if ctx.args.estimate:
        check_estimate(params, ctx.args.network)
    with open_client(ctx.args, network=ctx.args.network) as client:
        if ctx.args.estimate:
            print_estimate(client, params, ctx.out, as_json=ctx.args.json)
            return EXIT_OK
        saved, failed = render(client, params, out=ctx.args.out, console=ctx.err)
    return _report(ctx, saved, failed, params.number_of_media or 1)


def _cmd_project(ctx: _Context) -> int:
    from ._project import check_project_id, download_project, print_project

    check_project_id(ctx.args.project_id)  # before any I/O
    with open_client(ctx.args) as client:
        if ctx.args.out is not None:
            return download_project(
                client, ctx.args.project_id, ctx.args.out, ctx.out, ctx.err, as_json=ctx.args.json
            )
        print_project(client, ctx.args.project_id, ctx.out, as_json=ctx.args.json)
    return EXIT_OK


def _cmd_models(ctx: _Context) -> int:
    from ._info import print_models

    with open_client(ctx.args, network=ctx.args.network) as client:
        print_models(client, ctx.out, as_json=ctx.args.json, media=ctx.args.media)
    return EXIT_OK


def _cmd_balance(ctx: _Context) -> int:
    from ._info import print_balance

    with open_client(ctx.args) as client:
        print_balance(client, ctx.out, as_json=ctx.args.json)
    return EXIT_OK


def _cmd_chat(ctx: _Context) -> int:
    from ._chat import build_messages, run_chat

    args = ctx.args
    if args.max_tokens is not None and args.max_tokens < 1:
        raise InvalidParamsError("max_tokens", "must be at least 1")
    messages = build_messages(args.prompt, system=args.system, images=args.image)
    with open_client(args) as client:
        run_chat(
            client,
            messages,
            out=ctx.out,
            err=ctx.err,
            model=args.model,
            stream=args.stream,
            max_tokens=args.max_tokens,
            temperature=args.temperature,
            verbose=bool(args.verbose),
        )
    return EXIT_OK


def _cmd_workflow(ctx: _Context) -> int:
    from . import workflow

    args = ctx.args
    if args.action == "run":
        workflow.load_workflow_file(args.file)  # field-named errors before any I/O
        with open_client(args) as client:
            record = workflow.run(args.file, client, ctx.err, follow=not args.no_watch)
            if args.no_watch:
                ctx.out.print(record.workflow_id, highlight=False)
                return EXIT_OK
    else:
        with open_client(args) as client:
            record = workflow.watch(args.workflow_id, client, ctx.err)
    ctx.out.print(f"{record.workflow_id} {record.status}", highlight=False)
    return workflow.exit_code(record)


_COMMANDS: dict[str, Callable[[_Context], int]] = {
    "image": _cmd_image,
    "video": _cmd_video,
    "project": _cmd_project,
    "models": _cmd_models,
    "balance": _cmd_balance,
    "chat": _cmd_chat,
    "workflow": _cmd_workflow,
}


# -- errors ---------------------------------------------------------------------------


def _describe(exc: BaseException) -> tuple[str, int]:
    """One line and the exit status for an expected error."""
    if isinstance(exc, InvalidParamsError):
        return f"invalid {exc.field}: {exc.rule}", EXIT_USAGE
    if isinstance(exc, CredentialsError):
        return str(exc), EXIT_USAGE
    if isinstance(exc, ApiStatusError):
        code = f" [{exc.code}]" if exc.code is not None else ""
        return f"API error (HTTP {exc.status}){code}: {exc.message}", EXIT_ERROR
    if isinstance(exc, ApiError):
        code = f" [{exc.code}]" if exc.code is not None else ""
        what = {"JobFailedError": "job failed", "ChatError": "chat failed"}
        return f"{what.get(type(exc).__name__, 'API error')}{code}: {exc.message}", EXIT_ERROR
    if isinstance(exc, ConnectionClosedError):
        hint = _AUTH_CLOSE_CODES.get(exc.code)
        text = f"connection closed ({exc.code})" + (f": {exc.reason}" if exc.reason else "")
        return (f"{hint}; {text}" if hint else text), EXIT_ERROR
    if isinstance(exc, TimeoutError):
        return f"timed out: {exc}" if str(exc) else "timed out", EXIT_ERROR
    if isinstance(exc, SogniError):
        return f"{type(exc).__name__}: {exc}", EXIT_ERROR
    if isinstance(exc, OSError):
        where = f" {exc.filename}" if exc.filename else ""
        return f"I/O error{where}: {exc.strerror or exc}", EXIT_ERROR
    raise exc


def _scrub(text: str, secrets: Sequence[str | None]) -> str:
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "***")
    return text


class _LogSetup:
    """Route the ``sogni``/``sogni_emulator`` loggers to stderr for ``-v``."""

    def __init__(self, verbosity: int, stream: Any) -> None:
        self._handler: logging.Handler | None = None
        self._levels: dict[str, int] = {}
        if verbosity < 1:
            return
        self._handler = logging.StreamHandler(stream)
        self._handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        level = logging.DEBUG if verbosity > 1 else logging.INFO
        for name in ("sogni", "sogni_emulator"):
            logger = logging.getLogger(name)
            self._levels[name] = logger.level
            logger.setLevel(level)
            logger.addHandler(self._handler)

    def close(self) -> None:
        if self._handler is None:
            return
        for name, level in self._levels.items():
            logger = logging.getLogger(name)
            logger.removeHandler(self._handler)
            logger.setLevel(level)


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush cannot fail."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``sogni`` command line.

    Args:
        argv: the arguments after the program name (default ``sys.argv[1:]``).

    Returns:
        The exit status (0, 1, 2 or 130; argparse usage errors exit 2 too).
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, usage errors
        return int(exc.code or 0) if not isinstance(exc.code, str) else EXIT_USAGE
    out = Console(file=sys.stdout, soft_wrap=True)
    err = Console(file=sys.stderr, soft_wrap=True)
    secrets = [
        args.api_key,
        args.password,
        os.environ.get("SOGNI_API_KEY"),
        os.environ.get("SOGNI_PASSWORD"),
    ]
    logs = _LogSetup(args.verbose, sys.stderr)
    try:
        return _COMMANDS[args.command](_Context(args, out, err))
    except KeyboardInterrupt:
        err.print("[yellow]interrupted[/] (the running project was canceled)")
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # stdout closed early (`sogni models | head`): stay quiet
        _silence_stdout()
        return EXIT_ERROR
    except (SogniError, TimeoutError, OSError) as exc:
        line, status = _describe(exc)
        err.print(f"[red]error:[/] {escape(_scrub(line, secrets))}", highlight=False)
        return status
    finally:
        logs.close()
