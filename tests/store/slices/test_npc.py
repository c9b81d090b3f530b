"""The npc slice: guards, status transitions, limits, snapshots and selectors."""

from __future__ import annotations

import json
from typing import Any

import msgspec
import pytest

from worldstate.events import EventBus
from worldstate.store import WorldStore
from worldstate.store._selectors import SelectorCache
from worldstate.store._slice import Action
from worldstate.store.slices.npc import (
    CHANGE_LOG_LIMIT,
    HISTORY_LIMIT,
    NpcSlice,
    select_npc_summaries,
    select_root,
)
from worldstate.testing import reduce_event

State = dict[str, Any]


@pytest.fixture(name="npcs")
def _npcs() -> NpcSlice:
    return NpcSlice()


class TestNpcGuards:
    @pytest.mark.parametrize(
        "event",
        [
            "npc:registered",
            "npc:interviewed",
            "npc:recognized_player",
            "npc:witnessed_crime",
            "npc:became_suspicious",
            "npc:alerted",
        ],
    )
    def test_no_npc_id_dispatches_nothing(self, npcs: NpcSlice, event: str) -> None:
        """Every npc event without an npcId builds no action."""
        assert npcs.events[event]({"npcName": "X", "npcId": None}, 1) is None
        assert npcs.events[event]({"npcId": ""}, 1) is None

    def test_registered_accepts_id_and_name_aliases(self, npcs: NpcSlice) -> None:
        """npc:registered falls back to id, name and factionId."""
        action = npcs.events["npc:registered"]({"id": "n", "name": "Ann", "factionId": "f"}, 1)
        assert action is not None
        assert action.payload == {"npcId": "n", "npcName": "Ann", "npcFaction": "f"}

    def test_other_domain_and_unknown_type_change_nothing(self, npcs: NpcSlice) -> None:
        """Actions outside the npc domain or of unknown type return the same state."""
        state = npcs.initial_state()
        assert npcs.reduce(state, Action("NPC_ALERTED", "quest", {"npcId": "n"}, 1)) is state
        assert npcs.reduce(state, Action("NPC_DANCED", "npc", {"npcId": "n"}, 1)) is state


class TestNpcTransitions:
    def test_full_story(self, npcs: NpcSlice) -> None:
        """Register, interview, recognise, witness, suspect, alert: statuses and counters."""
        state = reduce_event(
            npcs,
            npcs.initial_state(),
            "npc:registered",
            {"npcId": "n", "npcName": "Reyes", "npcFaction": "harbor"},
            1,
        )
        record = state["byId"]["n"]
        assert (record["name"], record["factionId"], record["status"]) == (
            "Reyes",
            "harbor",
            "unknown",
        )
        assert record["history"] == []
        state = reduce_event(npcs, state, "npc:interviewed", {"npcId": "n", "dialogueId": "d1"}, 2)
        record = state["byId"]["n"]
        assert (record["status"], record["knowsPlayer"], record["lastDialogueId"]) == (
            "cooperative",
            True,
            "d1",
        )
        state = reduce_event(
            npcs, state, "npc:recognized_player", {"npcId": "n", "playerKnown": False}, 3
        )
        record = state["byId"]["n"]
        assert (record["status"], record["knowsPlayer"]) == ("aware", False)
        state = reduce_event(
            npcs, state, "npc:witnessed_crime", {"npcId": "n", "severity": "minor"}, 4
        )
        record = state["byId"]["n"]
        assert record["status"] == "witness"
        assert record["lastCrimeWitnessed"] == {
            "crimeType": "unknown",
            "severity": "minor",
            "timestamp": 4,
        }
        state = reduce_event(npcs, state, "npc:became_suspicious", {"npcId": "n"}, 5)
        assert state["byId"]["n"]["suspicion"] == {
            "active": True,
            "reason": "unknown",
            "updatedAt": 5,
        }
        state = reduce_event(npcs, state, "npc:alerted", {"npcId": "n", "reason": "gunshot"}, 6)
        record = state["byId"]["n"]
        assert record["status"] == "alerted"
        assert record["alert"] == {"active": True, "reason": "gunshot", "updatedAt": 6}
        assert record["suspicion"] == {"active": True, "reason": "unknown", "updatedAt": 6}
        assert record["interactions"] == {"interviews": 1, "recognitions": 1, "witnessedCrimes": 1}
        assert [entry["type"] for entry in record["history"]] == [
            "interview",
            "recognized_player",
            "witnessed_crime",
            "became_suspicious",
            "alerted",
        ]
        assert state["changeLog"][0]["type"] == "registered"
        assert len(state["changeLog"]) == 6
        assert state["lastUpdatedAt"] == 6

    def test_alerted_npc_stays_alerted(self, npcs: NpcSlice) -> None:
        """Once alerted, interviews, recognitions and crimes do not change the status."""
        state = reduce_event(npcs, npcs.initial_state(), "npc:alerted", {"npcId": "n"}, 1)
        for event in (
            "npc:interviewed",
            "npc:recognized_player",
            "npc:witnessed_crime",
            "npc:became_suspicious",
        ):
            state = reduce_event(npcs, state, event, {"npcId": "n"}, 2)
        assert state["byId"]["n"]["status"] == "alerted"

    def test_old_state_is_not_mutated(self, npcs: NpcSlice) -> None:
        """A reducer never changes the state it was given."""
        before = reduce_event(npcs, npcs.initial_state(), "npc:interviewed", {"npcId": "n"}, 1)
        frozen = json.dumps(before)
        reduce_event(npcs, before, "npc:interviewed", {"npcId": "n"}, 2)
        reduce_event(npcs, before, "npc:alerted", {"npcId": "n"}, 3)
        assert json.dumps(before) == frozen


