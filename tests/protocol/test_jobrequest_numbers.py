"""JavaScript number semantics: Math.round, Number#toString, JSON.stringify.

The parity test (tests/parity) checks these against node itself on a fixed
sample; here Hypothesis checks them against the ECMAScript definitions.
"""

from __future__ import annotations

import json
import math
import struct
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from sogni_core.protocol.jobrequest import js_json_dumps, js_number_str, js_round, js_value


def math_round_reference(x: float) -> float:
    """ECMA-262 Math.round: the integral Number closest to x, ties towards +inf,
    -0 for x in [-0.5, -0]; computed in exact rational arithmetic."""
    if math.isnan(x) or math.isinf(x) or x == 0:
        return x
    r = math.floor(Fraction(x) + Fraction(1, 2))
    if r == 0 and x < 0:
        return -0.0
    return float(r)


def bits(x: float) -> bytes:
    return struct.pack(">d", x)


@given(st.floats(allow_nan=True, allow_infinity=True))
def test_js_round_is_math_round(x: float) -> None:
    assert bits(js_round(x)) == bits(math_round_reference(x)) or (
        math.isnan(x) and math.isnan(js_round(x))
    )


@given(st.integers(min_value=-(2**52) + 1, max_value=2**52 - 1))  # n + 0.5 exact
def test_js_round_of_half_integers_goes_up(n: int) -> None:
    x = n + 0.5
    expected = -0.0 if n == -1 else float(n + 1)
    assert bits(js_round(x)) == bits(expected)


def test_js_round_edge_cases() -> None:
    assert js_round(0.49999999999999994) == 0.0
    assert bits(js_round(-0.5)) == bits(-0.0)
    assert js_round(-2.5) == -2.0
    assert js_round(2.5) == 3.0
    assert bits(js_round(-0.0)) == bits(-0.0)
    assert js_round(4503599627370495.5) == 4503599627370496.0
    assert math.isnan(js_round(math.nan))
    assert js_round(math.inf) == math.inf


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_js_number_str_round_trips_and_uses_js_layout(x: float) -> None:
    text = js_number_str(x)
    assert float(text) == x
    magnitude = abs(x)
    # Number::toString uses exponent notation exactly outside [1e-6, 1e21).
    uses_exponent = magnitude != 0 and (magnitude >= 1e21 or magnitude < 1e-6)
    assert ("e" in text) == uses_exponent
    if "e" in text:
        assert "e+" in text or "e-" in text
        mantissa = text.split("e")[0].lstrip("-")
        assert "." not in mantissa or not mantissa.endswith("0")
    else:
        assert not text.endswith(".0")
        if "." in text:
            assert not text.endswith("0")
    # The digits are the shortest round-trip digits, the same ones repr() picks.
    assert (
        text.replace("-", "").lstrip("0.").replace(".", "").split("e")[0].rstrip("0")
        == (repr(magnitude).split("e")[0].replace(".", "").lstrip("0").rstrip("0"))
        or magnitude == 0
    )


def test_js_number_str_examples() -> None:
    cases = {
        0.0: "0",
        1.0: "1",
        -1.5: "-1.5",
        0.1 + 0.2: "0.30000000000000004",
        1e21: "1e+21",
        1e20: "100000000000000000000",
        1.5e-7: "1.5e-7",
        1e-6: "0.000001",
        123e20: "1.23e+22",
        2.0**53: "9007199254740992",
        5e-324: "5e-324",
        1.7976931348623157e308: "1.7976931348623157e+308",
    }
    for value, text in cases.items():
        assert js_number_str(value) == text, value
    assert js_number_str(math.inf) == "Infinity"
    assert js_number_str(-math.inf) == "-Infinity"
    assert js_number_str(math.nan) == "NaN"
    assert js_number_str(10**22) == "1e+22"
    assert js_number_str(-0.0) == "0"


def test_js_json_dumps_examples() -> None:
    doc = {
        "a": [1.0, -0.0, math.nan, math.inf, 2.5, True, None, "x"],
        "b": {"nested": 'quote" back\\ nl\n tab\t ctl\x01 del\x7f \u2028 caf\u00e9 \U0001f98a'},
        "lone": "\ud800",
    }
    assert js_json_dumps(doc) == (
        '{"a":[1,0,null,null,2.5,true,null,"x"],'
        '"b":{"nested":"quote\\" back\\\\ nl\\n tab\\t ctl\\u0001 '
        'del\x7f \u2028 caf\u00e9 \U0001f98a"},'
        '"lone":"\\ud800"}'
    )


@given(
    st.recursive(
        st.none()
        | st.booleans()
        | st.text()
        | st.integers(min_value=-(2**53), max_value=2**53)
        | st.floats(allow_nan=False, allow_infinity=False).filter(lambda f: 1e-6 <= abs(f) < 1e16),
        lambda children: (
            st.lists(children, max_size=4)
            | st.dictionaries(st.text(max_size=5), children, max_size=4)
        ),
        max_leaves=20,
    )
)
def test_js_json_dumps_is_valid_json_with_same_value(doc: object) -> None:
    text = js_json_dumps(doc)
    assert json.loads(text) == json.loads(json.dumps(doc))


@given(st.floats())
def test_js_value_normalizes_numbers(x: float) -> None:
    value = js_value({"k": [x]})["k"][0]
    if math.isnan(x) or math.isinf(x):
        assert value is None
    elif x.is_integer():
        assert type(value) is int and value == x
    else:
        assert value == x


def test_js_json_dumps_rejects_non_json_values() -> None:
    import pytest

    for bad in ({1: "x"}, {"k": object()}, b"bytes"):
        with pytest.raises(TypeError):
            js_json_dumps(bad)
    with pytest.raises(TypeError):
        js_value({"k": {1, 2}})
