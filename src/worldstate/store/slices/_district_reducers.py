"""Reducers for the district record actions: control, stability, restrictions, routes.

Owns what each ``DISTRICT_*`` action (other than registration) does to one district record,
and the per-record history limits they keep (:data:`CONTROL_HISTORY_LIMIT`,
:data:`STABILITY_HISTORY_LIMIT`, :data:`RESTRICTION_LOG_LIMIT`).  ``district.py`` routes
action types here through its reducers table and appends the returned entry to the
change log.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from worldstate._js import coalesce2, is_number, truthy

from ._district_records import _clamp, _restriction
from ._payload import append_bounded, as_mapping, copy_json

__all__ = [
    "CONTROL_HISTORY_LIMIT",
    "RESTRICTION_LOG_LIMIT",
    "STABILITY_HISTORY_LIMIT",
    "_control_changed",
    "_fast_travel_set",
    "_restriction_set",
    "_route_unlocked",
    "_stability_adjusted",
    "_stability_set",
]

CONTROL_HISTORY_LIMIT = 10
STABILITY_HISTORY_LIMIT = 25
RESTRICTION_LOG_LIMIT = 20


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
    rating = coalesce2(p.get("rating"), record["stability"].get("rating"))
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
    current = coalesce2(stability.get("current"), stability.get("base"))
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
                    "type": coalesce2(described.get("type"), "generic"),
                    "description": coalesce2(described.get("description"), ""),
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
        lockdowns = coalesce2(record["analytics"].get("lockdownsTriggered"), 0) + 1
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
