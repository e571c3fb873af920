"""Arbitrary input reaches the chat core's entry points and only InvalidParamsError comes out
(STYLE X4: any other exception is a bug)."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from sogni_core.chat import (
    TOOL_NAMES,
    MediaContext,
    build_llm_request,
    parse_sogni_tool_call,
    tool_project,
    validate_tool_arguments,
)
from sogni_core.chat.tools import tool_schema
from sogni_core.protocol._errors import InvalidParamsError

_json = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**40), 2**40)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


@st.composite
def _tool_args(draw: st.DrawFn) -> tuple[str, Any]:
    name = draw(st.sampled_from(TOOL_NAMES))
    props = list(tool_schema(name).get("properties", {}))
    keys = st.sampled_from(props) if props else st.text(max_size=5)
    args = draw(st.dictionaries(keys | st.text(max_size=5), _json, max_size=6))
    return name, draw(st.sampled_from([args, draw(_json)]))


@settings(max_examples=300, deadline=None)
@given(_tool_args())
def test_tool_entry_points_raise_only_params_errors(case: tuple[str, Any]) -> None:
    name, args = case
    result = validate_tool_arguments(name, args)
    assert result.ok == (not result.errors)
    call = {
        "id": "c",
        "type": "function",
        "function": {"name": name, "arguments": json.dumps(args)},
    }
    try:
        parsed = parse_sogni_tool_call(call)
    except InvalidParamsError:
        return
    try:
        tool_project(
            parsed,
            available_models={"z_image_turbo_bf16": 1, "ace_step_1.5_xl_turbo": 1},
            media_context=MediaContext(images=(b"\x89PNG\r\n\x1a\n",)),
        )
    except InvalidParamsError:
        pass


_part = st.one_of(
    st.fixed_dictionaries({"type": st.just("text"), "text": _json}),
    st.fixed_dictionaries(
        {"type": st.just("image_url"), "image_url": st.fixed_dictionaries({"url": _json})}
    ),
    _json,
)
_message = st.fixed_dictionaries(
    {
        "role": st.sampled_from(["user", "assistant", "system", "tool", "x"]),
        "content": st.one_of(st.text(max_size=10), st.none(), st.lists(_part, max_size=3), _json),
    },
    optional={"tool_call_id": _json, "name": _json, "tool_calls": _json},
)


@settings(max_examples=300, deadline=None)
@given(
    messages=st.one_of(st.lists(_message, max_size=3), _json),
    tools=st.one_of(st.none(), _json),
    tool_choice=st.one_of(st.none(), _json),
    temperature=st.one_of(st.none(), _json),
)
def test_request_builder_raises_only_params_errors(
    messages: Any, tools: Any, tool_choice: Any, temperature: Any
) -> None:
    try:
        build_llm_request(
            job_id="J",
            model="m",
            messages=messages,
            tools=tools,
            tool_choice=tool_choice,
            temperature=temperature,
        )
    except InvalidParamsError:
        pass
