"""Frame builders and feeding helpers shared by the WebSocketReader tests."""

from __future__ import annotations

import zlib
from collections.abc import Iterable

import pytest

from sogni_core.client._errors import WebSocketClosed
from sogni_core.client._wsframes import (
    CloseReceived,
    ReaderItem,
    WebSocketReader,
)

__all__ = ["assert_closes", "cut", "deflate", "feed", "frame"]


def frame(
    opcode: int,
    payload: bytes = b"",
    *,
    fin: bool = True,
    rsv1: bool = False,
    rsv2: bool = False,
    rsv3: bool = False,
    mask: bool = False,
    length: int | None = None,
    form: int | None = None,
) -> bytes:
    """A server frame built by hand (RFC 6455 §5.2).

    ``length`` overrides the declared payload length (to announce more than is
    sent); ``form`` forces the 7-bit (0), 16-bit (126) or 64-bit (127) length.
    """
    b0 = opcode | (0x80 if fin else 0) | (0x40 if rsv1 else 0)
    b0 |= (0x20 if rsv2 else 0) | (0x10 if rsv3 else 0)
    n = len(payload) if length is None else length
    if form is None:
        form = 0 if n < 126 else 126 if n < 65536 else 127
    m = 0x80 if mask else 0
    if form == 0:
        head = bytes([b0, m | n])
    elif form == 126:
        head = bytes([b0, m | 126]) + n.to_bytes(2, "big")
    else:
        head = bytes([b0, m | 127]) + n.to_bytes(8, "big")
    if mask:
        key = b"\x01\x02\x03\x04"
        head += key
        payload = bytes(c ^ key[i % 4] for i, c in enumerate(payload))
    return head + payload


def deflate(data: bytes, wbits: int = 15) -> bytes:
    """``data`` as one permessage-deflate message payload (RFC 7692 §7.2.1)."""
    c = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -wbits)
    out = c.compress(data) + c.flush(zlib.Z_SYNC_FLUSH)
    assert out.endswith(b"\x00\x00\xff\xff")
    return out[:-4]


def feed(reader: WebSocketReader, chunks: Iterable[bytes]) -> list[ReaderItem]:
    """Feed ``chunks`` in order, stopping after a close (as a transport does)."""
    out: list[ReaderItem] = []
    for chunk in chunks:
        out.extend(reader.receive(chunk))
        if out and type(out[-1]) is CloseReceived:
            break
    return out


def cut(data: bytes, points: Iterable[int]) -> list[bytes]:
    """``data`` split at ``points`` (any order, duplicates give empty chunks)."""
    bounds = [0, *sorted(min(max(p, 0), len(data)) for p in points), len(data)]
    return [data[a:b] for a, b in zip(bounds, bounds[1:], strict=False)]


def assert_closes(code: int, reader: WebSocketReader, *chunks: bytes) -> None:
    """Feeding ``chunks`` raises WebSocketClosed(``code``), then the reader refuses input."""
    with pytest.raises(WebSocketClosed) as info:
        for chunk in chunks:
            reader.receive(chunk)
    assert info.value.code == code, info.value
    with pytest.raises(WebSocketClosed) as again:
        reader.receive(b"")
    assert again.value.code == 1002
