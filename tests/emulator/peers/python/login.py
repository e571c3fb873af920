"""Username/password login with the official Python SDK, for ``test_login_parity.py``.

Run with the peer venv's interpreter. stdin: ``{"rest", "socket", "attempts": [{"username",
"password", "testnet"}]}``; stdout: one JSON list, per attempt either ``{"ok": true, "wallet",
"loginUsername", "meUsername", "meWallet"}`` or ``{"ok": false, "status", "errorCode",
"message"}`` (the SDK's ``ApiError``). REST only (no socket). Our own harness code; it uses only
the SDK's public API and never prints a password.
"""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Any

from sogni_client import SogniClient
from sogni_client.account import AccountApi
from sogni_client.errors import ApiError


async def attempt(rest: str, socket: str, case: dict[str, Any]) -> dict[str, Any]:
    wallet = AccountApi.get_wallet(case["username"], case["password"]).address
    client = await SogniClient.create(
        rest_endpoint=rest, socket_endpoint=socket, disable_socket=True, testnet=case["testnet"]
    )
    try:
        login = await client.account.login(case["username"], case["password"])
        me = await client.account.me()
    except ApiError as error:
        payload = getattr(error, "payload", None) or {}
        return {
            "ok": False,
            "wallet": wallet,
            "status": getattr(error, "status", None),
            "errorCode": payload.get("errorCode") if isinstance(payload, dict) else None,
            "message": str(error),
        }
    finally:
        await client.aclose()
    return {
        "ok": True,
        "wallet": wallet,
        "loginUsername": login.get("username"),
        "meUsername": me.get("username"),
        "meWallet": me.get("walletAddress"),
    }


async def main() -> None:
    data = json.load(sys.stdin)
    out = [await attempt(data["rest"], data["socket"], case) for case in data["attempts"]]
    sys.stdout.write(json.dumps(out))


asyncio.run(main())
