"""Sanitisers for the ``districts`` and ``npcs`` blocks."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, Final

from worldstate._js import (
    ABSENT,
    coalesce,
    get,
    is_finite_number,
    iso_from_ms,
    non_negative_int,
    to_number,
)
from worldstate.errors import SnapshotError
from worldstate.inspector._faction_names import FactionNames

__all__ = ["sanitize_districts", "sanitize_npcs", "time_value", "iso_or_none"]

DISTRICT_METRIC_KEYS: Final = (
    "total",
    "restricted",
    "fastTravelDisabled",
    "infiltrationLocked",
    "infiltrationUnlocked",
    "lockdownEvents",
)
NPC_METRIC_KEYS: Final = ("total", "alerts", "suspicious", "knowsPlayer", "witnessedCrimes")
_NPC_ENTRY_KEYS: Final = (
    "id",
    "name",
    "factionId",
    "factionName",
    "status",
    "reason",
    "updatedAt",
    "updatedIso",
)


def time_value(value: object) -> float | None:
    """A timestamp as a number, or ``None`` when it was never set (never ``0``)."""
    if is_finite_number(value):
        return value
    if value is None or value is ABSENT:
        return None
    number = to_number(value)
    if not math.isfinite(number):
        return None
    return int(number) if number.is_integer() else number


def iso_or_none(value: float | None, path: str) -> str | None:
    """ISO text for a timestamp, ``None`` for ``None``.

    Raises:
        SnapshotError: the timestamp is outside the JavaScript date range (names ``path``).
    """
    if value is None:
        return None
    try:
        return iso_from_ms(value)
    except ValueError as error:
        raise SnapshotError(str(error), source="inspector summary", path=path) from error


def _timed(raw: object, key: str, path: str) -> tuple[float | None, str | None]:
    value = time_value(get(raw, key))
    return value, iso_or_none(value, f"{path}.{key}")


def _restriction(raw: object, path: str) -> dict[str, Any]:
    changed_at, changed_iso = _timed(raw, "lastChangedAt", path)
    return {
        "id": coalesce(get(raw, "id"), None),
        "type": coalesce(get(raw, "type"), "generic"),
        "description": coalesce(get(raw, "description"), ""),
        "lastChangedAt": changed_at,
        "lastChangedIso": changed_iso,
    }


def _district(raw: object, path: str) -> dict[str, Any]:
    restrictions = get(raw, "restrictions")
    restrictions = restrictions if isinstance(restrictions, list) else []
    stability = get(raw, "stability")
    stability_value = get(stability, "value")
    change_at, change_iso = _timed(raw, "lastRestrictionChangeAt", path)
    lockdown_at, lockdown_iso = _timed(raw, "lastLockdownAt", path)
    return {
        "id": coalesce(get(raw, "id"), None),
        "name": coalesce(get(raw, "name"), None),
        "tier": coalesce(get(raw, "tier"), None),
        "fastTravelEnabled": get(raw, "fastTravelEnabled") is not False,
        "controllingFaction": coalesce(get(raw, "controllingFaction"), None),
        "stabilityRating": coalesce(get(stability, "rating"), None),
        "stabilityValue": stability_value if is_finite_number(stability_value) else None,
        "activeRestrictionCount": non_negative_int(
            coalesce(get(raw, "activeRestrictionCount"), len(restrictions))
        ),
        "infiltrationLocked": non_negative_int(coalesce(get(raw, "infiltrationLocked"), 0)),
        "infiltrationUnlocked": non_negative_int(coalesce(get(raw, "infiltrationUnlocked"), 0)),
        "lockdownsTriggered": non_negative_int(coalesce(get(raw, "lockdownsTriggered"), 0)),
        "lastRestrictionChangeAt": change_at,
        "lastRestrictionChangeIso": change_iso,
        "lastLockdownAt": lockdown_at,
        "lastLockdownIso": lockdown_iso,
        "restrictions": [
            _restriction(item, f"{path}.restrictions[{index}]")
            for index, item in enumerate(restrictions)
        ],
    }


def sanitize_districts(raw: object) -> dict[str, Any]:
    """The exported ``districts`` block; never-set timestamps stay ``null``."""
    path = "$.districts"
    metrics = get(raw, "metrics")
    updated_at, updated_iso = _timed(raw, "lastUpdatedAt", path)
    lockdown_at, lockdown_iso = _timed(raw, "lastLockdownAt", path)
    entries = get(raw, "restrictedDistricts") if isinstance(raw, Mapping) else []
    return {
        "lastUpdatedAt": updated_at,
        "lastUpdatedIso": updated_iso,
        "lastLockdownAt": lockdown_at,
        "lastLockdownIso": lockdown_iso,
        "metrics": {
            key: non_negative_int(coalesce(get(metrics, key), 0)) for key in DISTRICT_METRIC_KEYS
        },
        "restrictedDistricts": [
            _district(item, f"{path}.restrictedDistricts[{index}]")
            for index, item in enumerate(entries if isinstance(entries, list) else [])
        ],
    }


def _npc(raw: object, path: str, names: FactionNames) -> dict[str, Any]:
    if not isinstance(raw, Mapping):
        return dict.fromkeys(_NPC_ENTRY_KEYS)
    faction_id = coalesce(get(raw, "factionId"), None)
    updated_at, updated_iso = _timed(raw, "updatedAt", path)
    return {
        "id": coalesce(get(raw, "id"), None),
        "name": coalesce(get(raw, "name"), None),
        "factionId": faction_id,
        "factionName": names.resolve(faction_id, get(raw, "factionName")),
        "status": coalesce(get(raw, "status"), None),
        "reason": coalesce(get(raw, "reason"), None),
        "updatedAt": updated_at,
        "updatedIso": updated_iso,
    }


def sanitize_npcs(raw: object, names: FactionNames) -> dict[str, Any]:
    """The exported ``npcs`` block; faction names resolved, never-set timestamps ``null``."""
    path = "$.npcs"
    metrics = get(raw, "metrics")
    updated_at, updated_iso = _timed(raw, "lastUpdatedAt", path)

    def entries(key: str) -> list[dict[str, Any]]:
        items = get(raw, key)
        items = items if isinstance(items, list) else []
        return [_npc(item, f"{path}.{key}[{i}]", names) for i, item in enumerate(items)]

    return {
        "lastUpdatedAt": updated_at,
        "lastUpdatedIso": updated_iso,
        "metrics": {key: non_negative_int(get(metrics, key)) for key in NPC_METRIC_KEYS},
        "alerts": entries("alerts"),
        "suspicious": entries("suspicious"),
    }
