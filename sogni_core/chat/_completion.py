"""OpenAI-shaped chat results and the typed chat error (wire reference 02 §2.8-§2.10, §2.14).

The job machine (:mod:`sogni_core.state.chat`) assembles ``jobTokens`` into a
:class:`~sogni_core.state.events.ChatResult`; this module re-shapes it as an
OpenAI ``chat.completion`` (``choices[0].message.content`` / ``tool_calls``,
``usage``) plus the Sogni extras (``cost``, ``worker_name``, ``time_taken``),
and each streamed chunk as a ``chat.completion.chunk``.
"""

from __future__ import annotations

from typing import Any, Final

import msgspec

from sogni_core.protocol._errors import ApiError
from sogni_core.state import events as ev

__all__ = [
    "ChatCompletion",
    "ChatCompletionChunk",
    "ChatCompletionMessage",
    "ChatError",
    "Choice",
    "ChunkChoice",
    "ChunkDelta",
    "FunctionCall",
    "MessageToolCall",
    "SUBSCRIPTION_CODES",
    "ToolHistoryEntry",
    "chat_error",
    "chunk_from_event",
    "completion_from_result",
]

SUBSCRIPTION_CODES: Final = frozenset({4078, 4079, 4080, 4081})
"""02 §2.14: NOT_ENTITLED, QUEUE_CAP, GRACE_RETRY, SUBSCRIPTION_FEATURE_REQUIRES_UPGRADE."""


class FunctionCall(msgspec.Struct, frozen=True, kw_only=True):
    """The function of a tool call; ``arguments`` is a JSON string."""

    name: str
    arguments: str


class MessageToolCall(msgspec.Struct, frozen=True, kw_only=True):
    """One assembled tool call of an assistant message."""

    id: str
    function: FunctionCall
    type: str = "function"


class ChatCompletionMessage(msgspec.Struct, frozen=True, kw_only=True):
    """The assistant's answer (``choices[0].message``)."""

    role: str
    content: str | None
    tool_calls: tuple[MessageToolCall, ...] = ()

    def to_message(self) -> dict[str, object]:
        """This answer as a message dict to append to the conversation."""
        out: dict[str, object] = {"role": self.role, "content": self.content}
        if self.tool_calls:
            out["tool_calls"] = [msgspec.to_builtins(c) for c in self.tool_calls]
        return out


class Choice(msgspec.Struct, frozen=True, kw_only=True):
    """One completion choice (the socket returns exactly one)."""

    index: int
    message: ChatCompletionMessage
    finish_reason: str


class ToolHistoryEntry(msgspec.Struct, frozen=True, kw_only=True):
    """One round of the automatic tool loop (02 §2.13).

    Attributes:
        round: 0-based round number.
        tool_calls: the calls the model made.
        tool_results: one ``ToolExecutionResult`` per call, in order.
    """

    round: int
    tool_calls: tuple[MessageToolCall, ...]
    tool_results: tuple[Any, ...]


class ChatCompletion(msgspec.Struct, frozen=True, kw_only=True):
    """A finished socket chat completion.

    Attributes:
        id: the job id (uppercase UUID).
        model: the requested model id.
        choices: one :class:`Choice`.
        usage: token counts (zeros when the server sent none).
        cost: the settled cost from ``llmJobResult``, if sent.
        worker_name: the worker that ran the job, if known.
        time_taken: ``llmJobResult.timeTaken`` (unit not specified by the server).
        tool_history: the rounds of ``auto_execute_tools``, if any ran.
    """

    id: str
    model: str
    choices: tuple[Choice, ...]
    usage: ev.Usage
    cost: ev.Cost | None = None
    worker_name: str | None = None
    time_taken: float = 0.0
    tool_history: tuple[ToolHistoryEntry, ...] = ()
    object: str = "chat.completion"

    @property
    def content(self) -> str | None:
        """Shortcut for ``choices[0].message.content``."""
        return self.choices[0].message.content

    @property
    def tool_calls(self) -> tuple[MessageToolCall, ...]:
        """Shortcut for ``choices[0].message.tool_calls``."""
        return self.choices[0].message.tool_calls


class ChunkDelta(msgspec.Struct, frozen=True, kw_only=True):
    """What one chunk adds: text and raw tool-call fragments (02 §2.7)."""

    role: str | None = None
    content: str = ""
    tool_calls: tuple[ev.ToolCallDelta, ...] = ()


class ChunkChoice(msgspec.Struct, frozen=True, kw_only=True):
    """The single choice of a chunk."""

    index: int
    delta: ChunkDelta
    finish_reason: str | None = None


