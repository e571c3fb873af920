"""The public client: ``SogniClient``, ``client.projects``, ``client.account``.

Written once for asyncio; ``tools/unasync.py`` generates the trio copy (same
code, trio backend) and the blocking copy (``async``/``await`` removed,
threads backend). All protocol decisions live in the sans-IO core; this module
routes the core's app events to :class:`~._project.Project` objects.
"""

from __future__ import annotations

import io
import logging
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar

import msgspec

from sogni_core.client import (
    ClientClosedError,
    ConnectTimeoutError,
    TransportError,
    file_media,
    replace_media,
    upload_plan,
    uuid4_upper,
)
from sogni_core.client import project_spec as make_project_spec
from sogni_core.protocol._errors import (
    ConnectionClosedError,
    InvalidParamsError,
)
from sogni_core.protocol.jobrequest import (
    AudioProjectParams,
    ImageProjectParams,
    MediaInput,
    ProjectParams,
    VideoProjectParams,
)
from sogni_core.protocol.rest import DEFAULT_REST_BASE, DEFAULT_SOCKET_URL, Hosts, TokenSession
from sogni_core.state import events as ev
from sogni_core.state.connection import SogniConnection
from sogni_core.state.session import ReconnectPolicy

from . import _backend as backend
from ._driver import Driver
from ._project import Project, dispatch, download_results, record_result_urls
from ._rest import RestClient, unit_random

if TYPE_CHECKING:
    import httpx

    from sogni_core.client import JobResult
    from sogni_core.protocol._generated.rest import (
        AccountBalance,
        AccountMe,
        LoraCatalog,
        ProjectRecord,
        ProjectRecordData,
        ProjectStatusData,
        ProjectStatusSnapshot,
        RewardsData,
        SizePreset,
    )
    from sogni_core.protocol.jobrequest import ModelOptions
    from sogni_core.protocol.rest import CostEstimate, VideoEstimateOptions

    from ._chat import Chat
    from ._workflows import Workflows

__all__ = ["Account", "Projects", "SogniClient"]

log = logging.getLogger("sogni.client")

E = TypeVar("E", bound=ev.Event)


