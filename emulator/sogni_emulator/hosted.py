"""Hosted REST chat: streamed completions, server-side tool execution, direct tools.

* ``POST /v1/chat/completions`` (02 §3.1). Plain requests go to the router's
  existing handler (:func:`sogni_emulator.chat.hosted_completion`). With
  ``"stream": true`` the same deterministic completion is sent as OpenAI
  ``chat.completion.chunk`` SSE events (role, content pieces, tool-call
  deltas, a final chunk with ``finish_reason`` and ``usage``) and
  ``data: [DONE]``. With ``sogni_tool_execution: true`` (and ``sogni_tools``
  not disabled) a prompt naming a media tool (``generate_image``,
  ``generate_video``, ``generate_music``) runs that tool server-side as a
  one-step durable workflow - a real rendered artifact - and the answer
  carries ``creative_workflows`` ``[{workflowId, status, url, eventsUrl,
  streamUrl}]`` and ``sogni_tool_results`` ``[{tool, success, workflowId,
  startIndex, indices}]``.
* ``POST /v1/creative-agent/tools/execute`` (02 §3.2): the synchronous
  composition tools (``enhance_prompt``, ``compose_script``,
  ``compose_lyrics``, ``compose_instrumental``, ``compose_workflow``,
  ``compose_workflow_template``) with deterministic results.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from .chat import hosted_completion
from .http import HttpRequest, HttpResponse, error_response, json_response, success

if TYPE_CHECKING:
    from .auth import Principal
    from .rest import Router
    from .workflows import WorkflowService

__all__ = ["HostedService"]

_MEDIA_TOOLS = ("generate_image", "generate_video", "generate_music")
_DIRECT_TOOLS = frozenset(
    {
        "enhance_prompt",
        "compose_script",
        "compose_lyrics",
        "compose_instrumental",
        "compose_workflow",
        "compose_workflow_template",
    }
)


def _last_user_text(messages: Any) -> str:
    for message in reversed(messages if isinstance(messages, list) else []):
        if isinstance(message, dict) and message.get("role") == "user":
            content = message.get("content")
            if isinstance(content, str):
                return content
            if isinstance(content, list):
                return " ".join(
                    str(p.get("text", "")) for p in content if isinstance(p, dict)
                ).strip()
    return ""


def _sse(payload: Any) -> bytes:
    return b"data: " + json.dumps(payload, separators=(",", ":")).encode() + b"\n\n"


class HostedService:
    """The hosted chat handlers (see the module docstring)."""

    def __init__(self, hub: Any, workflows: WorkflowService, router: Router) -> None:
        self.hub = hub
        self.workflows = workflows
        self.router = router

    async def completions(
        self, r: HttpRequest, p: Principal | None, m: dict[str, str]
    ) -> HttpResponse:
        try:
            body = r.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            return await self.router.chat_completions(r, p, m)
        stream = body.get("stream") is True
        mode = body.get("sogni_tools", True)
        tools_on = mode not in (False, "none", "false")
        wanted = next((t for t in _MEDIA_TOOLS if t in _last_user_text(body.get("messages"))), None)
        execute = body.get("sogni_tool_execution") is True and tools_on and wanted is not None
        if not stream and not execute:
            return await self.router.chat_completions(r, p, m)
        assert p is not None
        plain = {k: v for k, v in body.items() if k != "stream"}
        status, payload = hosted_completion(self.hub, p.account, plain)
        if status != 200:
            return json_response(payload, status)
        await self.hub.send_balance(p.account.id)
        if execute and wanted is not None:
            self._execute_tool(p, payload, wanted, _last_user_text(body.get("messages")))
        if not stream:
            return json_response(payload)
        response = HttpResponse(200, content_type="text/event-stream; charset=utf-8")
        response.headers.append(("cache-control", "no-cache"))
        response.stream = self._chunks(payload)
        return response

    def _execute_tool(self, p: Principal, payload: dict[str, Any], tool: str, prompt: str) -> None:
        plan = {
            "title": f"Hosted {tool}",
            "steps": [{"id": "tool_1", "toolName": tool, "arguments": {"prompt": prompt[:300]}}],
        }
        run = self.workflows._create(p, plan, {"input": plan}, [], None)
        base = f"/v1/creative-agent/workflows/{run.id}"
        payload["creative_workflows"] = [
            {
                "workflowId": run.id,
                "status": run.status,
                "url": base,
                "eventsUrl": base + "/events",
                "streamUrl": base + "/events/stream",
            }
        ]
        payload["sogni_tool_results"] = [
            {
                "tool": tool,
                "success": True,
                "workflowId": run.id,
                "message": f"{tool} started as workflow {run.id}",
                "startIndex": 0,
                "indices": [0],
            }
        ]

    async def _chunks(self, payload: dict[str, Any]) -> AsyncIterator[bytes]:
        base = {
            "id": payload["id"],
            "object": "chat.completion.chunk",
            "created": payload["created"],
            "model": payload["model"],
        }
        choice = payload["choices"][0]
        message = choice["message"]
        yield _sse({**base, "choices": [{"index": 0, "delta": {"role": "assistant"}}]})
        words = (message.get("content") or "").split(" ")
        if message.get("content"):
            for i in range(0, len(words), 3):
                piece = " ".join(words[i : i + 3]) + (" " if i + 3 < len(words) else "")
                yield _sse({**base, "choices": [{"index": 0, "delta": {"content": piece}}]})
        for index, call in enumerate(message.get("tool_calls") or []):
            arguments = call["function"]["arguments"]
            half = len(arguments) // 2
            first = {
                "index": index,
                "id": call["id"],
                "type": "function",
                "function": {"name": call["function"]["name"], "arguments": arguments[:half]},
            }
            yield _sse({**base, "choices": [{"index": 0, "delta": {"tool_calls": [first]}}]})
            rest = {"index": index, "function": {"arguments": arguments[half:]}}
            yield _sse({**base, "choices": [{"index": 0, "delta": {"tool_calls": [rest]}}]})
        final: dict[str, Any] = {
            **base,
            "choices": [{"index": 0, "delta": {}, "finish_reason": choice["finish_reason"]}],
            "usage": payload.get("usage"),
        }
        for key in ("creative_workflows", "sogni_tool_results"):
            if key in payload:
                final[key] = payload[key]
        yield _sse(final)
        yield b"data: [DONE]\n\n"

    async def execute_tool(
        self, r: HttpRequest, p: Principal | None, m: dict[str, str]
    ) -> HttpResponse:
        try:
            body = r.json()
        except ValueError:
            return error_response(400, "body must be JSON", 400)
        if not isinstance(body, dict):
            return error_response(400, "body must be an object", 400)
        tool = body.get("tool")
        args = body.get("arguments")
        if tool not in _DIRECT_TOOLS:
            return error_response(400, f"Tool {tool!r} cannot be executed directly", 400)
        if not isinstance(args, dict):
            return error_response(400, "arguments must be an object", 400)
        text = str(
            args.get("prompt")
            or args.get("topic")
            or args.get("description")
            or args.get("idea")
            or tool
        )
        digest = hashlib.sha256(
            f"{self.hub.seed}:{tool}:{json.dumps(args, sort_keys=True)}".encode()
        )
        call_id = "call_" + digest.hexdigest()[:24]
        result: dict[str, Any]
        if tool == "enhance_prompt":
            result = {"prompt": f"{text}, cinematic lighting, highly detailed, 35mm photograph"}
        elif tool == "compose_script":
            result = {
                "script": f"SCENE 1. {text}.\nSCENE 2. The light changes.\nSCENE 3. Fade out."
            }
        elif tool == "compose_lyrics":
            result = {"lyrics": f"[verse]\n{text}\n[chorus]\nSing it again, {text}"}
        elif tool == "compose_instrumental":
            result = {"structure": ["intro", "theme", "bridge", "theme", "outro"], "mood": text}
        else:
            steps = [
                {"id": "keyframe", "toolName": "generate_image", "arguments": {"prompt": text}},
                {
                    "id": "clip",
                    "toolName": "generate_video",
                    "arguments": {"prompt": text, "duration": 1},
                    "dependsOn": [
                        {
                            "sourceStepId": "keyframe",
                            "sourceArtifactIndex": 0,
                            "targetArgument": "referenceImageIndices",
                            "mediaType": "image",
                            "transform": "image_index",
                        }
                    ],
                },
            ]
            if tool == "compose_workflow":
                result = {"workflow": {"title": text[:60], "steps": steps}}
            else:
                result = {"template": {"name": text[:60], "version": "1.0.0", "steps": steps}}
        return success({"toolCallId": call_id, "tool": tool, "result": result, "message": None})
