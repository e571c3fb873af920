"""``client.chat``: socket LLM chat completions, streams, cost estimates and tools.

Written once for asyncio; ``tools/unasync.py`` generates the trio and the
blocking copies. Every decision lives in the sans-IO core
(:mod:`sogni_core.chat` builds and checks the request, the connection's chat
machine assembles the stream); this module only routes the job's events to
the waiting caller or the stream iterator. Pillow does the one piece of
pixel work: vision images over 1024 px are scaled down before sending.
"""

from __future__ import annotations

import inspect
import io
import logging
import os
from collections.abc import Callable, Mapping, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any

import msgspec

from sogni_core.chat import (
    DIRECT_TOOL_NAMES,
    MAX_IMAGE_BYTES,
    ChatCompletion,
    ChatCompletionChunk,
    ChatError,
    MediaContext,
    MediaFetchRequired,
    SogniToolCall,
    ToolExecutionProgress,
    ToolExecutionResult,
    ToolHistoryEntry,
    add_results,
    auto_media_context,
    build_llm_request,
    chat_error,
    chunk_from_event,
    completion_from_result,
    is_sogni_tool_call,
    llm_estimate_request,
    parse_llm_estimate,
    parse_llm_models,
    parse_sogni_tool_call,
    project_attribution,
    remote_image_urls,
    round_attribution,
    select_llm_model,
    tool_project,
    tool_result,
    validate_messages,
)
from sogni_core.client import uuid4_upper
from sogni_core.protocol._errors import InvalidParamsError, JobFailedError
from sogni_core.protocol._generated.rest import LlmEstimateQuote
from sogni_core.protocol._generated.socket import LLMModelInfo
from sogni_core.protocol.jobrequest import WorkloadAttributionInput
from sogni_core.protocol.rest import Attribution, download_request
from sogni_core.state import events as ev

from . import _backend as backend
from ._hosted import ChatRuns, HostedChat

if TYPE_CHECKING:
    from ._client import SogniClient

__all__ = ["Chat", "ChatStream", "ChatTools", "Completions", "resize_image"]

log = logging.getLogger("sogni.chat")

_CHAT_EVENTS = (ev.ChatJobState, ev.ChatChunk, ev.ChatCompleted, ev.ChatFailed, ev.ChatCanceled)
_END = (ev.ChatCompleted, ev.ChatFailed, ev.ChatCanceled)
MAX_DIRECT_TOOL_CALLS = 8
"""02 §4.8.1: most direct Sogni tool calls per round."""


def resize_image(data: bytes, mime: str, max_side: int) -> tuple[bytes, str]:
    """Scale an image so its longest side is ``max_side`` px (Pillow, LANCZOS).

    PNG stays PNG; JPEG is re-encoded at quality 90.
    """
    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
        out = io.BytesIO()
        if mime == "image/png":
            image.save(out, format="PNG")
            return out.getvalue(), "image/png"
        image.convert("RGB").save(out, format="JPEG", quality=90)
        return out.getvalue(), "image/jpeg"


class _Job:
    """One LLM job's event queue, end marker and assembled completion."""

    def __init__(self, chat: Chat, job_id: str, model: str) -> None:
        self.chat = chat
        self.id = job_id
        self.model = model
        self.queue = backend.Queue()
        self.done = backend.Event()
        self.end: ev.Event | None = None
        self.worker_name: str | None = None

    def feed(self, event: ev.Event) -> None:
        if self.end is not None:
            return
        if isinstance(event, ev.ChatJobState) and event.worker_name:
            self.worker_name = event.worker_name
        self.queue.put_nowait(event)
        if isinstance(event, _END):
            self.end = event
            self.done.set()

    def outcome(self, *, streaming: bool = False) -> ChatCompletion:
        end = self.end
        if isinstance(end, ev.ChatCompleted):
            return completion_from_result(end.result, self.model)
        if isinstance(end, ev.ChatFailed):
            closed = self.chat._client._closed_error
            if closed is not None and end.error_type == "disconnected":
                raise closed
            raise chat_error(end, streaming=streaming)
        raise ChatError("chat job canceled", job_id=self.id, error_type="canceled")

    def cancel(self) -> None:
        # the core emits ChatCanceled through the pump; end the job here at
        # once so ``finished`` is true when aclose()/break returns
        if self.end is None:
            self.chat._cancel_nowait(self.id)
            self.feed(ev.ChatCanceled(job_id=self.id))


