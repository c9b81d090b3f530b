"""worldstate.testing: the helpers games use in their own tests."""

from __future__ import annotations

import doctest

import pytest

import worldstate.testing._events
from worldstate.events import EventBus
from worldstate.store.slices import FactionSlice, NpcSlice
from worldstate.testing import capture_events, reduce_event


def test_capture_events_records_matching_events_in_order() -> None:
    bus = EventBus()
    events = capture_events(bus, "telemetry:*")
    bus.emit("telemetry:a", {"n": 1})
    bus.emit("game:ignored", {})
    bus.emit("telemetry:b", {"n": 2})
    bus.emit("telemetry:a", {"n": 3})
    assert events.names == ["telemetry:a", "telemetry:b", "telemetry:a"]
    assert events.named("telemetry:a") == [{"n": 1}, {"n": 3}]
    assert events.payloads == [{"n": 1}, {"n": 2}, {"n": 3}]
    assert events.payload("telemetry:b") == {"n": 2}
    with pytest.raises(AssertionError, match="expected one 'telemetry:a' event, got 2"):
        events.payload("telemetry:a")


def test_reduce_event_builds_and_reduces_as_the_store_does() -> None:
    factions = FactionSlice()
    state = factions.initial_state()
    changed = reduce_event(
        factions,
        state,
        "faction:attitude_changed",
        {"factionId": "harbor_union", "newAttitude": "hostile"},
        1234,
    )
    assert changed is not state
    assert factions.serialize(changed) != factions.serialize(state)
    assert "harbor_union" in str(factions.serialize(changed))


def test_reduce_event_refuses_an_event_the_slice_does_not_handle() -> None:
    with pytest.raises(KeyError):
        reduce_event(FactionSlice(), {}, "tutorial:started", {}, 0)


def test_the_docstring_examples_run() -> None:
    assert doctest.testmod(worldstate.testing._events).failed == 0


def test_reduce_event_fails_when_the_builder_builds_no_action() -> None:
    """An event the slice ignores is a failed call, not a silently unchanged state."""
    npcs = NpcSlice()
    with pytest.raises(AssertionError, match="'npc:registered' built no action"):
        reduce_event(npcs, npcs.initial_state(), "npc:registered", {"npcName": "no id"}, 0)
