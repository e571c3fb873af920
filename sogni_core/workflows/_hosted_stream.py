"""Streamed hosted chat completions: SSE chunks in, one completion out.

With ``stream: true`` an OpenAI-compatible ``POST /v1/chat/completions``
answers ``text/event-stream`` whose events carry ``chat.completion.chunk``
objects, ending with ``data: [DONE]``. :class:`HostedChatStream` decodes the
bytes (through :class:`~sogni_core.protocol.sse.SSEDecoder`) and reduces the
chunks into the final :class:`HostedChatCompletion` - the one accumulation
rule shared by every transport (STYLE A4): content deltas concatenate, tool
call deltas merge by ``index`` (``arguments`` concatenate), the last
``finish_reason`` and ``usage`` win.
"""

from __future__ import annotations

from typing import Any

import msgspec

from sogni_core.protocol._errors import RemoteProtocolError
from sogni_core.protocol._generated.rest import HostedChatCompletion
from sogni_core.protocol._generated.workflows import HostedChatChunk
from sogni_core.protocol.sse import SSEDecoder

__all__ = ["HostedChatStream"]

_DONE = "[DONE]"


class HostedChatStream:
    """Incremental decoder and reducer of one streamed completion."""

    def __init__(self) -> None:
        self._decoder = SSEDecoder(dispatch_incomplete=True)
        self.done = False
        """``True`` once ``[DONE]`` arrived (or :meth:`finish` was called)."""
        self._id = ""
        self._model: str | None = None
        self._created: float | None = None
        self._content: list[str] = []
        self._role = "assistant"
        self._finish: str | None = None
        self._usage: Any = None
        self._tools: dict[int, dict[str, Any]] = {}
        self._workflows: list[Any] | None = None
        self._tool_results: list[Any] | None = None

    def feed(self, data: bytes) -> list[HostedChatChunk]:
        """Decode body bytes into chunks (empty after ``[DONE]``).

        Raises:
            RemoteProtocolError: bad SSE, a chunk that is not JSON, or an
                ``error`` object in the stream.
            LocalProtocolError: called after :meth:`finish` (from the decoder).
        """
        return self._take(self._decoder.feed(data))

    def finish(self) -> list[HostedChatChunk]:
        """The body ended; returns any last chunk."""
        chunks = self._take(self._decoder.finish())
        self.done = True
        return chunks

    def _take(self, events: list[Any]) -> list[HostedChatChunk]:
        out: list[HostedChatChunk] = []
        for event in events:
            text = event.data.strip()
            if self.done or not text:
                continue
            if text == _DONE:
                self.done = True
                continue
            try:
                raw = msgspec.json.decode(text)
            except msgspec.DecodeError as exc:
                raise RemoteProtocolError("hosted chat stream chunk is not JSON") from exc
            if isinstance(raw, dict) and isinstance(raw.get("error"), dict):
                message = raw["error"].get("message")
                text = message if isinstance(message, str) else "unknown"
                raise RemoteProtocolError(f"hosted chat stream error: {text}")
            try:
                chunk = msgspec.convert(raw, HostedChatChunk)
            except msgspec.ValidationError as exc:
                raise RemoteProtocolError(f"unexpected chunk shape: {exc}") from exc
            self._reduce(chunk)
            out.append(chunk)
        return out

    def _reduce(self, chunk: HostedChatChunk) -> None:
        self._id = chunk.id or self._id
        self._model = chunk.model or self._model
        self._created = chunk.created if chunk.created is not None else self._created
        if chunk.usage is not None:
            self._usage = dict(chunk.usage)
        if chunk.creative_workflows is not None:
            self._workflows = list(chunk.creative_workflows)
        if chunk.sogni_tool_results is not None:
            self._tool_results = list(chunk.sogni_tool_results)
        for choice in chunk.choices:
            delta = choice.get("delta") or {}
            if isinstance(delta.get("role"), str):
                self._role = delta["role"]
            if isinstance(delta.get("content"), str):
                self._content.append(delta["content"])
            for call in delta.get("tool_calls") or ():
                index = call.get("index", len(self._tools))
                slot = self._tools.setdefault(
                    index,
                    {"id": None, "type": "function", "function": {"name": "", "arguments": ""}},
                )
                if call.get("id"):
                    slot["id"] = call["id"]
                fn = call.get("function") or {}
                if fn.get("name"):
                    slot["function"]["name"] = fn["name"]
                if isinstance(fn.get("arguments"), str):
                    slot["function"]["arguments"] += fn["arguments"]
            if choice.get("finish_reason") is not None:
                self._finish = choice["finish_reason"]

    @property
    def content(self) -> str:
        """The text received so far."""
        return "".join(self._content)

    def result(self) -> HostedChatCompletion:
        """The accumulated completion (``object`` = ``chat.completion``)."""
        message: dict[str, Any] = {"role": self._role, "content": self.content or None}
        if self._tools:
            message["tool_calls"] = [self._tools[i] for i in sorted(self._tools)]
        return HostedChatCompletion(
            id=self._id,
            object="chat.completion",
            created=self._created,
            model=self._model,
            choices=({"index": 0, "message": message, "finish_reason": self._finish},),
            usage=self._usage,
            creative_workflows=tuple(self._workflows) if self._workflows is not None else None,
            sogni_tool_results=tuple(self._tool_results)
            if self._tool_results is not None
            else None,
        )