class TestNpcLimits:
    def test_history_and_change_log_are_bounded(self, npcs: NpcSlice) -> None:
        """Each NPC keeps its newest 10 history entries; the change log its newest 50."""
        state = npcs.initial_state()
        for ts in range(1, 61):
            state = reduce_event(npcs, state, "npc:recognized_player", {"npcId": "n"}, ts)
        history = state["byId"]["n"]["history"]
        assert len(history) == HISTORY_LIMIT
        assert [entry["timestamp"] for entry in history] == list(range(51, 61))
        assert len(state["changeLog"]) == CHANGE_LOG_LIMIT
        assert state["changeLog"][0]["timestamp"] == 11
        assert state["byId"]["n"]["interactions"]["recognitions"] == 60


class TestNpcSnapshot:
    def test_round_trip_and_legacy_section(self, npcs: NpcSlice) -> None:
        """hydrate(serialize(x)) serialises identically; a partial record is filled in."""
        state = reduce_event(
            npcs, npcs.initial_state(), "npc:witnessed_crime", {"npcId": "n", "npcName": "N"}, 4
        )
        section = npcs.serialize(state)
        assert json.dumps(
            npcs.serialize(npcs.hydrate(json.loads(json.dumps(section))))
        ) == json.dumps(section)
        partial = npcs.hydrate(
            {
                "byId": {"m": {"id": "m", "status": "aware"}},
                "changeLog": [{"t": i} for i in range(70)],
            }
        )
        assert partial["byId"]["m"]["interactions"] == {
            "interviews": 0,
            "recognitions": 0,
            "witnessedCrimes": 0,
        }
        assert partial["byId"]["m"]["history"] == []
        assert len(partial["changeLog"]) == CHANGE_LOG_LIMIT
        assert npcs.hydrate(None) == npcs.initial_state()

    def test_hydrate_takes_a_stored_record_over_and_normalises_the_others(
        self, npcs: NpcSlice
    ) -> None:
        state = reduce_event(npcs, npcs.initial_state(), "npc:became_suspicious", {"npcId": "n"}, 4)
        section = json.loads(json.dumps(npcs.serialize(state)))
        stored = section["byId"]["n"]
        assert npcs.hydrate(section)["byId"]["n"] is stored
        flag = {"active": 1, "reason": None, "updatedAt": None}  # truthy, not yet a bool
        odd = [
            {**stored, "interactions": {**stored["interactions"], "interviews": None}},
            {**stored, "interactions": {"witnessedCrimes": 1, "interviews": 0, "recognitions": 0}},
            {**stored, "alert": flag},
            {**stored, "suspicion": {"reason": None, "active": True, "updatedAt": 3}},
            {**stored, "lastCrimeWitnessed": 0},
            {k: v for k, v in stored.items() if k != "tags"},
        ]
        for record in odd:
            hydrated = npcs.hydrate({"byId": {"n": record}})["byId"]["n"]
            assert hydrated is not record
            assert npcs.hydrate({"byId": {"n": hydrated}})["byId"]["n"] is hydrated, record
        assert npcs.hydrate({"byId": {"n": odd[2]}})["byId"]["n"]["alert"]["active"] is True

    def test_schema_rejects_wrong_types(self, npcs: NpcSlice) -> None:
        """A byId that is not an object, or a non-list history, is rejected with its path."""
        with pytest.raises(msgspec.ValidationError) as caught:
            msgspec.convert({"byId": ["n"]}, npcs.snapshot_schema)
        assert str(caught.value).endswith("- at `$.byId`")
        with pytest.raises(msgspec.ValidationError) as caught:
            msgspec.convert({"byId": {"n": {"history": 3}}}, npcs.snapshot_schema)
        assert str(caught.value).endswith("- at `$.byId[...].history`")