class _Chunks:
    """One pass over a stream's chunks.

    Dropping it before the end - ``break`` out of the loop - cancels the job
    (CPython finalises it as soon as the loop lets go of it).
    """

    def __init__(self, stream: ChatStream) -> None:
        self._stream = stream
        self._done = stream._consumed

    def __aiter__(self) -> _Chunks:
        return self

    async def __anext__(self) -> ChatCompletionChunk:
        stream = self._stream
        job = stream._job
        while not self._done:
            try:
                event = await job.queue.get()
            except BaseException:
                job.cancel()
                raise
            if isinstance(event, ev.ChatChunk):
                chunk = chunk_from_event(event, stream.model, first=stream._first)
                stream._first = False
                return chunk
            if isinstance(event, _END):
                self._done = stream._consumed = True
                stream.completion = job.outcome(streaming=True)
        raise StopAsyncIteration

    def __del__(self) -> None:
        if not self._done:
            try:
                self._stream._job.cancel()
            except Exception:  # pragma: no cover - interpreter shutdown
                pass


class ChatStream:
    """The chunks of one streaming completion: ``async for chunk in stream``.

    Breaking out of the loop, :meth:`aclose` or leaving ``async with`` cancels
    the LLM job (locally: the wire has no LLM cancel, 02 §2.8, so later
    tokens are dropped). After the last chunk :attr:`completion` holds the
    assembled :class:`ChatCompletion`.

    Raises (while iterating):
        ChatError: ``llmJobError``, the local timeout or a disconnect.
    """

    def __init__(self, job: _Job) -> None:
        self._job = job
        self._first = True
        self._consumed = False
        self.id = job.id
        self.model = job.model
        self.completion: ChatCompletion | None = None

    def __repr__(self) -> str:
        return f"ChatStream(id={self.id!r}, finished={self._job.end is not None})"

    @property
    def finished(self) -> bool:
        """Whether the job completed, failed or was canceled."""
        return self._job.end is not None

    def __aiter__(self) -> _Chunks:
        return _Chunks(self)

    async def final_completion(self) -> ChatCompletion:
        """Drain the remaining chunks and return the assembled completion.

        Raises:
            ChatError: the job failed or was canceled.
        """
        async for _ in self:
            pass
        if self.completion is None:
            return self._job.outcome(streaming=True)
        return self.completion

    async def aclose(self) -> None:
        """Stop the stream and cancel the job (no-op once it ended)."""
        self._job.cancel()

    async def __aenter__(self) -> ChatStream:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()


