"""``client.workflows``: durable creative workflows and templates (02 §5).

Every request is built and every answer parsed by
:mod:`sogni_core.workflows`; this module sends bytes. :func:`pump_events`
drives the core's resumable :class:`~sogni_core.workflows.EventStream`
machine over streamed responses (``RestClient.stream``: the transport's
request pool, httpx behind a proxy): it sleeps the backoff the machine
decides, passes the machine's idle-read timeout as the read timeout,
and reports drops (EOF before a terminal event, a broken chunked body, a read
timeout) so the machine reconnects with ``Last-Event-ID``.
"""

from __future__ import annotations

import builtins
import os
from collections.abc import AsyncIterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from sogni_core.client import NoResponseError, uuid4_upper
from sogni_core.protocol.rest import Attribution, Request
from sogni_core.workflows import (
    EventStream,
    ReseedResult,
    ResumeResult,
    StreamState,
    TemplatePage,
    WorkflowEvent,
    WorkflowEventStream,
    WorkflowInput,
    WorkflowRecord,
    WorkflowStreamEvent,
    WorkflowTemplate,
    parse_reseed,
    parse_resume,
    parse_template,
    parse_template_delete,
    parse_template_page,
    parse_workflow,
    parse_workflow_events,
    parse_workflow_list,
    start_workflow_request,
    template_request,
    workflow_request,
)

from . import _backend as backend

if TYPE_CHECKING:
    from ._client import SogniClient

__all__ = ["EventIterator", "Templates", "Workflows", "pump_events"]

E = TypeVar("E")

#: Connect/write timeout of an event-stream request (reads use the idle timeout).
STREAM_CONNECT_TIMEOUT = 30.0


def _operation_id() -> str:
    return uuid4_upper(os.urandom(16))


async def send(
    client: SogniClient, request: Request, *, idempotent: bool = False
) -> tuple[int, list[tuple[str, str]], bytes]:
    """Send a core-built request through the client's REST session."""
    return await client._rest.send(request, idempotent=idempotent)


T = TypeVar("T")


class EventIterator(Generic[T]):
    """An async iterator over one of this package's internal async generators.

    Leaving the loop early needs no ``aclosing()``: :meth:`aclose`, the end
    of the events, or dropping the iterator closes the generator (and its
    HTTP stream); a dropped one is closed by a background task, before trio
    could warn about an abandoned async generator.
    """

    def __init__(self, events: AsyncIterator[T]) -> None:
        self._events: Any = events
        self._done = False

    def __repr__(self) -> str:
        return f"EventIterator(done={self._done})"

    def __aiter__(self) -> EventIterator[T]:
        return self

    async def __anext__(self) -> T:
        if self._done:
            raise StopAsyncIteration
        try:
            event: T = await self._events.__anext__()
        except BaseException:
            self._done = True  # ended or raised: the generator is finished
            raise
        return event

    async def aclose(self) -> None:
        """Stop early and release the stream (idempotent)."""
        if not self._done:
            self._done = True
            await self._events.aclose()

    def __del__(self) -> None:
        if not self._done:
            self._done = True
            backend.close_soon(self._events.aclose)


async def pump_events(client: SogniClient, machine: EventStream[E]) -> AsyncIterator[E]:
    """Run a resumable event stream to its end, yielding each event once.

    Raises:
        ApiStatusError: the server refused the stream (non-retryable status).
        RemoteProtocolError: the stream kept dropping without progress, or
            sent bytes that are not SSE.
    """
    rest = client._rest
    try:
        while not machine.finished():
            wake = machine.reconnect_at
            if wake is not None:
                await backend.sleep(wake - backend.monotonic())
            request = machine.next_request(rest.hosts, await rest.auth(), backend.monotonic())
            try:
                async with rest.stream(
                    request,
                    read_timeout=machine.idle_timeout,
                    connect_timeout=STREAM_CONNECT_TIMEOUT,
                ) as response:
                    headers = response.headers
                    if response.status >= 300:
                        body = b""
                        async for part in response:
                            body += part
                        machine.receive_response(
                            response.status, headers, body, now=backend.monotonic()
                        )
                        continue
                    machine.receive_response(response.status, headers, now=backend.monotonic())
                    async for chunk in response:
                        # After the terminal event the rest is read and dropped:
                        # the server closes then (02 §5.5), and reading to EOF
                        # releases the connection cleanly on every backend.
                        if not machine.finished():
                            for event in machine.receive_data(chunk, now=backend.monotonic()):
                                yield event
                    if not machine.finished():
                        for event in machine.receive_eof(now=backend.monotonic()):
                            yield event
            except NoResponseError:
                # Dropped connection, truncated chunked body, or idle read timeout.
                machine.stream_failed(now=backend.monotonic())
    finally:
        if machine.state is not StreamState.ERROR:
            machine.close()


