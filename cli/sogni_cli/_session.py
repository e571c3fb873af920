"""Credentials, the optional in-process emulator, and the connected client.

Credentials are resolved in this order: ``--local`` (an emulator started in
this process; ``--api-key`` then names the key it accepts), ``--api-key``,
``--username`` (password from ``--password``, ``SOGNI_PASSWORD`` or a
prompt), then the environment: ``SOGNI_API_KEY``, ``SOGNI_USERNAME``. No secret is ever printed,
logged or put in an exception message: errors name the option, never its
value.
"""

from __future__ import annotations

import getpass
import os
import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import TYPE_CHECKING, Any

from sogni_core.protocol._errors import InvalidParamsError, SogniError

if TYPE_CHECKING:
    from sogni_sync import SogniClient

__all__ = ["CredentialsError", "Credentials", "open_client", "resolve_credentials"]

ENV_API_KEY = "SOGNI_API_KEY"
ENV_USERNAME = "SOGNI_USERNAME"
ENV_PASSWORD = "SOGNI_PASSWORD"


class CredentialsError(SogniError):
    """No usable credentials were given (exit status 2)."""


class Credentials:
    """What the client logs in with; the secrets stay out of the repr."""

    __slots__ = ("api_key", "password", "username")

    def __init__(
        self,
        *,
        api_key: str | None = None,
        username: str | None = None,
        password: str | None = None,
    ) -> None:
        self.api_key = api_key
        self.username = username
        self.password = password

    def __repr__(self) -> str:
        kind = "api_key" if self.api_key else "login" if self.username else "none"
        return f"Credentials({kind})"

    def client_kwargs(self) -> dict[str, Any]:
        """The credential keywords for ``SogniClient``."""
        if self.api_key:
            return {"api_key": self.api_key}
        return {"username": self.username, "password": self.password}


def _prompt_password(username: str) -> str:
    if not sys.stdin or not sys.stdin.isatty():
        raise CredentialsError(
            f"--username: no password; set {ENV_PASSWORD} or pass --password "
            "(no terminal to prompt on)"
        )
    return getpass.getpass(f"Sogni password for {username}: ")


def resolve_credentials(args: Any) -> Credentials:
    """Pick the credentials for a remote Supernet from the options and environment.

    Args:
        args: the parsed options (``api_key``, ``username``, ``password``).

    Returns:
        The :class:`Credentials`.

    Raises:
        CredentialsError: none given, or conflicting ones.
    """
    if args.username and args.api_key:
        raise CredentialsError("--api-key: give either --api-key or --username, not both")
    env_key = os.environ.get(ENV_API_KEY) or None
    env_user = os.environ.get(ENV_USERNAME) or None
    # explicit options first, then the environment (an API key before a login)
    if args.api_key:
        username = None
    elif args.username:
        username = args.username
    elif not env_key:
        username = env_user
    else:
        username = None
    if username:
        password = args.password or os.environ.get(ENV_PASSWORD) or _prompt_password(username)
        if not password:
            raise CredentialsError("--password: empty password")
        return Credentials(username=username, password=password)
    if args.password:
        raise CredentialsError("--password: needs --username")
    api_key = args.api_key or env_key
    if api_key:
        return Credentials(api_key=api_key)
    raise CredentialsError(
        "no credentials: set SOGNI_API_KEY (or pass --api-key KEY), or use --username "
        "with SOGNI_PASSWORD; to try sogni without an account add --local "
        "(runs a local emulator in this process)"
    )


def _socket_from_rest(url: str) -> str:
    if url.startswith("https://"):
        return "wss://" + url[len("https://") :]
    if url.startswith("http://"):
        return "ws://" + url[len("http://") :]
    return url


@contextmanager
def open_client(args: Any, *, network: str | None = None) -> Iterator[SogniClient]:
    """Connect a blocking client (and, with ``--local``, start the emulator first).

    Args:
        args: the parsed global options.
        network: ``fast``/``relaxed`` override for this command.

    Yields:
        The connected ``sogni_sync.SogniClient``; it and the emulator are
        closed when the block exits.

    Raises:
        CredentialsError: no usable credentials.
        InvalidParamsError: conflicting options.
        ConnectionClosedError, TimeoutError, TransportError: no connection.
    """
    from sogni_sync import SogniClient

    from sogni_core.protocol.rest import DEFAULT_REST_BASE, DEFAULT_SOCKET_URL

    with ExitStack() as stack:
        if args.local:
            if args.endpoint or args.socket_endpoint:
                raise InvalidParamsError(
                    "endpoint", "--local runs its own Supernet; drop --endpoint"
                )
            if args.username:
                raise InvalidParamsError("username", "--local accepts an API key, not a login")
            from sogni_emulator import Emulator

            emu = stack.enter_context(
                Emulator.run_in_thread(
                    port=0,
                    seed=args.local_seed,
                    api_keys=[args.api_key] if args.api_key else None,
                )
            )
            credentials = Credentials(api_key=emu.api_key)
            rest, socket = emu.rest_url, emu.socket_url
        else:
            credentials = resolve_credentials(args)
            rest = args.endpoint or DEFAULT_REST_BASE
            if args.socket_endpoint:
                socket = args.socket_endpoint
            elif args.endpoint:
                socket = _socket_from_rest(args.endpoint)
            else:
                socket = DEFAULT_SOCKET_URL
        client = SogniClient(
            app_id=args.app_id,
            network=network or "fast",
            rest_endpoint=rest,
            socket_endpoint=socket,
            connect_timeout=args.connect_timeout,
            **credentials.client_kwargs(),
        )
        stack.callback(client.close)
        try:
            client.connect()
        except TimeoutError:
            raise TimeoutError(
                f"no answer from {socket} within {args.connect_timeout:g} s "
                "(check --endpoint/--socket-endpoint and the network)"
            ) from None
        yield client
