"""The ``llmJobRequest`` payload (wire reference 02 §2.2-§2.4), checked before any I/O.

:func:`build_llm_request` turns OpenAI-style arguments into the generated
:class:`~sogni_core.protocol._generated.socket.LLMJobRequest`, whose field
order is the SDK's insertion order and whose unset fields are omitted (02
§0.5), so the encoded frame matches the official SDK byte for byte.

Client-only parameters never reach the wire: ``think`` becomes
``chat_template_kwargs.enable_thinking`` (02 §2.3) and ``attribution`` the flat
``workloadKind`` ... ``parentOperationId`` fields (02 §1.3), with
``operationId`` defaulting to the ``jobID``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import Any, Final

import msgspec

from sogni_core.protocol._errors import InvalidParamsError
from sogni_core.protocol._generated.socket import LLMJobRequest, LLMModelInfo
from sogni_core.protocol.rest._attribution import Attribution, attribution_headers

from ._vision import Resize, normalize_vision

__all__ = [
    "BILLING_MODES",
    "ROLES",
    "TASK_PROFILES",
    "TOKEN_TYPES",
    "build_llm_request",
    "normalize_sogni_tools",
    "validate_messages",
    "validate_tool_choice",
    "validate_tools",
]

ROLES: Final = frozenset({"system", "user", "assistant", "tool"})
TASK_PROFILES: Final = frozenset({"general", "coding", "reasoning"})
TOKEN_TYPES: Final = frozenset({"sogni", "spark"})
BILLING_MODES: Final = frozenset({"auto", "subscription", "tokens"})
_DETAILS: Final = frozenset({"auto", "low", "high"})
_CHOICES: Final = frozenset({"auto", "none", "required"})
# OpenAI function names: letters, digits, underscore and dash, 1-64 characters.
_FUNCTION_NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")
# Header -> flat socket field (02 §2.2 rows 26+, same normalisation as 02 §1.3).
_FLAT: Final = {
    "X-Sogni-Workload-Kind": "workloadKind",
    "X-Sogni-Agent-Framework": "agentFramework",
    "X-Sogni-Agent-Framework-Version": "agentFrameworkVersion",
    "X-Sogni-Agent-Surface": "agentSurface",
    "X-Sogni-Agent-Surface-Version": "agentSurfaceVersion",
    "X-Sogni-Execution-Mode": "executionMode",
    "X-Sogni-Operation-Scope": "operationScope",
    "X-Sogni-Operation-Id": "operationId",
    "X-Sogni-Root-Operation-Id": "rootOperationId",
    "X-Sogni-Parent-Operation-Id": "parentOperationId",
}
_SAMPLING: Final = (
    "temperature",
    "top_p",
    "top_k",
    "min_p",
    "repetition_penalty",
    "frequency_penalty",
    "presence_penalty",
)


def _is_number(value: object) -> bool:
    return (
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        and math.isfinite(float(value))
    )


def _check_part(part: object, field: str) -> None:
    if not isinstance(part, Mapping):
        raise InvalidParamsError(field, "a content part must be an object")
    kind = part.get("type")
    if kind == "text":
        if not isinstance(part.get("text"), str):
            raise InvalidParamsError(field + ".text", "must be a string")
    elif kind == "image_url":
        image = part.get("image_url")
        if not isinstance(image, Mapping) or not isinstance(image.get("url"), str):
            raise InvalidParamsError(field + ".image_url.url", "must be a string")
        detail = image.get("detail")
        if detail is not None and detail not in _DETAILS:
            raise InvalidParamsError(field + ".image_url.detail", "must be auto, low or high")
    else:
        raise InvalidParamsError(field + ".type", "must be 'text' or 'image_url'")


def _check_tool_call(call: object, field: str) -> None:
    if not isinstance(call, Mapping):
        raise InvalidParamsError(field, "a tool call must be an object")
    if not isinstance(call.get("id"), str):
        raise InvalidParamsError(field + ".id", "must be a string")
    if call.get("type", "function") != "function":
        raise InvalidParamsError(field + ".type", "must be 'function'")
    fn = call.get("function")
    if not isinstance(fn, Mapping) or not isinstance(fn.get("name"), str):
        raise InvalidParamsError(field + ".function.name", "must be a string")
    if not isinstance(fn.get("arguments"), str):
        raise InvalidParamsError(field + ".function.arguments", "must be a JSON string")


def validate_messages(messages: object) -> None:
    """Check OpenAI-style chat messages (02 §2.2 ``ChatMessage``).

    Raises:
        InvalidParamsError: the first broken rule, with a path such as
            ``messages[2].content[0].type``.
    """
    if isinstance(messages, (str, bytes)) or not isinstance(messages, Sequence) or not messages:
        raise InvalidParamsError("messages", "must be a non-empty list of messages")
    for i, message in enumerate(messages):
        field = f"messages[{i}]"
        if not isinstance(message, Mapping):
            raise InvalidParamsError(field, "a message must be an object")
        role = message.get("role")
        if role not in ROLES:
            raise InvalidParamsError(field + ".role", f"must be one of {sorted(ROLES)}")
        content = message.get("content")
        if isinstance(content, list):
            for j, part in enumerate(content):
                _check_part(part, f"{field}.content[{j}]")
        elif content is not None and not isinstance(content, str):
            raise InvalidParamsError(field + ".content", "must be a string, a list or null")
        calls = message.get("tool_calls")
        if calls is not None:
            if role != "assistant" or not isinstance(calls, list):
                raise InvalidParamsError(
                    field + ".tool_calls", "only assistant messages carry a list of tool calls"
                )
            for j, call in enumerate(calls):
                _check_tool_call(call, f"{field}.tool_calls[{j}]")
        if role == "tool" and not isinstance(message.get("tool_call_id"), str):
            raise InvalidParamsError(field + ".tool_call_id", "a tool message needs a string id")
        for key in ("tool_call_id", "name"):
            if key in message and not isinstance(message[key], (str, type(None))):
                raise InvalidParamsError(f"{field}.{key}", "must be a string")


def validate_tools(tools: object) -> list[str]:
    """Check OpenAI tool definitions; returns the function names in order.

    Raises:
        InvalidParamsError: e.g. ``tools[1].function.name``.
    """
    if not isinstance(tools, list):
        raise InvalidParamsError("tools", "must be a list of tool definitions")
    names: list[str] = []
    for i, tool in enumerate(tools):
        field = f"tools[{i}]"
        if not isinstance(tool, Mapping) or tool.get("type") != "function":
            raise InvalidParamsError(field + ".type", "must be 'function'")
        fn = tool.get("function")
        if not isinstance(fn, Mapping):
            raise InvalidParamsError(field + ".function", "must be an object")
        name = fn.get("name")
        if not isinstance(name, str) or not _FUNCTION_NAME.fullmatch(name):
            raise InvalidParamsError(
                field + ".function.name", "must be 1-64 letters, digits, '_' or '-'"
            )
        if name in names:
            raise InvalidParamsError(field + ".function.name", f"duplicate tool name {name!r}")
        if "description" in fn and not isinstance(fn["description"], str):
            raise InvalidParamsError(field + ".function.description", "must be a string")
        params = fn.get("parameters")
        if params is not None and not (
            isinstance(params, Mapping) and params.get("type", "object") == "object"
        ):
            raise InvalidParamsError(
                field + ".function.parameters", "must be a JSON Schema of type object"
            )
        names.append(name)
    return names


def validate_tool_choice(choice: object, names: Sequence[str]) -> None:
    """Check ``tool_choice`` (02 §2.2 row 20) against the offered tool names.

    Raises:
        InvalidParamsError: field ``tool_choice``.
    """
    if isinstance(choice, str):
        if choice not in _CHOICES:
            raise InvalidParamsError("tool_choice", "must be auto, none, required or a function")
        if choice == "required" and not names:
            raise InvalidParamsError("tool_choice", "'required' needs at least one tool")
        return
    fn = choice.get("function") if isinstance(choice, Mapping) else None
    name = fn.get("name") if isinstance(fn, Mapping) else None
    if not isinstance(choice, Mapping) or choice.get("type") != "function" or name is None:
        raise InvalidParamsError(
            "tool_choice", 'must be a string or {"type": "function", "function": {"name": ...}}'
        )
    if name not in names:
        raise InvalidParamsError("tool_choice.function.name", f"{name!r} is not among the tools")


def normalize_sogni_tools(value: bool | str) -> bool | str:
    """02 §4.6 rule 2: a string that trims/lower-cases to ``rich`` becomes ``creative-tools``."""
    if isinstance(value, str) and value.strip().lower() == "rich":
        return "creative-tools"
    return value


def _check_sampling(name: str, value: object, info: LLMModelInfo | None) -> None:
    if not _is_number(value):
        raise InvalidParamsError(name, "must be a finite number")
    limits = getattr(info, name, None) if info is not None else None
    assert isinstance(value, (int, float))
    if limits is not None and not limits.min <= value <= limits.max:
        raise InvalidParamsError(name, f"must be between {limits.min:g} and {limits.max:g}")


def _enum(name: str, value: object, allowed: frozenset[str]) -> None:
    if value not in allowed:
        raise InvalidParamsError(name, f"must be one of {sorted(allowed)}")


def build_llm_request(
    *,
    job_id: str,
    model: str,
    messages: Sequence[Mapping[str, Any]],
    stream: bool | None = None,
    max_tokens: int | None = None,
    temperature: float | None = None,
    top_p: float | None = None,
    top_k: int | None = None,
    min_p: float | None = None,
    repetition_penalty: float | None = None,
    frequency_penalty: float | None = None,
    presence_penalty: float | None = None,
    stop: str | Sequence[str] | None = None,
    tools: Sequence[Mapping[str, Any]] | None = None,
    tool_choice: str | Mapping[str, Any] | None = None,
    think: bool | None = None,
    task_profile: str | None = None,
    token_type: str | None = None,
    billing_mode: str | None = None,
    safe_content_filter: bool | None = None,
    sogni_tools: bool | str | None = None,
    sogni_tool_execution: bool | None = None,
    response_format: Mapping[str, Any] | None = None,
    app_source: str | None = None,
    default_app_source: str | None = None,
    attribution: Attribution | None = None,
    model_info: LLMModelInfo | None = None,
    resize: Resize | None = None,
    fetched_images: Mapping[str, bytes] | None = None,
) -> LLMJobRequest:
    """Validate the arguments and build one ``llmJobRequest`` (02 §2.2).

    Args:
        job_id: the fresh uppercase UUID v4 of this job (randomness is an
            input: the caller makes it).
        model: LLM model id.
        messages: OpenAI-style messages; image parts must be data URIs.
        stream: sent exactly as given (``False`` is sent; ``None`` omitted).
        max_tokens ... presence_penalty: sampling overrides; type-checked, and
            range-checked against ``model_info`` when it is given.
        stop: a stop string or list of strings.
        tools: OpenAI tool definitions (e.g. :func:`sogni_core.chat.sogni_tools`).
        tool_choice: ``auto`` | ``none`` | ``required`` | a function choice.
        think: ``True``/``False`` -> ``chat_template_kwargs.enable_thinking``.
        task_profile: ``general`` | ``coding`` | ``reasoning`` (``taskProfile``).
        token_type: ``sogni`` | ``spark``.
        billing_mode: ``auto`` | ``subscription`` | ``tokens`` (sent when truthy).
        safe_content_filter: sent only when a boolean.
        sogni_tools: hosted tool injection (``rich`` -> ``creative-tools``).
        sogni_tool_execution: ask the server to run requested Sogni tools.
        response_format: forwarded unchanged when truthy.
        app_source: per-call app source; falls back to ``default_app_source``.
        default_app_source: the client-level app source.
        attribution: workload attribution (flattened; ``operationId`` = job id).
        model_info: the model's ``swarmLLMModels`` entry, for range checks.
        resize: optional image scaler for vision inputs over 1024 px.
        fetched_images: downloaded bytes of trusted remote image URLs
            (see :func:`sogni_core.chat.remote_image_urls`).

    Returns:
        The request Struct; encode it with the frame codec.

    Raises:
        InvalidParamsError: any broken rule, named by field, before any I/O.
    """
    if not isinstance(model, str) or not model.strip():
        raise InvalidParamsError("model", "must be a non-empty model id")
    validate_messages(messages)
    wire_messages = normalize_vision(messages, resize=resize, fetched=fetched_images)
    for message in wire_messages:
        message.setdefault("content", None)
    names: list[str] = []
    if tools is not None:
        names = validate_tools(list(tools) if isinstance(tools, tuple) else tools)
    if tool_choice is not None:
        validate_tool_choice(tool_choice, names)
    if stream is not None and not isinstance(stream, bool):
        raise InvalidParamsError("stream", "must be a boolean")
    if max_tokens is not None:
        if isinstance(max_tokens, bool) or not isinstance(max_tokens, int) or max_tokens < 1:
            raise InvalidParamsError("max_tokens", "must be a positive integer")
        limit = model_info.max_output_tokens if model_info is not None else None
        if limit is not None and max_tokens > limit.max:
            raise InvalidParamsError("max_tokens", f"must be at most {limit.max:g}")
    sampling = {
        "temperature": temperature,
        "top_p": top_p,
        "top_k": top_k,
        "min_p": min_p,
        "repetition_penalty": repetition_penalty,
        "frequency_penalty": frequency_penalty,
        "presence_penalty": presence_penalty,
    }
    for name in _SAMPLING:
        if sampling[name] is not None:
            _check_sampling(name, sampling[name], model_info)
    if top_k is not None and int(top_k) != top_k:
        raise InvalidParamsError("top_k", "must be an integer")
    if stop is not None and not (
        isinstance(stop, str)
        or (isinstance(stop, Sequence) and all(isinstance(s, str) for s in stop))
    ):
        raise InvalidParamsError("stop", "must be a string or a list of strings")
    if think is not None and not isinstance(think, bool):
        raise InvalidParamsError("think", "must be a boolean")
    if task_profile is not None:
        _enum("task_profile", task_profile, TASK_PROFILES)
    if token_type is not None:
        _enum("token_type", token_type, TOKEN_TYPES)
    if billing_mode:
        _enum("billing_mode", billing_mode, BILLING_MODES)
    if safe_content_filter is not None and not isinstance(safe_content_filter, bool):
        raise InvalidParamsError("safe_content_filter", "must be a boolean")
    if sogni_tools is not None and not isinstance(sogni_tools, (bool, str)):
        raise InvalidParamsError("sogni_tools", "must be a boolean or a string")
    if response_format is not None and not isinstance(response_format, Mapping):
        raise InvalidParamsError("response_format", "must be an object")
    body: dict[str, Any] = {
        "jobID": job_id,
        "type": "llm",
        "model": model,
        "messages": wire_messages,
        "appSource": app_source or default_app_source or None,
        "max_tokens": max_tokens,
        **sampling,
        "stream": stream,
        "stop": list(stop) if stop is not None and not isinstance(stop, str) else stop,
        "tokenType": token_type,
        "safeContentFilter": safe_content_filter,
        "billingMode": billing_mode or None,
        "tools": list(tools) if tools is not None else None,
        "tool_choice": tool_choice,
        "sogni_tools": normalize_sogni_tools(sogni_tools) if sogni_tools is not None else None,
        "sogni_tool_execution": sogni_tool_execution,
        "taskProfile": task_profile,
        "chat_template_kwargs": {"enable_thinking": think} if think is not None else None,
        "response_format": response_format or None,
    }
    for header, value in attribution_headers(attribution, fallback_operation_id=job_id):
        if header in _FLAT:
            body[_FLAT[header]] = value
    try:
        return msgspec.convert(
            {k: v for k, v in body.items() if v is not None}, LLMJobRequest, str_keys=True
        )
    except msgspec.ValidationError as exc:
        raise InvalidParamsError("messages", str(exc)) from None
