"""The socket frame codec (shared/protocol/01 §2.1-§2.2).

Every application message on the Supernet socket is one WebSocket message whose text is
the compact JSON object ``{"type":"<T>","data":"<D>"}`` where ``D`` is the standard,
padded base64 of the UTF-8 bytes of the compact JSON of the payload (01 §2.1). This
module turns payloads into frame text and frame text (or bytes: the server may send
binary frames) back into payloads, either raw (:func:`decode_frame`) or typed against
the generated schemas (:func:`decode_server_event`, :func:`decode_client_message`).

Encoding reproduces ``JSON.stringify`` byte for byte for JSON-able values (01 §2.2):
compact separators, insertion key order (array-index keys such as ``"7"`` first, as
JavaScript objects order them), non-ASCII emitted raw, and JavaScript number formatting
(integral floats print as integers, ``1e21`` as ``1e+21``, ``1e-6`` as ``0.000001``; NaN
and infinities become ``null``). tests/protocol/test_frames_peer.py compares it with the
official SDK's send path.

Decoding mirrors the official client's receive path (01 §2.1): base64 is decoded like
``atob`` (ASCII whitespace ignored, missing ``=`` padding tolerated, the URL-safe
alphabet rejected), bytes like ``TextDecoder`` (invalid UTF-8 becomes U+FFFD, a leading
BOM is dropped), JSON like ``JSON.parse`` (lone surrogate escapes are accepted, numbers
beyond the double range become infinities), and a truthy top-level ``jobID``/``imgID``
is upper-cased; tests/protocol/test_frames_peer.py checks this against the official
SDK's own receive path. Where the client would drop the frame (unparseable JSON, empty
``data``, a ``null`` payload), these functions raise :class:`RemoteProtocolError`; they
raise nothing else on any input (fuzzed in ``fuzz/frames_fuzz.py``). A frame type without
a schema decodes to :class:`UnknownEvent`, which is not an error: servers add event types
over time.

The codec is the hot path of every connection, so encoders, decoders and the per-type
decoder table are built once at import time (the client-message and strict-mode tables
on first use).
"""

from __future__ import annotations

import base64
import binascii
import functools
import math
import sys
import typing
from collections.abc import Callable, Mapping
from typing import Any, Final, TypeAlias

import msgspec

from . import _generated
from ._errors import LocalProtocolError, RemoteProtocolError

__all__ = [
    "DEFAULT_MAX_MESSAGE_SIZE",
    "AnyClientMessage",
    "AnyServerEvent",
    "Frame",
    "FrameAssembler",
    "UnknownEvent",
    "decode_client_message",
    "decode_frame",
    "decode_server_event",
    "encode_frame",
    "encode_message",
    "encode_payload",
]

#: Default limit of :class:`FrameAssembler` on one reassembled message, in bytes
#: (characters for text fragments). The largest legitimate frames are client
#: ``llmJobRequest`` messages with inline vision images (01 §6.12.2: 20 images of at
#: most 10 MiB each, base64-encoded twice), so servers may want to raise it.
DEFAULT_MAX_MESSAGE_SIZE: Final = 64 * 1024 * 1024


class Frame(msgspec.Struct, frozen=True, kw_only=True):
    """One decoded socket frame, payload untyped.

    Attributes:
        type: the frame's ``type`` string (a message or event name, 01 §2.3-§2.4).
        payload: the JSON payload as plain Python values (``dict``, ``list``, ``str``,
            ``int``, ``float``, ``bool``, ``None``), top-level IDs normalised.
    """

    type: str
    payload: Any


class UnknownEvent(msgspec.Struct, frozen=True, kw_only=True):
    """A well-formed frame whose type (or tagged variant) has no schema.

    Not an error: the server adds event types over time (01 §2.1 "unknown types are
    harmless"). A ``jobState`` with an unknown ``type`` tag also decodes to this.

    Attributes:
        type: the frame's ``type`` string.
        payload: the JSON payload as plain Python values, top-level IDs normalised.
    """

    type: str
    payload: Any


