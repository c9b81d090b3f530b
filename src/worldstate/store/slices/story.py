"""Story slice: narrative flags.

A snapshot holds ``{"flags": ...}`` only; ``lastActionAt`` is runtime state, as in the reference.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import msgspec

from worldstate._js import truthy
from worldstate.store._selectors import create_selector
from worldstate.store._slice import Action, ActionBuilder, State
from worldstate.store._transients import InPlaceWrites

from ._payload import Reducer, copy_json, reduce_by_type

__all__ = [
    "StorySlice",
    "StoryFlagsSnapshot",
    "FlagSnapshot",
    "select_slice",
    "select_flag",
    "select_flags_by_prefix",
    "select_current_act",
]

DOMAIN = "story"
Number = int | float


class FlagSnapshot(msgspec.Struct):
    """Schema of one story flag in a snapshot (unknown keys allowed)."""

    value: Any = None
    metadata: dict[str, Any] | None = None
    updatedAt: Number | None = None


class StoryFlagsSnapshot(msgspec.Struct):
    """Schema of the ``storyFlags`` section of a snapshot (unknown keys allowed)."""

    flags: dict[str, FlagSnapshot] | None = None
    lastActionAt: Number | None = None


def _flag_changed(p: Mapping[str, Any], now: int) -> Action:
    payload = {
        "flagId": p.get("flagId"),
        "value": p.get("newValue"),
        "metadata": p.get("metadata"),
        "timestamp": p.get("timestamp"),
    }
    return Action("STORY_FLAG_SET", DOMAIN, payload, now)


def _flag_removed(p: Mapping[str, Any], now: int) -> Action:
    return Action("STORY_FLAG_REMOVED", DOMAIN, {"flagId": p.get("flagId")}, now)


EVENTS: Mapping[str, ActionBuilder] = MappingProxyType(
    {"story:flag:changed": _flag_changed, "story:flag:removed": _flag_removed}
)


class StorySlice(InPlaceWrites):
    """Story flags: ``flags[id] = {value, metadata, updatedAt}``."""

    key = "story"
    snapshot_key = "storyFlags"
    domain = DOMAIN
    events = EVENTS
    snapshot_schema = StoryFlagsSnapshot

    def __init__(self) -> None:
        self.type_reducers: Mapping[str, Reducer] = {
            "STORY_FLAG_SET": self._flag_set,
            "STORY_FLAG_REMOVED": self._flag_removed,
        }

    def initial_state(self) -> State:
        """No flags set."""
        return {"flags": {}, "lastActionAt": None}

    def reduce(self, state: State, action: Action) -> State:
        """Set or remove a flag; return ``state`` itself when nothing changed (or the action
        has no timestamp)."""
        if action.timestamp is None:
            return state
        return reduce_by_type(self.type_reducers, DOMAIN, state, action)

    def _flag_set(self, state: State, p: Mapping[str, Any], ts: int) -> State:
        get = p.get
        flag_id = get("flagId")
        if not (flag_id if flag_id.__class__ is str else truthy(flag_id)):  # no call for a str
            return state
        value = get("value")
        metadata = get("metadata")
        updated_at = get("timestamp")
        flag = {
            "value": copy_json(value),
            "metadata": {} if metadata is None else copy_json(metadata),
            "updatedAt": ts if updated_at is None else updated_at,
        }
        flags = self.transients.writable_dict(state["flags"])
        flags[flag_id] = flag
        return {**state, "flags": flags, "lastActionAt": ts}

    def _flag_removed(self, state: State, p: Mapping[str, Any], ts: int) -> State:
        flag_id = p.get("flagId")
        if not truthy(flag_id) or not truthy(state["flags"].get(flag_id)):
            return state
        flags = self.transients.writable_dict(state["flags"])
        del flags[flag_id]
        return {**state, "flags": flags, "lastActionAt": ts}

    def serialize(self, state: State) -> Any:
        """The ``storyFlags`` section: ``{"flags": ...}`` (the store copies it)."""
        return {"flags": state["flags"]}

    def hydrate(self, data: Any) -> State:
        """Rebuild the state from a (validated, privately owned) ``storyFlags`` section."""
        if not data:
            return self.initial_state()
        return {"flags": data.get("flags") or {}, "lastActionAt": data.get("lastActionAt")}


def select_slice(state: Mapping[str, Any]) -> State:
    """The story slice state (live: do not mutate)."""
    result: State = state["story"]
    return result


def select_flag(state: Mapping[str, Any], flag_id: str, default: Any = None) -> Any:
    """The value of flag ``flag_id``, or ``default`` when it is not set."""
    flag = state["story"]["flags"].get(flag_id)
    return flag["value"] if truthy(flag) else default


def _flags(state: Mapping[str, Any], *_: Any) -> dict[str, Any]:
    result: dict[str, Any] = state["story"]["flags"]
    return result


def _prefix(state: Mapping[str, Any], prefix: str | None = None) -> str | None:
    return prefix


def _by_prefix(flags: dict[str, Any], prefix: str | None) -> dict[str, Any]:
    return {k: copy_json(v) for k, v in flags.items() if not prefix or k.startswith(prefix)}


select_flags_by_prefix = create_selector(_flags, _prefix, combine=_by_prefix)
"""Copies of the flags whose id starts with ``prefix`` (all flags when it is empty)."""


def _current_act(flags: dict[str, Any]) -> str | None:
    for act in ("act3", "act2", "act1"):
        flag = flags.get(f"{act}_started")
        if isinstance(flag, dict) and truthy(flag.get("value")):
            return act
    return None


select_current_act = create_selector(_flags, combine=_current_act)
"""``'act3'``, ``'act2'`` or ``'act1'`` from the ``act<n>_started`` flags, else ``None``."""
