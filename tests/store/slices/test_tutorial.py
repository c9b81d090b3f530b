"""Tutorial slice: every action, prompt history and snapshot limits, hydrate, selectors."""

from __future__ import annotations

from typing import Any

import pytest

from worldstate.clock import ManualClock
from worldstate.events import EventBus
from worldstate.store import Action, WorldStore
from worldstate.store.slices import tutorial
from worldstate.store.slices.tutorial import TutorialSlice


class Tut:
    def __init__(self, **limits: int) -> None:
        self.bus, self.clock = EventBus(), ManualClock(1000)
        self.store = WorldStore(self.bus, clock=self.clock, slices=[TutorialSlice(**limits)])

    def emit(self, event: str, payload: dict[str, Any] | None = None, *, at: int) -> None:
        self.clock.set(at)
        self.bus.emit(f"tutorial:{event}", payload or {})

    @property
    def state(self) -> Any:
        return self.store.state["tutorial"]

    def step(self, step_id: str, index: int, *, at: int, **extra: Any) -> None:
        self.emit("step_started", {"stepId": step_id, "stepIndex": index, **extra}, at=at)


@pytest.fixture(name="tut")
def _tut() -> Tut:
    return Tut()


class TestFlow:
    def test_started(self, tut: Tut) -> None:
        """TUTORIAL_STARTED enables, sets totals and clears prompts and snapshots."""
        tut.emit("started", {"totalSteps": 3}, at=10)
        assert tut.state["enabled"] is True
        assert tut.state["totalSteps"] == 3
        assert tut.state["startedAt"] == 10
        assert tut.state["lastActionAt"] == 10
        assert tut.state["promptHistory"] == []

    def test_step_started_builds_prompt(self, tut: Tut) -> None:
        """A step start makes the current prompt and appends it to the history."""
        tut.emit("started", {"totalSteps": 2}, at=10)
        tut.step(
            "move",
            0,
            at=20,
            title="Move",
            highlight={"type": "entity"},
            canSkip=1,
            controlHint={"label": "Walk", "keys": ["W"], "extra": True},
        )
        prompt = {
            "title": "Move",
            "description": None,
            "stepId": "move",
            "stepIndex": 0,
            "totalSteps": 2,
            "highlight": {"type": "entity"},
            "position": None,
            "canSkip": True,
            "startedAt": 20,
            "controlHint": {"label": "Walk", "keys": ["W"], "note": None},
        }
        assert tut.state["currentPrompt"] == prompt
        assert tut.state["promptHistory"] == [prompt]
        assert (tut.state["currentStep"], tut.state["stepStartedAt"]) == ("move", 20)
        assert tut.state["promptHistorySnapshots"] == []

    def test_step_completed_snapshot_after_mutation(self, tut: Tut) -> None:
        """The step_completed snapshot shows the state after the completion."""
        tut.emit("started", {"totalSteps": 2}, at=10)
        tut.step("move", 0, at=20, title="Move")
        tut.emit("step_completed", {"stepId": "move", "stepIndex": 0}, at=50)
        assert tut.state["completedSteps"] == ["move"]
        assert tut.state["completedTimeline"] == {"move": 50}
        assert tut.state["stepDurations"] == {"move": 30}
        [snap] = tut.store.select(tutorial.select_prompt_history_snapshots)
        assert snap["event"] == "step_completed"
        assert snap["completedSteps"] == ["move"]
        assert snap["analytics"] == {
            "completedTimeline": {"move": 50},
            "stepDurations": {"move": 30},
        }
        assert snap["metadata"] == {"stepId": "move", "completedAt": 50}
        assert snap["currentPrompt"]["title"] == "Move"

    def test_repeated_completion_is_a_no_op(self, tut: Tut) -> None:
        """Completing a completed step changes nothing and takes no snapshot (reference)."""
        tut.step("move", 0, at=20)
        tut.emit("step_completed", {"stepId": "move"}, at=30)
        before = tut.store.state
        tut.emit("step_completed", {"stepId": "move"}, at=40)
        assert tut.store.state is before
        assert len(tut.state["promptHistorySnapshots"]) == 1

    def test_completed(self, tut: Tut) -> None:
        """TUTORIAL_COMPLETED resets the step and snapshots with completedSteps metadata."""
        tut.step("move", 0, at=20)
        tut.emit("step_completed", {"stepId": "move"}, at=30)
        tut.emit("completed", {"completedSteps": ["move", "x"]}, at=40)
        state = tut.state
        assert (state["enabled"], state["completed"], state["currentStep"]) == (False, True, None)
        assert (state["currentStepIndex"], state["currentPrompt"], state["stepStartedAt"]) == (
            -1,
            None,
            None,
        )
        latest = tut.store.select(tutorial.select_latest_prompt_snapshot)
        assert latest["event"] == "tutorial_completed"
        assert latest["metadata"] == {"completedSteps": ["move", "x"]}
        assert latest["stepId"] is None
        assert tutorial.is_tutorial_completed(tut.store.state) is True

    def test_completed_without_list_uses_state(self, tut: Tut) -> None:
        """Without a completedSteps list the state's list is used."""
        tut.step("move", 0, at=20)
        tut.emit("step_completed", {"stepId": "move"}, at=30)
        tut.emit("completed", {}, at=40)
        latest = tut.store.select(tutorial.select_latest_prompt_snapshot)
        assert latest["metadata"] == {"completedSteps": ["move"]}

    def test_skipped_reason(self, tut: Tut) -> None:
        """A bus skip says 'skipped'; a dispatched reason is kept."""
        tut.step("move", 0, at=20)
        tut.emit("skipped", {"stepId": "move", "reason": "bored"}, at=30)
        assert tut.state["skipped"] is True
        assert tut.state["promptHistorySnapshots"][-1]["metadata"] == {"reason": "skipped"}
        tut.store.dispatch(Action("TUTORIAL_SKIPPED", "tutorial", {"reason": "menu"}))
        assert tut.state["promptHistorySnapshots"][-1]["metadata"] == {"reason": "menu"}

    def test_control_hint_updated(self, tut: Tut) -> None:
        """A hint update reaches the current prompt and its history entry, with a snapshot."""
        tut.step("move", 0, at=20, controlHint={"label": "Walk", "keys": ["W"]})
        tut.emit("control_hint_updated", {"controlHint": {"keys": ["I", "J"]}}, at=25)
        expected = {"label": None, "keys": ["I", "J"], "note": None}
        assert tut.state["currentPrompt"]["controlHint"] == expected
        assert tut.state["promptHistory"][-1]["controlHint"] == expected
        snap = tut.state["promptHistorySnapshots"][-1]
        assert (snap["event"], snap["timestamp"], snap["metadata"]) == (
            "control_hint_updated",
            25,
            {"stepId": "move"},
        )

    def test_control_hint_updated_at(self, tut: Tut) -> None:
        """updatedAt in the event becomes the action's timestamp."""
        tut.step("move", 0, at=20)
        tut.emit("control_hint_updated", {"controlHint": {"label": "x"}, "updatedAt": 7}, at=25)
        assert tut.state["lastActionAt"] == 7

    def test_control_hint_for_unknown_step_is_a_no_op(self, tut: Tut) -> None:
        """A hint for a step without a prompt changes nothing."""
        tut.step("move", 0, at=20)
        before = tut.store.state
        tut.emit("control_hint_updated", {"stepId": "other", "controlHint": {"label": "x"}}, at=25)
        tut.emit("control_hint_updated", {"controlHint": "not a dict"}, at=26)
        assert tut.store.state is before


