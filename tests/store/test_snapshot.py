"""Snapshots: format, freshness, hydrate round trips, validation errors with JSON paths."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from types import MappingProxyType
from typing import Any

import msgspec
import pytest
from tests._paths import REPLAY_GOLDENS, WORKLOADS

from worldstate.clock import ManualClock
from worldstate.errors import SnapshotError
from worldstate.events import EventBus
from worldstate.store import Action, WorldStore, default_slices, validate_snapshot
from worldstate.store._snapshot import load_snapshot_file

from ._helpers import Harness, load_json, replay_log

SEED = WORKLOADS / "store-dispatch" / "seed.json"
REFERENCE_ORDER = [
    "storyFlags",
    "quests",
    "factions",
    "tutorial",
    "dialogue",
    "inventory",
    "districts",
    "npcs",
    "tutorialComplete",
]


class CraftingQueue(msgspec.Struct):
    """Snapshot schema of the game's own slice."""

    queue: list[str] = []
    crafted: int = 0


def _enqueue(payload: Any, now: int) -> Action | None:
    item = payload.get("item")
    return Action("CRAFT_QUEUED", "crafting", {"item": item}, now) if item else None


class CraftingSlice:
    """A game's own slice, registered after the built-in ones."""

    key = "crafting"
    snapshot_key = "craftingQueue"
    domain = "crafting"
    events = MappingProxyType({"crafting:queued": _enqueue})
    snapshot_schema = CraftingQueue

    def initial_state(self) -> dict[str, Any]:
        return {"queue": [], "crafted": 0}

    def reduce(self, state: dict[str, Any], action: Action) -> dict[str, Any]:
        if action.type == "CRAFT_QUEUED":
            return {**state, "queue": [*state["queue"], action.payload["item"]]}
        return state

    def serialize(self, state: dict[str, Any]) -> Any:
        return state

    def hydrate(self, data: Any) -> dict[str, Any]:
        return {**self.initial_state(), **(data or {})}


def _scramble(value: Any) -> None:
    """Change every container reachable from ``value`` in place."""
    if isinstance(value, dict):
        for key in list(value):
            _scramble(value[key])
            value[key] = "scrambled" if not isinstance(value[key], dict | list) else value[key]
        value["__added__"] = True
    elif isinstance(value, list):
        for item in value:
            _scramble(item)
        value.append("added")


class TestSnapshotFormat:
    def test_key_order_of_fresh_store(self, world: Harness) -> None:
        """A snapshot has the reference's keys in the reference's order."""
        assert list(world.store.snapshot()) == REFERENCE_ORDER

    def test_snapshot_is_a_fresh_copy(self, world: Harness) -> None:
        """Mutating a snapshot never reaches the store, and two snapshots are distinct."""
        world.emit("reputation:changed", {"factionId": "a", "newFame": 3})
        snap = world.store.snapshot()
        snap["factions"]["byId"]["a"]["fame"] = 999
        assert world.store.state["faction"]["byId"]["a"]["fame"] == 3
        assert world.store.snapshot() == world.store.snapshot()
        assert world.store.snapshot() is not world.store.snapshot()

    @pytest.mark.parametrize("case", REPLAY_GOLDENS, ids=lambda p: p.name)
    def test_snapshot_json_is_the_compact_snapshot(self, case: Path) -> None:
        """snapshot_json() is snapshot() as compact JSON: same values, same key order."""
        store = replay_log(case / "events.jsonl")
        raw = store.snapshot_json()
        expected = json.dumps(store.snapshot(), separators=(",", ":"), ensure_ascii=False)
        assert raw.decode("utf-8") == expected
        assert list(json.loads(raw)) == REFERENCE_ORDER

    def test_snapshot_json_of_hydrated_seed(self) -> None:
        """The bench seed (every slice populated) encodes to its snapshot, byte for byte."""
        store = WorldStore(clock=ManualClock(1))
        store.hydrate(load_json(SEED))
        assert store.snapshot_json() == msgspec.json.encode(store.snapshot())

    def test_mutating_any_part_of_a_snapshot_never_changes_the_store(self) -> None:
        """Slices hand the store views of their state; snapshot() must still be a deep copy."""
        store = WorldStore(clock=ManualClock(1))
        store.hydrate(load_json(SEED))
        before = store.snapshot_json()
        snap = store.snapshot()
        _scramble(snap)
        assert store.snapshot_json() == before

    def test_tutorial_complete_flag(self, world: Harness) -> None:
        """tutorialComplete mirrors tutorial.completed."""
        assert world.store.snapshot()["tutorialComplete"] is False
        world.emit("tutorial:completed", {"completedSteps": []})
        assert world.store.snapshot()["tutorialComplete"] is True

    def test_story_section_holds_flags_only(self, world: Harness) -> None:
        """storyFlags is {flags} only, as in the reference."""
        world.emit("story:flag:changed", {"flagId": "f", "newValue": 1}, at=7)
        assert world.store.snapshot()["storyFlags"] == {
            "flags": {"f": {"value": 1, "metadata": {}, "updatedAt": 7}}
        }


