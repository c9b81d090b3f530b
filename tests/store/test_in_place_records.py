"""Quest records, dialogue transcripts, tutorial progress and inventory items are written in
place while nobody has seen them; whatever was handed out never changes."""

from __future__ import annotations

import json
from typing import Any

from worldstate.events import EventBus
from worldstate.store import WorldStore
from worldstate.store._transients import OWNED_LIMIT, Transients
from worldstate.store.slices import tutorial
from worldstate.store.slices._prefix import ListPrefix
from worldstate.store.slices.dialogue import DialogueSlice
from worldstate.store.slices.inventory import InventorySlice

from ._helpers import Harness


def _unpublished(world: Harness, key: str) -> Any:
    return world.store._state[key]  # peeked at without publishing


def _progress(world: Harness, quest_id: str, objective_id: str, progress: int) -> None:
    payload = {"questId": quest_id, "objectiveId": objective_id, "progress": progress}
    world.emit("objective:progress", {**payload, "target": 3})


class TestQuestRecords:
    def test_an_unseen_record_and_objective_are_updated_in_place(self) -> None:
        world = Harness()
        _progress(world, "q1", "o1", 1)
        record = _unpublished(world, "quest")["byId"]["q1"]
        objective = record["objectives"]["o1"]
        _progress(world, "q1", "o1", 2)
        _progress(world, "q1", "o2", 1)
        quests = world.store.state["quest"]
        assert quests["byId"]["q1"] is record and record["objectives"]["o1"] is objective
        assert (objective["progress"], objective["status"]) == (2, "in_progress")
        assert record["objectivesOrder"] == ["o1", "o2"]

    def test_a_published_record_never_changes(self) -> None:
        world = Harness()
        _progress(world, "q1", "o1", 1)
        seen = world.store.state["quest"]["byId"]["q1"]
        text = repr(seen)
        _progress(world, "q1", "o1", 3)
        world.emit("quest:completed", {"questId": "q1"})
        assert repr(seen) == text
        after = world.store.state["quest"]["byId"]["q1"]
        assert after is not seen and after["objectives"]["o1"]["status"] == "completed"
        assert after["status"] == "completed"


class TestRootState:
    def test_a_root_handed_out_never_changes(self) -> None:
        world = Harness()
        world.emit("story:flag:changed", {"flagId": "a", "value": True})
        seen = world.store.state
        slices = dict(seen)
        world.emit("story:flag:changed", {"flagId": "b", "value": True})
        assert dict(seen) == slices and all(seen[k] is slices[k] for k in slices)
        after = world.store.state
        assert after is not seen and after["story"] is not seen["story"]


class TestDialogueTranscripts:
    def test_an_unseen_transcript_is_appended_in_place_and_trimmed(self) -> None:
        world = Harness(slices=[DialogueSlice(history_limit=2)])
        line = {"npcId": "n1", "dialogueId": "d", "nodeId": "a", "text": "hi"}
        world.emit("dialogue:started", line)
        world.emit("dialogue:choice", {"npcId": "n1", "choiceId": "c1"})
        entries = _unpublished(world, "dialogue")["historyByNpc"]["n1"]
        world.emit("dialogue:choice", {"npcId": "n1", "choiceId": "c2"})
        seen = world.store.state["dialogue"]["historyByNpc"]["n1"]
        assert seen is entries and [e["choiceId"] for e in seen] == ["c1", "c2"]
        world.emit("dialogue:choice", {"npcId": "n1", "choiceId": "c3"})
        assert [e["choiceId"] for e in seen] == ["c1", "c2"]
        after = world.store.state["dialogue"]["historyByNpc"]["n1"]
        assert [e["choiceId"] for e in after] == ["c2", "c3"]


def _complete(world: Harness, step_id: str, at: int) -> None:
    world.emit("tutorial:step_completed", {"stepId": step_id}, at=at)


