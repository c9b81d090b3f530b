"""JavaScript object and string semantics the reports need beyond the number primitives.

Reports read manifests written by JavaScript and print what JavaScript printed, so three more
rules of the language apply:

* property order: ``Object.keys``/``JSON.stringify`` list integer-like keys (``"0"``,
  ``"17"``) first, in ascending numeric order, then the other keys in insertion order;
* string comparison (``a > b``) compares UTF-16 code units, not code points;
* ``Number(x)`` that falls back to 0 when the result is not finite (the reports' counters).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any, Final

from worldstate._js import to_number

__all__ = ["js_key_order", "js_ordered", "js_string_greater", "counter"]

_MAX_ARRAY_INDEX: Final = 2**32 - 2


def _is_array_index(key: str) -> bool:
    if key == "0":
        return True
    return (
        key[:1] in "123456789"
        and key != ""
        and key.isascii()
        and key.isdigit()
        and int(key) <= _MAX_ARRAY_INDEX
    )


def js_key_order(keys: Iterable[str]) -> list[str]:
    """``keys`` in the order JavaScript enumerates an object's own properties."""
    keys = list(keys)
    indexes = sorted((key for key in keys if _is_array_index(key)), key=int)
    if not indexes:
        return keys
    chosen = set(indexes)
    return indexes + [key for key in keys if key not in chosen]


def js_ordered(value: Any) -> Any:
    """A copy of a JSON-shaped value whose mappings list their keys in JavaScript's order."""
    if isinstance(value, Mapping):
        return {key: js_ordered(value[key]) for key in js_key_order(value)}
    if isinstance(value, list | tuple):
        return [js_ordered(item) for item in value]
    return value


def js_string_greater(candidate: str, current: str) -> bool:
    """``candidate > current`` in JavaScript: by UTF-16 code units."""
    if candidate.isascii() and current.isascii():
        return candidate > current
    return candidate.encode("utf-16-be", "surrogatepass") > current.encode(
        "utf-16-be", "surrogatepass"
    )


def counter(value: object) -> float:
    """A count as the reports read it: ``Number(value)`` when finite, else 0.

    ``null``, a missing key and ``""`` are 0; ``"3"`` is 3; ``"NaN"``, objects and lists of
    several items are 0.
    """
    number = to_number(value)
    return number if math.isfinite(number) else 0.0
