"""Save/load latency benchmark over a world snapshot (default: the dispatch workload's seed).

Each configuration writes the same slot ``iterations`` times into a fresh SQLite database and
reads it back after every write, timing each call separately:

* ``save``: :meth:`SaveManager.save` end to end (world snapshot + contributors, msgspec encode,
  SHA-256, one ``BEGIN IMMEDIATE`` ... ``COMMIT`` with the WAL fsync when ``synchronous=FULL``);
* ``load``: :meth:`SaveManager.load` end to end (read, checksum, decode, hydrate).

Scenarios: ``payload`` saves a fixed snapshot (isolates the save path's own cost), ``store``
saves a live ``WorldStore`` hydrated from the snapshot (adds ``snapshot()``/``hydrate()``).
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import msgspec

from worldstate.clock import ManualClock
from worldstate.events import EventBus
from worldstate.saves import SaveManager, SqliteSaveStorage, WorldSnapshotSource
from worldstate.saves._sqlite import Synchronous

__all__ = [
    "SAVE_P50_TARGET_MS",
    "LatencyStats",
    "SaveBenchResult",
    "SaveBenchReport",
    "FixedSnapshot",
    "run_save_bench",
]

SAVE_P50_TARGET_MS = 2.0
Timer = Callable[[], float]


class LatencyStats(msgspec.Struct, frozen=True):
    """Latency percentiles in milliseconds."""

    p50_ms: float
    p99_ms: float
    mean_ms: float
    min_ms: float
    max_ms: float

    @classmethod
    def of(cls, seconds: Sequence[float]) -> LatencyStats:
        """Summarise a list of durations in seconds (nearest-rank percentiles)."""
        ordered = sorted(s * 1000 for s in seconds)

        def rank(p: float) -> float:
            return ordered[min(len(ordered) - 1, max(0, round(p * len(ordered)) - 1))]

        return cls(
            p50_ms=round(rank(0.50), 4),
            p99_ms=round(rank(0.99), 4),
            mean_ms=round(sum(ordered) / len(ordered), 4),
            min_ms=round(ordered[0], 4),
            max_ms=round(ordered[-1], 4),
        )


class SaveBenchResult(msgspec.Struct, frozen=True):
    """One configuration: scenario, SQLite ``synchronous`` mode, payload size, latencies."""

    scenario: str
    synchronous: str
    iterations: int
    payload_bytes: int
    save: LatencyStats
    load: LatencyStats


class SaveBenchReport(msgspec.Struct, frozen=True):
    """All configurations, and whether durable saves meet the p50 target."""

    snapshot: str
    results: tuple[SaveBenchResult, ...]
    target_save_p50_ms: float = SAVE_P50_TARGET_MS

    def target_by_scenario(self) -> dict[str, bool]:
        """For each scenario: does its durable (``FULL``) save p50 meet the target?"""
        return {
            r.scenario: r.save.p50_ms <= self.target_save_p50_ms
            for r in self.results
            if r.synchronous == "FULL"
        }

    @property
    def meets_target(self) -> bool:
        """Every measured scenario's durable (``FULL``) save p50 meets the target.

        ``payload`` is the save path alone; ``store`` also takes the snapshot of a live store.
        """
        verdicts = self.target_by_scenario()
        return bool(verdicts) and all(verdicts.values())


class FixedSnapshot:
    """A :class:`WorldSnapshotSource` returning one snapshot (shallow copy) and ignoring loads."""

    def __init__(self, snapshot: Mapping[str, Any]) -> None:
        self._snapshot = dict(snapshot)

    def snapshot(self) -> dict[str, Any]:
        """The snapshot given at construction (a shallow copy, as the store returns)."""
        return dict(self._snapshot)

    def hydrate(self, data: Mapping[str, Any], *, source: str | None = None) -> None:
        """Accept and drop ``data``."""


def _store_source(snapshot: Mapping[str, Any]) -> WorldSnapshotSource:
    from worldstate.store import WorldStore

    store = WorldStore(EventBus(), clock=ManualClock(0))
    store.hydrate(snapshot, source="bench snapshot")
    return store


_SCENARIOS: dict[str, Callable[[Mapping[str, Any]], WorldSnapshotSource]] = {
    "payload": FixedSnapshot,
    "store": _store_source,
}


def _one(
    source: WorldSnapshotSource, db: Path, sync: Synchronous, iterations: int, timer: Timer
) -> tuple[list[float], list[float], int]:
    saves: list[float] = []
    loads: list[float] = []
    size = 0
    clock = ManualClock(0)
    with SqliteSaveStorage(db, synchronous=sync) as storage:
        manager = SaveManager(storage, source, bus=EventBus(), clock=clock)
        for _ in range(iterations):
            clock.advance(1)
            start = timer()
            size = manager.save("bench").size
            saves.append(timer() - start)
            start = timer()
            manager.load("bench")
            loads.append(timer() - start)
    return saves, loads, size


def run_save_bench(
    snapshot: Mapping[str, Any],
    *,
    snapshot_name: str = "<snapshot>",
    iterations: int = 200,
    warmup: int = 10,
    scenarios: Sequence[str] = ("payload", "store"),
    modes: Sequence[Synchronous] = ("FULL", "NORMAL"),
    directory: Path | None = None,
    timer: Timer = time.perf_counter,
) -> SaveBenchReport:
    """Time saves and loads of ``snapshot`` for each scenario and ``synchronous`` mode.

    Args:
        snapshot: the world snapshot to save.
        snapshot_name: where it came from (for the report).
        iterations: timed save+load pairs per configuration.
        warmup: untimed pairs first (page cache, WAL growth).
        scenarios: ``payload`` and/or ``store`` (see the module docs).
        modes: SQLite ``synchronous`` settings to measure.
        directory: where to create the databases (default: a temporary folder).
        timer: a monotonic clock in seconds.

    Raises:
        ValueError: ``iterations < 1`` or an unknown scenario.
    """
    if iterations < 1:
        raise ValueError("iterations must be >= 1")
    unknown = set(scenarios) - set(_SCENARIOS)
    if unknown:
        raise ValueError(f"unknown scenarios {sorted(unknown)}; known: {sorted(_SCENARIOS)}")
    results = []
    with tempfile.TemporaryDirectory(dir=directory) as tmp:
        for scenario in scenarios:
            source = _SCENARIOS[scenario](snapshot)
            for sync in modes:
                db = Path(tmp) / f"{scenario}-{sync.lower()}.db"
                _one(source, db, sync, warmup, timer)
                saves, loads, size = _one(source, db, sync, iterations, timer)
                results.append(
                    SaveBenchResult(
                        scenario=scenario,
                        synchronous=sync,
                        iterations=iterations,
                        payload_bytes=size,
                        save=LatencyStats.of(saves),
                        load=LatencyStats.of(loads),
                    )
                )
    return SaveBenchReport(snapshot=snapshot_name, results=tuple(results))
