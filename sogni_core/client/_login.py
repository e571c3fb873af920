"""Username/password login facts (01 §6.2.1, §6.2.3), as pure data.

The wallet key is derived here (PBKDF2 is pure stdlib); producing the
secp256k1 signature needs an Ethereum signing library, which the transports
load (``eth-account``, the optional ``login`` extra).
"""

from __future__ import annotations

from typing import Any, Final

__all__ = [
    "AUTHENTICATION_TYPES",
    "VERIFYING_CONTRACT",
    "authentication_message",
    "eip712_domain",
    "wallet_private_key",
]

#: 01 §6.2.3: the verifying contract of the Sogni EIP-712 domain.
VERIFYING_CONTRACT: Final = "0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC"

#: 01 §6.2.3: the ``Authentication`` type signed at login.
AUTHENTICATION_TYPES: Final[dict[str, list[dict[str, str]]]] = {
    "Authentication": [
        {"name": "walletAddress", "type": "address"},
        {"name": "nonce", "type": "string"},
    ]
}


def wallet_private_key(username: str, password: str) -> bytes:
    """The account's wallet key (01 §6.2.1).

    PBKDF2-HMAC-SHA256 over ``lowercase(username) + password`` with salt
    ``sogni-salt-value``, 10 000 iterations, 32 bytes.

    Raises:
        TypeError: username or password is not a string.
    """
    if not isinstance(username, str) or not isinstance(password, str):
        raise TypeError("username and password must be strings")
    import hashlib  # here, not at module level: ~4 ms of import only password login needs

    secret = f"{username.lower()}{password}".encode()
    return hashlib.pbkdf2_hmac("sha256", secret, b"sogni-salt-value", 10_000, dklen=32)


def eip712_domain(*, testnet: bool = False) -> dict[str, Any]:
    """The EIP-712 domain (01 §6.2.3): Base mainnet, or Base Sepolia for testnet."""
    return {
        "name": "Sogni-testnet" if testnet else "Sogni AI",
        "version": "1",
        "chainId": 84532 if testnet else 8453,
        "verifyingContract": VERIFYING_CONTRACT,
    }


def authentication_message(wallet_address: str, nonce: str) -> dict[str, str]:
    """The ``Authentication`` message signed at login."""
    return {"walletAddress": wallet_address, "nonce": nonce}