class Templates:
    """``client.workflows.templates``: template CRUD and fork (02 §5.7)."""

    def __init__(self, client: SogniClient) -> None:
        self._client = client

    def __repr__(self) -> str:
        return "Templates()"

    async def _call(self, request: Request) -> tuple[int, list[tuple[str, str]], bytes]:
        return await send(self._client, request, idempotent=request.method in ("GET", "DELETE"))

    async def _auth(self) -> Any:
        return await self._client._rest.auth()

    async def list(
        self,
        *,
        visibility: str | None = None,
        offset: int | None = None,
        limit: int | None = None,
    ) -> TemplatePage:
        """List templates (``visibility``: ``own`` / ``public`` / ``all``).

        Returns:
            A :class:`TemplatePage` (``templates``, numeric ``next_cursor``).

        Raises:
            ApiStatusError: the server refused.
        """
        request = template_request(
            "list",
            self._client._rest.hosts,
            auth=await self._auth(),
            visibility=visibility,
            offset=offset,
            limit=limit,
        )
        return parse_template_page(*await self._call(request))

    async def get(self, template_id: str) -> WorkflowTemplate:
        """One template.

        Raises:
            ApiStatusError: unknown template, or a response without one.
        """
        request = template_request(
            "get", self._client._rest.hosts, template_id, auth=await self._auth()
        )
        return parse_template(*await self._call(request), action="get")

    async def create(self, template: Mapping[str, Any] | WorkflowTemplate) -> WorkflowTemplate:
        """Create a template; the body is sent as given.

        Raises:
            ApiStatusError: the server refused it.
        """
        request = template_request(
            "create", self._client._rest.hosts, auth=await self._auth(), body=template
        )
        return parse_template(*await self._call(request), action="create")

    async def update(self, template_id: str, patch: Mapping[str, Any]) -> WorkflowTemplate:
        """Patch a template (``PATCH``); returns the updated template."""
        request = template_request(
            "update", self._client._rest.hosts, template_id, auth=await self._auth(), body=patch
        )
        return parse_template(*await self._call(request), action="update")

    async def delete(self, template_id: str) -> None:
        """Delete a template."""
        request = template_request(
            "delete", self._client._rest.hosts, template_id, auth=await self._auth()
        )
        parse_template_delete(*await self._call(request))

    async def fork(self, template_id: str, *, new_name: str | None = None) -> WorkflowTemplate:
        """Fork a template into the account (body ``{newName}``)."""
        body = {"newName": new_name} if new_name else {}
        request = template_request(
            "fork", self._client._rest.hosts, template_id, auth=await self._auth(), body=body
        )
        return parse_template(*await self._call(request), action="fork")


