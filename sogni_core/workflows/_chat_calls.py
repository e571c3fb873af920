"""Sans-IO request builders and response parsers: chat runs and the hosted REST chat
surfaces (02 §3): completions and tool execution.

Casing and key order follow the official SDK, as in ``_calls`` (02 §5.2); the hosted chat
completion keeps its one camelCase key, ``billingMode`` (02 §8.6).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import msgspec

from sogni_core.protocol._errors import ApiStatusError, InvalidParamsError, RemoteProtocolError
from sogni_core.protocol._generated.rest import HostedChatCompletion, ToolExecuteData
from sogni_core.protocol._generated.workflows import (
    ChatRunRecord,
)
from sogni_core.protocol.rest import (
    Attribution,
    Auth,
    Hosts,
    Request,
    api_status_error,
    endpoint_request,
    extract_chat_error,
    is_success,
    parse_json,
)
from sogni_core.protocol.rest._response import ResponseHeaders

from ._calls import _attribution, _convert, _put, _with_body

__all__ = [
    "ChatRunError",
    "chat_run_request",
    "hosted_completion_request",
    "parse_chat_run",
    "parse_hosted_completion",
    "parse_tool_execution",
    "tool_execution_request",
]


class ChatRunError(ApiStatusError):
    """A recognised chat error body (02 §2.14) from a hosted chat or chat-run call.

    Attributes:
        error_type: the body's error type (e.g. ``subscription_unavailable``).
        subscription_limit: the body flagged a subscription limit.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int,
        code: int | str | None = None,
        error_type: str | None = None,
        subscription_limit: bool = False,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, status=status, code=code, retry_after=retry_after)
        self.error_type = error_type
        self.subscription_limit = subscription_limit


# -- chat runs (02 §3.3) ------------------------------------------------------------------


def chat_run_request(
    action: str,
    hosts: Hosts,
    run_id: str | None = None,
    *,
    auth: Auth | None,
    params: Mapping[str, Any] | None = None,
    app_source: str | None = None,
    idempotency_key: str | None = None,
    attribution: Attribution | None = None,
    operation_id: str | None = None,
) -> Request:
    """Chat-run calls: ``create``, ``get``, ``cancel``, ``confirm_cost``.

    ``params`` for ``create`` uses the Python names of 02 §3.3.2
    (``messages``, ``tools``, ``tool_choice``, ``model``, ``sampling``,
    ``media_references``, ``media_context``, ``max_estimated_capacity_units``,
    ``confirm_cost``, ``session_id``, ``client_message_id``, ``token_type``,
    ``billing_mode``, ``runtime_config``); for ``cancel`` ``{reason}``; for
    ``confirm_cost`` ``{tool_call_id, decision, accepted_cost_preview,
    overrides, reason}``.

    Raises:
        InvalidParamsError: unknown action, missing id/messages, inline media,
            or a bad ``decision``.
    """
    p = dict(params or {})
    if action == "create":
        messages = p.get("messages")
        if not isinstance(messages, (list, tuple)) or not messages:
            raise InvalidParamsError("messages", "must be a non-empty list")
        _check_run_media(p)
        body: dict[str, Any] = {"messages": list(messages)}
        _put(body, "tools", p.get("tools"), truthy=True)
        _put(body, "tool_choice", p.get("tool_choice"))
        _put(body, "model", p.get("model"), truthy=True)
        _put(body, "sampling", p.get("sampling"), truthy=True)
        _put(body, "media_references", p.get("media_references"), truthy=True)
        _put(body, "media_context", p.get("media_context"), truthy=True)
        _put(body, "max_estimated_capacity_units", p.get("max_estimated_capacity_units"))
        _put(body, "confirm_cost", p.get("confirm_cost"))
        _put(body, "session_id", p.get("session_id"), truthy=True)
        _put(body, "client_message_id", p.get("client_message_id"), truthy=True)
        _put(body, "token_type", p.get("token_type"), truthy=True)
        _put(body, "billing_mode", p.get("billing_mode"), truthy=True)
        _put(body, "app_source", app_source, truthy=True)
        _put(body, "runtime_config", p.get("runtime_config"), truthy=True)
        request = endpoint_request(
            "chat_run_create",
            hosts,
            auth=auth,
            attribution=_attribution(app_source, attribution),
            operation_id=operation_id,
            idempotency_key=idempotency_key,
        )
        return _with_body(request, body)
    if action not in ("get", "cancel", "confirm_cost"):
        raise InvalidParamsError("action", f"unknown chat run call {action!r}")
    if not run_id:
        raise InvalidParamsError("run_id", "must be a non-empty string")
    path = {"runId": run_id}
    if action == "get":
        return endpoint_request("chat_run_get", hosts, path_params=path, auth=auth)
    if action == "cancel":
        request = endpoint_request("chat_run_cancel", hosts, path_params=path, auth=auth)
        reason = p.get("reason")
        return _with_body(request, {"reason": reason} if reason else {})
    decision = p.get("decision")
    if decision not in ("confirm", "cancel"):
        raise InvalidParamsError("decision", "must be 'confirm' or 'cancel'")
    tool_call_id = p.get("tool_call_id")
    if not isinstance(tool_call_id, str) or not tool_call_id:
        raise InvalidParamsError("tool_call_id", "must be a non-empty string")
    body = {"tool_call_id": tool_call_id, "decision": decision}
    _put(body, "acceptedCostPreview", p.get("accepted_cost_preview"), truthy=True)
    _put(body, "overrides", p.get("overrides"), truthy=True)
    _put(body, "reason", p.get("reason"), truthy=True)
    request = endpoint_request(
        "chat_run_confirm_cost",
        hosts,
        path_params=path,
        auth=auth,
        idempotency_key=idempotency_key,
    )
    return _with_body(request, body)


