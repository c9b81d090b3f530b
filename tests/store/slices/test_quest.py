"""The quest slice: event builders, reducers, limits, snapshots and selectors."""

from __future__ import annotations

import json
from typing import Any

import msgspec
import pytest

from worldstate.store._selectors import SelectorCache
from worldstate.store._slice import Action
from worldstate.store.slices.quest import (
    NPC_AVAILABILITY_HISTORY_LIMIT,
    QuestSlice,
    select_active_quests,
    select_quest_by_id,
)
from worldstate.testing import reduce_event

State = dict[str, Any]


@pytest.fixture(name="quests")
def _quests() -> QuestSlice:
    return QuestSlice()


def registered(quests: QuestSlice) -> State:
    return reduce_event(
        quests,
        quests.initial_state(),
        "quest:registered",
        {
            "questId": "q1",
            "title": "Hollow Alarm",
            "type": "main",
            "metadata": {"act": "act2"},
            "objectives": [
                {"id": "o1", "description": "Inspect", "trigger": {"count": 3}},
                {"id": "o2", "title": "Talk", "optional": True, "tags": ["x"]},
                {"title": "no id: skipped"},
            ],
        },
        100,
    )


class TestQuestRegistered:
    def test_creates_record_with_objectives(self, quests: QuestSlice) -> None:
        """Registration creates a not-started quest with normalised objectives in order."""
        state = registered(quests)
        quest = state["byId"]["q1"]
        assert quest["status"] == "not_started"
        assert quest["act"] == "act2"
        assert quest["objectivesOrder"] == ["o1", "o2"]
        assert quest["objectives"]["o1"] == {
            "id": "o1",
            "title": "Inspect",
            "description": "Inspect",
            "optional": False,
            "hidden": False,
            "target": 3,
            "metadata": {"trigger": {"count": 3}, "tags": []},
            "progress": 0,
            "status": "pending",
            "blocked": None,
        }
        assert quest["objectives"]["o2"]["optional"] is True
        assert state["lastActionAt"] == 100
        assert state["activeIds"] == []

    def test_second_registration_is_a_no_op(self, quests: QuestSlice) -> None:
        """Registering a known quest returns the very same state."""
        state = registered(quests)
        again = reduce_event(
            quests, state, "quest:registered", {"questId": "q1", "title": "New"}, 200
        )
        assert again is state

    def test_without_quest_id_changes_nothing(self, quests: QuestSlice) -> None:
        """An event without questId is dispatched (as in the reference) but changes nothing."""
        state = quests.initial_state()
        assert reduce_event(quests, state, "quest:registered", {"title": "?"}, 1) is state
        assert reduce_event(quests, state, "quest:started", {}, 1) is state
        assert reduce_event(quests, state, "objective:progress", {"questId": "q"}, 1) is state

    def test_payload_is_copied(self, quests: QuestSlice) -> None:
        """Mutating the event payload afterwards does not reach the state."""
        payload: dict[str, Any] = {"questId": "q", "metadata": {"k": [1]}, "rewards": {"xp": 5}}
        state = reduce_event(quests, quests.initial_state(), "quest:registered", payload, 1)
        payload["metadata"]["k"].append(2)
        payload["rewards"]["xp"] = 0
        assert state["byId"]["q"]["metadata"] == {"k": [1]}
        assert state["byId"]["q"]["rewards"] == {"xp": 5}


class TestQuestStatus:
    def test_start_complete_fail_move_the_id(self, quests: QuestSlice) -> None:
        """Status actions set the status and timestamp and move the id between lists."""
        state = reduce_event(quests, registered(quests), "quest:started", {"questId": "q1"}, 200)
        assert state["byId"]["q1"]["status"] == "active"
        assert state["byId"]["q1"]["startedAt"] == 200
        assert state["activeIds"] == ["q1"]
        state = reduce_event(
            quests, state, "quest:completed", {"questId": "q1", "rewards": {"xp": 9}}, 300
        )
        assert (state["activeIds"], state["completedIds"]) == ([], ["q1"])
        assert state["byId"]["q1"]["completedAt"] == 300
        assert state["byId"]["q1"]["rewards"] == {"xp": 9}
        state = reduce_event(quests, state, "quest:failed", {"questId": "q1", "reason": "x"}, 400)
        assert (state["completedIds"], state["failedIds"]) == ([], ["q1"])
        assert state["byId"]["q1"]["failedAt"] == 400

    def test_start_of_unknown_quest_creates_it(self, quests: QuestSlice) -> None:
        """Starting an unregistered quest creates its record with the event's title."""
        state = reduce_event(
            quests, quests.initial_state(), "quest:started", {"questId": "z", "title": "Z"}, 5
        )
        assert state["byId"]["z"]["title"] == "Z"
        assert state["byId"]["z"]["objectives"] == {}

    def test_other_domain_is_ignored(self, quests: QuestSlice) -> None:
        """A quest-typed action of another domain returns the same state."""
        state = quests.initial_state()
        action = Action("QUEST_STARTED", "story", {"questId": "q"}, 1)
        assert quests.reduce(state, action) is state