class Workflows:
    """``client.workflows``: start, inspect, stream and steer durable workflows."""

    def __init__(self, client: SogniClient) -> None:
        self._client = client
        self.templates = Templates(client)

    def __repr__(self) -> str:
        return "Workflows()"

    def _app_source(self, app_source: str | None) -> str | None:
        return app_source if app_source is not None else self._client.app_source

    async def start(
        self,
        input: WorkflowInput | Mapping[str, Any] | None = None,
        *,
        workflow_id: str | None = None,
        inputs: Mapping[str, Any] | None = None,
        token_type: str | None = None,
        billing_mode: str | None = None,
        app_source: str | None = None,
        max_estimated_capacity_units: float | None = None,
        confirm_cost: bool | None = None,
        safe_content_filter: bool | None = None,
        media_references: Sequence[Any] | None = None,
        idempotency_key: str | None = None,
        attribution: Attribution | None = None,
    ) -> WorkflowRecord:
        """Start a workflow from an inline plan or a saved template id (02 §5.3).

        Args:
            input: the plan (:class:`WorkflowInput` from
                :class:`~sogni_core.workflows.WorkflowBuilder`, or a mapping
                sent as given).
            workflow_id: a template id instead of ``input``.
            inputs: the template's inputs.
            token_type: ``sogni`` or ``spark``.
            billing_mode: ``auto``, ``subscription`` or ``tokens``.
            app_source: defaults to the client's.
            max_estimated_capacity_units: capacity-unit ceiling.
            confirm_cost: pre-approve the cost.
            safe_content_filter: the content filter switch.
            media_references: uploaded media (HTTP(S) URLs) for ``$input_media``.
            idempotency_key: makes a retried start return the same run.
            attribution: attribution headers.

        Returns:
            The new :class:`WorkflowRecord`.

        Raises:
            InvalidParamsError: invalid plan or options (before any I/O).
            ApiStatusError: the server refused.
        """
        source = self._app_source(app_source)
        request = start_workflow_request(
            self._client._rest.hosts,
            auth=await self._client._rest.auth(),
            input=input,
            workflow_id=workflow_id,
            inputs=inputs,
            token_type=token_type,
            billing_mode=billing_mode,
            app_source=source,
            max_estimated_capacity_units=max_estimated_capacity_units,
            confirm_cost=confirm_cost,
            safe_content_filter=safe_content_filter,
            media_references=media_references,
            idempotency_key=idempotency_key,
            attribution=attribution,
            operation_id=_operation_id(),
        )
        return parse_workflow(*await send(self._client, request, idempotent=bool(idempotency_key)))

    async def _simple(self, action: str, workflow_id: str | None = None, **kw: Any) -> Any:
        request = workflow_request(
            action,
            self._client._rest.hosts,
            workflow_id,
            auth=await self._client._rest.auth(),
            **kw,
        )
        return await send(self._client, request, idempotent=request.method == "GET")

    async def get(self, workflow_id: str) -> WorkflowRecord:
        """The current record of a workflow.

        Raises:
            ApiStatusError: unknown workflow.
        """
        return parse_workflow(*await self._simple("get", workflow_id))

    async def list(
        self, *, limit: int | None = None, offset: int | None = None
    ) -> builtins.list[WorkflowRecord]:
        """The account's workflows (newest first on the emulator).

        Returns:
            A list of :class:`WorkflowRecord`.
        """
        return builtins.list(
            parse_workflow_list(*await self._simple("list", None, limit=limit, offset=offset))
        )

    async def events(self, workflow_id: str) -> builtins.list[WorkflowEvent]:
        """The whole event log of a workflow (non-streaming)."""
        return builtins.list(parse_workflow_events(*await self._simple("events", workflow_id)))

    def stream_events(
        self,
        workflow_id: str,
        *,
        after: str | int | None = None,
        last_event_id: str | int | None = None,
        stop_on_waiting: bool = False,
        idle_timeout: float = 60.0,
        reconnect_delay: float = 1.0,
        max_attempts: int = 8,
    ) -> EventIterator[WorkflowStreamEvent]:
        """Stream a workflow's events until it reaches a terminal status.

        Dropped connections are resumed automatically from the last event id
        (``Last-Event-ID`` and ``?after=``), honouring the server's
        ``retry:``; a read silent for ``idle_timeout`` seconds counts as a
        drop. Each event is yielded exactly once.

        Args:
            workflow_id: the workflow.
            after: start after this event id (``?after=`` only).
            last_event_id: start after this event id (header and query).
            stop_on_waiting: also stop at ``waiting_for_user``.
            idle_timeout: seconds without bytes before reconnecting.
            reconnect_delay: base backoff when the server sent no ``retry:``.
            max_attempts: consecutive fruitless attempts before giving up.

        Yields:
            :class:`WorkflowStreamEvent` frames.

        Raises:
            ApiStatusError: the server refused the stream.
            RemoteProtocolError: the stream kept failing.
        """
        machine = WorkflowEventStream(
            workflow_id,
            after=after,
            last_event_id=last_event_id,
            stop_on_waiting=stop_on_waiting,
            idle_timeout=idle_timeout,
            reconnect_delay=reconnect_delay,
            max_attempts=max_attempts,
        )
        return EventIterator(pump_events(self._client, machine))

    async def wait(self, workflow_id: str, **stream_options: Any) -> WorkflowRecord:
        """Stream until the workflow ends, then return its final record."""
        async for _ in self.stream_events(workflow_id, **stream_options):
            pass
        return await self.get(workflow_id)

    async def resume(
        self,
        workflow_id: str,
        *,
        token_type: str | None = None,
        billing_mode: str | None = None,
        app_source: str | None = None,
        attribution: Attribution | None = None,
    ) -> ResumeResult:
        """Kick a workflow waiting for the user back into motion (02 §5.4)."""
        status, headers, body = await self._simple(
            "resume",
            workflow_id,
            token_type=token_type,
            billing_mode=billing_mode,
            app_source=self._app_source(app_source),
            attribution=attribution,
            operation_id=_operation_id(),
        )
        return parse_resume(status, headers, body)

    async def reseed(
        self,
        workflow_id: str,
        *,
        seed_overrides: Mapping[str, int] | None = None,
        token_type: str | None = None,
        billing_mode: str | None = None,
        app_source: str | None = None,
        idempotency_key: str | None = None,
        attribution: Attribution | None = None,
    ) -> ReseedResult:
        """Clone a finished workflow with new seeds (``seed_overrides``: step id -> seed)."""
        status, headers, body = await self._simple(
            "reseed",
            workflow_id,
            seed_overrides=seed_overrides,
            token_type=token_type,
            billing_mode=billing_mode,
            app_source=self._app_source(app_source),
            idempotency_key=idempotency_key,
            attribution=attribution,
            operation_id=_operation_id(),
        )
        return parse_reseed(status, headers, body)

    async def cancel(self, workflow_id: str) -> WorkflowRecord:
        """Cancel a workflow (no body); returns the updated record."""
        return parse_workflow(*await self._simple("cancel", workflow_id))
