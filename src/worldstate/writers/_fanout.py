"""Send every artifact to every writer; one writer's failure never stops the others."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import msgspec

from worldstate.artifacts import Artifact
from worldstate.writers._base import Writer, WriteResult, WriteStatus
from worldstate.writers._sink import EventSink

__all__ = [
    "WriterFanout",
    "FanoutResult",
    "WriterSummary",
    "ARTIFACT_FAILED",
    "ARTIFACTS_WRITTEN",
    "writer_kind",
]

logger = logging.getLogger(__name__)

ARTIFACT_FAILED = "telemetry:artifact_failed"
ARTIFACTS_WRITTEN = "telemetry:artifacts_written"


def writer_kind(writer: object) -> str:
    """What sort of writer ``writer`` is, in a word: its ``kind`` attribute when it has a
    string one, else its class name in lower case without a ``Writer`` suffix
    (``FileSystemWriter`` -> ``filesystem``, ``StorageWriter`` -> ``storage``)."""
    kind = getattr(writer, "kind", None)
    if isinstance(kind, str) and kind:
        return kind
    name = type(writer).__name__
    return name.removesuffix("Writer").lower() or name.lower()


class WriterSummary(msgspec.Struct, frozen=True):
    """How one writer did over one fan-out (derived from the results)."""

    writer_id: str
    attempted: int
    successes: int
    failures: int
    duration_ms: float

    def to_json(self) -> dict[str, Any]:
        """The reference's writer summary: ``{id, attempted, successes, failures, durationMs}``."""
        return {
            "id": self.writer_id,
            "attempted": self.attempted,
            "successes": self.successes,
            "failures": self.failures,
            "durationMs": round(self.duration_ms, 3),
        }


class FanoutResult(msgspec.Struct, frozen=True):
    """Everything one :meth:`WriterFanout.write` call did.

    Attributes:
        artifacts: the artifacts attempted, in order.
        writer_ids: the writers, in registration order.
        results: one result per (artifact, writer), artifact-major in that order.
        duration_ms: wall time of the whole fan-out.
        writer_kinds: each writer's :func:`writer_kind`, in the order of ``writer_ids``.
    """

    artifacts: tuple[Artifact, ...]
    writer_ids: tuple[str, ...]
    results: tuple[WriteResult, ...]
    duration_ms: float
    writer_kinds: tuple[str, ...] = ()

    @property
    def artifacts_attempted(self) -> int:
        """How many artifacts were handed to the writers."""
        return len(self.artifacts)

    @property
    def artifacts_written(self) -> int:
        """Successful writes summed over writers (2 artifacts x 2 writers -> 4)."""
        return sum(1 for r in self.results if r.ok)

    @property
    def failures(self) -> tuple[WriteResult, ...]:
        """The failed writes, in order."""
        return tuple(r for r in self.results if not r.ok)

    @property
    def ok(self) -> bool:
        """True when every writer wrote every artifact."""
        return all(r.ok for r in self.results)

    def for_writer(self, writer_id: str) -> tuple[WriteResult, ...]:
        """The results of one writer, in artifact order."""
        return tuple(r for r in self.results if r.writer_id == writer_id)

    def for_artifact(self, filename: str) -> tuple[WriteResult, ...]:
        """The results for one artifact, in writer registration order."""
        return tuple(r for r in self.results if r.filename == filename)

    def writer_summaries(self) -> tuple[WriterSummary, ...]:
        """Per-writer counts and summed write time, in registration order."""
        tallies = {wid: _Tally() for wid in self.writer_ids}
        for result in self.results:  # one pass: this runs for every event listener
            tally = tallies.get(result.writer_id)
            if tally is not None:
                tally.add(result)
        return tuple(tallies[wid].summary(wid) for wid in self.writer_ids)

    def to_json(self) -> dict[str, Any]:
        """The reference's metrics object (``artifactsAttempted``, ``artifactsWritten``,
        ``failures`` [{writerId, artifact{filename, type}, error}], ``writerSummaries``,
        ``durationMs``), with errors as messages rather than ``{}``."""
        types = {a.filename: a.type for a in self.artifacts}
        return {
            "artifactsAttempted": self.artifacts_attempted,
            "artifactsWritten": self.artifacts_written,
            "failures": [
                {
                    "writerId": r.writer_id,
                    "artifact": {"filename": r.filename, "type": types.get(r.filename, "unknown")},
                    "error": r.error,
                }
                for r in self.failures
            ],
            "writerSummaries": [s.to_json() for s in self.writer_summaries()],
            "durationMs": round(self.duration_ms, 3),
        }


class _Tally:
    """One writer's counts, summed result by result."""

    __slots__ = ("attempted", "duration_ms", "successes")

    def __init__(self) -> None:
        self.attempted = 0
        self.successes = 0
        self.duration_ms = 0.0

    def add(self, result: WriteResult) -> None:
        self.attempted += 1
        self.successes += result.status is WriteStatus.WRITTEN
        self.duration_ms += result.duration_ms

    def summary(self, writer_id: str) -> WriterSummary:
        return WriterSummary(
            writer_id=writer_id,
            attempted=self.attempted,
            successes=self.successes,
            failures=self.attempted - self.successes,
            duration_ms=self.duration_ms,
        )


