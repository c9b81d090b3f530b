"""Export orchestration (REFERENCE §3.10, §8.3): summary -> artifacts -> writers -> manifest.

An export has two phases:

1. :meth:`Exporter.prepare` (synchronous, fast, no I/O): sanitise the inspector summary,
   render its artifacts and the budget status report (§8.5) from returned values.
2. :meth:`Exporter.run` (I/O): hand every artifact to the writer fan-out, write the manifest,
   emit the ``telemetry:export_*`` events.  :meth:`Exporter.submit` runs this phase on a
   background thread and returns a :class:`~concurrent.futures.Future`;
   :meth:`Exporter.run_async` awaits it from asyncio.  Exports submitted to one exporter run
   one after another, never concurrently.

Events of the write phase are emitted on the thread that runs it: with ``submit``, bus
handlers must be thread-safe (or run the phase yourself with :meth:`Exporter.run`).
"""

from __future__ import annotations

import asyncio
import math
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from worldstate.artifacts import Artifact
from worldstate.clock import Clock, system_clock
from worldstate.events import EventBus
from worldstate.export.manifest import Manifest, build_manifest, write_manifest
from worldstate.inspector import (
    InspectorPayload,
    budget_artifacts,
    build_budget_report,
    render_artifacts,
    sanitize_summary,
)
from worldstate.redact import redact
from worldstate.writers import FanoutResult, WriteResult, WriterFanout

__all__ = [
    "Exporter",
    "ExportResult",
    "PreparedExport",
    "run_export",
    "EXPORT_STARTED",
    "EXPORT_COMPLETED",
    "EXPORT_FAILED",
    "EXPORT_BUDGET_STATUS",
    "DEFAULT_PREFIX",
    "DEFAULT_FORMATS",
    "DEFAULT_BUDGET_BYTES",
]

EXPORT_STARTED = "telemetry:export_started"
EXPORT_COMPLETED = "telemetry:export_completed"
EXPORT_FAILED = "telemetry:export_failed"
EXPORT_BUDGET_STATUS = "telemetry:export_budget_status"

DEFAULT_PREFIX = "save-inspector"
DEFAULT_FORMATS = ("json", "csv")
DEFAULT_BUDGET_BYTES = 12288


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
    budget_report: Mapping[str, Any]
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
        return str(self.budget_report.get("status", "unknown"))


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


