"""One row per CI run: when, which run, what was exported, the payload budget, every provider.

A run is a manifest (``ci-artifacts.json``).  Its artifacts are looked up on disk (the path the
manifest recorded, else the file of that name beside the manifest, as after a CI download), its
budget comes from the ``*-budget-status.json`` artifact when it can be read, else from the
manifest context's ``budgetStatus``, and its providers from ``commandResults`` and
``providerResults`` (the last attempt of each provider wins).
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Final

from worldstate._js import (
    ABSENT,
    MAX_TIME_MS,
    coalesce,
    get,
    is_finite_number,
    iso_from_ms,
    js_string,
    number_text,
    to_number,
)
from worldstate.errors import InputError
from worldstate.inspector import md_table
from worldstate.jsonfile import read_json_file
from worldstate.report._inputs import ManifestRead

__all__ = [
    "RUNS_HEADING",
    "ArtifactSize",
    "RunRow",
    "RunTotals",
    "RunsReport",
    "run_row",
    "build_runs_report",
    "render_runs_markdown",
]

RUNS_HEADING: Final = "## Telemetry Runs"
BUDGET_SUFFIX: Final = "-budget-status.json"
OVER_BUDGET: Final = "exceeds_budget"
_MISSING: Final = "\u2014"


@dataclass(frozen=True, slots=True)
class ArtifactSize:
    """One artifact of a run and its size on disk (``None``: not found)."""

    filename: str
    bytes: int | None


@dataclass(frozen=True, slots=True)
class RunRow:
    """What one manifest says about its run."""

    manifest: str
    generated_at: float | None
    run_id: str | None
    artifacts: tuple[ArtifactSize, ...]
    budget_status: str
    payload_bytes: float | None
    budget_bytes: float | None
    providers: Mapping[str, str]

    @property
    def time(self) -> str | None:
        """The run's ISO time (``None`` when the manifest has no usable ``generatedAt``)."""
        return None if self.generated_at is None else iso_from_ms(self.generated_at)

    @property
    def artifact_bytes(self) -> int:
        """Bytes of the artifacts found on disk."""
        return sum(a.bytes for a in self.artifacts if a.bytes is not None)

    @property
    def missing_artifacts(self) -> int:
        """How many listed artifacts were not found."""
        return sum(a.bytes is None for a in self.artifacts)

    def to_json(self) -> dict[str, Any]:
        """The row as JSON-shaped builtins."""
        return {
            "manifest": self.manifest,
            "generatedAt": self.generated_at,
            "generatedIso": self.time,
            "runId": self.run_id,
            "artifactCount": len(self.artifacts),
            "artifactBytes": self.artifact_bytes,
            "missingArtifacts": self.missing_artifacts,
            "artifacts": [{"filename": a.filename, "bytes": a.bytes} for a in self.artifacts],
            "budgetStatus": self.budget_status,
            "payloadBytes": self.payload_bytes,
            "budgetBytes": self.budget_bytes,
            "providers": dict(self.providers),
        }


@dataclass(frozen=True, slots=True)
class RunTotals:
    """Sums over every run."""

    runs: int
    artifacts: int
    artifact_bytes: int
    over_budget: int
    outcomes: Mapping[str, Mapping[str, int]]

    def to_json(self) -> dict[str, Any]:
        """The totals as JSON-shaped builtins."""
        return {
            "runs": self.runs,
            "artifacts": self.artifacts,
            "artifactBytes": self.artifact_bytes,
            "overBudget": self.over_budget,
            "outcomes": {name: dict(counts) for name, counts in self.outcomes.items()},
        }


@dataclass(frozen=True, slots=True)
class RunsReport:
    """The runs in time order, every provider seen (first seen first), and the totals."""

    rows: tuple[RunRow, ...]
    providers: tuple[str, ...]
    totals: RunTotals

    def to_json(self) -> dict[str, Any]:
        """The report as JSON-shaped builtins."""
        return {
            "runs": [row.to_json() for row in self.rows],
            "providers": list(self.providers),
            "totals": self.totals.to_json(),
        }


def _time(document: object) -> float | None:
    generated = get(document, "generatedAt")
    if is_finite_number(generated) and abs(generated) <= MAX_TIME_MS:
        return float(generated)
    iso = get(document, "generatedIso")
    return _parse_iso(iso) if isinstance(iso, str) else None


def _parse_iso(text: str) -> float | None:
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() * 1000
    except ValueError:
        return None


def _artifact_sizes(document: object, folder: Path) -> tuple[ArtifactSize, ...]:
    entries = get(document, "artifacts")
    if not isinstance(entries, list):
        return ()
    return tuple(_artifact_size(entry, folder) for entry in entries)


def _artifact_file(entry: object, folder: Path) -> tuple[str, list[Path]]:
    filepath, filename = get(entry, "filepath"), get(entry, "filename")
    candidates = [Path(filepath)] if isinstance(filepath, str) and filepath else []
    if not isinstance(filename, str) or not filename:
        filename = os.path.basename(filepath) if candidates else js_string(entry)
    if "/" not in filename and filename not in (".", ".."):
        candidates.append(folder / filename)
    return filename, candidates