#: What :func:`decode_server_event` returns.
AnyServerEvent: TypeAlias = _generated.ServerEvent | UnknownEvent
#: What :func:`decode_client_message` returns.
AnyClientMessage: TypeAlias = _generated.ClientMessage | UnknownEvent


class _Envelope(msgspec.Struct):
    """The outer frame object; extra keys are ignored like the SDK does."""

    type: str
    data: Any = None


_ENCODER: Final = msgspec.json.Encoder()
_ENVELOPE: Final = msgspec.json.Decoder(_Envelope)
_ANY: Final = msgspec.json.Decoder()

# IDs the official client upper-cases before dispatch (01 §2.1 "ID normalization").
_ID_KEYS: Final = ("jobID", "imgID")
_ID_ATTRS: Final = ("job_id", "img_id")
_B64_ALPHABET: Final = frozenset(
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
)
_ASCII_WS: Final = b" \t\n\f\r"
_MAX_SAFE_INT: Final = 2.0**53
_MAX_ARRAY_INDEX: Final = 2**32 - 1  # ECMA-262 array index: an integer below 2**32 - 1


class _Target(msgspec.Struct, frozen=True):
    """How to decode the payload of one wire type."""

    decoder: msgspec.json.Decoder[Any]
    type: Any  # the decode type, for msgspec.convert on the slow path
    bare: tuple[type[msgspec.Struct], str] | None  # (class, attribute) for bare payloads
    tags: tuple[str, frozenset[str]] | None  # (tag_field, known tags) for tagged unions


def _target(decode_type: Any, concrete: tuple[type[msgspec.Struct], ...]) -> _Target:
    """Build the decoder of one wire type (``concrete``: its Struct classes)."""
    first = concrete[0]
    bare: tuple[type[msgspec.Struct], str] | None = None
    tags: tuple[str, frozenset[str]] | None = None
    if getattr(first, "__wire_bare__", None) is not None:
        # A bare struct has exactly one field: decode that field's type directly.
        attr = first.__struct_fields__[0]
        decode_type = typing.get_type_hints(decode_type)[attr]
        bare = (first, attr)
    elif len(concrete) > 1:
        tag_field = first.__struct_config__.tag_field
        assert tag_field is not None
        tags = (tag_field, frozenset(str(c.__struct_config__.tag) for c in concrete))
    return _Target(msgspec.json.Decoder(decode_type), decode_type, bare, tags)


class _Table:
    """The per-wire-type decoders of one registry, each built on first use.

    Building a ``msgspec.json.Decoder`` for every event type took most of the
    module's import time; a client only ever sees a handful of the types.
    """

    __slots__ = ("_built", "_classes", "_registry")

    def __init__(
        self,
        registry: Mapping[str, Any],
        classes: Callable[[], Mapping[str, tuple[type[msgspec.Struct], ...]]],
    ) -> None:
        self._registry = registry
        self._classes = classes  # called on first build: the strict classes import modules
        self._built: dict[str, _Target] = {}

    def get(self, wire: str) -> _Target | None:
        """The target of ``wire``; ``None`` for a type without a schema."""
        target = self._built.get(wire)
        if target is None:
            decode_type = self._registry.get(wire)
            if decode_type is None:
                return None
            # Two threads may build the same target; both results are equal.
            target = self._built[wire] = _target(decode_type, self._classes()[wire])
        return target


def _strict_classes(
    classes: Mapping[str, tuple[type[msgspec.Struct], ...]],
) -> dict[str, tuple[type[msgspec.Struct], ...]]:
    strict: dict[type[msgspec.Struct], type[msgspec.Struct]] = {}
    for mod in _generated.MODULES.values():
        strict.update(getattr(mod, "STRICT", {}))
    return {wire: tuple(strict[c] for c in group) for wire, group in classes.items()}


_SERVER: Final = _Table(_generated.SERVER_EVENTS, lambda: _generated.SERVER_EVENT_CLASSES)
_CLIENT: Final = _Table(_generated.CLIENT_MESSAGES, lambda: _generated.CLIENT_MESSAGE_CLASSES)
_STRICT_SERVER: Final = _Table(
    _generated.STRICT_SERVER_EVENTS,
    functools.cache(lambda: _strict_classes(_generated.SERVER_EVENT_CLASSES)),
)
_STRICT_CLIENT: Final = _Table(
    _generated.STRICT_CLIENT_MESSAGES,
    functools.cache(lambda: _strict_classes(_generated.CLIENT_MESSAGE_CLASSES)),
)


