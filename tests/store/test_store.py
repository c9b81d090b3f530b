"""WorldStore: dispatch, routing, errors, history, notifications, selectors, lifetime."""

from __future__ import annotations

import gc
from types import MappingProxyType
from typing import Any

import pytest

from worldstate.clock import ManualClock
from worldstate.events import EventBus
from worldstate.store import (
    Action,
    ContentCatalog,
    WorldStore,
    create_selector,
    default_slices,
)
from worldstate.store.slices import faction, story, tutorial

from ._helpers import Harness


def flag(flag_id: str, value: Any, **extra: Any) -> Action:
    return Action("STORY_FLAG_SET", "story", {"flagId": flag_id, "value": value, **extra})


class BrokenSlice:
    """A slice whose reducer always raises."""

    key = "broken"
    snapshot_key = "broken"
    domain = "broken"
    events = MappingProxyType({})
    snapshot_schema = None

    def initial_state(self) -> dict[str, Any]:
        return {"n": 0}

    def reduce(self, state: dict[str, Any], action: Action) -> dict[str, Any]:
        raise RuntimeError("reducer exploded")

    def serialize(self, state: dict[str, Any]) -> Any:
        return state

    def hydrate(self, data: Any) -> dict[str, Any]:
        return data or {"n": 0}


class TestConstruction:
    def test_default_registry_order(self, world: Harness) -> None:
        """The default store holds the eight slices in the reference's registry order."""
        assert list(world.store.state) == [
            "quest",
            "story",
            "faction",
            "tutorial",
            "dialogue",
            "inventory",
            "npc",
            "district",
        ]

    def test_default_slices_are_fresh_instances(self) -> None:
        """Each call builds new slice objects, so stores never share slices."""
        first, second = default_slices(), default_slices()
        assert all(a is not b for a, b in zip(first, second, strict=True))

    def test_duplicate_keys_refused(self) -> None:
        """Two slices with the same key cannot be registered together."""
        with pytest.raises(ValueError, match="story"):
            WorldStore(slices=[story.StorySlice(), story.StorySlice()])

    def test_negative_history_limit_refused(self) -> None:
        """history_limit must not be negative."""
        with pytest.raises(ValueError):
            WorldStore(history_limit=-1)

    def test_catalog_is_kept_and_copied(self) -> None:
        """The catalog is exposed and does not follow later changes to the caller's dict."""
        names = {"harbor_union": "The Harbor Union"}
        catalog = ContentCatalog(factions=names)
        names["harbor_union"] = "changed"
        store = WorldStore(catalog=catalog)
        assert store.catalog.faction_name("harbor_union") == "The Harbor Union"
        assert store.catalog.faction_name("nobody") is None

    def test_catalog_rejects_bad_entries(self) -> None:
        """Faction names must be strings and districts mappings."""
        with pytest.raises(TypeError):
            ContentCatalog(factions={"a": 1})  # type: ignore[dict-item]
        with pytest.raises(TypeError):
            ContentCatalog(districts=["old_docks"])  # type: ignore[list-item]


