"""Incremental Server-Sent Events decoder (WHATWG HTML §9.2 "Server-sent events").

Theory of operation
-------------------
The decoder is a ``feed(bytes) -> list[SSEEvent]`` / ``finish()`` object, the
sans-IO shape of the SSE half of an HTTP response: the transport hands it body
chunks as they arrive, in any split, and gets back whole events.

Three stages, each kept incremental so that *every* split of a byte stream -
including one byte at a time - yields the same events (tested by Hypothesis):

1. **Decode.** "Streams must be decoded using the UTF-8 decode algorithm"
   (§9.2.5). An incremental UTF-8 decoder holds a multi-byte sequence split
   across chunks. The spec's decoder replaces bad bytes with U+FFFD; this one
   is *strict* and raises :class:`RemoteProtocolError` instead, because the
   Sogni payloads are JSON and a corrupted byte is a server bug worth seeing.
   "One leading U+FEFF BYTE ORDER MARK character must be ignored if any are
   present" - only at the very start of the stream.
2. **Split lines.** "Lines must be separated by either a U+000D CARRIAGE RETURN
   U+000A LINE FEED (CRLF) character pair, a single U+000A LINE FEED (LF)
   character, or a single U+000D CARRIAGE RETURN (CR) character." A CR at the
   end of a chunk ends its line at once; a LF opening the next chunk is then
   the second half of that CRLF and is skipped.
3. **Interpret lines** (§9.2.6): a blank line dispatches the event; a line
   starting with ``:`` is a comment; otherwise the field name is the text up
   to the first ``:`` and the value the rest, less one leading space.
   ``event`` sets the type, ``data`` appends to the data buffer plus a LF,
   ``id`` sets the last event ID unless the value contains NUL, ``retry``
   sets the reconnection time when the value is ASCII digits only; any other
   field is ignored.

Dispatch (§9.2.6 "dispatch the event"): the last event ID is updated even when
no event is fired; an empty data buffer fires nothing; otherwise one trailing
LF is removed and an event of type ``event`` (default ``"message"``) fires.

End of stream: "If the file ends in the middle of an event, before the final
empty line, the incomplete event is not dispatched." :meth:`SSEDecoder.finish`
follows that by default. The official SDK parsers (chat runs, workflows) do
parse a trailing unterminated block; ``dispatch_incomplete=True`` reproduces
that for servers that omit the final blank line.

Limits (STYLE B5): ``max_line_length`` bounds one line and ``max_event_size``
the data buffer of one event, both in characters; going over raises
:class:`RemoteProtocolError`. Errors are sticky: once the decoder raised, every
later call raises the same error. Any other exception escaping the decoder is a
bug (the fuzz harness asserts it).
"""

from __future__ import annotations

import codecs
import re
from typing import Final

import msgspec

from ._errors import LocalProtocolError, RemoteProtocolError

__all__ = [
    "DEFAULT_MAX_EVENT_SIZE",
    "DEFAULT_MAX_LINE_LENGTH",
    "SSEDecoder",
    "SSEEvent",
]

#: Default bound on one line, in characters. The largest Sogni SSE lines are
#: single ``data:`` lines carrying a JSON run event or workflow record (tens of
#: KiB); 1 MiB leaves ample headroom while stopping a server that never sends a
#: line break from growing the buffer without limit.
DEFAULT_MAX_LINE_LENGTH: Final = 1024 * 1024

#: Default bound on one event's accumulated data, in characters (16 MiB).
DEFAULT_MAX_EVENT_SIZE: Final = 16 * 1024 * 1024

# §9.2.5: end-of-line = CRLF / LF / CR. CRLF is listed first so that a pair
# that arrives in one chunk is consumed as one terminator.
_EOL = re.compile(r"\r\n|\r|\n")

# §9.2.6 "If the field value consists of only ASCII digits".
_ASCII_DIGITS = re.compile(r"[0-9]+")


