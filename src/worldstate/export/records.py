"""The records of an export: what will be written and what writing it did."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from worldstate.artifacts import Artifact
from worldstate.export.manifest import Manifest
from worldstate.inspector import BudgetReport, InspectorPayload
from worldstate.writers import FanoutResult, WriteResult

__all__ = ["PreparedExport", "ExportResult"]


@dataclass(frozen=True, slots=True)
class PreparedExport:
    """Everything an export will write, computed without I/O.

    Attributes:
        payload: the sanitised summary (the JSON artifact's content, REFERENCE §4.3).
        summary_artifacts: the exporter's artifacts (§4.2 order).
        budget_report: the budget status report (§8.5).
        budget_artifacts: ``<prefix>-budget-status.json`` and ``.md``.
        budget_event: the ``telemetry:export_budget_status`` payload, or ``None`` when the
            summary has no spatial telemetry.
        context: the export context of §3.10 (prefix, formats, artifactCount, source, ...).
        prefix: the file name prefix.
    """

    payload: InspectorPayload
    summary_artifacts: tuple[Artifact, ...]
    budget_report: BudgetReport
    budget_artifacts: tuple[Artifact, ...]
    budget_event: Mapping[str, Any] | None
    context: Mapping[str, Any]
    prefix: str

    @property
    def artifacts(self) -> tuple[Artifact, ...]:
        """Every artifact to write: the summary's, then the budget report's."""
        return self.summary_artifacts + self.budget_artifacts

    @property
    def generated_at(self) -> int:
        """The summary's ``generatedAt`` (ms since the epoch)."""
        return int(self.payload.generated_at)

    @property
    def budget_status(self) -> str:
        """The budget report's status (``within_budget``, ``exceeds_budget``, ``unknown``)."""
        return self.budget_report.status


@dataclass(frozen=True, slots=True)
class ExportResult:
    """What an export did; failures are in here as values.

    Attributes:
        prepared: what was to be written.
        writes: the fan-out's per-writer results and timings.
        manifest: the manifest, when one was requested.
        manifest_write: how writing the manifest went, when one was requested.
        publish: whether publishing was requested (publishing itself comes later).
    """

    prepared: PreparedExport
    writes: FanoutResult
    manifest: Manifest | None = None
    manifest_write: WriteResult | None = None
    publish: bool = False

    @property
    def failures(self) -> tuple[WriteResult, ...]:
        """Every failed write, the manifest's included."""
        extra = (self.manifest_write,) if self.manifest_write and not self.manifest_write.ok else ()
        return self.writes.failures + extra

    @property
    def ok(self) -> bool:
        """True when every artifact and the manifest were written."""
        return not self.failures

    def failure_message(self) -> str:
        """One line per failure: ``writer 'id' could not write 'file': reason``."""
        return "; ".join(
            f"writer {f.writer_id!r} could not write {f.filename!r}: {f.error}"
            for f in self.failures
        )
