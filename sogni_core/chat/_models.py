"""LLM model info, sampling presets and the cost estimate (wire reference 02 §2.3, §2.5, §2.12).

``swarmLLMModels`` maps model id -> a bare worker count (legacy) or an
:class:`LLMModelInfo`; every event replaces the whole map (02 §2.5).
The four ``defaults*`` presets line up with the documented ``think`` x
``taskProfile`` pairings (02 §2.3, an inferred mapping).

The estimate is ``GET <socket base>/api/v1/job-llm/estimate/<tokenType>/<model>/...``
(then ``<inputTokens>/<maxOutputTokens>``) with ``inputTokens = ceil(L / 4)``, L
the UTF-16 length of the compact JSON of the vision-normalised messages with
each image replaced by ``[image]``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from typing import Any, Final

import msgspec

from sogni_core.protocol._errors import InvalidParamsError
from sogni_core.protocol._generated.rest import LlmEstimateQuote, LlmEstimateResponse
from sogni_core.protocol._generated.socket import LLMModelInfo, LLMSamplingDefaults
from sogni_core.protocol.rest import Auth, Hosts, Request, ResponseHeaders
from sogni_core.protocol.rest._endpoints import endpoint_request, parse_endpoint_response

from ._vision import normalize_vision

__all__ = [
    "DEFAULT_MAX_OUTPUT_TOKENS",
    "DEFAULT_MODEL",
    "default_max_tokens",
    "estimate_input_tokens",
    "llm_estimate_request",
    "parse_llm_estimate",
    "parse_llm_models",
    "sampling_preset",
    "select_llm_model",
]

DEFAULT_MODEL: Final = "qwen3.6-35b-a3b-gguf-iq4xs"
"""The model the SDK documents as the default (02 §2.2 row 3)."""
DEFAULT_MAX_OUTPUT_TOKENS: Final = 4096
"""02 §2.3: the estimate's fallback when neither the call nor the model says."""

_models_decoder = msgspec.json.Decoder(dict[str, int | LLMModelInfo])


def parse_llm_models(models: Mapping[str, Any]) -> dict[str, LLMModelInfo]:
    """Normalise a ``swarmLLMModels`` map: a bare count ``n`` becomes ``{workers: n}``.

    Args:
        models: the decoded map (Structs or plain JSON values).

    Raises:
        RemoteProtocolError: never; malformed entries are skipped.
    """
    out: dict[str, LLMModelInfo] = {}
    for model_id, value in models.items():
        if isinstance(value, LLMModelInfo):
            out[model_id] = value
        elif isinstance(value, int) and not isinstance(value, bool):
            out[model_id] = LLMModelInfo(workers=value)
        elif isinstance(value, Mapping):
            try:
                out[model_id] = msgspec.convert(value, LLMModelInfo)
            except msgspec.ValidationError:
                continue
    return out


def select_llm_model(models: Mapping[str, LLMModelInfo], requested: str | None = None) -> str:
    """Pick the model for a chat: the requested one if it has workers, else
    the documented default if served, else the one with most workers.

    Raises:
        InvalidParamsError: no LLM model has workers (field ``model``), or the
            requested one is not served.
    """
    live = {k: v for k, v in models.items() if v.workers > 0}
    if requested is not None:
        if requested not in live:
            raise InvalidParamsError("model", f"{requested!r} has no workers right now")
        return requested
    if not live:
        raise InvalidParamsError("model", "no LLM model has workers right now")
    if DEFAULT_MODEL in live:
        return DEFAULT_MODEL
    return max(sorted(live), key=lambda k: live[k].workers)


