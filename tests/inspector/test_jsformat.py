"""The JavaScript rules (``worldstate._js``): payload reading, numbers, times, JSON text."""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from worldstate import _js as jsformat
from worldstate._js import (
    ABSENT,
    coalesce,
    coalesce2,
    dumps_compact,
    dumps_pretty,
    is_finite_number,
    is_number,
    iso_from_ms,
    js_round,
    js_string,
    number_text,
    timestamp_fragment,
    to_fixed,
    to_number,
    truthy,
)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (5, "5"),
        (5.0, "5"),
        (1761843600000, "1761843600000"),
        (1761843600000.0, "1761843600000"),
        (-1.5, "-1.5"),
        (0.1 + 0.2, "0.30000000000000004"),
        (123.456, "123.456"),
        (1.5e16, "15000000000000000"),
        (1e21, "1e+21"),
        (1.2345e22, "1.2345e+22"),
        (10**21, "1e+21"),
        (1e-6, "0.000001"),
        (1e-7, "1e-7"),
        (-2.5e-8, "-2.5e-8"),
        (-0.0, "0"),
        (0, "0"),
        (math.nan, "NaN"),
        (math.inf, "Infinity"),
        (-math.inf, "-Infinity"),
    ],
)
def test_number_text_follows_javascript(value: float, text: str) -> None:
    assert number_text(value) == text


@pytest.mark.parametrize(
    ("ms", "iso"),
    [
        (0, "1970-01-01T00:00:00.000Z"),
        (1761843600000, "2025-10-30T17:00:00.000Z"),
        (-1, "1969-12-31T23:59:59.999Z"),
        (1.7, "1970-01-01T00:00:00.001Z"),
        (-1.7, "1969-12-31T23:59:59.999Z"),
        (951782400000, "2000-02-29T00:00:00.000Z"),
        (-62198755200000, "-000001-01-01T00:00:00.000Z"),
        (253402300800000, "+010000-01-01T00:00:00.000Z"),
        (8.64e15, "+275760-09-13T00:00:00.000Z"),
    ],
)
def test_iso_from_ms(ms: float, iso: str) -> None:
    assert iso_from_ms(ms) == iso


@pytest.mark.parametrize("bad", [8.64e15 + 1, math.nan, math.inf, "5", None])
def test_iso_from_ms_refuses_what_javascript_refuses(bad: object) -> None:
    with pytest.raises(ValueError, match="invalid time value"):
        iso_from_ms(bad)  # type: ignore[arg-type]


def test_timestamp_fragment() -> None:
    assert timestamp_fragment(1761843900000) == "20251030T170500Z"
    assert timestamp_fragment(0) == "00000000T000000Z"
    assert timestamp_fragment(None) == "00000000T000000Z"


@pytest.mark.parametrize(
    ("value", "number"),
    [
        (None, 0.0),
        (True, 1.0),
        (False, 0.0),
        ("", 0.0),
        ("  \t", 0.0),
        (" 12 ", 12.0),
        ("\ufeff7", 7.0),
        ("-1.5e3", -1500.0),
        (".5", 0.5),
        ("5.", 5.0),
        ("0x1F", 31.0),
        ("0o17", 15.0),
        ("0b101", 5.0),
        ("Infinity", math.inf),
        ("-Infinity", -math.inf),
        ([], 0.0),
        ([7], 7.0),
        (["8"], 8.0),
        ([None], 0.0),
        (42, 42.0),
    ],
)
def test_to_number_coercion_table(value: object, number: float) -> None:
    assert to_number(value) == number


@pytest.mark.parametrize(
    "value", [ABSENT, "abc", "1_000", "nan", "inf", "-0x1", "1e", [1, 2], {}, {"a": 1}]
)
def test_to_number_gives_nan(value: object) -> None:
    assert math.isnan(to_number(value))


def test_rounding_is_half_up_like_javascript() -> None:
    assert js_round(2.5) == 3
    assert js_round(-2.5) == -2
    assert js_round(0.49999999999999994) == 0
    assert to_fixed(1.25, 1) == "1.3"
    assert to_fixed(1.15, 1) == "1.1"  # the binary value of 1.15 is just below the half
    assert to_fixed(9.95, 1) == "9.9"


def test_truthiness_and_string_conversion() -> None:
    assert [truthy(v) for v in (None, ABSENT, False, 0, math.nan, "", [], {})] == [
        False,
        False,
        False,
        False,
        False,
        False,
        True,
        True,
    ]
    assert js_string(["a", None, "b,c", 2.0]) == "a,,b,c,2"
    assert js_string(True) == "true"