class TestDispatch:
    def test_non_action_is_a_type_error(self, world: Harness) -> None:
        """Dispatching anything but an Action is a programming error."""
        with pytest.raises(TypeError, match="Action"):
            world.store.dispatch({"type": "STORY_FLAG_SET", "domain": "story"})  # type: ignore[arg-type]

    def test_changed_dispatch_replaces_root_and_slice(self, world: Harness) -> None:
        """A change gives a new root and slice; untouched slices are shared, the old root kept."""
        before = world.store.state
        assert world.store.dispatch(flag("met_guard", True)) is True
        after = world.store.state
        assert after is not before
        assert after["story"] is not before["story"]
        assert after["faction"] is before["faction"]
        assert before["story"]["flags"] == {}
        assert after["story"]["flags"]["met_guard"] == {
            "value": True,
            "metadata": {},
            "updatedAt": 1000,
        }

    def test_timestamp_from_clock_unless_given(self, world: Harness) -> None:
        """An action without timestamp gets the clock's time; a given one is kept."""
        world.store.dispatch(flag("a", 1))
        world.store.dispatch(Action("STORY_FLAG_SET", "story", {"flagId": "b"}, timestamp=5))
        assert [a.timestamp for a in world.store.history] == [1000, 5]
        assert world.store.state["story"]["lastActionAt"] == 5

    def test_every_action_handed_out_carries_its_timestamp(self, world: Harness) -> None:
        """An action dispatched without a timestamp reaches listeners, announcements, errors
        and the history stamped with the clock's time."""
        seen: list[Action] = []
        world.store.on_update(lambda state, action: seen.append(action))
        world.bus.on("worldstate:action", lambda _e, action: seen.append(action))
        world.bus.on("worldstate:error", lambda _e, error: seen.append(error["action"]))
        world.store.dispatch(flag("a", 1))
        world.clock.set(2000)
        world.store.dispatch(Action("X", "weather", {}))
        world.store.dispatch(Action("FACTION_REPUTATION_CHANGED", "faction", {"factionId": "f"}))
        assert [(a.type, a.timestamp) for a in seen] == [
            ("STORY_FLAG_SET", 1000),
            ("STORY_FLAG_SET", 1000),
            ("X", 2000),
            ("FACTION_REPUTATION_CHANGED", 2000),
            ("FACTION_REPUTATION_CHANGED", 2000),
        ]
        assert world.store.history == [seen[0], seen[3]]
        assert world.store.state["faction"]["byId"]["f"]["updatedAt"] == 2000

    def test_unchanged_dispatch_keeps_state(self, world: Harness) -> None:
        """A no-op action returns False and leaves the very same state."""
        before = world.store.state
        assert world.store.dispatch(Action("STORY_FLAG_REMOVED", "story", {"flagId": "x"})) is False
        assert world.store.state is before

    def test_unknown_domain_reported_not_raised(self, world: Harness) -> None:
        """An unknown domain becomes a worldstate:error event; nothing changes."""
        errors: list[Any] = []
        world.bus.on("worldstate:error", lambda e, p: errors.append(p))
        before = world.store.state
        action = Action("X", "weather", {})
        assert world.store.dispatch(action) is False
        assert world.store.state is before
        assert errors[0]["action"].domain == "weather"
        assert "unknown world state domain 'weather'" in errors[0]["error"]

    def test_reducer_exception_keeps_state(self) -> None:
        """A reducer that raises leaves the state untouched and is reported on the bus."""
        bus = EventBus()
        store = WorldStore(bus, clock=ManualClock(1), slices=[story.StorySlice(), BrokenSlice()])
        store.dispatch(flag("kept", True))
        before = store.state
        errors: list[Any] = []
        bus.on("worldstate:error", lambda e, p: errors.append(p))
        assert store.dispatch(Action("ANY", "broken", {})) is False
        assert store.state is before
        assert errors[0]["error"] == "RuntimeError: reducer exploded"
        assert store.state["story"]["flags"]["kept"]["value"] is True

    def test_world_domain_reaches_every_slice(self) -> None:
        """A world action is offered to every slice, whatever their domain."""
        seen: list[str] = []

        class Spy(BrokenSlice):
            def __init__(self, key: str) -> None:
                self.key = self.snapshot_key = self.domain = key

            def reduce(self, state: dict[str, Any], action: Action) -> dict[str, Any]:
                seen.append(self.key)
                return state

        store = WorldStore(slices=[Spy("one"), Spy("two")])
        store.dispatch(Action("PING", "world", {}))
        assert seen == ["one", "two"]

    def test_payload_is_not_aliased(self, world: Harness) -> None:
        """Mutating a payload after dispatching does not reach the stored state."""
        metadata = {"chapter": 1, "tags": ["a"]}
        world.store.dispatch(flag("met_guard", True, metadata=metadata))
        metadata["chapter"] = 99
        metadata["tags"].append("b")  # type: ignore[attr-defined]
        stored = world.store.state["story"]["flags"]["met_guard"]["metadata"]
        assert stored == {"chapter": 1, "tags": ["a"]}

    @pytest.mark.parametrize(
        ("event", "payload", "mutable_key"),
        [
            (
                "faction:attitude_changed",
                {"factionId": "x", "newAttitude": "hostile", "factionName": {"en": "X"}},
                "factionName",
            ),
            (
                "faction:member_removed",
                {"factionId": "x", "npcId": "n", "tag": ["informant"]},
                "tag",
            ),
            ("npc:interviewed", {"npcId": "n", "dialogueId": {"id": "d"}}, "dialogueId"),
            ("npc:witnessed_crime", {"npcId": "n", "severity": {"level": 2}}, "severity"),
        ],
    )
    def test_container_values_in_scalar_fields_are_not_aliased(
        self, world: Harness, event: str, payload: dict[str, Any], mutable_key: str
    ) -> None:
        """Ids, names and tags are normally strings; when a game sends a container there,
        mutating it afterwards still does not reach the stored state."""
        world.emit(event, payload, at=5)
        before = world.store.snapshot()
        container = payload[mutable_key]
        if isinstance(container, dict):
            container["changed"] = True
        else:
            container.append("changed")
        assert world.store.snapshot() == before

    def test_bus_events_become_actions(self, world: Harness) -> None:
        """Events of every slice are turned into actions at construction."""
        world.emit("story:flag:changed", {"flagId": "f", "newValue": 3}, at=42)
        world.emit("reputation:changed", {"factionId": "x", "newFame": 7}, at=43)
        assert world.store.state["story"]["flags"]["f"]["value"] == 3
        assert world.store.state["faction"]["byId"]["x"]["fame"] == 7
        assert [a.type for a in world.store.history] == [
            "STORY_FLAG_SET",
            "FACTION_REPUTATION_CHANGED",
        ]


