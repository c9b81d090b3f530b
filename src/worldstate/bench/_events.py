"""The world-scale benchmark: every event type the default store handles, timed on a small and
on a large world, so that an event whose cost grows with the world shows."""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from typing import Any, Final

import msgspec

from worldstate.bench._stats import summarize_ns
from worldstate.clock import ManualClock
from worldstate.events import EventBus
from worldstate.store import WorldStore

__all__ = [
    "DEFAULT_LARGE",
    "DEFAULT_ROUNDS",
    "DEFAULT_SMALL",
    "LEFT_OUT",
    "EventScale",
    "EventScaleReport",
    "probe_events",
    "run_event_scale_bench",
    "world_events",
]

Event = tuple[str, dict[str, Any]]

LEFT_OUT: Final = {
    "faction:reputation_reset": "empties the faction slice",
    "inventory:cleared": "empties the inventory",
}
"""Events :func:`probe_events` leaves out, and why: timed round after round they would empty the
large world for every later probe, and their own cost is letting go of what was there."""


def world_events(size: int) -> list[Event]:
    """The events that build a world of ``size`` of everything: factions, NPCs, districts
    (with a restriction and a route each), quests (started, one objective), story flags,
    dialogues held, inventory items and tutorial steps (started and completed)."""
    events: list[Event] = []
    for i in range(size):
        events += [
            ("reputation:changed", {"factionId": f"f{i}", "newFame": i}),
            ("npc:registered", {"npcId": f"n{i}", "name": f"N{i}"}),
            ("district:registered", {"districtId": f"d{i}", "definition": {"name": f"D{i}"}}),
            ("district:restriction_set", {"districtId": f"d{i}", "restrictionId": f"r{i}"}),
            ("district:route_unlocked", {"districtId": f"d{i}", "routeId": f"rt{i}"}),
            ("quest:started", {"questId": f"q{i}", "title": f"Q{i}"}),
            ("objective:progress", {"questId": f"q{i}", "objectiveId": "o1", "target": 3}),
            ("story:flag:changed", {"flagId": f"flag{i}", "newValue": i}),
            ("dialogue:started", {"npcId": f"n{i}", "dialogueId": "d", "nodeId": "a"}),
            ("dialogue:ended", {"npcId": f"n{i}", "dialogueId": "d", "nodeId": "a"}),
            ("inventory:item_added", {"id": f"i{i}", "name": f"I{i}", "quantity": 1}),
            ("tutorial:step_started", {"stepId": f"s{i}", "stepIndex": i, "totalSteps": size}),
            ("tutorial:step_completed", {"stepId": f"s{i}", "stepIndex": i}),
        ]
    return events


def probe_events(size: int, round_: int) -> list[Event]:
    """One of each event type the default slices listen to (but :data:`LEFT_OUT`), on records
    in the middle of a world of ``size``; ``round_`` varies the values.  Some leave the state
    as it is after the first round (a step completed again): that path is timed then."""
    j = size // 2
    k = round_
    quest, npc, district = f"q{j}", f"n{j}", f"d{j}"
    talk = {"npcId": npc, "dialogueId": "d", "nodeId": "b"}
    return [
        ("reputation:changed", {"factionId": f"f{j}", "newFame": k}),
        ("faction:attitude_changed", {"factionId": f"f{j}", "newAttitude": "friendly"}),
        ("faction:member_removed", {"factionId": f"f{j}", "npcId": npc}),
        ("quest:registered", {"questId": f"new{k}", "title": "New"}),
        ("quest:started", {"questId": quest}),
        ("objective:progress", {"questId": quest, "objectiveId": "o1", "progress": k % 3}),
        ("objective:completed", {"questId": quest, "objectiveId": "o2"}),
        ("objective:blocked", {"questId": quest, "objectiveId": "o3", "reason": "locked"}),
        ("quest:completed", {"questId": quest}),
        ("quest:failed", {"questId": quest}),
        (
            "quest:npc_availability",
            {
                "npcId": npc,
                "available": k % 2 == 0,
                "objectives": [{"questId": quest, "objectiveId": "o4"}],
            },
        ),
        ("story:flag:changed", {"flagId": f"flag{j}", "newValue": k}),
        ("story:flag:removed", {"flagId": f"flag{j}"}),
        ("tutorial:started", {"totalSteps": size}),
        ("tutorial:step_started", {"stepId": f"s{j}", "stepIndex": j, "totalSteps": size}),
        ("tutorial:control_hint_updated", {"stepId": f"s{j}", "controlHint": f"hint {k}"}),
        ("tutorial:step_completed", {"stepId": f"s{j}", "stepIndex": j}),
        ("tutorial:skipped", {"stepId": f"s{j}", "stepIndex": j}),
        ("tutorial:completed", {"totalSteps": size, "completedSteps": size}),
        ("dialogue:started", {**talk, "nodeId": "a", "text": "hello"}),
        ("dialogue:node_changed", {**talk, "text": f"line {k}"}),
        ("dialogue:choice", {**talk, "choiceId": "c", "choiceText": "yes"}),
        ("dialogue:ended", talk),
        ("dialogue:completed", {**talk, "choiceId": "c"}),
        ("inventory:item_added", {"id": f"new{k}", "name": "New", "quantity": 1}),
        ("inventory:item_updated", {"id": f"i{j}", "quantityDelta": 1}),
        ("inventory:item_removed", {"id": f"new{k}"}),
        ("inventory:equipped", {"slot": "hand", "itemId": f"i{j}"}),
        ("inventory:selection_changed", {"itemId": f"i{j}", "index": j}),
        ("npc:registered", {"npcId": f"new{k}", "name": "New"}),
        ("npc:interviewed", {"npcId": npc, "dialogueId": "d"}),
        ("npc:recognized_player", {"npcId": npc}),
        ("npc:witnessed_crime", {"npcId": npc, "crimeType": "theft", "severity": 1}),
        ("npc:became_suspicious", {"npcId": npc, "reason": "loitering"}),
        ("npc:alerted", {"npcId": npc, "reason": "seen"}),
        ("district:registered", {"districtId": f"new{k}", "definition": {"name": "New"}}),
        ("district:control_changed", {"districtId": district, "controllingFaction": f"f{k}"}),
        ("district:stability_set", {"districtId": district, "stability": k % 100}),
        ("district:stability_adjusted", {"districtId": district, "delta": 1}),
        (
            "district:restriction_set",
            {"districtId": district, "restrictionId": f"r{j}", "active": k % 2 == 0},
        ),
        ("district:route_unlocked", {"districtId": district, "routeId": f"new{k}"}),
        ("district:fast_travel_set", {"districtId": district, "enabled": k % 2 == 0}),
    ]


