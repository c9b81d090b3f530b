"""The dialogue slice: active dialogue, transcripts, per-instance limits, snapshots, selectors."""

from __future__ import annotations

import json
from typing import Any

import msgspec
import pytest

from worldstate.store._selectors import SelectorCache
from worldstate.store._slice import Action
from worldstate.store.slices.dialogue import (
    DialogueSlice,
    select_active_dialogue,
    select_dialogue_transcript,
)
from worldstate.testing import reduce_event

State = dict[str, Any]

NODE: dict[str, Any] = {
    "npcId": "ann",
    "dialogueId": "d1",
    "nodeId": "n0",
    "speaker": "Ann",
    "text": "Hello.",
    "choices": [{"id": "yes", "text": "Yes"}, {"text": "No", "nextNode": "n9"}],
}


def started(slice_: DialogueSlice) -> State:
    return reduce_event(slice_, slice_.initial_state(), "dialogue:started", NODE, 100)


class TestDialogueActions:
    def test_started(self) -> None:
        """Starting sets the active dialogue (choices numbered) and records a node entry."""
        slice_ = DialogueSlice()
        state = started(slice_)
        assert state["active"] == {
            "npcId": "ann",
            "dialogueId": "d1",
            "nodeId": "n0",
            "speaker": "Ann",
            "text": "Hello.",
            "canAdvance": False,
            "hasChoices": True,
            "startedAt": 100,
            "updatedAt": 100,
            "choices": [
                {"id": "yes", "text": "Yes", "nextNode": None, "lockedReason": None},
                {"id": "choice_1", "text": "No", "nextNode": "n9", "lockedReason": None},
            ],
        }
        assert state["historyByNpc"]["ann"] == [
            {
                "type": "node",
                "dialogueId": "d1",
                "nodeId": "n0",
                "choiceId": None,
                "choiceText": None,
                "speaker": "Ann",
                "text": "Hello.",
                "timestamp": 100,
            }
        ]
        assert state["lastActionAt"] == 100

    def test_node_changed_keeps_started_at(self) -> None:
        """A node change updates the active node but keeps the original startedAt."""
        slice_ = DialogueSlice()
        state = reduce_event(
            slice_,
            started(slice_),
            "dialogue:node_changed",
            {**NODE, "nodeId": "n1", "choices": []},
            150,
        )
        assert state["active"]["nodeId"] == "n1"
        assert (state["active"]["startedAt"], state["active"]["updatedAt"]) == (100, 150)
        assert state["active"]["hasChoices"] is False
        assert len(state["historyByNpc"]["ann"]) == 2

    def test_choice_builder_fallbacks(self) -> None:
        """choiceId falls back to choice.id then choiceIndex; choiceText to choice.text."""
        build = DialogueSlice().events["dialogue:choice"]
        action = build({"npcId": "a", "choice": {"id": "c", "text": "T"}}, 1)
        assert action is not None
        assert (action.payload["choiceId"], action.payload["choiceText"]) == ("c", "T")
        action = build({"npcId": "a", "choiceIndex": 0}, 1)
        assert action is not None
        assert (action.payload["choiceId"], action.payload["choiceText"]) == (0, None)

    def test_choice_uses_active_npc(self) -> None:
        """A choice without npcId goes to the active dialogue's NPC; with neither, nothing."""
        slice_ = DialogueSlice()
        state = reduce_event(
            slice_,
            started(slice_),
            "dialogue:choice",
            {"choiceId": "yes", "choiceText": "Yes"},
            120,
        )
        assert state["historyByNpc"]["ann"][-1]["type"] == "choice"
        assert state["historyByNpc"]["ann"][-1]["choiceId"] == "yes"
        empty = slice_.initial_state()
        assert reduce_event(slice_, empty, "dialogue:choice", {"choiceId": "x"}, 1) is empty

    def test_ended_and_completed(self) -> None:
        """Ending clears the active dialogue; completing records it per NPC."""
        slice_ = DialogueSlice()
        state = started(slice_)
        ended = reduce_event(slice_, state, "dialogue:ended", {}, 130)
        assert ended["active"] is None
        assert reduce_event(slice_, ended, "dialogue:ended", {}, 131) is ended
        done = reduce_event(slice_, state, "dialogue:completed", {"choiceId": "yes"}, 140)
        assert done["active"] is None
        assert done["completedByNpc"]["ann"] == {
            "lastDialogueId": "d1",
            "lastNodeId": "n0",
            "lastChoiceId": "yes",
            "completedAt": 140,
        }
        empty = slice_.initial_state()
        assert reduce_event(slice_, empty, "dialogue:completed", {}, 1) is empty

    def test_other_domain_is_ignored(self) -> None:
        """Dialogue-typed actions of another domain return the same state."""
        slice_ = DialogueSlice()
        state = slice_.initial_state()
        assert slice_.reduce(state, Action("DIALOGUE_STARTED", "npc", dict(NODE), 1)) is state

    def test_old_state_is_not_mutated(self) -> None:
        """Reducers never change the state they were given."""
        slice_ = DialogueSlice()
        before = started(slice_)
        frozen = json.dumps(before)
        reduce_event(slice_, before, "dialogue:choice", {"choiceId": "yes"}, 2)
        reduce_event(slice_, before, "dialogue:completed", {}, 3)
        assert json.dumps(before) == frozen


