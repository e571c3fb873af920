"""SSE decoder: WHATWG table cases, every split of a stream, generated streams, limits."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sogni_core.protocol._errors import LocalProtocolError, RemoteProtocolError
from sogni_core.protocol.sse import (
    DEFAULT_MAX_EVENT_SIZE,
    DEFAULT_MAX_LINE_LENGTH,
    SSEDecoder,
    SSEEvent,
)


def E(data: str, event: str = "message", id: str = "", retry: int | None = None) -> SSEEvent:
    return SSEEvent(event=event, data=data, id=id, retry=retry)


def decode_whole(stream: bytes, **kw: object) -> list[SSEEvent]:
    d = SSEDecoder(**kw)  # type: ignore[arg-type]
    return d.feed(stream) + d.finish()


def decode_bytewise(stream: bytes, **kw: object) -> list[SSEEvent]:
    d = SSEDecoder(**kw)  # type: ignore[arg-type]
    out: list[SSEEvent] = []
    for i in range(len(stream)):
        out += d.feed(stream[i : i + 1])
    return out + d.finish()


# (name, stream, events) — every case runs whole and one byte at a time (STYLE Q2).
CASES: list[tuple[str, bytes, list[SSEEvent]]] = [
    ("simple", b"data: hello\n\n", [E("hello")]),
    ("no space after colon", b"data:hello\n\n", [E("hello")]),
    ("only one leading space stripped", b"data:  two\n\n", [E(" two")]),
    ("multi-line data", b"data: a\ndata: b\n\n", [E("a\nb")]),
    ("empty data line fires an empty event", b"data\n\n", [E("")]),
    ("data then empty data", b"data: x\ndata:\n\n", [E("x\n")]),
    ("no data, no event", b"event: ping\n\n", []),
    ("event type", b"event: workflow_status\ndata: {}\n\n", [E("{}", event="workflow_status")]),
    ("empty event name means message", b"event:\ndata: x\n\n", [E("x")]),
    ("event type resets per event", b"event: a\ndata: 1\n\ndata: 2\n\n", [E("1", "a"), E("2")]),
    ("CRLF", b"data: a\r\ndata: b\r\n\r\n", [E("a\nb")]),
    ("CR", b"data: a\rdata: b\r\r", [E("a\nb")]),
    ("mixed terminators", b"data: a\r\ndata: b\rdata: c\n\n", [E("a\nb\nc")]),
    ("CR then LF is one terminator, not a blank line", b"data: a\r\n\r\n", [E("a")]),
    ("LF CR is two terminators", b"data: a\n\r", [E("a")]),
    ("comment ignored", b": keep-alive\ndata: x\n\n", [E("x")]),
    ("comment-only block fires nothing", b": hi\n\n", []),
    ("unknown field ignored", b"foo: bar\ndata: x\n\n", [E("x")]),
    ("field name is case-sensitive", b"Data: x\n\n", []),
    ("colon in value kept", b'data: {"a":1}\n\n', [E('{"a":1}')]),
    ("BOM stripped", b"\xef\xbb\xbfdata: x\n\n", [E("x")]),
    ("only one BOM stripped", b"\xef\xbb\xbf\xef\xbb\xbfdata: x\n\n", []),
    ("utf-8 data", "data: héllo ☃ 🎨\n\n".encode(), [E("héllo ☃ 🎨")]),
    ("id", b"id: 7\ndata: x\n\n", [E("x", id="7")]),
    ("id persists", b"id: 7\ndata: x\n\ndata: y\n\n", [E("x", id="7"), E("y", id="7")]),
    ("empty id resets", b"id: 7\ndata: x\n\nid\ndata: y\n\n", [E("x", id="7"), E("y")]),
    (
        "id with NUL ignored",
        b"id: 3\ndata: a\n\nid: 4\x005\ndata: b\n\n",
        [E("a", id="3"), E("b", id="3")],
    ),
    ("id set without data still updates", b"id: 9\n\ndata: x\n\n", [E("x", id="9")]),
    ("retry", b"retry: 1500\ndata: x\n\n", [E("x", retry=1500)]),
    ("retry non-digit ignored", b"retry: 15a\ndata: x\n\n", [E("x")]),
    ("retry negative ignored", b"retry: -1\ndata: x\n\n", [E("x")]),
    ("retry with space-prefixed value", b"retry:  10\ndata: x\n\n", [E("x")]),
    ("retry only in its block", b"retry: 5\ndata: x\n\ndata: y\n\n", [E("x", retry=5), E("y")]),
    ("unterminated event dropped", b"data: x\n\ndata: y\n", [E("x")]),
    ("unterminated line dropped", b"data: x", []),
    (
        "spec example",
        b"data: YHOO\ndata: +2\ndata: 10\n\n",
        [E("YHOO\n+2\n10")],
    ),
    (
        "workflow canonical example",
        b'id: 7\nevent: workflow_status\ndata: {"workflowId":"wf_1","status":"completed"}\n\n',
        [E('{"workflowId":"wf_1","status":"completed"}', event="workflow_status", id="7")],
    ),
]


@pytest.mark.parametrize(("name", "stream", "expected"), CASES, ids=[c[0] for c in CASES])
def test_table(name: str, stream: bytes, expected: list[SSEEvent]) -> None:
    assert decode_whole(stream) == expected
    assert decode_bytewise(stream) == expected


def test_last_event_id_and_retry_properties() -> None:
    fresh = SSEDecoder()
    assert fresh.last_event_id == "" and fresh.retry_ms is None
    d = SSEDecoder()
    d.feed(b"id: abc\nretry: 3000\n\n")
    assert d.last_event_id == "abc"
    assert d.retry_ms == 3000
    d.feed(b"retry: x\n\n")
    assert d.retry_ms == 3000  # invalid retry leaves it
    d.feed(b"id: a\x00\n\n")
    assert d.last_event_id == "abc"  # NUL id ignored


def test_initial_last_event_id() -> None:
    d = SSEDecoder(last_event_id="41")
    assert d.last_event_id == "41"
    assert d.feed(b"data: x\n\n") == [E("x", id="41")]


def test_id_applies_at_dispatch_not_when_seen() -> None:
    d = SSEDecoder()
    d.feed(b"data: x\nid: 5\n")
    assert d.last_event_id == ""  # not dispatched yet
    assert d.feed(b"\n") == [E("x", id="5")]
    assert d.last_event_id == "5"


def test_dispatch_incomplete_at_finish() -> None:
    d = SSEDecoder(dispatch_incomplete=True)
    assert d.feed(b"data: a\n\nevent: e\ndata: b") == [E("a")]
    assert d.finish() == [E("b", event="e")]
    d2 = SSEDecoder(dispatch_incomplete=True)
    assert d2.feed(b"data: c\n") == []
    assert d2.finish() == [E("c")]
    d3 = SSEDecoder(dispatch_incomplete=True)
    assert d3.finish() == []


def test_finish_discards_incomplete_by_default() -> None:
    d = SSEDecoder()
    assert d.feed(b"data: a") == []
    assert d.finish() == []


def test_feed_after_finish_is_local_error() -> None:
    d = SSEDecoder()
    d.finish()
    with pytest.raises(LocalProtocolError):
        d.feed(b"data: x\n\n")
    with pytest.raises(LocalProtocolError):
        d.finish()


def test_invalid_utf8_is_remote_error_and_sticky() -> None:
    d = SSEDecoder()
    with pytest.raises(RemoteProtocolError):
        d.feed(b"data: \xff\n\n")
    with pytest.raises(RemoteProtocolError):
        d.feed(b"data: fine\n\n")
    with pytest.raises(RemoteProtocolError):
        d.finish()


def test_truncated_utf8_at_finish_is_remote_error() -> None:
    d = SSEDecoder()
    assert d.feed(b"data: \xe2\x98") == []
    with pytest.raises(RemoteProtocolError):
        d.finish()


def test_utf8_split_across_chunks() -> None:
    d = SSEDecoder()
    snow = "☃".encode()
    assert d.feed(b"data: " + snow[:1]) == []
    assert d.feed(snow[1:2]) == []
    assert d.feed(snow[2:] + b"\n\n") == [E("☃")]


def test_line_limit() -> None:
    assert DEFAULT_MAX_LINE_LENGTH >= 1024
    assert decode_whole(b"data: 12345\n\n", max_line_length=11) == [E("12345")]
    with pytest.raises(RemoteProtocolError):
        decode_whole(b"data: 123456\n\n", max_line_length=11)
    with pytest.raises(RemoteProtocolError):
        decode_bytewise(b"data: 123456\n\n", max_line_length=11)
    # an unterminated line over the limit fails before its end arrives
    d = SSEDecoder(max_line_length=8)
    with pytest.raises(RemoteProtocolError):
        d.feed(b"x" * 9)


def test_event_size_limit() -> None:
    assert DEFAULT_MAX_EVENT_SIZE >= DEFAULT_MAX_LINE_LENGTH
    assert decode_whole(b"data: ab\ndata: cd\n\n", max_event_size=6) == [E("ab\ncd")]
    with pytest.raises(RemoteProtocolError):
        decode_whole(b"data: ab\ndata: cde\n\n", max_event_size=6)
    # the budget is per event
    assert decode_whole(b"data: abcde\n\ndata: abcde\n\n", max_event_size=6) == [
        E("abcde"),
        E("abcde"),
    ]


def test_bad_limits() -> None:
    with pytest.raises(ValueError):
        SSEDecoder(max_line_length=0)
    with pytest.raises(ValueError):
        SSEDecoder(max_event_size=0)


def test_event_is_frozen_and_hashable() -> None:
    e = E("x")
    with pytest.raises(AttributeError):
        e.data = "y"  # type: ignore[misc]
    assert hash(e) == hash(E("x"))


# ---- Hypothesis ---------------------------------------------------------------------

_EOLS = st.sampled_from(["\n", "\r", "\r\n"])
_text = st.text(
    alphabet=st.characters(codec="utf-8", exclude_characters="\r\n"),
    max_size=12,
)
_field = st.sampled_from(["data", "event", "id", "retry", "foo", ""])


@st.composite
def sse_streams(draw: st.DrawFn) -> bytes:
    """Arbitrary line-structured SSE text (fields, comments, blank lines, any EOL)."""
    lines: list[str] = []
    if draw(st.booleans()):
        lines.append("\ufeff")
    for _ in range(draw(st.integers(0, 20))):
        kind = draw(st.sampled_from(["field", "bare", "comment", "blank", "retry"]))
        if kind == "field":
            line = f"{draw(_field)}:{draw(st.sampled_from(['', ' ']))}{draw(_text)}"
        elif kind == "bare":
            line = draw(_field)
        elif kind == "comment":
            line = ":" + draw(_text)
        elif kind == "retry":
            line = f"retry: {draw(st.integers(0, 10**6))}"
        else:
            line = ""
        lines.append(line + draw(_EOLS))
    text = "".join(lines)
    # A BOM marker only counts at the very start; keep it there.
    return text.encode("utf-8")


@settings(max_examples=200, deadline=None)
@given(stream=sse_streams(), data=st.data())
def test_any_split_gives_same_events(stream: bytes, data: st.DataObject) -> None:
    expected = decode_whole(stream)
    assert decode_bytewise(stream) == expected
    cuts = sorted(data.draw(st.lists(st.integers(0, len(stream)), max_size=8)))
    d = SSEDecoder()
    out: list[SSEEvent] = []
    prev = 0
    for cut in [*cuts, len(stream)]:
        out += d.feed(stream[prev:cut])
        prev = cut
    assert out + d.finish() == expected


@st.composite
def event_lists(draw: st.DrawFn) -> list[tuple[str | None, list[str], str | None]]:
    name = st.text(alphabet="abcdefghij_", min_size=1, max_size=8)
    item = st.tuples(
        st.none() | name,
        st.lists(_text, min_size=1, max_size=4),
        st.none() | st.text(alphabet="0123456789abc", min_size=1, max_size=6),
    )
    return draw(st.lists(item, max_size=10))


@settings(max_examples=200, deadline=None)
@given(events=event_lists(), eol=_EOLS)
def test_decodes_generated_streams(
    events: list[tuple[str | None, list[str], str | None]], eol: str
) -> None:
    """Encode events the way a server would, then decode them back."""
    parts: list[str] = []
    expected: list[SSEEvent] = []
    last_id = ""
    for name, datas, ident in events:
        if ident is not None:
            parts.append(f"id: {ident}{eol}")
            last_id = ident
        if name is not None:
            parts.append(f"event: {name}{eol}")
        for line in datas:
            parts.append(f"data: {line}{eol}")
        parts.append(eol)
        expected.append(E("\n".join(datas), event=name or "message", id=last_id))
    stream = "".join(parts).encode()
    assert decode_whole(stream) == expected
    assert decode_bytewise(stream) == expected
