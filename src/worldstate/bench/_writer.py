"""Writer fan-out benchmark: how long writing one export's artifacts takes.

Each iteration takes one summary of the workload, renders it in the default formats (three
artifacts; not timed) and times only :meth:`WriterFanout.write` with one
:class:`FileSystemWriter` into a new folder.  Three more figures put that in context:

* end to end: sanitise + render + write, timed together;
* durable: the same fan-out with ``durable=True`` (fsync of each file and of the folder);
* fsync baseline: the bare cost of writing three files with ``fsync`` and fsyncing their
  folder, without temp files or renames: what durability costs at the least;
* syscall floor: the same folder, temp files and renames as the plain fan-out done with bare
  ``os`` calls and no checks, results or events: what the disk costs on its own.

With ``otel=True`` a second plain fan-out runs beside the first, export by export in turns,
with :mod:`worldstate.otel`'s recorders subscribed to its bus and whatever OpenTelemetry
provider the process has (without an SDK configured: the API's no-op), so the two figures
show what attaching them costs.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from worldstate.artifacts import Artifact
from worldstate.errors import InputError
from worldstate.inspector import render_artifacts, sanitize_summary
from worldstate.writers import FanoutResult, FileSystemWriter, WriterFanout, normalise_content

__all__ = [
    "WriterBenchStats",
    "Timing",
    "load_summaries",
    "render_export",
    "run_writer_bench",
    "run_storage_bench",
]

Timer = Callable[[], float]

CHUNK = 25
"""Iterations per mode before switching to the next mode."""


@dataclass(frozen=True, slots=True)
class Timing:
    """Mean, min and max of a series of durations, in ms."""

    mean_ms: float
    min_ms: float
    max_ms: float

    @classmethod
    def of(cls, samples: Sequence[float]) -> Timing:
        """Summarise ``samples`` (ms); an empty series gives zeros."""
        if not samples:
            return cls(0.0, 0.0, 0.0)
        return cls(statistics.fmean(samples), min(samples), max(samples))


@dataclass(frozen=True, slots=True)
class WriterBenchStats:
    """The benchmark's figures.

    Attributes:
        iterations: exports written per mode.
        fanout: the timed fan-out (the reference's "Mean/Min/Max Duration").
        artifacts_attempted: artifacts handed to the fan-out (plain mode).
        artifacts_written: successful writes (plain mode).
        failures: failed writes (plain mode).
        end_to_end: sanitise + render + fan-out.
        durable: the fan-out with fsync of files and folder.
        fsync_baseline: three files written and fsynced plus one folder fsync, no renames.
        floor: the plain fan-out's system calls alone.
        otel: the plain fan-out with the OpenTelemetry recorders on its bus, timed in turns
            with ``fanout`` (``None`` unless asked for).
    """

    iterations: int
    fanout: Timing
    artifacts_attempted: int
    artifacts_written: int
    failures: int
    end_to_end: Timing
    durable: Timing
    fsync_baseline: Timing
    floor: Timing
    otel: Timing | None = None

    def to_json(self) -> dict[str, Any]:
        """Flat figures: ``mean_ms``, ``min_ms``, ``max_ms`` are the plain fan-out's; ``otel``
        is there when it was measured."""
        otel = {} if self.otel is None else {"otel": asdict(self.otel)}
        return {
            "iterations": self.iterations,
            "mean_ms": self.fanout.mean_ms,
            "min_ms": self.fanout.min_ms,
            "max_ms": self.fanout.max_ms,
            "artifacts_attempted": self.artifacts_attempted,
            "artifacts_written": self.artifacts_written,
            "failures": self.failures,
            "end_to_end": asdict(self.end_to_end),
            "durable": asdict(self.durable),
            "fsync_baseline": asdict(self.fsync_baseline),
            "syscall_floor": asdict(self.floor),
            **otel,
        }


def load_summaries(path: Path) -> list[tuple[str, Mapping[str, Any]]]:
    """Read the workload: one ``{"iteration", "prefix", "summary"}`` object per line.

    Raises:
        InputError: unreadable file or a malformed line (names file and line).
    """
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise InputError(f"cannot read summaries: {exc.strerror}", source=str(path)) from exc
    entries = []
    for number, line in enumerate(lines, start=1):
        if line.strip():
            entries.append(_summary_line(line, source=str(path), location=f"line {number}"))
    if not entries:
        raise InputError(
            'no summaries: expected one {"prefix": ..., "summary": {...}} object per line',
            source=str(path),
        )
    return entries


def _summary_line(line: str, *, source: str, location: str) -> tuple[str, Mapping[str, Any]]:
    try:
        item = json.loads(line)
    except ValueError as exc:
        raise InputError(f"not valid JSON: {exc}", source=source, location=location) from exc
    missing = [
        key for key in ("prefix", "summary") if not isinstance(item, dict) or key not in item
    ]
    if missing:
        raise InputError(
            f'expected a JSON object with "prefix" and "summary", missing {", ".join(missing)}',
            source=source,
            location=location,
        )
    return str(item["prefix"]), item["summary"]


def _chunks(iterations: int) -> list[range]:
    return [range(start, min(start + CHUNK, iterations)) for start in range(0, iterations, CHUNK)]


def render_export(prefix: str, summary: Mapping[str, Any], now: int) -> list[Artifact]:
    """Sanitise and render one summary in the default formats."""
    return render_artifacts(sanitize_summary(summary, now=now), prefix=prefix)


def run_writer_bench(
    summaries: Sequence[tuple[str, Mapping[str, Any]]],
    iterations: int,
    *,
    root: Path | None = None,
    now: int = 1761843600000,
    timer: Timer = time.perf_counter,
    otel: bool = False,
) -> WriterBenchStats:
    """Run every mode ``iterations`` times; each export goes into its own new folder.

    Args:
        summaries: the workload; iteration ``i`` uses entry ``i % len(summaries)``.
        iterations: exports per mode (>= 1).
        root: where to write (a fresh temp folder, removed afterwards, when ``None``).
        now: ``generatedAt`` for summaries without one.
        timer: a monotonic clock in seconds.
        otel: also time the plain fan-out with the OpenTelemetry recorders on its bus, in
            turns with the one without (needs ``worldstate[otel]``).

    Raises:
        ConfigurationError: ``otel`` without ``opentelemetry-api``.
    """
    if iterations < 1:
        raise ValueError(f"iterations must be >= 1, got {iterations}")
    picks = [summaries[i % len(summaries)] for i in range(iterations)]
    exports = [render_export(prefix, summary, now) for prefix, summary in picks]
    workdir = Path(tempfile.mkdtemp(prefix="worldstate-bench-")) if root is None else root
    plain: list[float] = []
    durable: list[float] = []
    end_to_end: list[float] = []
    baseline: list[float] = []
    floor: list[float] = []
    attempted = written = failed = 0
    plain_fanout = WriterFanout([FileSystemWriter(workdir / "plain")], timer=timer)
    durable_fanout = WriterFanout(
        [FileSystemWriter(workdir / "durable", durable=True)], timer=timer
    )
    e2e_fanout = WriterFanout([FileSystemWriter(workdir / "e2e")], timer=timer)
    otel_fanout = _recorded_fanout(workdir / "otel", timer) if otel else None
    recorded: list[float] = []
    try:
        # Flush writeback left by earlier work, then measure the plain fan-out before any fsync:
        # the durable modes force journal commits that would stall the plain writes after them.
        # Within a phase, modes alternate in chunks so that both see the same disk conditions.
        os.sync()
        for chunk in _chunks(iterations):
            for index in chunk:
                if (
                    otel_fanout is not None and index % 2
                ):  # in turns, each going first half the time
                    recorded.append(_time_fanout(otel_fanout, exports[index], index, timer)[1])
                result, elapsed = _time_fanout(plain_fanout, exports[index], index, timer)
                plain.append(elapsed)
                attempted += result.artifacts_attempted
                written += result.artifacts_written
                failed += len(result.failures)
                if otel_fanout is not None and not index % 2:
                    recorded.append(_time_fanout(otel_fanout, exports[index], index, timer)[1])
            floor += [_time_floor(exports[i], workdir / "floor", i, timer) for i in chunk]
        end_to_end += [
            _time_end_to_end(e2e_fanout, picks[i], i, now, timer) for i in range(iterations)
        ]
        for chunk in _chunks(iterations):
            durable += [_time_fanout(durable_fanout, exports[i], i, timer)[1] for i in chunk]
            baseline += [
                _time_fsync_baseline(exports[i], workdir / "baseline", i, timer) for i in chunk
            ]
    finally:
        if root is None:
            shutil.rmtree(workdir, ignore_errors=True)
    return WriterBenchStats(
        iterations=iterations,
        fanout=Timing.of(plain),
        artifacts_attempted=attempted,
        artifacts_written=written,
        failures=failed,
        end_to_end=Timing.of(end_to_end),
        durable=Timing.of(durable),
        fsync_baseline=Timing.of(baseline),
        floor=Timing.of(floor),
        otel=Timing.of(recorded) if otel else None,
    )


def _recorded_fanout(folder: Path, timer: Timer) -> WriterFanout:
    """A plain fan-out whose bus has the OpenTelemetry recorders of an export run on it."""
    from worldstate.events import EventBus
    from worldstate.otel import ExportMetrics, ExportSpans  # only when asked: needs the extra

    bus = EventBus()
    ExportMetrics().subscribe(bus)
    ExportSpans().subscribe(bus)
    return WriterFanout([FileSystemWriter(folder)], bus=bus, timer=timer)


def _time_fanout(
    fanout: WriterFanout, artifacts: Sequence[Artifact], index: int, timer: Timer
) -> tuple[FanoutResult, float]:
    started = timer()
    result = fanout.write(artifacts, folder=f"run-{index:04d}")
    return result, (timer() - started) * 1000.0


def _time_end_to_end(
    fanout: WriterFanout,
    pick: tuple[str, Mapping[str, Any]],
    index: int,
    now: int,
    timer: Timer,
) -> float:
    started = timer()
    fanout.write(render_export(pick[0], pick[1], now), folder=f"run-{index:04d}")
    return (timer() - started) * 1000.0


def _time_fsync_baseline(
    artifacts: Sequence[Artifact], root: Path, index: int, timer: Timer
) -> float:
    folder = root / f"run-{index:04d}"
    payloads = [(str(folder / a.filename), normalise_content(a.content)) for a in artifacts]
    started = timer()
    os.makedirs(folder, exist_ok=True)
    for path, data in payloads:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        try:
            os.write(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
    folder_fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(folder_fd)
    finally:
        os.close(folder_fd)
    return (timer() - started) * 1000.0


def _time_floor(artifacts: Sequence[Artifact], root: Path, index: int, timer: Timer) -> float:
    root.mkdir(parents=True, exist_ok=True)
    folder = str(root / f"run-{index:04d}")
    payloads = [(a.filename, normalise_content(a.content)) for a in artifacts]
    started = timer()
    os.mkdir(folder)
    for name, data in payloads:
        temp = f"{folder}/.{name}.tmp"
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        os.write(fd, data)
        os.close(fd)
        os.replace(temp, f"{folder}/{name}")
    return (timer() - started) * 1000.0


def run_storage_bench(
    summaries: Sequence[tuple[str, Mapping[str, Any]]],
    iterations: int,
    root: str,
    *,
    storage_options: Mapping[str, Any] | None = None,
    now: int = 1761843600000,
    timer: Timer = time.perf_counter,
) -> tuple[Timing, Timing]:
    """Time the fan-out into a storage URL, alternating in chunks with a local folder.

    Returns:
        ``(storage, local)`` timings of one export's writes (each into its own new folder).
    """
    from worldstate.storage import StorageWriter

    if iterations < 1:
        raise ValueError(f"iterations must be >= 1, got {iterations}")
    picks = [summaries[i % len(summaries)] for i in range(iterations)]
    exports = [render_export(prefix, summary, now) for prefix, summary in picks]
    remote = WriterFanout([StorageWriter(root, storage_options=storage_options)], timer=timer)
    workdir = Path(tempfile.mkdtemp(prefix="worldstate-bench-"))
    local = WriterFanout([FileSystemWriter(workdir)], timer=timer)
    remote_ms: list[float] = []
    local_ms: list[float] = []
    try:
        for chunk in _chunks(iterations):
            remote_ms += [_time_fanout(remote, exports[i], i, timer)[1] for i in chunk]
            local_ms += [_time_fanout(local, exports[i], i, timer)[1] for i in chunk]
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return Timing.of(remote_ms), Timing.of(local_ms)