class TestObjectives:
    def test_progress_then_completion(self, quests: QuestSlice) -> None:
        """Progress marks in_progress, reaching the target completes the objective."""
        state = registered(quests)
        state = reduce_event(
            quests,
            state,
            "objective:progress",
            {"questId": "q1", "objectiveId": "o1", "progress": 1},
            2,
        )
        objective = state["byId"]["q1"]["objectives"]["o1"]
        assert (objective["status"], objective["progress"], objective["target"]) == (
            "in_progress",
            1,
            3,
        )
        assert objective["blocked"] is None
        state = reduce_event(
            quests,
            state,
            "objective:progress",
            {"questId": "q1", "objectiveId": "o1", "progress": 3},
            3,
        )
        assert state["byId"]["q1"]["objectives"]["o1"]["status"] == "completed"

    def test_progress_on_new_objective_appends_it(self, quests: QuestSlice) -> None:
        """An unknown objective is created with target from the event and added to the order."""
        state = reduce_event(
            quests,
            quests.initial_state(),
            "objective:progress",
            {"questId": "q", "objectiveId": "new", "progress": 1, "target": 2},
            7,
        )
        quest = state["byId"]["q"]
        assert quest["status"] == "not_started"
        assert quest["objectivesOrder"] == ["new"]
        assert quest["objectives"]["new"]["metadata"] == {}
        assert quest["objectives"]["new"]["title"] == "new"

    def test_completed_drops_blocked_key(self, quests: QuestSlice) -> None:
        """objective:completed sets progress to the target and removes the blocked key."""
        state = reduce_event(
            quests,
            registered(quests),
            "objective:completed",
            {"questId": "q1", "objectiveId": "o1", "target": 3},
            4,
        )
        objective = state["byId"]["q1"]["objectives"]["o1"]
        assert objective["status"] == "completed"
        assert objective["progress"] == 3
        assert "blocked" not in objective

    def test_blocked_then_progress_clears_block(self, quests: QuestSlice) -> None:
        """A block is recorded on objective, quest and lastBlocked; progress lifts it."""
        state = reduce_event(
            quests,
            registered(quests),
            "objective:blocked",
            {
                "questId": "q1",
                "objectiveId": "o2",
                "reason": "missing_item",
                "requirements": ["key"],
                "blockedMessage": "Need a key",
                "eventData": {"a": 1},
            },
            50,
        )
        quest = state["byId"]["q1"]
        assert quest["objectives"]["o2"]["status"] == "blocked"
        assert quest["objectives"]["o2"]["blocked"] == {
            "reason": "missing_item",
            "requirement": None,
            "requirements": ["key"],
            "message": "Need a key",
            "eventType": None,
            "eventData": {"a": 1},
            "recordedAt": 50,
        }
        assert quest["blockedObjectives"]["o2"]["questTitle"] == "Hollow Alarm"
        assert quest["lastBlockedAt"] == 50
        assert quest["lastBlocked"]["reason"] == "missing_item"
        state = reduce_event(
            quests,
            state,
            "objective:progress",
            {"questId": "q1", "objectiveId": "o2", "progress": 0},
            60,
        )
        quest = state["byId"]["q1"]
        assert "blocked" not in quest["objectives"]["o2"]
        assert quest["objectives"]["o2"]["status"] == "in_progress"
        assert quest["blockedObjectives"] == {}

    def test_previous_state_is_not_mutated(self, quests: QuestSlice) -> None:
        """Reducers build new containers; the old state's objectives are untouched."""
        before = registered(quests)
        frozen = json.dumps(before)
        reduce_event(
            quests,
            before,
            "objective:progress",
            {"questId": "q1", "objectiveId": "o1", "progress": 3},
            9,
        )
        reduce_event(quests, before, "objective:blocked", {"questId": "q1", "objectiveId": "o2"}, 9)
        assert json.dumps(before) == frozen


def availability(npc: str, available: bool, ts: int, **extra: Any) -> dict[str, Any]:
    return {"npcId": npc, "npcName": npc.upper(), "available": available, "updatedAt": ts, **extra}