def _check_run_media(p: Mapping[str, Any]) -> None:
    # 02 §3.3.2: message image URLs, media references and media context must be HTTP(S).
    bad: list[str] = []

    def check(path: str, value: Any) -> None:
        if isinstance(value, str) and value.strip():
            lowered = value.strip().lower()
            if lowered.startswith("data:") or not lowered.startswith(("http://", "https://")):
                bad.append(path)

    for i, message in enumerate(p.get("messages") or ()):
        content = message.get("content") if isinstance(message, Mapping) else None
        if isinstance(content, (list, tuple)):
            for j, part in enumerate(content):
                image = part.get("image_url") if isinstance(part, Mapping) else None
                if isinstance(image, Mapping):
                    check(f"messages[{i}].content[{j}].image_url.url", image.get("url"))
    refs = p.get("media_references")
    for i, ref in enumerate(refs if isinstance(refs, (list, tuple)) else ()):
        if isinstance(ref, Mapping):
            check(f"mediaReferences[{i}].url", ref.get("url"))
            for key in ("dataUri", "data_uri"):
                value = ref.get(key)
                if isinstance(value, str) and value.strip():
                    bad.append(f"mediaReferences[{i}].{key}")
    context = p.get("media_context")
    if isinstance(context, Mapping):
        for key in (
            "images",
            "videos",
            "audio",
            "uploadedImages",
            "uploadedVideos",
            "uploadedAudio",
        ):
            values = context.get(key)
            for i, value in enumerate(values if isinstance(values, (list, tuple)) else ()):
                check(f"mediaContext.{key}[{i}]", value)
    if bad:
        raise InvalidParamsError(
            bad[0],
            "Durable chat runs do not support inline base64/data URI media. Upload media first "
            "and pass HTTP(S) URLs instead. Offending field(s): " + ", ".join(bad),
        )


