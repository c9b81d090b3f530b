"""Small helpers shared by the quest, dialogue, inventory, npc and district slices.

Bus payloads are loosely typed JSON.  The reference reads them with JavaScript's ``??`` and
truthiness rules, which differ from Python's (an empty list is truthy in JS, ``0`` is not a
missing value).  These helpers spell those rules out once so the reducers read plainly.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any, TypeGuard

from worldstate.store.slice import Action

__all__ = [
    "append_bounded",
    "as_mapping",
    "coalesce",
    "copy_json",
    "is_finite_number",
    "is_number",
    "js_truthy",
    "pick",
    "prepend_bounded",
    "simple_action",
]


def coalesce(*values: Any) -> Any:
    """JavaScript ``a ?? b ?? c``: the first value that is not ``None`` (else ``None``)."""
    for value in values:
        if value is not None:
            return value
    return None


def js_truthy(value: Any) -> bool:
    """JavaScript truthiness: ``None``, ``False``, ``0``, NaN and ``""`` are false.

    Unlike Python, empty lists and dicts are true.
    """
    if value is None or value is False:
        return False
    if isinstance(value, bool):
        return True
    if isinstance(value, int | float):
        return value != 0 and not (isinstance(value, float) and math.isnan(value))
    if isinstance(value, str):
        return value != ""
    return True


def is_number(value: Any) -> TypeGuard[int | float]:
    """JavaScript ``typeof value === 'number'`` (booleans are not numbers)."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def is_finite_number(value: Any) -> TypeGuard[int | float]:
    """JavaScript ``Number.isFinite(value)`` without coercion."""
    return is_number(value) and math.isfinite(value)


def as_mapping(value: Any) -> Mapping[str, Any]:
    """``value`` when it is a mapping, else an empty one (JS optional chaining on non-objects)."""
    return value if isinstance(value, Mapping) else {}


def copy_json(value: Any) -> Any:
    """A deep copy of JSON-shaped data, so state never aliases a caller's dicts and lists."""
    if isinstance(value, Mapping):
        return {key: copy_json(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [copy_json(item) for item in value]
    return value


def pick(payload: Mapping[str, Any], *keys: str) -> dict[str, Any]:
    """``{key: payload.get(key)}`` for each key, in order (missing keys become ``None``)."""
    return {key: payload.get(key) for key in keys}


def append_bounded(items: Any, entry: Any, limit: int) -> list[Any]:
    """A new list: ``items`` (a list, else empty) plus ``entry``, keeping the newest ``limit``."""
    result = [*items, entry] if isinstance(items, list) else [entry]
    return result[-limit:] if len(result) > limit else result


def prepend_bounded(items: Any, entry: Any, limit: int) -> list[Any]:
    """A new list: ``entry`` then ``items`` (a list, else empty), keeping the first ``limit``."""
    result = [entry, *items] if isinstance(items, list) else [entry]
    return result[:limit]


def simple_action(
    action_type: str, domain: str, keys: tuple[str, ...]
) -> Callable[[Mapping[str, Any], int], Action | None]:
    """An action builder copying ``keys`` from the event payload (missing -> ``None``)."""

    def build(payload: Mapping[str, Any], now: int) -> Action | None:
        return Action(type=action_type, domain=domain, payload=pick(payload, *keys))

    build.__name__ = f"build_{action_type.lower()}"
    return build