def test_pretty_json_matches_json_stringify() -> None:
    value = {"n": 2.0, "list": [1, {"x": None}], "empty": [], "obj": {}, "bad": math.nan}
    assert dumps_pretty(value) == (
        '{\n  "n": 2,\n  "list": [\n    1,\n    {\n      "x": null\n    }\n  ],\n'
        '  "empty": [],\n  "obj": {},\n  "bad": null\n}'
    )


def test_json_strings_keep_non_ascii_and_escape_controls() -> None:
    assert dumps_compact({"s": 'ü—✓"\\\n\x01\u2028'}) == '{"s":"ü—✓\\"\\\\\\n\\u0001\u2028"}'
    assert dumps_compact(["\ud800"]) == '["\\ud800"]'
    assert dumps_compact({"a": ABSENT, "b": [ABSENT]}) == '{"b":[null]}'


def _general_pretty(value: object) -> str:
    parts: list[str] = []
    jsformat._encode(value, "  ", 0, parts)
    return "".join(parts)


def _general_compact(value: object) -> str:
    parts: list[str] = []
    jsformat._encode(value, "", 0, parts)
    return "".join(parts)


_JSON_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.sampled_from([0.0, -0.0, 1e-5, 9.999e-6, 1e-7, 2.0**53, 2.0**53 + 2, 1e21, 1e20, 5e-324])
    | st.text()
)
_JSON = st.recursive(
    _JSON_SCALARS,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=5), children, max_size=4)
    ),
    max_leaves=20,
)


class TestFastEncoder:
    @settings(max_examples=400, deadline=None)
    @given(_JSON)
    def test_fast_path_writes_what_the_general_encoder_writes(self, value: object) -> None:
        """The msgspec fast path and the general JS-compatible encoder never disagree."""
        assert dumps_pretty(value) == _general_pretty(value)
        assert dumps_compact(value) == _general_compact(value)

    def test_values_msgspec_would_print_differently_take_the_general_path(self) -> None:
        """Integral floats, -0, tiny and huge floats, big ints and lone surrogates."""
        cases = {
            5.0: "5",
            -0.0: "0",
            1.2345e-6: "0.0000012345",
            1e21: "1e+21",
            2.0**60: "1152921504606847000",
            2**60: "1152921504606847000",
            math.inf: "null",
        }
        for value, text in cases.items():
            assert dumps_compact([value]) == f"[{text}]"
        assert dumps_compact({"s": "\udc00"}) == '{"s":"\\udc00"}'

    def test_flat_containers_are_written_whole_only_when_msgspec_agrees(self) -> None:
        """Scalar-only lists and dicts (a large summary's leaves) go to msgspec in one piece."""
        assert dumps_compact([2**53, -(2**53), 0]) == "[9007199254740992,-9007199254740992,0]"
        assert dumps_compact([2**53 + 1, 1]) == "[9007199254740992,1]"  # as a JS number
        assert dumps_compact({"a": 1, "b": 2**60}) == '{"a":1,"b":1152921504606847000}'
        assert dumps_compact(("x", True, None)) == '["x",true,null]'
        assert dumps_compact({"a": "x", "b": None, "c": False}) == '{"a":"x","b":null,"c":false}'
        assert dumps_compact({1: "x"}) == _general_compact({1: "x"})


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, False),
        (False, False),
        (0, False),
        (0.0, False),
        (math.nan, False),
        ("", False),
        (True, True),
        (1, True),
        (-0.5, True),
        ("0", True),
        ([], True),
        ({}, True),
        (math.inf, True),
        (ABSENT, False),
    ],
)
def test_truthy_follows_javascript(value: Any, expected: bool) -> None:
    """Empty containers are true, NaN and 0 are false."""
    assert truthy(value) is expected


def test_coalesce_skips_only_null_and_absent() -> None:
    """``??`` keeps 0, '' and False; the two-value variant means the same."""
    for either in (coalesce, coalesce2):
        assert either(None, 5) == 5 and either(ABSENT, 5) == 5
        assert either(0, 5) == 0
        assert either(False, 5) is False
    assert coalesce(None, "", "x") == ""
    assert coalesce(None, ABSENT, 3) == 3
    assert coalesce(None, None) is None


def test_numbers_exclude_booleans() -> None:
    """typeof 'number': bool is not one; Number.isFinite refuses NaN and infinities."""
    assert is_number(3) and is_number(2.5) and not is_number(True) and not is_number("3")
    assert is_finite_number(1) and not is_finite_number(math.inf)
    assert not is_finite_number(math.nan)