class TestTutorialProgress:
    def test_unseen_progress_is_appended_in_place(self) -> None:
        world = Harness()
        world.emit("tutorial:step_started", {"stepId": "a"}, at=10)
        _complete(world, "a", 20)
        internal = _unpublished(world, "tutorial")
        steps, timeline = internal["completedSteps"], internal["completedTimeline"]
        durations = internal["stepDurations"]
        _complete(world, "b", 30)
        state = world.store.state["tutorial"]
        assert state["completedSteps"] is steps and state["completedTimeline"] is timeline
        assert state["stepDurations"] is durations and steps == ["a", "b"]

    def test_each_snapshot_shows_its_own_moment(self) -> None:
        """Snapshots share the growing lists but show only what existed when taken."""
        world = Harness()
        world.emit("tutorial:step_started", {"stepId": "a"}, at=10)
        for n, step in enumerate(("a", "b", "c")):
            _complete(world, step, 20 + n)
        world.emit("tutorial:completed", {}, at=40)
        snapshots = world.store.select(tutorial.select_prompt_history_snapshots)
        assert [s["completedSteps"] for s in snapshots] == [
            ["a"],
            ["a", "b"],
            ["a", "b", "c"],
            ["a", "b", "c"],
        ]
        assert [list(s["analytics"]["completedTimeline"]) for s in snapshots][:2] == [
            ["a"],
            ["a", "b"],
        ]
        assert snapshots[-1]["metadata"] == {"completedSteps": ["a", "b", "c"]}
        _complete(world, "d", 50)
        section = world.store.snapshot()["tutorial"]
        assert [s["completedSteps"] for s in section["promptHistorySnapshots"]][-2:] == [
            ["a", "b", "c"],
            ["a", "b", "c", "d"],
        ]
        assert section["promptHistorySnapshots"][3]["metadata"] == {
            "completedSteps": ["a", "b", "c"]
        }

    def test_a_published_state_and_its_snapshots_never_change(self) -> None:
        world = Harness()
        world.emit("tutorial:step_started", {"stepId": "a"}, at=10)
        _complete(world, "a", 20)
        seen = world.store.state["tutorial"]
        text = repr(seen["completedSteps"]) + repr(tutorial.TutorialSlice().serialize(seen))
        _complete(world, "b", 30)
        _complete(world, "c", 40)
        assert repr(seen["completedSteps"]) + repr(tutorial.TutorialSlice().serialize(seen)) == (
            text
        )

    def test_a_step_already_in_the_timeline_is_changed_in_a_copy(self) -> None:
        """A hydrated timeline may name a step the list lacks: completing it rewrites that
        entry, which earlier snapshots must not see."""
        world = Harness()
        world.store.hydrate({"tutorial": {"completedTimeline": {"a": 1}}})
        _complete(world, "b", 20)
        _complete(world, "a", 30)
        snapshots = world.store.select(tutorial.select_prompt_history_snapshots)
        timelines = [s["analytics"]["completedTimeline"] for s in snapshots]
        assert timelines == [{"a": 1, "b": 20}, {"a": 30, "b": 20}]

    def test_completing_a_completed_step_of_a_long_list_changes_nothing(self) -> None:
        steps = [f"s{n}" for n in range(40)]
        world = Harness()
        world.store.hydrate({"tutorial": {"completedSteps": steps}})
        before = world.store.state
        _complete(world, "s39", 10)
        _complete(world, "s0", 11)
        assert world.store.state is before
        _complete(world, "new", 12)
        _complete(world, "new", 13)
        assert world.store.state["tutorial"]["completedSteps"] == [*steps, "new"]
        assert world.store.state["tutorial"]["completedTimeline"] == {"new": 12}

    def test_views_read_like_the_lists_and_dicts_they_show(self) -> None:
        world = Harness()
        _complete(world, "a", 20)
        _complete(world, "b", 30)
        snapshot = _unpublished(world, "tutorial")["promptHistorySnapshots"][0]
        assert snapshot["completedSteps"].__class__ is ListPrefix
        assert snapshot["completedSteps"] == ["a"] and list(snapshot["completedSteps"]) == ["a"]
        assert snapshot["completedSteps"][0] == "a" and len(snapshot["completedSteps"]) == 1
        assert dict(snapshot["analytics"]["completedTimeline"]) == {"a": 20}

    def test_readers_of_the_state_only_ever_meet_plain_json(self) -> None:
        """Views stay inside the store: the state handed out (``store.state``, listeners) is
        plain lists and dicts that ``json.dumps`` takes, each snapshot showing its moment."""
        world = Harness()
        for step, at in (("a", 20), ("b", 30), ("c", 40)):
            _complete(world, step, at)
        world.emit("tutorial:completed", {}, at=50)
        state = world.store.state["tutorial"]
        text = json.dumps(state)
        moments = [s["completedSteps"] for s in state["promptHistorySnapshots"]]
        assert moments == [["a"], ["a", "b"], ["a", "b", "c"], ["a", "b", "c"]]
        last = state["promptHistorySnapshots"][-1]
        assert type(last["metadata"]["completedSteps"]) is list
        assert type(last["analytics"]["completedTimeline"]) is dict
        _complete(world, "d", 60)
        assert json.dumps(state) == text  # what was handed out never changes

    def test_an_update_listener_gets_plain_json_too(self) -> None:
        world = Harness()
        dumped: list[str] = []
        world.store.on_update(lambda state, action: dumped.append(json.dumps(state["tutorial"])))
        _complete(world, "a", 20)
        _complete(world, "b", 30)
        assert len(dumped) == 2 and '"completedSteps": ["a"]' in dumped[1]

    def test_a_slice_shared_by_two_stores_makes_its_views_plain_at_once(self) -> None:
        shared = tutorial.TutorialSlice()
        stores = [WorldStore(EventBus(), slices=[shared]) for _ in range(2)]
        stores[0].bus.emit("tutorial:step_completed", {"stepId": "a"})
        snapshot = stores[0]._state["tutorial"]["promptHistorySnapshots"][-1]
        assert type(snapshot["completedSteps"]) is list and snapshot["completedSteps"] == ["a"]


