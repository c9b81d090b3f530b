"""The district slice: who controls each district, how stable it is, what is locked down.

No game content is built in (DEVIATIONS B12): the slice starts with the districts of the
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

from worldstate.errors import ConfigurationError
from worldstate.store.selectors import create_selector
from worldstate.store.slice import Action, ActionBuilder, State

from ._payload import (
    append_bounded,
    as_mapping,
    coalesce,
    copy_json,
    is_finite_number,
    is_number,
    truthy,
    with_logged_record,
)

__all__ = [
    "CHANGE_LOG_LIMIT",
    "CONTROL_HISTORY_LIMIT",
    "DistrictSlice",
    "DistrictSnapshot",
    "RESTRICTION_LOG_LIMIT",
    "STABILITY_HISTORY_LIMIT",
    "record_from_definition",
    "select_all_districts",
    "select_root",
]

CONTROL_HISTORY_LIMIT = 10
STABILITY_HISTORY_LIMIT = 25
RESTRICTION_LOG_LIMIT = 20
CHANGE_LOG_LIMIT = 50
STABILITY_MIN, STABILITY_MAX = 0, 100

DOMAIN = "district"

_Number = int | float


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
    district_id = coalesce(p.get("districtId"), p.get("id"))
    if not truthy(district_id):
        return None
    return {"districtId": district_id, "definition": p.get("definition")}


def _control_fields(p: Mapping[str, Any]) -> dict[str, Any] | None:
    faction = coalesce(p.get("controllingFaction"), p.get("factionId"))
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
    restriction_id = coalesce(p.get("restrictionId"), p.get("id"))
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
    route_id = coalesce(p.get("routeId"), p.get("id"))
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


# --- records -----------------------------------------------------------------------------------


def _clamp(
    value: Any, low: _Number = STABILITY_MIN, high: _Number = STABILITY_MAX, *, default: _Number
) -> Any:
    number = value if is_number(value) else default
    return max(low, min(high, number))


def _list(value: Any) -> list[Any]:
    return copy_json(value) if isinstance(value, list) else []


def _restriction(value: Any) -> dict[str, Any]:
    source = as_mapping(value)
    return {
        "id": source.get("id"),
        "type": source.get("type"),
        "description": coalesce(source.get("description"), ""),
        "active": truthy(source.get("active")),
        "lastChangedAt": source.get("lastChangedAt"),
        "metadata": copy_json(coalesce(source.get("metadata"), {})),
    }


def _route(value: Any) -> dict[str, Any]:
    source = as_mapping(value)
    return {
        "id": source.get("id"),
        "type": source.get("type"),
        "description": coalesce(source.get("description"), ""),
        "unlocked": truthy(source.get("unlocked")),
        "defaultUnlocked": truthy(source.get("defaultUnlocked")),
        "unlockedAt": source.get("unlockedAt"),
        "metadata": copy_json(coalesce(source.get("metadata"), {})),
    }


def _points_of_interest(value: Any) -> list[dict[str, Any]]:
    return [
        {
            "id": poi.get("id"),
            "name": coalesce(poi.get("name"), ""),
            "type": poi.get("type"),
            "description": coalesce(poi.get("description"), ""),
        }
        for poi in map(as_mapping, value if isinstance(value, list) else [])
    ]


def _narrative_hooks(value: Any) -> list[dict[str, Any]]:
    return [
        {"id": hook.get("id"), "summary": coalesce(hook.get("summary"), "")}
        for hook in map(as_mapping, value if isinstance(value, list) else [])
    ]


def _normalise_record(record: Mapping[str, Any]) -> dict[str, Any]:
    """A deep copy of a record with every nested part in canonical shape and key order."""
    control = as_mapping(record.get("controllingFaction"))
    stability = as_mapping(record.get("stability"))
    security = as_mapping(record.get("security"))
    access = as_mapping(record.get("access"))
    environment = as_mapping(record.get("environment"))
    analytics = as_mapping(record.get("analytics"))
    routes = record.get("infiltrationRoutes")
    restrictions = access.get("restrictions")
    return {
        **copy_json(record),
        "controllingFaction": {
            key: control.get(key) for key in ("base", "current", "previous", "lastChangedAt")
        },
        "influence": copy_json(coalesce(record.get("influence"), {})),
        "stability": {
            "base": coalesce(stability.get("base"), 50),
            "current": coalesce(stability.get("current"), 50),
            "rating": coalesce(stability.get("rating"), "stable"),
            "lastChangedAt": stability.get("lastChangedAt"),
        },
        "security": {
            "level": coalesce(security.get("level"), 1),
            "description": coalesce(security.get("description"), ""),
            "surveillanceCoverage": security.get("surveillanceCoverage"),
        },
        "access": {
            "defaultUnlocked": truthy(access.get("defaultUnlocked")),
            "fastTravelEnabled": truthy(access.get("fastTravelEnabled")),
            "requirements": copy_json(coalesce(access.get("requirements"), {})),
            "restrictions": [
                _restriction(item)
                for item in (restrictions if isinstance(restrictions, list) else [])
            ],
            "unlockedRoutes": _list(access.get("unlockedRoutes")),
            "restrictionLog": _list(access.get("restrictionLog")),
        },
        "infiltrationRoutes": [
            _route(item) for item in (routes if isinstance(routes, list) else [])
        ],
        "environment": {
            key: _list(environment.get(key)) for key in ("weather", "hazards", "traversal")
        },
        "pointsOfInterest": _points_of_interest(record.get("pointsOfInterest")),
        "narrativeHooks": _narrative_hooks(record.get("narrativeHooks")),
        "proceduralModifiers": copy_json(coalesce(record.get("proceduralModifiers"), {})),
        "analytics": {
            "lockdownsTriggered": coalesce(analytics.get("lockdownsTriggered"), 0),
            "lastLockdownAt": analytics.get("lastLockdownAt"),
            "stabilityHistory": _list(analytics.get("stabilityHistory")),
            "controlHistory": _list(analytics.get("controlHistory")),
        },
    }


def _definition_restriction(definition: Any, index: int, district_id: Any) -> dict[str, Any] | None:
    if not truthy(definition):
        return None
    source = as_mapping(definition)
    kind = coalesce(source.get("type"), "generic")
    return {
        "id": coalesce(source.get("id"), f"{district_id}_restriction_{kind}_{index}"),
        "type": kind,
        "description": coalesce(source.get("description"), ""),
        "active": truthy(source.get("active")),
        "lastChangedAt": None,
        "metadata": copy_json(definition),
    }


def _definition_route(
    definition: Any, index: int, district_id: Any, now: int | None
) -> dict[str, Any] | None:
    if not truthy(definition):
        return None
    source = as_mapping(definition)
    kind = coalesce(source.get("type"), "general")
    unlocked = truthy(source.get("defaultUnlocked"))
    return {
        "id": coalesce(source.get("id"), f"{district_id}_route_{kind}_{index}"),
        "type": kind,
        "description": coalesce(source.get("description"), ""),
        "unlocked": unlocked,
        "defaultUnlocked": unlocked,
        "unlockedAt": now if unlocked else None,
        "metadata": copy_json(definition),
    }


def record_from_definition(
    definition: Mapping[str, Any], *, district_id: str | None = None, now: int | None = None
) -> dict[str, Any]:
    """A fresh district record from a definition (catalog entry or ``district:registered``).

    Args:
        definition: ``{id, name, shortName, tier, controllingFaction, influence, stability{base,
            rating}, security{level, description, surveillanceCoverage}, access{defaultUnlocked,
            fastTravelEnabled, requirements, restrictions[], infiltrationRoutes[]}, environment,
            pointsOfInterest, narrativeHooks, proceduralModifiers}``, all optional.
        district_id: the id to use when the definition has none.
        now: when routes unlocked by default count as unlocked (``None`` for catalog districts).
    """
    record_id = coalesce(definition.get("id"), district_id)
    access = as_mapping(definition.get("access"))
    raw_restrictions = access.get("restrictions")
    restrictions = [
        item
        for index, raw in enumerate(raw_restrictions if isinstance(raw_restrictions, list) else [])
        if (item := _definition_restriction(raw, index, record_id)) is not None
    ]
    raw_routes = access.get("infiltrationRoutes")
    routes = [
        item
        for index, raw in enumerate(raw_routes if isinstance(raw_routes, list) else [])
        if (item := _definition_route(raw, index, record_id, now)) is not None
    ]
    stability = as_mapping(definition.get("stability"))
    security = as_mapping(definition.get("security"))
    base = _clamp(stability.get("base"), default=50)
    return _normalise_record(
        {
            "id": record_id,
            "name": definition.get("name"),
            "shortName": definition.get("shortName"),
            "tier": coalesce(definition.get("tier"), "foundation"),
            "controllingFaction": {
                "base": definition.get("controllingFaction"),
                "current": definition.get("controllingFaction"),
                "previous": None,
                "lastChangedAt": None,
            },
            "influence": copy_json(coalesce(definition.get("influence"), {})),
            "stability": {
                "base": base,
                "current": base,
                "rating": coalesce(stability.get("rating"), "stable"),
                "lastChangedAt": None,
            },
            "security": {
                "level": _clamp(security.get("level"), 1, 5, default=1),
                "description": coalesce(security.get("description"), ""),
                "surveillanceCoverage": security.get("surveillanceCoverage"),
            },
            "access": {
                "defaultUnlocked": truthy(access.get("defaultUnlocked")),
                "fastTravelEnabled": truthy(access.get("fastTravelEnabled")),
                "requirements": copy_json(coalesce(access.get("requirements"), {})),
                "restrictions": restrictions,
                "unlockedRoutes": [route["id"] for route in routes if route["unlocked"]],
                "restrictionLog": [],
            },
            "infiltrationRoutes": routes,
            "environment": copy_json(coalesce(definition.get("environment"), {})),
            "pointsOfInterest": definition.get("pointsOfInterest"),
            "narrativeHooks": definition.get("narrativeHooks"),
            "proceduralModifiers": copy_json(coalesce(definition.get("proceduralModifiers"), {})),
            "analytics": {
                "lockdownsTriggered": 0,
                "lastLockdownAt": None,
                "stabilityHistory": [],
                "controlHistory": [],
            },
        }
    )


# --- reducers (each gets a shallow copy of the record; returns its change-log entry or None) ----


def _log_entry(kind: str, p: Mapping[str, Any], ts: int, **fields: Any) -> dict[str, Any]:
    """A change-log entry: ``{type, districtId, <fields>..., timestamp}``."""
    return {"type": kind, "districtId": p["districtId"], **fields, "timestamp": ts}


def _with(record: dict[str, Any], key: str, **changes: Any) -> None:
    record[key] = {**record[key], **changes}


def _control_changed(
    record: dict[str, Any], p: Mapping[str, Any], ts: int
) -> dict[str, Any] | None:
    control = record["controllingFaction"]
    faction = p["controllingFaction"]
    if control.get("current") == faction:
        return None
    previous = control.get("current")
    _with(record, "controllingFaction", previous=previous, current=faction, lastChangedAt=ts)
    entry = {"timestamp": ts, "previous": previous, "current": faction, "source": p.get("source")}
    history = append_bounded(
        record["analytics"].get("controlHistory"), entry, CONTROL_HISTORY_LIMIT
    )
    _with(record, "analytics", controlHistory=history)
    return _log_entry("control_changed", p, ts, controllingFaction=faction, source=p.get("source"))


def _stability(
    record: dict[str, Any], value: Any, entry: dict[str, Any], ts: int, **extra: Any
) -> None:
    _with(record, "stability", current=value, lastChangedAt=ts, **extra)
    history = append_bounded(
        record["analytics"].get("stabilityHistory"), entry, STABILITY_HISTORY_LIMIT
    )
    _with(record, "analytics", stabilityHistory=history)


def _stability_set(record: dict[str, Any], p: Mapping[str, Any], ts: int) -> dict[str, Any] | None:
    if not is_number(p.get("stabilityValue")):
        return None
    value = _clamp(p["stabilityValue"], default=50)
    rating = coalesce(p.get("rating"), record["stability"].get("rating"))
    source = p.get("source")
    _stability(
        record, value, {"timestamp": ts, "value": value, "source": source}, ts, rating=rating
    )
    return _log_entry("stability_set", p, ts, value=value, rating=rating, source=source)


def _stability_adjusted(
    record: dict[str, Any], p: Mapping[str, Any], ts: int
) -> dict[str, Any] | None:
    delta = p.get("delta")
    if not is_number(delta):
        return None
    stability = record["stability"]
    current = coalesce(stability.get("current"), stability.get("base"))
    value = _clamp((current if is_number(current) else 0) + delta, default=50)
    source = p.get("source")
    entry = {"timestamp": ts, "value": value, "delta": delta, "source": source}
    _stability(record, value, entry, ts)
    return _log_entry("stability_adjusted", p, ts, delta=delta, value=value, source=source)


def _restriction_set(
    record: dict[str, Any], p: Mapping[str, Any], ts: int
) -> dict[str, Any] | None:
    restriction_id, active = p.get("restrictionId"), p.get("active")
    if not truthy(restriction_id) or not isinstance(active, bool):
        return None
    metadata = p.get("metadata")
    access = dict(record["access"])
    restrictions = [dict(item) for item in access.get("restrictions") or []]
    target = next((item for item in restrictions if item.get("id") == restriction_id), None)
    if target is None:
        described = as_mapping(metadata)
        restrictions.append(
            _restriction(
                {
                    "id": restriction_id,
                    "type": coalesce(described.get("type"), "generic"),
                    "description": coalesce(described.get("description"), ""),
                    "active": active,
                    "metadata": metadata,
                }
            )
        )
    else:
        target["active"] = active
        target["lastChangedAt"] = ts
        if truthy(metadata):
            target["metadata"] = copy_json(metadata)
    access["restrictions"] = restrictions
    access["unlockedRoutes"] = [
        r for r in access.get("unlockedRoutes") or [] if r != restriction_id
    ]
    log_entry = {"restrictionId": restriction_id, "active": active, "timestamp": ts}
    access["restrictionLog"] = append_bounded(
        access.get("restrictionLog"), log_entry, RESTRICTION_LOG_LIMIT
    )
    record["access"] = access
    if active:
        lockdowns = coalesce(record["analytics"].get("lockdownsTriggered"), 0) + 1
        _with(record, "analytics", lockdownsTriggered=lockdowns, lastLockdownAt=ts)
    return _log_entry("restriction_set", p, ts, restrictionId=restriction_id, active=active)


def _route_unlocked(record: dict[str, Any], p: Mapping[str, Any], ts: int) -> dict[str, Any] | None:
    route_id = p.get("routeId")
    routes = record["infiltrationRoutes"]
    index = next((i for i, route in enumerate(routes) if route.get("id") == route_id), None)
    if not truthy(route_id) or index is None or truthy(routes[index].get("unlocked")):
        return None
    record["infiltrationRoutes"] = [
        {**route, "unlocked": True, "unlockedAt": ts} if i == index else route
        for i, route in enumerate(routes)
    ]
    unlocked = list(dict.fromkeys([*(record["access"].get("unlockedRoutes") or []), route_id]))
    _with(record, "access", unlockedRoutes=unlocked)
    return _log_entry("route_unlocked", p, ts, routeId=route_id, source=p.get("source"))


def _fast_travel_set(
    record: dict[str, Any], p: Mapping[str, Any], ts: int
) -> dict[str, Any] | None:
    enabled = p.get("enabled")
    if not isinstance(enabled, bool) or record["access"].get("fastTravelEnabled") == enabled:
        return None
    _with(record, "access", fastTravelEnabled=enabled)
    return _log_entry("fast_travel_set", p, ts, enabled=enabled)


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


class DistrictSlice:
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
        if action.domain != DOMAIN:
            return state
        payload = action.payload
        district_id = payload.get("districtId")
        ts = action.timestamp if action.timestamp is not None else 0
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
        return with_logged_record(state, district_id, record, entry, ts, CHANGE_LOG_LIMIT)

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
        return with_logged_record(state, district_id, record, entry, ts, CHANGE_LOG_LIMIT)

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
