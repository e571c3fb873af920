"""The public in-process API: :class:`Emulator`.

Async::

    async with Emulator(port=0, seed=0) as emu:
        ...  # emu.rest_url, emu.socket_url, emu.api_key

Blocking code and pytest::

    with Emulator.run_in_thread(seed=0) as emu:
        ...

The thread variant runs the asyncio server on a private event loop in a
daemon thread; its control methods (``inject``, ``set_workers``,
``restart``...) are safe to call from the calling thread.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import Any

from .auth import AuthService
from .catalogue import load_catalogue
from .clock import SimClock
from .faults import FaultPlan
from .record import Recorder
from .server import Server
from .store import ObjectStore
from .supernet import Supernet

__all__ = ["Emulator"]


class Emulator:
    """A local Supernet: REST and socket on one port (optionally a second socket port).

    Args:
        host: interface to bind; keep the default ``127.0.0.1``.
        port: TCP port, ``0`` picks a free one.
        socket_port: also serve on this port (the ready line's ``socket=`` URL).
        api_keys: accepted API keys; the first is ``api_key``. Default
            ``["sogni-dev-key"]``.
        seed: makes ids, seeds, worker names and replies reproducible.
        speed: multiplies every simulated delay (``1`` = fast; larger is slower).
        faults: a fault spec (see :mod:`sogni_emulator.faults`).
        record: path of a JSON-lines recording (see :mod:`sogni_emulator.record`).
        owner_grace: seconds workers wait for an offline project owner.
        slots: projects rendering at once per network (default from
            ``limits.toml``: fast 4, relaxed 2); more wait in the queue.
        blocked_app_ids: appIds refused with close code 4010 (01 §1.5).
        access_token_ttl: lifetime of login access tokens in seconds (default
            from ``limits.toml``, 1 h); short values exercise client refresh.
        testnet: expect login signatures over the testnet EIP-712 domain
            (``Sogni-testnet``, chain 84532) instead of mainnet's (01 §6.2.3).
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        socket_port: int | None = None,
        api_keys: list[str] | None = None,
        seed: int = 0,
        speed: float = 1.0,
        faults: str = "",
        record: str | Path | None = None,
        owner_grace: float = 10.0,
        slots: dict[str, int] | None = None,
        blocked_app_ids: list[str] | None = None,
        access_token_ttl: float | None = None,
        testnet: bool = False,
    ) -> None:
        catalogue = load_catalogue()
        limits = catalogue.limits
        if slots:
            queue = limits.setdefault("queue", {})
            for network, count in slots.items():
                queue[f"{network}_slots"] = int(count)
        auth_limits = limits.get("auth", {})
        store_limits = limits.get("store", {})
        self.clock = SimClock()
        self.faults = FaultPlan(faults)
        self.recorder = Recorder(record)
        self.store = ObjectStore(
            self.clock,
            upload_ttl=float(store_limits.get("upload_url_ttl_s", 3600)),
            download_ttl=float(store_limits.get("download_url_ttl_s", 86400)),
            retention=float(store_limits.get("object_retention_s", 86400)),
        )
        self.auth = AuthService(
            list(api_keys or []),
            dict(limits.get("balance", {})),
            access_ttl=float(
                access_token_ttl
                if access_token_ttl is not None
                else auth_limits.get("access_token_ttl_s", 3600)
            ),
            refresh_ttl=float(auth_limits.get("refresh_token_ttl_s", 2592000)),
        )
        self.auth.testnet = testnet
        self.supernet = Supernet(
            catalogue=catalogue,
            auth=self.auth,
            store=self.store,
            clock=self.clock,
            faults=self.faults,
            recorder=self.recorder,
            seed=seed,
            speed=speed,
            owner_grace=owner_grace,
            blocked_app_ids=set(blocked_app_ids or ()),
        )
        self._server = Server(self.supernet, host, port, socket_port)
        self._loop: asyncio.AbstractEventLoop | None = None

    # -- addresses ---------------------------------------------------------------

    @property
    def host(self) -> str:
        return self._server.host

    @property
    def port(self) -> int:
        return self._server.port

    @property
    def rest_url(self) -> str:
        return f"http://{self.host}:{self._server.port}"

    @property
    def socket_url(self) -> str:
        return f"ws://{self.host}:{self._server.socket_port}"

    @property
    def api_key(self) -> str:
        return self.auth.api_keys[0]

    def ready_line(self) -> str:
        """The one line the CLI prints once listening."""
        return (
            f"sogni-emulator ready rest={self.rest_url} socket={self.socket_url} "
            f"api_key={self.api_key}"
        )

    # -- lifecycle ------------------------------------------------------------------

    async def start(self) -> None:
        """Bind and start serving."""
        self._loop = asyncio.get_running_loop()
        await self._server.start()
        self.store.base_url = self.rest_url

    async def stop(self) -> None:
        """Stop serving, cancel work, close the recording."""
        await self.supernet.shutdown()
        await self._server.stop()
        self.recorder.close()

    async def __aenter__(self) -> Emulator:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    @classmethod
    @contextmanager
    def run_in_thread(cls, **kwargs: Any) -> Iterator[Emulator]:
        """Run an emulator on a background event loop for blocking callers.

        Args:
            **kwargs: as for :class:`Emulator`.

        Yields:
            The started emulator; it stops when the block exits.
        """
        emulator = cls(**kwargs)
        loop = asyncio.new_event_loop()
        started = threading.Event()
        failure: list[BaseException] = []

        def runner() -> None:
            asyncio.set_event_loop(loop)
            try:
                loop.run_until_complete(emulator.start())
            except BaseException as exc:  # surfaced to the caller below
                failure.append(exc)
                started.set()
                return
            started.set()
            loop.run_forever()

        thread = threading.Thread(target=runner, name="sogni-emulator", daemon=True)
        thread.start()
        started.wait()
        if failure:
            loop.close()
            raise failure[0]
        try:
            yield emulator
        finally:
            asyncio.run_coroutine_threadsafe(emulator.stop(), loop).result(timeout=10)
            loop.call_soon_threadsafe(loop.stop)
            thread.join(timeout=10)
            loop.close()

    # -- control (thread-safe) ---------------------------------------------------------

    def _call(self, coro: Any) -> Any:
        """Run a coroutine on the emulator loop from any thread."""
        loop = self._loop
        if loop is None:
            raise RuntimeError("emulator not started")
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            return asyncio.ensure_future(coro)
        return asyncio.run_coroutine_threadsafe(coro, loop).result(timeout=30)

    def inject(self, spec: str) -> None:
        """Arm faults at run time (same syntax as ``--faults``)."""
        self.faults.add(spec)

    def clear_faults(self) -> None:
        self.faults.clear()

    def advance_clock(self, seconds: float) -> None:
        """Jump the simulated clock (signed URL and object expiry)."""
        self.clock.advance(seconds)

    def set_workers(self, model_id: str, network: str, count: int) -> Any:
        """Override a model's worker count and broadcast new ``swarmModels``."""
        self.supernet.catalogue.worker_overrides[(model_id, network)] = count
        return self._call(self.supernet.broadcast_models())

    def restart(self, code: int = 1012) -> Any:
        """Close every socket as a restart would; in-flight projects continue."""
        return self._call(self.supernet.restart(code))

    def close_connections(self, code: int, reason: str = "") -> Any:
        """Close every socket with a code (4015, 4021, 1001...)."""
        return self._call(self.supernet.close_all(code, reason))

    def drop_connections(self) -> None:
        """Abort every socket without a close frame."""
        loop = self._loop
        if loop is None:
            raise RuntimeError("emulator not started")
        loop.call_soon_threadsafe(self.supernet.drop_all)

    def set_balance(self, token_type: str, amount: str) -> None:
        """Set the settled balance of the API-key account (``sogni`` or ``spark``)."""
        from decimal import Decimal

        account = self.auth.default_account
        balance = account.spark if token_type == "spark" else account.sogni
        balance.settled, balance.credit, balance.debit = Decimal(amount), Decimal(0), Decimal(0)

    def set_subscription(
        self, tier: str | None, *, status: str = "active", term: str = "monthly"
    ) -> Any:
        """Give the API-key account a subscription (``None`` removes it) and push
        ``subscriptionEntitlementUpdated`` (01 §2.4.15) to its connections.

        Args:
            tier: e.g. ``"unlimited"`` or ``"unlimited_pro"``; ``None`` for no plan.
            status: producer status: ``active``, ``trialing``, ``grace``,
                ``cancelled``, ``expired``...
            term: ``monthly`` or ``annual``.
        """
        from .entitlement import Subscription

        account = self.auth.default_account
        previous = account.subscription
        version = (previous.version if previous is not None else 0) + 1
        if tier is None:
            account.subscription = None
        else:
            now = self.clock.now_ms()
            account.subscription = Subscription(
                tier=tier,
                term=term,
                status=status,
                period_start_ms=now,
                period_end_ms=now + 30 * 86_400_000,
                version=version,
            )
        return self._call(self.supernet.send_entitlement(account.id))

    def job_request(self, project_id: str) -> dict[str, Any] | None:
        """The ``jobRequest`` payload a client sent for a project, as received."""
        run = self.supernet.projects.get(project_id.upper())
        return None if run is None else run.request

    def project(self, project_id: str) -> dict[str, Any] | None:
        """The RawProject record of any project (finished or not), or ``None``."""
        run = self.supernet.projects.get(project_id.upper())
        return None if run is None else self.supernet.raw_project(run)
