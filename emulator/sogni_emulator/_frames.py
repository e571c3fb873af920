"""Socket frame codec used by the emulator.

The wire envelope (wire reference 01 §2.1) is the compact JSON object
``{"type": <name>, "data": <standard padded base64 of the compact UTF-8 JSON
payload>}``.  Clients send it as text frames; the emulator answers with binary
frames carrying the same UTF-8 JSON (§2.1 "Emulator: send binary frames").

``sogni_core.protocol.frames`` is the project's codec; when it is importable
the emulator uses it, otherwise the tiny private fallback below (same wire
format) keeps the server self-contained.
"""

from __future__ import annotations

import base64
import json
from typing import Any, NamedTuple

__all__ = ["Frame", "FrameError", "decode_frame", "encode_frame", "encode_payload"]


class Frame(NamedTuple):
    """One decoded envelope: the message ``type`` and its JSON ``payload``."""

    type: str
    payload: Any


class FrameError(ValueError):
    """A frame that is not a valid ``{type, data}`` envelope."""


def encode_payload(payload: Any) -> bytes:
    """Serialize a payload like JavaScript ``JSON.stringify`` (compact, raw UTF-8).

    Args:
        payload: any JSON-serializable value.

    Returns:
        The UTF-8 bytes of the compact JSON text.
    """
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def encode_frame(type_: str, payload: Any) -> str:
    """Build the envelope text for one message (§2.1).

    Args:
        type_: the message/event name.
        payload: the JSON payload; must not be ``None`` because clients drop
            frames with an empty ``data`` (§2.1).

    Returns:
        The compact JSON envelope as ``str``.
    """
    data = base64.b64encode(encode_payload(payload)).decode("ascii")
    return json.dumps({"type": type_, "data": data}, separators=(",", ":"))


def decode_frame(data: str | bytes) -> Frame:
    """Parse one envelope received from a client.

    Args:
        data: the text or binary frame content.

    Returns:
        The decoded :class:`Frame`; ``payload`` is ``None`` when ``data`` is
        missing or empty.

    Raises:
        FrameError: the envelope or its base64/JSON payload is malformed.
    """
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
        outer = json.loads(text)
        if not isinstance(outer, dict) or not isinstance(outer.get("type"), str):
            raise FrameError("envelope must be an object with a string 'type'")
        raw = outer.get("data")
        if not raw:
            return Frame(outer["type"], None)
        if not isinstance(raw, str):
            raise FrameError("'data' must be a base64 string")
        payload = json.loads(base64.b64decode(raw, validate=True).decode("utf-8"))
    except FrameError:
        raise
    except (ValueError, UnicodeDecodeError) as exc:
        raise FrameError(f"malformed frame: {type(exc).__name__}") from exc
    return Frame(outer["type"], payload)
