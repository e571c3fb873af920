"""The core's WebSocket frame reader (``sogni_core.client._wsframes``): every
error path of the module docstring's contract, with its close code, on
hand-built frames; deflate limits and contexts; ``split_response_head``;
construction. The differential test against wsproto is in
``test_wsframes_wsproto.py``.
"""

from __future__ import annotations

import random
import tracemalloc
import zlib
from typing import Any

import pytest
from wsproto.extensions import PerMessageDeflate

from sogni_core.client._errors import WebSocketClosed
from sogni_core.client._wsframes import (
    MAX_RESPONSE_HEAD,
    CloseReceived,
    PingReceived,
    WebSocketReader,
    split_response_head,
)
from tests.transports._wsframes_util import assert_closes, deflate, frame

# ------------------------------------------------------------ hand-built frames


def test_simple_frames_and_length_forms() -> None:
    reader = WebSocketReader()
    big = bytes(range(256)) * 300  # 76800 bytes: 64-bit length
    mid = b"m" * 300  # 16-bit length
    data = (
        frame(1, "naïve ☃".encode())
        + frame(2, b"\x00\xff")
        + frame(1, b"")
        + frame(2, b"")
        + frame(2, mid)
        + frame(2, big)
        + frame(2, b"tiny", form=127)  # a non-minimal length is accepted
        + frame(9, b"ping")
        + frame(0xA, b"pong")
        + frame(9, b"")
    )
    assert reader.receive(data) == [
        "naïve ☃",
        b"\x00\xff",
        "",
        b"",
        mid,
        big,
        b"tiny",
        PingReceived(b"ping"),
        PingReceived(b""),
    ]


def test_incomplete_frames_are_buffered() -> None:
    reader = WebSocketReader()
    data = frame(2, b"x" * 70_000) + frame(1, b"tail")
    # Every prefix that does not complete the first frame yields nothing.
    for n in (1, 2, 3, 9, 10, 11, 70_009):
        assert WebSocketReader().receive(data[:n]) == []
    assert reader.receive(data[:5]) == []
    assert reader.receive(data[5:70_011]) == [b"x" * 70_000]
    assert reader.receive(data[70_011:]) == ["tail"]
    assert "buffered=0" in repr(reader)


def test_pongs_are_swallowed() -> None:
    reader = WebSocketReader()
    assert reader.receive(frame(0xA, b"a") + frame(0xA, b"")) == []
    assert reader.receive(frame(0xA, b"x" * 125) + frame(1, b"after")) == ["after"]


def test_fragments_reassemble_with_controls_between() -> None:
    reader = WebSocketReader()
    snowman = "☃".encode()  # split mid-character across fragments
    data = (
        frame(1, b"a" + snowman[:1], fin=False)
        + frame(9, b"p")
        + frame(0, snowman[1:], fin=False)
        + frame(0xA, b"q")
        + frame(0, b"z")
    )
    assert reader.receive(data) == [PingReceived(b"p"), "a☃z"]
    assert reader.receive(
        frame(2, b"1", fin=False) + frame(0, b"", fin=False) + frame(0, b"2")
    ) == [b"12"]


def test_close_frames() -> None:
    assert WebSocketReader().receive(frame(8)) == [CloseReceived(1005, "")]
    assert WebSocketReader().receive(frame(8, b"\x03\xe8")) == [CloseReceived(1000, "")]
    reason = "adiós 👋".encode()
    items = WebSocketReader().receive(frame(1, b"x") + frame(8, b"\x0f\xa0" + reason))
    assert items == ["x", CloseReceived(4000, "adiós 👋")]


def test_nothing_after_close_is_read() -> None:
    reader = WebSocketReader()
    # A masked (invalid) frame after the close is not parsed ...
    assert reader.receive(frame(8, b"\x03\xe8bye") + frame(1, b"late", mask=True)) == [
        CloseReceived(1000, "bye")
    ]
    # ... and the reader refuses further input with 1002.
    assert_closes(1002, reader, frame(1, b"more"))


