"""LLM jobs over the socket (wire reference 02 §2).

``llmJobRequest`` -> ``jobState`` pending / queued / assigned / jobStarted ->
``jobTokens`` chunks (the last carries ``finishReason`` and ``usage``) ->
``llmJobResult`` with usage and cost, or ``llmJobError``.

Replies are deterministic: a function of ``--seed``, the model and the
messages.  When tools are offered and the prompt asks for one (it names a
tool, or ``tool_choice`` is ``required`` or names a function), the reply is a
tool call whose arguments are built from the tool's JSON-schema parameters;
after a ``tool`` message the reply summarises the tool result.
``chat_template_kwargs.enable_thinking`` adds a ``<think>`` block;
``response_format`` ``json_object`` / ``json_schema`` yields JSON; a
``max_tokens`` smaller than the reply truncates it with ``finishReason:
"length"``.  A disconnect cancels the connection's in-flight LLM jobs.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import math
import random
import time
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from .auth import format_amount
from .cost import llm_cost

if TYPE_CHECKING:
    from .session import SocketSession
    from .supernet import Supernet

__all__ = ["ChatRunner", "hosted_completion", "plan_reply"]

TOKEN_DELAY = 0.002
_WORDS = (
    "signal",
    "lattice",
    "render",
    "amber",
    "quiet",
    "vector",
    "harbor",
    "prism",
    "meadow",
    "circuit",
    "ember",
    "tidal",
    "canvas",
    "orbit",
    "willow",
    "cobalt",
)


def _decimal(value: float) -> str:
    """A plain decimal string (``0.00001``, never ``1e-05``), like the server's amounts."""
    return format_amount(Decimal(str(value)))


def _text_of(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(
            str(part.get("text", ""))
            for part in content
            if isinstance(part, dict) and part.get("type") == "text"
        )
    return ""


def _count_images(messages: list[Any]) -> int:
    count = 0
    for message in messages:
        content = message.get("content") if isinstance(message, dict) else None
        if isinstance(content, list):
            count += sum(
                1 for part in content if isinstance(part, dict) and part.get("type") == "image_url"
            )
    return count


def _sample(schema: Any, hint: str, name: str = "value") -> Any:
    if not isinstance(schema, dict):
        return hint
    if "enum" in schema and isinstance(schema["enum"], list) and schema["enum"]:
        return schema["enum"][0]
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "string")
    if kind == "object" or "properties" in schema:
        raw_props = schema.get("properties")
        props: dict[str, Any] = raw_props if isinstance(raw_props, dict) else {}
        raw_required = schema.get("required")
        required: list[Any] = raw_required if isinstance(raw_required, list) else []
        keys = [k for k in props if k in required] or list(props)[:1]
        return {k: _sample(props[k], hint, k) for k in keys}
    if kind == "array":
        return [_sample(schema.get("items"), hint, name)]
    if kind == "integer":
        return int(schema.get("minimum", 1))
    if kind == "number":
        return float(schema.get("minimum", 1))
    if kind == "boolean":
        return True
    return (
        hint if name in ("prompt", "query", "text", "description", "input") else f"{name}: {hint}"
    )


