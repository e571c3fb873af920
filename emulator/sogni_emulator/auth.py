"""Accounts, API keys and JWT sessions (wire reference 01 §1.3, §6.2, §6.3).

Credentials accepted:

* ``api-key: <key>`` header on the socket upgrade and on REST calls;
* ``Authorization: <JWT>`` (raw, no ``Bearer``; a ``Bearer`` prefix is
  tolerated) issued by ``POST /v1/account/login`` or ``/v1/account/create``.

Login (01 §6.2.2) is verified like a real server: ``/v1/account/nonce`` issues
a random nonce per wallet (a new request replaces the old one); ``/login``
takes that nonce out (single use, also when the attempt fails), rebuilds the
EIP-712 ``Authentication{walletAddress, nonce}`` digest under the domain this
instance expects (:attr:`AuthService.testnet`: mainnet ``Sogni AI``/8453 by
default, as both SDKs sign unless ``testnet`` is set; §6.2.3), recovers the
signer (pure Python, :mod:`sogni_emulator.eip712`) and requires it to be the
request's ``walletAddress``. A wallet without an account gets one on the fly
unless :attr:`AuthService.register_on_login` is off. The ``Signup`` signature
of ``/v1/account/create`` is not verified (only its nonce is consumed).
Tokens are HMAC-SHA256 JWTs whose payload carries ``exp`` (01 §1.3.3 only
needs it to decode). Secrets never appear in reprs, logs or error messages.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .eip712 import MAINNET_DOMAIN, TESTNET_DOMAIN, recover_authentication_signer
from .entitlement import Subscription

__all__ = ["Account", "AuthService", "Principal", "format_amount"]

DEV_API_KEY = "sogni-dev-key"


def format_amount(value: Decimal) -> str:
    """Render a balance the way the server does: plain decimal string, no exponent."""
    text = format(value.normalize(), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


@dataclass
class Balance:
    """One token's account balance (01 §2.4.2)."""

    settled: Decimal
    credit: Decimal = Decimal(0)
    debit: Decimal = Decimal(0)
    premium_credit: Decimal = Decimal(0)

    @property
    def net(self) -> Decimal:
        return self.settled + self.credit - self.debit

    def as_wire(self, *, spark: bool, rest: bool) -> dict[str, str]:
        out = {
            "settled": format_amount(self.settled),
            "credit": format_amount(self.credit),
            "debit": format_amount(self.debit),
            "net": format_amount(self.net),
        }
        if spark:
            out["premiumCredit"] = format_amount(self.premium_credit)
        if rest:
            out["relaxedUnclaimed"] = "0"
            out["fastUnclaimed"] = "0"
        return out


@dataclass
class Account:
    """One emulated artist account."""

    id: str
    username: str
    address: str
    email: str
    sid: int
    sogni: Balance
    spark: Balance
    subscription: Subscription | None = None

    def balances(self, *, rest: bool = False) -> dict[str, dict[str, str]]:
        """The ``balanceUpdate`` payload (or ``/v4/account/balance`` data when ``rest``)."""
        return {
            "sogni": self.sogni.as_wire(spark=False, rest=rest),
            "spark": self.spark.as_wire(spark=True, rest=rest),
        }

    def debit(self, token_type: str, amount: Decimal) -> None:
        """Charge a finished job to the account."""
        (self.spark if token_type == "spark" else self.sogni).debit += amount