class Projects:
    """``client.projects``: models, presets, estimates, project creation and
    look-ups by id."""

    def __init__(self, client: SogniClient) -> None:
        self._client = client
        self._models: dict[str, int] = {}
        self._models_ready = backend.Event()
        self._catalogue: list[Mapping[str, Any]] | None = None
        self._tiers: Mapping[str, Mapping[str, Any]] | None = None
        self._catalogue_lock = backend.CoreLock()
        self._catalogue_done: backend.Event | None = None

    def __repr__(self) -> str:
        return f"Projects(available_models={len(self._models)})"

    @property
    def available_models(self) -> dict[str, int]:
        """Model id -> online worker count, from the last ``swarmModels``."""
        return dict(self._models)

    def _on_swarm(self, models: Mapping[str, int]) -> None:
        self._models = dict(models)
        self._models_ready.set()

    async def wait_for_models(self, timeout: float = 30.0) -> dict[str, int]:
        """Wait until the server has announced the available models.

        Raises:
            TimeoutError: none arrived within ``timeout`` seconds.
        """
        if not await backend.wait_event(self._models_ready, timeout):
            raise TimeoutError("no swarmModels received")
        return self.available_models

    async def _load_catalogue(self) -> tuple[list[Mapping[str, Any]], Mapping[str, Any]]:
        # One shared in-flight fetch: concurrent creates wait for it instead of
        # each fetching the catalogue (a thundering herd under load). If the
        # fetch fails, its caller raises and a waiter tries once more itself.
        while self._catalogue is None or self._tiers is None:
            with self._catalogue_lock:
                running = self._catalogue_done
                if running is None:
                    self._catalogue_done = backend.Event()
            if running is not None:
                await backend.wait_event(running, 60.0)
                continue
            try:
                rest = self._client._rest
                catalogue = list(msgspec.to_builtins(await rest.call("models_list")))
                self._tiers = dict(msgspec.to_builtins(await rest.call("models_tiers")))
                self._catalogue = catalogue
            finally:
                done, self._catalogue_done = self._catalogue_done, None
                if done is not None:
                    done.set()
        return self._catalogue, self._tiers

    async def model_catalogue(self) -> list[Mapping[str, Any]]:
        """The ``/api/v1/models/list`` entries (cached for the client's life)."""
        return (await self._load_catalogue())[0]

    async def model_options(self, model_id: str) -> ModelOptions:
        """The parameter options (steps, guidance, samplers...) of a model.

        Raises:
            InvalidParamsError: unknown model or tier (field ``model_id``).
        """
        from sogni_core.protocol.jobrequest import model_options_for

        models, tiers = await self._load_catalogue()
        return model_options_for(model_id, models, tiers)

    async def size_presets(
        self, model_id: str, network: str | None = None
    ) -> tuple[SizePreset, ...]:
        """The size presets of a model on a network (01 §5.4).

        Args:
            model_id: the model.
            network: ``fast`` or ``relaxed``; the connection's network by default.

        Returns:
            The presets, in the server's order.

        Raises:
            ApiStatusError: the server refused (e.g. an unknown model).
        """
        presets: tuple[SizePreset, ...] = await self._client._rest.call(
            "size_presets",
            path_params={"network": network or self._client.network, "modelId": model_id},
        )
        return presets

    async def lora_catalog(self) -> LoraCatalog:
        """The LoRA catalogue (``/v1/loras/comfy``, 01 §5.8)."""
        catalog: LoraCatalog = await self._client._rest.call("loras_comfy")
        return catalog

    async def estimate_cost(
        self, params: ProjectParams, *, video_options: VideoEstimateOptions | None = None
    ) -> CostEstimate:
        """Estimate a project's cost without creating it (01 §5.7; TS 5.54.0 parity).

        The core's :func:`sogni_core.protocol.rest.build_estimate` decides the
        endpoint (image v2, or v3 with a sampler or context images; video;
        audio), its segments and query; the model's size presets (a
        ``size_preset`` other than ``custom``) and options (a ``sampler``) are
        fetched only when it needs them. A project that pins no network is
        quoted on the connection's network.

        Args:
            params: the project, as for :meth:`create` (media are not read).
            video_options: estimate-only facts of a video project (FlashVSR
                source size, reference counts, ``has_video_input``).

        Returns:
            The typed :class:`~sogni_core.protocol.rest.CostEstimate`
            (``Decimal`` amounts, benchmark seconds, daily fair-use share).

        Raises:
            InvalidParamsError: a parameter breaks a rule (before any request;
                an unknown size preset after the preset look-up).
            ApiStatusError: the server refused the estimate.
        """
        from sogni_core.protocol.rest import (
            build_estimate,
            estimate_inputs,
            parse_cost_estimate,
        )

        network = self._client.network
        # Every rule that needs no look-up is checked before the first request.
        inputs = estimate_inputs(params, network=network, video_options=video_options)
        presets = None
        options = None
        if inputs.size_presets:
            presets = await self.size_presets(params.model_id, network=inputs.network)
        if inputs.model_options:
            options = await self.model_options(params.model_id)
        call = build_estimate(
            params,
            network=network,
            size_presets=presets,
            model_options=options,
            video_options=video_options,
        )
        return parse_cost_estimate(
            await self._client._rest.call(
                call.endpoint, path_params=call.path_params, query=call.query
            )
        )

    async def estimate_enhancement_cost(
        self, strength: str, token_type: str = "spark"
    ) -> CostEstimate:
        """Estimate enhancing one image (TS ``estimateEnhancementCost``, 01 §5.7.1).

        Args:
            strength: ``light``, ``medium`` or ``heavy``.
            token_type: ``spark`` (default) or ``sogni``.

        Returns:
            The :class:`~sogni_core.protocol.rest.CostEstimate`.

        Raises:
            InvalidParamsError: an unknown strength or token type (before any request).
            ApiStatusError: the server refused the estimate.
        """
        from sogni_core.protocol.rest import (
            build_enhancement_estimate,
            parse_cost_estimate,
        )

        call = build_enhancement_estimate(strength, token_type=token_type)
        return parse_cost_estimate(
            await self._client._rest.call(
                call.endpoint, path_params=call.path_params, query=call.query
            )
        )

    async def _read_media(self, field: str, value: Any) -> bytes | MediaInput:
        try:
            if isinstance(value, (str, os.PathLike)):
                return await backend.read_file(Path(value))
            if isinstance(value, (bytearray, memoryview)):
                return bytes(value)
            if isinstance(value, io.IOBase) or hasattr(value, "read"):
                data = await backend.run_sync(value.read)
                if isinstance(data, str):
                    raise InvalidParamsError(field, "file objects must be opened in binary mode")
                return bytes(data)
        except OSError as exc:
            raise InvalidParamsError(field, f"cannot read the file: {type(exc).__name__}") from exc
        raise InvalidParamsError(field, f"unsupported media value {type(value).__name__}")

    async def create(self, params: ProjectParams) -> Project:
        """Validate, upload the media, and submit a project (01 §4.2).

        Media values may be ``bytes``, a :class:`MediaInput`, a path
        (``str``/``Path``) or a binary file object; files are read in a worker
        thread. Validation runs before any network I/O (the model catalogue
        is prefetched when the client connects).

        Returns:
            The :class:`Project`; ``await project.wait()`` for the results.

        Raises:
            InvalidParamsError: a parameter breaks a rule (``field`` names it).
            ApiStatusError: an upload failed.
        """
        if not isinstance(params, (ImageProjectParams, VideoProjectParams, AudioProjectParams)):
            raise InvalidParamsError("params", "must be Image/Video/AudioProjectParams")
        client = self._client
        client._check_open()
        replacements = {
            (name, index): await self._read_media(
                name if index is None else f"{name}[{index}]", value
            )
            for name, index, value in file_media(params)
        }
        if replacements:
            params = replace_media(params, replacements)
        options = await self.model_options(params.model_id)
        project_id = uuid4_upper(os.urandom(16))
        # The builder and its family tables load on the first create().
        from sogni_core.protocol.jobrequest import build_job_request

        payload = build_job_request(
            params,
            project_id=project_id,
            model_options=options,
            default_app_source=client.app_source,
        )
        for item in upload_plan(params):
            await client._rest.upload(item, project_id, lambda: uuid4_upper(os.urandom(16)))
        spec = make_project_spec(params, payload, project_id=project_id, network=client.network)
        project = Project(client, project_id, params)
        client._projects[project_id] = project
        client._driver.call(client._conn.send_job_request, spec, payload)
        log.debug("project %s submitted", project_id)
        return project

    async def status(self, project_id: str) -> ProjectStatusSnapshot:
        """The current state of one of this account's projects, also while it
        is still queued or rendering (``GET /v2/projects/{id}``, TS 5.54.0
        ``getStatus``). Works for a project id saved by an earlier process.

        Args:
            project_id: the project id (``project.id``, a UUID; any case).

        Returns:
            A :class:`~sogni_core.protocol._generated.rest.ProjectStatusSnapshot`:
            ``id``, ``status`` (a ``ProjectLookupStatus``: pending, queued,
            processing, completed, failed, canceled), ``finished``,
            ``worker_jobs`` and ``completed_worker_jobs``; the other record
            fields (``model``, ``image_count``, ``cost_actual``...) are ``None``
            while the server has not stored them.

        Raises:
            InvalidParamsError: ``project_id`` is empty or not a UUID (field
                ``project_id``), before any request.
            ApiStatusError: ``status`` 404 for an unknown project or another
                account's; 503 when the server cannot tell yet (retryable,
                after the client's own retries).
            RemoteProtocolError: the answer lacks the documented shape.
        """
        path = {"projectId": _project_id(project_id)}
        data: ProjectStatusData = await self._client._rest.call("project_status", path_params=path)
        return data.project

    async def get(self, project_id: str) -> ProjectRecord:
        """The stored record of a finished project (``GET /v1/projects/{id}``,
        01 §4.11): its jobs with workers, seeds, result URLs or keys, and costs.

        Args:
            project_id: the project id (``project.id``, a UUID; any case).

        Returns:
            A :class:`~sogni_core.protocol._generated.rest.ProjectRecord`
            (``status`` is the server's ``RawProjectStatus``).

        Raises:
            InvalidParamsError: ``project_id`` is empty or not a UUID (field
                ``project_id``), before any request.
            ApiStatusError: ``status`` 404 for an unknown project, and for a
                project that has not finished yet (use :meth:`status`).
            RemoteProtocolError: the answer lacks the documented shape.
        """
        path = {"projectId": _project_id(project_id)}
        data: ProjectRecordData = await self._client._rest.call("project_get", path_params=path)
        return data.project

    async def _record(self, project: str | ProjectRecord) -> ProjectRecord:
        from sogni_core.protocol._generated.rest import ProjectRecord

        if isinstance(project, ProjectRecord):
            return project
        if isinstance(project, str):
            return await self.get(project)
        raise InvalidParamsError("project", "must be a project id or a ProjectRecord")

    async def result_urls(self, project: str | ProjectRecord) -> list[JobResult]:
        """Where the results of a finished project are, one entry per job.

        Each completed job's direct URL, or a signed URL minted for its key
        with the live path's request (the core's ``record_results`` decides);
        jobs without media are reported, not skipped.

        Args:
            project: a project id (a UUID; any case), or the
                :class:`~sogni_core.protocol._generated.rest.ProjectRecord`
                that :meth:`get` returned.

        Returns:
            A :class:`sogni_core.client.JobResult` per job: ``outcome``
            (``completed``, ``withheld``, ``canceled``, ``failed``,
            ``unfinished``), ``url`` (set for every completed job; signed URLs
            expire), ``reason``, ``media``, ``extension``.

        Raises:
            InvalidParamsError: ``project`` is not a UUID string nor a record
                (field ``project_id``/``project``), before any request.
            ApiStatusError: 404 for an unknown project, or one not finished
                yet (use :meth:`status`); a refused download-URL request.
            RemoteProtocolError: an answer lacks the documented shape.
        """
        return await record_result_urls(self, await self._record(project))

    async def download(
        self, project: str | ProjectRecord, folder: str | os.PathLike[str]
    ) -> list[Path]:
        """Stream the results of a finished project into ``folder``.

        As ``project.download(folder)`` streams and names them:
        ``<project id>_<job id>.<ext>`` (the job's output format, else by
        media). Jobs without media are left out (see :meth:`result_urls`).

        Args:
            project: a project id or the record :meth:`get` returned.
            folder: the target folder (created if needed).

        Returns:
            The written paths, in job order.

        Raises:
            InvalidParamsError: ``project`` is not a UUID string nor a
                record, before any request.
            ApiStatusError: 404 for an unknown or unfinished project; a
                refused download-URL request.
            TransportError: a download failed.
        """
        record = await self._record(project)
        results = await record_result_urls(self, record)
        items = [(r.job_id, r.url, r.extension) for r in results if r.outcome == "completed"]
        return await download_results(self._client, record.id.upper(), items, folder)


