"""Reading JSON documents strictly, with limits and errors that say where the problem is.

Every JSON document worldstate reads (a snapshot, a summary, ``--context``) goes through
:func:`loads_strict`, which refuses, naming the line and column or the JSON path:

* text that is not JSON, or a file that is not UTF-8 (line and column of the bad byte);
* documents over :attr:`JsonLimits.max_document_chars`, strings over
  :attr:`JsonLimits.max_string_chars`, nesting deeper than :attr:`JsonLimits.max_depth`
  (:data:`MAX_JSON_DEPTH`, 512; real snapshots and summaries nest about 6 levels),
  integers with more than :attr:`JsonLimits.max_integer_digits` digits, and numbers too large
  for a float (``1e400``);
* the constants ``NaN``, ``Infinity`` and ``-Infinity``, and ``\\ud800``-style escapes of lone
  UTF-16 surrogates (which no UTF-8 writer can encode, so they would fail an export half way
  through).

Most documents are plain (nothing near a limit): they are decoded by msgspec and checked by two
fast byte scans; only a document that fails or nears a rule takes the careful path, whose
errors name the place.
"""

from __future__ import annotations

import functools
import json
import math
import re
from collections.abc import Iterator
from itertools import accumulate
from pathlib import Path
from typing import Any, Final

import msgspec

from worldstate.errors import InputError, SnapshotError

__all__ = [
    "MAX_JSON_DEPTH",
    "JsonLimits",
    "DEFAULT_LIMITS",
    "loads_strict",
    "read_json_file",
    "decode_utf8",
    "json_type_name",
    "text_position",
    "nesting_excess",
]

MAX_JSON_DEPTH: Final = 512
"""How deeply arrays and objects may nest in any document or event-log line worldstate reads.

Every walker over a document that deep (copies, the redactor, the JSON encoders, snapshot
validation) works with an explicit stack or within the interpreter's 1,000 frames."""


class JsonLimits(msgspec.Struct, frozen=True):
    """The largest JSON document :func:`loads_strict` accepts.

    Attributes:
        max_depth: how deeply arrays and objects may nest (``[[1]]`` is 2 deep).
        max_integer_digits: the most digits an integer may have (20 holds every 64-bit one).
        max_string_chars: the longest string or key, in characters.
        max_document_chars: the longest document, in characters.
    """

    max_depth: int = MAX_JSON_DEPTH
    max_integer_digits: int = 20
    max_string_chars: int = 16 * 1024 * 1024
    max_document_chars: int = 256 * 1024 * 1024


DEFAULT_LIMITS: Final = JsonLimits()
"""The limits every reader uses unless it is given others."""

_STRING = re.compile(r'"(?:[^"\\]++|\\.)*+"', re.S)
_BRACKETS = re.compile(r"[\[\]{}]")
_NOT_BRACKETS = re.compile(r"[^\[\]{}]++")
_DEPTH_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
# A surrogate can only enter a parsed document through an escape like this one (or as a raw
# character in a str that did not come from UTF-8, such as a command-line argument).
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