class TestRoundTrips:
    @pytest.mark.parametrize("case", REPLAY_GOLDENS, ids=lambda p: p.name)
    def test_same_log_twice_gives_identical_snapshots(self, case: Path) -> None:
        """Replaying a log is deterministic."""
        first = replay_log(case / "events.jsonl").snapshot()
        second = replay_log(case / "events.jsonl").snapshot()
        assert msgspec.json.encode(first) == msgspec.json.encode(second)

    @pytest.mark.parametrize("case", REPLAY_GOLDENS, ids=lambda p: p.name)
    def test_snapshot_hydrate_snapshot_is_identity(self, case: Path) -> None:
        """hydrate(snapshot()) gives back the same snapshot, key order included."""
        snap = replay_log(case / "events.jsonl").snapshot()
        store = WorldStore(clock=ManualClock(1))
        store.hydrate(snap)
        assert msgspec.json.encode(store.snapshot()) == msgspec.json.encode(snap)

    @pytest.mark.parametrize(
        "path",
        [*(case / "reference_snapshot.json" for case in REPLAY_GOLDENS), SEED],
        ids=lambda p: f"{p.parent.name}/{p.name}",
    )
    def test_hydrated_file_round_trips(self, path: Path) -> None:
        """Reference snapshots and the bench seed survive hydrate -> snapshot -> hydrate."""
        data = load_json(path)
        original = copy.deepcopy(data)
        one = WorldStore(clock=ManualClock(1))
        one.hydrate(data, source=str(path))
        first = one.snapshot()
        two = WorldStore(clock=ManualClock(1))
        two.hydrate(first)
        assert msgspec.json.encode(two.snapshot()) == msgspec.json.encode(first)
        assert data == original  # hydrate never mutates its input

    @pytest.mark.parametrize("case", REPLAY_GOLDENS, ids=lambda p: p.name)
    def test_reference_snapshot_hydrates_to_itself(self, case: Path) -> None:
        """A reference snapshot hydrated and snapshotted again is unchanged."""
        data = load_json(case / "reference_snapshot.json")
        store = WorldStore(clock=ManualClock(1))
        store.hydrate(data)
        assert store.snapshot() == data

    def test_member_removals_survive_hydrate(self, world: Harness) -> None:
        """recentMemberRemovals is kept through hydrate (fix of REFERENCE §13.2)."""
        world.emit("faction:member_removed", {"factionId": "a", "npcId": "n1"}, at=50)
        store = WorldStore(clock=ManualClock(1))
        store.hydrate(world.store.snapshot())
        from worldstate.store.slices.faction import select_recent_member_removals

        removals = store.select(select_recent_member_removals)
        assert [(r["npcId"], r["removedAt"]) for r in removals] == [("n1", 50)]

    def test_absent_section_reinitialises_slice(self, world: Harness) -> None:
        """A section missing from the snapshot starts that slice afresh."""
        world.emit("reputation:changed", {"factionId": "a", "newFame": 3})
        world.emit("story:flag:changed", {"flagId": "f", "newValue": 1})
        world.store.hydrate({"storyFlags": {"flags": {}}})
        assert world.store.state["faction"]["byId"] == {}
        assert world.store.state["story"]["flags"] == {}

    def test_npc_section_falls_back_to_npc_key(self, world: Harness) -> None:
        """`npc` is read when `npcs` is absent."""
        snap = replay_log(REPLAY_GOLDENS[-1] / "events.jsonl").snapshot()
        npcs = snap.pop("npcs")
        snap["npc"] = npcs
        world.store.hydrate(snap)
        assert world.store.snapshot()["npcs"] == npcs
        assert npcs["byId"]  # the story_demo log registers an NPC

    def test_hydrate_is_announced(self, world: Harness) -> None:
        """Hydrating is recorded and notified as a WORLDSTATE_HYDRATE world action."""
        seen: list[Any] = []
        world.store.on_update(lambda state, action: seen.append(action.type))
        world.store.hydrate({})
        assert seen == ["WORLDSTATE_HYDRATE"]
        assert world.store.history[-1].domain == "world"

    def test_hydrate_does_not_alias_input(self, world: Harness) -> None:
        """Mutating the hydrated dict afterwards does not reach the state."""
        data = {"storyFlags": {"flags": {"f": {"value": 1, "metadata": {}, "updatedAt": 1}}}}
        world.store.hydrate(data)
        data["storyFlags"]["flags"]["f"]["value"] = 2
        assert world.store.state["story"]["flags"]["f"]["value"] == 1