class WriterFanout:
    """Hand every artifact to every writer, in registration order, isolating failures.

    This is the one place where a writer's exception is caught: it becomes a failed
    :class:`WriteResult` (exception type and message) and the remaining writers and artifacts
    carry on.  Each failing writer is logged once per :meth:`write` call (the first failure with
    its traceback, plus how many of its writes failed), however many artifacts it failed.

    Events: ``telemetry:artifact_failed`` per failed write and one ``telemetry:artifacts_written``
    summary per :meth:`write` call (see ``docs/events.md``), emitted on the thread that calls
    :meth:`write`, to the call's ``events`` sink or else to ``bus``.

    Args:
        writers: the writers; their ``id``s must be unique.
        bus: where to emit the events by default (an :class:`~worldstate.events.EventBus` or any
            :class:`~worldstate.writers.EventSink`), or ``None``.
        timer: a monotonic clock in seconds, for the durations.

    Raises:
        ValueError: two writers share an id.
    """

    def __init__(
        self,
        writers: Iterable[Writer],
        *,
        bus: EventSink | None = None,
        timer: Callable[[], float] = time.perf_counter,
    ) -> None:
        self.writers: tuple[Writer, ...] = tuple(writers)
        ids = [w.id for w in self.writers]
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        if repeated:
            raise ValueError(
                f"writer ids must be unique: {', '.join(map(repr, repeated))} used more than "
                f"once in {ids!r}; give each writer its own id= (they name writers in results, "
                "events and the manifest)"
            )
        self.bus = bus
        self._timer = timer
        self._kinds = tuple(writer_kind(w) for w in self.writers)

    def write(
        self,
        artifacts: Sequence[Artifact],
        *,
        folder: str | None = None,
        context: Mapping[str, Any] | None = None,
        events: EventSink | None = None,
    ) -> FanoutResult:
        """Write every artifact with every writer.

        Args:
            artifacts: what to write, in order.
            folder: a relative folder below each writer's root, or ``None``.
            context: extra data put into the events' ``context``.
            events: where this call's events go instead of the fan-out's ``bus`` (for example
                a :class:`~worldstate.writers.DeferredEvents` to emit them later elsewhere).

        Returns:
            One result per (artifact, writer) plus timings; never raises for a writer's failure.
        """
        timer = self._timer
        started = timer()
        results: list[WriteResult] = []
        first_errors: dict[str, BaseException | WriteResult] = {}
        for artifact in artifacts:
            for writer in self.writers:
                before = timer()
                result, raised = self._write_one(writer, artifact, folder)
                elapsed = (timer() - before) * 1000.0
                results.append(msgspec.structs.replace(result, duration_ms=max(0.0, elapsed)))
                if not result.ok:
                    first_errors.setdefault(writer.id, raised if raised is not None else result)
        outcome = FanoutResult(
            artifacts=tuple(artifacts),
            writer_ids=tuple(w.id for w in self.writers),
            results=tuple(results),
            duration_ms=max(0.0, (timer() - started) * 1000.0),
            writer_kinds=self._kinds,
        )
        _log_failures(outcome, first_errors)
        _report(outcome, dict(context or {}), events if events is not None else self.bus)
        return outcome

    def close(self) -> None:
        """Close every writer; one writer's failure to close does not stop the others."""
        for writer in self.writers:
            try:
                writer.close()
            except Exception:
                logger.exception("closing writer %r failed", writer.id)

    @staticmethod
    def _write_one(
        writer: Writer, artifact: Artifact, folder: str | None
    ) -> tuple[WriteResult, Exception | None]:
        try:
            return writer.write(artifact, folder=folder), None
        except Exception as exc:  # isolation: one writer never aborts its siblings
            return WriteResult.failed(writer.id, artifact.filename, exc), exc


def _log_failures(outcome: FanoutResult, first: Mapping[str, BaseException | WriteResult]) -> None:
    """One log record per failing writer: its first failure, and how many writes failed."""
    if not first:
        return
    for summary in outcome.writer_summaries():
        error = first.get(summary.writer_id)
        if error is None:
            continue
        of = f"{summary.failures} of {summary.attempted} writes"
        if isinstance(error, WriteResult):
            logger.warning(
                "writer %r failed %s; first: %r: %s",
                summary.writer_id,
                of,
                error.filename,
                error.error,
            )
        else:
            logger.error("writer %r raised on %s", summary.writer_id, of, exc_info=error)


def _report(outcome: FanoutResult, context: dict[str, Any], bus: EventSink | None) -> None:
    if bus is None:
        return
    failures = outcome.failures
    if failures and bus.has_listeners(ARTIFACT_FAILED):
        for failure in failures:
            bus.emit(
                ARTIFACT_FAILED,
                {
                    "writerId": failure.writer_id,
                    "filename": failure.filename,
                    "errorMessage": failure.error,
                    "context": context,
                },
            )
    if bus.has_listeners(ARTIFACTS_WRITTEN):
        bus.emit(
            ARTIFACTS_WRITTEN,
            {
                "artifactsAttempted": outcome.artifacts_attempted,
                "artifactsWritten": len(outcome.results) - len(failures),
                "failures": len(failures),
                "context": context,
                "durationMs": round(outcome.duration_ms, 3),
                "writerSummaries": [
                    {k: v for k, v in s.to_json().items() if k != "attempted"}
                    for s in outcome.writer_summaries()
                ],
                "writes": _writes_json(outcome),
            },
        )


def _writes_json(outcome: FanoutResult) -> list[dict[str, Any]]:
    """Every write in result order: who wrote what format, how it went and how many bytes.

    Results are artifact-major in writer order, so result ``i`` is writer ``i % writers`` and
    artifact ``i // writers``.
    """
    writers = len(outcome.writer_ids)
    kinds = outcome.writer_kinds or ("unknown",) * writers
    artifacts = outcome.artifacts
    return [
        {
            "writerId": r.writer_id,
            "writerKind": kinds[i % writers],
            "filename": r.filename,
            "format": artifacts[i // writers].type,
            "status": r.status.value,
            "bytes": r.size,
            "durationMs": round(r.duration_ms, 3),
        }
        for i, r in enumerate(outcome.results)
    ]
