"""Test-side EIP-712 login signing with ``eth-account`` (the ``dev`` extra).

Independent of both ``sogni_core.client`` (the code under test on the client side) and
``sogni_emulator.eip712`` (the code under test on the server side): the domain and type are
spelled out here from the wire reference (01 §6.2.3).
"""

from __future__ import annotations

from typing import Any

from eth_account import Account
from eth_account.messages import encode_typed_data

from .wsclient import http_json

__all__ = ["KEY", "WALLET", "domain", "login", "nonce", "sign_login"]

#: A fixed test key (never a real wallet) and its address.
KEY = bytes.fromhex("4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318")
WALLET = Account.from_key(KEY).address

TYPES = {
    "Authentication": [
        {"name": "walletAddress", "type": "address"},
        {"name": "nonce", "type": "string"},
    ]
}


def domain(*, testnet: bool = False) -> dict[str, Any]:
    return {
        "name": "Sogni-testnet" if testnet else "Sogni AI",
        "version": "1",
        "chainId": 84532 if testnet else 8453,
        "verifyingContract": "0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC",
    }


def sign_login(key: bytes, wallet: str, nonce_value: str, *, testnet: bool = False) -> str:
    """``0x`` hex of the EIP-712 ``Authentication{walletAddress, nonce}`` signature."""
    signable = encode_typed_data(
        domain_data=domain(testnet=testnet),
        message_types=TYPES,
        message_data={"walletAddress": wallet, "nonce": nonce_value},
    )
    return "0x" + bytes(Account.sign_message(signable, key).signature).hex()


def nonce(emu: Any, wallet: str) -> str:
    status, body = http_json(
        emu.rest_url, "POST", "/v1/account/nonce", json_body={"walletAddress": wallet}
    )
    assert status == 200 and body["status"] == "success", body
    assert isinstance(body["data"]["nonce"], str)
    return str(body["data"]["nonce"])


def login(
    emu: Any, key: bytes = KEY, wallet: str | None = None, *, testnet: bool = False
) -> tuple[int, dict[str, Any]]:
    """Ask for a nonce, sign it, log in; returns ``(status, body)``."""
    wallet = wallet or Account.from_key(key).address
    signature = sign_login(key, wallet, nonce(emu, wallet), testnet=testnet)
    status, body = http_json(
        emu.rest_url,
        "POST",
        "/v1/account/login",
        json_body={"walletAddress": wallet, "signature": signature, "rememberMe": False},
    )
    return status, body