@pytest.mark.parametrize("code", [1000, 1001, 1002, 1003, 1007, 1010, 1011, 1014, 3000, 4015, 4999])
def test_valid_close_codes(code: int) -> None:
    assert WebSocketReader().receive(frame(8, code.to_bytes(2, "big") + b"r")) == [
        CloseReceived(code, "r")
    ]


@pytest.mark.parametrize("code", [0, 999, 1004, 1005, 1006, 1015, 1016, 2000, 2999, 5000, 65535])
def test_invalid_close_codes(code: int) -> None:
    assert_closes(1002, WebSocketReader(), frame(8, code.to_bytes(2, "big")))


# Each entry: (id, reader kwargs, the chunks to feed, the close code expected).
_ERRORS: list[tuple[str, dict[str, Any], list[bytes], int]] = [
    ("masked", {}, [frame(1, b"hi", mask=True)], 1002),
    ("masked-header-only", {}, [frame(2, b"x" * 300, mask=True)[:4]], 1002),
    ("rsv2", {}, [frame(1, b"hi", rsv2=True)], 1002),
    ("rsv3", {}, [frame(1, b"hi", rsv3=True)], 1002),
    ("rsv2-deflate", {"deflate": True}, [frame(1, deflate(b"hi"), rsv1=True, rsv2=True)], 1002),
    ("rsv3-control", {}, [frame(9, b"", rsv3=True)], 1002),
    ("rsv1-without-deflate", {}, [frame(1, deflate(b"hi"), rsv1=True)], 1002),
    (
        "rsv1-on-continuation",
        {"deflate": True},
        [frame(1, deflate(b"hi"), rsv1=True, fin=False), frame(0, b"", rsv1=True)],
        1002,
    ),
    (
        "rsv1-on-continuation-plain",
        {"deflate": True},
        [frame(1, b"h", fin=False), frame(0, b"i", rsv1=True)],
        1002,
    ),
    ("rsv1-on-ping", {"deflate": True}, [frame(9, b"", rsv1=True)], 1002),
    ("rsv1-on-close", {"deflate": True}, [frame(8, b"\x03\xe8", rsv1=True)], 1002),
    *[(f"opcode-{op:#x}", {}, [frame(op, b"x")], 1002) for op in (3, 4, 5, 6, 7)],
    *[(f"opcode-{op:#x}", {}, [frame(op, b"x")], 1002) for op in range(0xB, 0x10)],
    ("opcode-3-mid-message", {}, [frame(1, b"a", fin=False), frame(3, b"b")], 1002),
    ("ping-fragmented", {}, [frame(9, b"p", fin=False)], 1002),
    ("pong-fragmented", {}, [frame(0xA, b"p", fin=False)], 1002),
    ("close-fragmented", {}, [frame(8, b"\x03\xe8", fin=False)], 1002),
    ("ping-126", {}, [frame(9, b"p" * 126)], 1002),
    ("pong-126", {}, [frame(0xA, b"p" * 126)], 1002),
    ("close-126", {}, [frame(8, b"\x03\xe8" + b"r" * 124)], 1002),
    ("ping-16bit-length", {}, [frame(9, b"p" * 200)], 1002),
    ("continuation-first", {}, [frame(0, b"x")], 1002),
    ("continuation-after-message", {}, [frame(1, b"done"), frame(0, b"x")], 1002),
    ("text-inside-text", {}, [frame(1, b"a", fin=False), frame(1, b"b")], 1002),
    ("binary-inside-text", {}, [frame(1, b"a", fin=False), frame(2, b"b")], 1002),
    ("text-inside-binary", {}, [frame(2, b"a", fin=False), frame(1, b"b", fin=False)], 1002),
    ("close-1-byte", {}, [frame(8, b"\x03")], 1002),
    ("close-reason-not-utf8", {}, [frame(8, b"\x03\xe8\xff")], 1007),
    ("close-reason-truncated-utf8", {}, [frame(8, b"\x03\xe8" + "é".encode()[:1])], 1007),
    ("text-not-utf8", {}, [frame(1, b"\xc3\x28")], 1007),
    ("text-surrogate", {}, [frame(1, b"\xed\xa0\x80")], 1007),
    ("text-fragments-not-utf8", {}, [frame(1, b"\xe2\x98", fin=False), frame(0, b"!")], 1007),
    (
        "compressed-text-not-utf8",
        {"deflate": True},
        [frame(1, deflate(b"\xff\xfe"), rsv1=True)],
        1007,
    ),
    ("garbage-deflate", {"deflate": True}, [frame(1, b"\xff\xff\xff\xff", rsv1=True)], 1007),
    ("garbage-deflate-binary", {"deflate": True}, [frame(2, b"\x07\x00garbage", rsv1=True)], 1007),
    ("length-top-bit", {}, [b"\x82\xff" + (1 << 63).to_bytes(8, "big")], 1002),
    ("length-all-ones", {}, [b"\x82\xff" + b"\xff" * 8], 1002),
    # Declared length above the limit: only the header is fed.
    ("too-big-7bit", {"max_message_size": 100}, [frame(2, b"", length=101)], 1009),
    ("too-big-16bit", {"max_message_size": 1000}, [frame(2, b"", length=1001)], 1009),
    ("too-big-64bit", {}, [frame(2, b"", length=(1 << 62))], 1009),
    ("too-big-text-16bit", {"max_message_size": 200}, [frame(1, b"", length=65535)], 1009),
    # Fragments summed: the second header alone crosses the limit.
    (
        "too-big-fragments",
        {"max_message_size": 100},
        [frame(2, b"x" * 60, fin=False), frame(0, b"", length=41, fin=False)],
        1009,
    ),
    (
        "too-big-fragments-final",
        {"max_message_size": 100},
        [frame(1, b"x" * 50, fin=False), frame(0, b"x" * 50, fin=False), frame(0, b"", length=1)],
        1009,
    ),
]


