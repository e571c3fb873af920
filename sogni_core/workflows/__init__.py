"""Durable creative workflows, templates, chat runs and hosted chat - sans-IO.

* :mod:`._plan` - :class:`WorkflowBuilder`, :func:`bind`, :func:`validate_plan`
  (field-named :class:`~sogni_core.protocol.InvalidParamsError`).
* :mod:`._calls` / :mod:`._chat_calls` - request builders and response parsers
  for every call of 02 §5 (workflows, templates) and §3 (chat runs, hosted chat,
  tool execution), with the platform's exact casing.
* :mod:`._stream` - :class:`WorkflowEventStream` / :class:`ChatRunEventStream`,
  the resumable SSE machines (exactly-once delivery across drops,
  ``Last-Event-ID``, ``retry:``, idle-read deadline).
* :mod:`._hosted_stream` - :class:`HostedChatStream`, streamed completions.

Typed records and events (``WorkflowRecord``, ``WorkflowEvent``, ...) come
from ``spec/workflows.toml``.
"""

from sogni_core.protocol._generated.rest import ChatRunEvent, HostedChatCompletion, ToolExecuteData
from sogni_core.protocol._generated.workflows import (
    CHAT_RUN_TERMINAL_EVENTS,
    INPUT_MEDIA,
    WORKFLOW_TERMINAL_STATUSES,
    ChatRunRecord,
    ChatRunStatus,
    DependencyTransform,
    HostedChatChunk,
    StepDependency,
    WorkflowArtifact,
    WorkflowEvent,
    WorkflowInput,
    WorkflowRecord,
    WorkflowStatus,
    WorkflowStep,
    WorkflowTemplate,
)

from ._calls import (
    ReseedResult,
    ResumeResult,
    TemplatePage,
    parse_reseed,
    parse_resume,
    parse_template,
    parse_template_delete,
    parse_template_page,
    parse_workflow,
    parse_workflow_events,
    parse_workflow_list,
    start_workflow_request,
    template_request,
    workflow_request,
)
from ._chat_calls import (
    ChatRunError,
    chat_run_request,
    hosted_completion_request,
    parse_chat_run,
    parse_hosted_completion,
    parse_tool_execution,
    tool_execution_request,
)
from ._hosted_stream import HostedChatStream
from ._plan import WorkflowBuilder, bind, check_external_media, plan_to_wire, validate_plan
from ._stream import (
    ChatRunEventStream,
    EventStream,
    StreamInput,
    StreamState,
    WorkflowEventStream,
    WorkflowStreamEvent,
)

__all__ = [
    "CHAT_RUN_TERMINAL_EVENTS",
    "ChatRunError",
    "ChatRunEvent",
    "ChatRunEventStream",
    "ChatRunRecord",
    "ChatRunStatus",
    "DependencyTransform",
    "EventStream",
    "HostedChatChunk",
    "HostedChatCompletion",
    "HostedChatStream",
    "INPUT_MEDIA",
    "ReseedResult",
    "ResumeResult",
    "StepDependency",
    "StreamInput",
    "StreamState",
    "TemplatePage",
    "ToolExecuteData",
    "WORKFLOW_TERMINAL_STATUSES",
    "WorkflowArtifact",
    "WorkflowBuilder",
    "WorkflowEvent",
    "WorkflowEventStream",
    "WorkflowInput",
    "WorkflowRecord",
    "WorkflowStatus",
    "WorkflowStep",
    "WorkflowStreamEvent",
    "WorkflowTemplate",
    "bind",
    "chat_run_request",
    "check_external_media",
    "hosted_completion_request",
    "parse_chat_run",
    "parse_hosted_completion",
    "parse_reseed",
    "parse_resume",
    "parse_template",
    "parse_template_delete",
    "parse_template_page",
    "parse_tool_execution",
    "parse_workflow",
    "parse_workflow_events",
    "parse_workflow_list",
    "plan_to_wire",
    "start_workflow_request",
    "template_request",
    "tool_execution_request",
    "validate_plan",
    "workflow_request",
]
