"""Payload helpers shared by the faction, tutorial and story slices.

The reference is JavaScript; its reducers lean on ``a ?? b`` and on JS truthiness.  These helpers
spell those rules out once, in Python terms, so the reducers read like the spec.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["EMPTY", "coalesce", "copy_json", "is_number", "truthy", "trim"]

EMPTY: Mapping[str, Any] = {}
"""A shared empty payload (never mutated)."""


def coalesce(value: Any, default: Any) -> Any:
    """JS ``value ?? default``: ``default`` only when ``value`` is ``None`` (0, '', False stay)."""
    return default if value is None else value


def truthy(value: Any) -> bool:
    """JS truthiness: ``None``, ``False``, 0, NaN and ``''`` are false; ``[]``/``{}`` are true."""
    if value is None or value is False:
        return False
    if value is True:
        return True
    if isinstance(value, int | float):
        return value == value and value != 0  # NaN != NaN
    if isinstance(value, str):
        return value != ""
    return True


def is_number(value: Any) -> bool:
    """JS ``typeof value === 'number'`` (booleans are not numbers)."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def copy_json(value: Any) -> Any:
    """Copy the containers (dicts, lists, tuples) of a JSON-shaped value; scalars are shared.

    Reducers store what callers hand them; copying the containers means a caller that keeps and
    later mutates its payload cannot reach into the world state.
    """
    if isinstance(value, dict):
        return {key: copy_json(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [copy_json(item) for item in value]
    return value


def trim(items: list[Any], limit: int) -> list[Any]:
    """Keep the newest ``limit`` items of ``items`` (none when ``limit`` <= 0), as the reference."""
    overflow = len(items) - int(limit)
    if overflow <= 0:
        return items
    return items[overflow:]
