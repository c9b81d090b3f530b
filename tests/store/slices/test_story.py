"""Story slice: setting and removing flags, hydrate, selectors."""

from __future__ import annotations

from worldstate.clock import ManualClock
from worldstate.events import EventBus
from worldstate.store import WorldStore
from worldstate.store.slices import story
from worldstate.store.slices.story import StorySlice


def make() -> tuple[EventBus, ManualClock, WorldStore]:
    bus, clock = EventBus(), ManualClock(100)
    return bus, clock, WorldStore(bus, clock=clock, slices=[StorySlice()])


class TestStory:
    def test_flag_changed_uses_new_value(self) -> None:
        """story:flag:changed stores newValue, metadata (default {}) and the time."""
        bus, _, store = make()
        bus.emit("story:flag:changed", {"flagId": "f", "newValue": False, "value": True})
        assert store.state["story"]["flags"]["f"] == {
            "value": False,
            "metadata": {},
            "updatedAt": 100,
        }

    def test_payload_timestamp_wins(self) -> None:
        """A timestamp in the event becomes the flag's updatedAt."""
        bus, _, store = make()
        bus.emit("story:flag:changed", {"flagId": "f", "newValue": 1, "timestamp": 5})
        assert store.state["story"]["flags"]["f"]["updatedAt"] == 5
        assert store.state["story"]["lastActionAt"] == 100

    def test_remove(self) -> None:
        """story:flag:removed deletes a set flag; an unknown one is a no-op."""
        bus, _, store = make()
        bus.emit("story:flag:changed", {"flagId": "f", "newValue": 1})
        before = store.state
        bus.emit("story:flag:removed", {"flagId": "nope"})
        assert store.state is before
        bus.emit("story:flag:removed", {"flagId": "f"})
        assert store.state["story"]["flags"] == {}

    def test_guard_without_id(self) -> None:
        """Without a flag id nothing changes."""
        bus, _, store = make()
        before = store.state
        bus.emit("story:flag:changed", {"newValue": 1})
        assert store.state is before

    def test_selectors(self) -> None:
        """select_flag, select_flags_by_prefix and select_current_act."""
        bus, _, store = make()
        for flag_id in ("act1_started", "act2_started", "met_guard"):
            bus.emit("story:flag:changed", {"flagId": flag_id, "newValue": True})
        assert store.select(story.select_flag, "met_guard") is True
        assert store.select(story.select_flag, "missing", 0) == 0
        assert sorted(store.select(story.select_flags_by_prefix, "act")) == [
            "act1_started",
            "act2_started",
        ]
        assert len(store.select(story.select_flags_by_prefix, "")) == 3
        assert store.select(story.select_current_act) == "act2"

    def test_hydrate(self) -> None:
        """Hydrate keeps flags and lastActionAt; serialise writes flags only."""
        slice_ = StorySlice()
        state = slice_.hydrate({"flags": {"f": {"value": 1}}, "lastActionAt": 9})
        assert state == {"flags": {"f": {"value": 1}}, "lastActionAt": 9}
        assert slice_.serialize(state) == {"flags": {"f": {"value": 1}}}
        assert slice_.hydrate(None) == slice_.initial_state()
