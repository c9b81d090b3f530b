"""Inspector telemetry export: orchestration, manifest, settings and summary sources.

* :class:`Exporter` prepares an export (sanitise + render, no I/O) and runs it through a
  :class:`~worldstate.writers.WriterFanout` (synchronously, in the background, or awaited);
  a background run returns an :class:`ExportHandle` that emits the events where it is collected.
* :func:`run_export` does both in one call.
* :mod:`worldstate.export.manifest` builds and writes ``ci-artifacts.json``.
* :mod:`worldstate.export.sources` loads summaries from logs, snapshots, saves and files.
"""

from __future__ import annotations

from worldstate.export import sources
from worldstate.export.handle import ExportHandle
from worldstate.export.manifest import (
    MANIFEST_FILENAME,
    FallbackSummary,
    Manifest,
    ManifestArtifact,
    build_manifest,
    resolve_dry_run,
    write_manifest,
)
from worldstate.export.pipeline import (
    DEFAULT_FORMATS,
    DEFAULT_PREFIX,
    EXPORT_BUDGET_STATUS,
    EXPORT_COMPLETED,
    EXPORT_FAILED,
    EXPORT_STARTED,
    Exporter,
    run_export,
)
from worldstate.export.records import ExportResult, PreparedExport
from worldstate.export.settings import ExportSettings, parse_context

__all__ = [
    "Exporter",
    "ExportHandle",
    "ExportResult",
    "PreparedExport",
    "run_export",
    "ExportSettings",
    "parse_context",
    "Manifest",
    "ManifestArtifact",
    "FallbackSummary",
    "MANIFEST_FILENAME",
    "build_manifest",
    "resolve_dry_run",
    "write_manifest",
    "EXPORT_STARTED",
    "EXPORT_COMPLETED",
    "EXPORT_FAILED",
    "EXPORT_BUDGET_STATUS",
    "DEFAULT_PREFIX",
    "DEFAULT_FORMATS",
    "sources",
]
