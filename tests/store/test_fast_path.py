"""The store's direct use of a slice's ``type_reducers`` gives what the slice's ``reduce`` gives."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from tests._paths import REPLAY_GOLDENS

from worldstate.replay import StoreReplay, iter_event_log
from worldstate.store import Action, default_slices
from worldstate.store.slices import dialogue, faction, inventory, quest, tutorial


@pytest.mark.parametrize("case", REPLAY_GOLDENS, ids=lambda p: p.name)
def test_replayed_states_equal_each_slice_reducing_the_same_actions_itself(case: Path) -> None:
    replay = StoreReplay(iter_event_log(case / "events.jsonl"))
    store = replay.store
    actions: list[Action] = []
    replay.bus.on("worldstate:action", lambda _event, action: actions.append(action))
    replay.run()
    # Fresh slices, attached to no store: their reduce copies on every write.
    slices = default_slices(catalog=store.catalog)
    states: dict[str, Any] = {s.key: s.initial_state() for s in slices}
    for action in actions:
        for s in slices:
            if action.domain in (s.domain, "world"):
                states[s.key] = s.reduce(states[s.key], action)
    assert dict(store.state) == states
    assert any(a.domain == "tutorial" for a in actions)


def test_a_reducer_that_changes_nothing_leaves_the_state_object_as_it_is() -> None:
    replay = StoreReplay(iter_event_log(REPLAY_GOLDENS[0] / "events.jsonl"))
    replay.run()
    before = replay.store.state
    # A step nobody started completes nothing; an unknown faction action type changes nothing.
    replay.store.dispatch(Action("TUTORIAL_STEP_COMPLETED", "tutorial", {"stepId": None}))
    replay.store.dispatch(Action("FACTION_NO_SUCH_THING", "faction", {}))
    assert replay.store.state is before
    assert replay.store.state["tutorial"] is before["tutorial"]


def test_the_slices_that_reduce_by_type_declare_their_tables() -> None:
    for module, name in (
        (faction, "FactionSlice"),
        (tutorial, "TutorialSlice"),
        (dialogue, "DialogueSlice"),
        (quest, "QuestSlice"),
        (inventory, "InventorySlice"),
    ):
        slice_ = getattr(module, name)()
        assert slice_.type_reducers, name
    assert quest.QuestSlice().stamp_changes and dialogue.DialogueSlice().stamp_changes
    assert not hasattr(faction.FactionSlice(), "stamp_changes")