def plan_reply(request: dict[str, Any], seed: int) -> dict[str, Any]:
    """Decide the full reply of one LLM request.

    Returns:
        ``{"content": str, "tool_calls": list, "finish": str, "prompt_tokens": int}``.
    """
    raw_messages = request.get("messages")
    messages: list[Any] = raw_messages if isinstance(raw_messages, list) else []
    last = messages[-1] if messages and isinstance(messages[-1], dict) else {}
    last_user = next(
        (m for m in reversed(messages) if isinstance(m, dict) and m.get("role") == "user"), {}
    )
    prompt = _text_of(last_user.get("content")).strip()
    digest = hashlib.sha256(
        json.dumps([seed, request.get("model"), messages], sort_keys=True, default=str).encode()
    ).hexdigest()
    rng = random.Random(digest)
    prompt_tokens = max(1, math.ceil(len(json.dumps(messages, separators=(",", ":"))) / 4))
    tools = request.get("tools") if isinstance(request.get("tools"), list) else []
    choice = request.get("tool_choice")
    tool_calls: list[dict[str, Any]] = []
    if tools and choice != "none" and last.get("role") != "tool":
        names = {
            t["function"]["name"]: t["function"]
            for t in tools
            if isinstance(t, dict)
            and isinstance(t.get("function"), dict)
            and isinstance(t["function"].get("name"), str)
        }
        wanted = None
        if isinstance(choice, dict) and isinstance(choice.get("function"), dict):
            wanted = choice["function"].get("name")
        if wanted is None:
            lowered = prompt.lower()
            wanted = next(
                (
                    n
                    for n in names
                    if n.lower() in lowered or n.lower().replace("_", " ") in lowered
                ),
                None,
            )
        if wanted is None and choice == "required" and names:
            wanted = next(iter(names))
        if wanted in names:
            args = _sample(names[wanted].get("parameters") or {"type": "object"}, prompt or "x")
            if not isinstance(args, dict):
                args = {"value": args}
            tool_calls.append(
                {
                    "id": "call_" + digest[:24],
                    "name": wanted,
                    "arguments": json.dumps(args, separators=(",", ":")),
                }
            )
    if tool_calls:
        return {
            "content": "",
            "tool_calls": tool_calls,
            "finish": "tool_calls",
            "prompt_tokens": prompt_tokens,
        }
    if last.get("role") == "tool":
        body = f"The tool returned: {_text_of(last.get('content'))[:200]}"
    else:
        images = _count_images(messages)
        seen = f" I see {images} image{'s' if images != 1 else ''}." if images else ""
        words = " ".join(rng.choice(_WORDS) for _ in range(8))
        body = f"Emulated reply to: {prompt[:160]}.{seen} {words}."
    fmt = request.get("response_format")
    if isinstance(fmt, dict) and fmt.get("type") == "json_object":
        body = json.dumps({"reply": body}, separators=(",", ":"))
    elif isinstance(fmt, dict) and fmt.get("type") == "json_schema":
        schema = (
            fmt.get("json_schema", {}).get("schema")
            if isinstance(fmt.get("json_schema"), dict)
            else None
        )
        body = json.dumps(
            _sample(schema or {"type": "object"}, prompt[:80] or "x"), separators=(",", ":")
        )
    kwargs = request.get("chat_template_kwargs")
    if isinstance(kwargs, dict) and kwargs.get("enable_thinking") is True:
        body = f"<think>The user asked: {prompt[:80]}. Answer briefly.</think>{body}"
    finish = "stop"
    limit = request.get("max_tokens")
    if isinstance(limit, int) and not isinstance(limit, bool) and limit > 0:
        pieces = body.split(" ")
        if len(pieces) > limit:
            body = " ".join(pieces[:limit])
            finish = "length"
    return {"content": body, "tool_calls": [], "finish": finish, "prompt_tokens": prompt_tokens}


