"""Shared command-line options of the examples (not part of the SDK)."""

from __future__ import annotations

import argparse
import os

from sogni_core.protocol.rest import DEFAULT_REST_BASE, DEFAULT_SOCKET_URL

MODEL = "flux1-schnell-fp8"


def parser(description: str) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=description)
    p.add_argument(
        "--endpoint",
        default=None,
        help="base URL serving REST and the socket, e.g. http://127.0.0.1:8080 "
        "(default: production api.sogni.ai / socket.sogni.ai)",
    )
    p.add_argument(
        "--api-key", default=os.environ.get("SOGNI_API_KEY"), help="default: $SOGNI_API_KEY"
    )
    p.add_argument("--out", default="out", help="folder for the results")
    p.add_argument("--model", default=MODEL)
    p.add_argument("--network", default="fast", choices=["fast", "relaxed"])
    return p


def client_kwargs(args: argparse.Namespace) -> dict[str, str]:
    """SogniClient keyword arguments from the parsed options."""
    if not args.api_key:
        raise SystemExit("an API key is required: --api-key or SOGNI_API_KEY")
    if args.endpoint:
        base = args.endpoint.rstrip("/")
        socket = "ws" + base[4:] if base.startswith("http") else base
        return {
            "api_key": args.api_key,
            "rest_endpoint": base,
            "socket_endpoint": socket,
            "network": args.network,
        }
    return {
        "api_key": args.api_key,
        "rest_endpoint": DEFAULT_REST_BASE,
        "socket_endpoint": DEFAULT_SOCKET_URL,
        "network": args.network,
    }
