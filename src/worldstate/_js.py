"""The JavaScript rules worldstate reads game data by and writes artifacts with, in one place.

The reference was written in JavaScript, so payload reading, numbers, times and JSON text follow
JavaScript's rules, which differ from Python's (an empty list is truthy in JavaScript, ``0`` is
not a missing value).  Everything here is pure and works on JSON-shaped Python values:

* :data:`ABSENT` stands for a key that is missing (``undefined``), which JavaScript treats
  differently from an explicit ``null`` (``None``); :func:`get` is ``container?.[key]``.
* :func:`coalesce` is ``a ?? b ?? …``; :func:`coalesce2` is the same for exactly two values,
  for the reducers every replayed event runs (a variadic call costs measurably more).
* :func:`truthy` is JavaScript truthiness; :func:`is_number` is ``typeof x === 'number'``;
  :func:`is_finite_number` is ``Number.isFinite(x)``.  They test exact types before the slower
  ``isinstance`` checks, for the same hot path.
* :func:`to_number` is ``Number(x)``; :func:`number_text` is ``String(number)``.
* :func:`iso_from_ms` is ``new Date(ms).toISOString()`` for the whole JavaScript date range.
* :func:`dumps_pretty` / :func:`dumps_compact` are ``JSON.stringify`` with and without indent.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Final, TypeGuard

import msgspec

__all__ = [
    "ABSENT",
    "Absent",
    "get",
    "coalesce",
    "coalesce2",
    "truthy",
    "is_number",
    "is_finite_number",
    "to_number",
    "js_round",
    "to_fixed",
    "number_text",
    "js_string",
    "non_negative_int",
    "iso_from_ms",
    "timestamp_fragment",
    "dumps_pretty",
    "dumps_compact",
    "MAX_TIME_MS",
]


class Absent:
    """Type of :data:`ABSENT`: a missing key / ``undefined``."""

    _instance: Absent | None = None

    def __new__(cls) -> Absent:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "ABSENT"

    def __bool__(self) -> bool:
        return False


ABSENT: Final = Absent()
"""The value of a key that is not there (JavaScript ``undefined``)."""

MAX_TIME_MS: Final = 8.64e15
"""The largest distance from the epoch a JavaScript ``Date`` can hold, in ms."""


def get(container: object, key: str) -> Any:
    """``container?.[key]``: the value, or :data:`ABSENT` when missing or not a mapping."""
    if type(container) is dict or isinstance(container, Mapping):  # dict first: ABCs are slow
        return container.get(key, ABSENT)
    return ABSENT


def coalesce(*values: Any) -> Any:
    """``a ?? b ?? …``: the first value that is neither ``None`` nor :data:`ABSENT`, else the
    last value.
    """
    for value in values[:-1]:
        if value is not None and value is not ABSENT:
            return value
    return values[-1]


def coalesce2(value: Any, default: Any) -> Any:
    """``value ?? default``: :func:`coalesce` of exactly two values, for hot paths."""
    return default if value is None or value is ABSENT else value


def truthy(value: object) -> bool:
    """JavaScript truthiness: ``None``, absent, ``False``, ``0``, ``NaN`` and ``''`` are falsy.

    Unlike Python, empty lists and dicts are truthy.
    """
    cls = type(value)
    if cls is str:
        return value != ""
    if value is None or value is False or value is ABSENT:
        return False
    if value is True:
        return True
    if cls is int or cls is float or isinstance(value, int | float):
        return value == value and value != 0  # NaN != NaN
    if isinstance(value, str):
        return value != ""
    return True


def is_number(value: object) -> TypeGuard[int | float]:
    """``typeof value === 'number'`` (booleans are not numbers)."""
    cls = type(value)
    if cls is int or cls is float:  # exact types first: a union isinstance costs ~3x more
        return True
    if value is None or cls is bool:
        return False
    return isinstance(value, int | float)


def is_finite_number(value: object) -> TypeGuard[int | float]:
    """``Number.isFinite(value)``: a number (not a boolean) that is neither NaN nor infinite."""
    return is_number(value) and math.isfinite(value)


_DECIMAL_LITERAL = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_RADIX_LITERAL = re.compile(r"0(?:[xX][0-9a-fA-F]+|[oO][0-7]+|[bB][01]+)")
_INFINITY = re.compile(r"[+-]?Infinity")
# JavaScript's String.prototype.trim also strips the byte-order mark, which str.strip keeps.
_JS_WHITESPACE = (
    " \t\n\v\f\r\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u2028\u2029\u202f\u205f\u3000\ufeff"
)


def _string_to_number(text: str) -> float:
    text = text.strip(_JS_WHITESPACE)
    if text == "":
        return 0.0
    if _DECIMAL_LITERAL.fullmatch(text):
        return float(text)
    if _RADIX_LITERAL.fullmatch(text):
        return float(int(text, 0))
    if _INFINITY.fullmatch(text):
        return -math.inf if text.startswith("-") else math.inf
    return math.nan


def to_number(value: object) -> float:
    """JavaScript's ``Number(value)``; NaN when JavaScript would give NaN.

    ``None`` becomes 0, :data:`ABSENT` NaN, booleans 1/0, strings follow JavaScript's literal
    grammar (Python-only forms like ``1_000`` or ``nan`` are NaN), ``[]`` is 0, a one-element
    list converts its element's text, other lists and all mappings are NaN.
    """
    if value is None:
        return 0.0
    if value is ABSENT:
        return math.nan
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, int):
        try:
            return float(value)
        except OverflowError:
            return math.inf if value > 0 else -math.inf
    if isinstance(value, float):
        return value
    if isinstance(value, str):
        return _string_to_number(value)
    if isinstance(value, list | tuple):
        return _string_to_number(js_string(value))
    return math.nan


def js_round(value: float) -> float:
    """``Math.round``: halves round toward +infinity (2.5 -> 3, -2.5 -> -2)."""
    if not math.isfinite(value):
        return value
    low = math.floor(value)
    return float(low + 1 if value - low >= 0.5 else low)


def to_fixed(value: float, digits: int) -> str:
    """``value.toFixed(digits)``: the exact binary value rounded half-up (1.25 -> ``1.3``)."""
    quantum = Decimal(1).scaleb(-digits)
    return str(Decimal(value).quantize(quantum, rounding=ROUND_HALF_UP))


def number_text(value: float) -> str:
    """``String(number)``: integral values without ``.0``, shortest round-trip digits otherwise.

    Exponent form only when the magnitude is at least 1e21 or below 1e-6; ``-0`` prints ``0``.
    """
    if isinstance(value, int) and not isinstance(value, bool):
        if abs(value) <= 2**53:
            return str(value)
        value = to_number(value)  # beyond 2**53 JavaScript holds only the nearest double
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0:
        return "0"
    sign = "-" if value < 0 else ""
    _sign, digit_tuple, exponent = Decimal(repr(abs(value))).as_tuple()
    digits = "".join(map(str, digit_tuple)).rstrip("0")
    exponent = int(exponent) + (len(digit_tuple) - len(digits))
    return sign + _place_point(digits, len(digits) + exponent)


def _place_point(digits: str, point: int) -> str:
    # ECMAScript Number::toString: value = 0.digits * 10**point.
    count = len(digits)
    if count <= point <= 21:
        return digits + "0" * (point - count)
    if 0 < point <= 21:
        return f"{digits[:point]}.{digits[point:]}"
    if -6 < point <= 0:
        return "0." + "0" * -point + digits
    power = point - 1
    mantissa = digits if count == 1 else f"{digits[0]}.{digits[1:]}"
    return f"{mantissa}e{'+' if power >= 0 else '-'}{abs(power)}"


def js_string(value: object) -> str:
    """``String(value)`` for JSON-shaped values (lists join with ``,``; null elements empty)."""
    if value is None:
        return "null"
    if value is ABSENT:
        return "undefined"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return number_text(value)
    if isinstance(value, str):
        return value
    if isinstance(value, list | tuple):
        return _list_text(value)
    return "[object Object]"


def _list_text(value: Sequence[object]) -> str:
    """``String(list)``: items joined with ``,`` (nested lists too), with an explicit stack."""
    # One entry per list being joined: its remaining items and the texts of those done.
    joining: list[tuple[Iterator[object], list[str]]] = [(iter(value), [])]
    while True:
        items, texts = joining[-1]
        for item in items:
            if isinstance(item, list | tuple):
                joining.append((iter(item), []))
                break
            texts.append("" if item is None or item is ABSENT else js_string(item))
        else:
            joining.pop()
            text = ",".join(texts)
            if not joining:
                return text
            joining[-1][1].append(text)


def non_negative_int(value: object) -> int:
    """The reference's ``sanitizeNonNegativeInteger``: ``max(0, floor(Number(x)))``, else 0."""
    number = to_number(value)
    if not math.isfinite(number):
        return 0
    return max(0, math.floor(number))