class TestHistory:
    def test_history_is_bounded(self) -> None:
        """Only the newest history_limit actions are kept."""
        store = WorldStore(clock=ManualClock(1), history_limit=3)
        for n in range(5):
            store.dispatch(flag(f"f{n}", n))
        assert [a.payload["flagId"] for a in store.history] == ["f2", "f3", "f4"]

    def test_history_disabled(self) -> None:
        """history_limit=0 records nothing."""
        store = WorldStore(clock=ManualClock(1), history_limit=0)
        store.dispatch(flag("f", 1))
        assert store.history == []

    def test_no_op_actions_are_recorded(self, world: Harness) -> None:
        """Like the reference, an action that changed nothing is still in the history."""
        world.store.dispatch(Action("STORY_FLAG_REMOVED", "story", {"flagId": "x"}))
        assert [a.type for a in world.store.history] == ["STORY_FLAG_REMOVED"]


class TestNotifications:
    def test_bus_events_on_change_only(self, world: Harness) -> None:
        """worldstate:action and worldstate:updated follow a change, not a no-op."""
        seen: list[tuple[str, Any]] = []
        world.bus.on("worldstate:*", lambda e, p: seen.append((e, p)))
        world.store.dispatch(Action("STORY_FLAG_REMOVED", "story", {"flagId": "x"}))
        assert seen == []
        world.store.dispatch(flag("f", 1))
        assert [e for e, _ in seen] == ["worldstate:action", "worldstate:updated"]
        action = seen[0][1]
        assert action.type == "STORY_FLAG_SET"
        assert action.timestamp == 1000
        assert seen[1][1]["state"] is world.store.state
        assert seen[1][1]["lastAction"] is action

    def test_announcements_follow_later_subscriptions(self, world: Harness) -> None:
        """The store remembers whether anyone listens only until the bus's subscriptions
        change: listeners added after earlier dispatches are announced to, removed ones not.
        """
        world.store.dispatch(flag("a", 1))  # nobody listens yet
        actions: list[str] = []
        updates: list[Any] = []
        stop_actions = world.bus.on("worldstate:action", lambda e, a: actions.append(a.type))
        world.store.dispatch(flag("b", 1))
        assert actions == ["STORY_FLAG_SET"]
        stop_updates = world.bus.on("worldstate:*", lambda e, p: updates.append(e))
        world.store.dispatch(flag("c", 1))
        assert actions == ["STORY_FLAG_SET"] * 2
        assert updates == ["worldstate:action", "worldstate:updated"]
        stop_actions()
        stop_updates()
        world.store.dispatch(flag("d", 1))
        assert len(actions) == 2
        assert len(updates) == 2

    def test_subscribing_during_an_announcement(self, world: Harness) -> None:
        """A worldstate:action handler that subscribes to worldstate:updated gets the updated
        event of the same dispatch (as if the store asked the bus afresh).
        """
        updates: list[Any] = []

        def subscribe(event: str, action: Any) -> None:
            world.bus.on("worldstate:updated", lambda e, p: updates.append(p["lastAction"]))

        world.bus.once("worldstate:action", subscribe)
        world.store.dispatch(flag("a", 1))
        assert [a.payload["flagId"] for a in updates] == ["a"]

    def test_unsubscribing_during_an_announcement(self, world: Harness) -> None:
        """A worldstate:action handler that removes the worldstate:updated listener stops
        it from hearing the same dispatch.
        """
        updates: list[Any] = []
        stop = world.bus.on("worldstate:updated", lambda e, p: updates.append(p))
        world.bus.once("worldstate:action", lambda e, a: stop())
        world.store.dispatch(flag("a", 1))
        assert updates == []

    def test_on_update_called_with_live_state(self, world: Harness) -> None:
        """on_update callbacks get the new state object itself and the action."""
        calls: list[Any] = []
        world.store.on_update(lambda state, action: calls.append((state, action.type)))
        world.store.dispatch(flag("f", 1))
        assert calls == [(world.store.state, "STORY_FLAG_SET")]
        assert calls[0][0] is world.store.state

    def test_on_update_isolation(self, world: Harness) -> None:
        """A callback that raises does not stop the others, nor the dispatch."""
        calls: list[str] = []

        def boom(state: Any, action: Action) -> None:
            raise RuntimeError("listener broke")

        world.store.on_update(boom)
        world.store.on_update(lambda s, a: calls.append("second"))
        assert world.store.dispatch(flag("f", 1)) is True
        assert calls == ["second"]

    def test_on_update_unsubscribe_during_callback(self, world: Harness) -> None:
        """A callback may unsubscribe itself without skipping the next one."""
        calls: list[str] = []
        unsubscribe: Any = None

        def once(state: Any, action: Action) -> None:
            calls.append("once")
            unsubscribe()

        unsubscribe = world.store.on_update(once)
        world.store.on_update(lambda s, a: calls.append("next"))
        world.store.dispatch(flag("a", 1))
        world.store.dispatch(flag("b", 1))
        assert calls == ["once", "next", "next"]

    def test_close_stops_listening(self, world: Harness) -> None:
        """After close() bus events no longer change the state and callbacks are dropped."""
        calls: list[Any] = []
        world.store.on_update(lambda s, a: calls.append(a))
        with world.store:
            pass
        world.emit("story:flag:changed", {"flagId": "f", "newValue": 1})
        assert world.store.state["story"]["flags"] == {}
        assert world.bus.listener_count() == 0
        world.store.dispatch(flag("g", 1))
        assert calls == []

    def test_close_lets_go_of_the_unpublished_state(self, world: Harness) -> None:
        """A closed store's slices (which may outlive it) no longer hold its containers."""
        world.emit(*_interview("npc_a", "d1"))
        world.emit(*_interview("npc_a", "d2"))
        by_id = world.store._state["npc"]["byId"]  # written in place: held by the Transients
        holders = [r for r in gc.get_referrers(by_id) if type(r) is dict]
        assert len(holders) == 2
        world.store.close()
        assert [r for r in gc.get_referrers(by_id) if type(r) is dict] == [
            world.store._state["npc"]
        ]


