"""The records of an export: what will be written and what writing it did."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import msgspec

from worldstate.artifacts import Artifact
from worldstate.errors import ExportError
from worldstate.inspector import BudgetEvent, BudgetReport, InspectorPayload
from worldstate.writers import FanoutResult, WriteResult

__all__ = ["ExportContext", "PreparedExport", "ExportResult", "describe_write_failures"]


class ExportContext(msgspec.Struct, frozen=True):
    """The context every event, budget event and manifest of an export carries (redacted).

    Attributes:
        run_context: ``runId`` and the user's own context, first in the JSON.
        prefix: the file name prefix.
        formats: the artifact types rendered, in order.
        artifact_count: how many summary artifacts there are (budget files not counted).
        source: the summary's ``source``.
        artifact_dir: the artifact folder, when known.
    """

    prefix: str
    formats: tuple[str, ...]
    artifact_count: int
    source: Any
    run_context: Mapping[str, Any] = msgspec.field(default_factory=dict)
    artifact_dir: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The context as JSON (``runId``, the user's keys, then the export's facts)."""
        document: dict[str, Any] = {
            **self.run_context,
            "prefix": self.prefix,
            "formats": list(self.formats),
            "artifactCount": self.artifact_count,
            "source": self.source,
        }
        if self.artifact_dir is not None:
            document["artifactDir"] = self.artifact_dir
        return document


@dataclass(frozen=True, slots=True)
class PreparedExport:
    """Everything an export will write, computed without I/O.

    Attributes:
        payload: the sanitised summary (the JSON artifact's content).
        summary_artifacts: the exporter's artifacts, in their fixed order.
        budget_report: the payload-budget status report.
        budget_artifacts: ``<prefix>-budget-status.json`` and ``.md``.
        budget_event: the ``telemetry:export_budget_status`` event, or ``None`` when the
            summary has no spatial telemetry.
        context: the export context.
        prefix: the file name prefix.
    """

    payload: InspectorPayload
    summary_artifacts: tuple[Artifact, ...]
    budget_report: BudgetReport
    budget_artifacts: tuple[Artifact, ...]
    budget_event: BudgetEvent | None
    context: ExportContext
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


class ExportResult(msgspec.Struct, frozen=True):
    """What an export's write phase did; failures are in here as values.

    Attributes:
        prepared: what was to be written.
        writes: the fan-out's per-writer results and timings.
    """

    prepared: PreparedExport
    writes: FanoutResult

    @property
    def failures(self) -> tuple[WriteResult, ...]:
        """Every failed write."""
        return self.writes.failures

    @property
    def ok(self) -> bool:
        """True when every writer wrote every artifact."""
        return not self.failures

    def failure_message(self) -> str:
        """The failed writes, one clause per writer and reason; see
        :func:`describe_write_failures`."""
        return describe_write_failures(self.failures)

    def raise_for_failures(self) -> None:
        """Raise :class:`~worldstate.errors.ExportError` when a write failed."""
        if self.failures:
            raise ExportError(f"export failed: {self.failure_message()}")


def describe_write_failures(failures: Sequence[WriteResult]) -> str:
    """The failed writes as one clause per writer and reason, joined by ``; ``.

    ``writer 'id' could not write 'file': reason``; when several files of one writer failed
    for the same reason (the reason with each file's own name taken out, as when the
    credentials are missing), one clause says so: ``writer 'out' could not write 'a.json'
    and 4 more files: reason``.
    """
    groups: dict[tuple[str, str], list[WriteResult]] = {}
    for failure in failures:
        reason = (failure.error or "unknown error").replace(failure.filename, "\0")
        groups.setdefault((failure.writer_id, reason), []).append(failure)
    clauses = []
    for (writer_id, _), members in groups.items():
        first = members[0]
        more = f" and {len(members) - 1} more files" if len(members) > 1 else ""
        clauses.append(
            f"writer {writer_id!r} could not write {first.filename!r}{more}: {first.error}"
        )
    return "; ".join(clauses)
