"""Reading JSON documents strictly, with errors that say where the problem is.

Python's :mod:`json` accepts two things that are not JSON text worldstate can publish: the
constants ``NaN``, ``Infinity`` and ``-Infinity``, and ``\\ud800``-style escapes of lone UTF-16
surrogates (which no UTF-8 writer can encode, so they would fail an export half way through).
:func:`loads_strict` refuses both and names the JSON path of the first offending value.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from worldstate.errors import InputError, SnapshotError

__all__ = ["loads_strict", "read_json_file", "json_type_name"]

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


def loads_strict(text: str, *, source: str, what: str) -> Any:
    """Parse ``text`` as strict JSON: no ``NaN``/``Infinity``, no lone surrogates.

    Args:
        text: the JSON text.
        source: where it came from, for messages (a file path, ``--context``).
        what: what the document is, for messages (``snapshot``, ``summary``).

    Raises:
        InputError: not JSON (names line and column).
        SnapshotError: a ``NaN``/``Infinity`` constant or a string (or key) holding a lone
            surrogate (names the JSON path of the first one).
    """
    constants: list[_Constant] = []

    def constant(name: str) -> _Constant:
        constants.append(_Constant(name))
        return constants[-1]

    try:
        value = json.loads(text, parse_constant=constant)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{what} is not valid JSON: {exc.msg}",
            source=source,
            location=f"line {exc.lineno} column {exc.colno}",
        ) from exc
    if constants or _SURROGATE_ESCAPE.search(text) or _has_surrogate(text):
        found = _first_invalid(value, "$")
        if found is not None:
            path, problem = found
            raise SnapshotError(problem, source=source, path=path)
    return value


def read_json_file(path: Path, *, what: str) -> Any:
    """Parse the JSON document in ``path`` with :func:`loads_strict`.

    Args:
        path: the file to read (UTF-8).
        what: what the document is, for messages (``snapshot``, ``summary``).

    Raises:
        InputError: the file cannot be read, is not UTF-8 or is not JSON (names line and column).
        SnapshotError: ``NaN``/``Infinity`` or a lone surrogate (names the JSON path).
    """
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise InputError(f"cannot read {what}: {reason}", source=str(path)) from exc
    return loads_strict(text, source=str(path), what=what)


def _has_surrogate(text: str) -> bool:
    return not text.isascii() and _SURROGATE.search(text) is not None


def _first_invalid(value: object, path: str) -> tuple[str, str] | None:
    """``(path, problem)`` of the first constant or lone surrogate, in document order."""
    if isinstance(value, str):
        return (path, "lone surrogate in string") if _has_surrogate(value) else None
    if isinstance(value, _Constant):
        return path, f"{value.name} is not valid JSON"
    if isinstance(value, dict):
        for key, item in value.items():
            child = _child(path, key)
            if _has_surrogate(key):
                return child, "lone surrogate in key"
            found = _first_invalid(item, child)
            if found is not None:
                return found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found = _first_invalid(item, f"{path}[{index}]")
            if found is not None:
                return found
    return None


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