def _artifact_size(entry: object, folder: Path) -> ArtifactSize:
    filename, candidates = _artifact_file(entry, folder)
    for candidate in candidates:
        try:
            return ArtifactSize(filename, candidate.stat().st_size)
        except OSError:
            continue
    return ArtifactSize(filename, None)


def _budget_document(document: object, folder: Path) -> object:
    entries = get(document, "artifacts")
    for entry in entries if isinstance(entries, list) else ():
        filename, candidates = _artifact_file(entry, folder)
        if not filename.endswith(BUDGET_SUFFIX):
            continue
        for candidate in candidates:
            try:
                return read_json_file(candidate, what="budget report")
            except InputError:
                continue
    return get(get(document, "context"), "budgetStatus")


def _finite_or_none(value: object) -> float | None:
    if value is None:
        return None
    number = to_number(value)
    return number if math.isfinite(number) else None


def _provider_statuses(document: object) -> dict[str, str]:
    statuses: dict[str, str] = {}
    for key in ("commandResults", "providerResults"):
        results = get(document, key)
        for result in results if isinstance(results, list) else ():
            name = coalesce(get(result, "provider"), get(result, "command"), "unknown")
            statuses[js_string(name)] = _status_text(get(result, "status"))
    return statuses


def _status_text(status: object) -> str:
    return status.lower() if isinstance(status, str) and status else "unknown"


def run_row(read: ManifestRead) -> RunRow:
    """The row of one manifest that was read."""
    document = read.document
    folder = Path(read.path).parent
    budget = _budget_document(document, folder)
    status = get(budget, "status")
    run_id = get(get(document, "context"), "runId")
    return RunRow(
        manifest=read.path,
        generated_at=_time(document),
        run_id=None if run_id is None or run_id is ABSENT else js_string(run_id),
        artifacts=_artifact_sizes(document, folder),
        budget_status=status if isinstance(status, str) and status else "unknown",
        payload_bytes=_finite_or_none(get(budget, "payloadBytes")),
        budget_bytes=_finite_or_none(get(budget, "budgetBytes")),
        providers=_provider_statuses(document),
    )


def _sort_key(row: RunRow) -> tuple[bool, float]:
    return row.generated_at is None, row.generated_at or 0.0


def build_runs_report(rows: Iterable[RunRow]) -> RunsReport:
    """Order ``rows`` by time (runs without one last) and add the totals."""
    ordered = tuple(sorted(rows, key=_sort_key))
    providers = tuple(dict.fromkeys(name for row in ordered for name in row.providers))
    outcomes: dict[str, dict[str, int]] = {name: {} for name in providers}
    for row in ordered:
        for name, status in row.providers.items():
            outcomes[name][status] = outcomes[name].get(status, 0) + 1
    totals = RunTotals(
        runs=len(ordered),
        artifacts=sum(len(row.artifacts) for row in ordered),
        artifact_bytes=sum(row.artifact_bytes for row in ordered),
        over_budget=sum(row.budget_status == OVER_BUDGET for row in ordered),
        outcomes=outcomes,
    )
    return RunsReport(ordered, providers, totals)


def _payload_cell(row: RunRow) -> str:
    if row.payload_bytes is None:
        return _MISSING
    payload = number_text(row.payload_bytes)
    return payload if row.budget_bytes is None else f"{payload} / {number_text(row.budget_bytes)}"


def run_cells(row: RunRow, providers: Iterable[str]) -> list[str]:
    """A row's table cells: time, run, artifacts, bytes, budget, payload, each provider."""
    missing = f" ({row.missing_artifacts} missing)" if row.missing_artifacts else ""
    return [
        row.time or _MISSING,
        row.run_id or _MISSING,
        f"{len(row.artifacts)}{missing}",
        str(row.artifact_bytes),
        row.budget_status,
        _payload_cell(row),
        *(row.providers.get(name, _MISSING) for name in providers),
    ]


RUN_COLUMNS: Final = ("Time", "Run", "Artifacts", "Bytes", "Budget", "Payload bytes")


def _outcome_text(counts: Mapping[str, int]) -> str:
    return ", ".join(f"{status} {count}" for status, count in counts.items())


def render_runs_markdown(report: RunsReport) -> str:
    """The runs table and the totals, as Markdown (no trailing newline)."""
    lines = [RUNS_HEADING, ""]
    if not report.rows:
        return "\n".join([*lines, "No telemetry manifests were read."])
    header = [*RUN_COLUMNS, *report.providers]
    lines += md_table(header, (run_cells(row, report.providers) for row in report.rows))
    totals = report.totals
    lines += [
        "",
        f"- Runs: {totals.runs}",
        f"- Artifacts: {totals.artifacts} ({totals.artifact_bytes} bytes)",
        f"- Runs over the payload budget: {totals.over_budget}",
    ]
    lines += [
        f"- Provider `{name}`: {_outcome_text(counts)}" for name, counts in totals.outcomes.items()
    ]
    return "\n".join(lines)
