"""Faction slice: every action, limits, cascades, hydrate and selectors."""

from __future__ import annotations

import pytest

from worldstate.clock import ManualClock
from worldstate.events import EventBus
from worldstate.store import Action, WorldStore
from worldstate.store.slices import faction
from worldstate.store.slices.faction import FactionSlice


def make() -> tuple[EventBus, ManualClock, WorldStore]:
    bus, clock = EventBus(), ManualClock(100)
    return bus, clock, WorldStore(bus, clock=clock, slices=[FactionSlice()])


class TestReputation:
    def test_creates_record_with_defaults(self) -> None:
        """The first reputation change creates a full record."""
        bus, _, store = make()
        bus.emit("reputation:changed", {"factionId": "a", "newFame": 5, "deltaFame": 5})
        assert store.state["faction"]["byId"]["a"] == {
            "id": "a",
            "fame": 5,
            "infamy": 0,
            "attitude": "neutral",
            "lastDelta": {"fame": 5, "infamy": 0},
            "lastReason": None,
            "updatedAt": 100,
            "lastAttitudeChange": None,
            "attitudeHistory": [],
            "lastCascade": None,
            "cascadeCount": 0,
            "cascadeSources": [],
        }
        assert store.state["faction"]["lastActionAt"] == 100

    def test_missing_values_keep_current(self) -> None:
        """newFame/newInfamy absent keep the current values; deltas default to 0."""
        bus, clock, store = make()
        bus.emit("reputation:changed", {"factionId": "a", "newFame": 5, "newInfamy": 2})
        clock.set(200)
        bus.emit("reputation:changed", {"factionId": "a", "reason": "bribe", "deltaInfamy": 0})
        record = store.state["faction"]["byId"]["a"]
        assert (record["fame"], record["infamy"], record["lastReason"]) == (5, 2, "bribe")
        assert record["lastDelta"] == {"fame": 0, "infamy": 0}
        assert record["updatedAt"] == 200

    def test_without_faction_id_nothing_changes(self) -> None:
        """A reputation change without a faction id is ignored."""
        bus, _, store = make()
        before = store.state
        bus.emit("reputation:changed", {"newFame": 5})
        assert store.state is before


class TestAttitude:
    def test_change_record_and_history(self) -> None:
        """An attitude change is recorded as lastAttitudeChange and in the history."""
        bus, _, store = make()
        bus.emit(
            "faction:attitude_changed",
            {
                "factionId": "a",
                "factionName": "A",
                "newAttitude": "hostile",
                "oldAttitude": "neutral",
            },
        )
        record = store.state["faction"]["byId"]["a"]
        change = {
            "factionId": "a",
            "factionName": "A",
            "newAttitude": "hostile",
            "oldAttitude": "neutral",
            "cascade": False,
            "sourceFactionId": None,
            "sourceFactionName": None,
            "occurredAt": 100,
        }
        assert record["attitude"] == "hostile"
        assert record["lastAttitudeChange"] == change
        assert record["attitudeHistory"] == [change]
        assert record["cascadeCount"] == 0
        assert store.state["faction"]["lastCascadeEvent"] is None

    def test_missing_new_attitude_keeps_current(self) -> None:
        """Without newAttitude the attitude stays and the change records it."""
        bus, _, store = make()
        bus.emit("faction:attitude_changed", {"factionId": "a"})
        assert store.state["faction"]["byId"]["a"]["lastAttitudeChange"]["newAttitude"] == "neutral"

    def test_history_keeps_last_ten(self) -> None:
        """attitudeHistory keeps the newest 10 changes."""
        bus, clock, store = make()
        for n in range(13):
            clock.set(n)
            bus.emit("faction:attitude_changed", {"factionId": "a", "newAttitude": f"att{n}"})
        history = store.state["faction"]["byId"]["a"]["attitudeHistory"]
        assert [h["occurredAt"] for h in history] == list(range(3, 13))

    def test_cascade(self) -> None:
        """A cascade updates lastCascade, cascadeCount, sources (as a set) and the slice event."""
        bus, clock, store = make()
        for source, at in (("s1", 1), ("s2", 2), ("s1", 3)):
            clock.set(at)
            bus.emit(
                "faction:attitude_changed",
                {
                    "factionId": "t",
                    "factionName": "Target",
                    "newAttitude": "hostile",
                    "oldAttitude": "neutral",
                    "cascade": True,
                    "source": source,
                    "sourceFactionName": source.upper(),
                },
            )
        record = store.state["faction"]["byId"]["t"]
        assert record["cascadeCount"] == 3
        assert record["cascadeSources"] == ["s1", "s2"]
        assert record["lastCascade"] == {
            "sourceFactionId": "s1",
            "sourceFactionName": "S1",
            "occurredAt": 3,
            "newAttitude": "hostile",
        }
        assert store.state["faction"]["lastCascadeEvent"] == {
            "targetFactionId": "t",
            "targetFactionName": "Target",
            "sourceFactionId": "s1",
            "sourceFactionName": "S1",
            "newAttitude": "hostile",
            "oldAttitude": "neutral",
            "occurredAt": 3,
        }
        summary = store.select(faction.select_cascade_summary)
        assert summary["cascadeTargets"] == [
            {
                "factionId": "t",
                "cascadeCount": 3,
                "lastCascade": record["lastCascade"],
                "sources": ["s1", "s2"],
            }
        ]