class _Constant:
    """What a ``NaN``/``Infinity`` literal parses to, so the walker can find its path."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name


def loads_strict(text: str, *, source: str, what: str, limits: JsonLimits = DEFAULT_LIMITS) -> Any:
    """Parse ``text`` as strict JSON within ``limits`` (see the module docs).

    Args:
        text: the JSON text.
        source: where it came from, for messages (a file path, ``--context``).
        what: what the document is, for messages (``snapshot``, ``summary``).
        limits: the size limits.

    Raises:
        InputError: not JSON, or over a limit (names line and column).
        SnapshotError: a ``NaN``/``Infinity`` constant or a string (or key) holding a lone
            surrogate (names the JSON path of the first one).
    """
    if len(text) > limits.max_document_chars:
        raise InputError(
            f"{what} is {len(text):,} characters long, over the limit of "
            f"{limits.max_document_chars:,}",
            source=source,
        )
    if len(text) <= limits.max_string_chars:
        try:
            value = _decode_plain(text.encode("utf-8"), limits)
        except UnicodeEncodeError:  # a lone surrogate: the careful path names where
            value = _NOT_PLAIN
        if value is not _NOT_PLAIN:
            return value
    _check_nesting(text, source=source, what=what, limits=limits)
    constants: list[_Constant] = []

    def constant(name: str) -> _Constant:
        constants.append(_Constant(name))
        return constants[-1]

    hooks: dict[str, Any] = {}
    if _long_digit_run(limits.max_integer_digits).search(text) or _HUGE_FLOAT.search(text):
        # Checked per number only when the text could hold one over a limit: the hooks cost a
        # Python call for every number of the document.
        hooks = {"parse_int": lambda digits: _integer(digits, limits), "parse_float": _finite_float}
    try:
        value = json.loads(text, parse_constant=constant, **hooks)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{what} is not valid JSON: {exc.msg}",
            source=source,
            location=f"line {exc.lineno} column {exc.colno}",
        ) from exc
    except _NumberProblem as problem:
        raise InputError(
            f"{what} has {problem.reason}", source=source, location=problem.where(text)
        ) from None
    if constants or _SURROGATE_ESCAPE.search(text) or _has_surrogate(text):
        found = _first_invalid(value, "$")
        if found is not None:
            path, problem_text = found
            raise SnapshotError(problem_text, source=source, path=path)
    _check_strings(text, source=source, what=what, limits=limits)
    return value


_NOT_PLAIN: Final = object()
"""What :func:`_decode_plain` returns for a document that needs the careful path."""

_SCAN_CHUNK: Final = 1 << 20
_ESCAPE: Final = re.compile(rb"\\.", re.S)
_NOT_STRUCTURE: Final = bytes(c for c in range(256) if c not in b'"[]{}')
_CURLY_TO_SQUARE: Final = bytes.maketrans(b"{}", b"[]")
_DIGIT_MASK: Final = bytes(0x30 if 0x30 <= c <= 0x39 else 0x20 for c in range(256))


def _decode_plain(data: bytes, limits: JsonLimits = DEFAULT_LIMITS) -> Any:
    """The UTF-8 JSON document ``data``, decoded by msgspec, when it is plainly within every
    rule of :func:`loads_strict`; else :data:`_NOT_PLAIN`.

    The fast path for large snapshots: msgspec refuses everything the careful path refuses
    (malformed JSON or UTF-8, a byte-order mark, ``NaN``, lone surrogates, numbers out of
    range, nesting past the interpreter's limit) and decodes the rest exactly as
    :func:`json.loads` does; two byte scans, a megabyte at a time, then rule out what it
    accepts but the limits do not.  Any doubt falls back to the careful path, which names
    where the problem is.
    """
    if len(data) > limits.max_string_chars and _may_have_long_string(data, limits.max_string_chars):
        return _NOT_PLAIN  # a string could be over its limit: the careful path measures them
    try:
        value = msgspec.json.decode(data)
    except (msgspec.DecodeError, RecursionError):
        return _NOT_PLAIN
    if _may_have_long_integer(data, limits.max_integer_digits):
        return _NOT_PLAIN
    if _nests_deeper(data, limits.max_depth):
        return _NOT_PLAIN
    return value


def _may_have_long_integer(data: bytes, max_digits: int) -> bool:
    """Whether any run of digits (in a number or a string) is longer than ``max_digits``."""
    run = b"0" * (max_digits + 1)
    for start in range(0, len(data), _SCAN_CHUNK):
        window = data[max(0, start - max_digits) : start + _SCAN_CHUNK]
        if run in window.translate(_DIGIT_MASK):
            return True
    return False


def _may_have_long_string(data: bytes, max_chars: int) -> bool:
    """Whether a string of ``data`` may be written with more than ``max_chars`` characters.

    A string literal has no more characters than bytes, and with its escapes masked (same
    length, no quote left inside) it lies between two quotes.  Cut into pieces of ``size`` or
    ``size + 1`` bytes, with ``2 * (size + 1) <= max_chars``, a run of more than ``max_chars``
    bytes without a quote covers a whole piece other than the last: so when each of those holds
    a quote, no string is over the limit.  A piece without one (a long array of numbers, say)
    sends the document to the careful path, which measures exactly.
    """
    if max_chars < 4:
        return True  # pieces this small cannot bound anything: let the careful path measure
    for start, end in _escape_safe_bounds(data, max_chars // 2 - 1):
        if end < len(data) and not _has_unescaped_quote(data, start, end):
            return True
    return False


def _has_unescaped_quote(data: bytes, start: int, end: int) -> bool:
    """Whether ``data[start:end]`` (cut outside escapes) holds a quote that is not escaped;
    without a backslash in it, found in place (no copy of the piece)."""
    if data.find(b"\\", start, end) < 0:
        return data.find(b'"', start, end) >= 0
    return b'"' in _ESCAPE.sub(b"ee", data[start:end])


def _nests_deeper(data: bytes, max_depth: int) -> bool:
    """Whether valid JSON ``data`` nests arrays and objects deeper than ``max_depth``.

    Only the brackets outside strings are kept; each round of removing every empty ``[]``
    peels one level off every innermost container, so the rounds needed are the depth.
    """
    if len(data) < 2 * (max_depth + 1):
        return False  # each level takes two bytes (counting the brackets costs more)
    brackets = _brackets_outside_strings(data)
    for _ in range(max_depth):
        if not brackets:
            return False
        brackets = brackets.replace(b"[]", b"")
    return bool(brackets)


def _brackets_outside_strings(data: bytes) -> bytes:
    """The brackets of valid JSON ``data`` outside its strings, all as ``[`` and ``]``.

    Split chunk by chunk (a string may span two), never the whole document at once: a list of
    every piece between two quotes would cost ~50 bytes a quote, several times the document.
    Two adjacent quotes enclose nothing structural (an empty stretch inside or outside a
    string), so removing them first, in one fast pass, leaves only the few strings holding a
    bracket to split, and keeps every quote's parity.
    """
    pieces: list[bytes] = []
    inside = False
    for chunk in _escape_safe_chunks(data):
        parts = _structure(chunk).replace(b'""', b"").split(b'"')
        pieces.append(b"".join(parts[1 if inside else 0 :: 2]))
        inside ^= len(parts) % 2 == 0  # an odd number of quotes flips inside/outside
    return b"".join(pieces).translate(_CURLY_TO_SQUARE)


def _structure(chunk: bytes) -> bytes:
    """The quotes and brackets of ``chunk``, escaped characters taken out first."""
    if b"\\" in chunk:
        chunk = _ESCAPE.sub(b"", chunk)
    return chunk.translate(None, _NOT_STRUCTURE)


def _escape_safe_chunks(data: bytes, size: int | None = None) -> Iterator[bytes]:
    """``data`` in pieces of ``size`` (default :data:`_SCAN_CHUNK`) or ``size + 1`` bytes, the
    last maybe shorter, never cut inside an escape."""
    return (data[start:end] for start, end in _escape_safe_bounds(data, size))


def _escape_safe_bounds(data: bytes, size: int | None = None) -> Iterator[tuple[int, int]]:
    """The ``(start, end)`` of each piece :func:`_escape_safe_chunks` cuts ``data`` into."""
    size = _SCAN_CHUNK if size is None else size
    start = 0
    while start < len(data):
        end = min(start + size, len(data))
        end += _trailing_backslashes(data, start, end) % 2  # an odd run ends mid-escape
        yield start, end
        start = end


def _trailing_backslashes(data: bytes, start: int, end: int) -> int:
    """How many backslashes ``data[start:end]`` ends with (the piece is copied only when it
    ends with one)."""
    if data[end - 1] != 0x5C:
        return 0
    piece = data[start:end]
    return len(piece) - len(piece.rstrip(b"\\"))


@functools.cache
def _long_digit_run(max_digits: int) -> re.Pattern[str]:
    return re.compile(f"[0-9]{{{max_digits + 1}}}")


# An exponent of three digits or more, or a mantissa too long for a double's range.
_HUGE_FLOAT = re.compile(r"[eE]\+?0*+[1-9][0-9]{2}|[0-9]{309}")


class _NumberProblem(Exception):
    """A number the limits refuse; found again in the text to say where it is."""

    def __init__(self, literal: str, reason: str) -> None:
        super().__init__(reason)
        self.literal = literal
        self.reason = reason

    def where(self, text: str) -> str | None:
        match = re.search(rf"(?<![0-9.eE+\-]){re.escape(self.literal)}(?![0-9])", text)
        return None if match is None else _line_column(text, match.start())


def _integer(digits: str, limits: JsonLimits) -> int:
    count = len(digits.lstrip("-"))
    if count > limits.max_integer_digits:
        raise _NumberProblem(
            digits,
            f"an integer of {count:,} digits, over the limit of {limits.max_integer_digits}",
        )
    return int(digits)


def _finite_float(literal: str) -> float:
    value = float(literal)
    if not math.isfinite(value):
        raise _NumberProblem(literal, f"a number too large for a float ({literal[:40]})")
    return value


def _check_nesting(text: str, *, source: str, what: str, limits: JsonLimits) -> None:
    """Refuse nesting deeper than the limit before a recursive parser sees it."""
    index = nesting_excess(text, limits.max_depth)
    if index is not None:
        raise InputError(
            f"{what} nests arrays and objects deeper than the limit of {limits.max_depth}",
            source=source,
            location=_line_column(text, index),
        )


def nesting_excess(text: str, max_depth: int = MAX_JSON_DEPTH) -> int | None:
    """The index of the first bracket of ``text`` that nests deeper than ``max_depth``, or
    ``None`` (brackets inside JSON strings do not count; the text need not be valid JSON)."""
    if text.count("[") + text.count("{") <= max_depth:
        return None  # cannot nest that deep
    brackets = _NOT_BRACKETS.sub("", _STRING.sub("", text))
    if max(accumulate(map(_DEPTH_STEP.__getitem__, brackets)), default=0) <= max_depth:
        return None
    # Over the limit: find where, keeping positions (the slow path runs only to fail).
    outside_strings = _STRING.sub(lambda m: " " * len(m.group()), text)
    depth = 0
    for match in _BRACKETS.finditer(outside_strings):
        depth += _DEPTH_STEP[match.group()]
        if depth > max_depth:
            return match.start()
    return None  # pragma: no cover - the scan above found the excess


def _check_strings(text: str, *, source: str, what: str, limits: JsonLimits) -> None:
    if len(text) <= limits.max_string_chars:
        return  # no string can be longer than its document
    for match in _STRING.finditer(text):
        if len(match.group()) - 2 > limits.max_string_chars:
            raise InputError(
                f"{what} has a string of {len(match.group()) - 2:,} characters, over the "
                f"limit of {limits.max_string_chars:,}",
                source=source,
                location=_line_column(text, match.start()),
            )


def text_position(text: str, index: int) -> tuple[int, int]:
    """The 1-based ``(line, column)`` of character ``index`` in ``text``."""
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def _line_column(text: str, index: int) -> str:
    line, column = text_position(text, index)
    return f"line {line} column {column}"


def decode_utf8(data: bytes, *, source: str, what: str) -> str:
    """Decode ``data`` as UTF-8 (a leading byte-order mark is dropped).

    Raises:
        InputError: a byte sequence that is not UTF-8, named by line and column.
    """
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        line_start = data.rfind(b"\n", 0, exc.start) + 1
        column = len(data[line_start : exc.start].decode("utf-8", "replace")) + 1
        raise InputError(
            f"{what} is not UTF-8: byte 0x{data[exc.start]:02x} cannot start or continue a "
            "character",
            source=source,
            location=f"line {line} column {column}",
        ) from None


def read_json_file(path: Path, *, what: str, limits: JsonLimits = DEFAULT_LIMITS) -> Any:
    """Parse the JSON document in ``path`` with :func:`loads_strict`.

    Args:
        path: the file to read (UTF-8).
        what: what the document is, for messages (``snapshot``, ``summary``).
        limits: the size limits.

    Raises:
        InputError: the file cannot be read, is not UTF-8 or is not JSON, or is over a limit
            (names line and column).
        SnapshotError: ``NaN``/``Infinity`` or a lone surrogate (names the JSON path).
    """
    try:
        with path.open("rb") as fh:
            data = fh.read(limits.max_document_chars * 4 + 1)  # UTF-8: at most 4 bytes a char
    except OSError as exc:
        raise InputError(f"cannot read {what}: {exc.strerror or exc}", source=str(path)) from exc
    if len(data) <= limits.max_document_chars:
        value = _decode_plain(data, limits)
        if value is not _NOT_PLAIN:
            return value
    text = decode_utf8(data, source=str(path), what=what)
    return loads_strict(text, source=str(path), what=what, limits=limits)


def _has_surrogate(text: str) -> bool:
    return not text.isascii() and _SURROGATE.search(text) is not None


def _first_invalid(value: object, path: str) -> tuple[str, str] | None:
    """``(path, problem)`` of the first constant or lone surrogate, in document order.

    It walks with an explicit stack, so a document as deep as the limit allows is fine.
    """
    pending: list[tuple[object, str]] = [(value, path)]
    while pending:
        item, where = pending.pop()
        if isinstance(item, str):
            if _has_surrogate(item):
                return where, "lone surrogate in string"
        elif isinstance(item, _Constant):
            return where, f"{item.name} is not valid JSON"
        elif isinstance(item, dict):
            children = []
            for key, child in item.items():
                child_path = _child(where, key)
                if _has_surrogate(key):
                    children.append((_BadKey(), child_path))
                    break  # nothing after the bad key comes first
                children.append((child, child_path))
            pending.extend(reversed(children))
        elif isinstance(item, list):
            pending.extend((item[i], f"{where}[{i}]") for i in reversed(range(len(item))))
        elif isinstance(item, _BadKey):
            return where, "lone surrogate in key"
    return None


class _BadKey:
    """Marks a key holding a lone surrogate in :func:`_first_invalid`'s walk."""

    __slots__ = ()


def _child(path: str, key: str) -> str:
    if _IDENT.match(key):
        return f"{path}.{key}"
    return f"{path}[{json.dumps(key)}]"  # ASCII-escaped, so even a bad key prints


def json_type_name(value: object) -> str:
    """How JSON would call the type of a decoded value (``an array``, ``a string``...)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    names: dict[type, str] = {list: "an array", str: "a string", dict: "an object"}
    return names.get(type(value), type(value).__name__)