@pytest.mark.parametrize(
    ("kwargs", "chunks", "code"),
    [pytest.param(kw, ch, code, id=name) for name, kw, ch, code in _ERRORS],
)
def test_error_paths(kwargs: dict[str, Any], chunks: list[bytes], code: int) -> None:
    assert_closes(code, WebSocketReader(**kwargs), *chunks)


@pytest.mark.parametrize(
    ("kwargs", "chunks", "code"),
    [pytest.param(kw, ch, code, id=name) for name, kw, ch, code in _ERRORS],
)
def test_error_paths_bytewise(kwargs: dict[str, Any], chunks: list[bytes], code: int) -> None:
    # The same error, whatever the chunking; nothing returned before it is
    # a message the whole feed would not have given.
    data = b"".join(chunks)
    reader = WebSocketReader(**kwargs)
    with pytest.raises(WebSocketClosed) as info:
        for i in range(len(data)):
            reader.receive(data[i : i + 1])
    assert info.value.code == code


def test_error_after_good_frames_in_the_same_read() -> None:
    # The error wins over the items parsed before it in the same read; the
    # connection is failing anyway.
    reader = WebSocketReader()
    assert_closes(1002, reader, frame(1, b"fine") + frame(0, b"orphan"))


def test_too_big_is_raised_before_the_payload() -> None:
    # Only 10 header bytes of an announced 1 GiB message are fed.
    reader = WebSocketReader(max_message_size=1 << 20)
    assert_closes(1009, reader, frame(2, b"", length=1 << 30)[:10])


