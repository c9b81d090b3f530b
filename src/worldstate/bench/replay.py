"""The replay throughput benchmark: parse a JSONL event log, emit it, let a store reduce it."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from pathlib import Path

import msgspec

from worldstate.clock import ManualClock
from worldstate.events import EventBus
from worldstate.replay import iter_event_log, replay_events
from worldstate.store import WorldStore

__all__ = ["ReplayBenchResult", "run_replay_bench"]


class ReplayBenchResult(msgspec.Struct, frozen=True):
    """Events replayed (over all repetitions), the time it took, and the rate."""

    events: int
    seconds: float
    events_per_s: float


AUTO_REPEAT_EVENTS = 100_000
"""With no ``repeat`` given, replay the log often enough to time at least this many events."""


def run_replay_bench(
    path: Path,
    *,
    repeat: int | None = None,
    timer: Callable[[], float] = time.perf_counter,
) -> ReplayBenchResult:
    """Replay ``path`` ``repeat`` times, each time into a fresh bus and store.

    One untimed replay comes first: it warms caches and counts the events, so that with
    ``repeat=None`` the log is replayed often enough to time at least
    :data:`AUTO_REPEAT_EVENTS` events (a 300-event log takes about 2 ms, too short to time
    alone).  Only parsing, emitting and dispatching are timed (building the store is not).

    Raises:
        EventLogError: the log is malformed.
        ValueError: ``repeat`` < 1.
    """
    if repeat is not None and repeat < 1:
        raise ValueError(f"repeat must be >= 1, got {repeat!r}")
    warmup = _replay_once(path, timer)
    if repeat is None:
        repeat = math.ceil(AUTO_REPEAT_EVENTS / warmup.events) if warmup.events else 1
    events = 0
    seconds = 0.0
    for _ in range(repeat):
        stats = _replay_once(path, timer)
        events += stats.events
        seconds += stats.seconds
    rate = events / seconds if seconds > 0 else 0.0
    return ReplayBenchResult(events, seconds, rate)


class _Timed(msgspec.Struct, frozen=True):
    events: int
    seconds: float


def _replay_once(path: Path, timer: Callable[[], float]) -> _Timed:
    bus = EventBus()
    clock = ManualClock()
    with WorldStore(bus, clock=clock):
        started = timer()
        stats = replay_events(iter_event_log(path), bus, clock)
        elapsed = timer() - started
    return _Timed(stats.events, elapsed)
