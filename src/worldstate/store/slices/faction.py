"""Faction slice: reputation, attitudes, attitude cascades and removed members.

``recentMemberRemovals`` survives
a snapshot/hydrate round trip.  As in the reference, a removal's ``removedAt`` is the action's
timestamp (the time of dispatch); the event's own ``removedAt`` stays in the action payload only.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

import msgspec

from worldstate._js import coalesce2, truthy
from worldstate.store._selectors import create_selector
from worldstate.store._slice import Action, ActionBuilder, State
from worldstate.store._transients import InPlaceWrites

from ._payload import Timestamp, copy_json, reduce_by_type, simple_action

__all__ = [
    "FactionSlice",
    "FactionsSnapshot",
    "FactionRecordSnapshot",
    "CascadeSnapshot",
    "select_slice",
    "select_faction_by_id",
    "select_faction_attitude",
    "select_faction_overview",
    "select_faction_last_reset",
    "select_faction_last_attitude_change",
    "select_faction_attitude_history",
    "select_cascade_summary",
    "select_recent_member_removals",
]

DOMAIN = "faction"
Number = int | float


class CascadeSnapshot(msgspec.Struct):
    """Schema of a cascade record (``lastCascade``, ``lastCascadeEvent``; unknown keys allowed).

    ``occurredAt`` is rendered as a date in the cascade CSV, so it must be one.
    """

    occurredAt: Timestamp | None = None


class FactionRecordSnapshot(msgspec.Struct):
    """Schema of one faction record in a snapshot (unknown keys allowed)."""

    id: str | None = None
    fame: Number | None = None
    infamy: Number | None = None
    attitude: str | None = None
    lastDelta: dict[str, Any] | None = None
    lastReason: Any = None
    updatedAt: Number | None = None
    lastAttitudeChange: dict[str, Any] | None = None
    attitudeHistory: list[dict[str, Any]] | None = None
    lastCascade: CascadeSnapshot | None = None
    cascadeCount: Number | None = None
    cascadeSources: list[Any] | None = None


class FactionsSnapshot(msgspec.Struct):
    """Schema of the ``factions`` section of a snapshot (unknown keys allowed)."""

    byId: dict[str, FactionRecordSnapshot] | None = None
    lastActionAt: Number | None = None
    lastResetAt: Number | None = None
    lastResetReason: Any = None
    lastResetInitiatedBy: Any = None
    lastCascadeEvent: CascadeSnapshot | None = None
    recentMemberRemovals: list[dict[str, Any]] | None = None


# -- bus events -> actions -------------------------------------------------------------------


_reputation_changed = simple_action(
    "FACTION_REPUTATION_CHANGED",
    DOMAIN,
    ("factionId", "factionName", "deltaFame", "deltaInfamy", "newFame", "newInfamy", "reason"),
)
_attitude_changed = simple_action(
    "FACTION_ATTITUDE_CHANGED",
    DOMAIN,
    (
        "factionId",
        "factionName",
        "newAttitude",
        "oldAttitude",
        "cascade",
        "source",
        "sourceFactionName",
    ),
)
_reputation_reset = simple_action("FACTION_REPUTATION_RESET", DOMAIN, ("reason", "initiatedBy"))


def _member_removed(p: Mapping[str, Any], now: int) -> Action:
    get = p.get  # spelt out: cheaper than a comprehension on Python 3.11
    payload = {
        "factionId": get("factionId"),
        "factionName": get("factionName"),
        "npcId": get("npcId"),
        "entityId": get("entityId"),
        "tag": get("tag"),
        "removedAt": coalesce2(get("removedAt"), now),
    }
    return Action("FACTION_MEMBER_REMOVED", DOMAIN, copy_json(payload), now)


EVENTS: Mapping[str, ActionBuilder] = MappingProxyType(
    {
        "reputation:changed": _reputation_changed,
        "faction:attitude_changed": _attitude_changed,
        "faction:reputation_reset": _reputation_reset,
        "faction:member_removed": _member_removed,
    }
)


# -- state -----------------------------------------------------------------------------------


def _initial_state() -> State:
    """A faction slice where nothing has happened."""
    return {
        "byId": {},
        "lastActionAt": None,
        "lastResetAt": None,
        "lastResetReason": None,
        "lastResetInitiatedBy": None,
        "lastCascadeEvent": None,
        "recentMemberRemovals": [],
    }


def _names_a_faction(faction_id: Any) -> bool:
    """Whether an event's ``factionId`` names a faction: a non-empty string (answered without
    the generic truthiness rules), else any truthy value."""
    return faction_id != "" if faction_id.__class__ is str else truthy(faction_id)


def _new_record(faction_id: str) -> State:
    """The record of a faction seen for the first time."""
    return {
        "id": faction_id,
        "fame": 0,
        "infamy": 0,
        "attitude": "neutral",
        "lastDelta": {"fame": 0, "infamy": 0},
        "lastReason": None,
        "updatedAt": None,
        "lastAttitudeChange": None,
        "attitudeHistory": [],
        "lastCascade": None,
        "cascadeCount": 0,
        "cascadeSources": [],
    }


Reducer = Callable[[State, Mapping[str, Any], int], State]


class FactionSlice(InPlaceWrites):
    """Reputation and attitude of every faction, cascades between them, removed members.

    Args:
        attitude_history_limit: attitude changes kept per faction (reference: 10).
        member_removal_limit: member removals kept (reference: 10).
    """

    key = "faction"
    snapshot_key = "factions"
    domain = DOMAIN
    events = EVENTS
    snapshot_schema = FactionsSnapshot

    def __init__(self, *, attitude_history_limit: int = 10, member_removal_limit: int = 10):
        if attitude_history_limit < 1 or member_removal_limit < 1:
            raise ValueError("faction history limits must be >= 1")
        self.attitude_history_limit = attitude_history_limit
        self.member_removal_limit = member_removal_limit
        self.type_reducers: Mapping[str, Reducer] = {
            "FACTION_REPUTATION_CHANGED": self._reputation_changed,
            "FACTION_ATTITUDE_CHANGED": self._attitude_changed,
            "FACTION_REPUTATION_RESET": self._reputation_reset,
            "FACTION_MEMBER_REMOVED": self._member_removed,
        }

    def initial_state(self) -> State:
        """The state of a world where nothing has happened yet."""
        return _initial_state()

    def reduce(self, state: State, action: Action) -> State:
        """Apply a faction action; return ``state`` itself when nothing changed."""
        return reduce_by_type(self.type_reducers, DOMAIN, state, action)

    def _reputation_changed(self, state: State, p: Mapping[str, Any], ts: int) -> State:
        # Inlined as in ``_attitude_changed``: ``x if x is not None else y`` is ``coalesce``.
        get = p.get
        faction_id: Any = get("factionId")
        if not _names_a_faction(faction_id):
            return state
        transients = self.transients
        by_id = state["byId"]
        record = transients.writable_dict(by_id.get(faction_id) or _new_record(faction_id))
        fame = get("newFame")
        infamy = get("newInfamy")
        delta_fame = get("deltaFame")
        delta_infamy = get("deltaInfamy")
        delta = {
            "fame": 0 if delta_fame is None else delta_fame,
            "infamy": 0 if delta_infamy is None else delta_infamy,
        }
        reason = copy_json(get("reason"))
        # Written last, in place when nobody has seen the record since it was copied.
        if fame is not None:
            record["fame"] = fame
        if infamy is not None:
            record["infamy"] = infamy
        record["lastDelta"] = delta
        record["lastReason"] = reason
        record["updatedAt"] = ts
        by_id = transients.writable_dict(by_id)
        by_id[faction_id] = record
        return {**state, "byId": by_id, "lastActionAt": ts}

    def _attitude_changed(self, state: State, p: Mapping[str, Any], ts: int) -> State:
        # The busiest faction action: helpers are inlined (``x if x is not None else y`` is
        # ``coalesce``; a string or ``True`` needs no ``truthy`` call) because calls dominate
        # its cost.
        get = p.get
        faction_id: Any = get("factionId")
        if not _names_a_faction(faction_id):
            return state
        transients = self.transients
        by_id = state["byId"]
        record = by_id.get(faction_id) or _new_record(faction_id)
        attitude = get("newAttitude")
        if attitude is None:
            attitude = record["attitude"]
        cascade = get("cascade")
        cascade = cascade is True or (
            cascade is not None and cascade is not False and truthy(cascade)
        )
        source_id = get("source")
        source_name = get("sourceFactionName")
        faction_name = get("factionName")
        old_attitude = get("oldAttitude")
        change = {
            "factionId": faction_id,
            "factionName": faction_name,
            "newAttitude": attitude,
            "oldAttitude": old_attitude,
            "cascade": cascade,
            "sourceFactionId": source_id,
            "sourceFactionName": source_name,
            "occurredAt": ts,
        }
        next_state = {**state, "lastActionAt": ts}
        if cascade:
            sources = record["cascadeSources"]
            if source_id is not None and source_id not in sources:
                sources = [*sources, source_id]
            last_cascade = {
                "sourceFactionId": source_id,
                "sourceFactionName": source_name,
                "occurredAt": ts,
                "newAttitude": attitude,
            }
            cascade_count = (record["cascadeCount"] or 0) + 1
            next_state["lastCascadeEvent"] = {
                "targetFactionId": faction_id,
                "targetFactionName": faction_name,
                "sourceFactionId": source_id,
                "sourceFactionName": source_name,
                "newAttitude": attitude,
                "oldAttitude": old_attitude,
                "occurredAt": ts,
            }
        history = [*record["attitudeHistory"], change]  # short: a copy is cheapest
        if len(history) > self.attitude_history_limit:
            history = history[-self.attitude_history_limit :]
        # Nothing below raises: the record and ``byId`` are written in place when nobody has
        # seen them since this store copied them (see ``Transients``).
        record = transients.writable_dict(record)
        record["attitude"] = attitude
        record["updatedAt"] = ts
        record["lastAttitudeChange"] = change
        record["attitudeHistory"] = history
        if cascade:
            record["lastCascade"] = last_cascade
            record["cascadeCount"] = cascade_count
            record["cascadeSources"] = sources
        by_id = transients.writable_dict(by_id)
        by_id[faction_id] = record
        next_state["byId"] = by_id
        return next_state

    def _reputation_reset(self, state: State, p: Mapping[str, Any], ts: int) -> State:
        return {
            "byId": {},
            "lastActionAt": ts,
            "lastResetAt": ts,
            "lastResetReason": copy_json(p.get("reason")),
            "lastResetInitiatedBy": copy_json(p.get("initiatedBy")),
            "lastCascadeEvent": None,
            "recentMemberRemovals": [],
        }

    def _member_removed(self, state: State, p: Mapping[str, Any], ts: int) -> State:
        removal = {
            "factionId": p.get("factionId"),
            "factionName": p.get("factionName"),
            "npcId": copy_json(p.get("npcId")),
            "entityId": copy_json(p.get("entityId")),
            "tag": copy_json(p.get("tag")),
            "removedAt": ts,
        }
        # Copied, not written in place: for a list this short a copy is cheaper than asking
        # ``Transients`` whether it may be changed.
        removals = [*state["recentMemberRemovals"], removal][-self.member_removal_limit :]
        return {**state, "recentMemberRemovals": removals, "lastActionAt": ts}

    def serialize(self, state: State) -> Any:
        """The ``factions`` section: the whole state (the store copies it)."""
        return state

    def hydrate(self, data: Any) -> State:
        """Rebuild the state from a (validated, privately owned) ``factions`` section."""
        state = _initial_state()
        if not data:
            return state
        by_id = data.get("byId") or {}
        state["byId"] = {key: _hydrate_record(key, rec) for key, rec in by_id.items()}
        for name in ("lastActionAt", "lastResetAt", "lastResetReason", "lastResetInitiatedBy"):
            state[name] = data.get(name)
        state["lastCascadeEvent"] = data.get("lastCascadeEvent") or None
        removals = data.get("recentMemberRemovals") or []
        state["recentMemberRemovals"] = removals[-self.member_removal_limit :]
        return state


def _hydrate_record(key: str, data: Mapping[str, Any]) -> State:
    record = _new_record(coalesce2(data.get("id"), key))
    for name, value in data.items():
        if name not in record or value is not None:
            record[name] = value
    history = record["attitudeHistory"]
    record["attitudeHistory"] = history if isinstance(history, list) else []
    return record


# -- selectors -------------------------------------------------------------------------------


def select_slice(state: Mapping[str, Any]) -> State:
    """The faction slice state (live: do not mutate)."""
    result: State = state["faction"]
    return result


def _by_id(state: Mapping[str, Any], *_: Any) -> dict[str, Any]:
    result: dict[str, Any] = state["faction"]["byId"]
    return result


def _record(state: Mapping[str, Any], faction_id: str) -> State | None:
    result: State | None = state["faction"]["byId"].get(faction_id)
    return result


def select_faction_by_id(state: Mapping[str, Any], faction_id: str) -> State | None:
    """The record of ``faction_id`` (live: do not mutate), or ``None``."""
    return _record(state, faction_id)


def select_faction_attitude(state: Mapping[str, Any], faction_id: str) -> str:
    """The attitude of ``faction_id``; ``'neutral'`` for an unknown faction."""
    record = _record(state, faction_id)
    return "neutral" if record is None else str(record["attitude"])


def _overview(by_id: dict[str, Any]) -> list[State]:
    return [copy_json(record) for record in by_id.values()]


select_faction_overview = create_selector(_by_id, combine=_overview)
"""Copies of every faction record, in insertion order."""


def _last_reset(faction: State) -> dict[str, Any]:
    return {
        "at": faction["lastResetAt"],
        "reason": faction["lastResetReason"],
        "initiatedBy": faction["lastResetInitiatedBy"],
    }


select_faction_last_reset = create_selector(select_slice, combine=_last_reset)
"""``{at, reason, initiatedBy}`` of the last reputation reset."""


def _last_change(record: State | None) -> dict[str, Any] | None:
    return None if record is None else copy_json(record.get("lastAttitudeChange"))


select_faction_last_attitude_change = create_selector(_record, combine=_last_change)
"""A copy of the last attitude change of a faction, or ``None``: ``select(sel, faction_id)``."""


def _attitude_history(record: State | None) -> list[Any]:
    return [] if record is None else copy_json(record.get("attitudeHistory") or [])


select_faction_attitude_history = create_selector(_record, combine=_attitude_history)
"""Copies of a faction's attitude changes, oldest first: ``select(sel, faction_id)``."""


def _cascade_summary(faction: State) -> dict[str, Any]:
    targets = [
        {
            "factionId": record.get("id"),
            "cascadeCount": record.get("cascadeCount"),
            "lastCascade": copy_json(record.get("lastCascade")),
            "sources": list(record.get("cascadeSources") or []),
        }
        for record in faction["byId"].values()
        if truthy(record.get("cascadeCount"))
    ]
    return {"lastCascadeEvent": copy_json(faction["lastCascadeEvent"]), "cascadeTargets": targets}


select_cascade_summary = create_selector(select_slice, combine=_cascade_summary)
"""``{lastCascadeEvent, cascadeTargets}``: the inspector's cascade section (copies)."""


def _removals(faction: State) -> list[dict[str, Any]]:
    removals = faction.get("recentMemberRemovals")
    return [dict(entry) for entry in removals] if isinstance(removals, list) else []


select_recent_member_removals = create_selector(select_slice, combine=_removals)
"""Copies of the most recent member removals, oldest first."""
