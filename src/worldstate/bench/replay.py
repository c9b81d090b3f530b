"""The replay throughput benchmark: parse a JSONL event log, emit it, let a store reduce it."""

from __future__ import annotations

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


def run_replay_bench(
    path: Path, *, repeat: int = 1, timer: Callable[[], float] = time.perf_counter
) -> ReplayBenchResult:
    """Replay ``path`` ``repeat`` times, each time into a fresh bus and store.

    Only parsing, emitting and dispatching are timed (building the store is not).

    Raises:
        EventLogError: the log is malformed.
        ValueError: ``repeat`` < 1.
    """
    if repeat < 1:
        raise ValueError(f"repeat must be >= 1, got {repeat!r}")
    events = 0
    seconds = 0.0
    for _ in range(repeat):
        bus = EventBus()
        clock = ManualClock()
        with WorldStore(bus, clock=clock):
            started = timer()
            stats = replay_events(iter_event_log(path), bus, clock)
            seconds += timer() - started
        events += stats.events
    rate = events / seconds if seconds > 0 else 0.0
    return ReplayBenchResult(events, seconds, rate)
