"""The ``districts`` and ``npcs`` blocks of a raw summary, from slice data."""

from __future__ import annotations

import heapq
import math
from collections.abc import Mapping, Sequence
from typing import Any, Final, cast

from worldstate._js import coalesce, get, is_finite_number, truthy

__all__ = ["district_block", "empty_district_block", "empty_npc_block", "npc_block"]

MAX_RESTRICTED_DISTRICTS: Final = 8
MAX_NPC_ENTRIES: Final = 10


def empty_district_block() -> dict[str, Any]:
    """The districts block of a world with no districts."""
    return {
        "lastUpdatedAt": None,
        "lastLockdownAt": None,
        "restrictedDistricts": [],
        "metrics": {
            "total": 0,
            "restricted": 0,
            "fastTravelDisabled": 0,
            "infiltrationLocked": 0,
            "infiltrationUnlocked": 0,
            "lockdownEvents": 0,
        },
    }


def empty_npc_block() -> dict[str, Any]:
    """The npcs block of a world with no NPCs."""
    return {
        "lastUpdatedAt": None,
        "alerts": [],
        "suspicious": [],
        "metrics": {
            "total": 0,
            "alerts": 0,
            "suspicious": 0,
            "knowsPlayer": 0,
            "witnessedCrimes": 0,
        },
    }


def _list(value: object) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else []


def _max_finite(values: Sequence[object]) -> float | None:
    finite = [cast(float, v) for v in values if is_finite_number(v)]
    return max(finite) if finite else None


def _tally(record: Mapping[str, Any], access: object) -> dict[str, Any]:
    """What every district adds to the metrics (also part of a restricted entry)."""
    routes = _list(get(record, "infiltrationRoutes"))
    unlocked = sum(1 for r in routes if truthy(get(r, "unlocked")))
    analytics = coalesce(get(record, "analytics"), {})
    lockdowns = get(analytics, "lockdownsTriggered")
    last_lockdown = get(analytics, "lastLockdownAt")
    return {
        "fastTravelEnabled": truthy(get(access, "fastTravelEnabled")),
        "infiltrationLocked": len(routes) - unlocked,
        "infiltrationUnlocked": unlocked,
        "lockdownsTriggered": max(0, math.floor(lockdowns)) if is_finite_number(lockdowns) else 0,
        "lastLockdownAt": last_lockdown if is_finite_number(last_lockdown) else None,
    }


def _restricted_entry(
    record: Mapping[str, Any], access: object, active: list[Any], tally: dict[str, Any]
) -> dict[str, Any]:
    stability = get(record, "stability")
    current = get(stability, "current")
    change_at = _max_finite([get(r, "lastChangedAt") for r in active])
    if not truthy(change_at):
        log = _list(get(access, "restrictionLog"))
        last_logged = get(log[-1], "timestamp") if log else None
        change_at = last_logged if is_finite_number(last_logged) else change_at
    return {
        "id": coalesce(get(record, "id"), None),
        "name": coalesce(get(record, "name"), get(record, "id"), "Unknown district"),
        "tier": coalesce(get(record, "tier"), None),
        "controllingFaction": coalesce(get(get(record, "controllingFaction"), "current"), None),
        "stability": {
            "rating": coalesce(get(stability, "rating"), None),
            "value": current if is_finite_number(current) else None,
            "lastChangedAt": coalesce(get(stability, "lastChangedAt"), None),
        },
        "fastTravelEnabled": tally["fastTravelEnabled"],
        "activeRestrictionCount": len(active),
        "lastRestrictionChangeAt": change_at,
        "restrictions": [
            {
                "id": coalesce(get(r, "id"), None),
                "type": coalesce(get(r, "type"), "generic"),
                "description": coalesce(get(r, "description"), ""),
                "lastChangedAt": coalesce(get(r, "lastChangedAt"), None),
            }
            for r in active
        ],
        "infiltrationLocked": tally["infiltrationLocked"],
        "infiltrationUnlocked": tally["infiltrationUnlocked"],
        "lockdownsTriggered": tally["lockdownsTriggered"],
        "lastLockdownAt": tally["lastLockdownAt"],
    }