class Completions:
    """``client.chat.completions``: ``create`` as in the OpenAI client."""

    def __init__(self, chat: Chat) -> None:
        self._chat = chat

    def __repr__(self) -> str:
        return "Completions()"

    async def create(
        self,
        *,
        messages: Sequence[Mapping[str, Any]],
        model: str | None = None,
        stream: bool | None = None,
        tools: Sequence[Mapping[str, Any]] | None = None,
        tool_choice: str | Mapping[str, Any] | None = None,
        think: bool | None = None,
        task_profile: str | None = None,
        temperature: float | None = None,
        top_p: float | None = None,
        top_k: int | None = None,
        min_p: float | None = None,
        max_tokens: int | None = None,
        repetition_penalty: float | None = None,
        frequency_penalty: float | None = None,
        presence_penalty: float | None = None,
        stop: str | Sequence[str] | None = None,
        token_type: str | None = None,
        billing_mode: str | None = None,
        safe_content_filter: bool | None = None,
        sogni_tools: bool | str | None = None,
        sogni_tool_execution: bool | None = None,
        response_format: Mapping[str, Any] | None = None,
        app_source: str | None = None,
        attribution: Attribution | None = None,
        timeout: float = 300.0,
        auto_execute_tools: bool = False,
        max_tool_rounds: int = 5,
        on_tool_call: Callable[[Any], Any] | None = None,
        on_tool_progress: Callable[[Any, ToolExecutionProgress], None] | None = None,
        media_context: MediaContext | None = None,
    ) -> Any:
        """Run one chat completion on the Supernet over the socket (02 §2).

        Every argument is checked before anything is sent; image parts must be
        inline PNG/JPEG data URIs (at most 20, 10 MB each; larger than 1024 px
        is scaled down with Pillow).

        Args:
            messages: OpenAI-style messages.
            model: LLM model id; default: the documented default model if it
                has workers, else the one with most workers.
            stream: ``True`` returns a :class:`ChatStream` at once; sent as
                given (``None``, the default, leaves it out, as the SDK does).
            tools, tool_choice: OpenAI function tools (e.g. ``sogni_tools()``).
            think: enable/disable the model's thinking (``None``: server default).
            task_profile: ``general`` | ``coding`` | ``reasoning``.
            temperature ... stop: sampling overrides.
            token_type: ``sogni`` | ``spark``.
            billing_mode, safe_content_filter, sogni_tools,
            sogni_tool_execution, response_format, app_source, attribution:
                forwarded as in 02 §2.2.
            timeout: seconds a non-streaming call waits (02 §2.9: 300 s).
            auto_execute_tools: run the model's tool calls and send the
                results back until it answers without tools (02 §2.13;
                non-streaming only): Sogni media tools run as projects,
                others go to ``on_tool_call(call)``.
            max_tool_rounds: most rounds before ``ChatError`` (default 5).
            on_tool_call: handler for your own (non-Sogni) tools.
            on_tool_progress: ``(call, ToolExecutionProgress)`` for each Sogni call.
            media_context: media the tool calls may address by index; the
                loop adds the message images as uploads and each round's results.

        Returns:
            A :class:`ChatCompletion`, or a :class:`ChatStream` with ``stream=True``.

        Raises:
            InvalidParamsError: a bad argument (``field`` names it).
            ChatError: the job failed (``code``, ``error_type`` kept).
            ConnectionClosedError: the connection ended for good.
        """
        chat = self._chat
        client = chat._client
        client._check_open()
        if auto_execute_tools:
            if stream:
                raise InvalidParamsError(
                    "stream",
                    "auto_execute_tools is not supported with stream=True; run "
                    "client.chat.tools.execute_all() in your streaming loop instead",
                )
            kwargs = {
                "model": model, "tools": tools, "tool_choice": tool_choice, "think": think,
                "task_profile": task_profile, "temperature": temperature, "top_p": top_p,
                "top_k": top_k, "min_p": min_p, "max_tokens": max_tokens,
                "repetition_penalty": repetition_penalty, "frequency_penalty": frequency_penalty,
                "presence_penalty": presence_penalty, "stop": stop, "token_type": token_type,
                "billing_mode": billing_mode, "safe_content_filter": safe_content_filter,
                "sogni_tools": sogni_tools, "sogni_tool_execution": sogni_tool_execution,
                "response_format": response_format, "app_source": app_source,
                "attribution": attribution, "timeout": timeout,
            }  # fmt: skip
            return await self._auto(
                messages,
                kwargs,
                max_tool_rounds or 5,
                on_tool_call,
                on_tool_progress,
                media_context,
            )
        if model is None:
            model = select_llm_model(await chat.wait_for_models())
        fetched = await chat._fetch_images(messages)
        job_id = uuid4_upper(os.urandom(16))
        request = build_llm_request(
            job_id=job_id,
            model=model,
            messages=messages,
            stream=stream,
            max_tokens=max_tokens,
            temperature=temperature,
            top_p=top_p,
            top_k=top_k,
            min_p=min_p,
            repetition_penalty=repetition_penalty,
            frequency_penalty=frequency_penalty,
            presence_penalty=presence_penalty,
            stop=stop,
            tools=tools,
            tool_choice=tool_choice,
            think=think,
            task_profile=task_profile,
            token_type=token_type,
            billing_mode=billing_mode,
            safe_content_filter=safe_content_filter,
            sogni_tools=sogni_tools,
            sogni_tool_execution=sogni_tool_execution,
            response_format=response_format,
            app_source=app_source,
            default_app_source=client.app_source,
            attribution=attribution,
            model_info=chat.models.get(model),
            resize=resize_image,
            fetched_images=fetched,
        )
        job = _Job(chat, job_id, model)
        chat._jobs[job_id] = job
        client._driver.call(
            client._conn.send_llm_request, request, timeout=None if stream else timeout
        )
        if stream:
            return ChatStream(job)
        try:
            await job.done.wait()
        except BaseException:
            job.cancel()
            raise
        return job.outcome()

    async def _auto(
        self,
        messages: Sequence[Mapping[str, Any]],
        kwargs: dict[str, Any],
        rounds: int,
        on_tool_call: Callable[[Any], Any] | None,
        on_tool_progress: Callable[[Any, ToolExecutionProgress], None] | None,
        media_context: MediaContext | None,
    ) -> ChatCompletion:
        """The client-side tool loop of 02 §2.13."""
        validate_messages(messages)  # before any I/O, as a single call would
        history: list[ToolHistoryEntry] = []
        base = kwargs.pop("attribution")
        root_id = uuid4_upper(os.urandom(16))
        conversation = [dict(m) for m in messages]
        media = auto_media_context(conversation, media_context)
        for index in range(rounds):
            reply: ChatCompletion = await self.create(
                messages=conversation,
                attribution=round_attribution(base, root_id, index),
                **kwargs,
            )
            if reply.choices[0].finish_reason != "tool_calls" or not reply.tool_calls:
                if history:
                    reply = msgspec.structs.replace(reply, tool_history=tuple(history))
                return reply
            results = await self._chat.tools.execute_all(
                reply.tool_calls,
                media_context=media,
                on_tool_call=on_tool_call,
                on_tool_progress=on_tool_progress,
                token_type=kwargs.get("token_type"),
                attribution=project_attribution(base, root_id),
            )
            conversation.append(reply.choices[0].message.to_message())
            conversation.extend(r.to_message() for r in results)
            media = add_results(media, results)
            history.append(
                ToolHistoryEntry(
                    round=index, tool_calls=reply.tool_calls, tool_results=tuple(results)
                )
            )
        raise ChatError(
            f"Max tool calling rounds ({rounds}) exceeded", job_id="", error_type="max_tool_rounds"
        )