def _project_id(value: object) -> str:
    """``value`` as the upper-cased project id the lookups send (01 §2.2).

    Raises:
        InvalidParamsError: not a UUID string (field ``project_id``).
    """
    import re

    from sogni_core.protocol._generated.rest import PROJECT_ID_PATTERN

    if not isinstance(value, str) or not value:
        raise InvalidParamsError("project_id", "must be a non-empty string")
    if re.fullmatch(PROJECT_ID_PATTERN, value) is None:
        raise InvalidParamsError("project_id", "must be a project id (a UUID)")
    return value.upper()


class Account:
    """``client.account``: balance, profile and rewards."""

    def __init__(self, client: SogniClient) -> None:
        self._client = client

    def __repr__(self) -> str:
        return "Account()"

    async def balance(self) -> AccountBalance:
        """The account balance (``GET /v4/account/balance``)."""
        balance: AccountBalance = await self._client._rest.call("account_balance")
        return balance

    async def me(self) -> AccountMe:
        """The account profile (``GET /v1/account/me``)."""
        me: AccountMe = await self._client._rest.call("account_me")
        return me

    async def rewards(self) -> RewardsData:
        """The claimable rewards (``GET /v4/account/rewards``)."""
        rewards: RewardsData = await self._client._rest.call("account_rewards")
        return rewards


