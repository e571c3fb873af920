"""Sans-IO request builders and response parsers: workflows and templates (02 §5); the
chat runs and hosted REST chat surfaces (02 §3) are in ``_chat_calls``, which shares the
body helpers defined here.

Casing on the wire follows the official SDK exactly (02 §5.2): top-level
options become snake_case (``workflow_id``, ``token_type``, ``billing_mode``,
``app_source``, ``max_estimated_capacity_units``, ``confirm_cost``,
``safe_content_filter``, ``media_references``, ``seed_overrides``), while the
inline plan, template inputs, template bodies and ``runtime_config`` /
``media_context`` inner keys are sent exactly as given. The hosted chat
completion keeps its one camelCase key, ``billingMode`` (02 §8.6).

Bodies are built key by key in the SDK's insertion order; unset options are
left out (JS ``undefined``), but values *inside* pass-through objects are
never touched - a ``null`` in step arguments stays ``null``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import msgspec

from sogni_core.protocol._errors import ApiStatusError, InvalidParamsError, RemoteProtocolError
from sogni_core.protocol._generated.workflows import (
    WorkflowEvent,
    WorkflowInput,
    WorkflowRecord,
    WorkflowTemplate,
)
from sogni_core.protocol.rest import (
    Attribution,
    Auth,
    Hosts,
    QueryValue,
    Request,
    api_status_error,
    endpoint_request,
    is_success,
    parse_json,
)
from sogni_core.protocol.rest._response import ResponseHeaders

from ._plan import check_external_media, plan_to_wire, validate_plan

__all__ = [
    "ReseedResult",
    "ResumeResult",
    "TemplatePage",
    "parse_reseed",
    "parse_resume",
    "parse_template",
    "parse_template_delete",
    "parse_template_page",
    "parse_workflow",
    "parse_workflow_events",
    "parse_workflow_list",
    "start_workflow_request",
    "template_request",
    "workflow_request",
]


class ResumeResult(msgspec.Struct, frozen=True, kw_only=True):
    """``workflows.resume`` result: the record and ``data.resumed === true``."""

    workflow: WorkflowRecord
    resumed: bool


class ReseedResult(msgspec.Struct, frozen=True, kw_only=True):
    """``workflows.reseed`` result (02 §5.4); ``workflow`` is the *new* run."""

    workflow: WorkflowRecord
    cloned_from_run_id: str
    steps: tuple[Any, ...] = ()
    idempotent: bool = False


class TemplatePage(msgspec.Struct, frozen=True, kw_only=True):
    """``templates.list`` result; ``next_cursor`` is a numeric offset or ``None``."""

    templates: tuple[WorkflowTemplate, ...]
    next_cursor: int | None = None


# -- helpers ------------------------------------------------------------------------------


def _with_body(request: Request, body: Mapping[str, Any]) -> Request:
    # Top-level keys were already filtered; nested values go out as given.
    try:
        data = msgspec.json.encode(body)
    except (TypeError, ValueError, OverflowError) as exc:
        raise InvalidParamsError("body", f"not JSON-encodable: {type(exc).__name__}") from exc
    return msgspec.structs.replace(request, body=data)


def _attribution(app_source: str | None, attribution: Attribution | None) -> Attribution | None:
    # SDK attributionHeaders(appSource, override, uuid): the app source is the
    # resolved one; the override supplies the other fields.
    if attribution is None:
        return Attribution(app_source=app_source) if app_source else None
    if app_source and attribution.app_source is None:
        return msgspec.structs.replace(attribution, app_source=app_source)
    return attribution


def _put(body: dict[str, Any], key: str, value: Any, *, truthy: bool = False) -> None:
    if value is None or (truthy and not value):
        return
    body[key] = value


# -- workflows (02 §5) --------------------------------------------------------------------


def start_workflow_request(
    hosts: Hosts,
    *,
    auth: Auth | None,
    input: WorkflowInput | Mapping[str, Any] | None = None,
    workflow_id: str | None = None,
    inputs: Mapping[str, Any] | None = None,
    token_type: str | None = None,
    billing_mode: str | None = None,
    app_source: str | None = None,
    max_estimated_capacity_units: float | None = None,
    confirm_cost: bool | None = None,
    safe_content_filter: bool | None = None,
    media_references: Sequence[Any] | None = None,
    idempotency_key: str | None = None,
    attribution: Attribution | None = None,
    operation_id: str | None = None,
    validate: bool = True,
) -> Request:
    """``POST /v1/creative-agent/workflows`` (02 §5.3).

    Args:
        hosts: REST bases.
        auth: credentials.
        input: an inline plan (validated unless ``validate=False``).
        workflow_id: a saved template id (instead of ``input``).
        inputs: template inputs, sent only with ``workflow_id``.
        token_type: ``sogni`` / ``spark``.
        billing_mode: ``auto`` / ``subscription`` / ``tokens``.
        app_source: the app source (body and ``X-App-Source``).
        max_estimated_capacity_units: capacity-unit ceiling.
        confirm_cost: pre-approve the estimated cost.
        safe_content_filter: the server's content filter switch.
        media_references: uploaded media (HTTP(S) URLs), read by ``$input_media``.
        idempotency_key: ``Idempotency-Key`` header.
        attribution: attribution header fields.
        operation_id: fallback operation id (a fresh uppercase UUID).
        validate: run :func:`validate_plan` on ``input``.

    Returns:
        The request; body keys in the SDK's order.

    Raises:
        InvalidParamsError: inline media, neither or both of ``input`` and
            ``workflow_id``, or an invalid plan.
    """
    check_external_media(media_references)
    if input is None and not workflow_id:
        raise InvalidParamsError(
            "input",
            "CreativeWorkflowsApi.start requires either `input` (inline plan) or "
            "`workflowId` (saved template id)",
        )
    if input is not None and workflow_id:
        raise InvalidParamsError(
            "workflow_id", "CreativeWorkflowsApi.start accepts `input` or `workflowId`, not both"
        )
    body: dict[str, Any] = {}
    if input is not None:
        if validate:
            validate_plan(input, media_references=media_references)
        body["input"] = plan_to_wire(input)
    if workflow_id:
        body["workflow_id"] = workflow_id
        _put(body, "inputs", inputs, truthy=True)
    _put(body, "token_type", token_type, truthy=True)
    _put(body, "billing_mode", billing_mode, truthy=True)
    _put(body, "app_source", app_source, truthy=True)
    _put(body, "max_estimated_capacity_units", max_estimated_capacity_units)
    _put(body, "confirm_cost", confirm_cost)
    _put(body, "safe_content_filter", safe_content_filter)
    if media_references is not None:
        body["media_references"] = list(media_references)
    request = endpoint_request(
        "workflow_start",
        hosts,
        auth=auth,
        attribution=_attribution(app_source, attribution),
        operation_id=operation_id,
        idempotency_key=idempotency_key,
    )
    return _with_body(request, body)


def workflow_request(
    action: str,
    hosts: Hosts,
    workflow_id: str | None = None,
    *,
    auth: Auth | None,
    limit: int | None = None,
    offset: int | None = None,
    token_type: str | None = None,
    billing_mode: str | None = None,
    app_source: str | None = None,
    seed_overrides: Mapping[str, int] | None = None,
    idempotency_key: str | None = None,
    attribution: Attribution | None = None,
    operation_id: str | None = None,
) -> Request:
    """The other workflow calls: ``get``, ``list``, ``events``, ``resume``, ``reseed``, ``cancel``.

    Args:
        action: one of the names above.
        hosts: REST bases.
        workflow_id: the workflow (all but ``list``).
        auth: credentials.
        limit: ``list`` page size.
        offset: ``list`` offset.
        token_type: ``resume``/``reseed`` option.
        billing_mode: ``resume``/``reseed`` option.
        app_source: ``resume``/``reseed`` option (and ``X-App-Source``).
        seed_overrides: ``reseed``: step id -> seed.
        idempotency_key: ``reseed`` ``Idempotency-Key``.
        attribution: ``resume``/``reseed`` attribution.
        operation_id: fallback operation id.

    Returns:
        The request.

    Raises:
        InvalidParamsError: unknown action or a missing workflow id.
    """
    if action == "list":
        return endpoint_request(
            "workflow_list", hosts, auth=auth, query={"limit": limit, "offset": offset}
        )
    if action not in ("get", "events", "resume", "reseed", "cancel"):
        raise InvalidParamsError("action", f"unknown workflow call {action!r}")
    if not workflow_id:
        raise InvalidParamsError("workflow_id", "must be a non-empty string")
    params = {"workflowId": workflow_id}
    if action in ("get", "events", "cancel"):
        return endpoint_request(f"workflow_{action}", hosts, path_params=params, auth=auth)
    body: dict[str, Any] = {}
    if action == "reseed":
        _put(body, "seed_overrides", dict(seed_overrides or {}), truthy=True)
    _put(body, "token_type", token_type, truthy=True)
    _put(body, "billing_mode", billing_mode, truthy=True)
    _put(body, "app_source", app_source, truthy=True)
    request = endpoint_request(
        f"workflow_{action}",
        hosts,
        path_params=params,
        auth=auth,
        attribution=_attribution(app_source, attribution),
        operation_id=operation_id,
        idempotency_key=idempotency_key if action == "reseed" else None,
    )
    return _with_body(request, body)


def _workflow_error(status: int, headers: ResponseHeaders, body: bytes) -> ApiStatusError:
    # 02 §5.2: payload = body when body.status == "error", else body.data ?? body;
    # message = payload.message if a string else the status text; code = errorCode or 0.
    return api_status_error(status, headers, body)


def _workflow_data(status: int, headers: ResponseHeaders, body: bytes, key: str) -> Any:
    if not is_success(status):
        raise _workflow_error(status, headers, body)
    value = parse_json(status, body)
    data = value.get("data") if isinstance(value, dict) else None
    if not isinstance(data, dict):
        raise RemoteProtocolError("Creative workflow response did not include data")
    if key not in data:
        raise RemoteProtocolError(f"Creative workflow response did not include data.{key}")
    return data


def _convert(value: Any, typ: Any, what: str) -> Any:
    try:
        return msgspec.convert(value, typ)
    except msgspec.ValidationError as exc:
        raise RemoteProtocolError(f"unexpected {what} shape: {exc}") from exc


def parse_workflow(status: int, headers: ResponseHeaders, body: bytes) -> WorkflowRecord:
    """Parse start/get/cancel: ``data.workflow`` as a :class:`WorkflowRecord`.

    Raises:
        ApiStatusError: an error status.
        RemoteProtocolError: no ``data`` / ``data.workflow`` (the SDK's messages).
    """
    data = _workflow_data(status, headers, body, "workflow")
    return _convert(data["workflow"], WorkflowRecord, "workflow")  # type: ignore[no-any-return]


def parse_workflow_list(
    status: int, headers: ResponseHeaders, body: bytes
) -> tuple[WorkflowRecord, ...]:
    """Parse ``list``: ``data.workflows`` (any ``next`` cursor is dropped, as the SDK does)."""
    data = _workflow_data(status, headers, body, "workflows")
    return _convert(data["workflows"], tuple[WorkflowRecord, ...], "workflows")  # type: ignore[no-any-return]


def parse_workflow_events(
    status: int, headers: ResponseHeaders, body: bytes
) -> tuple[WorkflowEvent, ...]:
    """Parse ``events``: ``data.events``."""
    data = _workflow_data(status, headers, body, "events")
    return _convert(data["events"], tuple[WorkflowEvent, ...], "events")  # type: ignore[no-any-return]


def parse_resume(status: int, headers: ResponseHeaders, body: bytes) -> ResumeResult:
    """Parse ``resume``: ``{workflow, resumed: data.resumed === true}``."""
    data = _workflow_data(status, headers, body, "workflow")
    workflow = _convert(data["workflow"], WorkflowRecord, "workflow")
    return ResumeResult(workflow=workflow, resumed=data.get("resumed") is True)


def parse_reseed(status: int, headers: ResponseHeaders, body: bytes) -> ReseedResult:
    """Parse ``reseed``: the new run plus ``reseed.cloned_from_run_id`` / ``steps``."""
    data = _workflow_data(status, headers, body, "workflow")
    workflow = _convert(data["workflow"], WorkflowRecord, "workflow")
    raw = data.get("reseed") if isinstance(data.get("reseed"), dict) else {}
    cloned = raw.get("cloned_from_run_id")
    steps = raw.get("steps")
    return ReseedResult(
        workflow=workflow,
        cloned_from_run_id=cloned if isinstance(cloned, str) else "",
        steps=tuple(steps) if isinstance(steps, list) else (),
        idempotent=data.get("idempotent") is True,
    )


# -- templates (02 §5.7) ------------------------------------------------------------------


def template_request(
    action: str,
    hosts: Hosts,
    template_id: str | None = None,
    *,
    auth: Auth | None,
    body: Mapping[str, Any] | WorkflowTemplate | None = None,
    visibility: str | None = None,
    offset: float | None = None,
    limit: float | None = None,
) -> Request:
    """Template calls: ``list``, ``get``, ``create``, ``update``, ``delete``, ``fork``.

    Bodies (``create`` template, ``update`` patch, ``fork`` ``{newName}``) are
    sent as given; no attribution headers (02 §5.7).

    Raises:
        InvalidParamsError: unknown action, missing id or body.
    """
    if action == "list":
        query: list[tuple[str, QueryValue]] = []
        if visibility:
            query.append(("visibility", visibility))
        if isinstance(offset, (int, float)) and not isinstance(offset, bool) and offset >= 0:
            query.append(("offset", int(offset // 1)))
        if isinstance(limit, (int, float)) and not isinstance(limit, bool) and limit > 0:
            query.append(("limit", min(max(int(limit // 1), 1), 200)))
        return endpoint_request("template_list", hosts, auth=auth, query=query)
    if action not in ("get", "create", "update", "delete", "fork"):
        raise InvalidParamsError("action", f"unknown template call {action!r}")
    if action == "create":
        if body is None:
            raise InvalidParamsError("template", "a template body is required")
        request = endpoint_request("template_create", hosts, auth=auth)
        return _with_body(request, _wire(body))
    if not template_id:
        raise InvalidParamsError("template_id", "must be a non-empty string")
    params = {"templateId": template_id}
    request = endpoint_request(f"template_{action}", hosts, path_params=params, auth=auth)
    if action in ("update", "fork"):
        return _with_body(request, _wire(body) if body is not None else {})
    return request


def _wire(body: Mapping[str, Any] | WorkflowTemplate) -> Any:
    return msgspec.to_builtins(body) if isinstance(body, msgspec.Struct) else body


def _template_envelope(status: int, headers: ResponseHeaders, body: bytes) -> dict[str, Any]:
    # 02 §5.7 success parsing: empty/unparseable/non-object -> {}; a success
    # envelope with an object data -> data; any other object as-is.
    if not is_success(status):
        raise _template_error(status, headers, body)
    try:
        value = msgspec.json.decode(body) if body.strip() else {}
    except msgspec.DecodeError:
        value = {}
    if not isinstance(value, dict):
        return {}
    data = value.get("data")
    if value.get("status") == "success" and isinstance(data, dict):
        return data
    return value


def _template_error(status: int, headers: ResponseHeaders, body: bytes) -> ApiStatusError:
    error = api_status_error(status, headers, body)
    # The template group reports errorCode when numeric, else 0 (02 §5.7).
    code = error.code if isinstance(error.code, int) and body.strip().startswith(b"{") else 0
    return ApiStatusError(error.message, status=status, code=code, retry_after=error.retry_after)


def _is_template(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and isinstance(value.get("id"), str)
        and isinstance(value.get("name"), str)
    )


def parse_template(
    status: int, headers: ResponseHeaders, body: bytes, *, action: str = "get"
) -> WorkflowTemplate:
    """Parse get/create/update/fork: ``template`` (id and name must be strings).

    Raises:
        ApiStatusError: an error status, or (status 500, as the SDK) a
            response without a valid template.
    """
    data = _template_envelope(status, headers, body)
    template = data.get("template")
    if not _is_template(template):
        label = "" if action == "get" else f" {action}"
        raise ApiStatusError(
            f"Workflow template{label} response missing template field", status=500, code=0
        )
    return _convert(template, WorkflowTemplate, "template")  # type: ignore[no-any-return]


def parse_template_page(status: int, headers: ResponseHeaders, body: bytes) -> TemplatePage:
    """Parse ``list``: valid templates only; ``next`` as the cursor when numeric."""
    data = _template_envelope(status, headers, body)
    rows = data.get("templates")
    templates = tuple(
        _convert(t, WorkflowTemplate, "template")
        for t in (rows if isinstance(rows, list) else [])
        if _is_template(t)
    )
    nxt = data.get("next")
    cursor = nxt if isinstance(nxt, int) and not isinstance(nxt, bool) else None
    return TemplatePage(templates=templates, next_cursor=cursor)


def parse_template_delete(status: int, headers: ResponseHeaders, body: bytes) -> None:
    """Parse ``delete`` (the body is ignored, errors raised)."""
    _template_envelope(status, headers, body)
