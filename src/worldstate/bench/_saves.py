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
from worldstate.saves import (
    CURRENT_SAVE_VERSION,
    SNAPSHOT_SOURCE,
    IndexEntry,
    SaveEnvelope,
    SaveManager,
    SaveMeta,
    SqliteSaveStorage,
    Synchronous,
    WorldSnapshotSource,
    encode_envelope,
    list_saves,
)

__all__ = [
    "SAVE_P50_TARGET_MS",
    "LatencyStats",
    "SaveBenchResult",
    "SaveBenchReport",
    "FixedSnapshot",
    "run_save_bench",
    "LIST_TARGET_MS",
    "SAVE_RATIO_TARGET",
    "SlotsBenchReport",
    "fill_slots",
    "run_slots_bench",
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
    """A :class:`WorldSnapshotSource` returning one snapshot and ignoring loads."""

    def __init__(self, snapshot: Mapping[str, Any]) -> None:
        self._snapshot = dict(snapshot)
        self._json = msgspec.json.encode(self._snapshot)

    def snapshot(self) -> dict[str, Any]:
        """The snapshot given at construction (a shallow copy)."""
        return dict(self._snapshot)

    def snapshot_json(self) -> bytes:
        """The snapshot as compact JSON, encoded once at construction."""
        return self._json

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


LIST_TARGET_MS = 50.0
SAVE_RATIO_TARGET = 1.5


class SlotsBenchReport(msgspec.Struct, frozen=True):
    """Save and list cost with many slots against a fresh database, measured side by side.

    Attributes:
        snapshot: where the saved world came from.
        slots: how many slots the full database holds.
        synchronous: the SQLite ``synchronous`` mode of both databases.
        iterations: timed rounds (each: one save in each database, one eviction, one listing).
        payload_bytes: the size of one save.
        fresh_save: overwriting one slot of an otherwise empty database.
        full_save: overwriting one slot of the database with ``slots`` slots.
        evicting_save: saving a new slot into the full database, which evicts the oldest.
        full_list: :func:`~worldstate.saves.list_saves` of the full database.
    """

    snapshot: str
    slots: int
    synchronous: str
    iterations: int
    payload_bytes: int
    fresh_save: LatencyStats
    full_save: LatencyStats
    evicting_save: LatencyStats
    full_list: LatencyStats
    list_target_ms: float = LIST_TARGET_MS
    save_ratio_target: float = SAVE_RATIO_TARGET

    @property
    def save_ratio(self) -> float:
        """Save p50 with ``slots`` slots over save p50 in a fresh database."""
        return round(self.full_save.p50_ms / max(self.fresh_save.p50_ms, 1e-9), 3)

    @property
    def meets_target(self) -> bool:
        """Listing p50 under its target and the save ratio within its target."""
        return (
            self.full_list.p50_ms <= self.list_target_ms
            and self.save_ratio <= self.save_ratio_target
        )


def fill_slots(storage: SqliteSaveStorage, snapshot_json: bytes, count: int) -> None:
    """Write ``count`` manual saves of the world ``snapshot_json`` in one transaction (slots
    ``filler-00000`` ..., timestamps 1 ... ``count``, older than anything the bench saves)."""
    with storage.transaction() as tx:
        for n in range(count):
            slot = f"filler-{n:05d}"
            meta = SaveMeta(snapshot_source=SNAPSHOT_SOURCE, slot_label=slot)
            envelope = SaveEnvelope(CURRENT_SAVE_VERSION, n + 1, 0, slot, {}, meta)
            payload = encode_envelope(envelope, game_data_json=snapshot_json)
            tx.put(IndexEntry.for_payload(envelope, payload), payload)


def _time(timer: Timer, call: Callable[[], object]) -> float:
    start = timer()
    call()
    return timer() - start


def run_slots_bench(
    snapshot: Mapping[str, Any],
    *,
    slots: int,
    snapshot_name: str = "<snapshot>",
    iterations: int = 200,
    warmup: int = 10,
    synchronous: Synchronous = "FULL",
    directory: Path | None = None,
    timer: Timer = time.perf_counter,
) -> SlotsBenchReport:
    """Time saves in a fresh database and in one holding ``slots`` saves, plus evicting saves
    and listings of the full one: one of each per round, in alternating order.

    Raises:
        ValueError: ``slots < 1`` or ``iterations < 1``.
    """
    if slots < 1 or iterations < 1:
        raise ValueError("slots and iterations must be >= 1")
    source = FixedSnapshot(snapshot)
    samples: dict[str, list[float]] = {"fresh": [], "full": [], "evict": [], "list": []}
    with (
        tempfile.TemporaryDirectory(dir=directory) as tmp,
        SqliteSaveStorage(Path(tmp) / "fresh.db", synchronous=synchronous) as fresh_db,
        SqliteSaveStorage(Path(tmp) / "full.db", synchronous=synchronous) as full_db,
    ):
        fill_slots(full_db, source.snapshot_json(), slots)
        clock = ManualClock(slots + 1)
        fresh = SaveManager(fresh_db, source, bus=EventBus(), clock=clock)
        full = SaveManager(full_db, source, bus=EventBus(), clock=clock, max_manual_slots=slots)
        for round_ in range(warmup + iterations):
            clock.advance(1)
            calls: list[tuple[str, Callable[[], object]]] = [
                ("fresh", lambda: fresh.save("bench")),
                ("full", lambda: full.save("bench")),
                ("evict", lambda: full.save(f"new-{clock()}")),
                ("list", lambda: list_saves(full_db)),
            ]
            if round_ % 2:  # alternate who goes first: neither database gets the warm cache
                calls.reverse()
            for name, call in calls:
                elapsed = _time(timer, call)
                if round_ >= warmup:
                    samples[name].append(elapsed)
        stored = fresh_db.read("bench")
        size = 0 if stored is None else stored.entry.size
    return SlotsBenchReport(
        snapshot=snapshot_name,
        slots=slots,
        synchronous=synchronous,
        iterations=iterations,
        payload_bytes=size,
        fresh_save=LatencyStats.of(samples["fresh"]),
        full_save=LatencyStats.of(samples["full"]),
        evicting_save=LatencyStats.of(samples["evict"]),
        full_list=LatencyStats.of(samples["list"]),
    )
