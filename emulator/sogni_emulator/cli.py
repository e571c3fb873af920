"""Command line: ``sogni-emulator`` / ``python -m sogni_emulator``."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import Sequence

from .emulator import Emulator
from .faults import FaultSpecError, parse_faults

__all__ = ["build_parser", "main"]


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for tests and docs)."""
    parser = argparse.ArgumentParser(
        prog="sogni-emulator",
        description="A local Sogni Supernet: REST API and socket protocol for SDK tests.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="interface to bind (127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port; 0 picks a free one")
    parser.add_argument(
        "--socket-port",
        type=int,
        default=None,
        help="also serve the socket (and REST) on this port",
    )
    parser.add_argument(
        "--api-key",
        action="append",
        default=[],
        dest="api_keys",
        help="accepted API key (repeatable; default sogni-dev-key)",
    )
    parser.add_argument("--record", default=None, help="write a JSON-lines recording here")
    parser.add_argument("--seed", type=int, default=0, help="determinism seed (0)")
    parser.add_argument(
        "--speed",
        type=float,
        default=1.0,
        help="delay multiplier: 1 is fast, 100 is roughly real time",
    )
    parser.add_argument("--faults", default="", help="fault spec, see emulator/README.md")
    parser.add_argument(
        "--testnet",
        action="store_true",
        help="expect login signatures for the testnet EIP-712 domain (default mainnet)",
    )
    parser.add_argument("--log-level", default="WARNING", help="Python logging level")
    return parser


async def _serve(emulator: Emulator) -> None:
    await emulator.start()
    print(emulator.ready_line(), flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        await emulator.stop()


def main(argv: Sequence[str] | None = None) -> int:
    """Run the emulator until SIGINT/SIGTERM.

    Args:
        argv: arguments without the program name (default ``sys.argv[1:]``).

    Returns:
        The process exit status.
    """
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=args.log_level.upper(), stream=sys.stderr)
    try:
        parse_faults(args.faults)
    except FaultSpecError as exc:
        print(f"sogni-emulator: {exc}", file=sys.stderr)
        return 2
    emulator = Emulator(
        host=args.host,
        port=args.port,
        socket_port=args.socket_port,
        api_keys=args.api_keys,
        seed=args.seed,
        speed=args.speed,
        faults=args.faults,
        record=args.record,
        testnet=args.testnet,
    )
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(emulator))
    return 0