class EventScale(msgspec.Struct, frozen=True):
    """One event type's median cost on each world, in µs per event."""

    event: str
    small_us: float
    large_us: float

    @property
    def growth(self) -> float:
        """How many times the large world's cost is the small world's."""
        return self.large_us / self.small_us if self.small_us > 0 else 0.0


class EventScaleReport(msgspec.Struct, frozen=True):
    """The two world sizes, the rounds timed and one row per event type (probe order)."""

    small: int
    large: int
    rounds: int
    events: tuple[EventScale, ...]


DEFAULT_SMALL: Final = 50
"""Records of each kind in the small world."""

DEFAULT_LARGE: Final = 5_000
"""Records of each kind in the large world."""

DEFAULT_ROUNDS: Final = 200
"""Rounds of one event of each type; the median round is reported."""


def run_event_scale_bench(
    small: int = DEFAULT_SMALL,
    large: int = DEFAULT_LARGE,
    *,
    rounds: int = DEFAULT_ROUNDS,
    timer: Callable[[], int] = time.perf_counter_ns,
) -> EventScaleReport:
    """Build a world of ``small`` and one of ``large`` of everything (untimed, then handed out
    once as a reader would), and time each event type ``rounds`` times on each, with the
    collector paused: the median per event type and world.  The two worlds take turns round by
    round (the first alternating), so a machine that slows down meanwhile slows both alike.

    Raises:
        ValueError: a size or ``rounds`` < 1, or ``small`` >= ``large``.
    """
    if small < 1 or rounds < 1 or large <= small:
        raise ValueError(f"need 1 <= small < large and rounds >= 1, got {small}, {large}, {rounds}")
    worlds = [_World(small), _World(large)]
    gc.collect()
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        for round_ in range(rounds):
            for world in worlds if round_ % 2 == 0 else worlds[::-1]:
                world.probe(round_, timer)
    finally:
        if was_enabled:
            gc.enable()
        for world in worlds:
            world.store.close()
    first, second = (world.medians() for world in worlds)
    rows = tuple(EventScale(event, first[event], second[event]) for event in first)
    return EventScaleReport(small, large, rounds, rows)


class _World:
    """A store holding a world of ``size`` of everything, and the times of its probes."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.bus = EventBus()
        self.clock = ManualClock(1)
        self.store = WorldStore(self.bus, clock=self.clock)
        emit = self.bus.emit
        for name, payload in world_events(size):
            emit(name, payload)
        _ = self.store.state  # handed out once: the first write of each container copies
        self.samples: dict[str, list[int]] = {}

    def probe(self, round_: int, timer: Callable[[], int]) -> None:
        emit, clock, samples = self.bus.emit, self.clock, self.samples
        for name, payload in probe_events(self.size, round_):
            clock.now += 1
            started = timer()
            emit(name, payload)
            samples.setdefault(name, []).append(timer() - started)

    def medians(self) -> dict[str, float]:
        return {name: summarize_ns(t).p50_ms * 1000 for name, t in self.samples.items()}
