"""WebSocket frame reader: the receive half of RFC 6455 for a client, sans-IO.

Theory of operation
-------------------
The transports open the socket and run the opening handshake with wsproto, and
they keep using wsproto to *send* (client frames must be masked, and wsproto
owns the compressor of permessage-deflate). Receiving is what a Supernet client
does thousands of times a second, and a general-purpose parser pays there for
generality it does not need: server frames are never masked (RFC 6455 §5.1),
control frames are rare, and nearly every message is one final frame. So the
receive path is this reader: bytes in, complete messages out.

``receive(data)`` appends ``data`` to what is buffered, parses every complete
frame and returns, in order, one item per complete message or control frame:

* ``str`` for a text message (UTF-8 checked), ``bytes`` for a binary one, each
  reassembled from its fragments and inflated when it was compressed
  (permessage-deflate, RFC 7692, with the parameters the handshake agreed);
* :class:`PingReceived` for a ping (the transport answers with a pong);
* :class:`CloseReceived` for the peer's close frame. Nothing after it is read.

Pongs are consumed silently: the clients ping only to keep NAT paths open.

Every violation raises :class:`WebSocketClosed` carrying the close code the
transport should send before dropping the connection: 1002 for framing errors
(a masked server frame, reserved bits or opcodes, a fragmented or oversized
control frame, a continuation with no message, a new message inside one, an
invalid close code), 1007 for text that is not UTF-8 or data that does not
inflate, and 1009 for a message above ``max_message_size`` (checked on the
declared length, before the payload is buffered, and while inflating, so a
small compressed frame cannot expand without bound). After an error or a close
frame the reader refuses further input.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from typing import Final, TypeAlias

import msgspec

from ._errors import WebSocketClosed

__all__ = [
    "DEFAULT_MAX_MESSAGE_SIZE",
    "MAX_RESPONSE_HEAD",
    "CloseReceived",
    "PingReceived",
    "ReaderItem",
    "WebSocketReader",
    "split_response_head",
]

#: Largest handshake response head (status line + headers) a transport buffers.
MAX_RESPONSE_HEAD: Final = 64 * 1024

#: Largest message accepted by default (bytes after inflating): 64 MiB.
DEFAULT_MAX_MESSAGE_SIZE: Final = 64 * 1024 * 1024

_CONTINUATION: Final = 0x0
_TEXT: Final = 0x1
_BINARY: Final = 0x2
_CLOSE: Final = 0x8
_PING: Final = 0x9
_PONG: Final = 0xA
_DEFLATE_TAIL: Final = b"\x00\x00\xff\xff"  # RFC 7692 §7.2.2
_PROTOCOL_ERROR: Final = 1002
_INVALID_DATA: Final = 1007
_TOO_BIG: Final = 1009


class PingReceived(msgspec.Struct, frozen=True):
    """The peer sent a ping; answer it with a pong carrying ``payload``."""

    payload: bytes


class CloseReceived(msgspec.Struct, frozen=True):
    """The peer sent a close frame (``code`` 1005 when it carried none)."""

    code: int
    reason: str


#: What :meth:`WebSocketReader.receive` returns, one per message or control frame.
ReaderItem: TypeAlias = str | bytes | PingReceived | CloseReceived


def split_response_head(buffer: bytes) -> tuple[bytes, bytes] | None:
    """Split the handshake's HTTP response head from the frames that follow it.

    A ``101 Switching Protocols`` response has no body, so everything after the
    blank line ending its head is WebSocket data, for the reader, not for the
    handshake parser.

    Returns:
        ``(head, rest)``, or ``None`` while the head is incomplete.

    Raises:
        WebSocketClosed: (1006) no complete head within ``MAX_RESPONSE_HEAD`` bytes.
    """
    end = buffer.find(b"\r\n\r\n", 0, MAX_RESPONSE_HEAD)  # the whole head within the limit
    if end < 0:
        if len(buffer) > MAX_RESPONSE_HEAD:
            raise WebSocketClosed(1006, "handshake response head is too large")
        return None
    return buffer[: end + 4], buffer[end + 4 :]


def _valid_close_code(code: int) -> bool:
    # RFC 6455 §7.4: 1000-1003 and 1007-1014 are defined for the wire (1004-1006
    # and 1015 must never be sent); 3000-4999 are for libraries and applications.
    return (1000 <= code <= 1003) or (1007 <= code <= 1014) or (3000 <= code <= 4999)


class WebSocketReader:
    """Parse server-to-client WebSocket frames into messages.

    Args:
        deflate: permessage-deflate was negotiated, so RSV1 marks a compressed
            message.
        window_bits: the server's LZ77 window (``server_max_window_bits``, 9-15).
        no_context_takeover: the server resets its compressor after every
            message (``server_no_context_takeover``), so the reader resets too.
        max_message_size: the largest message accepted, in bytes, after inflating.

    Raises:
        ValueError: ``window_bits`` is outside 9-15 or ``max_message_size`` < 1.
    """

    __slots__ = (
        "_buffer",
        "_buffered",
        "_need",
        "_compressed",
        "_done",
        "_inflater",
        "_max",
        "_opcode",
        "_parts",
        "_reset",
        "_size",
        "_wbits",
        "deflate",
    )

    def __init__(
        self,
        *,
        deflate: bool = False,
        window_bits: int = 15,
        no_context_takeover: bool = False,
        max_message_size: int = DEFAULT_MAX_MESSAGE_SIZE,
    ) -> None:
        if not 9 <= window_bits <= 15:
            raise ValueError("window_bits must be between 9 and 15")
        if max_message_size < 1:
            raise ValueError("max_message_size must be at least 1")
        self.deflate = deflate
        self._wbits = -window_bits
        self._reset = no_context_takeover
        self._inflater: zlib._Decompress | None = None
        self._max = max_message_size
        # An incomplete frame waits as chunks (joined once, when it is whole:
        # a 16 MiB message over 64 KiB reads is not copied 256 times).
        self._buffer: list[bytes] = []
        self._buffered = 0
        self._need = 0  # bytes the buffered frame needs before parsing can go on
        self._parts: list[bytes] = []
        self._opcode = 0  # opcode of the message being reassembled; 0 = none
        self._compressed = False
        self._size = 0
        self._done = False

    @classmethod
    def for_extensions(
        cls, extensions: Iterable[object], *, max_message_size: int = DEFAULT_MAX_MESSAGE_SIZE
    ) -> WebSocketReader:
        """A reader for what the handshake agreed.

        Args:
            extensions: the accepted extension objects (wsproto's
                ``AcceptConnection.extensions``); a ``permessage-deflate`` one
                is read for ``server_max_window_bits`` and
                ``server_no_context_takeover``, any other is refused.
            max_message_size: as for the constructor.

        Raises:
            WebSocketClosed: (1002) the server accepted an extension this
                reader does not implement.
        """
        deflate, bits, reset = False, 15, False
        for ext in extensions:
            name = getattr(ext, "name", None)
            if name != "permessage-deflate":
                raise WebSocketClosed(_PROTOCOL_ERROR, f"unsupported extension {name!r}")
            deflate = True
            bits = int(getattr(ext, "server_max_window_bits", 15))
            reset = bool(getattr(ext, "server_no_context_takeover", False))
        return cls(
            deflate=deflate,
            window_bits=bits,
            no_context_takeover=reset,
            max_message_size=max_message_size,
        )

    def __repr__(self) -> str:
        return f"WebSocketReader(deflate={self.deflate}, buffered={self._buffered})"

    def receive(self, data: bytes) -> list[ReaderItem]:
        """Feed bytes read from the socket; return every item they completed.

        Raises:
            WebSocketClosed: the peer broke the protocol; ``code`` is the close
                code to send (1002, 1007 or 1009). Also raised, with 1002, when
                data is fed after an error or a close frame.
        """
        if self._done:
            raise WebSocketClosed(_PROTOCOL_ERROR, "data after the connection was closed")
        if self._buffer:
            self._buffer.append(data)
            self._buffered += len(data)
            if self._buffered < self._need:
                return []
            buf = b"".join(self._buffer)
            self._buffer.clear()
            self._buffered = 0
        else:
            buf = data
        need = 0
        out: list[ReaderItem] = []
        pos = 0
        end_of_data = len(buf)
        try:
            while end_of_data - pos >= 2:
                b0 = buf[pos]
                b1 = buf[pos + 1]
                length = b1 & 0x7F
                start = pos + 2
                if length == 126:
                    if end_of_data - pos < 4:
                        need = 4
                        break
                    length = int.from_bytes(buf[start : start + 2], "big")
                    start += 2
                elif length == 127:
                    if end_of_data - pos < 10:
                        need = 10
                        break
                    length = int.from_bytes(buf[start : start + 8], "big")
                    start += 8
                    if length >> 63:
                        raise WebSocketClosed(_PROTOCOL_ERROR, "frame length has its top bit set")
                if b1 & 0x80:
                    raise WebSocketClosed(_PROTOCOL_ERROR, "server frame is masked")
                if length > self._max or self._size + length > self._max and b0 & 0x0F < 8:
                    raise WebSocketClosed(_TOO_BIG, "message exceeds max_message_size")
                stop = start + length
                if stop > end_of_data:
                    need = stop - pos
                    break
                pos = stop
                item = self._frame(b0, buf[start:stop])
                if item is not None:
                    out.append(item)
                    if type(item) is CloseReceived:
                        self._done = True
                        break
        except WebSocketClosed:
            self._done = True
            raise
        if pos < end_of_data and not self._done:
            rest = buf[pos:]
            self._buffer.append(rest)
            self._buffered = len(rest)
            self._need = need or 2
        return out

    def _frame(self, b0: int, payload: bytes) -> ReaderItem | None:
        opcode = b0 & 0x0F
        fin = b0 & 0x80
        if b0 & 0x30:  # RSV2, RSV3: no extension here defines them
            raise WebSocketClosed(_PROTOCOL_ERROR, "reserved bits set")
        rsv1 = b0 & 0x40
        if opcode >= 8:
            if not fin or len(payload) > 125 or rsv1:
                raise WebSocketClosed(_PROTOCOL_ERROR, "malformed control frame")
            return self._control(opcode, payload)
        if opcode == _CONTINUATION:
            if not self._opcode:
                raise WebSocketClosed(_PROTOCOL_ERROR, "continuation frame with no message")
            if rsv1:
                raise WebSocketClosed(_PROTOCOL_ERROR, "RSV1 on a continuation frame")
        elif opcode == _TEXT or opcode == _BINARY:
            if self._opcode:
                raise WebSocketClosed(_PROTOCOL_ERROR, "new message inside a fragmented one")
            if rsv1 and not self.deflate:
                raise WebSocketClosed(_PROTOCOL_ERROR, "RSV1 set without permessage-deflate")
            if fin:  # the common case: one final frame, nothing to reassemble
                return self._message(opcode, bool(rsv1), payload)
            self._opcode = opcode
            self._compressed = bool(rsv1)
        else:
            raise WebSocketClosed(_PROTOCOL_ERROR, f"reserved opcode {opcode:#x}")
        self._parts.append(payload)
        self._size += len(payload)
        if not fin:
            return None
        opcode, compressed, whole = self._opcode, self._compressed, b"".join(self._parts)
        self._opcode, self._compressed, self._size = 0, False, 0
        self._parts.clear()
        return self._message(opcode, compressed, whole)

    def _message(self, opcode: int, compressed: bool, payload: bytes) -> str | bytes:
        if compressed:
            payload = self._inflate(payload)
        if opcode == _BINARY:
            return payload
        try:
            return payload.decode("utf-8")
        except UnicodeDecodeError:
            raise WebSocketClosed(_INVALID_DATA, "text message is not valid UTF-8") from None

    def _inflate(self, payload: bytes) -> bytes:
        inflater = self._inflater
        if inflater is None:
            inflater = self._inflater = zlib.decompressobj(self._wbits)
        try:
            data = inflater.decompress(payload + _DEFLATE_TAIL, self._max + 1)
        except zlib.error:
            raise WebSocketClosed(_INVALID_DATA, "compressed message does not inflate") from None
        if len(data) > self._max or inflater.unconsumed_tail:
            raise WebSocketClosed(_TOO_BIG, "message exceeds max_message_size")
        if self._reset or inflater.eof:  # eof: a BFINAL block ended the stream (RFC 7692 §7.2.3.5)
            self._inflater = None
        return data

    def _control(self, opcode: int, payload: bytes) -> ReaderItem | None:
        if opcode == _PING:
            return PingReceived(payload)
        if opcode == _PONG:
            return None
        if opcode != _CLOSE:
            raise WebSocketClosed(_PROTOCOL_ERROR, f"reserved opcode {opcode:#x}")
        if not payload:
            return CloseReceived(1005, "")
        if len(payload) == 1:
            raise WebSocketClosed(_PROTOCOL_ERROR, "close frame with a 1-byte payload")
        code = int.from_bytes(payload[:2], "big")
        if not _valid_close_code(code):
            raise WebSocketClosed(_PROTOCOL_ERROR, f"invalid close code {code}")
        try:
            reason = payload[2:].decode("utf-8")
        except UnicodeDecodeError:
            raise WebSocketClosed(_INVALID_DATA, "close reason is not valid UTF-8") from None
        return CloseReceived(code, reason)
