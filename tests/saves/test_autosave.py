"""Autosave triggers, throttles and the game-loop interval, with a ManualClock; the QA burst."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from tests.saves.conftest import World

from worldstate.errors import SaveError
from worldstate.saves import (
    AUTOSAVE_BURST_COMPLETED,
    Autosaver,
    AutosaveSettings,
    MemorySaveStorage,
    SaveManager,
    is_major_objective,
    run_autosave_burst,
)
from worldstate.testing import capture_events

MakeWorld = Callable[[], World]


class Harness:
    """A world, a manager over memory storage, an autosaver, and the game:saved log."""

    def __init__(self, world: World, settings: AutosaveSettings | None = None) -> None:
        self.world = world
        self.manager = SaveManager(
            MemorySaveStorage(), world.store, bus=world.bus, clock=world.clock
        )
        self.autosaver = Autosaver(self.manager, world.bus, settings=settings)
        self.saved: list[dict[str, Any]] = []
        world.bus.on("game:saved", lambda _name, payload: self.saved.append(payload))
        self.autosaver.start()

    def emit(self, event: str, payload: Any = None) -> int:
        self.world.bus.emit(event, payload if payload is not None else {})
        return len(self.saved)


@pytest.fixture(name="harness")
def _harness(make_world: MakeWorld) -> Iterator[Harness]:
    harness = Harness(make_world())
    yield harness
    harness.autosaver.close(final_save=False)


class TestTriggers:
    @pytest.mark.parametrize("event", ["quest:completed", "area:entered", "case:completed"])
    def test_always_triggers(self, harness: Harness, event: str) -> None:
        """Quest and case completion and entering an area each autosave, every time."""
        assert harness.emit(event, {"questId": "q"}) == 1
        assert harness.emit(event, {"questId": "q"}) == 2
        assert {s["slot"] for s in harness.saved} == {"autosave"}

    def test_sustained_quest_completions(self, harness: Harness) -> None:
        """40 quest completions in a row give 40 saves with non-decreasing timestamps."""
        for _ in range(40):
            harness.world.clock.advance(3)
            harness.emit("quest:completed", {"questId": "q"})
        stamps = [s["timestamp"] for s in harness.saved]
        assert len(stamps) == 40 and stamps == sorted(stamps)

    @pytest.mark.parametrize(
        ("objective", "major"),
        [
            ("solve_the_case", True),
            ("Discover_Hideout", True),
            ("UNLOCK-door", True),
            ("confront", True),
            ("complete_report", True),
            ("collect_clue", False),
            ("talk_to_marlo", False),
            (None, False),
        ],
    )
    def test_major_objectives_only(self, harness: Harness, objective: Any, major: bool) -> None:
        """objective:completed saves only for major objectives (keyword match)."""
        assert is_major_objective(objective) is major
        assert harness.emit("objective:completed", {"objectiveId": objective}) == int(major)

    def test_inventory_is_throttled(self, harness: Harness) -> None:
        """Inventory changes save at most once per second, counting any successful save."""
        clock = harness.world.clock
        assert harness.emit("inventory:item_added", {"id": "a"}) == 1
        clock.advance(999)
        assert harness.emit("inventory:item_removed", {"id": "a"}) == 1
        clock.advance(1)
        assert harness.emit("inventory:item_updated", {"id": "a"}) == 2
        clock.advance(600)
        harness.emit("area:entered")  # a successful save restarts the throttle window
        clock.advance(600)
        assert harness.emit("inventory:item_added", {"id": "b"}) == 3
        clock.advance(400)
        assert harness.emit("inventory:item_added", {"id": "c"}) == 4

    def test_disabled_stops_everything(self, harness: Harness) -> None:
        """With autosave disabled no event and no tick saves."""
        harness.autosaver.enabled = False
        harness.world.clock.advance(10_000_000)
        for event in ("quest:completed", "area:entered", "case:completed", "inventory:item_added"):
            harness.emit(event, {"objectiveId": "solve"})
        harness.emit("objective:completed", {"objectiveId": "solve"})
        assert harness.autosaver.tick() is False
        assert harness.saved == []

    def test_min_interval_drops_close_event_saves(self, make_world: MakeWorld) -> None:
        """min_interval_ms skips event autosaves that follow a save too closely."""
        harness = Harness(make_world(), AutosaveSettings(min_interval_ms=5_000))
        assert harness.emit("quest:completed") == 1
        harness.world.clock.advance(4_999)
        assert harness.emit("area:entered") == 1
        harness.world.clock.advance(1)
        assert harness.emit("area:entered") == 2

    def test_close_saves_once_more_and_unsubscribes(self, harness: Harness) -> None:
        """close() makes a final autosave, then events no longer trigger."""
        harness.autosaver.close()
        assert len(harness.saved) == 1
        assert harness.emit("quest:completed") == 1


class TestInterval:
    def test_tick_saves_each_interval(self, harness: Harness) -> None:
        """tick() saves once interval_ms has passed since start or the last interval save."""
        clock = harness.world.clock
        clock.advance(299_999)
        assert harness.autosaver.tick() is False
        clock.advance(1)
        assert harness.autosaver.tick() is True
        assert harness.autosaver.update() is False  # the timer restarted
        clock.advance(300_000)
        assert harness.autosaver.tick() is True
        assert len(harness.saved) == 2

    def test_failed_autosave_is_reported_not_raised(self, harness: Harness) -> None:
        """An autosave that fails emits game:save_failed; the trigger does not raise."""
        failures = capture_events(harness.world.bus, "game:save_failed")

        class Broken(MemorySaveStorage):
            def transaction(self) -> Any:
                raise SaveError("disk full")

        harness.manager.storage = Broken()
        harness.world.clock.advance(300_000)
        assert harness.autosaver.tick() is False
        assert failures.payloads == [{"slot": "autosave", "error": "disk full"}]


class TestBurst:
    def test_summary_results_and_event(self, make_world: MakeWorld) -> None:
        """A burst saves N times, reports per-iteration results and emits one event."""
        world = make_world()
        manager = SaveManager(MemorySaveStorage(), world.store, bus=world.bus, clock=world.clock)
        events = capture_events(world.bus, AUTOSAVE_BURST_COMPLETED)
        calls: list[tuple[int, bool, str]] = []
        pauses: list[float] = []

        def observer(number: int, ok: bool, slot: str) -> None:
            calls.append((number, ok, slot))
            raise RuntimeError("observer bug")  # must not stop the burst

        summary = run_autosave_burst(
            manager,
            iterations=3,
            slot="QA Burst",
            delay_ms=25,
            collect_results=True,
            on_iteration=observer,
            export=lambda: {"artifacts": 2},
            sleep=pauses.append,
        )
        expected = {
            "iterations": 3,
            "failures": 0,
            "slot": "qa-burst",
            "results": [{"iteration": n, "success": True} for n in (1, 2, 3)],
            "exportResult": {"artifacts": 2},
        }
        assert summary.to_dict() == expected and events.payloads == [expected]
        assert calls == [(1, True, "qa-burst"), (2, True, "qa-burst"), (3, True, "qa-burst")]
        assert pauses == [0.025, 0.025]
        assert manager.exists("qa-burst")

    def test_failures_are_counted(self, make_world: MakeWorld) -> None:
        """Failed saves count as failures; optional keys are omitted when not asked for."""
        world = make_world()

        class Broken(MemorySaveStorage):
            def transaction(self) -> Any:
                raise SaveError("read-only medium")

        manager = SaveManager(Broken(), world.store, bus=world.bus, clock=world.clock)
        summary = run_autosave_burst(manager, iterations=2)
        assert summary.to_dict() == {"iterations": 2, "failures": 2, "slot": "autosave"}

    @pytest.mark.parametrize(("iterations", "delay"), [(0, 0), (1, -1)])
    def test_bad_arguments(self, make_world: MakeWorld, iterations: int, delay: int) -> None:
        """Zero iterations or a negative delay are refused."""
        world = make_world()
        manager = SaveManager(MemorySaveStorage(), world.store, bus=world.bus, clock=world.clock)
        with pytest.raises(ValueError, match="iterations"):
            run_autosave_burst(manager, iterations=iterations, delay_ms=delay)