@pytest.mark.parametrize("deflated", [False, True])
def test_limit_is_inclusive(deflated: bool) -> None:
    body = b"0123456789" * 10  # exactly 100 bytes
    payload = deflate(body) if deflated else body
    reader = WebSocketReader(deflate=True, max_message_size=100)
    assert reader.receive(frame(2, payload, rsv1=deflated)) == [body]
    # Fragments summing to exactly the limit, a ping between them not counted.
    parts = frame(2, body[:60], fin=False) + frame(9, b"p" * 50) + frame(0, body[60:])
    assert reader.receive(parts) == [PingReceived(b"p" * 50), body]
    # The size count restarts with each message.
    assert reader.receive(frame(2, body)) == [body]
    assert_closes(1009, reader, frame(2, body + b"!"))


def test_deflate_bomb() -> None:
    # 10 MB of zeros compress to ~10 KB: the frame is small, its content is not.
    payload = deflate(b"\x00" * 10_000_000)
    assert len(payload) < 20_000
    reader = WebSocketReader(deflate=True, max_message_size=1_000_000)
    assert_closes(1009, reader, frame(2, payload, rsv1=True))


def test_deflate_bomb_is_not_inflated_whole() -> None:
    # The limit bounds the inflated output, not just the check after it: 32 MiB
    # of zeros (32 KB compressed) against a 1 MiB limit may not allocate more
    # than a few MiB while being refused.
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    zeros = bytes(1 << 20)
    payload = (b"".join(c.compress(zeros) for _ in range(32)) + c.flush(zlib.Z_SYNC_FLUSH))[:-4]
    data = frame(2, payload, rsv1=True)
    reader = WebSocketReader(deflate=True, max_message_size=1 << 20)
    tracemalloc.start()
    try:
        with pytest.raises(WebSocketClosed) as info:
            reader.receive(data)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert info.value.code == 1009
    assert peak < 8 << 20, peak


def test_deflate_bomb_fragmented_text() -> None:
    payload = deflate(b"a" * 300_000)
    reader = WebSocketReader(deflate=True, max_message_size=100_000)
    half = len(payload) // 2
    assert_closes(
        1009,
        reader,
        frame(1, payload[:half], rsv1=True, fin=False) + frame(0, payload[half:]),
    )


def test_inflate_just_above_limit() -> None:
    reader = WebSocketReader(deflate=True, max_message_size=1000)
    assert_closes(1009, reader, frame(2, deflate(b"z" * 1001), rsv1=True))


def test_compressed_and_plain_messages_mix() -> None:
    reader = WebSocketReader(deflate=True)
    data = (
        frame(1, deflate("hé".encode()), rsv1=True)
        + frame(1, b"plain")
        + frame(2, deflate(b""), rsv1=True)
        + frame(2, b"")
    )
    assert reader.receive(data) == ["hé", "plain", b"", b""]
    # RFC 7692 §7.2.3.1: "Hello" compressed, as a single frame.
    assert reader.receive(bytes.fromhex("c107f248cdc9c90700")) == ["Hello"]


def test_context_takeover_and_reset() -> None:
    # One compressor for two messages: the second back-references the first.
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    body = bytes(random.Random(1).randbytes(2000))
    first = (c.compress(body) + c.flush(zlib.Z_SYNC_FLUSH))[:-4]
    second = (c.compress(body) + c.flush(zlib.Z_SYNC_FLUSH))[:-4]
    assert len(second) < 100  # it really is a back-reference
    keep = WebSocketReader(deflate=True)
    assert keep.receive(frame(2, first, rsv1=True) + frame(2, second, rsv1=True)) == [body, body]
    # A reader told the server resets its context must reset too, so it
    # cannot resolve that back-reference.
    reset = WebSocketReader(deflate=True, no_context_takeover=True)
    assert reset.receive(frame(2, first, rsv1=True)) == [body]
    assert_closes(1007, reset, frame(2, second, rsv1=True))