class ChatTools:
    """``client.chat.tools``: run hosted media tool calls as projects (02 §4.8)."""

    def __init__(self, chat: Chat) -> None:
        self._chat = chat

    def __repr__(self) -> str:
        return "ChatTools()"

    async def execute(
        self,
        tool_call: Any,
        *,
        media_context: MediaContext | None = None,
        number_of_media: int | None = None,
        token_type: str | None = None,
        timeout: float | None = None,
        on_progress: Callable[[ToolExecutionProgress], None] | None = None,
        attribution: WorkloadAttributionInput | None = None,
    ) -> ToolExecutionResult:
        """Validate one Sogni tool call and run it as a project.

        Direct tools: ``generate_image``, ``edit_image``, ``generate_video``,
        ``sound_to_video``, ``video_to_video``, ``generate_music``; their media
        indices address ``media_context``. A failure of the project becomes an
        error result (``success=False``), as in the SDK.

        ``on_progress`` gets a :class:`ToolExecutionProgress` at each step
        (``creating``, ``queued``, ``processing`` with the project's percent,
        then ``completed`` or ``failed``).

        Returns:
            The :class:`ToolExecutionResult`; ``to_message()`` gives the
            ``tool`` message for the next round.

        Raises:
            InvalidParamsError: not a Sogni tool, bad arguments
                (``ToolArgumentsError`` names the paths), a hosted-only
                tool, or a missing media input - before any I/O.
        """
        client = self._chat._client
        call: SogniToolCall = parse_sogni_tool_call(tool_call)
        available = client.projects.available_models or await client.projects.wait_for_models()
        fetched: dict[str, bytes] = {}
        while True:  # the core names each URL it needs; download it and ask again
            try:
                params, model = tool_project(
                    call,
                    available_models=available,
                    media_context=media_context,
                    number_of_media=number_of_media,
                    token_type=token_type,
                    fetched=fetched,
                )
                break
            except MediaFetchRequired as need:
                fetched[need.url] = await self._download(need.url, need.field)
        if attribution is not None:
            params = msgspec.structs.replace(params, attribution=attribution)
        report = on_progress or (lambda _p: None)
        report(ToolExecutionProgress(status="creating"))
        project = await client.projects.create(params)
        report(ToolExecutionProgress(status="queued"))
        project.on(
            ev.ProjectProgressed,
            lambda e: report(ToolExecutionProgress(status="processing", percent=e.progress)),
        )
        try:
            urls = await project.wait(timeout)
        except (JobFailedError, TimeoutError) as exc:
            report(ToolExecutionProgress(status="failed"))
            return tool_result(call, error=str(exc) or type(exc).__name__)
        report(ToolExecutionProgress(status="completed", percent=100, result_urls=tuple(urls)))
        return tool_result(call, result_urls=urls, model=model)

    async def _download(self, url: str, field: str) -> bytes:
        status, _headers, body = await self._chat._client._rest.send(download_request(url))
        if status >= 400:
            raise InvalidParamsError(field, f"media download failed with HTTP {status}")
        return body

    async def execute_all(
        self,
        tool_calls: Sequence[Any],
        *,
        media_context: MediaContext | None = None,
        on_tool_call: Callable[[Any], Any] | None = None,
        on_tool_progress: Callable[[Any, ToolExecutionProgress], None] | None = None,
        token_type: str | None = None,
        timeout: float | None = None,
        attribution: WorkloadAttributionInput | None = None,
    ) -> list[ToolExecutionResult]:
        """Run every call of one round in order (02 §4.8.1).

        Sogni tool calls run as projects (a validation failure becomes an
        error result, as in the SDK); other calls go to ``on_tool_call(call)``,
        whose string (or awaited string) is the tool's answer;
        ``on_tool_progress(call, progress)`` follows each Sogni call.

        Raises:
            InvalidParamsError: more than 8 direct Sogni tool calls (field ``tool_calls``).
        """
        direct = [c for c in tool_calls if _name(c) in DIRECT_TOOL_NAMES]
        if len(direct) > MAX_DIRECT_TOOL_CALLS:
            raise InvalidParamsError(
                "tool_calls",
                f"Too many Sogni tool calls in a single round ({len(direct)}); "
                f"maximum is {MAX_DIRECT_TOOL_CALLS}",
            )
        results: list[ToolExecutionResult] = []
        for call in tool_calls:
            call_id, name = getattr(call, "id", ""), _name(call)
            if is_sogni_tool_call(call):
                try:
                    progress = _bind(on_tool_progress, call)
                    results.append(
                        await self.execute(
                            call,
                            media_context=media_context,
                            token_type=token_type,
                            timeout=timeout,
                            on_progress=progress,
                            attribution=attribution,
                        )
                    )
                except InvalidParamsError as exc:
                    results.append(_error_result(call_id, name, str(exc)))
            elif on_tool_call is not None:
                try:
                    answer = on_tool_call(call)
                    if inspect.isawaitable(answer):
                        answer = await answer
                    results.append(
                        ToolExecutionResult(
                            tool_call_id=call_id, tool_name=name, success=True, content=str(answer)
                        )
                    )
                except Exception as exc:
                    results.append(_error_result(call_id, name, str(exc) or type(exc).__name__))
            else:
                results.append(
                    _error_result(
                        call_id,
                        name,
                        f"No handler for non-Sogni tool: {name}. Provide an on_tool_call callback.",
                    )
                )
        return results


