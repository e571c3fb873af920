"""Login signature verification (01 §6.2.2, §6.2.3): the pure-Python crypto against eth-account,
and the emulator's ``/v1/account/login`` rejecting every kind of bad login."""

from __future__ import annotations

import hashlib

import pytest
from eth_account import Account
from eth_account.messages import _hash_eip191_message, encode_typed_data
from eth_hash.auto import keccak
from eth_utils import to_checksum_address as eth_checksum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sogni_emulator import Emulator
from sogni_emulator.eip712 import (
    MAINNET_DOMAIN,
    TESTNET_DOMAIN,
    authentication_digest,
    keccak256,
    recover_address,
    recover_authentication_signer,
    to_checksum_address,
)

from ._signing import KEY, TYPES, WALLET, domain, login, nonce, sign_login
from .wsclient import http_json

_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141

keys = st.integers(min_value=1, max_value=_N - 1).map(lambda k: k.to_bytes(32, "big"))
nonces = st.text(max_size=80)
FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# -- the primitives against eth-account / eth-hash -------------------------------------------


def test_keccak_known_vectors():
    # Keccak-256, not SHA3-256: the empty string and "abc" differ from hashlib.sha3_256.
    assert keccak256(b"").hex() == (
        "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"
    )
    assert keccak256(b"abc").hex() == (
        "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45"
    )
    assert keccak256(b"") != hashlib.sha3_256(b"").digest()


@FAST
@given(st.binary(max_size=700))
def test_keccak_matches_eth_hash(data):
    assert keccak256(data) == keccak(data)


@pytest.mark.parametrize("size", [135, 136, 137, 271, 272, 273])
def test_keccak_block_boundaries(size):
    data = bytes(range(256)) * 2
    assert keccak256(data[:size]) == keccak(data[:size])


@FAST
@given(st.binary(min_size=20, max_size=20))
def test_checksum_matches_eth_utils(raw):
    assert to_checksum_address(raw) == eth_checksum(raw)
    assert to_checksum_address("0x" + raw.hex()) == eth_checksum(raw)


@FAST
@given(keys, nonces, st.booleans())
def test_digest_and_recovery_match_eth_account(key, nonce_value, testnet):
    wallet = Account.from_key(key).address
    signable = encode_typed_data(
        domain_data=domain(testnet=testnet),
        message_types=TYPES,
        message_data={"walletAddress": wallet, "nonce": nonce_value},
    )
    ours = TESTNET_DOMAIN if testnet else MAINNET_DOMAIN
    assert authentication_digest(wallet, nonce_value, ours) == _hash_eip191_message(signable)
    signature = sign_login(key, wallet, nonce_value, testnet=testnet)
    assert recover_authentication_signer(signature, wallet, nonce_value, ours) == wallet
    # The other chain's domain recovers someone else.
    other = MAINNET_DOMAIN if testnet else TESTNET_DOMAIN
    assert recover_authentication_signer(signature, wallet, nonce_value, other) != wallet
    # A different nonce (what a replayed or stale signature amounts to) too.
    assert recover_authentication_signer(signature, wallet, nonce_value + "x", ours) != wallet


@FAST
@given(keys, st.binary(min_size=32, max_size=32))
def test_recover_address_matches_eth_account(key, digest):
    sign_hash = getattr(Account, "unsafe_sign_hash", None) or Account.signHash  # eth-account < 0.13
    signed = sign_hash(digest, key)
    assert recover_address(digest, bytes(signed.signature)) == Account.from_key(key).address