class ChatCompletionChunk(msgspec.Struct, frozen=True, kw_only=True):
    """One streamed ``jobTokens`` chunk, OpenAI-shaped."""

    id: str
    model: str
    choices: tuple[ChunkChoice, ...]
    usage: ev.Usage | None = None
    object: str = "chat.completion.chunk"

    @property
    def content(self) -> str:
        """Shortcut for ``choices[0].delta.content``."""
        return self.choices[0].delta.content


def completion_from_result(result: ev.ChatResult, model: str) -> ChatCompletion:
    """Re-shape an assembled job result as a :class:`ChatCompletion`."""
    calls = tuple(
        MessageToolCall(id=c.id, function=FunctionCall(name=c.name, arguments=c.arguments))
        for c in result.tool_calls
    )
    content: str | None = result.content
    if calls and not content:
        content = None
    message = ChatCompletionMessage(role=result.role, content=content, tool_calls=calls)
    usage = result.usage
    if usage.total_tokens is None:
        usage = ev.Usage(
            prompt_tokens=usage.prompt_tokens,
            completion_tokens=usage.completion_tokens,
            total_tokens=usage.prompt_tokens + usage.completion_tokens,
        )
    return ChatCompletion(
        id=result.job_id,
        model=model,
        choices=(Choice(index=0, message=message, finish_reason=result.finish_reason),),
        usage=usage,
        cost=result.cost,
        worker_name=result.worker_name,
        time_taken=result.time_taken,
    )


def chunk_from_event(chunk: ev.ChatChunk, model: str, *, first: bool) -> ChatCompletionChunk:
    """Re-shape one ``ChatChunk`` event; ``first`` carries the role."""
    delta = ChunkDelta(
        role=chunk.role if first else None, content=chunk.content, tool_calls=chunk.tool_calls
    )
    return ChatCompletionChunk(
        id=chunk.job_id,
        model=model,
        choices=(ChunkChoice(index=0, delta=delta, finish_reason=chunk.finish_reason),),
        usage=chunk.usage,
    )


class ChatError(ApiError):
    """An LLM job failed (``llmJobError``, a disconnect or the local timeout).

    Attributes:
        job_id: the job id.
        code: the wire ``error_code`` string (e.g. ``"4078"``), if any.
        error_type: the wire ``error`` tag (``insufficient_balance``,
            ``model_unavailable``, ``invalid_request``, ``timeout``,
            ``disconnected``, ...).
        message: the human-readable message.
        worker_name: the worker, if known.
        subscription_limit: ``True`` for a 4081 feature-gate denial.
        required_plans: plan ids that would allow the request, cheapest first.
        feature: the gated feature's machine key.
        limitation: user-facing text about the limit.
    """

    def __init__(
        self,
        message: str,
        *,
        job_id: str,
        code: str | None = None,
        error_type: str | None = None,
        worker_name: str | None = None,
        subscription_limit: bool = False,
        required_plans: tuple[str, ...] = (),
        feature: str | None = None,
        limitation: str | None = None,
    ) -> None:
        super().__init__(message, code=code)
        self.job_id = job_id
        self.error_type = error_type
        self.worker_name = worker_name
        self.subscription_limit = subscription_limit
        self.required_plans = required_plans
        self.feature = feature
        self.limitation = limitation

    @property
    def subscription_error_code(self) -> int | None:
        """The numeric code when it is one of 4078-4081, else ``None``."""
        try:
            number = int(str(self.code))
        except ValueError:
            return None
        return number if number in SUBSCRIPTION_CODES else None

    @property
    def is_feature_gate(self) -> bool:
        """02 §2.14: ``subscriptionLimit`` or code 4081."""
        return self.subscription_limit or self.subscription_error_code == 4081


def chat_error(event: ev.ChatFailed, *, streaming: bool = False) -> ChatError:
    """The :class:`ChatError` for a ``ChatFailed`` event (02 §2.9).

    The message is ``<error>: <message>`` as the SDK's non-streaming path
    words it, and the bare message on the streaming path (``streaming=True``).
    """
    text = event.message
    if not streaming and event.error_type and event.error_type not in ("timeout", "disconnected"):
        text = f"{event.error_type}: {event.message}"
    return ChatError(
        text,
        job_id=event.job_id,
        code=event.error_code,
        error_type=event.error_type,
        worker_name=event.worker_name,
        subscription_limit=event.subscription_limit,
        required_plans=event.required_plans,
        feature=event.feature,
        limitation=event.limitation,
    )
