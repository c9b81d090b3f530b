"""District records: building one from a definition and normalising a stored one.

Owns the district record shape: :func:`record_from_definition` turns a catalog entry or a
``district:registered`` definition into a fresh record (restrictions and infiltration routes
get ids and canonical fields, stability is clamped to :data:`STABILITY_MIN`..
:data:`STABILITY_MAX`), and ``_normalise_record`` puts every nested part of a record from a
snapshot into canonical shape and key order.  ``district.py`` re-exports
:func:`record_from_definition`; the reducers in ``_district_reducers.py`` reuse the clamp and
the restriction shape.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from worldstate._js import coalesce2, is_number, truthy

from ._payload import as_mapping, copy_json

__all__ = [
    "STABILITY_MAX",
    "STABILITY_MIN",
    "_clamp",
    "_normalise_record",
    "_restriction",
    "record_from_definition",
]

STABILITY_MIN, STABILITY_MAX = 0, 100

_Number = int | float


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
        "description": coalesce2(source.get("description"), ""),
        "active": truthy(source.get("active")),
        "lastChangedAt": source.get("lastChangedAt"),
        "metadata": copy_json(coalesce2(source.get("metadata"), {})),
    }


def _route(value: Any) -> dict[str, Any]:
    source = as_mapping(value)
    return {
        "id": source.get("id"),
        "type": source.get("type"),
        "description": coalesce2(source.get("description"), ""),
        "unlocked": truthy(source.get("unlocked")),
        "defaultUnlocked": truthy(source.get("defaultUnlocked")),
        "unlockedAt": source.get("unlockedAt"),
        "metadata": copy_json(coalesce2(source.get("metadata"), {})),
    }


def _points_of_interest(value: Any) -> list[dict[str, Any]]:
    return [
        {
            "id": poi.get("id"),
            "name": coalesce2(poi.get("name"), ""),
            "type": poi.get("type"),
            "description": coalesce2(poi.get("description"), ""),
        }
        for poi in map(as_mapping, value if isinstance(value, list) else [])
    ]


def _narrative_hooks(value: Any) -> list[dict[str, Any]]:
    return [
        {"id": hook.get("id"), "summary": coalesce2(hook.get("summary"), "")}
        for hook in map(as_mapping, value if isinstance(value, list) else [])
    ]


_NORMALISED_PARTS = frozenset(
    {
        "controllingFaction",
        "influence",
        "stability",
        "security",
        "access",
        "infiltrationRoutes",
        "environment",
        "pointsOfInterest",
        "narrativeHooks",
        "proceduralModifiers",
        "analytics",
    }
)
"""The parts :func:`_normalise_record` rebuilds (each from a copy of its own)."""


def _other_parts(record: Mapping[str, Any]) -> dict[str, Any]:
    """Copies of the record's other entries, in its key order; the rebuilt parts hold their
    place (``None``) without being copied twice."""
    return {
        key: None if key in _NORMALISED_PARTS else copy_json(value) for key, value in record.items()
    }


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
        **_other_parts(record),
        "controllingFaction": {
            key: control.get(key) for key in ("base", "current", "previous", "lastChangedAt")
        },
        "influence": copy_json(coalesce2(record.get("influence"), {})),
        "stability": {
            "base": coalesce2(stability.get("base"), 50),
            "current": coalesce2(stability.get("current"), 50),
            "rating": coalesce2(stability.get("rating"), "stable"),
            "lastChangedAt": stability.get("lastChangedAt"),
        },
        "security": {
            "level": coalesce2(security.get("level"), 1),
            "description": coalesce2(security.get("description"), ""),
            "surveillanceCoverage": security.get("surveillanceCoverage"),
        },
        "access": {
            "defaultUnlocked": truthy(access.get("defaultUnlocked")),
            "fastTravelEnabled": truthy(access.get("fastTravelEnabled")),
            "requirements": copy_json(coalesce2(access.get("requirements"), {})),
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
        "proceduralModifiers": copy_json(coalesce2(record.get("proceduralModifiers"), {})),
        "analytics": {
            "lockdownsTriggered": coalesce2(analytics.get("lockdownsTriggered"), 0),
            "lastLockdownAt": analytics.get("lastLockdownAt"),
            "stabilityHistory": _list(analytics.get("stabilityHistory")),
            "controlHistory": _list(analytics.get("controlHistory")),
        },
    }


def _definition_restriction(definition: Any, index: int, district_id: Any) -> dict[str, Any] | None:
    if not truthy(definition):
        return None
    source = as_mapping(definition)
    kind = coalesce2(source.get("type"), "generic")
    return {
        "id": coalesce2(source.get("id"), f"{district_id}_restriction_{kind}_{index}"),
        "type": kind,
        "description": coalesce2(source.get("description"), ""),
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
    kind = coalesce2(source.get("type"), "general")
    unlocked = truthy(source.get("defaultUnlocked"))
    return {
        "id": coalesce2(source.get("id"), f"{district_id}_route_{kind}_{index}"),
        "type": kind,
        "description": coalesce2(source.get("description"), ""),
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
    record_id = coalesce2(definition.get("id"), district_id)
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
            "tier": coalesce2(definition.get("tier"), "foundation"),
            "controllingFaction": {
                "base": definition.get("controllingFaction"),
                "current": definition.get("controllingFaction"),
                "previous": None,
                "lastChangedAt": None,
            },
            "influence": copy_json(coalesce2(definition.get("influence"), {})),
            "stability": {
                "base": base,
                "current": base,
                "rating": coalesce2(stability.get("rating"), "stable"),
                "lastChangedAt": None,
            },
            "security": {
                "level": _clamp(security.get("level"), 1, 5, default=1),
                "description": coalesce2(security.get("description"), ""),
                "surveillanceCoverage": security.get("surveillanceCoverage"),
            },
            "access": {
                "defaultUnlocked": truthy(access.get("defaultUnlocked")),
                "fastTravelEnabled": truthy(access.get("fastTravelEnabled")),
                "requirements": copy_json(coalesce2(access.get("requirements"), {})),
                "restrictions": restrictions,
                "unlockedRoutes": [route["id"] for route in routes if route["unlocked"]],
                "restrictionLog": [],
            },
            "infiltrationRoutes": routes,
            "environment": copy_json(coalesce2(definition.get("environment"), {})),
            "pointsOfInterest": definition.get("pointsOfInterest"),
            "narrativeHooks": definition.get("narrativeHooks"),
            "proceduralModifiers": copy_json(coalesce2(definition.get("proceduralModifiers"), {})),
            "analytics": {
                "lockdownsTriggered": 0,
                "lastLockdownAt": None,
                "stabilityHistory": [],
                "controlHistory": [],
            },
        }
    )
