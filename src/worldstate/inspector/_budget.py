"""Payload-budget report of an export (the webhook lives elsewhere)."""

from __future__ import annotations

import enum
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from worldstate._js import (
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
from worldstate.artifacts import Artifact
from worldstate.inspector._markdown import md_table
from worldstate.inspector._sanitize import InspectorPayload, json_clone
from worldstate.names import check_safe_name

__all__ = [
    "ACTION_REQUIRED_NOTE",
    "BudgetStatus",
    "BudgetEvent",
    "BudgetReport",
    "build_budget_report",
    "normalize_budget_events",
    "render_budget_markdown",
    "budget_artifacts",
]


class BudgetStatus(enum.StrEnum):
    """The payload-budget statuses an export reports (a report may carry other strings)."""

    WITHIN_BUDGET = "within_budget"
    EXCEEDS_BUDGET = "exceeds_budget"
    UNKNOWN = "unknown"


HEADING: Final = "## Telemetry Payload Budget"
ACTION_REQUIRED_NOTE: Final = (
    "> \u26a0\ufe0f **Action required:** Inspector exports exceeded the payload budget. "
    "Investigate spatial history retention and adjust `SPATIAL_HISTORY_BUDGET_BYTES` if necessary."
)
EXCEEDS_BUDGET: Final = "exceeds_budget"
_BADGES: Final = {
    EXCEEDS_BUDGET: "`exceeds_budget` \u26a0\ufe0f",
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


@dataclass(frozen=True, slots=True)
class BudgetEvent:
    """One recorded ``telemetry:export_budget_status`` payload, normalised.

    Attributes:
        status: ``within_budget``, ``exceeds_budget`` or ``unknown`` (any other string is kept).
        type: what was measured (``spatialHash``), or ``None``.
        payload_bytes: the payload's size, or ``None`` when not a finite number.
        budget_bytes: the budget, or ``None``.
        exceeded_by: bytes over the budget, or ``None``.
        context: the export context (any JSON value; ``None`` when absent).
        recorded_at: when it was recorded (ms since the epoch, > 0), or ``None``.
    """

    status: str = "unknown"
    type: str | None = None
    payload_bytes: float | None = None
    budget_bytes: float | None = None
    exceeded_by: float | None = None
    context: Any = None
    recorded_at: float | None = None

    @classmethod
    def from_json(cls, event: Mapping[str, Any]) -> BudgetEvent:
        """Normalise a loose event payload.

        Numbers are coerced like JavaScript's ``Number()`` (an explicit null becomes 0, as in
        the reference; anything not finite becomes ``None``); a non-string ``status`` becomes
        ``unknown``; ``recordedAt`` is kept only when it is a positive finite number.
        """
        status, kind, recorded = get(event, "status"), get(event, "type"), get(event, "recordedAt")
        return cls(
            status=status if isinstance(status, str) else "unknown",
            type=kind if isinstance(kind, str) else None,
            payload_bytes=_finite(get(event, "payloadBytes")),
            budget_bytes=_finite(get(event, "budgetBytes")),
            exceeded_by=_finite(get(event, "exceededBy")),
            context=json_clone(coalesce(get(event, "context"), None)),
            recorded_at=recorded if is_finite_number(recorded) and recorded > 0 else None,
        )

    def to_json(self) -> dict[str, Any]:
        """The reference's event shape, keys in its order (``status, type, payloadBytes,
        budgetBytes, exceededBy, context, recordedAt``); ``context`` is a copy."""
        return {
            "status": self.status,
            "type": self.type,
            "payloadBytes": self.payload_bytes,
            "budgetBytes": self.budget_bytes,
            "exceededBy": self.exceeded_by,
            "context": json_clone(self.context),
            "recordedAt": self.recorded_at,
        }


@dataclass(frozen=True, slots=True)
class BudgetReport:
    """The payload-budget status of an export.

    Attributes:
        status: the summary's ``engine.spatialHash.payloadBudgetStatus``, or ``unknown``.
        payload_bytes: the summary's payload size, or ``None`` (no spatial telemetry).
        budget_bytes: the budget it was measured against, or ``None``.
        exceeded_by: bytes over the budget, or ``None``.
        generated_at: the summary's ``generatedAt`` (ms since the epoch), or ``None``.
        events: the budget events recorded during the export.
    """

    status: str = "unknown"
    payload_bytes: float | None = None
    budget_bytes: float | None = None
    exceeded_by: float | None = None
    generated_at: float | None = None
    events: tuple[BudgetEvent, ...] = ()

    @property
    def generated_iso(self) -> str | None:
        """``generated_at`` as an ISO-8601 UTC string, or ``None`` when it is 0 or missing."""
        return iso_from_ms(self.generated_at) if truthy(self.generated_at) else None  # type: ignore[arg-type]

    @property
    def has_budget_overruns(self) -> bool:
        """True when the status or any event says ``exceeds_budget``."""
        return self.status == EXCEEDS_BUDGET or any(
            event.status == EXCEEDS_BUDGET for event in self.events
        )

    def to_json(self) -> dict[str, Any]:
        """The ``<prefix>-budget-status.json`` document, keys in the reference's order
        (``status, payloadBytes, budgetBytes, exceededBy, generatedAt, generatedIso, events,
        hasBudgetOverruns``); a fresh copy."""
        return {
            "status": self.status,
            "payloadBytes": self.payload_bytes,
            "budgetBytes": self.budget_bytes,
            "exceededBy": self.exceeded_by,
            "generatedAt": self.generated_at,
            "generatedIso": self.generated_iso,
            "events": [event.to_json() for event in self.events],
            "hasBudgetOverruns": self.has_budget_overruns,
        }


def normalize_budget_events(events: Iterable[object]) -> tuple[BudgetEvent, ...]:
    """Recorded budget events as records (see :meth:`BudgetEvent.from_json`).

    Records pass through unchanged, mappings are normalised, anything else is dropped.
    """
    return tuple(
        event if isinstance(event, BudgetEvent) else BudgetEvent.from_json(event)
        for event in events
        if isinstance(event, BudgetEvent | Mapping)
    )


def build_budget_report(
    payload: InspectorPayload | None, events: Iterable[object] = ()
) -> BudgetReport:
    """The budget-status report of an export.

    Args:
        payload: the export's sanitised summary (its ``engine.spatialHash`` gives the status),
            or ``None``.
        events: recorded budget events, records or loose payloads (see
            :func:`normalize_budget_events`).
    """
    spatial = payload.spatial_hash if payload is not None else None
    spatial = spatial if truthy(spatial) else None
    status = get(spatial, "payloadBudgetStatus")
    return BudgetReport(
        status=status if isinstance(status, str) else "unknown",
        payload_bytes=_finite(get(spatial, "payloadBytes")),
        budget_bytes=_finite(get(spatial, "payloadBudgetBytes")),
        exceeded_by=_finite(get(spatial, "payloadBudgetExceededBy")),
        generated_at=payload.generated_at if payload is not None else None,
        events=normalize_budget_events(events),
    )


def _size_lines(report: BudgetReport) -> list[str]:
    lines = []
    if report.payload_bytes is not None:
        size = f"- Payload size: {js_string(report.payload_bytes)} bytes"
        if report.budget_bytes is not None:
            size += f" / budget {js_string(report.budget_bytes)} bytes"
        lines.append(size)
    if report.exceeded_by and report.exceeded_by > 0:
        lines.append(f"- Exceeded by: {js_string(report.exceeded_by)} bytes")
    return lines


def _event_row(event: BudgetEvent) -> list[object]:
    context = event.context
    if isinstance(context, Mapping | list):
        context_text: object = dumps_compact(context) if truthy(context) else _DASH
    else:
        context_text = coalesce(context, _DASH)
    recorded = event.recorded_at
    return [
        event.status,
        coalesce(event.payload_bytes, _DASH),
        coalesce(event.exceeded_by, _DASH),
        iso_from_ms(recorded) if recorded else _DASH,
        context_text,
    ]


def render_budget_markdown(report: BudgetReport | None) -> str:
    """The report as Markdown for CI step summaries (no trailing newline).

    Table cells are escaped like every Markdown table (``|`` and line breaks).
    """
    lines = [HEADING, ""]
    if report is None:
        lines.append("No budget telemetry recorded during export.")
        return "\n".join(lines)
    lines.append(f"- Current status: {_BADGES.get(report.status, _UNKNOWN_BADGE)}")
    lines.extend(_size_lines(report))
    lines.append(f"- Events recorded: {len(report.events)}")
    lines.append("")
    if report.events:
        lines.extend(md_table(_EVENT_COLUMNS, (_event_row(e) for e in report.events)))
    else:
        lines.append("No budget events were emitted during the export run.")
    lines.append("")
    if report.has_budget_overruns:
        lines.append(ACTION_REQUIRED_NOTE)
    return "\n".join(lines)


def budget_artifacts(report: BudgetReport, *, prefix: str) -> list[Artifact]:
    """``<prefix>-budget-status.json`` and ``<prefix>-budget-status.md``, each ending in ``\\n``.

    Raises:
        UnsafeNameError: the prefix could escape the artifact folder.
    """
    check_safe_name(prefix, what="prefix")
    renderings = (
        ("json", "json", "application/json", dumps_pretty(report.to_json())),
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