class TestDialogueLimits:
    def test_history_limit_per_npc(self) -> None:
        """Each NPC keeps its newest history_limit entries; limits are per instance."""
        small, default = DialogueSlice(history_limit=3), DialogueSlice()
        state, other = small.initial_state(), default.initial_state()
        for ts in range(1, 8):
            state = reduce_event(small, state, "dialogue:node_changed", NODE, ts)
            other = reduce_event(default, other, "dialogue:node_changed", NODE, ts)
        assert [e["timestamp"] for e in state["historyByNpc"]["ann"]] == [5, 6, 7]
        assert len(other["historyByNpc"]["ann"]) == 7
        assert state["historyLimit"] == 3

    def test_transcript_disabled_records_nothing(self) -> None:
        """With the transcript disabled no entries are kept, but the dialogue still tracks."""
        slice_ = DialogueSlice(transcript_enabled=False)
        state = reduce_event(slice_, started(slice_), "dialogue:choice", {"choiceId": "yes"}, 120)
        assert state["historyByNpc"] == {}
        assert state["active"]["npcId"] == "ann"
        assert state["lastActionAt"] == 120
        assert slice_.serialize(state)["transcriptEnabled"] is False

    @pytest.mark.parametrize("limit", [0, -1, True, 2.5])
    def test_bad_limit_is_refused(self, limit: Any) -> None:
        """history_limit must be a positive integer."""
        with pytest.raises(ValueError, match="history_limit"):
            DialogueSlice(history_limit=limit)


class TestDialogueSnapshot:
    def test_round_trip(self) -> None:
        """hydrate(serialize(x)) serialises identically, with the section's settings."""
        slice_ = DialogueSlice()
        state = reduce_event(slice_, started(slice_), "dialogue:choice", {"choiceId": "yes"}, 120)
        section = slice_.serialize(state)
        assert list(section) == [
            "active",
            "historyByNpc",
            "completedByNpc",
            "lastActionAt",
            "historyLimit",
            "transcriptEnabled",
        ]
        restored = DialogueSlice(history_limit=2, transcript_enabled=False).hydrate(
            json.loads(json.dumps(section))
        )
        assert json.dumps(slice_.serialize(restored)) == json.dumps(section)
        assert restored["historyLimit"] == 10 and restored["transcriptEnabled"] is True

    def test_hydrate_fills_entries_and_defaults(self) -> None:
        """Partial entries gain every key; a missing section gives the configured defaults."""
        slice_ = DialogueSlice(history_limit=4)
        state = slice_.hydrate({"historyByNpc": {"a": [{"type": "node", "text": "Hi"}], "b": []}})
        assert state["historyByNpc"]["a"][0] == {
            "type": "node",
            "dialogueId": None,
            "nodeId": None,
            "choiceId": None,
            "choiceText": None,
            "speaker": None,
            "text": "Hi",
            "timestamp": None,
        }
        assert "b" not in slice_.serialize(state)["historyByNpc"]
        assert slice_.hydrate(None) == slice_.initial_state()
        assert slice_.hydrate(None)["historyLimit"] == 4

    def test_schema_rejects_wrong_types(self) -> None:
        """historyByNpc must map NPC ids to lists."""
        schema = DialogueSlice().snapshot_schema
        with pytest.raises(msgspec.ValidationError) as caught:
            msgspec.convert({"historyByNpc": []}, schema)
        assert str(caught.value).endswith("- at `$.historyByNpc`")
        with pytest.raises(msgspec.ValidationError) as caught:
            msgspec.convert({"transcriptEnabled": "yes"}, schema)
        assert str(caught.value).endswith("- at `$.transcriptEnabled`")


class TestDialogueSelectors:
    def test_active_and_transcript(self) -> None:
        """select_active_dialogue reads the active node; the transcript selector is memoised."""
        slice_ = DialogueSlice()
        state = started(slice_)
        root = {"dialogue": state}
        assert select_active_dialogue(root) is state["active"]
        cache = SelectorCache()
        transcript = cache.run(select_dialogue_transcript, root, ("ann",))
        assert [entry["text"] for entry in transcript] == ["Hello."]
        assert cache.run(select_dialogue_transcript, root, ("ann",)) is transcript
        assert select_dialogue_transcript(root, "nobody") == []