class TestNpcAvailability:
    def test_action_timestamp_is_updated_at(self, quests: QuestSlice) -> None:
        """The builder stamps the action with updatedAt, falling back to now."""
        action = quests.events["quest:npc_availability"](availability("n", False, 77), 5)
        assert action is not None and action.timestamp == 77
        action = quests.events["quest:npc_availability"]({"npcId": "n", "objectives": "bad"}, 5)
        assert action is not None and action.timestamp == 5
        assert action.payload["objectives"] == []
        assert action.payload["available"] is False

    def test_unavailable_blocks_and_available_releases(self, quests: QuestSlice) -> None:
        """Objectives listed while the NPC is away are blocked, then released on return."""
        objective = {"questId": "q1", "objectiveId": "o2", "objectiveTitle": "Talk"}
        state = reduce_event(
            quests,
            registered(quests),
            "quest:npc_availability",
            availability("n", False, 10, objectives=[objective, {"questId": "q1"}]),
            10,
        )
        quest = state["byId"]["q1"]
        blocked = quest["blockedObjectives"]["o2"]
        assert blocked["reason"] == "npc_unavailable"
        assert blocked["npcId"] == "n" and blocked["npcName"] == "N"
        assert quest["lastBlocked"]["npcId"] == "n"
        record = state["npcAvailability"]["n"]
        assert record["available"] is False and record["reason"] == "unavailable"
        assert len(record["objectives"]) == 1
        assert state["npcAvailabilityHistory"][0]["objectiveCount"] == 1
        state = reduce_event(
            quests, state, "quest:npc_availability", availability("n", True, 20), 20
        )
        quest = state["byId"]["q1"]
        assert quest["blockedObjectives"] == {}
        assert quest["lastBlocked"] is None and quest["lastBlockedAt"] is None
        assert state["npcAvailability"]["n"]["reason"] == "availability_restored"
        assert state["npcAvailability"]["n"]["npcName"] == "N"

    def test_history_is_newest_first_and_bounded(self, quests: QuestSlice) -> None:
        """The availability history keeps the newest 20 changes, newest first."""
        state = quests.initial_state()
        for ts in range(1, 26):
            state = reduce_event(
                quests, state, "quest:npc_availability", availability("n", ts % 2 == 0, ts), ts
            )
        history = state["npcAvailabilityHistory"]
        assert len(history) == NPC_AVAILABILITY_HISTORY_LIMIT
        assert [entry["recordedAt"] for entry in history] == list(range(25, 5, -1))

    def test_without_npc_id_changes_nothing(self, quests: QuestSlice) -> None:
        """No npcId: the reducer returns the same state."""
        state = quests.initial_state()
        assert (
            reduce_event(quests, state, "quest:npc_availability", {"available": True}, 1) is state
        )


class TestQuestSnapshot:
    def test_serialize_omits_last_action_at_and_round_trips(self, quests: QuestSlice) -> None:
        """serialize drops lastActionAt; hydrate(serialize(x)) serialises identically."""
        state = reduce_event(quests, registered(quests), "quest:started", {"questId": "q1"}, 3)
        section = quests.serialize(state)
        assert list(section) == [
            "byId",
            "activeIds",
            "completedIds",
            "failedIds",
            "npcAvailability",
            "npcAvailabilityHistory",
        ]
        hydrated = quests.hydrate(json.loads(json.dumps(section)))
        assert json.dumps(quests.serialize(hydrated)) == json.dumps(section)
        assert hydrated["lastActionAt"] is None
        assert quests.hydrate(None) == quests.initial_state()

    def test_serialize_is_a_view_without_last_action_at(self, quests: QuestSlice) -> None:
        """The section shares the (immutable) state, leaving the state's own keys alone."""
        state = registered(quests)
        section = quests.serialize(state)
        assert "lastActionAt" not in section
        assert "lastActionAt" in state
        assert section["byId"] is state["byId"]

    @pytest.mark.parametrize(
        ("section", "path"),
        [
            ({"byId": []}, "$.byId"),
            ({"activeIds": "q1"}, "$.activeIds"),
            ({"byId": {"q": {"objectivesOrder": {}}}}, "$.byId[...].objectivesOrder"),
        ],
    )
    def test_schema_rejects_wrong_types(self, quests: QuestSlice, section: Any, path: str) -> None:
        """The snapshot schema rejects a wrong type and names its JSON path."""
        with pytest.raises(msgspec.ValidationError) as caught:
            msgspec.convert(section, quests.snapshot_schema)
        assert str(caught.value).endswith(f"- at `{path}`")


class TestQuestSelectors:
    def test_active_quests_and_by_id(self, quests: QuestSlice) -> None:
        """Selectors read the active quests in order and one quest by id, memoised per cache."""
        state = reduce_event(quests, registered(quests), "quest:started", {"questId": "q1"}, 3)
        root = {"quest": state}
        cache = SelectorCache()
        active = cache.run(select_active_quests, root, ())
        assert [quest["id"] for quest in active] == ["q1"]
        assert cache.run(select_active_quests, {"quest": state}, ()) is active
        assert select_quest_by_id(root, "q1") is state["byId"]["q1"]
        assert select_quest_by_id(root, "nope") is None
        later = reduce_event(quests, state, "quest:completed", {"questId": "q1"}, 4)
        assert cache.run(select_active_quests, {"quest": later}, ()) == []