def _chat_error(
    status: int, headers: ResponseHeaders, body: bytes, fallback: str
) -> ApiStatusError:
    base = api_status_error(status, headers, body)
    try:
        payload = msgspec.json.decode(body) if body.strip() else None
    except msgspec.DecodeError:
        payload = None
    fields = extract_chat_error(payload)
    if fields is None:
        return base
    top = payload.get("message") if isinstance(payload, dict) else None
    message = (top if isinstance(top, str) and top else None) or fields.message or fallback
    return ChatRunError(
        message,
        status=status,
        code=fields.code,
        error_type=fields.error_type,
        subscription_limit=fields.subscription_limit,
        retry_after=base.retry_after,
    )


def parse_chat_run(status: int, headers: ResponseHeaders, body: bytes) -> ChatRunRecord:
    """Parse a chat-run JSON answer: ``data.run`` (02 §3.3.1).

    Raises:
        ChatRunError: a recognised chat error body (02 §3.3.6).
        ApiStatusError: any other error status.
        RemoteProtocolError: no ``data.run``.
    """
    if not is_success(status):
        raise _chat_error(status, headers, body, f"Chat run request failed with status {status}")
    value = parse_json(status, body)
    data = value.get("data") if isinstance(value, dict) else None
    if not isinstance(data, dict) or not isinstance(data.get("run"), dict):
        raise RemoteProtocolError("chat run response did not include data.run")
    return _convert(data["run"], ChatRunRecord, "chat run")  # type: ignore[no-any-return]


# -- hosted chat (02 §3.1, §3.2) ----------------------------------------------------------

#: Python option name -> wire key, in the SDK's insertion order (02 §3.1 rows 4-12).
_SAMPLING = (
    "max_tokens",
    "temperature",
    "top_p",
    "top_k",
    "min_p",
    "repetition_penalty",
    "frequency_penalty",
    "presence_penalty",
    "stop",
)


def hosted_completion_request(
    hosts: Hosts,
    *,
    auth: Auth | None,
    model: str,
    messages: Sequence[Any],
    stream: bool = False,
    app_source: str | None = None,
    token_type: str | None = None,
    billing_mode: str | None = None,
    tools: Sequence[Any] | None = None,
    tool_choice: Any = None,
    sogni_tools: bool | str | None = None,
    sogni_tool_execution: bool | None = None,
    task_profile: str | None = None,
    media_references: Sequence[Any] | None = None,
    api_media_references: Sequence[Any] | None = None,
    safe_content_filter: bool | None = None,
    think: bool | None = None,
    chat_template_kwargs: Mapping[str, Any] | None = None,
    response_format: Mapping[str, Any] | None = None,
    attribution: Attribution | None = None,
    operation_id: str | None = None,
    **sampling: Any,
) -> Request:
    """``POST /v1/chat/completions`` (02 §3.1).

    Body keys in the SDK's order; ``billingMode`` is camelCase on this
    endpoint; ``sogni_tools="rich"`` is sent as ``creative-tools``; ``think``
    becomes ``chat_template_kwargs.enable_thinking``. ``stream=True`` adds
    ``"stream": true`` and asks for an OpenAI-style SSE answer (the official
    SDK 5.54.0 refuses streaming on this surface; the server is
    OpenAI-compatible).

    Args:
        hosts: REST bases.
        auth: credentials.
        model: the LLM model id.
        messages: OpenAI-style messages (sent as given).
        stream: stream the answer.
        **sampling: ``max_tokens``, ``temperature``, ``top_p``, ``top_k``,
            ``min_p``, ``repetition_penalty``, ``frequency_penalty``,
            ``presence_penalty``, ``stop``.

    Raises:
        InvalidParamsError: unknown sampling option, empty messages or model.
    """
    unknown = set(sampling) - set(_SAMPLING)
    if unknown:
        raise InvalidParamsError(sorted(unknown)[0], "unknown chat completion option")
    if not model:
        raise InvalidParamsError("model", "must be a non-empty string")
    if not messages:
        raise InvalidParamsError("messages", "must be a non-empty list")
    if isinstance(sogni_tools, str) and sogni_tools.strip().lower() == "rich":
        sogni_tools = "creative-tools"
    if sogni_tools is not None and not isinstance(sogni_tools, bool):
        if sogni_tools not in ("creative-tools", "creative-agent"):
            raise InvalidParamsError(
                "sogni_tools", "must be a bool, 'creative-tools' or 'creative-agent'"
            )
    body: dict[str, Any] = {"model": model, "messages": list(messages)}
    _put(body, "app_source", app_source)
    for name in _SAMPLING:
        _put(body, name, sampling.get(name))
    _put(body, "token_type", token_type)
    _put(body, "billingMode", billing_mode, truthy=True)
    _put(body, "tools", list(tools) if tools is not None else None)
    _put(body, "tool_choice", tool_choice)
    _put(body, "sogni_tools", sogni_tools)
    _put(body, "sogni_tool_execution", sogni_tool_execution)
    _put(body, "task_profile", task_profile)
    _put(body, "media_references", list(media_references) if media_references else None)
    _put(body, "api_media_references", list(api_media_references) if api_media_references else None)
    _put(body, "safe_content_filter", safe_content_filter)
    kwargs = chat_template_kwargs
    if kwargs is None and think is not None:
        kwargs = {"enable_thinking": think}
    _put(body, "chat_template_kwargs", kwargs, truthy=True)
    _put(body, "response_format", response_format, truthy=True)
    if stream:
        body["stream"] = True
    headers = [("Accept", "text/event-stream")] if stream else []
    request = endpoint_request(
        "chat_completions",
        hosts,
        auth=auth,
        attribution=_attribution(app_source, attribution),
        operation_id=operation_id,
        headers=headers,
    )
    return _with_body(request, body)