class TestLimits:
    def test_prompt_history_limit(self) -> None:
        """promptHistory keeps the newest prompt_history_limit prompts."""
        tut = Tut(prompt_history_limit=2)
        for n in range(4):
            tut.step(f"s{n}", n, at=n)
        assert [p["stepId"] for p in tut.state["promptHistory"]] == ["s2", "s3"]

    def test_snapshot_limit_default_ten(self, tut: Tut) -> None:
        """promptHistorySnapshots keeps the newest 10 by default."""
        for n in range(12):
            tut.step(f"s{n}", n, at=10 * n)
            tut.emit("step_completed", {"stepId": f"s{n}"}, at=10 * n + 5)
        snaps = tut.state["promptHistorySnapshots"]
        assert [s["metadata"]["stepId"] for s in snaps] == [f"s{n}" for n in range(2, 12)]

    def test_limits_are_per_instance(self) -> None:
        """Two stores with different limits do not affect each other."""
        small, default = Tut(prompt_snapshot_limit=1), Tut()
        for tut in (small, default):
            for n in range(3):
                tut.step(f"s{n}", n, at=n)
                tut.emit("step_completed", {"stepId": f"s{n}"}, at=n)
        assert len(small.state["promptHistorySnapshots"]) == 1
        assert len(default.state["promptHistorySnapshots"]) == 3
        assert default.state["promptHistorySnapshotLimit"] == 10

    def test_bad_limits_refused(self) -> None:
        """Limits below 1 are a programming error."""
        with pytest.raises(ValueError):
            TutorialSlice(prompt_history_limit=0)

    def test_snapshots_share_prompts(self, tut: Tut) -> None:
        """A snapshot shares the state's prompt objects instead of cloning them."""
        tut.step("move", 0, at=20)
        tut.emit("step_completed", {"stepId": "move"}, at=30)
        snap = tut.state["promptHistorySnapshots"][-1]
        assert snap["currentPrompt"] is tut.state["currentPrompt"]
        assert snap["promptHistory"] is tut.state["promptHistory"]


class TestHydrate:
    def test_hydrate_takes_limits_and_normalises(self) -> None:
        """Snapshot limits win; prompts and snapshots get their default fields."""
        state = TutorialSlice().hydrate(
            {
                "totalSteps": 5,
                "promptHistoryLimit": 3,
                "promptHistorySnapshotLimit": 12,
                "promptHistory": [{"title": "T"}],
                "promptHistorySnapshots": [{"event": "step_completed"}],
            }
        )
        assert (state["promptHistoryLimit"], state["promptHistorySnapshotLimit"]) == (3, 12)
        assert state["promptHistory"][0]["canSkip"] is False
        assert state["promptHistory"][0]["controlHint"] is None
        assert state["promptHistorySnapshots"][0]["analytics"] == {
            "completedTimeline": {},
            "stepDurations": {},
        }
        assert state["promptHistorySnapshots"][0]["metadata"] == {}
        assert state["currentStepIndex"] == -1

    def test_progress_selector(self, tut: Tut) -> None:
        """select_tutorial_progress summarises the slice."""
        tut.emit("started", {"totalSteps": 2}, at=1)
        tut.step("move", 0, at=2)
        progress = tut.store.select(tutorial.select_tutorial_progress)
        assert progress["currentStep"] == "move"
        assert progress["totalSteps"] == 2
        assert tut.store.select(tutorial.select_latest_prompt_snapshot) is None
        assert tut.store.select(tutorial.select_current_prompt)["stepId"] == "move"
        assert len(tut.store.select(tutorial.select_prompt_history)) == 1
        assert tut.store.select(tutorial.select_tutorial_analytics) == {
            "completedTimeline": {},
            "stepDurations": {},
        }
