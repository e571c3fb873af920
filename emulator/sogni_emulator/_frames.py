"""Socket frame codec used by the emulator.

The wire envelope (wire reference 01 §2.1) is the compact JSON object
``{"type": <name>, "data": <standard padded base64 of the compact UTF-8 JSON
payload>}``.  Clients send it as text frames; the emulator answers with binary
frames carrying the same UTF-8 JSON (§2.1 "Emulator: send binary frames").

The codec itself is the project's (:mod:`sogni_core.protocol.frames`): the
emulator encodes exactly like ``JSON.stringify`` and decodes exactly like the
official client.  This adapter only maps its errors to :class:`FrameError`
and returns a plain tuple.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from sogni_core.protocol import frames as _core
from sogni_core.protocol._errors import ProtocolError

__all__ = ["Frame", "FrameError", "decode_frame", "encode_frame", "encode_payload"]


class Frame(NamedTuple):
    """One decoded envelope: the message ``type`` and its JSON ``payload``."""

    type: str
    payload: Any


class FrameError(ValueError):
    """A frame that is not a valid ``{type, data}`` envelope (the client would drop it)."""


def encode_payload(payload: Any) -> bytes:
    """Serialize a payload like JavaScript ``JSON.stringify`` (compact, raw UTF-8).

    Raises:
        FrameError: the payload cannot be represented as JSON.
    """
    try:
        return _core.encode_payload(payload)
    except ProtocolError as exc:
        raise FrameError(str(exc)) from None


def encode_frame(type_: str, payload: Any) -> str:
    """Build the envelope text for one message (§2.1).

    Args:
        type_: the message/event name.
        payload: the JSON payload; never ``None`` (clients drop frames with an
            empty ``data``, §2.1).

    Returns:
        The compact JSON envelope as ``str``.

    Raises:
        FrameError: the payload cannot be represented as JSON.
    """
    try:
        return _core.encode_frame(type_, payload)
    except ProtocolError as exc:
        raise FrameError(str(exc)) from None


def decode_frame(data: str | bytes) -> Frame:
    """Parse one envelope received from a client.

    Returns:
        The decoded :class:`Frame` (top-level ``jobID``/``imgID`` upper-cased).

    Raises:
        FrameError: the envelope, its base64 or its JSON payload is malformed, or
            ``data`` is missing/empty/``null``.
    """
    try:
        frame = _core.decode_frame(data)
    except ProtocolError as exc:
        raise FrameError(str(exc)) from None
    return Frame(frame.type, frame.payload)
