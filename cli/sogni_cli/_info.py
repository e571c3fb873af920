"""``sogni models`` and ``sogni balance``: tables for people, ``--json`` for scripts."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import msgspec
from rich.table import Table

if TYPE_CHECKING:
    from rich.console import Console
    from sogni_sync import SogniClient

__all__ = ["balance_rows", "model_rows", "print_balance", "print_models"]

_MEDIA_ORDER = {"image": 0, "video": 1, "audio": 2, "llm": 3}


def model_rows(client: SogniClient, media: str | None = None) -> list[dict[str, Any]]:
    """Every catalogue model (and LLM) with its online worker count on this network.

    Args:
        client: a connected client.
        media: keep only ``image``, ``video``, ``audio`` or ``llm``.

    Returns:
        Dicts with ``id``, ``name``, ``media``, ``workers``, sorted by media then id.
    """
    for wait in (client.projects.wait_for_models, client.chat.wait_for_models):
        try:  # the swarm snapshots follow the greeting; an empty swarm is fine
            wait(timeout=5.0)
        except TimeoutError:
            pass
    workers = client.projects.available_models
    rows: list[dict[str, Any]] = [
        {
            "id": str(entry.get("id")),
            "name": str(entry.get("name") or entry.get("id")),
            "media": str(entry.get("media") or "?"),
            "workers": int(workers.get(str(entry.get("id")), 0)),
        }
        for entry in client.projects.model_catalogue()
    ]
    for model_id, info in client.chat.models.items():
        rows.append({"id": model_id, "name": model_id, "media": "llm", "workers": info.workers})
    if media:
        rows = [row for row in rows if row["media"] == media]
    rows.sort(key=lambda r: (_MEDIA_ORDER.get(r["media"], 9), r["id"]))
    return rows


def print_models(
    client: SogniClient, console: Console, *, as_json: bool, media: str | None
) -> None:
    """Print the model list as a table, or as a JSON array with ``as_json``."""
    rows = model_rows(client, media)
    if as_json:
        console.print_json(json.dumps(rows))
        return
    table = Table(title=f"Models on the {client.network} network", title_justify="left")
    table.add_column("model id", style="bold")
    table.add_column("name")
    table.add_column("media")
    table.add_column("workers", justify="right")
    for row in rows:
        count = row["workers"]
        table.add_row(
            row["id"], row["name"], row["media"], f"[green]{count}[/]" if count else "[dim]0[/]"
        )
    console.print(table)


def balance_rows(client: SogniClient) -> dict[str, dict[str, Any]]:
    """The account balance as ``{token: {settled, net, credit, debit, ...}}``."""
    raw = msgspec.to_builtins(client.account.balance())
    return {
        str(token): dict(values) for token, values in raw.items() if isinstance(values, Mapping)
    }


def print_balance(client: SogniClient, console: Console, *, as_json: bool) -> None:
    """Print the account balance (table, or JSON with ``as_json``)."""
    rows = balance_rows(client)
    if as_json:
        console.print_json(json.dumps(rows))
        return
    table = Table(title="Balance", title_justify="left")
    table.add_column("token", style="bold")
    for column in ("net", "settled", "credit", "debit"):
        table.add_column(column, justify="right")
    for token, values in rows.items():
        table.add_row(
            token.upper(),
            *(str(values.get(c, "")) for c in ("net", "settled", "credit", "debit")),
        )
    console.print(table)
