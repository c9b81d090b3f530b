"""Inspector telemetry export: orchestration, settings and summary sources.

* :func:`export_and_publish` runs one export end to end from an :class:`ExportRequest`:
  source, artifacts, budget webhook, the manifest of record, providers, CI reporting.
  :func:`publish_folder` publishes a folder exported earlier.
* :class:`Exporter` prepares an export (sanitise + render, no I/O) and runs it through a
  :class:`~worldstate.writers.WriterFanout` (synchronously, in the background, or awaited);
  a background run returns an :class:`ExportHandle` that emits the events where it is collected.
  :func:`run_export` does both in one call.
* :class:`SourceRequest` and the ``load_*``/``summary_from_*`` functions load summaries from
  logs, snapshots, saves and files.
"""

from __future__ import annotations

from worldstate.export._handle import ExportHandle
from worldstate.export._pipeline import (
    DEFAULT_BUDGET_BYTES,
    EXPORT_BUDGET_STATUS,
    EXPORT_COMPLETED,
    EXPORT_FAILED,
    EXPORT_STARTED,
    Exporter,
    run_export,
    spatial_budget_event,
)
from worldstate.export._records import (
    ExportContext,
    ExportResult,
    PreparedExport,
    describe_write_failures,
)
from worldstate.export._run import (
    OUT_WRITER_ID,
    ExportEffects,
    ExportRequest,
    ExportRun,
    PublishSettings,
    budget_text,
    export_and_publish,
    publish_folder,
    writer_folders,
)
from worldstate.export._settings import ExportSettings, parse_context
from worldstate.export._sources import (
    EVENTS_REPLAYED,
    ReplayProgress,
    SourceRequest,
    SummaryOrigin,
    SummarySource,
    demo_events,
    load_snapshot,
    load_snapshot_file,
    load_summary_file,
    stream_event_log,
    summary_from_events,
    summary_from_snapshot,
)
from worldstate.inspector import DEFAULT_FORMATS, DEFAULT_PREFIX

__all__ = [
    "export_and_publish",
    "publish_folder",
    "ExportRequest",
    "ExportEffects",
    "ExportRun",
    "PublishSettings",
    "OUT_WRITER_ID",
    "writer_folders",
    "budget_text",
    "Exporter",
    "ExportHandle",
    "ExportContext",
    "ExportResult",
    "PreparedExport",
    "describe_write_failures",
    "run_export",
    "spatial_budget_event",
    "ExportSettings",
    "parse_context",
    "SourceRequest",
    "SummaryOrigin",
    "SummarySource",
    "EXPORT_STARTED",
    "EXPORT_COMPLETED",
    "EXPORT_FAILED",
    "EXPORT_BUDGET_STATUS",
    "EVENTS_REPLAYED",
    "DEFAULT_PREFIX",
    "DEFAULT_FORMATS",
    "DEFAULT_BUDGET_BYTES",
    "ReplayProgress",
    "demo_events",
    "load_snapshot",
    "load_snapshot_file",
    "load_summary_file",
    "stream_event_log",
    "summary_from_events",
    "summary_from_snapshot",
]