class ChatRunner:
    """Runs LLM jobs for sessions of one :class:`Supernet`."""

    def __init__(self, hub: Supernet) -> None:
        self._hub = hub
        self._jobs: dict[str, tuple[SocketSession, asyncio.Task[None]]] = {}

    def submit(self, session: SocketSession, payload: Any) -> None:
        """Start one ``llmJobRequest``."""
        if not isinstance(payload, dict) or not isinstance(payload.get("jobID"), str):
            return
        job_id = payload["jobID"].upper()
        task = asyncio.create_task(self._run(session, job_id, payload))
        self._jobs[job_id] = (session, task)
        task.add_done_callback(lambda _t: self._jobs.pop(job_id, None))

    def cancel_for(self, session: SocketSession) -> None:
        """Cancel the in-flight jobs of a closed connection (02 §1.7, inferred)."""
        for owner, task in list(self._jobs.values()):
            if owner is session:
                task.cancel()

    def cancel_all(self) -> list[asyncio.Task[None]]:
        """Cancel every job; returns the tasks so the caller can await them."""
        tasks = [task for _owner, task in list(self._jobs.values())]
        for task in tasks:
            task.cancel()
        return tasks

    async def _sleep(self) -> None:
        delay = TOKEN_DELAY * self._hub.speed * self._hub.faults.slowdown()
        await asyncio.sleep(delay)

    async def _run(self, session: SocketSession, job_id: str, request: dict[str, Any]) -> None:
        hub = self._hub
        started = time.monotonic()
        model = request.get("model")
        if not isinstance(model, str) or model not in hub.catalogue.llm_models:
            await session.send(
                "llmJobError",
                {
                    "jobID": job_id,
                    "error": "model_unavailable",
                    "error_message": f"Model {model} is not available",
                },
            )
            return
        if hub.catalogue.workers(model, session.network) <= 0:
            await session.send(
                "llmJobError",
                {
                    "jobID": job_id,
                    "error": "model_unavailable",
                    "error_message": f"No workers are serving {model} on {session.network}",
                },
            )
            return
        messages = request.get("messages")
        if not isinstance(messages, list) or not messages:
            await session.send(
                "llmJobError",
                {
                    "jobID": job_id,
                    "error": "invalid_request",
                    "error_message": "messages must be a non-empty array",
                },
            )
            return
        subscription = session.principal.account.subscription
        subscription_billed = request.get("billingMode") == "subscription"
        if subscription_billed and (subscription is None or not subscription.active):
            # the server's denial shape of 02 §2.14 (code 4078 NOT_ENTITLED) for an
            # account without an active subscription (Emulator.set_subscription)
            await session.send(
                "llmJobError",
                {
                    "jobID": job_id,
                    "error": "subscription_unavailable",
                    "error_code": "4078",
                    "error_message": "This account has no active subscription",
                },
            )
            return
        token_type = "spark" if request.get("tokenType") == "spark" else "sogni"
        plan = plan_reply(request, hub.seed)
        estimate = llm_cost(hub.catalogue, model, plan["prompt_tokens"], 4096)
        estimated = _decimal(estimate["costInSpark" if token_type == "spark" else "costInSogni"])
        worker_no = int(hashlib.sha256(job_id.encode()).hexdigest(), 16) % 8
        worker = f"emu-llm-{session.network}-{worker_no:02d}"
        for state in (
            {"jobID": job_id, "type": "pending", "modelId": model, "estimatedCost": estimated},
            {
                "jobID": job_id,
                "type": "queued",
                "queuePosition": 0,
                "modelId": model,
                "estimatedCost": estimated,
            },
            {"jobID": job_id, "type": "assigned", "workerName": worker},
            {"jobID": job_id, "type": "jobStarted", "workerName": worker},
        ):
            await session.send("jobState", state)
            await self._sleep()
        content: str = plan["content"]
        pieces = [p + " " for p in content.split(" ")] if content else []
        if pieces:
            pieces[-1] = pieces[-1][:-1]
        completion_tokens = max(1, math.ceil(len(content) / 4)) if content else 0
        for call in plan["tool_calls"]:
            completion_tokens += max(1, math.ceil(len(call["arguments"]) / 4))
        usage = {
            "prompt_tokens": plan["prompt_tokens"],
            "completion_tokens": completion_tokens,
            "total_tokens": plan["prompt_tokens"] + completion_tokens,
        }
        chunks: list[dict[str, Any]] = []
        for i in range(0, len(pieces), 3):
            chunks.append({"jobID": job_id, "content": "".join(pieces[i : i + 3])})
        for index, call in enumerate(plan["tool_calls"]):
            chunks.append(
                {
                    "jobID": job_id,
                    "tool_calls": [
                        {
                            "index": index,
                            "id": call["id"],
                            "type": "function",
                            "function": {"name": call["name"], "arguments": ""},
                        }
                    ],
                }
            )
            args = call["arguments"]
            for start in range(0, len(args), 16):
                chunks.append(
                    {
                        "jobID": job_id,
                        "tool_calls": [
                            {"index": index, "function": {"arguments": args[start : start + 16]}}
                        ],
                    }
                )
        if not chunks:
            chunks.append({"jobID": job_id, "content": ""})
        chunks[0]["role"] = "assistant"
        chunks[-1]["finishReason"] = plan["finish"]
        chunks[-1]["usage"] = usage
        for chunk in chunks:
            if not await session.send("jobTokens", chunk):
                return
            await self._sleep()
        cost = llm_cost(hub.catalogue, model, plan["prompt_tokens"], completion_tokens)
        wire_cost = {
            "costInUSD": _decimal(cost["costInUSD"]),
            "costInToken": _decimal(cost["costInToken"]),
            "costInSogni": _decimal(cost["costInSogni"]),
            "costInSpark": _decimal(cost["costInSpark"]),
            "inputTokens": cost["inputTokens"],
            "outputTokens": cost["outputTokens"],
        }
        await session.send(
            "llmJobResult",
            {
                "jobID": job_id,
                "usage": usage,
                "timeTaken": round(time.monotonic() - started, 3),
                "cost": wire_cost,
                "workerName": worker,
            },
        )
        if subscription_billed:
            return  # covered by the subscription: no token debit
        account = session.principal.account
        amount = cost["costInSpark"] if token_type == "spark" else cost["costInSogni"]
        account.debit(token_type, Decimal(str(amount)))
        await hub.send_balance(account.id)


