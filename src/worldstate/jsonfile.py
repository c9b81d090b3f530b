"""Reading JSON documents from files with errors that say where the problem is."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from worldstate.errors import InputError

__all__ = ["read_json_file", "json_type_name"]


def read_json_file(path: Path, *, what: str) -> Any:
    """Parse the JSON document in ``path``.

    Args:
        path: the file to read (UTF-8).
        what: what the document is, for messages (``snapshot``, ``summary``).

    Raises:
        InputError: the file cannot be read, is not UTF-8 or is not JSON (names line and column).
    """
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise InputError(f"cannot read {what}: {reason}", source=str(path)) from exc
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{what} is not valid JSON: {exc.msg}",
            source=str(path),
            location=f"line {exc.lineno} column {exc.colno}",
        ) from exc


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