class TestSelectors:
    def test_plain_selector_gets_state_and_args(self, world: Harness) -> None:
        """A plain function is called with the state and the extra arguments."""
        world.store.dispatch(flag("act1_started", True))
        assert world.store.select(story.select_flag, "act1_started") is True
        assert world.store.select(story.select_flag, "missing", "dflt") == "dflt"
        assert world.store.select(story.select_current_act) == "act1"

    def test_memoised_until_input_changes(self, world: Harness) -> None:
        """A memoised selector returns the same object until its input changes."""
        world.emit("reputation:changed", {"factionId": "a", "newFame": 1})
        first = world.store.select(faction.select_faction_overview)
        world.store.dispatch(flag("unrelated", 1))
        assert world.store.select(faction.select_faction_overview) is first
        world.emit("reputation:changed", {"factionId": "a", "newFame": 2})
        second = world.store.select(faction.select_faction_overview)
        assert second is not first
        assert second[0]["fame"] == 2

    def test_caches_are_per_store(self) -> None:
        """Two stores never see each other's memoised results."""
        one, two = Harness(), Harness()
        one.emit("faction:attitude_changed", {"factionId": "a", "cascade": True, "source": "s"})
        summary_one = one.store.select(faction.select_cascade_summary)
        summary_two = two.store.select(faction.select_cascade_summary)
        assert summary_one["cascadeTargets"][0]["factionId"] == "a"
        assert summary_two == {"lastCascadeEvent": None, "cascadeTargets": []}

    def test_memo_with_arguments(self, world: Harness) -> None:
        """Arguments are part of the cache key."""
        world.emit("faction:attitude_changed", {"factionId": "a", "newAttitude": "hostile"})
        world.emit("faction:attitude_changed", {"factionId": "b", "newAttitude": "allied"})
        sel = faction.select_faction_last_attitude_change
        assert world.store.select(sel, "a")["newAttitude"] == "hostile"
        assert world.store.select(sel, "b")["newAttitude"] == "allied"
        assert world.store.select(sel, "zzz") is None

    def test_create_selector_custom(self, world: Harness) -> None:
        """A game's own memoised selector runs its combine only when inputs change."""
        runs: list[int] = []

        def count(flags: dict[str, Any]) -> int:
            runs.append(1)
            return len(flags)

        flag_count = create_selector(lambda s: s["story"]["flags"], combine=count)
        assert world.store.select(flag_count) == 0
        assert world.store.select(flag_count) == 0
        world.store.dispatch(flag("f", 1))
        assert world.store.select(flag_count) == 1
        assert len(runs) == 2

    def test_selector_results_are_copies(self, world: Harness) -> None:
        """Mutating a copying selector's result does not touch the state."""
        world.emit("tutorial:started", {"totalSteps": 1})
        world.emit("tutorial:step_started", {"stepId": "s", "title": "T"})
        world.emit("tutorial:step_completed", {"stepId": "s"})
        latest = world.store.select(tutorial.select_latest_prompt_snapshot)
        latest["currentPrompt"]["title"] = "mutated"
        assert world.store.state["tutorial"]["currentPrompt"]["title"] == "T"


