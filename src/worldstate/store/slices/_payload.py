"""Small pieces the slices share: reading payload containers, bounded lists, action builders.

The JavaScript rules the slices read payloads by (``??``, truthiness, number tests) live in
:mod:`worldstate._js`.  Some helpers here run for every replayed event, so :func:`as_mapping`
and :func:`copy_json` test exact types (and ``None``) before the slower ``isinstance`` checks
against unions and ABCs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Annotated, Any

import msgspec

from worldstate._js import MAX_TIME_MS
from worldstate.store._slice import WORLD_DOMAIN, Action, ActionBuilder, State
from worldstate.store._transients import Transients

__all__ = [
    "EMPTY",
    "Timestamp",
    "append_bounded",
    "as_mapping",
    "copy_json",
    "pick",
    "prepend_bounded",
    "reduce_by_type",
    "acts_on",
    "timestamp_of",
    "simple_action",
    "with_logged_record",
]

EMPTY: Mapping[str, Any] = MappingProxyType({})
"""A shared, read-only empty mapping."""

_MAX_TIME_INT = int(MAX_TIME_MS)
Timestamp = (
    Annotated[int, msgspec.Meta(ge=-_MAX_TIME_INT, le=_MAX_TIME_INT)]
    | Annotated[float, msgspec.Meta(ge=-MAX_TIME_MS, le=MAX_TIME_MS)]
)
"""Snapshot schema type of a time in ms that renderers format as a date: a number a
JavaScript ``Date`` can hold, so a snapshot that passes validation never fails to render."""


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
    payload cannot reach into the world state.  Any nesting depth is copied: the first
    :data:`_RECURSIVE_LEVELS` levels recursively (fast), anything deeper with an explicit stack.
    """
    cls = value.__class__
    if cls is dict:
        return _copy_dict(value, _RECURSIVE_LEVELS)
    if cls is list:
        return _copy_list(value, _RECURSIVE_LEVELS)
    if value is None or cls in _SCALARS:
        return value
    # Slow path (ABC instance checks) only for other container types.
    if isinstance(value, Mapping):
        return _copy_dict(value, _RECURSIVE_LEVELS)
    if isinstance(value, tuple | list):
        return _copy_list(value, _RECURSIVE_LEVELS)
    return value


_RECURSIVE_LEVELS = 32
"""Container levels :func:`copy_json` copies by recursion (real payloads nest about 6)."""


def _copy_dict(source: Mapping[str, Any], levels: int) -> dict[str, Any]:
    copy: dict[str, Any] = {}
    for key, item in source.items():
        cls = item.__class__
        if cls is dict or cls is list or (item is not None and cls not in _SCALARS):
            item = _copy_child(item, levels)
        copy[key] = item
    return copy


def _copy_list(source: Any, levels: int) -> list[Any]:
    copy: list[Any] = []
    append = copy.append
    for item in source:
        cls = item.__class__
        if cls is dict or cls is list or (item is not None and cls not in _SCALARS):
            item = _copy_child(item, levels)
        append(item)
    return copy


def _copy_child(item: Any, levels: int) -> Any:
    if not levels:
        return _copy_deep(item)
    cls = item.__class__
    if cls is dict:
        return _copy_dict(item, levels - 1)
    if cls is list:
        return _copy_list(item, levels - 1)
    if isinstance(item, Mapping):
        return _copy_dict(item, levels - 1)
    if isinstance(item, tuple | list):
        return _copy_list(item, levels - 1)
    return item


def _copy_deep(value: Any) -> Any:
    """:func:`copy_json` with an explicit stack, for what lies below the recursive levels."""
    copy = _empty_like(value)
    if copy is None:
        return value
    # Containers still to fill: (source, its empty copy).  A child container gets its empty
    # copy when its parent is filled, so key and item order are kept.
    pending: list[tuple[Any, Any]] = [(value, copy)]
    while pending:
        source, target = pending.pop()
        if target.__class__ is dict:
            for key, item in source.items():
                target[key] = _placeholder(item, pending)
        else:
            target.extend(_placeholder(item, pending) for item in source)
    return copy


def _placeholder(item: Any, pending: list[tuple[Any, Any]]) -> Any:
    """``item`` itself when it is no container, else its empty copy (queued to be filled)."""
    child = _empty_like(item)
    if child is None:
        return item
    pending.append((item, child))
    return child


def _empty_like(value: Any) -> dict[str, Any] | list[Any] | None:
    """An empty dict or list to copy the container ``value`` into; ``None`` for anything else."""
    if isinstance(value, Mapping):
        return {}
    if isinstance(value, tuple | list):
        return []
    return None


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

    ``byId`` and the change log are written through ``transients``: in place while nobody has
    seen them, so the cost grows neither with the number of records nor with the log's length.
    """
    by_id = transients.writable_dict(state["byId"])
    change_log = state.get("changeLog")
    if isinstance(change_log, list):
        change_log = transients.writable_list(change_log)
        change_log.append(entry)
        overflow = len(change_log) - int(log_limit)
        if overflow > 0:
            del change_log[:overflow]
    else:
        change_log = append_bounded(change_log, entry, log_limit)
    by_id[record_id] = record
    return {**state, "byId": by_id, "changeLog": change_log, "lastUpdatedAt": ts}


Reducer = Callable[[State, dict[str, Any], int], State | None]
"""One entry of a reducer table: ``(state, payload, timestamp) -> next state``.

It returns ``state`` itself (or ``None``) when nothing changes, else a new dict the caller may
still fill in.
"""


def acts_on(action: Action, domain: str) -> bool:
    """Whether a slice of ``domain`` reduces ``action``: its own domain's actions and ``world``
    actions (which the store offers every slice).
    """
    return action.domain == domain or action.domain == WORLD_DOMAIN


def timestamp_of(action: Action) -> int:
    """The action's timestamp; 0 when it has none (the store always sets one; a reducer called
    directly may get ``None``).
    """
    return action.timestamp if action.timestamp is not None else 0


def reduce_by_type(
    reducers: Mapping[str, Reducer],
    domain: str,
    state: State,
    action: Action,
    *,
    stamp: bool = False,
) -> State:
    """Run the reducer of ``action.type`` for an action :func:`acts_on` ``domain`` (else return
    ``state``), with :func:`timestamp_of` the action; with ``stamp``, a change also sets
    ``lastActionAt`` to that timestamp.
    """
    # acts_on and timestamp_of spelt out: this runs for every action of most slices.
    target = action.domain
    if target != domain and target != WORLD_DOMAIN:
        return state
    reducer = reducers.get(action.type)
    if reducer is None:
        return state
    now = action.timestamp
    if now is None:
        now = 0
    next_state = reducer(state, action.payload, now)
    if next_state is None or next_state is state:
        return state
    if stamp:
        next_state["lastActionAt"] = now
    return next_state
