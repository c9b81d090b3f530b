"""The exporter (summary -> artifacts -> writers), its events and its defaults.

An export has two phases:

1. :meth:`Exporter.prepare` (synchronous, fast, no I/O): sanitise the inspector summary,
   render its artifacts and the payload-budget report from returned values.
2. The write phase (I/O): hand every artifact to the writer fan-out and emit the
   ``telemetry:*`` events.  :meth:`Exporter.run` does it on the calling thread.
   :meth:`Exporter.submit` does it on a worker thread and returns an
   :class:`~worldstate.export._handle.ExportHandle`; :meth:`Exporter.run_async` awaits it from
   asyncio.  Exports submitted to one exporter run one after another, never concurrently.

Events are always emitted on the caller's side: ``run`` emits as it goes; a background run
records them and the handle emits them on the thread that collects the result, so bus handlers
never run on the worker.  The CI manifest is not the exporter's business: it is built from the
results afterwards (see :func:`worldstate.export.export_and_publish`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from msgspec.structs import replace

from worldstate._js import coalesce, is_finite_number

if TYPE_CHECKING:  # concurrent.futures is imported when the first background export starts
    from concurrent.futures import Executor, ThreadPoolExecutor
from worldstate.clock import Clock, system_clock
from worldstate.export._handle import ExportHandle
from worldstate.export._records import ExportContext, ExportResult, PreparedExport
from worldstate.inspector import (
    DEFAULT_FORMATS,
    DEFAULT_PREFIX,
    SPATIAL_HISTORY_BUDGET_BYTES,
    BudgetEvent,
    InspectorPayload,
    budget_artifacts,
    build_budget_report,
    render_artifacts,
    sanitize_summary,
)
from worldstate.redact import Redactor
from worldstate.writers import DeferredEvents, EventSink, WriterFanout

__all__ = [
    "Exporter",
    "run_export",
    "spatial_budget_event",
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

DEFAULT_BUDGET_BYTES = SPATIAL_HISTORY_BUDGET_BYTES
"""The spatial history's payload budget unless an export is given another."""


