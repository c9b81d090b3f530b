"""The provider upload report: every ``providerResults`` record of one manifest.

Reads records tolerantly, as the reference's ``reportProviderMetrics`` did: a missing status
or provider is ``unknown``, numbers count only when they are real finite numbers, and the file
count falls back to the length of ``files``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from worldstate._camel import camel_json
from worldstate._js import (
    coalesce,
    get,
    is_finite_number,
    js_string,
    number_text,
    truthy,
)
from worldstate._manifest_text import NO_PROVIDER_RESULTS, PROVIDERS_HEADING
from worldstate.inspector import md_table
from worldstate.report._jsvalues import js_key_order

__all__ = [
    "PROVIDERS_HEADING",
    "ProviderRow",
    "ProviderSummary",
    "summarise_provider_results",
    "render_providers_markdown",
]

MISSING: Final = "\u2014"
"""What an empty table cell shows (an em dash)."""

_COLUMNS: Final = (
    "Provider",
    "Status",
    "Exit",
    "Duration (ms)",
    "Artifact",
    "Files",
    "Skip Reason",
)
_FAILURE_STATUSES: Final = ("failed", "error")


@dataclass(frozen=True, slots=True)
class ProviderRow:
    """One provider attempt as the report shows it; raw JSON values where the manifest had them."""

    provider: Any
    status: Any
    exit_code: float | None
    duration_ms: float | None
    artifact_name: Any
    file_count: float | None
    skipped_reason: Any
    attempted_at: Any

    def to_json(self) -> dict[str, Any]:
        """The row with the reference's keys, in its order (the fields' order)."""
        return camel_json(self)


@dataclass(frozen=True, slots=True)
class ProviderSummary:
    """Counts by status (first seen first), the rows, and whether any attempt failed."""

    total: int
    status_counts: dict[str, int]
    providers: tuple[ProviderRow, ...]
    has_failures: bool

    def to_json(self) -> dict[str, Any]:
        """The ``summariseProviderResults`` object (status keys in JavaScript's order)."""
        return {
            "total": self.total,
            "statusCounts": {k: self.status_counts[k] for k in js_key_order(self.status_counts)},
            "providers": [row.to_json() for row in self.providers],
            "hasFailures": self.has_failures,
        }


def _finite(value: object) -> float | None:
    return value if is_finite_number(value) else None


def _file_count(entry: object) -> float | None:
    count = _finite(get(entry, "fileCount"))
    if count is not None:
        return count
    files = get(entry, "files")
    return len(files) if isinstance(files, list) else None


def _row(entry: object) -> ProviderRow:
    return ProviderRow(
        provider=coalesce(get(entry, "provider"), "unknown"),
        status=coalesce(get(entry, "status"), "unknown"),
        exit_code=_finite(get(entry, "exitCode")),
        duration_ms=_finite(get(entry, "durationMs")),
        artifact_name=coalesce(get(entry, "artifactName"), None),
        file_count=_file_count(entry),
        skipped_reason=coalesce(get(entry, "skippedReason"), None),
        attempted_at=coalesce(get(entry, "attemptedAt"), None),
    )


def summarise_provider_results(manifest: object) -> ProviderSummary:
    """Summarise the ``providerResults`` list of a decoded manifest (anything else: no rows)."""
    results = get(manifest, "providerResults")
    entries: Sequence[object] = results if isinstance(results, list) else ()
    rows = tuple(_row(entry) for entry in entries)
    counts: dict[str, int] = {}
    for row in rows:
        key = js_string(row.status)
        counts[key] = counts.get(key, 0) + 1
    failed = any(isinstance(r.status, str) and r.status in _FAILURE_STATUSES for r in rows)
    return ProviderSummary(len(rows), counts, rows, failed)


def _number_or_missing(value: float | None) -> str:
    return MISSING if value is None else number_text(value)


def _text_or_missing(value: object) -> str:
    return js_string(value) if truthy(value) else MISSING


def _cells(row: ProviderRow) -> list[str]:
    return [
        js_string(row.provider),
        js_string(row.status),
        _number_or_missing(row.exit_code),
        _number_or_missing(row.duration_ms),
        _text_or_missing(row.artifact_name),
        _number_or_missing(row.file_count),
        _text_or_missing(row.skipped_reason),
    ]


def render_providers_markdown(summary: ProviderSummary) -> str:
    """The report's Markdown (no trailing newline); table cells escape ``|`` and line breaks."""
    lines = [PROVIDERS_HEADING, ""]
    if summary.total == 0:
        lines += NO_PROVIDER_RESULTS
        return "\n".join(lines)
    breakdown = ", ".join(
        f"`{status}`: {summary.status_counts[status]}"
        for status in js_key_order(summary.status_counts)
    )
    lines += [
        f"- Providers reported: {summary.total}",
        f"- Status breakdown: {breakdown or 'n/a'}",
        f"- Failures detected: {'yes' if summary.has_failures else 'no'}",
        "",
    ]
    lines += md_table(_COLUMNS, (_cells(row) for row in summary.providers))
    return "\n".join(lines)