@dataclass(frozen=True)
class Principal:
    """Who a request or connection authenticated as."""

    account: Account
    method: str  # "api-key" | "token"

    def __repr__(self) -> str:
        return f"Principal(account={self.account.username!r}, method={self.method!r})"


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class AuthService:
    """API keys, accounts, nonces and tokens of one emulator instance."""

    api_keys: list[str] = field(repr=False)
    starting_balance: dict[str, str] = field(repr=False)
    access_ttl: float = 3600.0
    refresh_ttl: float = 2592000.0
    #: Which EIP-712 domain login signatures must use (01 §6.2.3).
    testnet: bool = False
    #: Give an unknown wallet an account at login (``False``: 401, see ``login_error``).
    register_on_login: bool = True
    _secret: bytes = field(default_factory=lambda: secrets.token_bytes(32), repr=False)
    _accounts: dict[str, Account] = field(default_factory=dict, repr=False)
    _by_key: dict[str, Account] = field(default_factory=dict, repr=False)
    _nonces: dict[str, str] = field(default_factory=dict, repr=False)
    _revoked: set[str] = field(default_factory=set, repr=False)

    def __post_init__(self) -> None:
        if not self.api_keys:
            self.api_keys = [DEV_API_KEY]
        default = self.new_account("emulator-artist", "0x" + "5e" * 20, "artist@example.invalid")
        for key in self.api_keys:
            self._by_key[key] = default

    # -- accounts -----------------------------------------------------------------

    def new_account(self, username: str, address: str, email: str) -> Account:
        """Create (or return the existing) account for a wallet address."""
        for account in self._accounts.values():
            if account.address.lower() == address.lower():
                return account
        sid = len(self._accounts) + 1001
        account = Account(
            id=hashlib.sha256(address.lower().encode()).hexdigest()[:24],
            username=username,
            address=address,
            email=email,
            sid=sid,
            sogni=Balance(settled=Decimal(self.starting_balance.get("sogni", "0"))),
            spark=Balance(
                settled=Decimal(self.starting_balance.get("spark", "0")),
                premium_credit=Decimal(self.starting_balance.get("premiumCredit", "0")),
            ),
        )
        self._accounts[account.id] = account
        return account

    def account_for_wallet(self, address: str) -> Account | None:
        for account in self._accounts.values():
            if account.address.lower() == address.lower():
                return account
        return None

    @property
    def default_account(self) -> Account:
        return self._by_key[self.api_keys[0]]

    # -- credentials --------------------------------------------------------------

    def authenticate_headers(self, headers: dict[str, str]) -> Principal | None:
        """Resolve ``api-key`` or ``Authorization`` headers (lower-cased names).

        Returns:
            The principal, or ``None`` when no credential is present or it is
            not valid (unknown key, bad/expired/revoked token).
        """
        key = headers.get("api-key")
        if key is not None:
            account = self._by_key.get(key)
            return None if account is None else Principal(account, "api-key")
        token = headers.get("authorization")
        if token is not None:
            if token.lower().startswith("bearer "):
                token = token[7:]
            claims = self.verify_token(token.strip(), "access")
            if claims is None:
                return None
            account = self._accounts.get(str(claims.get("sub")))
            return None if account is None else Principal(account, "token")
        return None

    def has_credentials(self, headers: dict[str, str]) -> bool:
        return "api-key" in headers or "authorization" in headers

    def issue_nonce(self, address: str) -> str:
        """A fresh login nonce for a wallet; it replaces any earlier one (01 §6.2.2)."""
        nonce = secrets.token_hex(16)
        self._nonces[address.lower()] = nonce
        return nonce

    def consume_nonce(self, address: str) -> bool:
        """Take a wallet's nonce out; ``False`` if it had none."""
        return self._nonces.pop(address.lower(), None) is not None

    def login_error(self, address: str, signature: str) -> str | None:
        """Check a ``/v1/account/login`` request; the wallet's nonce is used up either way.

        Args:
            address: The request's ``walletAddress``.
            signature: The request's ``signature`` (hex ``r‖s‖v``).

        Returns:
            ``None`` when ``signature`` is an EIP-712 ``Authentication`` signature,
            by ``address``'s key, over ``{walletAddress: address, nonce}`` with the
            nonce issued for that wallet, under the expected domain (and, if
            :attr:`register_on_login` is off, the wallet has an account);
            otherwise the error message for the 401 answer. The message never
            contains the signature or the nonce.
        """
        nonce = self._nonces.pop(address.lower(), None)
        if nonce is None:
            return "Invalid or expired nonce"
        domain = TESTNET_DOMAIN if self.testnet else MAINNET_DOMAIN
        signer = recover_authentication_signer(signature, address, nonce, domain)
        if signer is None or signer.lower() != address.lower():
            return "Invalid signature"
        if not self.register_on_login and self.account_for_wallet(address) is None:
            return "Wallet not registered"
        return None

    def _sign(self, claims: dict[str, Any]) -> str:
        header = _b64url(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())
        payload = _b64url(json.dumps(claims, separators=(",", ":")).encode())
        signing_input = f"{header}.{payload}".encode()
        signature = _b64url(hmac.new(self._secret, signing_input, hashlib.sha256).digest())
        return f"{header}.{payload}.{signature}"

    def issue_tokens(self, account: Account) -> dict[str, str]:
        """A fresh ``{token, refreshToken}`` pair for an account."""
        now = int(time.time())
        jti = secrets.token_hex(8)
        token = self._sign(
            {
                "addr": account.address,
                "env": "emulator",
                "iat": now,
                "exp": now + int(self.access_ttl),
                "sub": account.id,
                "typ": "access",
                "jti": jti,
            }
        )
        refresh = self._sign(
            {
                "type": "refresh",
                "env": "emulator",
                "iat": now,
                "exp": now + int(self.refresh_ttl),
                "sub": account.id,
                "typ": "refresh",
                "jti": jti,
            }
        )
        return {"token": token, "refreshToken": refresh}

    def verify_token(self, token: str, kind: str) -> dict[str, Any] | None:
        """Check a JWT's signature, kind, expiry and revocation; return its claims."""
        parts = token.split(".")
        if len(parts) != 3:
            return None
        expected = _b64url(
            hmac.new(self._secret, f"{parts[0]}.{parts[1]}".encode(), hashlib.sha256).digest()
        )
        if not hmac.compare_digest(expected, parts[2]):
            return None
        try:
            claims = json.loads(_b64url_decode(parts[1]))
        except ValueError:
            return None
        if not isinstance(claims, dict) or claims.get("typ") != kind:
            return None
        if float(claims.get("exp", 0)) <= time.time() or claims.get("jti") in self._revoked:
            return None
        return claims

    def refresh(self, refresh_token: str) -> dict[str, str] | None:
        """Rotate a refresh token; the old pair is revoked."""
        claims = self.verify_token(refresh_token, "refresh")
        if claims is None:
            return None
        account = self._accounts.get(str(claims.get("sub")))
        if account is None:
            return None
        self._revoked.add(str(claims.get("jti")))
        return self.issue_tokens(account)

    def logout(self, headers: dict[str, str]) -> bool:
        """Revoke the session of an ``Authorization`` header; ``False`` if none."""
        token = headers.get("authorization")
        if not token:
            return False
        if token.lower().startswith("bearer "):
            token = token[7:]
        claims = self.verify_token(token.strip(), "access")
        if claims is None:
            return False
        self._revoked.add(str(claims.get("jti")))
        return True