# ---------------------------------------------------------------------------------------
# encoding (01 §2.1 "Outgoing", §2.2)


def _js_number(x: float) -> Any:
    """A float as ``JSON.stringify`` prints it: an ``int`` or raw JSON bytes.

    JavaScript's Number::toString uses the shortest round-trip digits (Python's
    ``repr`` gives the same digits) laid out by decimal exponent: plain digits for
    1e-7 < |x| < 1e21, exponent form ``d.ddde+N`` otherwise (ECMA-262 §6.1.6.1.20).
    """
    if not math.isfinite(x):
        return None
    if x.is_integer() and abs(x) < _MAX_SAFE_INT:
        return int(x)
    text = repr(abs(x))
    mantissa, _, exp_text = text.partition("e")
    int_part, _, frac_part = mantissa.partition(".")
    if frac_part == "0":
        frac_part = ""
    digits = (int_part + frac_part).lstrip("0")
    exponent = int(exp_text or "0") - len(frac_part)
    stripped = digits.rstrip("0")
    exponent += len(digits) - len(stripped)
    digits = stripped
    k = len(digits)
    n = exponent + k  # value = 0.DIGITS x 10**n
    if k <= n <= 21:
        out = digits + "0" * (n - k)
    elif 0 < n <= 21:
        out = digits[:n] + "." + digits[n:]
    elif -6 < n <= 0:
        out = "0." + "0" * (-n) + digits
    else:
        e = n - 1
        sign = "+" if e >= 0 else "-"
        head = digits[0] + ("." + digits[1:] if k > 1 else "")
        out = f"{head}e{sign}{abs(e)}"
    if x < 0:
        out = "-" + out
    return msgspec.Raw(out.encode("ascii"))


def _is_array_index(key: str) -> bool:
    """Whether a key is a canonical array index ("0", "17"; not "01", "-1", "1.0")."""
    return (
        key.isascii()
        and key.isdigit()
        and (key == "0" or key[0] != "0")
        and int(key) < _MAX_ARRAY_INDEX
    )


def _jsify(obj: Any) -> Any:
    """Make a builtins tree serialise like ``JSON.stringify`` would.

    Floats become their JavaScript rendering, and an object's array-index keys move
    to the front in ascending numeric order, as JavaScript orders object properties
    (ECMA-262 OrdinaryOwnPropertyKeys). Returns the object itself when nothing
    changes, so the common payload costs one walk and no copies.
    """
    if type(obj) is float:
        return _js_number(obj)
    if type(obj) is dict:
        changed = None
        indexed = False
        for key, value in obj.items():
            if not indexed and key[:1].isdigit() and _is_array_index(key):
                indexed = True
            new = _jsify(value)
            if new is not value:
                if changed is None:
                    changed = dict(obj)
                changed[key] = new
        result = obj if changed is None else changed
        if indexed:
            keys = sorted((k for k in result if _is_array_index(k)), key=int)
            ordered = {k: result[k] for k in keys}
            ordered.update((k, v) for k, v in result.items() if k not in ordered)
            result = ordered
        return result
    if type(obj) is list:
        changed_list = None
        for i, value in enumerate(obj):
            new = _jsify(value)
            if new is not value:
                if changed_list is None:
                    changed_list = list(obj)
                changed_list[i] = new
        return obj if changed_list is None else changed_list
    return obj


def encode_payload(payload: object) -> bytes:
    """Serialise a payload exactly like ``JSON.stringify`` (01 §2.2).

    Args:
        payload: plain JSON values, msgspec Structs (wire names, tags and omitted
            defaults applied), enums, tuples, or any mix of them.

    Returns:
        Compact UTF-8 JSON bytes, keys in insertion order except that array-index
        keys ("0", "17") come first in numeric order, as in a JavaScript object.

    Raises:
        LocalProtocolError: the payload holds something JSON cannot carry (a
            non-string key, an unsupported type, a lone surrogate).
    """
    try:
        builtins = msgspec.to_builtins(payload, str_keys=True)
        return _ENCODER.encode(_jsify(builtins))
    except (msgspec.EncodeError, TypeError, ValueError, OverflowError) as exc:
        raise LocalProtocolError(f"payload cannot be encoded as JSON: {exc}") from None


