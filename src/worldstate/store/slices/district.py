"""The district slice: who controls each district, how stable it is, what is locked down.

No game content is built in: the slice starts with the districts of the
catalog it is given (none by default) and learns others from ``district:registered`` events.

State (snapshot section ``districts``)::

    {byId: {districtId: record}, changeLog: [...], lastUpdatedAt}

Record: ``id, name, shortName, tier, controllingFaction{base, current, previous,
lastChangedAt}, influence, stability{base, current, rating, lastChangedAt}, security{level,
description, surveillanceCoverage}, access{defaultUnlocked, fastTravelEnabled, requirements,
restrictions[], unlockedRoutes[], restrictionLog[]}, infiltrationRoutes[], environment{weather,
hazards, traversal}, pointsOfInterest[], narrativeHooks[], proceduralModifiers,
analytics{lockdownsTriggered, lastLockdownAt, stabilityHistory[], controlHistory[]}``.

Stability is clamped to 0..100.  Limits: :data:`CONTROL_HISTORY_LIMIT`,
:data:`STABILITY_HISTORY_LIMIT`, :data:`RESTRICTION_LOG_LIMIT`, :data:`CHANGE_LOG_LIMIT`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypedDict

from worldstate._js import coalesce2, is_finite_number, truthy
from worldstate.errors import ConfigurationError
from worldstate.store._selectors import create_selector
from worldstate.store._slice import Action, ActionBuilder, State
from worldstate.store._transients import InPlaceWrites

from ._district_records import _normalise_record, record_from_definition
from ._district_reducers import (
    CONTROL_HISTORY_LIMIT,
    RESTRICTION_LOG_LIMIT,
    STABILITY_HISTORY_LIMIT,
    _control_changed,
    _fast_travel_set,
    _restriction_set,
    _route_unlocked,
    _stability_adjusted,
    _stability_set,
)
from ._payload import acts_on, as_mapping, copy_json, timestamp_of, with_logged_record

__all__ = [
    "CHANGE_LOG_LIMIT",
    "CONTROL_HISTORY_LIMIT",
    "DistrictRecordSnapshot",
    "DistrictSlice",
    "DistrictSnapshot",
    "RESTRICTION_LOG_LIMIT",
    "STABILITY_HISTORY_LIMIT",
    "record_from_definition",
    "select_all_districts",
    "select_root",
]

CHANGE_LOG_LIMIT = 50

DOMAIN = "district"


class DistrictRecordSnapshot(TypedDict, total=False):
    """A district record as found in a snapshot (every key optional)."""

    id: str
    name: Any
    shortName: Any
    tier: Any
    controllingFaction: dict[str, Any]
    influence: dict[str, Any]
    stability: dict[str, Any]
    security: dict[str, Any]
    access: dict[str, Any]
    infiltrationRoutes: list[dict[str, Any]]
    environment: dict[str, Any]
    pointsOfInterest: list[dict[str, Any]]
    narrativeHooks: list[dict[str, Any]]
    proceduralModifiers: dict[str, Any]
    analytics: dict[str, Any]


class DistrictSnapshot(TypedDict, total=False):
    """The ``districts`` section of a snapshot."""

    byId: dict[str, DistrictRecordSnapshot]
    changeLog: list[dict[str, Any]]
    lastUpdatedAt: int | float | None


# --- event -> action --------------------------------------------------------------------------


def _build(
    action_type: str, guard: Callable[[Mapping[str, Any]], dict[str, Any] | None]
) -> ActionBuilder:
    def build(payload: Mapping[str, Any], now: int) -> Action | None:
        fields = guard(payload)
        if fields is None:
            return None
        return Action(action_type, DOMAIN, fields, now)

    return build


def _registered_fields(p: Mapping[str, Any]) -> dict[str, Any] | None:
    district_id = coalesce2(p.get("districtId"), p.get("id"))
    if not truthy(district_id):
        return None
    return {"districtId": district_id, "definition": p.get("definition")}


def _control_fields(p: Mapping[str, Any]) -> dict[str, Any] | None:
    faction = coalesce2(p.get("controllingFaction"), p.get("factionId"))
    if not truthy(p.get("districtId")) or not truthy(faction):
        return None
    return {"districtId": p["districtId"], "controllingFaction": faction, "source": p.get("source")}


def _stability_set_fields(p: Mapping[str, Any]) -> dict[str, Any] | None:
    # Non-finite numbers are refused too: a NaN stability would poison every later adjustment.
    if not truthy(p.get("districtId")) or not is_finite_number(p.get("stability")):
        return None
    return {
        "districtId": p["districtId"],
        "stabilityValue": p["stability"],
        "rating": p.get("rating"),
        "source": p.get("source"),
    }


def _stability_adjusted_fields(p: Mapping[str, Any]) -> dict[str, Any] | None:
    if not truthy(p.get("districtId")) or not is_finite_number(p.get("delta")):
        return None
    return {"districtId": p["districtId"], "delta": p["delta"], "source": p.get("source")}


def _restriction_fields(p: Mapping[str, Any]) -> dict[str, Any] | None:
    restriction_id = coalesce2(p.get("restrictionId"), p.get("id"))
    if (
        not truthy(p.get("districtId"))
        or not truthy(restriction_id)
        or not isinstance(p.get("active"), bool)
    ):
        return None
    return {
        "districtId": p["districtId"],
        "restrictionId": restriction_id,
        "active": p["active"],
        "metadata": p.get("metadata"),
    }


def _route_fields(p: Mapping[str, Any]) -> dict[str, Any] | None:
    route_id = coalesce2(p.get("routeId"), p.get("id"))
    if not truthy(p.get("districtId")) or not truthy(route_id):
        return None
    return {"districtId": p["districtId"], "routeId": route_id, "source": p.get("source")}


def _fast_travel_fields(p: Mapping[str, Any]) -> dict[str, Any] | None:
    if not truthy(p.get("districtId")) or not isinstance(p.get("enabled"), bool):
        return None
    return {"districtId": p["districtId"], "enabled": p["enabled"]}


_EVENTS: dict[str, ActionBuilder] = {
    "district:registered": _build("DISTRICT_REGISTERED", _registered_fields),
    "district:control_changed": _build("DISTRICT_CONTROL_CHANGED", _control_fields),
    "district:stability_set": _build("DISTRICT_STABILITY_SET", _stability_set_fields),
    "district:stability_adjusted": _build(
        "DISTRICT_STABILITY_ADJUSTED", _stability_adjusted_fields
    ),
    "district:restriction_set": _build("DISTRICT_RESTRICTION_SET", _restriction_fields),
    "district:route_unlocked": _build("DISTRICT_ROUTE_UNLOCKED", _route_fields),
    "district:fast_travel_set": _build("DISTRICT_FAST_TRAVEL_SET", _fast_travel_fields),
}


_RECORD_REDUCERS: dict[
    str, Callable[[dict[str, Any], Mapping[str, Any], int], dict[str, Any] | None]
] = {
    "DISTRICT_CONTROL_CHANGED": _control_changed,
    "DISTRICT_STABILITY_SET": _stability_set,
    "DISTRICT_STABILITY_ADJUSTED": _stability_adjusted,
    "DISTRICT_RESTRICTION_SET": _restriction_set,
    "DISTRICT_ROUTE_UNLOCKED": _route_unlocked,
    "DISTRICT_FAST_TRAVEL_SET": _fast_travel_set,
}


class DistrictSlice(InPlaceWrites):
    """District control, stability, restrictions and routes (snapshot section ``districts``).

    Args:
        catalog_districts: district definitions the game ships with (same shape as a
            ``district:registered`` event's ``definition``); each needs a string ``id``.
            They make up the initial state, are created on first mention, and sit under the
            records of a hydrated snapshot.

    Raises:
        ConfigurationError: a catalog definition is not an object or has no string ``id``.
    """

    key = "district"
    snapshot_key = "districts"
    domain = DOMAIN
    snapshot_schema = DistrictSnapshot

    def __init__(self, catalog_districts: Sequence[Mapping[str, Any]] = ()) -> None:
        catalog: dict[str, dict[str, Any]] = {}
        for index, definition in enumerate(catalog_districts):
            if not isinstance(definition, Mapping) or not isinstance(definition.get("id"), str):
                raise ConfigurationError(
                    f"catalog district #{index} needs a string 'id', got {definition!r}"
                )
            catalog[definition["id"]] = copy_json(definition)
        self._catalog = catalog
        self._initial_records = {
            district_id: record_from_definition(definition)
            for district_id, definition in catalog.items()
        }
        self.events: Mapping[str, ActionBuilder] = dict(_EVENTS)

    def initial_state(self) -> State:
        """The catalog's districts (none without a catalog)."""
        return {"byId": copy_json(self._initial_records), "changeLog": [], "lastUpdatedAt": None}

    def reduce(self, state: State, action: Action) -> State:
        """Apply a district action; actions naming an unknown district change nothing."""
        if not acts_on(action, DOMAIN):
            return state
        payload = action.payload
        district_id = payload.get("districtId")
        ts = timestamp_of(action)
        if not truthy(district_id) or not isinstance(district_id, str):
            return state
        if action.type == "DISTRICT_REGISTERED":
            return self._register(state, district_id, payload.get("definition"), ts)
        reducer = _RECORD_REDUCERS.get(action.type)
        existing = state["byId"].get(district_id)
        if reducer is None:
            return state
        if existing is None:
            if district_id not in self._catalog:
                return state
            existing = record_from_definition(self._catalog[district_id], now=ts)
        record = dict(existing)
        entry = reducer(record, payload, ts)
        if entry is None:
            return state
        return with_logged_record(
            state, district_id, record, entry, ts, CHANGE_LOG_LIMIT, self.transients
        )

    def _register(self, state: State, district_id: str, definition: Any, ts: int) -> State:
        record = state["byId"].get(district_id)
        if record is None:
            source = (
                definition if isinstance(definition, Mapping) else self._catalog.get(district_id)
            )
            if source is None:
                return state
            record = record_from_definition(source, district_id=district_id, now=ts)
        entry = {"type": "registered", "districtId": district_id, "timestamp": ts}
        return with_logged_record(
            state, district_id, record, entry, ts, CHANGE_LOG_LIMIT, self.transients
        )

    def serialize(self, state: State) -> dict[str, Any]:
        """The ``districts`` section: the state itself (records are kept normalised; the store
        copies it).
        """
        return state

    def hydrate(self, data: Any) -> State:
        """The catalog's districts overlaid with the snapshot's records, log and timestamp."""
        section = as_mapping(data)
        state = self.initial_state()
        for district_id, record in as_mapping(section.get("byId")).items():
            state["byId"][district_id] = {
                **state["byId"].get(district_id, {}),
                **_normalise_record(as_mapping(record)),
            }
        change_log = section.get("changeLog")
        state["changeLog"] = copy_json(change_log) if isinstance(change_log, list) else []
        state["lastUpdatedAt"] = section.get("lastUpdatedAt")
        return state


def select_root(state: Mapping[str, Any], *args: Any) -> State:
    """The district slice's state."""
    return state["district"]  # type: ignore[no-any-return]


def _all_districts(district_state: State) -> list[Any]:
    return list(district_state["byId"].values())


select_all_districts = create_selector(select_root, combine=_all_districts)
"""Every district record, in insertion order."""