class TestNpcSelectors:
    def test_summaries(self, npcs: NpcSlice) -> None:
        """Summaries name unnamed NPCs by id, flatten counters, and are memoised per cache."""
        state = reduce_event(
            npcs, npcs.initial_state(), "npc:alerted", {"npcId": "n", "reason": "r"}, 2
        )
        root = {"npc": state}
        assert select_root(root) is state
        cache = SelectorCache()
        summaries = cache.run(select_npc_summaries, root, ())
        assert summaries == [
            {
                "id": "n",
                "name": "n",
                "status": "alerted",
                "factionId": None,
                "knowsPlayer": False,
                "lastInteractionAt": None,
                "lastDialogueId": None,
                "suspicion": {"active": True, "reason": "r", "updatedAt": 2},
                "alert": {"active": True, "reason": "r", "updatedAt": 2},
                "lastCrimeWitnessed": None,
                "interviews": 0,
                "recognitions": 0,
                "witnessedCrimes": 0,
            }
        ]
        assert cache.run(select_npc_summaries, {"npc": state}, ()) is summaries


class TestNpcSharedDefaults:
    """New NPCs share their untouched parts; a change to one never shows in another."""

    def _world(self) -> tuple[WorldStore, EventBus]:
        bus = EventBus()
        return WorldStore(bus, slices=[NpcSlice()]), bus

    def test_untouched_npcs_share_their_default_parts(self) -> None:
        store, bus = self._world()
        for npc_id in ("a", "b"):
            bus.emit("npc:registered", {"npcId": npc_id})
        a, b = (store.state["npc"]["byId"][k] for k in ("a", "b"))
        assert a is not b
        for part in ("interactions", "suspicion", "alert", "history", "tags"):
            assert a[part] is b[part]

    def test_a_change_to_one_npc_leaves_the_others_and_what_was_seen(self) -> None:
        store, bus = self._world()
        for npc_id in ("a", "b", "c"):
            bus.emit("npc:registered", {"npcId": npc_id})
        seen = json.dumps(store.state["npc"])
        bus.emit("npc:interviewed", {"npcId": "a", "dialogueId": "intro"})
        bus.emit("npc:became_suspicious", {"npcId": "a", "reason": "x"})
        bus.emit("npc:alerted", {"npcId": "b", "reason": "y"})
        bus.emit("npc:witnessed_crime", {"npcId": "a", "crimeType": "theft"})
        by_id = store.state["npc"]["byId"]
        assert by_id["c"]["interactions"] == {
            "interviews": 0,
            "recognitions": 0,
            "witnessedCrimes": 0,
        }
        assert (
            by_id["c"]["suspicion"]
            == by_id["c"]["alert"]
            == {
                "active": False,
                "reason": None,
                "updatedAt": None,
            }
        )
        assert by_id["c"]["history"] == [] and by_id["c"]["tags"] == []
        assert by_id["a"]["interactions"]["interviews"] == 1
        assert len(by_id["a"]["history"]) == 3 and by_id["b"]["alert"]["active"] is True
        assert json.loads(seen)["byId"]["a"]["history"] == []
        assert json.dumps(store.state["npc"]["byId"]["c"]) == json.dumps(
            json.loads(seen)["byId"]["c"]
        )
        store.close()
