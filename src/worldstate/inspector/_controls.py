"""The ``controlBindings`` block: the empty form and its sanitiser.

worldstate has one normaliser for control-binding observations, :func:`sanitize_control_bindings`
(the exporter's).  The summary builder only decides the ``source`` and otherwise passes the
provider's data through; lists are never truncated, so a ``*Count`` always matches its list.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from worldstate._js import (
    ABSENT,
    coalesce,
    get,
    is_finite_number,
    js_round,
    js_string,
    non_negative_int,
    to_fixed,
)

__all__ = [
    "CONTROL_METRIC_KEYS",
    "duration_label",
    "empty_control_bindings",
    "sanitize_control_bindings",
]

CONTROL_METRIC_KEYS: Final = (
    "selectionMoves",
    "selectionBlocked",
    "listModeChanges",
    "listModeUnchanged",
    "pageNavigations",
    "pageNavigationBlocked",
    "pageSetChanges",
    "pageSetBlocked",
    "captureStarted",
    "captureCancelled",
    "bindingsApplied",
    "bindingsReset",
    "manualOverrideEvents",
)


def duration_label(ms: object) -> str:
    """Human label for a duration: ``0s``, ``999ms``, ``1.3s``, ``11s``, ``2m 5s``.

    Reproduces the reference's rounding, including its ``1m 60s`` for 119500 ms.
    """
    value = non_negative_int(ms)
    if value <= 0:
        return "0s"
    if value < 1000:
        return f"{value}ms"
    if value < 60000:
        seconds = value / 1000
        return f"{int(js_round(seconds))}s" if seconds >= 10 else f"{to_fixed(seconds, 1)}s"
    minutes = value // 60000
    rest = int(js_round((value % 60000) / 1000))
    return f"{minutes}m" if rest == 0 else f"{minutes}m {rest}s"


def _base_block(source: str) -> dict[str, Any]:
    return {
        "source": source,
        "totalEvents": 0,
        "durationMs": 0,
        "durationLabel": "0s",
        "firstEventAt": None,
        "lastEventAt": None,
        "actionsVisitedCount": 0,
        "actionsVisited": [],
        "actionsRemappedCount": 0,
        "actionsRemapped": [],
        "listModesVisited": [],
        "pageRange": None,
        "lastSelectedAction": None,
        "metrics": dict.fromkeys(CONTROL_METRIC_KEYS, 0),
        "captureCancelReasons": {},
    }


def empty_control_bindings(source: str) -> dict[str, Any]:
    """The summary's control-bindings block when there is nothing to report.

    ``source`` says why: ``unavailable`` (no provider), ``empty`` (provider gave nothing) or
    ``error`` (provider raised).  Unlike the exporter's fallback it has ``dwell`` and ``ratios``.
    """
    block = _base_block(source)
    block["dwell"] = _dwell({})
    block["ratios"] = {"selectionBlocked": _ratio({}), "pageNavigationBlocked": _ratio({})}
    return block


def _non_empty_text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _strings(values: object) -> list[str]:
    if not isinstance(values, list | tuple):
        return []
    texts = (item if isinstance(item, str) else js_string(item) for item in values)
    return [text for text in texts if text]


def _page_range(raw: object) -> dict[str, int] | None:
    if not isinstance(raw, Mapping):
        return None
    low = non_negative_int(get(raw, "min"))
    high = non_negative_int(get(raw, "max"))
    return {"min": low, "max": max(low, high)} if low or high else None


def _cancel_reasons(raw: Mapping[str, Any], metrics: object) -> dict[str, int]:
    nested = get(metrics, "captureCancelReasons")
    source = (
        nested if isinstance(nested, Mapping) else coalesce(get(raw, "captureCancelReasons"), {})
    )
    if not isinstance(source, Mapping):
        return {}
    return {k: non_negative_int(v) for k, v in source.items() if isinstance(k, str) and k}


def _dwell(raw: object) -> dict[str, Any]:
    count = non_negative_int(get(raw, "count"))
    total = non_negative_int(get(raw, "totalMs"))
    average_raw = get(raw, "averageMs")
    if average_raw is None or average_raw is ABSENT:
        average_raw = js_round(total / count) if count > 0 else 0
    average = non_negative_int(average_raw)
    longest = non_negative_int(get(raw, "maxMs"))
    shortest = non_negative_int(get(raw, "minMs"))
    last = non_negative_int(coalesce(get(raw, "lastMs"), get(raw, "lastDurationMs")))

    def label(key: str, ms: int) -> str:
        return _non_empty_text(get(raw, key)) or duration_label(ms)

    return {
        "count": count,
        "totalMs": total,
        "averageMs": average,
        "averageLabel": label("averageLabel", average),
        "maxMs": longest,
        "maxLabel": label("maxLabel", longest),
        "minMs": shortest,
        "minLabel": label("minLabel", shortest),
        "lastMs": last,
        "lastLabel": label("lastLabel", last),
        "lastAction": _non_empty_text(get(raw, "lastAction")),
        "longestAction": _non_empty_text(get(raw, "longestAction")),
    }


def _ratio(raw: object) -> dict[str, Any]:
    numerator = non_negative_int(get(raw, "numerator"))
    denominator = non_negative_int(get(raw, "denominator"))
    given = get(raw, "value")
    if is_finite_number(given):
        value = float(given)
    else:
        value = numerator / denominator if denominator > 0 else 0.0
    value = max(0.0, min(1.0, value))
    percentage = _non_empty_text(get(raw, "percentage")) or f"{int(js_round(value * 100))}%"
    rounded = js_round(value * 1000) / 1000
    return {
        "numerator": numerator,
        "denominator": denominator,
        "value": int(rounded) if rounded.is_integer() else rounded,
        "percentage": percentage,
    }


def sanitize_control_bindings(raw: object) -> dict[str, Any]:
    """Normalise a control-bindings observation summary.

    A non-mapping gives the short ``unavailable`` form (no ``dwell``/``ratios``), as the
    reference's exporter does.
    """
    if not isinstance(raw, Mapping):
        return _base_block("unavailable")
    metrics = coalesce(get(raw, "metrics"), {})
    duration = non_negative_int(get(raw, "durationMs"))
    first, last = get(raw, "firstEventAt"), get(raw, "lastEventAt")
    ratios = coalesce(get(raw, "ratios"), {})
    return {
        "source": coalesce(get(raw, "source"), "observation-log"),
        "totalEvents": non_negative_int(get(raw, "totalEvents")),
        "durationMs": duration,
        "durationLabel": _non_empty_text(get(raw, "durationLabel")) or f"{duration}ms",
        "firstEventAt": first if is_finite_number(first) else None,
        "lastEventAt": last if is_finite_number(last) else None,
        "actionsVisitedCount": non_negative_int(get(raw, "actionsVisitedCount")),
        "actionsVisited": _strings(get(raw, "actionsVisited")),
        "actionsRemappedCount": non_negative_int(get(raw, "actionsRemappedCount")),
        "actionsRemapped": _strings(get(raw, "actionsRemapped")),
        "listModesVisited": _strings(
            coalesce(get(raw, "listModesVisited"), get(raw, "listModesSeen"), [])
        ),
        "pageRange": _page_range(get(raw, "pageRange")),
        "lastSelectedAction": _non_empty_text(get(raw, "lastSelectedAction")),
        "metrics": {key: non_negative_int(get(metrics, key)) for key in CONTROL_METRIC_KEYS},
        "captureCancelReasons": _cancel_reasons(raw, metrics),
        "dwell": _dwell(coalesce(get(raw, "dwell"), {})),
        "ratios": {
            "selectionBlocked": _ratio(coalesce(get(ratios, "selectionBlocked"), {})),
            "pageNavigationBlocked": _ratio(coalesce(get(ratios, "pageNavigationBlocked"), {})),
        },
        **_error_message(raw),
    }


def _error_message(raw: Mapping[str, Any]) -> dict[str, str]:
    """``errorMessage`` of a provider that raised (``source: "error"``), else nothing."""
    message = get(raw, "errorMessage")
    return {"errorMessage": str(message)} if get(raw, "source") == "error" and message else {}