def parse_hosted_completion(
    status: int, headers: ResponseHeaders, body: bytes
) -> HostedChatCompletion:
    """Parse the bare OpenAI-style completion.

    Raises:
        ChatRunError: a recognised chat error body (message: the body's
            ``message``, else the extracted one, else ``Chat completion failed``).
        ApiStatusError: any other error.
        RemoteProtocolError: not a completion object.
    """
    if not is_success(status):
        raise _chat_error(status, headers, body, "Chat completion failed")
    return _convert(parse_json(status, body), HostedChatCompletion, "completion")  # type: ignore[no-any-return]


def tool_execution_request(
    hosts: Hosts,
    *,
    auth: Auth | None,
    tool: str,
    arguments: Mapping[str, Any],
    app_source: str | None = None,
    token_type: str | None = None,
    safe_content_filter: bool | None = None,
    attribution: Attribution | None = None,
    operation_id: str | None = None,
) -> Request:
    """``POST /v1/creative-agent/tools/execute`` (02 §3.2); arguments as given.

    Raises:
        InvalidParamsError: empty tool name or non-object arguments.
    """
    if not tool:
        raise InvalidParamsError("tool", "must be a non-empty string")
    if not isinstance(arguments, Mapping):
        raise InvalidParamsError("arguments", "must be an object")
    body: dict[str, Any] = {"tool": tool, "arguments": arguments}
    _put(body, "app_source", app_source)
    _put(body, "token_type", token_type)
    _put(body, "safe_content_filter", safe_content_filter)
    request = endpoint_request(
        "tools_execute",
        hosts,
        auth=auth,
        attribution=_attribution(app_source, attribution),
        operation_id=operation_id,
    )
    return _with_body(request, body)


def parse_tool_execution(status: int, headers: ResponseHeaders, body: bytes) -> ToolExecuteData:
    """Parse ``{status:"success", data:{toolCallId, tool, result, message}}``.

    Raises:
        ApiStatusError: an error status (plain, no chat mapping - 02 §3.2).
        RemoteProtocolError: no ``data``.
    """
    if not is_success(status):
        raise api_status_error(status, headers, body)
    value = parse_json(status, body)
    data = value.get("data") if isinstance(value, dict) else None
    if not isinstance(data, dict):
        raise RemoteProtocolError("tool execution response did not include data")
    return _convert(data, ToolExecuteData, "tool execution")  # type: ignore[no-any-return]