def encode_frame(type: str, payload: object) -> str:
    """Build the text of one socket frame (01 §2.1).

    Args:
        type: the message or event name, e.g. ``"jobRequest"``.
        payload: the payload (see :func:`encode_payload`); a bare JSON string for
            ``changeNetwork`` (01 §2.3.2).

    Returns:
        ``{"type":"<type>","data":"<standard padded base64 of the payload JSON>"}``.

    Raises:
        LocalProtocolError: the payload cannot be encoded.
    """
    data = binascii.b2a_base64(encode_payload(payload), newline=False)
    return '{"type":' + _ENCODER.encode(type).decode() + ',"data":"' + data.decode("ascii") + '"}'


def encode_message(message: msgspec.Struct) -> str:
    """Build the frame text of a generated wire Struct (client message or server event).

    Args:
        message: an instance of a generated class with a ``__wire_type__`` (e.g.
            ``CancelJob``, ``ChangeNetwork``, or ``JobProgress`` for an emulator).
            A bare struct (``__wire_bare__``) sends its one field's value as payload.

    Returns:
        The frame text, as :func:`encode_frame`.

    Raises:
        LocalProtocolError: ``message`` is not a wire Struct, or cannot be encoded.
    """
    wire = getattr(type(message), "__wire_type__", None)
    if not isinstance(wire, str) or not isinstance(message, msgspec.Struct):
        raise LocalProtocolError(f"{type(message).__name__} is not a socket message type")
    payload: object = message
    if getattr(type(message), "__wire_bare__", None) is not None:
        payload = getattr(message, message.__struct_fields__[0])
    return encode_frame(wire, payload)


# ---------------------------------------------------------------------------------------
# decoding (01 §2.1 "Incoming")


if sys.version_info >= (3, 11):

    def _b64strict(data: str) -> bytes:
        return binascii.a2b_base64(data, strict_mode=True)

else:  # pragma: no cover - Python 3.10

    def _b64strict(data: str) -> bytes:
        return base64.b64decode(data.encode("ascii"), validate=True)


def _b64decode(data: str) -> bytes:
    """Decode base64 the way the WHATWG ``atob`` ("forgiving-base64") does."""
    try:
        # Fast path: what servers send, standard padded base64 without whitespace.
        return _b64strict(data)
    except (binascii.Error, ValueError):  # ValueError: non-ASCII text
        pass
    try:
        raw = data.encode("ascii")
    except UnicodeEncodeError:
        raise RemoteProtocolError("frame data is not base64") from None
    # forgiving-base64: drop ASCII whitespace; with length % 4 == 0 drop one or two
    # trailing '='; then length % 4 == 1 or any non-alphabet byte is a failure.
    raw = raw.translate(None, _ASCII_WS)
    if len(raw) % 4 == 0 and raw.endswith(b"="):
        raw = raw[:-2] if raw.endswith(b"==") else raw[:-1]
    if len(raw) % 4 == 1 or not _B64_ALPHABET.issuperset(raw):
        raise RemoteProtocolError("frame data is not base64")
    raw += b"=" * (-len(raw) % 4)
    try:
        return binascii.a2b_base64(raw)
    except binascii.Error:  # pragma: no cover - unreachable after the checks above
        raise RemoteProtocolError("frame data is not base64") from None