def _two_messages(wbits: int = 15) -> tuple[bytes, bytes, bytes]:
    """Two compressed copies of one 2000-byte body from one compressor: the
    second is a back-reference 2000 bytes into the first (more than 2**10)."""
    c = zlib.compressobj(9, zlib.DEFLATED, -wbits)
    body = random.Random(2).randbytes(2000)
    first = (c.compress(body) + c.flush(zlib.Z_SYNC_FLUSH))[:-4]
    second = (c.compress(body) + c.flush(zlib.Z_SYNC_FLUSH))[:-4]
    assert len(second) < 100
    return body, frame(2, first, rsv1=True), frame(2, second, rsv1=True)


def test_window_bits_are_used() -> None:
    # Within one inflate call zlib resolves distances from its output buffer;
    # across messages only the window remains, so 9 or 10 bits cannot reach.
    body, first, second = _two_messages()
    assert WebSocketReader(deflate=True, window_bits=11).receive(first + second) == [body, body]
    for bits in (9, 10):
        reader = WebSocketReader(deflate=True, window_bits=bits)
        assert reader.receive(first) == [body]
        assert_closes(1007, reader, second)


def test_bfinal_message_then_more_with_context_takeover() -> None:
    # RFC 7692 §7.2.3.5 lets a sender end a message with a BFINAL=1 block (the
    # spec's own example below). That ends the DEFLATE stream, so what follows
    # is a fresh stream: the reader must not swallow it as trailing data.
    reader = WebSocketReader(deflate=True)
    hello = bytes.fromhex("f348cdc9c90700")  # "Hello", BFINAL set
    c = zlib.compressobj(6, zlib.DEFLATED, -15)
    world = c.compress(b"World") + c.flush(zlib.Z_FINISH) + b"\x00"
    items = reader.receive(frame(1, hello, rsv1=True) + frame(1, world, rsv1=True))
    assert items == ["Hello", "World"]
    assert reader.receive(frame(1, deflate(b"again"), rsv1=True)) == ["again"]


def test_controls_are_not_limited_by_message_state() -> None:
    # A control frame's 125 bytes do not count toward the fragmented message.
    reader = WebSocketReader(max_message_size=130)
    data = frame(2, b"x" * 100, fin=False) + frame(9, b"p" * 125) + frame(0, b"y" * 30)
    assert reader.receive(data) == [PingReceived(b"p" * 125), b"x" * 100 + b"y" * 30]


# ----------------------------------------------------------- split_response_head

_HEAD = b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n"


def test_split_response_head() -> None:
    assert split_response_head(b"") is None
    assert split_response_head(_HEAD[:-1]) is None
    assert split_response_head(_HEAD[:-2]) is None
    assert split_response_head(_HEAD) == (_HEAD, b"")
    tail = frame(1, b"x") + b"\r\n\r\n"  # a blank line in the tail is not the head's
    assert split_response_head(_HEAD + tail) == (_HEAD, tail)


def test_split_response_head_limit() -> None:
    # Exactly MAX_RESPONSE_HEAD bytes without the blank line: keep waiting.
    assert split_response_head(b"x" * MAX_RESPONSE_HEAD) is None
    with pytest.raises(WebSocketClosed) as info:
        split_response_head(b"x" * (MAX_RESPONSE_HEAD + 1))
    assert info.value.code == 1006
    # A head of exactly the limit, blank line included, is accepted.
    exact = b"H" * (MAX_RESPONSE_HEAD - 4) + b"\r\n\r\n"
    assert split_response_head(exact + b"rest") == (exact, b"rest")


def test_split_response_head_limit_does_not_depend_on_chunking() -> None:
    # A head longer than the limit fails however the reads fall: whole, or in
    # pieces that the transport accumulates (it calls after every read).
    long_head = b"HTTP/1.1 101 OK\r\nX: " + b"y" * MAX_RESPONSE_HEAD + b"\r\n\r\n"
    with pytest.raises(WebSocketClosed) as info:
        split_response_head(long_head)
    assert info.value.code == 1006
    with pytest.raises(WebSocketClosed) as info:
        buffer = b""
        for i in range(0, len(long_head), 4096):
            buffer += long_head[i : i + 4096]
            split_response_head(buffer)
    assert info.value.code == 1006