def _interview(npc_id: str, dialogue_id: str) -> tuple[str, dict[str, Any]]:
    return "npc:interviewed", {"npcId": npc_id, "dialogueId": dialogue_id}


class TestInPlaceWrites:
    """Unseen states are written in place; whatever was handed out never changes."""

    def test_a_state_given_to_a_listener_never_changes(self, world: Harness) -> None:
        """Every state an update listener kept still shows what it showed then."""
        kept: list[tuple[Any, str]] = []
        world.store.on_update(lambda state, action: kept.append((state, repr(state["npc"]))))
        for n in range(5):
            world.emit(*_interview(f"npc_{n % 2}", f"d{n}"))
        assert [repr(state["npc"]) for state, _ in kept] == [text for _, text in kept]

    def test_a_state_read_between_events_never_changes(self, world: Harness) -> None:
        """``store.state`` read mid-replay is a published state: later events copy."""
        world.emit(*_interview("npc_a", "d1"))
        world.emit(*_interview("npc_b", "d2"))  # written in place: nobody saw the state
        seen = world.store.state
        by_id, text = seen["npc"]["byId"], repr(seen["npc"])
        world.emit(*_interview("npc_c", "d3"))
        world.emit(*_interview("npc_a", "d4"))
        assert repr(seen["npc"]) == text and "npc_c" not in by_id
        assert world.store.state["npc"]["byId"] is not by_id

    def test_selectors_see_the_change(self, world: Harness) -> None:
        """A memoised selector recomputes after an in-place write."""
        names = create_selector(
            lambda state: state["npc"]["byId"], combine=lambda by_id: sorted(by_id)
        )
        world.emit(*_interview("npc_a", "d1"))
        assert world.store.select(names) == ["npc_a"]
        world.emit(*_interview("npc_b", "d2"))
        world.emit(*_interview("npc_c", "d3"))
        assert world.store.select(names) == ["npc_a", "npc_b", "npc_c"]

    def test_unseen_npc_change_log_is_written_in_place(self, world: Harness) -> None:
        world.emit(*_interview("npc_a", "d1"))
        world.emit(*_interview("npc_a", "d2"))
        change_log = world.store._state["npc"]["changeLog"]  # peeked at without publishing
        world.emit(*_interview("npc_b", "d3"))
        seen = world.store.state["npc"]
        assert seen["changeLog"] is change_log and len(change_log) == 3
        world.emit(*_interview("npc_b", "d4"))
        assert len(seen["changeLog"]) == 3 and len(world.store.state["npc"]["changeLog"]) == 4

    def test_unseen_faction_records_are_written_in_place(self, world: Harness) -> None:
        """Attitude and reputation changes reuse a record nobody has seen; a published record
        keeps showing what it showed."""
        change = {"factionId": "f", "newAttitude": "hostile", "cascade": True, "source": "g"}
        world.emit("faction:attitude_changed", change)
        world.emit("reputation:changed", {"factionId": "f", "newFame": 3})
        record = world.store._state["faction"]["byId"]["f"]  # peeked at without publishing
        world.emit("faction:attitude_changed", {**change, "newAttitude": "allied"})
        world.emit("faction:member_removed", {"factionId": "f", "npcId": "n1"})
        published = world.store.state["faction"]
        assert published["byId"]["f"] is record
        assert [c["newAttitude"] for c in record["attitudeHistory"]] == ["hostile", "allied"]
        assert record["fame"] == 3 and record["cascadeCount"] == 2
        text = repr(published)
        for n in range(12):
            world.emit("faction:attitude_changed", {**change, "newAttitude": f"a{n}"})
            world.emit("faction:member_removed", {"factionId": "f", "npcId": f"n{n}"})
        assert repr(published) == text
        latest = world.store.state["faction"]
        assert len(latest["byId"]["f"]["attitudeHistory"]) == 10
        assert [r["npcId"] for r in latest["recentMemberRemovals"]][-2:] == ["n10", "n11"]
        assert len(latest["recentMemberRemovals"]) == 10

    def test_a_slice_in_two_stores_copies(self) -> None:
        """A slice instance shared by two stores never writes in place for either."""
        from worldstate.store.slices.npc import NpcSlice

        shared = NpcSlice()
        buses = EventBus(), EventBus()
        first, second = (WorldStore(bus, slices=[shared]) for bus in buses)
        buses[0].emit(*_interview("npc_a", "d1"))
        by_id = first.state["npc"]["byId"]
        buses[1].emit(*_interview("npc_b", "d2"))
        buses[1].emit(*_interview("npc_c", "d3"))
        assert list(by_id) == ["npc_a"] and list(second.state["npc"]["byId"]) == [
            "npc_b",
            "npc_c",
        ]


