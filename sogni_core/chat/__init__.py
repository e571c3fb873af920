"""Socket LLM chat and hosted creative tools, sans-IO (wire reference 02 §2, §4).

* :func:`build_llm_request` - validated ``llmJobRequest`` payloads (vision
  data URIs checked, ``think``/``task_profile``, tools, attribution);
* :func:`completion_from_result` / :func:`chunk_from_event` - OpenAI-shaped
  results from the job machine's events; :class:`ChatError` for failures;
* :func:`llm_estimate_request` / :func:`parse_llm_estimate` - the cost estimate;
* :func:`parse_llm_models`, :func:`select_llm_model`, :func:`sampling_preset` -
  ``swarmLLMModels`` info;
* :mod:`sogni_core.chat.tools` - the hosted tool definitions and validator;
* :func:`tool_project` - a direct media tool call as project parameters.
"""

from ._completion import (
    SUBSCRIPTION_CODES,
    ChatCompletion,
    ChatCompletionChunk,
    ChatCompletionMessage,
    ChatError,
    Choice,
    ChunkChoice,
    ChunkDelta,
    FunctionCall,
    MessageToolCall,
    ToolHistoryEntry,
    chat_error,
    chunk_from_event,
    completion_from_result,
)
from ._execute import (
    MediaContext,
    MediaFetchRequired,
    ToolExecutionProgress,
    ToolExecutionResult,
    add_results,
    auto_media_context,
    project_attribution,
    round_attribution,
    tool_project,
    tool_result,
)
from ._models import (
    DEFAULT_MAX_OUTPUT_TOKENS,
    DEFAULT_MODEL,
    default_max_tokens,
    estimate_input_tokens,
    llm_estimate_request,
    parse_llm_estimate,
    parse_llm_models,
    sampling_preset,
    select_llm_model,
)
from ._request import build_llm_request, normalize_sogni_tools, validate_messages
from ._vision import (
    MAX_IMAGE_BYTES,
    MAX_IMAGE_SIDE,
    MAX_VISION_IMAGES,
    Resize,
    image_data_uri,
    image_size,
    is_trusted_image_url,
    normalize_vision,
    remote_image_urls,
)
from .tools import (
    DIRECT_TOOL_NAMES,
    SYNC_TOOL_NAMES,
    TOOL_NAMES,
    SogniToolCall,
    ToolArgumentsError,
    is_sogni_tool_call,
    parse_sogni_tool_call,
    parse_tool_call_arguments,
    sogni_tools,
    validate_tool_arguments,
)

__all__ = [
    "ChatCompletion",
    "ChatCompletionChunk",
    "ChatCompletionMessage",
    "ChatError",
    "Choice",
    "ChunkChoice",
    "ChunkDelta",
    "DEFAULT_MAX_OUTPUT_TOKENS",
    "DEFAULT_MODEL",
    "DIRECT_TOOL_NAMES",
    "FunctionCall",
    "MAX_IMAGE_BYTES",
    "MAX_IMAGE_SIDE",
    "MAX_VISION_IMAGES",
    "MediaContext",
    "MediaFetchRequired",
    "MessageToolCall",
    "Resize",
    "SUBSCRIPTION_CODES",
    "SYNC_TOOL_NAMES",
    "SogniToolCall",
    "TOOL_NAMES",
    "ToolArgumentsError",
    "ToolExecutionProgress",
    "ToolExecutionResult",
    "ToolHistoryEntry",
    "add_results",
    "auto_media_context",
    "build_llm_request",
    "chat_error",
    "chunk_from_event",
    "completion_from_result",
    "default_max_tokens",
    "estimate_input_tokens",
    "image_data_uri",
    "image_size",
    "is_sogni_tool_call",
    "is_trusted_image_url",
    "llm_estimate_request",
    "normalize_sogni_tools",
    "normalize_vision",
    "parse_llm_estimate",
    "parse_llm_models",
    "parse_sogni_tool_call",
    "parse_tool_call_arguments",
    "project_attribution",
    "remote_image_urls",
    "round_attribution",
    "sampling_preset",
    "select_llm_model",
    "sogni_tools",
    "tool_project",
    "tool_result",
    "validate_messages",
    "validate_tool_arguments",
]
