"""The ``engine.spatialHash`` block and its payload budget."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, Final

from worldstate._js import dumps_compact, get, to_number, truthy

__all__ = ["SPATIAL_HISTORY_BUDGET_BYTES", "sanitize_spatial"]

SPATIAL_HISTORY_BUDGET_BYTES: Final = 12288
"""Budget for the spatial history in an inspector export (12 KiB)."""

_SAMPLE_KEYS: Final = ("cellCount", "maxBucketSize", "trackedEntities", "timestamp")
_AGGREGATE_KEYS: Final = ("cellCount", "maxBucketSize", "trackedEntities")


def _finite_or(value: object, default: float | None) -> float | None:
    number = to_number(value)
    return _tidy(number) if math.isfinite(number) else default


def _tidy(number: float) -> float:
    # Keep integral values as ints so that JSON round trips and comparisons stay exact.
    return int(number) if float(number).is_integer() else number


def _sample(raw: object) -> dict[str, Any] | None:
    if not isinstance(raw, Mapping):
        return None
    return {key: _finite_or(get(raw, key), None) for key in _SAMPLE_KEYS}


def _aggregate(raw: object) -> dict[str, Any] | None:
    if not isinstance(raw, Mapping):
        return None
    return {key: _finite_or(get(raw, key), None) for key in ("average", "min", "max")}


def _stats(raw: object) -> dict[str, Any] | None:
    if not isinstance(raw, Mapping):
        return None
    return {key: _finite_or(get(raw, key), 0) for key in ("insertions", "updates", "removals")}


def _budget(payload_bytes: float | None, budget: int) -> tuple[str, float]:
    if payload_bytes is None or not math.isfinite(payload_bytes):
        return "unknown", 0
    if payload_bytes <= budget:
        return "within_budget", 0
    return "exceeds_budget", _tidy(payload_bytes - budget)


def sanitize_spatial(
    raw: object, budget_bytes: int = SPATIAL_HISTORY_BUDGET_BYTES
) -> dict[str, Any] | None:
    """Normalise a spatial-hash metrics snapshot; ``None`` unless it is a mapping.

    The block of a provider that raised (``source: "error"``) keeps just its source and
    ``errorMessage``: there is nothing to measure, so the budget status is ``unknown``.

    ``payloadBytes`` falls back to the length of the compact JSON of the sanitised history
    when the snapshot gives none (or 0), as the reference does.
    """
    if not isinstance(raw, Mapping):
        return None
    if get(raw, "source") == "error":
        return {"source": "error", "errorMessage": str(get(raw, "errorMessage"))}
    history_raw = get(raw, "history")
    history = [
        sample
        for sample in (map(_sample, history_raw) if isinstance(history_raw, list) else ())
        if sample is not None
    ]
    payload_bytes = _finite_or(get(raw, "payloadBytes"), None)
    if not truthy(payload_bytes):
        payload_bytes = len(dumps_compact(history))
    window = to_number(get(raw, "window"))
    sample_count = to_number(get(raw, "sampleCount"))
    aggregates = get(raw, "aggregates")
    status, exceeded_by = _budget(payload_bytes, budget_bytes)
    return {
        "cellSize": _finite_or(get(raw, "cellSize"), None),
        "window": max(1, math.floor(window)) if math.isfinite(window) else None,
        "sampleCount": max(0, math.floor(sample_count))
        if math.isfinite(sample_count)
        else len(history),
        "lastSample": _sample(get(raw, "lastSample")) or (history[-1] if history else None),
        "aggregates": {key: _aggregate(get(aggregates, key)) for key in _AGGREGATE_KEYS},
        "stats": _stats(get(raw, "stats")),
        "history": history,
        "payloadBytes": payload_bytes,
        "payloadBudgetBytes": budget_bytes,
        "payloadBudgetStatus": status,
        "payloadBudgetExceededBy": exceeded_by,
    }
