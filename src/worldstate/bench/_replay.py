"""The replay throughput benchmark: parse a JSONL event log, emit it, let a store reduce it."""

from __future__ import annotations

import gc
import math
import random
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final

import msgspec

from worldstate._collector import collector_paused
from worldstate.clock import ManualClock
from worldstate.events import EventBus
from worldstate.replay import RecordedEvent, iter_event_log, replay_events
from worldstate.store import WorldStore

__all__ = [
    "NpcWorld",
    "ReplayBenchResult",
    "WorldSizeBenchResult",
    "npc_world",
    "run_replay_bench",
    "run_world_size_bench",
]


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


NPC_EVENT_KINDS: Final[tuple[tuple[str, dict[str, Any]], ...]] = (
    ("npc:interviewed", {"dialogueId": "intro"}),
    ("npc:recognized_player", {}),
    ("npc:witnessed_crime", {"crimeType": "theft", "severity": 2}),
    ("npc:became_suspicious", {"reason": "loitering"}),
)
"""The npc updates of the world-size workload (an alert is left out: it freezes the status)."""


class NpcWorld(msgspec.Struct, frozen=True):
    """The world-size workload: ``setup`` registers the NPCs, ``updates`` is timed."""

    setup: tuple[RecordedEvent, ...]
    updates: tuple[RecordedEvent, ...]


def npc_world(world_size: int, updates: int, *, seed: int = 1) -> NpcWorld:
    """``world_size`` registered NPCs, then ``updates`` npc events on NPCs picked at random
    (seeded, so two runs replay the same events).

    Raises:
        ValueError: ``world_size`` or ``updates`` < 1.
    """
    if world_size < 1 or updates < 1:
        raise ValueError(f"world size and updates must be >= 1, got {world_size}, {updates}")
    pick = random.Random(seed).randrange
    setup = tuple(
        RecordedEvent(i, "npc:registered", {"npcId": f"npc_{i}", "name": f"NPC {i}"})
        for i in range(world_size)
    )
    events = []
    for i in range(updates):
        name, extra = NPC_EVENT_KINDS[i % len(NPC_EVENT_KINDS)]
        payload = {"npcId": f"npc_{pick(world_size)}", **extra}
        events.append(RecordedEvent(world_size + i, name, payload))
    return NpcWorld(setup, tuple(events))


class WorldSizeBenchResult(msgspec.Struct, frozen=True):
    """Timed npc updates over a world of ``world_size`` NPCs (best of the repetitions)."""

    world_size: int
    events: int
    seconds: float
    events_per_s: float
    us_per_event: float


def run_world_size_bench(
    world_size: int,
    *,
    updates: int = 20_000,
    repeat: int = 3,
    timer: Callable[[], float] = time.perf_counter,
) -> WorldSizeBenchResult:
    """Register ``world_size`` NPCs in a fresh store (untimed), then time ``updates`` npc
    events emitted on its bus; the best of ``repeat`` fresh stores is reported.

    Raises:
        ValueError: an argument is < 1.
    """
    if repeat < 1:
        raise ValueError(f"repeat must be >= 1, got {repeat!r}")
    world = npc_world(world_size, updates)
    best = math.inf
    for _ in range(repeat):
        bus = EventBus()
        clock = ManualClock()
        with WorldStore(bus, clock=clock):
            replay_events(world.setup, bus, clock)
            gc.collect()
            # Timed as the CLI replays a log: with the collector paused.
            with collector_paused():
                started = timer()
                replay_events(world.updates, bus, clock)
                best = min(best, timer() - started)
    return WorldSizeBenchResult(
        world_size, updates, best, updates / best if best > 0 else 0.0, best / updates * 1e6
    )