# ---------------------------------------------------------- construction


@pytest.mark.parametrize("bits", [-15, 0, 8, 16])
def test_bad_window_bits(bits: int) -> None:
    with pytest.raises(ValueError, match="window_bits"):
        WebSocketReader(deflate=True, window_bits=bits)


@pytest.mark.parametrize("size", [0, -1])
def test_bad_max_message_size(size: int) -> None:
    with pytest.raises(ValueError, match="max_message_size"):
        WebSocketReader(max_message_size=size)


def test_construction_bounds_are_accepted() -> None:
    for bits in (9, 15):
        assert WebSocketReader(deflate=True, window_bits=bits).receive(frame(1, b"ok")) == ["ok"]
    reader = WebSocketReader(max_message_size=1)
    assert reader.receive(frame(2, b"1")) == [b"1"]


class _Ext:
    def __init__(self, name: str, **attrs: Any) -> None:
        self.name = name
        self.__dict__.update(attrs)


def test_for_extensions() -> None:
    plain = WebSocketReader.for_extensions([])
    assert not plain.deflate
    assert_closes(1002, plain, frame(1, deflate(b"x"), rsv1=True))
    ext = _Ext(
        "permessage-deflate",
        server_max_window_bits=9,
        server_no_context_takeover=True,
        client_max_window_bits=15,
        client_no_context_takeover=False,
    )
    reader = WebSocketReader.for_extensions([ext], max_message_size=50)
    assert reader.deflate
    assert reader.receive(frame(1, deflate(b"a" * 50, wbits=9), rsv1=True)) == ["a" * 50]
    assert_closes(1009, reader, frame(1, deflate(b"a" * 51, wbits=9), rsv1=True))
    # The server's parameters are the ones used, never the client's.
    body, first, second = _two_messages()
    server_keeps = _Ext(
        "permessage-deflate",
        server_max_window_bits=15,
        server_no_context_takeover=False,
        client_max_window_bits=9,
        client_no_context_takeover=True,
    )
    assert WebSocketReader.for_extensions([server_keeps]).receive(first + second) == [body, body]
    for attrs in ({"server_max_window_bits": 9}, {"server_no_context_takeover": True}):
        ext = _Ext("permessage-deflate", **attrs)
        reader = WebSocketReader.for_extensions([ext])
        assert reader.receive(first) == [body]
        assert_closes(1007, reader, second)
    # Missing attributes default to RFC 7692's: 15 bits, context kept.
    bare = WebSocketReader.for_extensions([_Ext("permessage-deflate")])
    assert bare.receive(first + second) == [body, body]


@pytest.mark.parametrize("ext", [_Ext("x-webkit-deflate-frame"), _Ext("permessage-bzip"), object()])
def test_for_extensions_refuses_unknown(ext: object) -> None:
    with pytest.raises(WebSocketClosed) as info:
        WebSocketReader.for_extensions([PerMessageDeflate(), ext])
    assert info.value.code == 1002


def test_large_frame_is_joined_once() -> None:
    """A frame bigger than one read waits as a list of chunks: nothing is re-joined
    per read (which would copy the buffered bytes on every read), and the message
    comes out whole when its last byte arrives."""
    payload = random.Random(7).randbytes(4 * 1024 * 1024)
    data = frame(0x2, payload)
    reader = WebSocketReader(max_message_size=8 * 1024 * 1024)
    chunks = [data[i : i + 65536] for i in range(0, len(data), 65536)]
    for n, chunk in enumerate(chunks[:-1], start=1):
        assert reader.receive(chunk) == []
        assert len(reader._buffer) == n  # one list entry per read so far, never joined
    assert reader.receive(chunks[-1]) == [payload]
    assert reader._buffer == [] and reader._buffered == 0