def _add(world: Harness, item_id: str, **fields: Any) -> None:
    world.emit("inventory:item_added", {"id": item_id, **fields})


def _items(world: Harness) -> list[tuple[str, int]]:
    return [(item["id"], item["quantity"]) for item in world.store.state["inventory"]["items"]]


class TestInventoryItems:
    def test_unseen_items_are_written_in_place(self) -> None:
        world = Harness()
        _add(world, "a")
        items = _unpublished(world, "inventory")["items"]
        _add(world, "b")
        world.emit("inventory:item_updated", {"id": "a", "quantity": 4})
        assert world.store.state["inventory"]["items"] is items
        assert _items(world) == [("a", 4), ("b", 1)]

    def test_a_published_items_list_never_changes(self) -> None:
        world = Harness()
        _add(world, "a")
        _add(world, "b")
        seen = world.store.state["inventory"]["items"]
        text = repr(seen)
        _add(world, "c")
        world.emit("inventory:item_updated", {"id": "b", "quantity": 7})
        world.emit("inventory:item_removed", {"id": "a"})
        assert repr(seen) == text
        assert _items(world) == [("b", 7), ("c", 1)]

    def test_positions_follow_removals(self) -> None:
        """After an item leaves, the ones behind it are still found where they now are."""
        world = Harness()
        for item_id in ("a", "b", "c", "d"):
            _add(world, item_id, quantity=2)
        world.emit("inventory:item_added", {"id": "b", "quantityDelta": -5})  # drops to 0
        world.emit("inventory:item_removed", {"id": "a"})
        world.emit("inventory:item_updated", {"id": "d", "quantity": 9})
        _add(world, "c", quantityDelta=1)
        _add(world, "e")
        assert _items(world) == [("c", 3), ("d", 9), ("e", 1)]

    def test_hydrated_and_cleared_items_are_found(self) -> None:
        world = Harness()
        world.store.hydrate({"inventory": {"items": [{"id": "a"}, {"id": "b", "quantity": 2}]}})
        world.emit("inventory:item_updated", {"id": "b", "quantity": 5})
        assert _items(world) == [("a", 1), ("b", 5)]
        world.emit("inventory:cleared", {})
        _add(world, "b")
        _add(world, "b", quantityDelta=2)
        assert _items(world) == [("b", 3)]

    def test_removing_a_missing_item_still_clears_its_slot(self) -> None:
        world = Harness()
        _add(world, "a")
        world.emit("inventory:equipped", {"slot": "hand", "itemId": "ghost"})
        world.emit("inventory:item_removed", {"id": "ghost"})
        state = world.store.state["inventory"]
        assert state["equipped"] == {} and _items(world) == [("a", 1)]

    def test_a_slice_in_two_stores_keeps_each_stores_items(self) -> None:
        shared = InventorySlice()
        buses = EventBus(), EventBus()
        first, second = (WorldStore(bus, slices=[shared]) for bus in buses)
        for bus, item_id in ((buses[0], "a"), (buses[1], "x"), (buses[0], "b"), (buses[1], "a")):
            bus.emit("inventory:item_added", {"id": item_id})
        buses[0].emit("inventory:item_updated", {"id": "a", "quantity": 3})
        assert [(i["id"], i["quantity"]) for i in first.state["inventory"]["items"]] == [
            ("a", 3),
            ("b", 1),
        ]
        assert [i["id"] for i in second.state["inventory"]["items"]] == ["x", "a"]


class TestOwnedLimit:
    """A long replay nobody looks at holds a bounded number of lent-out containers."""

    def test_the_record_of_lent_containers_stays_bounded(self) -> None:
        writes = Transients()
        lent = [writes.writable_dict({"n": n}) for n in range(OWNED_LIMIT * 2 + 5)]
        assert len(writes._owned) <= OWNED_LIMIT
        assert writes.writable_dict(lent[-1]) is lent[-1]  # lent since the last forgetting
        again = writes.writable_dict(lent[0])  # forgotten: copied once more, never shared
        assert again is not lent[0] and again == lent[0]

    def test_a_long_unobserved_replay_keeps_its_memory_bounded(self) -> None:
        world = Harness()
        for n in range(OWNED_LIMIT + 500):
            world.emit("reputation:changed", {"factionId": f"f{n % 50}", "newFame": n})
            if n % 7 == 0:
                world.emit("faction:reputation_reset", {"reason": "again"})
        assert len(world.store._transients._owned) <= OWNED_LIMIT
        by_id = world.store.state["faction"]["byId"]
        assert by_id and all(record["fame"] >= 0 for record in by_id.values())