class TestResetAndRemovals:
    def test_reset_clears_everything(self) -> None:
        """A reputation reset empties byId, the cascade event and the removals."""
        bus, clock, store = make()
        bus.emit("faction:attitude_changed", {"factionId": "a", "cascade": True, "source": "b"})
        bus.emit("faction:member_removed", {"factionId": "a", "npcId": "n"})
        clock.set(500)
        bus.emit("faction:reputation_reset", {"reason": "new_game_plus", "initiatedBy": "qa"})
        assert store.state["faction"] == {
            "byId": {},
            "lastActionAt": 500,
            "lastResetAt": 500,
            "lastResetReason": "new_game_plus",
            "lastResetInitiatedBy": "qa",
            "lastCascadeEvent": None,
            "recentMemberRemovals": [],
        }
        assert store.select(faction.select_faction_last_reset) == {
            "at": 500,
            "reason": "new_game_plus",
            "initiatedBy": "qa",
        }

    def test_member_removed_keeps_last_ten_with_dispatch_time(self) -> None:
        """Removals keep the newest 10; removedAt is the dispatch time, not the event's."""
        bus, clock, store = make()
        for n in range(12):
            clock.set(1000 + n)
            bus.emit(
                "faction:member_removed",
                {"factionId": "a", "npcId": f"n{n}", "entityId": n, "removedAt": 5},
            )
        removals = store.select(faction.select_recent_member_removals)
        assert [r["npcId"] for r in removals] == [f"n{n}" for n in range(2, 12)]
        assert removals[-1] == {
            "factionId": "a",
            "factionName": None,
            "npcId": "n11",
            "entityId": 11,
            "tag": None,
            "removedAt": 1011,
        }
        assert store.state["faction"]["lastActionAt"] == 1011


class TestHydrateAndSelectors:
    def test_hydrate_fills_record_defaults(self) -> None:
        """A sparse record gets the default fields; null fame becomes 0."""
        slice_ = FactionSlice()
        state = slice_.hydrate({"byId": {"a": {"fame": None, "attitude": "ally"}}})
        record = state["byId"]["a"]
        assert record["id"] == "a"
        assert record["fame"] == 0
        assert record["attitude"] == "ally"
        assert record["attitudeHistory"] == []
        assert state["recentMemberRemovals"] == []

    def test_hydrate_none_is_initial(self) -> None:
        """An absent section gives the initial state."""
        assert FactionSlice().hydrate(None) == FactionSlice().initial_state()

    def test_lookup_selectors(self) -> None:
        """by-id, attitude, overview and history selectors."""
        bus, _, store = make()
        bus.emit("faction:attitude_changed", {"factionId": "a", "newAttitude": "hostile"})
        assert store.select(faction.select_faction_by_id, "a")["attitude"] == "hostile"
        assert store.select(faction.select_faction_by_id, "zz") is None
        assert store.select(faction.select_faction_attitude, "a") == "hostile"
        assert store.select(faction.select_faction_attitude, "zz") == "neutral"
        assert [r["id"] for r in store.select(faction.select_faction_overview)] == ["a"]
        assert len(store.select(faction.select_faction_attitude_history, "a")) == 1
        assert store.select(faction.select_faction_attitude_history, "zz") == []

    def test_other_actions_are_ignored(self) -> None:
        """Unknown action types leave the state identical."""
        slice_ = FactionSlice()
        state = slice_.initial_state()
        assert slice_.reduce(state, Action("NOPE", "faction", {}, 1)) is state

    def test_limits_validated(self) -> None:
        """Limits below 1 are refused."""
        with pytest.raises(ValueError):
            FactionSlice(attitude_history_limit=0)