@FAST
@given(keys, nonces, st.integers(min_value=0, max_value=64 * 8 - 1))
def test_any_flipped_bit_of_r_or_s_fails(key, nonce_value, bit):
    wallet = Account.from_key(key).address
    raw = bytearray(bytes.fromhex(sign_login(key, wallet, nonce_value)[2:]))
    raw[bit // 8] ^= 1 << (bit % 8)
    tampered = "0x" + raw.hex()
    assert recover_authentication_signer(tampered, wallet, nonce_value, MAINNET_DOMAIN) != wallet


def test_malformed_signatures_recover_nothing():
    good = bytes.fromhex(sign_login(KEY, WALLET, "n")[2:])
    digest = authentication_digest(WALLET, "n", MAINNET_DOMAIN)
    assert recover_address(digest, good) == WALLET
    r, s, v = good[:32], int.from_bytes(good[32:64], "big"), good[64]
    flipped_v = 55 - v  # 27 <-> 28: the other candidate key, not the wallet
    assert recover_address(digest, good[:64] + bytes([flipped_v])) not in (None, WALLET)
    assert recover_address(digest, good[:64] + bytes([v - 27])) == WALLET  # 0/1 form
    assert recover_address(digest, good[:64] + bytes([29])) is None
    high_s = (_N - s).to_bytes(32, "big")  # the malleable twin (EIP-2): refused
    assert recover_address(digest, r + high_s + bytes([flipped_v])) is None
    assert recover_address(digest, bytes(32) + good[32:]) is None  # r = 0
    assert recover_address(digest, r + bytes(32) + good[64:]) is None  # s = 0
    assert recover_address(digest, good[:64]) is None  # 64 bytes
    assert recover_address(digest[:31], good) is None
    # r whose x has no point on the curve (x = 5: 5^3 + 7 is not a square mod p).
    assert recover_address(digest, (5).to_bytes(32, "big") + good[32:]) is None
    for text in ("", "0x", "0xzz", "0x" + "11" * 65, "0x" + good.hex()[:-2]):
        assert recover_authentication_signer(text, WALLET, "n", MAINNET_DOMAIN) != WALLET
    assert recover_authentication_signer("0x" + good.hex(), "0x1234", "n", MAINNET_DOMAIN) is None


# -- /v1/account/login ------------------------------------------------------------------------

OTHER_KEY = bytes.fromhex("11" * 32)
OTHER_WALLET = Account.from_key(OTHER_KEY).address


def _post_login(emu, wallet, signature):
    return http_json(
        emu.rest_url,
        "POST",
        "/v1/account/login",
        json_body={"walletAddress": wallet, "signature": signature, "rememberMe": False},
    )


def _rejected(status_body, message):
    status, body = status_body
    assert status == 401, body
    assert body == {"status": "error", "message": message, "errorCode": 401}


def test_good_login_gets_tokens_and_an_account(emu):
    status, body = login(emu)
    assert status == 200, body
    data = body["data"]
    assert data["token"] and data["refreshToken"]
    assert data["username"] == f"user-{WALLET[2:10].lower()}"
    status, me = http_json(
        emu.rest_url, "GET", "/v1/account/me", headers={"Authorization": data["token"]}
    )
    assert status == 200 and me["data"]["walletAddress"] == WALLET


def test_lowercase_wallet_is_the_same_account(emu):
    assert login(emu)[0] == 200
    status, body = login(emu, wallet=WALLET.lower())
    assert status == 200 and body["data"]["username"] == f"user-{WALLET[2:10].lower()}"


def test_tampered_signature_rejected(emu):
    good = sign_login(KEY, WALLET, nonce(emu, WALLET))
    tampered = good[:10] + ("0" if good[10] != "0" else "1") + good[11:]
    _rejected(_post_login(emu, WALLET, tampered), "Invalid signature")


def test_garbage_signature_rejected(emu):
    nonce(emu, WALLET)
    _rejected(_post_login(emu, WALLET, "0x" + "11" * 65), "Invalid signature")


def test_signature_by_another_key_rejected(emu):
    # Someone else's key signs a message naming our wallet.
    signature = sign_login(OTHER_KEY, WALLET, nonce(emu, WALLET))
    _rejected(_post_login(emu, WALLET, signature), "Invalid signature")


def test_wrong_wallet_address_rejected(emu):
    # A valid signature of WALLET's own login, sent as OTHER_WALLET's (which asked for a nonce).
    issued = nonce(emu, OTHER_WALLET)
    signature = sign_login(KEY, WALLET, issued)
    _rejected(_post_login(emu, OTHER_WALLET, signature), "Invalid signature")


def test_unknown_nonce_rejected(emu):
    # Never asked for a nonce: even a well-formed signature is refused.
    signature = sign_login(KEY, WALLET, "a-nonce-the-emulator-never-issued")
    _rejected(_post_login(emu, WALLET, signature), "Invalid or expired nonce")


def test_signature_over_another_nonce_rejected(emu):
    issued = nonce(emu, WALLET)
    signature = sign_login(KEY, WALLET, issued + "0")
    _rejected(_post_login(emu, WALLET, signature), "Invalid signature")


def test_reused_nonce_rejected(emu):
    signature = sign_login(KEY, WALLET, nonce(emu, WALLET))
    assert _post_login(emu, WALLET, signature)[0] == 200
    _rejected(_post_login(emu, WALLET, signature), "Invalid or expired nonce")


def test_superseded_nonce_rejected(emu):
    first = nonce(emu, WALLET)
    second = nonce(emu, WALLET)
    assert first != second
    _rejected(_post_login(emu, WALLET, sign_login(KEY, WALLET, first)), "Invalid signature")


def test_failed_attempt_uses_up_the_nonce(emu):
    issued = nonce(emu, WALLET)
    _rejected(_post_login(emu, WALLET, sign_login(OTHER_KEY, WALLET, issued)), "Invalid signature")
    _rejected(_post_login(emu, WALLET, sign_login(KEY, WALLET, issued)), "Invalid or expired nonce")


def test_mainnet_by_default_testnet_signature_rejected(emu):
    assert emu.auth.testnet is False
    _rejected(login(emu, testnet=True), "Invalid signature")
    assert login(emu)[0] == 200


def test_testnet_emulator_rejects_mainnet_signature():
    with Emulator.run_in_thread(seed=1, testnet=True) as emu:
        assert emu.auth.testnet is True
        _rejected(login(emu), "Invalid signature")
        assert login(emu, testnet=True)[0] == 200


def test_unregistered_wallet_rejected_when_registration_is_off(emu):
    emu.auth.register_on_login = False
    _rejected(login(emu), "Wallet not registered")
    emu.auth.new_account("registered", WALLET, "r@example.invalid")
    status, body = login(emu)
    assert status == 200 and body["data"]["username"] == "registered"


@pytest.mark.parametrize("wallet", ["", "0x1234", "not-an-address", "0x" + "g" * 40, 7])
def test_malformed_wallet_is_400(emu, wallet):
    status, body = http_json(
        emu.rest_url, "POST", "/v1/account/nonce", json_body={"walletAddress": wallet}
    )
    assert status == 400 and body["status"] == "error"
    status, body = _post_login(emu, wallet, "0x" + "11" * 65)
    assert status == 400 and body["status"] == "error"


def test_signature_never_echoed(emu):
    nonce(emu, WALLET)
    bogus = "0x" + "ab" * 65
    status, body = _post_login(emu, WALLET, bogus)
    assert status == 401 and "ab" * 8 not in str(body)


def test_testnet_flag_on_the_command_line():
    from sogni_emulator.cli import build_parser

    assert build_parser().parse_args(["--testnet"]).testnet is True
    assert build_parser().parse_args([]).testnet is False
