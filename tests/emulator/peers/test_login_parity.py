"""Username/password login: the official SDKs and our three transports derive one wallet.

The emulator verifies every login's EIP-712 signature (``sogni_emulator.eip712``) and, with
``register_on_login`` off, accepts only wallets that have an account. One account is registered
for the wallet the official TS SDK 5.54.0 (ethers) derives for ``USERNAME``/``PASSWORD``; then
the TS SDK, the official Python SDK 5.70.0 and ``sogni_asyncio``/``sogni_trio``/``sogni_sync``
each log in with the same credentials and must land on that account (same wallet, same
username), while the wrong password (another wallet) and the wrong chain's domain are refused
with 401. If any client's PBKDF2 derivation, address, domain or typed-data hashing differed, its
login would be the one refused.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import trio
from sogni_emulator import Emulator

from tests._peers import pysdk_python, run_with_sdk

PEERS = Path(__file__).resolve().parent
NODE_LOGIN = PEERS / "node" / "login.mjs"
PY_LOGIN = PEERS / "python" / "login.py"

# Mixed case (the derivation lower-cases the username) and non-ASCII (UTF-8 bytes).
USERNAME = "Parity.User"
PASSWORD = "pä$$ wörd-42"
WRONG_PASSWORD = "pä$$ wörd-43"
REGISTERED = "parity-user"
PEER_TIMEOUT_S = 120.0


def _attempts(*cases: tuple[str, bool]) -> list[dict[str, Any]]:
    return [{"username": USERNAME, "password": pw, "testnet": testnet} for pw, testnet in cases]


def _ts(emu: Emulator, attempts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    payload = {"rest": emu.rest_url, "socket": emu.socket_url, "attempts": attempts}
    result: list[dict[str, Any]] = run_with_sdk(NODE_LOGIN, payload, timeout=PEER_TIMEOUT_S)
    return result


def _py(emu: Emulator, attempts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    payload = {"rest": emu.rest_url, "socket": emu.socket_url, "attempts": attempts}
    proc = subprocess.run(
        [str(pysdk_python()), str(PY_LOGIN)],
        input=json.dumps(payload),
        capture_output=True,
        text=True,
        timeout=PEER_TIMEOUT_S,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    result: list[dict[str, Any]] = json.loads(proc.stdout)
    return result


def _ours(emu: Emulator, transport: str, password: str, *, testnet: bool = False) -> Any:
    """Log in with one of our transports; the wallet and username of ``/v1/account/me``."""
    kwargs: dict[str, Any] = {
        "username": USERNAME,
        "password": password,
        "testnet": testnet,
        "rest_endpoint": emu.rest_url,
        "socket_endpoint": emu.socket_url,
        "connect_timeout": 10.0,
    }
    if transport == "sync":
        import sogni_sync

        with sogni_sync.SogniClient(**kwargs) as client:
            me = client.account.me()
            return me.wallet_address, me.username

    async def run(module: Any) -> Any:
        async with module.SogniClient(**kwargs) as client:
            me = await client.account.me()
            return me.wallet_address, me.username

    if transport == "asyncio":
        import sogni_asyncio

        return asyncio.run(asyncio.wait_for(run(sogni_asyncio), 30))
    import sogni_trio

    async def bounded() -> Any:
        with trio.fail_after(30):
            return await run(sogni_trio)

    return trio.run(bounded)


def _refused(outcome: dict[str, Any], message: str) -> None:
    assert outcome["ok"] is False, outcome
    assert (outcome["status"], outcome["errorCode"]) == (401, 401), outcome
    assert message in outcome["message"], outcome


@pytest.fixture(scope="module")
def registered() -> Iterator[tuple[Emulator, str]]:
    """A mainnet emulator that only knows the TS SDK's wallet for USERNAME/PASSWORD."""
    with Emulator.run_in_thread(seed=3) as emu:
        emu.auth.register_on_login = False
        # Before any account exists the TS SDK's login passes the signature check and is then
        # refused as unregistered: it tells us the wallet ethers derived.
        [first] = _ts(emu, _attempts((PASSWORD, False)))
        _refused(first, "Wallet not registered")
        wallet = first["wallet"]
        assert isinstance(wallet, str) and wallet.startswith("0x") and len(wallet) == 42
        emu.auth.new_account(REGISTERED, wallet, "parity@example.invalid")
        yield emu, wallet


@pytest.mark.parametrize("peer", ["ts", "python"])
def test_official_sdk_logs_in_to_the_registered_wallet(
    registered: tuple[Emulator, str], peer: str
) -> None:
    emu, wallet = registered
    run = _ts if peer == "ts" else _py
    good, wrong_password, wrong_chain = run(
        emu, _attempts((PASSWORD, False), (WRONG_PASSWORD, False), (PASSWORD, True))
    )
    assert good["ok"] is True, good
    assert good["wallet"] == good["meWallet"] == wallet
    assert good["loginUsername"] == good["meUsername"] == REGISTERED
    # Negative control: another password is another wallet, which has no account.
    assert wrong_password["wallet"] != wallet
    _refused(wrong_password, "Wallet not registered")
    # The testnet domain signed, mainnet expected: the signature does not verify.
    assert wrong_chain["wallet"] == wallet
    _refused(wrong_chain, "Invalid signature")


@pytest.mark.parametrize("transport", ["asyncio", "trio", "sync"])
def test_our_transport_logs_in_to_the_registered_wallet(
    registered: tuple[Emulator, str], transport: str
) -> None:
    emu, wallet = registered
    assert _ours(emu, transport, PASSWORD) == (wallet, REGISTERED)
    with pytest.raises(Exception) as wrong_password:
        _ours(emu, transport, WRONG_PASSWORD)
    assert getattr(wrong_password.value, "status", None) == 401, repr(wrong_password.value)
    assert "Wallet not registered" in str(wrong_password.value)
    with pytest.raises(Exception) as wrong_chain:
        _ours(emu, transport, PASSWORD, testnet=True)
    assert getattr(wrong_chain.value, "status", None) == 401, repr(wrong_chain.value)
    assert "Invalid signature" in str(wrong_chain.value)


def test_testnet_emulator_accepts_every_client_signing_for_testnet() -> None:
    with Emulator.run_in_thread(seed=4) as emu:
        emu.auth.testnet = True
        ts_good, ts_mainnet = _ts(emu, _attempts((PASSWORD, True), (PASSWORD, False)))
        py_good, py_mainnet = _py(emu, _attempts((PASSWORD, True), (PASSWORD, False)))
        assert ts_good["ok"] is True and py_good["ok"] is True, (ts_good, py_good)
        _refused(ts_mainnet, "Invalid signature")
        _refused(py_mainnet, "Invalid signature")
        wallet = ts_good["meWallet"]
        assert py_good["meWallet"] == wallet
        # Unknown wallets get an account on the fly here (the default); all land on one.
        assert py_good["meUsername"] == ts_good["meUsername"]
        for transport in ("asyncio", "trio", "sync"):
            assert _ours(emu, transport, PASSWORD, testnet=True) == (wallet, ts_good["meUsername"])
        with pytest.raises(Exception) as mainnet:
            _ours(emu, "sync", PASSWORD)
        assert getattr(mainnet.value, "status", None) == 401
