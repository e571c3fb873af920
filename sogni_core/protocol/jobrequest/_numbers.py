"""JavaScript number semantics the job request depends on.

The official SDK computes frame counts with ``Math.round`` and serializes the
request with ``JSON.stringify``. JavaScript has one number type, so ``2.0`` is
written ``2``; non-finite numbers become ``null``; and very large or very small
magnitudes switch to exponent notation at different thresholds than Python's
``repr``. These helpers reproduce that behaviour exactly so our payload is the
same text the SDK sends (wire reference 01 §0.3, §4.5.6).
"""

from __future__ import annotations

import decimal
import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["js_json_dumps", "js_number_str", "js_round", "js_value", "to_js_number"]


def js_round(x: float) -> float:
    """Round like ECMAScript ``Math.round``.

    ``Math.round`` rounds half-way cases towards +infinity (``-2.5 -> -2``),
    keeps NaN and infinities, and returns ``-0`` for values in ``[-0.5, -0]``.
    Unlike ``floor(x + 0.5)`` it is exact: ``0.49999999999999994`` rounds to 0.

    Args:
        x: any float (ints are accepted).

    Returns:
        The rounded value as a float (``-0.0`` where JavaScript gives ``-0``).
    """
    x = float(x)
    if math.isnan(x) or math.isinf(x) or x == 0.0:
        return x
    floor = math.floor(x)
    # x - floor(x) is exact for every double (the fraction is representable).
    result = float(floor + 1 if x - floor >= 0.5 else floor)
    if result == 0.0 and x < 0.0:
        return -0.0
    return result


def js_number_str(x: float) -> str:
    """Format a number like ECMAScript ``Number.prototype.toString`` (radix 10).

    This is what ``JSON.stringify`` writes for finite numbers; it writes
    ``null`` for NaN and the infinities (handled by :func:`js_json_dumps`).

    Args:
        x: an int or float; ints are first converted to the nearest double,
            as JavaScript would.

    Returns:
        The JavaScript text of the number.
    """
    value = float(x)
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0.0:
        return "0"  # both +0 and -0
    sign = "-" if value < 0 else ""
    # repr() yields the shortest round-tripping digits, the same digits ECMAScript
    # Number::toString picks (ECMA-262 §6.1.6.1.20); only the layout differs.
    _, digit_tuple, exponent = decimal.Decimal(repr(abs(value))).as_tuple()
    assert isinstance(exponent, int)
    digits = "".join(map(str, digit_tuple)).rstrip("0")
    exponent += len(digit_tuple) - len(digits)
    k = len(digits)
    n = exponent + k  # value = 0.digits * 10**n
    if k <= n <= 21:
        return sign + digits + "0" * (n - k)
    if 0 < n <= 21:
        return sign + digits[:n] + "." + digits[n:]
    if -6 < n <= 0:
        return sign + "0." + "0" * (-n) + digits
    e = n - 1
    exp_text = ("+" if e >= 0 else "-") + str(abs(e))
    if k == 1:
        return sign + digits + "e" + exp_text
    return sign + digits[0] + "." + digits[1:] + "e" + exp_text


def to_js_number(x: float) -> int | float | None:
    """Normalize a number to the value ``JSON.stringify`` would write.

    Integral floats become ints (``2.0 -> 2``, ``-0.0 -> 0``), non-finite
    numbers become ``None`` (``null``); other floats are returned unchanged.
    """
    if isinstance(x, int):  # bools included
        return x
    if math.isnan(x) or math.isinf(x):
        return None
    if x.is_integer():
        return int(x)
    return x


def js_value(obj: Any) -> Any:
    """Return ``obj`` with every number normalized by :func:`to_js_number`.

    Args:
        obj: a JSON-like value (mappings, sequences, str, numbers, bools, ``None``).

    Returns:
        A fresh copy: mappings keep their key order, tuples become lists.

    Raises:
        TypeError: for values JSON cannot represent (``bytes``, sets, objects).
    """
    if isinstance(obj, bool) or obj is None or isinstance(obj, str):
        return obj
    if isinstance(obj, (int, float)):
        return to_js_number(obj)
    if isinstance(obj, Mapping):
        return {k: js_value(v) for k, v in obj.items()}
    if isinstance(obj, Sequence) and not isinstance(obj, (bytes, bytearray)):
        return [js_value(v) for v in obj]
    raise TypeError(f"not a JSON value: {type(obj).__name__}")


_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\b": "\\b",
    "\f": "\\f",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
}
# JSON.stringify escapes quote, backslash, C0 controls and lone surrogates
# (ECMA-262 §25.5.2.3 QuoteJSONString); everything else is written verbatim.
_NEEDS_ESCAPE = re.compile('["\\\\\x00-\x1f\ud800-\udfff]')


def _escape(match: re.Match[str]) -> str:
    ch = match.group(0)
    return _ESCAPES.get(ch) or f"\\u{ord(ch):04x}"


def _quote(s: str) -> str:
    return '"' + _NEEDS_ESCAPE.sub(_escape, s) + '"'


def js_json_dumps(obj: Any) -> str:
    """Serialize like ``JSON.stringify(obj)`` (compact, insertion order).

    Args:
        obj: ``None``, bools, numbers, strings, mappings with string keys and
            sequences of those.

    Returns:
        The exact text ``JSON.stringify`` produces for the same value.

    Raises:
        TypeError: for values JSON cannot represent.
    """
    parts: list[str] = []
    _dump(obj, parts)
    return "".join(parts)


def _dump(obj: Any, out: list[str]) -> None:
    if obj is None:
        out.append("null")
    elif obj is True:
        out.append("true")
    elif obj is False:
        out.append("false")
    elif isinstance(obj, str):
        out.append(_quote(obj))
    elif isinstance(obj, (int, float)):
        value = float(obj)
        out.append("null" if math.isnan(value) or math.isinf(value) else js_number_str(obj))
    elif isinstance(obj, Mapping):
        out.append("{")
        first = True
        for key, value in obj.items():
            if not isinstance(key, str):
                raise TypeError("JSON object keys must be strings")
            if not first:
                out.append(",")
            first = False
            out.append(_quote(key))
            out.append(":")
            _dump(value, out)
        out.append("}")
    elif isinstance(obj, Sequence) and not isinstance(obj, (bytes, bytearray)):
        out.append("[")
        for index, value in enumerate(obj):
            if index:
                out.append(",")
            _dump(value, out)
        out.append("]")
    else:
        raise TypeError(f"not a JSON value: {type(obj).__name__}")