class TestValidation:
    def test_not_an_object(self, world: Harness) -> None:
        """A snapshot that is not an object is refused at $."""
        with pytest.raises(SnapshotError) as info:
            world.store.hydrate([1, 2], source="save.json")
        assert info.value.path == "$"
        assert "save.json" in str(info.value)

    def test_wrong_type_names_dict_key_path(self, world: Harness) -> None:
        """The error path names the faction id, not msgspec's [...]."""
        before = world.store.state
        data = {
            "factions": {
                "byId": {
                    "ok": {"id": "ok", "fame": 1},
                    "weird,id": {"id": "weird,id", "fame": "lots"},
                }
            }
        }
        with pytest.raises(SnapshotError) as info:
            world.store.hydrate(data, source="slot 'autosave'")
        assert info.value.path == '$.factions.byId["weird,id"].fame'
        assert "Expected `int | float | null`, got `str`" in info.value.message
        assert str(info.value).startswith("slot 'autosave', at $.factions.byId")
        assert world.store.state is before

    def test_identifier_keys_use_dots(self) -> None:
        """Identifier-like keys are written with dots."""
        data = {"factions": {"byId": {"harbor_union": {"cascadeSources": "x"}}}}
        with pytest.raises(SnapshotError) as info:
            validate_snapshot(data)
        assert info.value.path == "$.factions.byId.harbor_union.cascadeSources"

    @pytest.mark.parametrize("bad", ["x" * 300, 8640000000000001.0, -8640000000000001, 10**400])
    @pytest.mark.parametrize("where", ["byId.harbor_union.lastCascade", "lastCascadeEvent"])
    def test_a_cascade_time_must_be_a_date(self, bad: object, where: str) -> None:
        """``occurredAt`` is rendered as a date, so only a JavaScript-date number passes."""
        section: dict[str, Any] = {}
        cursor = section
        *parents, last = where.split(".")
        for key in parents:
            cursor = cursor.setdefault(key, {})
        cursor[last] = {"occurredAt": bad}
        with pytest.raises(SnapshotError) as info:
            validate_snapshot({"factions": section})
        assert info.value.path == f"$.factions.{where}.occurredAt"
        validate_snapshot({"factions": {"lastCascadeEvent": {"occurredAt": 8.64e15}}})

    def test_list_index_in_path(self) -> None:
        """List positions appear as indices."""
        data = {"tutorial": {"promptHistorySnapshots": [{}, {"timestamp": "soon"}]}}
        with pytest.raises(SnapshotError) as info:
            validate_snapshot(data)
        assert info.value.path == "$.tutorial.promptHistorySnapshots[1].timestamp"

    def test_section_of_wrong_type(self) -> None:
        """A section that is not an object is named."""
        with pytest.raises(SnapshotError) as info:
            validate_snapshot({"storyFlags": ["nope"]})
        assert info.value.path == "$.storyFlags"

    def test_unknown_keys_allowed(self) -> None:
        """Unknown keys anywhere are accepted and kept in the returned copy."""
        data = {"extra": 1, "factions": {"byId": {}, "futureField": [1]}}
        copied = validate_snapshot(data)
        assert copied == data
        assert copied is not data
        assert copied["factions"] is not data["factions"]

    def test_document_without_any_section_is_refused(self) -> None:
        """An object with none of the snapshot's sections (e.g. an inspector summary) is not a
        world snapshot; an empty object is a valid empty world."""
        with pytest.raises(SnapshotError, match="not a world snapshot") as caught:
            validate_snapshot({"generatedAt": 1, "factionz": {}}, source="summary.json")
        assert caught.value.path == "$" and "summary.json" in str(caught.value)
        assert validate_snapshot({}) == {}
        assert validate_snapshot({"npc": {}, "extra": 1}) == {"npc": {}, "extra": 1}

    def test_inspector_summary_is_refused_by_its_shape(self) -> None:
        """A summary shares factions, tutorial, districts and npcs with a snapshot: it is
        recognised by its own keys and refused with a message saying what it is."""
        summary = {
            "generatedAt": 1,
            "generatedIso": "1970-01-01T00:00:00.001Z",
            "source": "worldStateStore",
            "factions": {},
            "tutorial": {},
            "engine": {},
            "districts": [],
            "npcs": [],
        }
        with pytest.raises(SnapshotError, match=r"inspector summary.*use --summary"):
            validate_snapshot(summary)
        snapshot_with_extra = {"storyFlags": {"flags": {}}, "generatedAt": 5}
        assert validate_snapshot(snapshot_with_extra) == snapshot_with_extra

    def test_non_json_values_refused(self) -> None:
        """Values JSON cannot hold are refused."""
        with pytest.raises(SnapshotError, match="not JSON data"):
            validate_snapshot({"factions": {"byId": {}}, "extra": object()})