@dataclass
class Exporter:
    """Runs exports through a writer fan-out and writes the CI manifest.

    Args:
        fanout: the writers every artifact goes to.
        bus: where ``telemetry:export_*`` events go (``None``: nowhere).
        clock: "now" for the manifest and the budget event's ``recordedAt``.
        manifest_path: where to write ``ci-artifacts.json``; ``None`` writes no manifest.
        artifact_dir: the folder listed as each artifact's ``filepath`` in the manifest (and as
            ``artifactDir`` in its context); defaults to the manifest's folder.
        dry_run: recorded in the manifest (see :func:`~worldstate.export.manifest.resolve_dry_run`).
        publish: whether publishing was requested; recorded, nothing else yet.
        run_context: the run context (``runId`` and the user's ``--context``), put first into the
            export and manifest contexts.
        executor: runs :meth:`submit`; by default a private single-thread executor.
    """

    fanout: WriterFanout
    bus: EventBus | None = None
    clock: Clock = system_clock
    manifest_path: Path | None = None
    artifact_dir: Path | None = None
    dry_run: bool = True
    publish: bool = False
    run_context: Mapping[str, Any] = field(default_factory=dict)
    executor: Executor | None = None
    _own_executor: ThreadPoolExecutor | None = field(default=None, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def prepare(
        self,
        summary: Mapping[str, Any] | None,
        *,
        prefix: str = DEFAULT_PREFIX,
        formats: Sequence[str] = DEFAULT_FORMATS,
        now: int | None = None,
        faction_names: Mapping[str, str] | None = None,
    ) -> PreparedExport:
        """Sanitise ``summary`` and render every artifact; no I/O.

        Args:
            summary: the raw inspector summary (``build_summary``'s result) or ``None``.
            prefix: the file name prefix (already checked with ``check_safe_name``).
            formats: canonical format names (from ``resolve_formats``).
            now: the fallback ``generatedAt`` when the summary has none (default: the clock).
            faction_names: faction id -> display name, for name columns (DEVIATIONS D1).
        """
        at = self.clock() if now is None else now
        payload = sanitize_summary(summary, now=at, faction_names=faction_names)
        artifacts = tuple(render_artifacts(payload, prefix=prefix, formats=tuple(formats)))
        context: dict[str, Any] = {
            **self.run_context,
            "prefix": prefix,
            "formats": list(dict.fromkeys(a.type for a in artifacts)),
            "artifactCount": len(artifacts),
            "source": payload.source,
        }
        if self.artifact_dir is not None:
            context["artifactDir"] = str(self.artifact_dir)
        # Redacted at the source: the context reaches events, the budget files and the manifest.
        context = redact(context)
        event = spatial_budget_event(payload, context, recorded_at=self.clock())
        report = build_budget_report(payload, events=[event] if event else [])
        return PreparedExport(
            payload=payload,
            summary_artifacts=artifacts,
            budget_report=report,
            budget_artifacts=tuple(budget_artifacts(report, prefix=prefix)),
            budget_event=event,
            context=context,
            prefix=prefix,
        )

    def run(self, prepared: PreparedExport) -> ExportResult:
        """Write ``prepared`` with every writer, then the manifest; emit the export events.

        Never raises for a writer's failure: look at :attr:`ExportResult.ok`.
        """
        context = dict(prepared.context)
        count = len(prepared.summary_artifacts)
        self._emit(EXPORT_STARTED, lambda: {"artifactCount": count, "context": context})
        writes = self.fanout.write(prepared.artifacts, context=context)
        manifest, manifest_write = self._write_manifest(prepared, writes)
        result = ExportResult(prepared, writes, manifest, manifest_write, self.publish)
        metrics = writes.to_json()
        if result.ok:
            self._emit(
                EXPORT_COMPLETED,
                lambda: {"artifactCount": count, "context": context, "metrics": metrics},
            )
        else:
            self._emit(
                EXPORT_FAILED,
                lambda: {
                    "artifactCount": count,
                    "context": context,
                    "errorMessage": result.failure_message(),
                    "metrics": metrics,
                },
            )
        if prepared.budget_event is not None:
            event = dict(prepared.budget_event)
            self._emit(EXPORT_BUDGET_STATUS, lambda: event)
        return result

    def export(self, summary: Mapping[str, Any] | None, **options: Any) -> ExportResult:
        """:meth:`prepare` then :meth:`run`, synchronously."""
        return self.run(self.prepare(summary, **options))

    def submit(self, prepared: PreparedExport) -> Future[ExportResult]:
        """Run the write phase in the background; the game loop never waits on disk."""
        return self._executor().submit(self.run, prepared)

    async def run_async(self, prepared: PreparedExport) -> ExportResult:
        """Await the write phase from asyncio (it runs on the exporter's executor)."""
        return await asyncio.wrap_future(self.submit(prepared))

    def close(self) -> None:
        """Wait for submitted exports, stop the private executor and close the writers."""
        with self._lock:
            own, self._own_executor = self._own_executor, None
        if own is not None:
            own.shutdown(wait=True)
        self.fanout.close()

    def __enter__(self) -> Exporter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _executor(self) -> Executor:
        if self.executor is not None:
            return self.executor
        with self._lock:
            if self._own_executor is None:
                self._own_executor = ThreadPoolExecutor(1, thread_name_prefix="worldstate-export")
            return self._own_executor

    def _write_manifest(
        self, prepared: PreparedExport, writes: FanoutResult
    ) -> tuple[Manifest | None, WriteResult | None]:
        if self.manifest_path is None:
            return None, None
        folder = self.artifact_dir or self.manifest_path.parent
        filenames = [a.filename for a in prepared.artifacts]
        manifest = build_manifest(
            generated_at=self.clock(),
            dry_run=self.dry_run,
            artifact_paths=[str(folder / name) for name in filenames],
            context=manifest_context(prepared, writes, folder, self.run_context, self.publish),
        )
        return manifest, write_manifest(manifest, self.manifest_path)

    def _emit(self, event: str, payload: Callable[[], Any]) -> None:
        if self.bus is not None and self.bus.has_listeners(event):
            self.bus.emit(event, payload())


def manifest_context(
    prepared: PreparedExport,
    writes: FanoutResult,
    artifact_dir: Path,
    run_context: Mapping[str, Any],
    publish: bool,
) -> dict[str, Any]:
    """The manifest's context (REFERENCE §8.3 step 10), before redaction."""
    return {
        **run_context,
        "prefix": prepared.prefix,
        "artifactDir": str(artifact_dir),
        "artifactFilenames": [a.filename for a in prepared.artifacts],
        "metrics": writes.to_json(),
        "summarySource": prepared.payload.source or "unknown",
        "budgetStatus": dict(prepared.budget_report),
        "publish": publish,
    }


def spatial_budget_event(
    payload: InspectorPayload, context: Mapping[str, Any], *, recorded_at: int
) -> dict[str, Any] | None:
    """The ``telemetry:export_budget_status`` payload (§3.10 step 6), or ``None``.

    It doubles as the event record the budget report lists (§8.3 step 2), so the report is
    computed from this value rather than from a bus listener.
    """
    spatial = payload.spatial_hash
    if spatial is None:
        return None
    return {
        "type": "spatialHash",
        "status": _coalesce(spatial.get("payloadBudgetStatus"), "unknown"),
        "payloadBytes": _finite(spatial.get("payloadBytes"), None),
        "budgetBytes": _coalesce(spatial.get("payloadBudgetBytes"), DEFAULT_BUDGET_BYTES),
        "exceededBy": _finite(spatial.get("payloadBudgetExceededBy"), 0),
        "context": dict(context),
        "recordedAt": recorded_at,
    }


def _coalesce(value: object, default: object) -> object:
    return default if value is None else value


def _finite(value: object, default: float | None) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return value
    return default


def run_export(
    summary: Mapping[str, Any] | None,
    writers: Iterable[Any],
    *,
    prefix: str = DEFAULT_PREFIX,
    formats: Sequence[str] = DEFAULT_FORMATS,
    bus: EventBus | None = None,
    clock: Clock = system_clock,
    manifest_path: Path | None = None,
    artifact_dir: Path | None = None,
    dry_run: bool = True,
    run_context: Mapping[str, Any] | None = None,
    now: int | None = None,
) -> ExportResult:
    """Export ``summary`` with ``writers`` in one synchronous call (see :class:`Exporter`)."""
    exporter = Exporter(
        WriterFanout(writers, bus=bus),
        bus=bus,
        clock=clock,
        manifest_path=manifest_path,
        artifact_dir=artifact_dir,
        dry_run=dry_run,
        run_context=dict(run_context or {}),
    )
    return exporter.export(summary, prefix=prefix, formats=formats, now=now)
