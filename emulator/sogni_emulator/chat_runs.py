"""Durable hosted chat runs (wire reference 02 §3.3).

``POST /v1/chat/runs`` persists a run and drives it in the background:
``run_created`` -> ``llm_round_started`` -> ``assistant_message_delta`` (one
per word group) -> ``assistant_message_completed`` -> ``run_completed``, with
the deterministic reply of :func:`sogni_emulator.chat.plan_reply`.

When the last user message names a media tool (``generate_image``,
``generate_video``, ``generate_music``) the run dispatches it as a tool
call: ``tool_call_dispatched`` -> (with ``runtime_config.requireJobConfirmation``
a pause: status ``waiting_for_user``, ``waiting.reason``
``cost_approval_required``, events ``run_waiting_for_user`` and
``run_awaiting_cost_confirmation`` carrying ``{toolCallId, toolName,
estimatedCost, tokenType}``; ``POST .../confirm-cost`` answers it) ->
``tool_call_resolved`` with a real rendered artifact -> the reply.

Events are ``{runId, sequence, type, at, payload}`` (the SDK reads ``at``,
02 §8.8); the SSE stream is the workflows one (``id: <sequence>``,
``Last-Event-ID`` replay, heartbeats, ``sse-drop`` fault) and closes after a
terminal ``run_*`` event. An ``Idempotency-Key`` on create returns the same
run with ``idempotent: true``.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
from typing import TYPE_CHECKING, Any

from .chat import plan_reply
from .http import HttpRequest, HttpResponse, error_response, json_response, success
from .workflows import STEP_SECONDS, EventLog, iso, sse_response

if TYPE_CHECKING:
    from .auth import Principal
    from .supernet import Supernet

__all__ = ["ChatRunService"]

log = logging.getLogger("sogni_emulator")

_MEDIA_TOOLS = {"generate_image": "image", "generate_video": "video", "generate_music": "audio"}
_TERMINAL_EVENTS = frozenset(
    {"run_completed", "run_failed", "run_partial_failure", "run_cancelled"}
)
_TERMINAL = frozenset({"completed", "partial_failure", "failed", "cancelled"})


def _chat_error(status: int, message: str, code: str) -> HttpResponse:
    # A recognised chat error body (02 §2.14 shape 1) with a top-level message.
    return json_response(
        {"message": message, "error": {"message": message, "type": code, "code": code}}, status
    )


class ChatRun:
    """One persisted run."""

    def __init__(self, run_id: str, owner: str, record: dict[str, Any]) -> None:
        self.id = run_id
        self.owner = owner
        self.record = record
        self.log = EventLog()
        self.task: asyncio.Task[None] | None = None
        self.decision: asyncio.Future[dict[str, Any]] | None = None


class ChatRunService:
    """All chat runs of the emulator."""

    def __init__(self, hub: Supernet) -> None:
        self.hub = hub
        self.runs: dict[str, ChatRun] = {}
        self._count = 0
        self._idempotent: dict[tuple[str, str], str] = {}

    def _event(self, run: ChatRun, type_: str, payload: dict[str, Any] | None = None) -> None:
        sequence = len(run.log.events) + 1
        event = {
            "runId": run.id,
            "sequence": sequence,
            "type": type_,
            "at": iso(self.hub.clock.now()),
            "payload": payload or {},
        }
        run.record["events"].append(event)
        run.record["timestamps"]["updatedAt"] = event["at"]
        run.log.append(event)
        if type_ in _TERMINAL_EVENTS:
            run.record["timestamps"]["completedAt"] = event["at"]
            run.log.close()

    def _own(self, p: Principal | None, run_id: str) -> ChatRun | None:
        run = self.runs.get(run_id)
        if run is None or p is None or run.owner != p.account.id:
            return None
        return run

    async def create(self, r: HttpRequest, p: Principal | None, m: dict[str, str]) -> HttpResponse:
        assert p is not None
        try:
            body = r.json()
        except ValueError:
            return _chat_error(400, "body must be JSON", "invalid_request")
        if not isinstance(body, dict):
            return _chat_error(400, "body must be an object", "invalid_request")
        messages = body.get("messages")
        if not isinstance(messages, list) or not messages:
            return _chat_error(400, "messages must be a non-empty array", "invalid_request")
        model = body.get("model") or next(iter(self.hub.catalogue.llm_models), "qwen")
        if model not in self.hub.catalogue.llm_models:
            return _chat_error(404, f"Model {model} is not available", "model_unavailable")
        key = r.headers.get("idempotency-key")
        if key and (p.account.id, key) in self._idempotent:
            run = self.runs[self._idempotent[(p.account.id, key)]]
            return success({"run": run.record, "idempotent": True}, 202)
        self._count += 1
        digest = hashlib.sha256(f"{self.hub.seed}:run:{self._count}".encode()).hexdigest()
        run_id = f"run_{digest[:20]}"
        now = iso(self.hub.clock.now())
        record: dict[str, Any] = {
            "runId": run_id,
            "status": "queued",
            "schemaVersion": "2026-05-14.1",
            "scope": {
                "ownerWalletAddress": p.account.address,
                "tokenType": body.get("token_type") or "sogni",
                **({"appSource": body["app_source"]} if body.get("app_source") else {}),
            },
            "request": {
                "model": model,
                "messages": messages,
                **({"sessionId": body["session_id"]} if body.get("session_id") else {}),
                **(
                    {"clientMessageId": body["client_message_id"]}
                    if body.get("client_message_id")
                    else {}
                ),
            },
            "messages": list(messages),
            "toolCalls": [],
            "toolResults": [],
            "mediaContext": {"images": [], "videos": [], "audio": []},
            "artifacts": [],
            "events": [],
            "timestamps": {"createdAt": now, "updatedAt": now},
        }
        run = ChatRun(run_id, p.account.id, record)
        self.runs[run_id] = run
        if key:
            self._idempotent[(p.account.id, key)] = run_id
        self._event(run, "run_created", {"status": "queued"})
        run.task = asyncio.get_running_loop().create_task(self._drive(run, body, str(model)))
        return success({"run": record}, 202)

    async def get(self, r: HttpRequest, p: Principal | None, m: dict[str, str]) -> HttpResponse:
        run = self._own(p, m["id"])
        if run is None:
            return error_response(404, "Chat run not found", 404)
        return success({"run": run.record})

    async def stream(self, r: HttpRequest, p: Principal | None, m: dict[str, str]) -> HttpResponse:
        run = self._own(p, m["id"])
        if run is None:
            return error_response(404, "Chat run not found", 404)
        return sse_response(
            self.hub,
            r,
            run.log,
            event_name=lambda e: str(e["type"]),
            finished=lambda: run.record["status"] in _TERMINAL,
        )

    async def cancel(self, r: HttpRequest, p: Principal | None, m: dict[str, str]) -> HttpResponse:
        run = self._own(p, m["id"])
        if run is None:
            return error_response(404, "Chat run not found", 404)
        if run.record["status"] in _TERMINAL:
            return success({"run": run.record})
        try:
            body = r.json()
        except ValueError:
            body = {}
        if run.task is not None:
            run.task.cancel()
            with contextlib.suppress(BaseException):
                await run.task
        run.record["status"] = "cancelled"
        reason = body.get("reason") if isinstance(body, dict) else None
        run.record["cancellationReason"] = reason or "cancelled by user"
        run.record["finalResponse"] = {"finishReason": "cancelled"}
        self._event(run, "run_cancelled", {"reason": run.record["cancellationReason"]})
        return success({"run": run.record})

    async def confirm_cost(
        self, r: HttpRequest, p: Principal | None, m: dict[str, str]
    ) -> HttpResponse:
        run = self._own(p, m["id"])
        if run is None:
            return error_response(404, "Chat run not found", 404)
        try:
            body = r.json()
        except ValueError:
            return error_response(400, "body must be JSON", 400)
        waiting = run.record.get("waiting") or {}
        pending = (waiting.get("details") or {}).get("toolCallId")
        if run.record["status"] != "waiting_for_user" or run.decision is None:
            return error_response(409, "Chat run is not awaiting cost confirmation", 409)
        if not isinstance(body, dict) or body.get("tool_call_id") != pending:
            return error_response(409, "tool_call_id does not match the pending tool", 409)
        if body.get("decision") not in ("confirm", "cancel"):
            return error_response(400, "decision must be confirm or cancel", 400)
        run.decision.set_result(body)
        await asyncio.sleep(0)
        return success({"run": run.record})

    async def _drive(self, run: ChatRun, body: dict[str, Any], model: str) -> None:
        try:
            await self._drive_run(run, body, model)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # an emulator bug must end the run, not hang its streams
            log.exception("chat run %s crashed", run.id)
            run.record["status"] = "failed"
            run.record["failureReason"] = f"emulator error: {type(exc).__name__}"
            self._event(run, "run_failed", {"reason": run.record["failureReason"]})

    async def _drive_run(self, run: ChatRun, body: dict[str, Any], model: str) -> None:
        rec = run.record
        delay = STEP_SECONDS * self.hub.speed * self.hub.faults.step_slowdown()
        await asyncio.sleep(0)
        rec["status"] = "running"
        self._event(run, "llm_round_started", {"round": 1, "model": model})
        prompt = ""
        for message in reversed(body["messages"]):
            if isinstance(message, dict) and message.get("role") == "user":
                content = message.get("content")
                prompt = content if isinstance(content, str) else str(content)
                break
        tool = next((t for t in _MEDIA_TOOLS if t in prompt), None)
        finish = "stop"
        if tool is not None:
            await self._tool_round(run, body, tool, prompt, delay)
            if rec["status"] == "cancelled":
                return
        plan = plan_reply({"model": model, "messages": body["messages"]}, self.hub.seed)
        text = plan["content"] or "Done."
        words = text.split(" ")
        for i in range(0, len(words), 4):
            await asyncio.sleep(delay / 4)
            chunk = " ".join(words[i : i + 4]) + (" " if i + 4 < len(words) else "")
            self._event(run, "assistant_message_delta", {"delta": chunk})
        rec["messages"].append({"role": "assistant", "content": text})
        self._event(run, "assistant_message_completed", {"content": text})
        rec["finalResponse"] = {"content": text, "finishReason": finish}
        rec["status"] = "completed"
        self._event(run, "run_completed", {"status": "completed"})

    async def _tool_round(
        self, run: ChatRun, body: dict[str, Any], tool: str, prompt: str, delay: float
    ) -> None:
        from .render import render

        rec = run.record
        call_id = f"call_{run.id[4:16]}_{len(rec['toolCalls'])}"
        args = {"prompt": prompt[:200]}
        rec["toolCalls"].append(
            {"toolCallId": call_id, "toolName": tool, "arguments": args, "sequence": 0}
        )
        self._event(run, "tool_call_dispatched", {"toolCallId": call_id, "toolName": tool})
        config = body.get("runtime_config") or {}
        if isinstance(config, dict) and config.get("requireJobConfirmation"):
            estimate = {"estimatedCost": 1.5, "tokenType": rec["scope"]["tokenType"]}
            details = {"toolCallId": call_id, "toolName": tool, **estimate}
            details["acceptedCostPreview"] = {"estimatedCost": 1.5, "toolCallId": call_id}
            rec["status"] = "waiting_for_user"
            rec["waiting"] = {"reason": "cost_approval_required", "details": details}
            run.decision = asyncio.get_running_loop().create_future()
            self._event(run, "run_waiting_for_user", {"reason": "cost_approval_required"})
            self._event(run, "run_awaiting_cost_confirmation", details)
            decision = await run.decision
            run.decision = None
            rec.pop("waiting", None)
            rec["status"] = "running"
            self._event(
                run,
                "run_cost_confirmation_resolved",
                {"toolCallId": call_id, "decision": decision["decision"]},
            )
            if decision["decision"] == "cancel":
                rec["toolResults"].append(
                    {"toolCallId": call_id, "status": "cancelled", "sequence": 0}
                )
                self._event(
                    run, "tool_call_resolved", {"toolCallId": call_id, "status": "cancelled"}
                )
                return
            if isinstance(decision.get("overrides"), dict):
                args.update(decision["overrides"])
        await asyncio.sleep(delay)
        kind = _MEDIA_TOOLS[tool]
        seed = int(hashlib.sha256(f"{self.hub.seed}:{call_id}".encode()).hexdigest()[:8], 16)
        if kind == "image":
            data, mime = await render(
                "image", prompt=args["prompt"], seed=seed, width=256, height=256
            )
        elif kind == "video":
            data, mime = await render(
                "video", prompt=args["prompt"], seed=seed, width=320, height=240, frames=8, fps=8
            )
        else:
            data, mime = await render("audio", prompt=args["prompt"], seed=seed, duration=2.0)
        key = self.hub.store.key(run.id, call_id, "0")
        self.hub.store.put(key, data, mime)
        url = self.hub.store.download_url(key)
        artifact = {"id": f"{call_id}_0", "url": url, "mediaType": kind, "toolName": tool}
        rec["artifacts"].append(artifact)
        lane = {"image": "images", "video": "videos", "audio": "audio"}[kind]
        rec["mediaContext"][lane].append(url)
        rec["toolResults"].append(
            {"toolCallId": call_id, "status": "ok", "summary": f"{kind} ready", "sequence": 0}
        )
        self._event(run, "tool_call_resolved", {"toolCallId": call_id, "status": "ok"})
        self._event(run, "media_context_updated", {"artifact": artifact})

    def cancel_all(self) -> list[asyncio.Task[None]]:
        """Cancel running chat runs (emulator shutdown)."""
        tasks = [r.task for r in self.runs.values() if r.task and not r.task.done()]
        for task in tasks:
            task.cancel()
        return tasks