def _quest(event: str, quest_id: str, **extra: Any) -> tuple[str, dict[str, Any]]:
    return event, {"questId": quest_id, **extra}


class TestQuestAndDialogueInPlaceWrites:
    """The quest slice's byId map and status lists, and the dialogue slice's per-NPC maps,
    follow the same rules as the npc slice's."""

    def test_unseen_quest_maps_and_lists_are_written_in_place(self, world: Harness) -> None:
        world.emit(*_quest("quest:started", "q1"))
        world.emit(*_quest("quest:started", "q2"))
        internal = world.store._state["quest"]  # peeked at without publishing
        by_id, active = internal["byId"], internal["activeIds"]
        world.emit(*_quest("quest:started", "q3"))
        world.emit(*_quest("objective:progress", "q3", objectiveId="o1", progress=1, target=2))
        quests = world.store.state["quest"]
        assert quests["byId"] is by_id and quests["activeIds"] is active
        assert list(by_id) == ["q1", "q2", "q3"] and active == ["q1", "q2", "q3"]

    def test_a_published_quest_state_never_changes(self, world: Harness) -> None:
        world.emit(*_quest("quest:started", "q1"))
        world.emit(*_quest("quest:started", "q2"))
        seen = world.store.state["quest"]
        text = repr(seen)
        world.emit(*_quest("quest:completed", "q1"))
        world.emit(*_quest("objective:progress", "q2", objectiveId="o1", progress=1, target=2))
        world.emit(*_quest("quest:started", "q3"))
        assert repr(seen) == text
        after = world.store.state["quest"]
        assert after["activeIds"] == ["q2", "q3"] and after["completedIds"] == ["q1"]
        assert after["byId"] is not seen["byId"] and after["activeIds"] is not seen["activeIds"]

    def test_a_quest_action_that_changes_nothing_returns_the_same_state(
        self, world: Harness
    ) -> None:
        world.emit(*_quest("quest:started", "q1"))
        before = world.store.state
        world.emit(*_quest("objective:progress", "", objectiveId="o1"))  # no quest id
        assert world.store.state is before

    def test_dialogue_maps_are_written_in_place_until_published(self, world: Harness) -> None:
        world.emit("dialogue:started", {"npcId": "n1", "dialogueId": "d", "nodeId": "a"})
        world.emit("dialogue:completed", {"npcId": "n1"})
        internal = world.store._state["dialogue"]  # peeked at without publishing
        history, completed = internal["historyByNpc"], internal["completedByNpc"]
        world.emit("dialogue:started", {"npcId": "n2", "dialogueId": "d", "nodeId": "a"})
        world.emit("dialogue:completed", {"npcId": "n2"})
        seen = world.store.state["dialogue"]
        assert seen["historyByNpc"] is history and seen["completedByNpc"] is completed
        text = repr(seen)
        world.emit("dialogue:started", {"npcId": "n3", "dialogueId": "d", "nodeId": "a"})
        world.emit("dialogue:completed", {"npcId": "n3"})
        assert repr(seen) == text
        assert sorted(world.store.state["dialogue"]["completedByNpc"]) == ["n1", "n2", "n3"]