class TestGameSlice:
    def make(self) -> tuple[EventBus, WorldStore]:
        bus = EventBus()
        store = WorldStore(bus, clock=ManualClock(1), slices=[*default_slices(), CraftingSlice()])
        return bus, store

    def test_custom_slice_reacts_to_its_events(self) -> None:
        """A game slice's events are subscribed and its guard is honoured."""
        bus, store = self.make()
        bus.emit("crafting:queued", {"item": "lockpick"})
        bus.emit("crafting:queued", {})
        assert store.state["crafting"]["queue"] == ["lockpick"]

    def test_custom_slice_round_trips(self) -> None:
        """Its section follows tutorialComplete and survives snapshot/hydrate."""
        bus, store = self.make()
        bus.emit("crafting:queued", {"item": "lockpick"})
        snap = store.snapshot()
        assert list(snap)[-2:] == ["tutorialComplete", "craftingQueue"]
        _, other = self.make()
        other.hydrate(snap)
        assert other.snapshot() == snap
        assert other.state["crafting"]["queue"] == ["lockpick"]

    def test_custom_slice_schema_is_checked(self) -> None:
        """The game slice's snapshot_schema validates its section."""
        _, store = self.make()
        with pytest.raises(SnapshotError) as info:
            store.hydrate({"craftingQueue": {"queue": [1]}})
        assert info.value.path == "$.craftingQueue.queue[0]"


class TestValidatedOnce:
    def test_loaded_snapshot_is_hydrated_without_a_second_copy(self, tmp_path: Path) -> None:
        """A file's snapshot is validated once; hydrate takes its sections over as they are."""
        path = tmp_path / "world.json"
        path.write_text('{"storyFlags": {"flags": {"f": {"value": 1}}}}', encoding="utf-8")
        loaded = load_snapshot_file(path)
        store = WorldStore(EventBus(), clock=ManualClock(1))
        store.hydrate(loaded)
        assert store.state["story"]["flags"] is loaded["storyFlags"]["flags"]

    def test_validated_for_other_slices_is_validated_again(self) -> None:
        """A snapshot validated for a different set of slices is checked (and copied) again."""
        from worldstate.store.slices import StorySlice

        valid = validate_snapshot({"storyFlags": {"flags": {}}}, slices=[StorySlice()])
        store = WorldStore(EventBus(), clock=ManualClock(1))
        store.hydrate(valid)
        assert store.state["story"]["flags"] == {}
        assert store.state["story"]["flags"] is not valid["storyFlags"]["flags"]