_MS_PER_DAY: Final = 86_400_000


def _civil_from_days(days: int) -> tuple[int, int, int]:
    # Proleptic Gregorian date of a day count since 1970-01-01 (H. Hinnant's algorithm),
    # valid for the whole JavaScript date range where datetime stops at year 9999.
    days += 719_468
    era = days // 146_097
    day_of_era = days - era * 146_097
    year_of_era = (
        day_of_era - day_of_era // 1460 + day_of_era // 36_524 - day_of_era // 146_096
    ) // 365
    day_of_year = day_of_era - (365 * year_of_era + year_of_era // 4 - year_of_era // 100)
    shifted_month = (5 * day_of_year + 2) // 153
    day = day_of_year - (153 * shifted_month + 2) // 5 + 1
    month = shifted_month + 3 if shifted_month < 10 else shifted_month - 9
    year = year_of_era + era * 400 + (1 if month <= 2 else 0)
    return year, month, day


def iso_from_ms(ms: float) -> str:
    """``new Date(ms).toISOString()``: UTC, millisecond precision, trailing ``Z``.

    Fractional milliseconds are truncated toward zero; negative values are fine.

    Raises:
        ValueError: ``ms`` is not finite or beyond ±8.64e15 (JavaScript's "Invalid time value").
    """
    if isinstance(ms, bool) or not isinstance(ms, int | float):
        raise ValueError(f"invalid time value {ms!r}: expected a number of ms")
    if not math.isfinite(ms) or abs(ms) > MAX_TIME_MS:
        raise ValueError(f"invalid time value {ms!r}: outside the JavaScript date range")
    whole = math.trunc(ms)
    days, rest = divmod(whole, _MS_PER_DAY)
    year, month, day = _civil_from_days(days)
    seconds, millis = divmod(rest, 1000)
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    year_text = f"{year:04d}" if 0 <= year <= 9999 else f"{'+' if year > 0 else '-'}{abs(year):06d}"
    return (
        f"{year_text}-{month:02d}-{day:02d}T{hours:02d}:{minutes:02d}:{seconds:02d}.{millis:03d}Z"
    )


def timestamp_fragment(generated_at: object) -> str:
    """The file-name time stamp: ``20251030T170500Z``, or ``00000000T000000Z`` when falsy."""
    if not truthy(generated_at):
        return "00000000T000000Z"
    iso = iso_from_ms(generated_at)  # type: ignore[arg-type]
    return re.sub(r"\.\d{3}Z$", "Z", iso.replace("-", "").replace(":", ""))


_ESCAPES: Final = {
    '"': '\\"',
    "\\": "\\\\",
    "\b": "\\b",
    "\f": "\\f",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
}
_NEEDS_ESCAPE = re.compile(r'["\\\x00-\x1f\ud800-\udfff]')


def _escape_char(match: re.Match[str]) -> str:
    char = match.group()
    return _ESCAPES.get(char) or f"\\u{ord(char):04x}"


def _string_literal(text: str) -> str:
    return '"' + _NEEDS_ESCAPE.sub(_escape_char, text) + '"'


def _scalar(value: object) -> str | None:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        number = to_number(value)
        return number_text(value) if math.isfinite(number) else "null"
    if isinstance(value, str):
        return _string_literal(value)
    return None


def _entries(value: object) -> tuple[str, str, list[tuple[object, object]]]:
    """``(opener, closer, [(key or None, item)])`` of a container; ``TypeError`` otherwise."""
    if isinstance(value, Mapping):
        return "{", "}", [(k, v) for k, v in value.items() if v is not ABSENT]
    if isinstance(value, Sequence) and not isinstance(value, bytes | bytearray):
        # JSON.stringify writes undefined list items as null.
        return "[", "]", [(None, None if item is ABSENT else item) for item in value]
    raise TypeError(f"cannot encode {type(value).__name__} as JSON")


def _encode(value: object, indent: str, level: int, parts: list[str]) -> None:
    """Append the JSON text of ``value``, indented from ``level``, to ``parts``.

    It walks with an explicit stack, so any nesting depth is written.
    """
    colon = ": " if indent else ":"
    # One entry per open container: its remaining entries and the text that closes it.
    open_containers: list[tuple[Iterator[tuple[int, tuple[object, object]]], str]] = []
    item = value
    while True:
        scalar = _scalar(item)
        if scalar is not None:
            parts.append(scalar)
        else:
            opener, closer, entries = _entries(item)
            if entries:
                margin = "\n" + indent * (level + len(open_containers)) if indent else ""
                parts.append(opener)
                open_containers.append((enumerate(entries), margin + closer))
            else:
                parts.append(opener + closer)
        while open_containers:
            remaining, closing = open_containers[-1]
            entry = next(remaining, None)
            if entry is None:
                parts.append(closing)
                open_containers.pop()
                continue
            index, (key, item) = entry
            inner = "\n" + indent * (level + len(open_containers)) if indent else ""
            parts.append(("," if index else "") + inner)
            if key is not None:
                parts.append(_string_literal(str(key)) + colon)
            break
        else:
            return


def dumps_pretty(value: object) -> str:
    """``JSON.stringify(value, null, 2)``: 2-space indent, JavaScript numbers, raw non-ASCII.

    NaN and infinities become ``null``; mapping entries whose value is :data:`ABSENT` are left out.
    """
    ready = _msgspec_ready(value)
    if ready is not _UNSUITED:
        try:
            return msgspec.json.format(msgspec.json.encode(ready), indent=2).decode()
        except (UnicodeEncodeError, TypeError, msgspec.EncodeError, RecursionError):
            pass  # lone surrogates, odd types, no stack left: the general encoder handles them
    parts: list[str] = []
    _encode(value, "  ", 0, parts)
    return "".join(parts)


def dumps_compact(value: object) -> str:
    """``JSON.stringify(value)``: no spaces, otherwise like :func:`dumps_pretty`."""
    ready = _msgspec_ready(value)
    if ready is not _UNSUITED:
        try:
            return msgspec.json.encode(ready).decode()
        except (UnicodeEncodeError, TypeError, msgspec.EncodeError, RecursionError):
            pass
    parts: list[str] = []
    _encode(value, "", 0, parts)
    return "".join(parts)


# -- fast path ---------------------------------------------------------------------------------
# msgspec (C) writes the same text as JSON.stringify for plain dicts, lists, strings, bools,
# None, integers up to 2**53 and non-integral floats from 1e-5 up.  It differs for integral
# floats (``5.0``), -0.0, tiny or huge floats, big integers and lone surrogates: integral floats
# up to 2**53 become ints here, and anything else msgspec would print differently goes to the
# general encoder.  tests/inspector/test_jsformat.py checks that the two never disagree.

_UNSUITED: Final = object()
_SAFE_INTEGER: Final = 2**53


class _Unsuited(Exception):
    pass


def _msgspec_ready(value: object) -> object:
    try:
        return _ready(value)
    except (_Unsuited, RecursionError):
        # Nesting deeper than the interpreter's stack left for the recursive walk (a document
        # near the readers' depth limit, read deep in a call stack) goes to the general
        # encoder, which uses an explicit stack; catching here keeps the fast path unchanged.
        return _UNSUITED


_TEXTUAL: Final = frozenset({str, bool, type(None)})
_STRING_KEYS: Final = frozenset({str})


def _is_flat(container: Any) -> bool:
    """Whether ``container`` (a dict, list or tuple) holds only values msgspec writes as
    JavaScript does: strings, booleans, ``None``, or only safe integers (string keys).

    Such leaves (step lists, timelines) are most of a large summary: checked and copied in C.
    """
    values = container.values() if container.__class__ is dict else container
    if container.__class__ is dict and not _STRING_KEYS.issuperset(map(type, container)):
        return False
    kinds = set(map(type, values))
    if kinds <= _TEXTUAL:
        return True
    return kinds == {int} and min(values) >= -_SAFE_INTEGER and max(values) <= _SAFE_INTEGER


def _ready(value: object) -> object:
    cls = value.__class__
    if cls is str or cls is bool or value is None:
        return value
    if cls is int:
        if -_SAFE_INTEGER <= value <= _SAFE_INTEGER:  # type: ignore[operator]
            return value
        raise _Unsuited
    if cls is float:
        number: float = value  # type: ignore[assignment]
        if number.is_integer():
            if abs(number) <= _SAFE_INTEGER:
                return int(number)
            raise _Unsuited
        if math.isfinite(number) and abs(number) >= 1e-5:  # non-integral, so below 2**52
            return number
        raise _Unsuited
    if (cls is dict or cls is list or cls is tuple) and _is_flat(value):
        return dict(value) if cls is dict else list(value)  # type: ignore[call-overload]
    if cls is dict:
        ready: dict[str, object] = {}
        for key, item in value.items():  # type: ignore[attr-defined]
            if key.__class__ is not str:
                raise _Unsuited
            if item is not ABSENT:
                ready[key] = _ready(item)
        return ready
    if cls is list or cls is tuple:
        return [None if item is ABSENT else _ready(item) for item in value]  # type: ignore[attr-defined]
    raise _Unsuited