def _open(data: str | bytes | bytearray | memoryview) -> tuple[str, bytes]:
    """Split a frame into its type and the payload's JSON bytes."""
    try:
        envelope = _ENVELOPE.decode(data)
    except msgspec.DecodeError:
        if isinstance(data, str):
            raise RemoteProtocolError("frame is not a JSON object with a string type") from None
        # Node's Buffer.toString() replaces invalid UTF-8; so does this retry.
        try:
            envelope = _ENVELOPE.decode(bytes(data).decode("utf-8", "replace"))
        except msgspec.DecodeError:
            raise RemoteProtocolError("frame is not a JSON object with a string type") from None
    if not envelope.data:
        # The SDK sets payload = null and then fails on it: the frame is dropped.
        raise RemoteProtocolError(f"{envelope.type!r} frame has no data")
    if not isinstance(envelope.data, str):
        raise RemoteProtocolError(f"{envelope.type!r} frame data is not a string")
    return envelope.type, _b64decode(envelope.data)


def _text(raw: bytes) -> str:
    """Bytes as ``TextDecoder`` decodes them: replacement characters, no BOM."""
    text = raw.decode("utf-8", "replace")
    return text[1:] if text.startswith("\ufeff") else text


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _json(raw: bytes) -> Any:
    """Parse payload bytes like ``JSON.parse(new TextDecoder().decode(raw))``."""
    try:
        return _ANY.decode(raw)
    except msgspec.DecodeError:
        pass
    text = _text(raw)
    try:
        return _ANY.decode(text)
    except msgspec.DecodeError:
        pass
    # JSON.parse also accepts what msgspec refuses: lone surrogate escapes ("\ud800")
    # and numbers beyond the double range (1e400 is Infinity). The stdlib parser does
    # too (with NaN/Infinity literals, which JSON.parse rejects, turned off). Imported
    # here: this path is rare, and ``json`` is ~2 ms of import time.
    import json

    try:
        return json.loads(text, parse_constant=_no_constant)
    except (ValueError, RecursionError):
        raise RemoteProtocolError("frame payload is not JSON") from None


def _normalize_dict(payload: dict[str, Any], frame_type: str) -> None:
    for key in _ID_KEYS:
        value = payload.get(key)
        if value:
            if not isinstance(value, str):
                # The SDK calls .toUpperCase() on it, which throws: frame dropped.
                raise RemoteProtocolError(f"{frame_type!r} frame has a non-string {key}")
            payload[key] = value.upper()


def _normalize(payload: Any, frame_type: str) -> Any:
    if payload is None:
        raise RemoteProtocolError(f"{frame_type!r} frame has a null payload")
    if type(payload) is dict:
        _normalize_dict(payload, frame_type)
    return payload


def decode_frame(data: str | bytes | bytearray | memoryview) -> Frame:
    """Decode one frame without a schema.

    Args:
        data: the whole WebSocket message, text or binary (the server may send
            either, 01 §2.1).

    Returns:
        The frame type and its JSON payload; a truthy top-level ``jobID``/``imgID``
        is upper-cased.

    Raises:
        RemoteProtocolError: the frame is not a JSON object with a string ``type``,
            its ``data`` is missing, empty or not base64, the payload is not JSON or
            is ``null``, or a top-level ID is not a string. Nothing else is raised.
    """
    frame_type, raw = _open(data)
    return Frame(type=frame_type, payload=_normalize(_json(raw), frame_type))


def _decode_typed(data: str | bytes | bytearray | memoryview, table: _Table) -> Any:
    frame_type, raw = _open(data)
    target = table.get(frame_type)
    if target is None:
        return UnknownEvent(type=frame_type, payload=_normalize(_json(raw), frame_type))
    payload: Any = None
    try:
        try:
            value = target.decoder.decode(raw)
        except msgspec.DecodeError as exc:
            if isinstance(exc, msgspec.ValidationError):
                raise
            # Not parseable as it stands (invalid UTF-8, a BOM, a lone surrogate
            # escape...): parse like JSON.parse, then validate the values.
            payload = _json(raw)
            value = msgspec.convert(payload, target.type)
    except msgspec.ValidationError as exc:
        if target.tags is not None:
            if payload is None:
                payload = _json(raw)
            tag_field, known = target.tags
            if type(payload) is dict and payload.get(tag_field) not in known:
                return UnknownEvent(type=frame_type, payload=_normalize(payload, frame_type))
        raise RemoteProtocolError(
            f"{frame_type!r} payload does not match its schema: {exc}"
        ) from None
    if target.bare is not None:
        cls, attr = target.bare
        if type(value) is dict:
            _normalize_dict(value, frame_type)
        return cls(**{attr: value})
    replace: dict[str, str] | None = None
    for attr in _ID_ATTRS:
        ident = getattr(value, attr, None)
        if ident and isinstance(ident, str):
            upper = ident.upper()
            if upper != ident:
                if replace is None:
                    replace = {}
                replace[attr] = upper
    return value if replace is None else msgspec.structs.replace(value, **replace)