@dataclass
class Exporter:
    """Runs exports through a writer fan-out.

    Args:
        fanout: the writers every artifact goes to.
        bus: where every event of an export goes, the fan-out's included (default: the
            fan-out's bus; ``None`` there too: nowhere).
        clock: "now" for the budget event's ``recordedAt``.
        artifact_dir: the artifact folder, recorded as ``artifactDir`` in the export context.
        run_context: the run context (``runId`` and the user's ``--context``), put first into the
            export context.
        budget_bytes: the spatial history's payload budget.
        executor: runs :meth:`submit`; by default a private single-thread executor.
        redactor: redacts every context this exporter publishes (events, budget files);
            build it from the environment at the edge (``Redactor(os.environ)``).
            Default: the environment-less rules of :func:`worldstate.redact.redact`.
    """

    fanout: WriterFanout
    bus: EventSink | None = None
    clock: Clock = system_clock
    artifact_dir: Path | None = None
    run_context: Mapping[str, Any] = field(default_factory=dict)
    executor: Executor | None = None
    redactor: Redactor = field(default_factory=Redactor)
    budget_bytes: int = DEFAULT_BUDGET_BYTES
    _own_executor: ThreadPoolExecutor | None = field(default=None, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def __post_init__(self) -> None:
        if self.bus is None:
            self.bus = self.fanout.bus

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
            faction_names: faction id -> display name, for name columns.
        """
        at = self.clock() if now is None else now
        payload = sanitize_summary(
            summary, now=at, faction_names=faction_names, budget_bytes=self.budget_bytes
        )
        artifacts = tuple(render_artifacts(payload, prefix=prefix, formats=tuple(formats)))
        hide = self.redactor.hide_environment  # an environment secret never reaches a file
        artifacts = tuple(replace(a, content=hide(a.content)) for a in artifacts)
        # Redacted at the source: the context reaches events, the budget files and the manifest.
        context = ExportContext(
            prefix=prefix,
            formats=tuple(dict.fromkeys(a.type for a in artifacts)),
            artifact_count=len(artifacts),
            source=self.redactor(payload.source),
            run_context=self.redactor(self.run_context),
            artifact_dir=None
            if self.artifact_dir is None
            else self.redactor(str(self.artifact_dir)),
        )
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
        """Write ``prepared`` with every writer, emitting events as it goes.

        Never raises for a writer's failure: look at :attr:`ExportResult.ok`.
        """
        return self._write(prepared, self.bus)

    def export(self, summary: Mapping[str, Any] | None, **options: Any) -> ExportResult:
        """:meth:`prepare` then :meth:`run`, synchronously."""
        return self.run(self.prepare(summary, **options))

    def submit(self, prepared: PreparedExport) -> ExportHandle:
        """Start the write phase on the worker thread; the game loop never waits on disk.

        Poll the returned handle (``handle.poll()``) from the game loop, or wait with
        ``handle.result()``: the export's events are emitted there, not on the worker.
        """
        deferred = DeferredEvents()
        future = self._executor().submit(self._write, prepared, deferred)
        return ExportHandle(future, deferred, self.bus)

    def submit_summary(
        self,
        summary: Mapping[str, Any] | None,
        *,
        prefix: str = DEFAULT_PREFIX,
        formats: Sequence[str] = DEFAULT_FORMATS,
        now: int | None = None,
        faction_names: Mapping[str, str] | None = None,
    ) -> ExportHandle:
        """Render and write ``summary`` on the worker thread (:meth:`prepare` + :meth:`submit`).

        The game loop pays only for ``build_summary``; sanitising and rendering (about a
        millisecond for a typical summary) happen on the worker too.  The summary is read there,
        so do not mutate it after handing it over (summaries built from a store share its
        immutable state, which is safe).  A summary that cannot be exported (an unusable
        ``generatedAt``) makes :meth:`ExportHandle.result` raise, and nothing is written.
        """
        at = self.clock() if now is None else now  # "now" is when the game asked, not later
        deferred = DeferredEvents()

        def prepare_and_write() -> ExportResult:
            prepared = self.prepare(
                summary, prefix=prefix, formats=formats, now=at, faction_names=faction_names
            )
            return self._write(prepared, deferred)

        return ExportHandle(self._executor().submit(prepare_and_write), deferred, self.bus)

    async def run_async(self, prepared: PreparedExport) -> ExportResult:
        """Await the write phase from asyncio; its events are emitted in the loop's thread.

        Cancelling the await does not stop the write, but its events are then never emitted.
        """
        return await self.submit(prepared).result_async()

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
        from concurrent.futures import ThreadPoolExecutor

        with self._lock:
            if self._own_executor is None:
                self._own_executor = ThreadPoolExecutor(1, thread_name_prefix="worldstate-export")
            return self._own_executor

    def _write(self, prepared: PreparedExport, events: EventSink | None) -> ExportResult:
        """The write phase; its events go to ``events`` (the bus, or a recorder)."""
        context = prepared.context.to_json()
        count = len(prepared.summary_artifacts)
        _emit(events, EXPORT_STARTED, lambda: {"artifactCount": count, "context": context})
        writes = self.fanout.write(prepared.artifacts, context=context, events=events)
        result = ExportResult(prepared, writes)
        _emit(events, *_outcome_event(result, context))
        budget_event = prepared.budget_event
        if budget_event is not None:
            _emit(events, EXPORT_BUDGET_STATUS, budget_event.to_json)
        return result


def _emit(events: EventSink | None, event: str, payload: Callable[[], Any]) -> None:
    """Emit ``event``, building its payload only when someone listens."""
    if events is not None and events.has_listeners(event):
        events.emit(event, payload())


def _outcome_event(
    result: ExportResult, context: dict[str, Any]
) -> tuple[str, Callable[[], dict[str, Any]]]:
    """``export_completed`` or ``export_failed`` with its payload builder."""
    base = {"artifactCount": len(result.prepared.summary_artifacts), "context": context}
    if result.ok:
        return EXPORT_COMPLETED, lambda: {**base, "metrics": result.writes.to_json()}
    return EXPORT_FAILED, lambda: {
        **base,
        "errorMessage": result.failure_message(),
        "metrics": result.writes.to_json(),
    }


def spatial_budget_event(
    payload: InspectorPayload, context: ExportContext, *, recorded_at: int
) -> BudgetEvent | None:
    """The ``telemetry:export_budget_status`` event of an export, or ``None`` without spatial
    telemetry.

    It doubles as the event record the budget report lists, so the report is computed from
    this value rather than from a bus listener.
    """
    spatial = payload.spatial_hash
    if spatial is None:
        return None
    status = coalesce(spatial.get("payloadBudgetStatus"), "unknown")
    return BudgetEvent(
        status=status if isinstance(status, str) else "unknown",
        type="spatialHash",
        payload_bytes=_finite_or(spatial.get("payloadBytes"), None),
        budget_bytes=_finite_or(spatial.get("payloadBudgetBytes"), DEFAULT_BUDGET_BYTES),
        exceeded_by=_finite_or(spatial.get("payloadBudgetExceededBy"), 0),
        context=context.to_json(),
        recorded_at=recorded_at if recorded_at > 0 else None,
    )


def _finite_or(value: object, default: float | None) -> float | None:
    return value if is_finite_number(value) else default


def run_export(
    summary: Mapping[str, Any] | None,
    writers: Iterable[Any],
    *,
    prefix: str = DEFAULT_PREFIX,
    formats: Sequence[str] = DEFAULT_FORMATS,
    bus: EventSink | None = None,
    clock: Clock = system_clock,
    artifact_dir: Path | None = None,
    run_context: Mapping[str, Any] | None = None,
    now: int | None = None,
    redactor: Redactor | None = None,
) -> ExportResult:
    """Export ``summary`` with ``writers`` in one synchronous call (see :class:`Exporter`)."""
    exporter = Exporter(
        WriterFanout(writers),
        bus=bus,
        clock=clock,
        artifact_dir=artifact_dir,
        run_context=dict(run_context or {}),
        redactor=Redactor() if redactor is None else redactor,
    )
    return exporter.export(summary, prefix=prefix, formats=formats, now=now)