class SogniClient:
    """A Supernet client: one socket, one REST session.

    Use as a context manager (``async with SogniClient(...) as client``); the
    socket connects on entry and reconnects by itself (capped, jittered
    backoff from the core) while the credentials are good.

    Args:
        app_id: unique id of this connection (a random one by default); two
            live connections with one id make the server close the older one
            with 4015.
        api_key: an API key (header ``api-key``).
        username: account name for login (needs the ``eth-account`` package).
        password: account password; never logged or kept in a repr.
        token: a saved access JWT (with ``refresh_token``) to resume a session.
        refresh_token: the saved refresh JWT.
        network: ``fast`` (default) or ``relaxed``.
        rest_endpoint: REST base URL (default production).
        socket_endpoint: socket URL (default production; ``ws://`` allowed).
        app_source: optional ``appSource`` attribution.
        socket_event_subscriptions: initial subscription map (01 §3.4).
        verify: TLS verification for REST and socket (on by default), or an
            ``ssl.SSLContext``.
        connect_timeout: seconds :meth:`connect` waits for the greeting.
        reconnect_policy: the core's backoff policy (default: 1 s base, 15 s cap).
        testnet: sign logins for the testnet EIP-712 domain (01 §6.2.3).
        http_client: an ``httpx.AsyncClient`` to carry every REST request
            (your proxies, mounts, event hooks, limits); you keep closing it.
            By default every request, stream and download goes over a small
            keep-alive HTTP/1.1 pool; httpx follows redirects and carries
            everything when a proxy is configured.
        websocket: the WebSocket library, one of ``WEBSOCKETS`` (the first is
            the default): trio offers ``"trio-websocket"`` and the leaner
            ``"wsproto"``; asyncio and blocking code use ``"wsproto"``.

    Raises:
        InvalidParamsError: missing or conflicting credentials.
    """

    def __init__(
        self,
        *,
        app_id: str | None = None,
        api_key: str | None = None,
        username: str | None = None,
        password: str | None = None,
        token: str | None = None,
        refresh_token: str | None = None,
        network: str = "fast",
        rest_endpoint: str = DEFAULT_REST_BASE,
        socket_endpoint: str = DEFAULT_SOCKET_URL,
        app_source: str | None = None,
        socket_event_subscriptions: Mapping[str, Any] | None = None,
        verify: Any = True,
        connect_timeout: float = 30.0,
        reconnect_policy: ReconnectPolicy | None = None,
        testnet: bool = False,
        http_client: httpx.AsyncClient | None = None,
        websocket: str | None = None,
    ) -> None:
        tokens: TokenSession | None = None
        login: tuple[str, str] | None = None
        if username is not None or password is not None:
            if not username:
                raise InvalidParamsError("username", "required with a password")
            if not password:
                raise InvalidParamsError("password", "required with a username")
            login = (username, password)
        if token is not None or refresh_token is not None:
            if not (token and refresh_token):
                raise InvalidParamsError("refresh_token", "token and refresh_token go together")
            tokens = TokenSession.from_tokens(token, refresh_token)
        if sum(x is not None for x in (api_key or None, tokens, login)) != 1:
            raise InvalidParamsError(
                "api_key", "give exactly one of: api_key, username/password, token/refresh_token"
            )
        if api_key and not (api_key.isascii() and api_key.isprintable()):
            raise InvalidParamsError("api_key", "must be printable ASCII (it is sent as a header)")
        if network not in ("fast", "relaxed"):
            raise InvalidParamsError("network", "must be 'fast' or 'relaxed'")
        if websocket is not None and websocket not in backend.WEBSOCKETS:
            raise InvalidParamsError("websocket", f"must be one of {backend.WEBSOCKETS}")
        self.app_id = app_id or uuid4_upper(os.urandom(16))
        self.app_source = app_source
        self._hosts = Hosts.from_config(rest_endpoint, socket_endpoint)
        self._rest = RestClient(
            self._hosts,
            api_key=api_key,
            tokens=tokens,
            login=login,
            app_source=app_source,
            testnet=testnet,
            verify=verify,
            http_client=http_client,
        )
        self._conn = SogniConnection(
            socket_url=socket_endpoint,
            app_id=self.app_id,
            rng=unit_random,
            network=network,
            app_source=app_source,
            subscriptions=socket_event_subscriptions,
            policy=reconnect_policy,
        )
        self._tasks = backend.TaskGroup()
        self._driver = Driver(
            self._conn,
            self._rest,
            self._tasks,
            self._on_event,
            on_fatal=self._on_fatal,
            verify=verify,
            websocket=websocket or backend.WEBSOCKETS[0],
        )
        self._fatal: Exception | None = None
        self._connect_timeout = connect_timeout
        self._ready = backend.Event()
        self._network_changed = backend.Event()
        self._callbacks: list[tuple[type, Callable[[Any], None]]] = []
        self._projects: dict[str, Project] = {}
        self._closed_error: ConnectionClosedError | None = None
        self._started = False
        self._closed = False
        self.authenticated: Any = None
        """The server's ``authenticated`` greeting (wire Struct), once ready."""
        self.projects = Projects(self)
        self.account = Account(self)
        self._chat: Chat | None = None
        self._llm_models: ev.ServerNotice | None = None
        self._workflows: Workflows | None = None

    def __repr__(self) -> str:
        return (
            f"SogniClient(app_id={self.app_id!r}, network={self.network!r}, "
            f"state={self._conn.state.name}, rest={self._hosts.rest!r})"
        )

    @property
    def chat(self) -> Chat:
        """LLM chat over the socket, hosted chat and chat runs (02 §2-§4).

        Imported on first use (it carries the generated tool schemas), so
        ``import sogni_asyncio`` stays fast.
        """
        chat = self._chat
        if chat is None:
            from ._chat import Chat

            chat = self._chat = Chat(self)
            if self._llm_models is not None:  # announced before first use
                chat._on_event(self._llm_models)
        return chat

    @property
    def workflows(self) -> Workflows:
        """Durable creative workflows and templates (02 §5), imported on first use."""
        workflows = self._workflows
        if workflows is None:
            from ._workflows import Workflows

            workflows = self._workflows = Workflows(self)
        return workflows

    # -- lifecycle ---------------------------------------------------------------

    @property
    def network(self) -> str:
        """The current network (``fast`` or ``relaxed``)."""
        return self._conn.network

    async def __aenter__(self) -> SogniClient:
        await self.connect()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def connect(self) -> None:
        """Open the socket and wait for the server's greeting.

        Raises:
            ConnectionClosedError: the server refused the connection (e.g.
                4021 auth error, 4010 blocked app id, 4015 replaced).
            TransportError: the socket cannot be opened (a rejected TLS
                certificate).
            ConnectTimeoutError: no greeting within ``connect_timeout`` (also
                a ``TimeoutError``; the message names the last socket error).
        """
        if self._closed:
            raise ClientClosedError("the client is closed; create a new one")
        if self._started:
            return
        self._started = True
        try:
            await self._rest.auth()  # logs in with username/password first
        except BaseException:
            await self.aclose()
            raise
        await self._tasks.__aenter__()
        self._driver.start()
        self._driver.call(self._conn.connect)
        try:
            ready = await backend.wait_event(self._ready, self._connect_timeout)
            if self._closed_error is not None:
                raise self._closed_error
            if self._fatal is not None:
                raise TransportError(f"cannot open the socket: {self._fatal}") from self._fatal
            if not ready:
                last = self._driver.last_open_error
                raise ConnectTimeoutError(
                    f"no greeting from the Supernet socket within {self._connect_timeout} s"
                    + (f" (last socket error: {last})" if last else "")
                )
            # Connected: warm the model catalogue so create() validates
            # without waiting on it.
            self._tasks.start_soon(self._prefetch)
        except BaseException:
            await self.aclose()
            raise

    async def _prefetch(self) -> None:
        try:
            await self.projects._load_catalogue()
        except Exception as exc:
            log.debug("model catalogue prefetch failed: %s", type(exc).__name__)

    async def aclose(self) -> None:
        """Close the socket and the HTTP pool; idempotent."""
        if self._closed:
            return
        self._closed = True
        if self._started:
            await self._driver.aclose()
            await self._tasks.aclose()
        await self._rest.aclose()

    def _on_fatal(self, exc: Exception) -> None:
        # No retry can fix a rejected certificate: close locally first, so the
        # core absorbs the socket's end instead of scheduling a reconnect.
        self._fatal = exc
        try:
            self._driver.call(self._conn.close)
        except Exception as err:
            log.debug("close after a fatal open error failed: %s", type(err).__name__)
        self._ready.set()

    def _check_open(self) -> None:
        if self._closed:
            raise ClientClosedError("the client is closed")
        if self._closed_error is not None:
            raise self._closed_error

    # -- events ------------------------------------------------------------------

    def on(self, event_type: type[E], callback: Callable[[E], None]) -> None:
        """Call ``callback(event)`` for every client-level event of ``event_type``
        (``SessionReady``, ``Connecting``, ``Disconnected``, ``ServerNotice``, and
        every project event)."""
        self._callbacks.append((event_type, callback))

    def _on_event(self, event: ev.Event) -> None:
        project_id = getattr(event, "project_id", None)
        if project_id is not None:
            project = self._projects.get(project_id)
            if project is not None:
                project._feed(event)
                if project.finished:
                    self._projects.pop(project_id, None)
        elif isinstance(event, ev.SessionReady):
            self.authenticated = event.authenticated
            self._ready.set()
        elif isinstance(event, ev.Disconnected):
            self._closed_error = ConnectionClosedError(event.code, event.reason, recoverable=False)
            self._ready.set()
        elif isinstance(event, ev.NetworkChanged):
            self._network_changed.set()
        elif isinstance(event, ev.ServerNotice) and event.name == "swarmModels":
            self.projects._on_swarm(getattr(event.message, "models", {}))
        elif isinstance(event, ev.ServerNotice) and event.name == "swarmLLMModels":
            self._llm_models = event  # replayed into client.chat when first used
        elif isinstance(event, ev.Connecting) and event.attempt:
            log.info("reconnecting (attempt %d) in %.1f s", event.attempt, event.delay)
        dispatch(self._callbacks, event)

    # -- verbs -----------------------------------------------------------------------

    def _cancel_nowait(self, project_id: str) -> None:
        try:
            self._driver.call(self._conn.send_cancel, project_id)
        except Exception as exc:
            log.debug("cancel of %s not sent: %s", project_id, type(exc).__name__)

    async def set_socket_event_subscriptions(self, update: Mapping[str, Any]) -> None:
        """Change which server events this connection receives (01 §3.3)."""
        self._check_open()
        self._driver.call(self._conn.set_subscriptions, dict(update))

    async def switch_network(self, network: str, timeout: float = 10.0) -> str:
        """Switch between ``fast`` and ``relaxed`` (01 §2.3.2).

        Returns:
            The network the server confirmed.

        Raises:
            InvalidParamsError: unknown network.
            TimeoutError: the server did not confirm.
        """
        if network not in ("fast", "relaxed"):
            raise InvalidParamsError("network", "must be 'fast' or 'relaxed'")
        self._check_open()
        self._network_changed.clear()
        self._driver.call(self._conn.send_change_network, network)
        if not await backend.wait_event(self._network_changed, timeout):
            raise TimeoutError("network change not confirmed")
        return self.network