def decode_server_event(
    data: str | bytes | bytearray | memoryview, *, strict: bool = False
) -> AnyServerEvent:
    """Decode one server -> client frame into its generated event Struct.

    Args:
        data: the whole WebSocket message, text or binary.
        strict: decode into the strict twins (``StrictJobProgress`` ...), which
            forbid unknown fields; for tests. The twins subclass the normal classes.

    Returns:
        The event (``JobStateQueued`` for a queued ``jobState``, ``SwarmModels`` for
        ``swarmModels`` ...), IDs upper-cased; an :class:`UnknownEvent` for a type or
        tagged variant without a schema.

    Raises:
        RemoteProtocolError: the frame is malformed (see :func:`decode_frame`) or its
            payload does not match the schema of its type. Nothing else is raised.
    """
    result: AnyServerEvent = _decode_typed(data, _STRICT_SERVER if strict else _SERVER)
    return result


def decode_client_message(
    data: str | bytes | bytearray | memoryview, *, strict: bool = False
) -> AnyClientMessage:
    """Decode one client -> server frame (the server side, e.g. the emulator).

    Args:
        data: the whole WebSocket message, text or binary.
        strict: decode into the strict twins, which forbid unknown fields.

    Returns:
        The message (``JobRequest``, ``CancelJob`` for ``jobError``, ``ChangeNetwork``
        ...), top-level IDs upper-cased; an :class:`UnknownEvent` for an unknown type.

    Raises:
        RemoteProtocolError: the frame is malformed or does not match its schema.
    """
    result: AnyClientMessage = _decode_typed(data, _STRICT_CLIENT if strict else _CLIENT)
    return result


# ---------------------------------------------------------------------------------------
# fragment reassembly


class FrameAssembler:
    """Reassemble one socket frame from WebSocket message fragments.

    A text (or binary) message may arrive as several fragments (RFC 6455 §5.4); the
    frame codec needs the whole message. Feed fragments in order; the last one is
    marked ``final``. Text and binary fragments may be mixed (text is UTF-8 encoded).

    Args:
        max_size: the largest message accepted, in bytes (characters for text).
    """

    def __init__(self, *, max_size: int = DEFAULT_MAX_MESSAGE_SIZE) -> None:
        self.max_size = max_size
        self._parts: list[str | bytes] = []
        self._size = 0

    def feed(
        self, fragment: str | bytes | bytearray | memoryview, final: bool
    ) -> str | bytes | None:
        """Add one fragment.

        Args:
            fragment: the fragment's payload.
            final: whether this fragment ends the message (the FIN bit).

        Returns:
            The whole message once ``final`` is seen (pass it to a ``decode_*``
            function), else ``None``.

        Raises:
            RemoteProtocolError: the message exceeds ``max_size``; the partial
                message is discarded and the assembler is ready for the next one.
        """
        part: str | bytes = fragment if isinstance(fragment, str) else bytes(fragment)
        self._size += len(part)
        if self._size > self.max_size:
            self._parts.clear()
            self._size = 0
            raise RemoteProtocolError(f"message exceeds {self.max_size} bytes", close_code=1009)
        if final and not self._parts:
            self._size = 0
            return part
        self._parts.append(part)
        if not final:
            return None
        parts, self._parts, self._size = self._parts, [], 0
        if all(isinstance(p, str) for p in parts):
            return "".join(p for p in parts if isinstance(p, str))
        return b"".join(
            p.encode("utf-8", "surrogatepass") if isinstance(p, str) else p for p in parts
        )

    @property
    def pending(self) -> bool:
        """Whether a partial message is buffered."""
        return bool(self._parts)
