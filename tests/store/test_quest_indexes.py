"""The quest slice's indexes: an NPC becoming available visits only the quests it may have
blocked (``NpcBlockHolders``), and a status change knows which status lists hold the quest
without scanning them (``StatusMembers``); both give what a scan gives, and whatever was handed
out never changes."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from worldstate.events import EventBus
from worldstate.store import WorldStore, default_slices
from worldstate.store.slices._quest_indexes import NpcBlockHolders, StatusList, StatusMembers
from worldstate.store.slices.quest import QuestSlice

from ._helpers import Harness


def _away(npc: str, *quests: str, at: int = 10) -> dict[str, Any]:
    objectives = [{"questId": q, "objectiveId": f"{q}_talk"} for q in quests]
    return {"npcId": npc, "available": False, "updatedAt": at, "objectives": objectives}


def _back(npc: str, at: int = 20) -> dict[str, Any]:
    return {"npcId": npc, "available": True, "updatedAt": at}


def _blocked_by(world: Harness, quest_id: str) -> list[Any]:
    quest = world.store.state["quest"]["byId"][quest_id]
    return sorted(entry["npcId"] for entry in quest["blockedObjectives"].values())


def _quest_slice(store: WorldStore) -> QuestSlice:
    return next(s for s in store.slices if isinstance(s, QuestSlice))


class TestRelease:
    def test_only_the_quests_an_npc_blocked_are_visited(self) -> None:
        world = Harness()
        for n in range(50):
            world.emit("quest:started", {"questId": f"q{n}"})
        world.emit("quest:npc_availability", _away("ana", "q3", "q7"))
        world.emit("quest:npc_availability", _away("bo", "q7"))
        holders = _quest_slice(world.store).npc_blocks
        by_id = world.store._state["quest"]["byId"]  # peeked at without publishing
        assert holders.of(by_id, "ana") == {"q3", "q7"}
        world.emit("quest:npc_availability", _back("ana"))
        assert _blocked_by(world, "q3") == [] and _blocked_by(world, "q7") == ["bo"]
        assert holders.of(world.store._state["quest"]["byId"], "ana") == set()

    def test_blocks_in_a_hydrated_snapshot_are_found(self) -> None:
        world = Harness()
        world.emit("quest:npc_availability", _away("ana", "q1"))  # indexes the old map
        blocked = {"o1": {"questId": "q2", "objectiveId": "o1", "npcId": "ana"}}
        snapshot = {
            "quests": {
                "byId": {
                    "q2": {"id": "q2", "status": "active", "blockedObjectives": blocked},
                    "q3": {"id": "q3", "status": "active", "blockedObjectives": {}},
                }
            }
        }
        world.store.hydrate(snapshot)
        world.emit("quest:npc_availability", _back("ana"))
        assert _blocked_by(world, "q2") == []
        assert "q1" not in world.store.state["quest"]["byId"]

    def test_blocks_in_a_hydrated_snapshot_survive_a_later_block(self) -> None:
        world = Harness()
        world.emit("quest:npc_availability", _away("ana", "q1"))  # indexes the old map
        blocked = {"o1": {"questId": "q2", "objectiveId": "o1", "npcId": "ana"}}
        world.store.hydrate(
            {"quests": {"byId": {"q2": {"id": "q2", "blockedObjectives": blocked}}}}
        )
        world.emit("quest:npc_availability", _away("ana", "q3"))
        world.emit("quest:npc_availability", _back("ana"))
        assert _blocked_by(world, "q2") == [] and _blocked_by(world, "q3") == []

    def test_a_block_lifted_by_progress_is_passed_over(self) -> None:
        world = Harness()
        world.emit("quest:npc_availability", _away("ana", "q1", "q2"))
        world.emit("objective:progress", {"questId": "q1", "objectiveId": "q1_talk", "progress": 1})
        before = world.store.state["quest"]["byId"]["q1"]
        world.emit("quest:npc_availability", _back("ana"))
        by_id = world.store.state["quest"]["byId"]
        assert by_id["q1"] is before  # nothing of it was held by ana any more
        assert _blocked_by(world, "q2") == []

    def test_a_slice_in_two_stores_releases_each_stores_blocks(self) -> None:
        slices = default_slices()
        first, second = EventBus(), EventBus()
        WorldStore(first, slices=slices)
        other = WorldStore(second, slices=slices)
        first.emit("quest:npc_availability", _away("ana", "q1"))
        second.emit("quest:npc_availability", _away("ana", "q2"))
        second.emit("quest:npc_availability", _back("ana"))
        assert other.state["quest"]["byId"]["q2"]["blockedObjectives"] == {}
        assert "q1" not in other.state["quest"]["byId"]

    def test_a_non_string_npc_id_in_a_snapshot_blocks_nothing(self) -> None:
        world = Harness()
        blocked = {"o1": {"npcId": ["ana"]}, "o2": {"npcId": "ana"}}
        world.store.hydrate(
            {"quests": {"byId": {"q1": {"id": "q1", "blockedObjectives": blocked}}}}
        )
        world.emit("quest:npc_availability", _back("ana"))
        assert list(world.store.state["quest"]["byId"]["q1"]["blockedObjectives"]) == ["o1"]


class TestInPlace:
    def test_the_unseen_availability_map_is_written_in_place(self) -> None:
        world = Harness()
        world.emit("quest:npc_availability", _away("ana", "q1"))
        records = world.store._state["quest"]["npcAvailability"]
        world.emit("quest:npc_availability", _back("bo"))
        assert world.store._state["quest"]["npcAvailability"] is records

    def test_what_was_handed_out_never_changes(self) -> None:
        world = Harness()
        world.emit("quest:npc_availability", _away("ana", "q1"))
        seen = world.store.state["quest"]
        text = json.dumps(seen, sort_keys=True)
        world.emit("quest:npc_availability", _back("ana"))
        world.emit("quest:npc_availability", _away("bo", "q1", "q2"))
        assert json.dumps(seen, sort_keys=True) == text
        assert _blocked_by(world, "q1") == ["bo"]


class _ScanEveryTime(NpcBlockHolders):
    """The index as if it had never seen a map: every release scans all quests."""

    def of(self, by_id: Mapping[str, Any], npc_id: str) -> set[str] | frozenset[str]:
        self._index(by_id)
        return super().of(by_id, npc_id)


_NPCS = st.sampled_from(["ana", "bo", "cy"])
_QUESTS = st.lists(st.sampled_from(["q1", "q2", "q3", "q4"]), max_size=3)
_EVENTS = st.lists(
    st.one_of(
        st.tuples(st.just("away"), _NPCS, _QUESTS),
        st.tuples(st.just("back"), _NPCS, st.just([])),
        st.tuples(st.just("progress"), st.just(""), _QUESTS),
        st.tuples(st.just("look"), st.just(""), st.just([])),
        st.tuples(st.just("reset"), st.just(""), st.just([])),
    ),
    max_size=40,
)


def _play(events: list[tuple[str, str, list[str]]], *, scan: bool) -> bytes:
    world = Harness()
    if scan:
        _quest_slice(world.store).npc_blocks = _ScanEveryTime()
    for at, (kind, npc, quests) in enumerate(events, 1):
        world.clock.set(at)
        if kind == "away":
            world.emit("quest:npc_availability", _away(npc, *quests, at=at))
        elif kind == "back":
            world.emit("quest:npc_availability", _back(npc, at=at))
        elif kind == "progress":
            for quest in quests:
                payload = {"questId": quest, "objectiveId": f"{quest}_talk", "progress": 1}
                world.emit("objective:progress", payload)
        elif kind == "look":
            _ = world.store.state  # hands the state out: the next write copies
        else:
            world.store.hydrate(world.store.snapshot())
    return world.store.snapshot_json()


@settings(max_examples=150, deadline=None)
@given(_EVENTS)
def test_the_index_gives_what_a_scan_of_every_quest_gives(
    events: list[tuple[str, str, list[str]]],
) -> None:
    assert _play(events, scan=False) == _play(events, scan=True)


class _CountEveryTime(StatusMembers):
    """The index as if no list had been seen before: every status change indexes afresh."""

    def of(self, key: str, ids: list[Any]) -> StatusList | None:
        self._lists.pop(key, None)
        return super().of(key, ids)


_STATUS_EVENTS = st.lists(
    st.one_of(
        st.tuples(st.sampled_from(["quest:started", "quest:completed", "quest:failed"]), _QUESTS),
        st.tuples(st.just("look"), st.just([])),
        st.tuples(st.just("duplicates"), _QUESTS),
    ),
    max_size=40,
)


def _play_statuses(events: list[tuple[str, list[str]]], *, recount: bool) -> bytes:
    world = Harness()
    if recount:
        _quest_slice(world.store).status_members = _CountEveryTime()
    for kind, quests in events:
        if kind == "look":
            _ = world.store.state
        elif kind == "duplicates":  # a snapshot may list an id twice
            snapshot = world.store.snapshot()
            snapshot["quests"]["activeIds"] = [*snapshot["quests"]["activeIds"], *quests, *quests]
            world.store.hydrate(snapshot)
        else:
            for quest in quests:
                world.emit(kind, {"questId": quest})
    return world.store.snapshot_json()


@settings(max_examples=150, deadline=None)
@given(_STATUS_EVENTS)
def test_the_status_counts_give_what_a_scan_gives(events: list[tuple[str, list[str]]]) -> None:
    assert _play_statuses(events, recount=False) == _play_statuses(events, recount=True)


class TestStatusLists:
    def test_a_quest_moves_between_lists_and_duplicates_go(self) -> None:
        world = Harness()
        snapshot = {"quests": {"activeIds": ["q1", "q2", "q1"], "completedIds": ["q2"]}}
        world.store.hydrate(snapshot)
        world.emit("quest:completed", {"questId": "q1"})
        quests = world.store.state["quest"]
        assert (quests["activeIds"], quests["completedIds"]) == (["q2"], ["q2", "q1"])
        world.emit("quest:started", {"questId": "q2"})
        quests = world.store.state["quest"]
        assert (quests["activeIds"], quests["completedIds"]) == (["q2"], ["q1"])

    def test_unseen_lists_are_written_in_place_and_seen_ones_never_change(self) -> None:
        world = Harness()
        world.emit("quest:started", {"questId": "q1"})
        active = world.store._state["quest"]["activeIds"]  # peeked at without publishing
        world.emit("quest:started", {"questId": "q2"})
        assert world.store._state["quest"]["activeIds"] is active
        seen = world.store.state["quest"]["activeIds"]
        world.emit("quest:completed", {"questId": "q1"})
        assert seen == ["q1", "q2"]
        assert world.store.state["quest"]["activeIds"] == ["q2"]

    def test_a_list_holding_an_unhashable_entry_is_scanned(self) -> None:
        """Only a state made by hand can hold one; it is still read correctly."""
        slice_ = QuestSlice()
        state = {**slice_.initial_state(), "activeIds": [["odd"], "q1", "q1"]}
        action = slice_.events["quest:completed"]({"questId": "q1"}, 5)
        assert action is not None
        after = slice_.reduce(state, action)
        assert after["activeIds"] == [["odd"]] and after["completedIds"] == ["q1"]
