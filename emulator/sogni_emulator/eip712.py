"""EIP-712 login signature recovery in pure Python (wire reference 01 §6.2.2, §6.2.3).

The emulator checks ``POST /v1/account/login`` the way a real server does: it
rebuilds the EIP-712 digest of the ``Authentication`` message ``{walletAddress,
nonce}`` under the Sogni domain, recovers the secp256k1 public key from the
65-byte ``r‖s‖v`` signature, and compares the key's Ethereum address with the
``walletAddress`` of the request. Nothing here signs; nothing needs a third
party package:

* :func:`keccak256`: Keccak-f[1600] with the original Keccak padding (``0x01``),
  *not* NIST SHA3-256 (``hashlib.sha3_256`` pads with ``0x06`` and differs);
* :func:`recover_address`: ECDSA public-key recovery on secp256k1 (SEC 1
  §4.1.6), Jacobian coordinates, low-``s`` signatures only (EIP-2; ethers and
  eth-account never produce the other half);
* :func:`authentication_digest`: ``keccak256(0x19 0x01 ‖ domainSeparator ‖
  hashStruct(message))`` for the one type the login signs.

The domain and type strings are written out here from the reference, on
purpose not imported from ``sogni_core.client``: the emulator is the
independent check of the client's signing. Tests compare every function with
``eth-account`` (Hypothesis) and log in with the official SDKs.
"""

from __future__ import annotations

from typing import Final

__all__ = [
    "AUTHENTICATION_TYPE",
    "DOMAIN_TYPE",
    "MAINNET_DOMAIN",
    "TESTNET_DOMAIN",
    "VERIFYING_CONTRACT",
    "Domain",
    "authentication_digest",
    "domain_separator",
    "keccak256",
    "recover_address",
    "recover_authentication_signer",
    "to_checksum_address",
]

# -- Keccak-256 ------------------------------------------------------------------------------

_MASK64: Final = (1 << 64) - 1
_RATE: Final = 136  # bytes: 1600-bit state minus 2 x 256-bit capacity


def _round_constants() -> tuple[int, ...]:
    """The 24 iota constants, from the LFSR of the Keccak specification (§1.2)."""
    out: list[int] = []
    lfsr = 1
    for _ in range(24):
        constant = 0
        for j in range(7):
            if lfsr & 1:
                constant |= 1 << ((1 << j) - 1)
            lfsr = ((lfsr << 1) ^ (0x71 if lfsr & 0x80 else 0)) & 0xFF
        out.append(constant)
    return tuple(out)


