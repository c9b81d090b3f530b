"""The strict loader's fast path decodes exactly what the careful path accepts, and no more."""

from __future__ import annotations

import json
import re

from hypothesis import given, settings
from hypothesis import strategies as st
from tests._paths import GOLDENS

from worldstate import jsonfile
from worldstate.errors import InputError, SnapshotError
from worldstate.jsonfile import DEFAULT_LIMITS, JsonLimits, loads_strict

LIMITS = JsonLimits(max_depth=6, max_integer_digits=20)

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**25), max_value=10**25)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(alphabet=st.sampled_from('ab[]{}"\\\u00e9\n0123456789')),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.text(alphabet='ab[{"\\', max_size=3), children, max_size=4)
    ),
    max_leaves=30,
)


def careful(text: str, limits: JsonLimits) -> object:
    """The careful path alone: loads_strict with the fast path turned away."""
    saved = jsonfile._decode_plain
    jsonfile._decode_plain = lambda data, limits: jsonfile._NOT_PLAIN  # type: ignore[assignment]
    try:
        return loads_strict(text, source="t", what="doc", limits=limits)
    except (InputError, SnapshotError) as exc:
        return ("refused", str(exc))
    finally:
        jsonfile._decode_plain = saved  # type: ignore[assignment]


def either(text: str, limits: JsonLimits) -> object:
    try:
        return loads_strict(text, source="t", what="doc", limits=limits)
    except (InputError, SnapshotError) as exc:
        return ("refused", str(exc))


@settings(max_examples=300, deadline=None)
@given(value=json_values, cut=st.integers(min_value=0, max_value=400))
def test_fast_and_careful_paths_agree(value: object, cut: int) -> None:
    """Whole documents and truncated ones (usually malformed): same value or same refusal."""
    text = json.dumps(value, ensure_ascii=False)
    for candidate in (text, text[:cut]):
        fast = jsonfile._decode_plain(candidate.encode(), LIMITS)
        if fast is not jsonfile._NOT_PLAIN:
            assert repr(fast) == repr(json.loads(candidate))
        assert repr(either(candidate, LIMITS)) == repr(careful(candidate, LIMITS))


def test_depth_is_measured_outside_strings() -> None:
    assert jsonfile._nests_deeper(b'[[["[[[[[[[["]]]', 3) is False
    assert jsonfile._nests_deeper(b'[[[["\\"[["]]]]', 3) is True
    assert jsonfile._nests_deeper(b'{"a":[{"b":[]}]}', 4) is False
    assert jsonfile._nests_deeper(b'{"a":[{"b":[{}]}]}', 4) is True
    # Empty strings and keys next to strings holding brackets (the adjacent quotes go first).
    assert jsonfile._nests_deeper(b'[["", "]]", "", "[[", {"": ""}]]', 3) is False
    assert jsonfile._nests_deeper(b'[["", "]]", "", "[[", {"": [""]}]]', 3) is True


def test_documents_larger_than_the_string_limit_take_the_fast_path() -> None:
    """Only a (possibly) long string sends a large document to the careful path, not its size."""
    limits = JsonLimits(max_string_chars=40)
    many = json.dumps({f"k{i}": ["short", 'a\\"b', i] for i in range(50)}).encode()
    assert jsonfile._decode_plain(many, limits) == json.loads(many)
    tail = ', "x", "y", "z", "w", "v", "u", "t", "s"]'
    for text in (
        '["' + "a" * 41 + '"' + tail,  # over the limit
        '["' + '\\"' * 21 + '"' + tail,  # over it, written with escaped quotes
        '["' + "\u00e9" * 25 + '"' + tail,  # 25 characters, 50 bytes: measured carefully
    ):
        assert len(text) > 40
        assert jsonfile._decode_plain(text.encode(), limits) is jsonfile._NOT_PLAIN, text
        assert repr(either(text, limits)) == repr(careful(text, limits))


def test_what_the_fast_path_leaves_to_the_careful_one() -> None:
    for text in (
        "[1e400]",
        "NaN",
        '"\\ud800"',
        "1" * 21,
        "[" * 7 + "]" * 7,
        '"12345678901234567890123"',
    ):
        assert jsonfile._decode_plain(text.encode(), LIMITS) is jsonfile._NOT_PLAIN, text


def test_every_golden_document_takes_the_fast_path() -> None:
    """The reference's snapshots, summaries and inputs are all plain."""
    documents = [p for d in ("exporter", "replay") for p in (GOLDENS / d).rglob("*.json")]
    assert documents
    for path in documents:
        text = path.read_text(encoding="utf-8")
        fast = jsonfile._decode_plain(text.encode(), DEFAULT_LIMITS)
        assert fast is not jsonfile._NOT_PLAIN, path
        assert fast == json.loads(text)


def depth_of(value: object) -> int:
    if isinstance(value, list):
        return 1 + max(map(depth_of, value), default=0)
    if isinstance(value, dict):
        return 1 + max(map(depth_of, value.values()), default=0)
    return 0


@settings(max_examples=200, deadline=None)
@given(value=json_values, chunk=st.integers(min_value=1, max_value=7), limit=st.integers(0, 6))
def test_depth_scan_is_exact_whatever_the_chunk_size(value: object, chunk: int, limit: int) -> None:
    """Cut into tiny chunks (escapes and digit runs across every boundary), the scans agree."""
    data = json.dumps(value, ensure_ascii=False).encode()
    saved = jsonfile._SCAN_CHUNK
    jsonfile._SCAN_CHUNK = chunk  # type: ignore[misc]
    try:
        assert jsonfile._nests_deeper(data, limit) == (depth_of(value) > limit)
        longest = max((len(run) for run in re.findall(rb"[0-9]+", data)), default=0)
        assert jsonfile._may_have_long_integer(data, 3) == (longest > 3)
        text = data.decode()
        literal = max((len(m.group()) - 2 for m in jsonfile._STRING.finditer(text)), default=0)
        for max_chars in range(literal):  # an overestimate is allowed, missing one is not
            assert jsonfile._may_have_long_string(data, max_chars)
    finally:
        jsonfile._SCAN_CHUNK = saved  # type: ignore[misc]