def sampling_preset(
    info: LLMModelInfo, *, think: bool | None, task_profile: str | None
) -> LLMSamplingDefaults | None:
    """The model's recommended preset for a ``think`` x ``task_profile`` pairing (02 §2.3).

    general+think -> ``defaultsThinking``; coding+think -> ``defaultsThinkingCoding``;
    general+no-think -> ``defaultsNonThinking``; reasoning+no-think ->
    ``defaultsNonThinkingReasoning``. Other pairings fall back to the think
    flag's general preset; ``think=None`` has no preset.
    """
    if think is None:
        return None
    if think:
        if task_profile == "coding" and info.defaults_thinking_coding is not None:
            return info.defaults_thinking_coding
        return info.defaults_thinking
    if task_profile == "reasoning" and info.defaults_non_thinking_reasoning is not None:
        return info.defaults_non_thinking_reasoning
    return info.defaults_non_thinking


def default_max_tokens(
    info: LLMModelInfo | None,
    *,
    max_tokens: int | None = None,
    think: bool | None = None,
    task_profile: str | None = None,
) -> int:
    """02 §2.3: explicit ``max_tokens``; else ``maxOutputTokens.thinkingComplexDefault``
    when thinking on a coding/reasoning profile; else ``maxOutputTokens.default``; else 4096."""
    if max_tokens is not None:
        return max_tokens
    limit = info.max_output_tokens if info is not None else None
    if limit is not None:
        if (
            think is True
            and task_profile in ("coding", "reasoning")
            and limit.thinking_complex_default is not None
        ):
            return int(limit.thinking_complex_default)
        return int(limit.default)
    return DEFAULT_MAX_OUTPUT_TOKENS


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def estimate_input_tokens(
    messages: Sequence[Mapping[str, Any]], fetched_images: Mapping[str, bytes] | None = None
) -> int:
    """``ceil(L / 4)`` over the messages with images masked (02 §2.12).

    Raises:
        InvalidParamsError: a broken vision input (same rules as sending).
    """
    masked: list[dict[str, Any]] = []
    for message in normalize_vision(messages, fetched=fetched_images):
        content = message.get("content")
        if isinstance(content, list):
            parts: list[Any] = []
            for part in content:
                if isinstance(part, Mapping) and part.get("type") == "image_url":
                    image: dict[str, Any] = {"url": "[image]"}
                    if part["image_url"].get("detail"):
                        image["detail"] = part["image_url"]["detail"]
                    parts.append({"type": "image_url", "image_url": image})
                else:
                    parts.append(part)
            message = {**message, "content": parts}
        masked.append(message)
    text = json.dumps(masked, separators=(",", ":"), ensure_ascii=False)
    return math.ceil(_utf16_len(text) / 4)


def llm_estimate_request(
    hosts: Hosts,
    *,
    model: str,
    messages: Sequence[Mapping[str, Any]],
    max_tokens: int | None = None,
    think: bool | None = None,
    task_profile: str | None = None,
    token_type: str | None = None,
    model_info: LLMModelInfo | None = None,
    auth: Auth | None = None,
    fetched_images: Mapping[str, bytes] | None = None,
) -> Request:
    """The ``llm_estimate`` GET on the socket host (02 §2.12).

    Raises:
        InvalidParamsError: bad messages, model or token type.
    """
    if not isinstance(model, str) or not model.strip():
        raise InvalidParamsError("model", "must be a non-empty model id")
    if token_type is not None and token_type not in ("sogni", "spark"):
        raise InvalidParamsError("token_type", "must be 'sogni' or 'spark'")
    from ._request import validate_messages

    validate_messages(messages)
    return endpoint_request(
        "llm_estimate",
        hosts,
        path_params={
            "tokenType": token_type or "sogni",
            "model": model,
            "inputTokens": estimate_input_tokens(messages, fetched_images),
            "maxOutputTokens": default_max_tokens(
                model_info, max_tokens=max_tokens, think=think, task_profile=task_profile
            ),
        },
        auth=auth,
    )


def parse_llm_estimate(
    status: int, headers: ResponseHeaders, body: bytes, *, reason: str = ""
) -> LlmEstimateQuote:
    """The six ``quote`` fields of an estimate answer.

    Raises:
        ApiStatusError: an error status.
        RemoteProtocolError: a malformed body.
    """
    response = parse_endpoint_response("llm_estimate", status, headers, body, reason=reason)
    assert isinstance(response, LlmEstimateResponse)
    return response.quote