def _rotation_offsets() -> tuple[int, ...]:
    """The rho offsets, indexed ``x + 5 * y``."""
    offsets = [0] * 25
    x, y = 1, 0
    for t in range(24):
        offsets[x + 5 * y] = ((t + 1) * (t + 2) // 2) % 64
        x, y = y, (2 * x + 3 * y) % 5
    return tuple(offsets)


_RC: Final = _round_constants()
_ROT: Final = _rotation_offsets()
# pi: lane (x, y) moves to (y, 2x + 3y); _PI[source] = destination.
_PI: Final = tuple(y + 5 * ((2 * x + 3 * y) % 5) for y in range(5) for x in range(5))


def _rol(value: int, shift: int) -> int:
    return ((value << shift) | (value >> (64 - shift))) & _MASK64 if shift else value


def _keccak_f(lanes: list[int]) -> None:
    """Keccak-f[1600] on 25 little-endian 64-bit lanes, in place."""
    for rc in _RC:
        c = [
            lanes[x] ^ lanes[x + 5] ^ lanes[x + 10] ^ lanes[x + 15] ^ lanes[x + 20]
            for x in range(5)
        ]
        d = [c[(x - 1) % 5] ^ _rol(c[(x + 1) % 5], 1) for x in range(5)]
        b = [0] * 25
        for i in range(25):
            b[_PI[i]] = _rol(lanes[i] ^ d[i % 5], _ROT[i])
        for y in range(0, 25, 5):
            row = b[y : y + 5]
            for x in range(5):
                lanes[y + x] = row[x] ^ (~row[(x + 1) % 5] & row[(x + 2) % 5])
        lanes[0] ^= rc


def keccak256(data: bytes) -> bytes:
    """Ethereum's Keccak-256 of ``data`` (32 bytes)."""
    padded = bytearray(data)
    padded.append(0x01)
    padded.extend(b"\x00" * (-len(padded) % _RATE))
    padded[-1] |= 0x80
    lanes = [0] * 25
    for offset in range(0, len(padded), _RATE):
        block = padded[offset : offset + _RATE]
        for i in range(_RATE // 8):
            lanes[i] ^= int.from_bytes(block[8 * i : 8 * i + 8], "little")
        _keccak_f(lanes)
    return b"".join(lane.to_bytes(8, "little") for lane in lanes[:4])


# -- secp256k1 -----------------------------------------------------------------------------

_P: Final = 2**256 - 2**32 - 977
_N: Final = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
_G: Final = (
    0x79BE667EF9DCBBAC55A06295CE870B07029BFCDB2DCE28D959F2815B16F81798,
    0x483ADA7726A3C4655DA4FBFC0E1108A8FD17B448A68554199C47D08FFB10D4B8,
    1,
)
_INFINITY: Final = (0, 1, 0)

_Jacobian = tuple[int, int, int]


def _double(pt: _Jacobian) -> _Jacobian:
    x, y, z = pt
    if z == 0 or y == 0:
        return _INFINITY
    ysq = y * y % _P
    s = 4 * x * ysq % _P
    m = 3 * x * x % _P  # a = 0 on secp256k1
    nx = (m * m - 2 * s) % _P
    ny = (m * (s - nx) - 8 * ysq * ysq) % _P
    return nx, ny, 2 * y * z % _P


def _add(p: _Jacobian, q: _Jacobian) -> _Jacobian:
    if p[2] == 0:
        return q
    if q[2] == 0:
        return p
    z1z1, z2z2 = p[2] * p[2] % _P, q[2] * q[2] % _P
    u1, u2 = p[0] * z2z2 % _P, q[0] * z1z1 % _P
    s1, s2 = p[1] * q[2] * z2z2 % _P, q[1] * p[2] * z1z1 % _P
    if u1 == u2:
        return _double(p) if s1 == s2 else _INFINITY
    h, r = (u2 - u1) % _P, (s2 - s1) % _P
    hh = h * h % _P
    hhh = h * hh % _P
    v = u1 * hh % _P
    nx = (r * r - hhh - 2 * v) % _P
    ny = (r * (v - nx) - s1 * hhh) % _P
    return nx, ny, h * p[2] * q[2] % _P


def _mul_add(a: int, p: _Jacobian, b: int, q: _Jacobian) -> _Jacobian:
    """``a*p + b*q`` by Shamir's trick (one doubling chain)."""
    pq = _add(p, q)
    acc = _INFINITY
    for bit in range(max(a.bit_length(), b.bit_length()) - 1, -1, -1):
        acc = _double(acc)
        pick = ((a >> bit) & 1) | (((b >> bit) & 1) << 1)
        if pick == 1:
            acc = _add(acc, p)
        elif pick == 2:
            acc = _add(acc, q)
        elif pick == 3:
            acc = _add(acc, pq)
    return acc


def _affine(pt: _Jacobian) -> tuple[int, int]:
    inv = pow(pt[2], -1, _P)
    inv2 = inv * inv % _P
    return pt[0] * inv2 % _P, pt[1] * inv2 * inv % _P


def to_checksum_address(address20: bytes | str) -> str:
    """EIP-55 mixed-case form of a 20-byte address (bytes, or hex with or without ``0x``)."""
    raw = address20.hex() if isinstance(address20, bytes) else address20.lower().removeprefix("0x")
    if len(raw) != 40 or any(ch not in "0123456789abcdef" for ch in raw):
        raise ValueError("an address is 20 bytes")
    nibbles = keccak256(raw.encode("ascii")).hex()
    return "0x" + "".join(
        ch.upper() if ch.isalpha() and int(nibbles[i], 16) >= 8 else ch for i, ch in enumerate(raw)
    )


def recover_address(digest: bytes, signature: bytes) -> str | None:
    """The checksummed address whose key made ``signature`` over the 32-byte ``digest``.

    Args:
        digest: The signed hash (32 bytes).
        signature: ``r‖s‖v``, 65 bytes; ``v`` is 27/28 (or 0/1).

    Returns:
        The EIP-55 address, or ``None`` for a malformed signature (wrong length,
        ``r``/``s`` out of range, high ``s``, ``r`` not an x-coordinate, bad ``v``).
    """
    if len(digest) != 32 or len(signature) != 65:
        return None
    r = int.from_bytes(signature[:32], "big")
    s = int.from_bytes(signature[32:64], "big")
    v = signature[64]
    v = v - 27 if v >= 27 else v
    if v not in (0, 1) or not 0 < r < _N or not 0 < s <= _N // 2:
        return None
    y_squared = (pow(r, 3, _P) + 7) % _P
    y = pow(y_squared, (_P + 1) // 4, _P)
    if y * y % _P != y_squared:
        return None
    if y & 1 != v:
        y = _P - y
    e = int.from_bytes(digest, "big") % _N
    r_inv = pow(r, -1, _N)
    # Q = r^-1 (s R - e G)
    point = _mul_add(s * r_inv % _N, (r, y, 1), (-e * r_inv) % _N, _G)
    if point[2] == 0:
        return None
    qx, qy = _affine(point)
    return to_checksum_address(keccak256(qx.to_bytes(32, "big") + qy.to_bytes(32, "big"))[12:])


# -- EIP-712 -------------------------------------------------------------------------------

#: 01 §6.2.3.
VERIFYING_CONTRACT: Final = "0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC"
DOMAIN_TYPE: Final = (
    "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"
)
AUTHENTICATION_TYPE: Final = "Authentication(address walletAddress,string nonce)"

Domain = tuple[str, str, int, str]  # name, version, chainId, verifyingContract

#: ``testnet: false`` in both SDKs (Base mainnet) and ``testnet: true`` (Base Sepolia).
MAINNET_DOMAIN: Final[Domain] = ("Sogni AI", "1", 8453, VERIFYING_CONTRACT)
TESTNET_DOMAIN: Final[Domain] = ("Sogni-testnet", "1", 84532, VERIFYING_CONTRACT)


def _address_word(address: str) -> bytes:
    raw = bytes.fromhex(address.removeprefix("0x").removeprefix("0X"))
    if len(raw) != 20:
        raise ValueError("an address is 20 bytes")
    return raw.rjust(32, b"\x00")


def domain_separator(domain: Domain) -> bytes:
    """``hashStruct(EIP712Domain)`` of a domain."""
    name, version, chain_id, contract = domain
    return keccak256(
        keccak256(DOMAIN_TYPE.encode())
        + keccak256(name.encode())
        + keccak256(version.encode())
        + chain_id.to_bytes(32, "big")
        + _address_word(contract)
    )


def authentication_digest(wallet_address: str, nonce: str, domain: Domain) -> bytes:
    """The EIP-712 digest a login signs.

    Raises:
        ValueError: ``wallet_address`` is not 20 bytes of hex.
    """
    struct_hash = keccak256(
        keccak256(AUTHENTICATION_TYPE.encode())
        + _address_word(wallet_address)
        + keccak256(nonce.encode())
    )
    return keccak256(b"\x19\x01" + domain_separator(domain) + struct_hash)


def recover_authentication_signer(
    signature_hex: str, wallet_address: str, nonce: str, domain: Domain
) -> str | None:
    """Who signed ``Authentication{walletAddress, nonce}`` under ``domain``.

    Args:
        signature_hex: ``0x``-prefixed hex of ``r‖s‖v`` (01 §6.2.2).
        wallet_address: The address the message names (any case).
        nonce: The nonce the message names.
        domain: :data:`MAINNET_DOMAIN` or :data:`TESTNET_DOMAIN`.

    Returns:
        The signer's EIP-55 address, or ``None`` if the signature or the address
        is malformed. A well-formed signature over a different message recovers
        to an unrelated address, so callers compare the result with
        ``wallet_address``.
    """
    try:
        signature = bytes.fromhex(signature_hex.removeprefix("0x"))
        digest = authentication_digest(wallet_address, nonce, domain)
    except ValueError:
        return None
    return recover_address(digest, signature)
