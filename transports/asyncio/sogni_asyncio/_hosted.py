"""``client.chat.hosted`` and ``client.chat.runs``: the hosted REST chat surfaces (02 §3).

Request bodies and parsing are the core's (:mod:`sogni_core.workflows`);
chat-run event streams reuse :func:`._workflows.pump_events` with the
core's :class:`~sogni_core.workflows.ChatRunEventStream`, so they resume
after drops exactly like workflow streams.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, overload

import msgspec

from sogni_core.client import NoResponseError, TransportError
from sogni_core.protocol.rest import Attribution, Request
from sogni_core.workflows import (
    ChatRunEvent,
    ChatRunEventStream,
    ChatRunRecord,
    HostedChatChunk,
    HostedChatCompletion,
    HostedChatStream,
    ToolExecuteData,
    chat_run_request,
    hosted_completion_request,
    parse_chat_run,
    parse_hosted_completion,
    parse_tool_execution,
    tool_execution_request,
)

from ._workflows import EventIterator, _operation_id, pump_events, send

if TYPE_CHECKING:
    from ._client import SogniClient

__all__ = ["ChatRuns", "HostedChat", "HostedCompletionStream"]

#: Client timeout of hosted completions and tool execution (02 §3.1, §7).
HOSTED_TIMEOUT = 300.0


class HostedCompletionStream:
    """A streamed hosted completion: iterate for chunks, then :meth:`final_completion`.

    Use as ``async with`` or iterate it once; the accumulated completion is
    built by the core's :class:`~sogni_core.workflows.HostedChatStream`.
    """

    def __init__(self, client: SogniClient, request: Request) -> None:
        self._client = client
        self._request = request
        self._reducer = HostedChatStream()
        self._started = False

    def __repr__(self) -> str:
        return f"HostedCompletionStream(done={self._reducer.done})"

    def __aiter__(self) -> EventIterator[HostedChatChunk]:
        return EventIterator(self._chunks())

    async def _chunks(self) -> AsyncIterator[HostedChatChunk]:
        if self._started:
            raise RuntimeError("a hosted completion stream can be iterated once")
        self._started = True
        request = self._request
        try:
            async with self._client._rest.stream(
                request, read_timeout=HOSTED_TIMEOUT, connect_timeout=HOSTED_TIMEOUT
            ) as response:
                if response.status >= 300:
                    body = b""
                    async for part in response:
                        body += part
                    parse_hosted_completion(response.status, response.headers, body)
                async for data in response:
                    # Bytes after [DONE] are read to EOF and dropped.
                    if not self._reducer.done:
                        for chunk in self._reducer.feed(data):
                            yield chunk
                if not self._reducer.done:
                    for chunk in self._reducer.finish():
                        yield chunk
        except NoResponseError as exc:
            raise TransportError(f"hosted completion stream failed: {exc}") from exc

    async def final_completion(self) -> HostedChatCompletion:
        """Read the rest of the stream and return the accumulated completion."""
        if not self._started:
            async for _ in self:
                pass
        return self._reducer.result()

    @property
    def content(self) -> str:
        """The text received so far."""
        return self._reducer.content

    async def __aenter__(self) -> HostedCompletionStream:
        return self

    async def __aexit__(self, *exc: object) -> None:
        return None


class HostedChat:
    """``client.chat.hosted``: ``POST /v1/chat/completions`` and direct tools."""

    def __init__(self, client: SogniClient) -> None:
        self._client = client

    def __repr__(self) -> str:
        return "HostedChat()"

    @overload
    async def create(
        self,
        *,
        model: str,
        messages: Sequence[Any],
        stream: Literal[False] = ...,
        **options: Any,
    ) -> HostedChatCompletion: ...

    @overload
    async def create(
        self,
        *,
        model: str,
        messages: Sequence[Any],
        stream: Literal[True],
        **options: Any,
    ) -> HostedCompletionStream: ...

    async def create(
        self,
        *,
        model: str,
        messages: Sequence[Any],
        stream: bool = False,
        **options: Any,
    ) -> HostedChatCompletion | HostedCompletionStream:
        """A hosted completion; the API may run Sogni tools server-side (02 §3.1).

        Args:
            model: LLM model id.
            messages: OpenAI-style messages.
            stream: return a :class:`HostedCompletionStream` of chunks.
            **options: ``max_tokens``, ``temperature``, ``top_p``, ``top_k``,
                ``min_p``, ``repetition_penalty``, ``frequency_penalty``,
                ``presence_penalty``, ``stop``, ``token_type``,
                ``billing_mode``, ``tools``, ``tool_choice``, ``sogni_tools``
                (``True``/``"creative-tools"``/``"creative-agent"``),
                ``sogni_tool_execution``, ``task_profile``,
                ``media_references``, ``api_media_references``,
                ``safe_content_filter``, ``think``, ``chat_template_kwargs``,
                ``response_format``, ``app_source``, ``attribution``.

        Returns:
            The :class:`HostedChatCompletion`, or a stream.

        Raises:
            InvalidParamsError: bad options (before any I/O).
            ChatRunError: a recognised chat error body.
            ApiStatusError: any other refusal.
        """
        if "app_source" not in options or options["app_source"] is None:
            options["app_source"] = self._client.app_source
        request = hosted_completion_request(
            self._client._rest.hosts,
            auth=await self._client._rest.auth(),
            model=model,
            messages=messages,
            stream=stream,
            operation_id=_operation_id(),
            **options,
        )
        if stream:
            return HostedCompletionStream(self._client, request)
        return parse_hosted_completion(*await send(self._client, request))

    async def execute_tool(
        self,
        tool: str,
        arguments: Mapping[str, Any],
        *,
        token_type: str | None = None,
        safe_content_filter: bool | None = None,
        app_source: str | None = None,
        attribution: Attribution | None = None,
    ) -> ToolExecuteData:
        """Run a composition tool without an LLM round (02 §3.2).

        Returns:
            ``toolCallId``, ``tool``, ``result`` and ``message``.

        Raises:
            ApiStatusError: the server refused.
        """
        request = tool_execution_request(
            self._client._rest.hosts,
            auth=await self._client._rest.auth(),
            tool=tool,
            arguments=arguments,
            app_source=app_source if app_source is not None else self._client.app_source,
            token_type=token_type,
            safe_content_filter=safe_content_filter,
            attribution=attribution,
            operation_id=_operation_id(),
        )
        return parse_tool_execution(*await send(self._client, request))


class ChatRuns:
    """``client.chat.runs``: durable hosted chat runs (02 §3.3)."""

    def __init__(self, client: SogniClient) -> None:
        self._client = client

    def __repr__(self) -> str:
        return "ChatRuns()"

    async def _call(
        self, action: str, run_id: str | None = None, *, idempotent: bool = False, **kw: Any
    ) -> ChatRunRecord:
        request = chat_run_request(
            action, self._client._rest.hosts, run_id, auth=await self._client._rest.auth(), **kw
        )
        return parse_chat_run(*await send(self._client, request, idempotent=idempotent))

    async def create(
        self,
        *,
        messages: Sequence[Any],
        app_source: str | None = None,
        idempotency_key: str | None = None,
        attribution: Attribution | None = None,
        **params: Any,
    ) -> ChatRunRecord:
        """Submit a run; the server drives the LLM/tool loop (02 §3.3.2).

        Args:
            messages: OpenAI-style messages (media must be HTTP(S) URLs).
            app_source: defaults to the client's.
            idempotency_key: ``Idempotency-Key``.
            attribution: attribution headers.
            **params: ``tools``, ``tool_choice``, ``model``, ``sampling``,
                ``media_references``, ``media_context``,
                ``max_estimated_capacity_units``, ``confirm_cost``,
                ``session_id``, ``client_message_id``, ``token_type``,
                ``billing_mode``, ``runtime_config``.

        Raises:
            InvalidParamsError: inline media or missing messages.
            ChatRunError: a recognised chat error body.
            ApiStatusError: any other refusal.
        """
        return await self._call(
            "create",
            params={"messages": messages, **params},
            app_source=app_source if app_source is not None else self._client.app_source,
            idempotency_key=idempotency_key,
            attribution=attribution,
            operation_id=_operation_id(),
            idempotent=bool(idempotency_key),
        )

    async def get(self, run_id: str) -> ChatRunRecord:
        """The current run record."""
        return await self._call("get", run_id, idempotent=True)

    async def events(self, run_id: str) -> list[ChatRunEvent]:
        """The run's events so far (from the record; there is no list call)."""
        record = await self.get(run_id)
        return [msgspec.convert(e, ChatRunEvent) for e in record.events]

    def stream(
        self,
        run_id: str,
        *,
        last_event_id: int | str | None = None,
        idle_timeout: float = 60.0,
        reconnect_delay: float = 1.0,
        max_attempts: int = 8,
    ) -> EventIterator[ChatRunEvent]:
        """Stream the run's events until a terminal ``run_*`` event, resuming after drops."""
        machine = ChatRunEventStream(
            run_id,
            last_event_id=last_event_id,
            idle_timeout=idle_timeout,
            reconnect_delay=reconnect_delay,
            max_attempts=max_attempts,
        )
        return EventIterator(pump_events(self._client, machine))

    async def confirm_cost(
        self,
        run_id: str,
        *,
        tool_call_id: str,
        decision: str,
        accepted_cost_preview: Mapping[str, Any] | None = None,
        overrides: Mapping[str, Any] | None = None,
        reason: str | None = None,
        idempotency_key: str | None = None,
    ) -> ChatRunRecord:
        """Answer a ``cost_approval_required`` pause (``decision``: confirm / cancel)."""
        return await self._call(
            "confirm_cost",
            run_id,
            params={
                "tool_call_id": tool_call_id,
                "decision": decision,
                "accepted_cost_preview": accepted_cost_preview,
                "overrides": overrides,
                "reason": reason,
            },
            idempotency_key=idempotency_key,
        )

    async def cancel(self, run_id: str, reason: str | None = None) -> ChatRunRecord:
        """Cancel a run."""
        return await self._call("cancel", run_id, params={"reason": reason})
