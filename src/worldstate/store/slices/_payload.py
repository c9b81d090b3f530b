"""The JavaScript rules the slices read payloads by, spelt out once, plus small shared pieces.

Bus payloads are loosely typed JSON.  The reference reads them with JavaScript's ``??`` and
truthiness rules, which differ from Python's (an empty list is truthy in JS, ``0`` is not a
missing value).  Every slice uses these helpers so the reducers read like the spec.

Some reducers run for every replayed event, so the helpers on that path are written for speed:
:func:`coalesce` takes exactly two arguments (a variadic call costs measurably more; use
:func:`first_present` for three or more), and :func:`truthy`, :func:`is_number`,
:func:`as_mapping` and :func:`copy_json` test exact types (and ``None``) before the slower
``isinstance`` checks against unions and ABCs.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any, TypeGuard

from worldstate.store._transients import Transients
from worldstate.store.slice import Action, ActionBuilder, State

__all__ = [
    "EMPTY",
    "append_bounded",
    "as_mapping",
    "coalesce",
    "copy_json",
    "first_present",
    "is_finite_number",
    "is_number",
    "pick",
    "prepend_bounded",
    "reduce_stamped",
    "simple_action",
    "truthy",
    "with_logged_record",
]

EMPTY: Mapping[str, Any] = MappingProxyType({})
"""A shared, read-only empty mapping."""


def coalesce(value: Any, default: Any) -> Any:
    """JavaScript ``value ?? default``: ``default`` only when ``value`` is ``None``."""
    return default if value is None else value


def first_present(*values: Any) -> Any:
    """JavaScript ``a ?? b ?? c``: the first value that is not ``None`` (else ``None``)."""
    for value in values:
        if value is not None:
            return value
    return None


def truthy(value: Any) -> bool:
    """JavaScript truthiness: ``None``, ``False``, ``0``, NaN and ``""`` are false.

    Unlike Python, empty lists and dicts are true.
    """
    if type(value) is str:
        return value != ""
    if value is None or value is False:
        return False
    if value is True:
        return True
    if type(value) is int or type(value) is float or isinstance(value, int | float):
        return value == value and value != 0  # NaN != NaN
    return True


def is_number(value: Any) -> TypeGuard[int | float]:
    """JavaScript ``typeof value === 'number'`` (booleans are not numbers)."""
    cls = type(value)
    if cls is int or cls is float:  # exact types first: a union isinstance costs ~3x more
        return True
    if value is None or cls is bool:
        return False
    return isinstance(value, int | float)


def is_finite_number(value: Any) -> TypeGuard[int | float]:
    """JavaScript ``Number.isFinite(value)`` without coercion."""
    return is_number(value) and math.isfinite(value)


def as_mapping(value: Any) -> Mapping[str, Any]:
    """``value`` when it is a mapping, else an empty one (JS optional chaining on non-objects)."""
    if type(value) is dict:
        return value
    if value is None or not isinstance(value, Mapping):  # None first: ABC checks are slow
        return EMPTY
    return value


def copy_json(value: Any) -> Any:
    """A copy of the containers (mappings, lists, tuples) of JSON-shaped data; scalars are shared.

    Reducers copy what they store from a payload, so a caller that keeps and later mutates its
    payload cannot reach into the world state.
    """
    cls = type(value)
    if cls is dict:
        return {key: copy_json(item) for key, item in value.items()}
    if cls is list:
        return [copy_json(item) for item in value]
    if value is None or cls in _SCALARS:
        return value
    # Slow path (ABC instance checks) only for other container types.
    if isinstance(value, Mapping):
        return {key: copy_json(item) for key, item in value.items()}
    if isinstance(value, tuple | list):
        return [copy_json(item) for item in value]
    return value


_SCALARS = frozenset({str, int, float, bool})


def pick(payload: Mapping[str, Any], *keys: str) -> dict[str, Any]:
    """``{key: payload.get(key)}`` for each key, in order (missing keys become ``None``)."""
    get = payload.get
    return {key: get(key) for key in keys}


def append_bounded(items: Any, entry: Any, limit: int | float) -> list[Any]:
    """A new list: ``items`` (a list, else empty) plus ``entry``, keeping the newest ``limit``.

    A ``limit`` of 0 or less keeps nothing (as the reference's ``slice(-limit)`` trimming does
    for the limits a snapshot may carry).
    """
    result = [*items, entry] if isinstance(items, list) else [entry]
    overflow = len(result) - int(limit)
    return result[overflow:] if overflow > 0 else result


def prepend_bounded(items: Any, entry: Any, limit: int) -> list[Any]:
    """A new list: ``entry`` then ``items`` (a list, else empty), keeping the first ``limit``."""
    result = [entry, *items] if isinstance(items, list) else [entry]
    return result[:limit]


def simple_action(action_type: str, domain: str, keys: tuple[str, ...]) -> ActionBuilder:
    """An action builder copying ``keys`` from the event payload (missing -> ``None``)."""

    def build(payload: Mapping[str, Any], now: int) -> Action | None:
        # A plain loop: on Python 3.11 a dict comprehension is a nested function call, which
        # costs a third of this builder on every replayed event.
        get = payload.get
        fields: dict[str, Any] = {}
        for key in keys:
            value = get(key)
            if value is not None and value.__class__ not in _SCALARS:
                value = copy_json(value)  # never let state alias a caller's container
            fields[key] = value
        return Action(action_type, domain, fields, now)

    build.__name__ = f"build_{action_type.lower()}"
    return build


def with_logged_record(
    state: State,
    record_id: str,
    record: Any,
    entry: Any,
    ts: int,
    log_limit: int,
    transients: Transients,
) -> State:
    """``state`` (``{byId, changeLog, lastUpdatedAt, ...}``) with one record replaced and the
    change ``entry`` logged (newest ``log_limit`` kept), stamped ``ts``.

    ``byId`` is written through ``transients``: in place while nobody has seen it, so the cost
    does not grow with the number of records.
    """
    change_log = append_bounded(state.get("changeLog"), entry, log_limit)
    by_id = transients.writable_dict(state["byId"])
    by_id[record_id] = record  # last: nothing below can fail half-way
    return {**state, "byId": by_id, "changeLog": change_log, "lastUpdatedAt": ts}


Reducer = Callable[[State, dict[str, Any], int], State]
"""One entry of a reducer table: ``(state, payload, timestamp) -> next state``.

It returns ``state`` itself when nothing changes, else a new dict the caller may still fill in.
"""


def reduce_stamped(
    reducers: Mapping[str, Reducer], domain: str, state: State, action: Action
) -> State:
    """Run the reducer of ``action.type`` (actions of ``domain`` only); a change also sets
    ``lastActionAt`` to the action's timestamp.
    """
    reducer = reducers.get(action.type) if action.domain == domain else None
    if reducer is None:
        return state
    now = action.timestamp if action.timestamp is not None else 0
    next_state = reducer(state, action.payload, now)
    if next_state is not state:
        next_state["lastActionAt"] = now
    return next_state