class SSEEvent(msgspec.Struct, frozen=True, kw_only=True):
    """One dispatched server-sent event.

    Attributes:
        event: the event type; ``"message"`` when the block had no ``event``
            field (or an empty one).
        data: the data lines joined with ``"\\n"``.
        id: the last event ID at dispatch time (``""`` when none was set); per
            the spec it persists across events until an ``id`` field changes it.
        retry: the reconnection time in milliseconds set by a ``retry`` field
            inside this event's block, else ``None``.
    """

    event: str = "message"
    data: str = ""
    id: str = ""
    retry: int | None = None


class SSEDecoder:
    """Incremental SSE decoder: bytes in, :class:`SSEEvent` out.

    Args:
        max_line_length: most characters one line may hold (terminator
            excluded). Default :data:`DEFAULT_MAX_LINE_LENGTH`.
        max_event_size: most characters of data one event may accumulate.
            Default :data:`DEFAULT_MAX_EVENT_SIZE`.
        dispatch_incomplete: when true, :meth:`finish` dispatches a final
            event that lacks its terminating blank line (what the official SDK
            parsers do); when false (default) it is discarded as the WHATWG
            spec says.
        last_event_id: initial last event ID, e.g. the value sent as the
            ``Last-Event-ID`` request header when resuming.

    Raises:
        ValueError: a limit is not a positive integer.
    """

    def __init__(
        self,
        *,
        max_line_length: int = DEFAULT_MAX_LINE_LENGTH,
        max_event_size: int = DEFAULT_MAX_EVENT_SIZE,
        dispatch_incomplete: bool = False,
        last_event_id: str = "",
    ) -> None:
        if max_line_length < 1 or max_event_size < 1:
            raise ValueError("SSE limits must be positive")
        self._max_line = max_line_length
        self._max_event = max_event_size
        self._dispatch_incomplete = dispatch_incomplete
        self._decoder = codecs.getincrementaldecoder("utf-8")("strict")
        self._started = False  # BOM check done
        self._after_cr = False  # previous chunk ended in CR: skip a leading LF
        self._partial: list[str] = []  # pieces of the unterminated line
        self._partial_len = 0
        # Per-event buffers (§9.2.6).
        self._event_type = ""
        self._data: list[str] = []
        self._data_len = 0
        self._id_buffer = last_event_id
        self._event_retry: int | None = None
        # Connection-level state.
        self._last_event_id = last_event_id
        self._retry_ms: int | None = None
        self._error: RemoteProtocolError | None = None
        self._finished = False

    # -- public surface ---------------------------------------------------------------

    @property
    def last_event_id(self) -> str:
        """The last event ID seen so far, as the spec defines it.

        This is the value to send as ``Last-Event-ID`` when reconnecting;
        ``""`` when no ``id`` field has been seen.
        """
        return self._last_event_id

    @property
    def retry_ms(self) -> int | None:
        """The reconnection time from the latest valid ``retry`` field, in ms."""
        return self._retry_ms

    def feed(self, data: bytes) -> list[SSEEvent]:
        """Decode the next chunk of the stream.

        Args:
            data: any number of bytes, split anywhere.

        Returns:
            The events completed by this chunk, in order (possibly empty).

        Raises:
            RemoteProtocolError: the bytes are not UTF-8, or a line or an
                event's data went over its limit. The decoder is then broken:
                every later call raises the same error.
            LocalProtocolError: :meth:`finish` was already called.
        """
        self._check_usable()
        try:
            text = self._decoder.decode(data)
        except UnicodeDecodeError as exc:
            raise self._fail("SSE stream is not valid UTF-8") from exc
        return self._process(text)

    def finish(self) -> list[SSEEvent]:
        """Signal the end of the stream.

        Returns:
            With ``dispatch_incomplete=True``, the final unterminated event if
            any; otherwise an empty list (the incomplete event is discarded).

        Raises:
            RemoteProtocolError: the stream ended inside a UTF-8 sequence, or
                the decoder had already failed.
            LocalProtocolError: :meth:`finish` was already called.
        """
        self._check_usable()
        self._finished = True
        try:
            self._decoder.decode(b"", final=True)
        except UnicodeDecodeError as exc:
            raise self._fail("SSE stream ended inside a UTF-8 sequence") from exc
        # ``text`` is always empty here: a strict UTF-8 decoder only holds back
        # an incomplete sequence, which raises above instead of decoding.
        events: list[SSEEvent] = []
        if not self._dispatch_incomplete:
            return events
        if self._partial:
            self._interpret("".join(self._partial), events)
            self._partial.clear()
            self._partial_len = 0
        self._dispatch(events)
        return events

    # -- internals --------------------------------------------------------------------

    def _check_usable(self) -> None:
        if self._error is not None:
            raise self._error
        if self._finished:
            raise LocalProtocolError("SSE decoder already finished")

    def _fail(self, message: str) -> RemoteProtocolError:
        self._error = RemoteProtocolError(message)
        return self._error

    def _process(self, text: str) -> list[SSEEvent]:
        events: list[SSEEvent] = []
        if not text:
            return events
        if not self._started:
            self._started = True
            if text[0] == "\ufeff":
                text = text[1:]
        if self._after_cr:
            self._after_cr = False
            if text.startswith("\n"):
                text = text[1:]
        pos = 0
        for match in _EOL.finditer(text):
            piece = text[pos : match.start()]
            self._grow_partial(len(piece))
            if self._partial:
                self._partial.append(piece)
                line = "".join(self._partial)
                self._partial.clear()
            else:
                line = piece
            self._partial_len = 0
            self._interpret(line, events)
            pos = match.end()
        if text.endswith("\r"):
            # The CR ended its line; a LF at the start of the next chunk would
            # be the second half of a CRLF pair, not a blank line.
            self._after_cr = True
        rest = text[pos:]
        if rest:
            self._grow_partial(len(rest))
            self._partial.append(rest)
        return events

    def _grow_partial(self, extra: int) -> None:
        self._partial_len += extra
        if self._partial_len > self._max_line:
            raise self._fail(f"SSE line longer than {self._max_line} characters")

    def _interpret(self, line: str, events: list[SSEEvent]) -> None:
        # §9.2.6 "Interpreting an event stream".
        if not line:
            self._dispatch(events)
            return
        if line[0] == ":":
            return  # comment
        name, colon, value = line.partition(":")
        if colon and value.startswith(" "):
            value = value[1:]
        if name == "data":
            self._data_len += len(value) + 1
            if self._data_len > self._max_event:
                raise self._fail(f"SSE event data larger than {self._max_event} characters")
            self._data.append(value)
        elif name == "event":
            self._event_type = value
        elif name == "id":
            # "If the field value does not contain U+0000 NULL, then set the
            # last event ID buffer to the field value. Otherwise, ignore the field."
            if "\0" not in value:
                self._id_buffer = value
        elif name == "retry":
            # "If the field value consists of only ASCII digits, then interpret
            # the field value as an integer in base ten, and set the event
            # stream's reconnection time to that integer. Otherwise, ignore."
            if _ASCII_DIGITS.fullmatch(value):
                self._retry_ms = int(value)
                self._event_retry = self._retry_ms
        # Any other field name is ignored.

    def _dispatch(self, events: list[SSEEvent]) -> None:
        # §9.2.6 "dispatch the event": 1. set the last event ID; 2. an empty
        # data buffer resets the buffers and fires nothing; 3. drop one
        # trailing LF (done by joining); 4.-5. type defaults to "message".
        self._last_event_id = self._id_buffer
        retry, self._event_retry = self._event_retry, None
        if not self._data:
            self._event_type = ""
            return
        event = SSEEvent(
            event=self._event_type or "message",
            data="\n".join(self._data),
            id=self._last_event_id,
            retry=retry,
        )
        self._event_type = ""
        self._data.clear()
        self._data_len = 0
        events.append(event)