def _bind(
    callback: Callable[[Any, ToolExecutionProgress], None] | None, call: Any
) -> Callable[[ToolExecutionProgress], None] | None:
    if callback is None:
        return None
    return lambda progress: callback(call, progress)


def _name(call: Any) -> str:
    fn = getattr(call, "function", None)
    return str(getattr(fn, "name", "")) if fn is not None else ""


def _error_result(call_id: str, name: str, text: str) -> ToolExecutionResult:
    content = msgspec.json.encode({"success": False, "error": text}).decode()
    return ToolExecutionResult(
        tool_call_id=call_id, tool_name=name, success=False, content=content, error=text
    )


class Chat:
    """``client.chat``: completions, streams, LLM models and cost estimates."""

    def __init__(self, client: SogniClient) -> None:
        self._client = client
        self._jobs: dict[str, _Job] = {}
        self.models: dict[str, LLMModelInfo] = {}
        """LLM model id -> info, from the last ``swarmLLMModels``."""
        self._models_ready = backend.Event()
        self.completions = Completions(self)
        self.tools = ChatTools(self)
        self.hosted = HostedChat(client)
        """Hosted REST completions and direct tools (02 §3.1-§3.2)."""
        self.runs = ChatRuns(client)
        """Durable hosted chat runs (02 §3.3)."""
        client.on(ev.Event, self._on_event)

    def __repr__(self) -> str:
        return f"Chat(models={len(self.models)}, jobs={len(self._jobs)})"

    def _on_event(self, event: ev.Event) -> None:
        if isinstance(event, _CHAT_EVENTS):
            job_id = event.result.job_id if isinstance(event, ev.ChatCompleted) else event.job_id
            job = self._jobs.get(job_id)
            if job is not None:
                job.feed(event)
                if job.end is not None:
                    self._jobs.pop(job.id, None)
        elif isinstance(event, ev.ServerNotice) and event.name == "swarmLLMModels":
            self.models = parse_llm_models(getattr(event.message, "models", {}) or {})
            if self.models:
                self._models_ready.set()

    def _cancel_nowait(self, job_id: str) -> None:
        try:
            self._client._driver.call(self._client._conn.cancel_chat, job_id)
        except Exception as exc:
            log.debug("cancel of chat %s not applied: %s", job_id, type(exc).__name__)

    async def _fetch_images(self, messages: object) -> dict[str, bytes]:
        """Download the trusted remote image URLs of the messages (02 §2.6)."""
        fetched: dict[str, bytes] = {}
        if not isinstance(messages, list | tuple):
            return fetched  # build_llm_request names the problem
        for url in remote_image_urls([m for m in messages if isinstance(m, Mapping)]):
            status, _headers, body = await self._client._rest.send(download_request(url))
            if status >= 400:
                raise InvalidParamsError(
                    "messages", f"Remote image input fetch failed with HTTP {status}"
                )
            if len(body) > MAX_IMAGE_BYTES:
                raise InvalidParamsError("messages", "image input exceeds 10MB limit")
            fetched[url] = body
        return fetched

    async def wait_for_models(self, timeout: float = 10.0) -> dict[str, LLMModelInfo]:
        """Wait for the first non-empty ``swarmLLMModels`` (02 §2.5).

        Raises:
            TimeoutError: ``Timeout waiting for LLM models``.
        """
        if not self.models and not await backend.wait_event(self._models_ready, timeout):
            raise TimeoutError("Timeout waiting for LLM models")
        return dict(self.models)

    async def estimate_cost(
        self,
        *,
        messages: Sequence[Mapping[str, Any]],
        model: str | None = None,
        max_tokens: int | None = None,
        think: bool | None = None,
        task_profile: str | None = None,
        token_type: str | None = None,
    ) -> LlmEstimateQuote:
        """Estimate a completion's cost without running it (02 §2.12).

        Returns:
            The quote (``cost_in_usd``, ``cost_in_sogni``, ``cost_in_spark``,
            ``cost_in_token``, ``input_tokens``, ``output_tokens``).

        Raises:
            InvalidParamsError: bad messages or parameters.
            ApiStatusError: the server refused.
        """
        if model is None:
            model = select_llm_model(await self.wait_for_models())
        rest = self._client._rest
        request = llm_estimate_request(
            rest.hosts,
            model=model,
            messages=messages,
            max_tokens=max_tokens,
            think=think,
            task_profile=task_profile,
            token_type=token_type,
            model_info=self.models.get(model),
            auth=await rest.auth(),
            fetched_images=await self._fetch_images(messages),
        )
        status, headers, body = await rest.send(request)
        return parse_llm_estimate(status, headers, body)
