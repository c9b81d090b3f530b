"""Payload-budget report of an export (REFERENCE §8.5; the webhook lives elsewhere)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any, Final

from worldstate.artifacts import Artifact
from worldstate.inspector.jsformat import (
    coalesce,
    dumps_compact,
    dumps_pretty,
    get,
    is_finite_number,
    iso_from_ms,
    js_string,
    to_number,
    truthy,
)
from worldstate.inspector.markdown import md_table
from worldstate.inspector.sanitize import InspectorPayload
from worldstate.names import check_safe_name

__all__ = [
    "ACTION_REQUIRED_NOTE",
    "build_budget_report",
    "normalize_budget_events",
    "render_budget_markdown",
    "budget_artifacts",
]

HEADING: Final = "## Telemetry Payload Budget"
ACTION_REQUIRED_NOTE: Final = (
    "> \u26a0\ufe0f **Action required:** Inspector exports exceeded the payload budget. "
    "Investigate spatial history retention and adjust `SPATIAL_HISTORY_BUDGET_BYTES` if necessary."
)
_BADGES: Final = {
    "exceeds_budget": "`exceeds_budget` \u26a0\ufe0f",
    "within_budget": "`within_budget` \u2705",
}
_UNKNOWN_BADGE: Final = "`unknown` \u2754"
_DASH: Final = "\u2014"
_EVENT_COLUMNS: Final = ("Status", "Payload bytes", "Exceeded", "Recorded", "Context")


def _finite(value: object) -> float | None:
    number = to_number(value)
    if not math.isfinite(number):
        return None
    return int(number) if number.is_integer() else number


def normalize_budget_events(events: Iterable[object]) -> list[dict[str, Any]]:
    """Recorded ``telemetry:export_budget_status`` payloads in the report's shape.

    Non-mapping entries are dropped; numbers are coerced (an explicit null becomes 0, as in the
    reference); ``recordedAt`` is kept only when it is a positive finite number.
    """
    normalized = []
    for event in events:
        if not isinstance(event, Mapping):
            continue
        status, kind, recorded = get(event, "status"), get(event, "type"), get(event, "recordedAt")
        normalized.append(
            {
                "status": status if isinstance(status, str) else "unknown",
                "type": kind if isinstance(kind, str) else None,
                "payloadBytes": _finite(get(event, "payloadBytes")),
                "budgetBytes": _finite(get(event, "budgetBytes")),
                "exceededBy": _finite(get(event, "exceededBy")),
                "context": coalesce(get(event, "context"), None),
                "recordedAt": recorded if is_finite_number(recorded) and recorded > 0 else None,
            }
        )
    return normalized


def build_budget_report(
    payload: InspectorPayload | None, events: Iterable[object] = ()
) -> dict[str, Any]:
    """The budget-status report of an export.

    Args:
        payload: the export's sanitised summary (its ``engine.spatialHash`` gives the status),
            or ``None``.
        events: recorded budget-status events (see :func:`normalize_budget_events`).

    Returns:
        ``{status, payloadBytes, budgetBytes, exceededBy, generatedAt, generatedIso, events,
        hasBudgetOverruns}``.
    """
    spatial = payload.spatial_hash if payload is not None else None
    spatial = spatial if truthy(spatial) else None
    status = get(spatial, "payloadBudgetStatus")
    status = status if isinstance(status, str) else "unknown"
    generated_at = payload.generated_at if payload is not None else None
    normalized = normalize_budget_events(events)
    return {
        "status": status,
        "payloadBytes": _finite(get(spatial, "payloadBytes")),
        "budgetBytes": _finite(get(spatial, "payloadBudgetBytes")),
        "exceededBy": _finite(get(spatial, "payloadBudgetExceededBy")),
        "generatedAt": generated_at,
        "generatedIso": iso_from_ms(generated_at) if truthy(generated_at) else None,  # type: ignore[arg-type]
        "events": normalized,
        "hasBudgetOverruns": status == "exceeds_budget"
        or any(e["status"] == "exceeds_budget" for e in normalized),
    }


def _size_lines(report: Mapping[str, Any]) -> list[str]:
    lines = []
    payload_bytes, budget_bytes = get(report, "payloadBytes"), get(report, "budgetBytes")
    if payload_bytes is not None:
        size = f"- Payload size: {js_string(payload_bytes)} bytes"
        if budget_bytes is not None:
            size += f" / budget {js_string(budget_bytes)} bytes"
        lines.append(size)
    exceeded = get(report, "exceededBy")
    if truthy(exceeded) and to_number(exceeded) > 0:
        lines.append(f"- Exceeded by: {js_string(exceeded)} bytes")
    return lines


def _event_row(event: Mapping[str, Any]) -> list[object]:
    context = get(event, "context")
    if isinstance(context, Mapping | list):
        context_text: object = dumps_compact(context) if truthy(context) else _DASH
    else:
        context_text = coalesce(context, _DASH)
    recorded = get(event, "recordedAt")
    return [
        get(event, "status"),
        coalesce(get(event, "payloadBytes"), _DASH),
        coalesce(get(event, "exceededBy"), _DASH),
        iso_from_ms(recorded) if truthy(recorded) else _DASH,
        context_text,
    ]


def render_budget_markdown(report: Mapping[str, Any] | None) -> str:
    """The report as Markdown for CI step summaries (no trailing newline).

    Table cells are escaped like every Markdown table (DEVIATIONS D4).
    """
    lines = [HEADING, ""]
    if report is None:
        lines.append("No budget telemetry recorded during export.")
        return "\n".join(lines)
    lines.append(f"- Current status: {_BADGES.get(get(report, 'status'), _UNKNOWN_BADGE)}")
    lines.extend(_size_lines(report))
    events = coalesce(get(report, "events"), [])
    lines.append(f"- Events recorded: {len(events)}")
    lines.append("")
    if events:
        lines.extend(md_table(_EVENT_COLUMNS, (_event_row(e) for e in events)))
    else:
        lines.append("No budget events were emitted during the export run.")
    lines.append("")
    if truthy(get(report, "hasBudgetOverruns")):
        lines.append(ACTION_REQUIRED_NOTE)
    return "\n".join(lines)


def budget_artifacts(report: Mapping[str, Any], *, prefix: str) -> list[Artifact]:
    """``<prefix>-budget-status.json`` and ``<prefix>-budget-status.md``, each ending in ``\\n``.

    Raises:
        UnsafeNameError: the prefix could escape the artifact folder.
    """
    check_safe_name(prefix, what="prefix")
    renderings = (
        ("json", "json", "application/json", dumps_pretty(report)),
        ("markdown", "md", "text/markdown", render_budget_markdown(report)),
    )
    return [
        Artifact(
            type=kind,
            section="budget-status",
            filename=f"{prefix}-budget-status.{extension}",
            mime_type=mime_type,
            content=text + "\n",
        )
        for kind, extension, mime_type, text in renderings
    ]