def hosted_completion(hub: Supernet, account: Any, body: dict[str, Any]) -> tuple[int, Any]:
    """``POST /v1/chat/completions`` (02 §3.1): the OpenAI-shaped bare response.

    Args:
        hub: the emulator.
        account: the caller's :class:`~.auth.Account`.
        body: the JSON request (snake_case fields, 02 §3.1).

    Returns:
        ``(HTTP status, JSON body)``; errors use the OpenAI error envelope
        ``{"error": {"message", "type", "code"}}`` (02 §2.14 shape 1).
    """
    model = body.get("model")
    if not isinstance(model, str) or model not in hub.catalogue.llm_models:
        return 404, {
            "error": {
                "message": f"Model {model} is not available",
                "type": "model_unavailable",
                "code": "model_unavailable",
            }
        }
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        return 400, {
            "error": {
                "message": "messages must be a non-empty array",
                "type": "invalid_request",
                "code": "invalid_request",
            }
        }
    request = dict(body)
    plan = plan_reply(request, hub.seed)
    completion = max(1, math.ceil(len(plan["content"]) / 4)) if plan["content"] else 0
    for call in plan["tool_calls"]:
        completion += max(1, math.ceil(len(call["arguments"]) / 4))
    usage = {
        "prompt_tokens": plan["prompt_tokens"],
        "completion_tokens": completion,
        "total_tokens": plan["prompt_tokens"] + completion,
    }
    message: dict[str, Any] = {"role": "assistant", "content": plan["content"] or None}
    if plan["tool_calls"]:
        message["tool_calls"] = [
            {
                "id": c["id"],
                "type": "function",
                "function": {"name": c["name"], "arguments": c["arguments"]},
            }
            for c in plan["tool_calls"]
        ]
    digest = hashlib.sha256(json.dumps([hub.seed, messages], default=str).encode()).hexdigest()
    token_type = "spark" if body.get("token_type") == "spark" else "sogni"
    cost = llm_cost(hub.catalogue, model, plan["prompt_tokens"], completion)
    account.debit(
        token_type, Decimal(str(cost["costInSpark" if token_type == "spark" else "costInSogni"]))
    )
    return 200, {
        "id": "chatcmpl-" + digest[:24],
        "object": "chat.completion",
        "created": int(hub.clock.now()),
        "model": model,
        "choices": [{"index": 0, "message": message, "finish_reason": plan["finish"]}],
        "usage": usage,
    }