def district_block(root: object, districts: Sequence[object]) -> dict[str, Any]:
    """Restricted districts (most restrictions first, then most recent change) and metrics."""
    block = empty_district_block()
    block["lastUpdatedAt"] = coalesce(get(root, "lastUpdatedAt"), None)
    records = [r for r in districts if isinstance(r, Mapping)]
    metrics = block["metrics"]
    restricted = []
    lockdown_times = []
    for record in records:
        access = coalesce(get(record, "access"), {})
        active = [r for r in _list(get(access, "restrictions")) if truthy(get(r, "active"))]
        tally = _tally(record, access)
        metrics["fastTravelDisabled"] += 0 if tally["fastTravelEnabled"] else 1
        metrics["infiltrationLocked"] += tally["infiltrationLocked"]
        metrics["infiltrationUnlocked"] += tally["infiltrationUnlocked"]
        metrics["lockdownEvents"] += tally["lockdownsTriggered"]
        lockdown_times.append(tally["lastLockdownAt"])
        if active:  # only these are listed: the others' entries would be thrown away
            restricted.append(_restricted_entry(record, access, active, tally))
    restricted.sort(
        key=lambda e: (-e["activeRestrictionCount"], -(e["lastRestrictionChangeAt"] or 0))
    )
    metrics["total"] = len(records)
    metrics["restricted"] = len(restricted)
    block["lastLockdownAt"] = _max_finite(lockdown_times)
    block["restrictedDistricts"] = restricted[:MAX_RESTRICTED_DISTRICTS]
    return block


def _updated_at(npc: Mapping[str, Any], flag: Mapping[str, Any]) -> Any:
    """When the flag was last set, else when the NPC was last met (``None`` if neither)."""
    updated_at = get(flag, "updatedAt")
    return (
        updated_at
        if is_finite_number(updated_at)
        else coalesce(get(npc, "lastInteractionAt"), None)
    )


def _npc_entry(npc: Mapping[str, Any], flag: Mapping[str, Any], updated_at: Any) -> dict[str, Any]:
    return {
        "id": coalesce(get(npc, "id"), None),
        "name": coalesce(get(npc, "name"), get(npc, "id"), "Unknown NPC"),
        "factionId": coalesce(get(npc, "factionId"), None),
        "reason": coalesce(get(flag, "reason"), None),
        "updatedAt": updated_at,
        "status": coalesce(get(npc, "status"), "unknown"),
    }


def _newest_first(
    flagged: list[tuple[Mapping[str, Any], Mapping[str, Any]]],
) -> list[dict[str, Any]]:
    """The entries of the :data:`MAX_NPC_ENTRIES` newest flags (ties keep their order).

    Only those are built: ``heapq.nsmallest`` equals ``sorted(...)[:n]``, at a fraction of the
    cost when thousands of NPCs are flagged.
    """

    def key(item: tuple[Any, Mapping[str, Any], Mapping[str, Any]]) -> float:
        value = item[0]
        return -value if is_finite_number(value) else 0.0

    dated = [(_updated_at(npc, flag), npc, flag) for npc, flag in flagged]
    newest = heapq.nsmallest(MAX_NPC_ENTRIES, dated, key=key)
    return [_npc_entry(npc, flag, updated_at) for updated_at, npc, flag in newest]


def npc_block(root: object, summaries: Sequence[object]) -> dict[str, Any]:
    """NPCs on alert and under suspicion (newest first, 10 each) and metrics over all NPCs."""
    block = empty_npc_block()
    block["lastUpdatedAt"] = coalesce(get(root, "lastUpdatedAt"), None)
    records = [r for r in summaries if type(r) is dict or isinstance(r, Mapping)]
    alerts: list[tuple[Mapping[str, Any], Mapping[str, Any]]] = []
    suspicious: list[tuple[Mapping[str, Any], Mapping[str, Any]]] = []
    witnessed_total: float = 0
    knows_player = 0
    for npc in records:
        witnessed_total += _witnessed(npc)
        alert, suspicion = get(npc, "alert"), get(npc, "suspicion")
        if _active(alert):
            alerts.append((npc, alert))
        if _active(suspicion):
            suspicious.append((npc, suspicion))
        knows = npc.get("knowsPlayer")
        knows_player += knows is True or (knows is not False and truthy(knows))
    block["alerts"] = _newest_first(alerts)
    block["suspicious"] = _newest_first(suspicious)
    block["metrics"] = {
        "total": len(records),
        "alerts": len(alerts),
        "suspicious": len(suspicious),
        "knowsPlayer": knows_player,
        "witnessedCrimes": witnessed_total,
    }
    return block


def _witnessed(npc: Mapping[str, Any]) -> float:
    """The NPC's crimes witnessed (its own count, else its interactions'), 0 if not a count."""
    witnessed = npc.get("witnessedCrimes")
    if type(witnessed) is not int:  # the summaries' own case, exact and finite
        witnessed = coalesce(
            get(npc, "witnessedCrimes"), get(get(npc, "interactions"), "witnessedCrimes")
        )
        if not is_finite_number(witnessed):
            return 0
    return max(0, witnessed)


def _active(flag: object) -> bool:
    active = flag.get("active") if type(flag) is dict else get(flag, "active")
    return active is True or (active is not False and truthy(active))
