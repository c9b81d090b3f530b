"""Tutorial transcript recorder (REFERENCE §5.1) and serializer (§5.2, DEVIATIONS D3)."""

from __future__ import annotations

from typing import Any

import pytest

from worldstate.clock import ManualClock
from worldstate.errors import ConfigurationError
from worldstate.events import EventBus
from worldstate.inspector import TutorialTranscriptRecorder, build_transcript
from worldstate.testing import capture_events


def _step(bus: EventBus, index: int) -> None:
    bus.emit("tutorial:step_started", {"stepId": f"s{index}", "title": f"T{index}"})


def test_entries_follow_the_reference_shape() -> None:
    clock, bus = ManualClock(1000), EventBus()
    recorder = TutorialTranscriptRecorder(bus, clock=clock)
    bus.emit("tutorial:started", {"totalSteps": 2})
    clock.set(2000)
    bus.emit("tutorial:step_started", {"stepId": "intro", "title": "Intro", "stepIndex": 0})
    bus.emit("tutorial:step_completed", {"completedAt": 2500, "followUpNarrative": "a|b"})
    bus.emit("tutorial:skipped", {"stepIndex": 1})
    bus.emit("tutorial:completed", {"totalSteps": 2, "completedSteps": ["intro"]})
    entries = [e.to_dict() for e in recorder.transcript()]
    assert entries[0] == {
        "event": "tutorial_started",
        "promptId": None,
        "promptText": None,
        "actionTaken": "started",
        "timestamp": 1000,
        "followUpNarrative": None,
        "metadata": {"totalSteps": 2, "startedAt": None},
    }
    assert entries[1]["metadata"] == {
        "stepIndex": 0,
        "totalSteps": None,
        "description": None,
        "highlight": None,
        "position": None,
        "canSkip": None,
        "startedAt": 2000,
    }
    # a completion without ids takes them from the last started step
    assert (entries[2]["promptId"], entries[2]["promptText"]) == ("intro", "Intro")
    assert entries[2]["timestamp"] == 2500
    assert entries[2]["followUpNarrative"] == "a|b"
    assert (entries[3]["event"], entries[3]["promptId"], entries[3]["promptText"]) == (
        "tutorial_skipped",
        "intro",
        "Intro",
    )
    assert entries[4]["metadata"] == {
        "totalSteps": 2,
        "completedSteps": ["intro"],
        "completedAt": None,
    }


def test_retention_keeps_the_newest_entries() -> None:
    bus = EventBus()
    recorder = TutorialTranscriptRecorder(bus, clock=ManualClock(0), max_entries=3)
    for index in range(5):
        _step(bus, index)
    assert [e.prompt_id for e in recorder.transcript()] == ["s2", "s3", "s4"]
    assert len(recorder) == 3


def test_transcript_returns_copies() -> None:
    bus = EventBus()
    recorder = TutorialTranscriptRecorder(bus, clock=ManualClock(0))
    bus.emit("tutorial:step_started", {"stepId": "s", "highlight": {"x": 1}})
    recorder.transcript()[0].metadata["highlight"]["x"] = 99
    assert recorder.transcript()[0].metadata["highlight"] == {"x": 1}


def test_zero_window_emits_once_per_entry() -> None:
    bus = EventBus()
    updates = capture_events(bus, "tutorial:transcript_updated")
    TutorialTranscriptRecorder(bus, clock=ManualClock(0), coalesce_ms=0)
    _step(bus, 0)
    _step(bus, 1)
    assert [(u["count"], u["lastEntry"]["promptId"]) for u in updates.payloads] == [
        (1, "s0"),
        (2, "s1"),
    ]


def test_updates_are_coalesced_without_timers() -> None:
    clock, bus = ManualClock(0), EventBus()
    updates = capture_events(bus, "tutorial:transcript_updated")
    recorder = TutorialTranscriptRecorder(bus, clock=clock, coalesce_ms=50)
    _step(bus, 0)  # first append: emitted at once
    assert [u["count"] for u in updates.payloads] == [1]
    clock.advance(10)
    _step(bus, 1)
    clock.advance(10)
    _step(bus, 2)  # both inside the window: pending, not emitted
    assert [u["count"] for u in updates.payloads] == [1]
    assert recorder.pending
    assert recorder.poll() is False  # window (50 ms since the last emit) not over yet
    clock.advance(30)
    assert recorder.poll() is True
    assert [(u["count"], u["lastEntry"]["promptId"]) for u in updates.payloads] == [
        (1, "s0"),
        (3, "s2"),
    ]
    assert not recorder.pending
    assert recorder.poll() is False


def test_append_after_the_window_carries_the_pending_update() -> None:
    clock, bus = ManualClock(0), EventBus()
    updates = capture_events(bus, "tutorial:transcript_updated")
    TutorialTranscriptRecorder(bus, clock=clock, coalesce_ms=50)
    _step(bus, 0)
    clock.advance(5)
    _step(bus, 1)
    clock.advance(100)
    _step(bus, 2)
    assert [(u["count"], u["lastEntry"]["promptId"]) for u in updates.payloads] == [
        (1, "s0"),
        (3, "s2"),
    ]


def test_flush_emits_now_and_close_drops_pending_and_unsubscribes() -> None:
    clock, bus = ManualClock(0), EventBus()
    updates = capture_events(bus, "tutorial:transcript_updated")
    recorder = TutorialTranscriptRecorder(bus, clock=clock, coalesce_ms=1000)
    _step(bus, 0)
    _step(bus, 1)
    assert recorder.flush() is True
    assert [u["count"] for u in updates.payloads] == [1, 2]
    assert recorder.flush() is False
    _step(bus, 2)
    recorder.close()
    assert recorder.closed and not recorder.pending
    _step(bus, 3)
    assert len(recorder) == 3
    assert [u["count"] for u in updates.payloads] == [1, 2]


def test_reset_forgets_entries() -> None:
    bus = EventBus()
    recorder = TutorialTranscriptRecorder(bus, clock=ManualClock(0))
    _step(bus, 0)
    recorder.reset()
    assert recorder.transcript() == []


@pytest.mark.parametrize(
    "options",
    [{"max_entries": 0}, {"coalesce_ms": -1}, {"update_event": "  "}],
)
def test_bad_options_are_configuration_errors(options: dict[str, Any]) -> None:
    with pytest.raises(ConfigurationError):
        TutorialTranscriptRecorder(EventBus(), clock=ManualClock(0), **options)


def test_serializer_keeps_nulls_and_numbers_entries() -> None:
    entries = [
        {"event": "x", "timestamp": 0, "metadata": {"a": None, "b": {"c": None}, "d": [None]}},
        {"actionTaken": "y", "timestamp": 1761843600000, "promptText": "T", "metadata": None},
    ]
    dtos = build_transcript(entries)
    assert dtos[0] == {
        "sequence": 0,
        "event": "x",
        "promptId": None,
        "title": None,
        "action": "x",
        "timestamp": 0,
        "timestampIso": None,
        "followUpNarrative": None,
        "metadata": {"a": None, "b": {"c": None}, "d": [None]},
    }
    assert dtos[1]["event"] == "unknown"
    assert dtos[1]["action"] == "y"
    assert dtos[1]["title"] == "T"
    assert dtos[1]["timestampIso"] == "2025-10-30T17:00:00.000Z"
    assert dtos[1]["metadata"] == {}
    assert [d["sequence"] for d in build_transcript(entries, limit=1)] == [0]
    assert build_transcript(entries, limit=1)[0]["action"] == "y"


class _EmitLog(EventBus):
    """A real bus that also remembers the names it was asked to emit."""

    def __init__(self) -> None:
        super().__init__()
        self.emitted: list[str] = []

    def emit(self, event: str, payload: Any = None) -> int:
        self.emitted.append(event)
        return super().emit(event, payload)


def test_no_update_payload_is_built_for_nobody() -> None:
    """Without a listener for the update event the recorder neither builds nor emits it."""
    bus = _EmitLog()
    recorder = TutorialTranscriptRecorder(bus, clock=ManualClock(0), coalesce_ms=0)
    for index in range(3):
        _step(bus, index)
    assert len(recorder) == 3 and "tutorial:transcript_updated" not in bus.emitted
    seen = capture_events(bus, "tutorial:transcript_updated")
    _step(bus, 3)
    assert bus.emitted[-1] == "tutorial:transcript_updated" and seen.payloads[0]["count"] == 4


class TestEntriesBuiltWhenRead:
    """Entries are built when read; what they show is the moment their event arrived."""

    def test_a_payload_changed_after_its_event_changes_no_entry(self) -> None:
        bus = EventBus()
        recorder = TutorialTranscriptRecorder(bus, clock=ManualClock(0))
        plain: dict[str, Any] = {"stepId": "s1", "title": "One", "stepIndex": 0}
        nested: dict[str, Any] = {"stepId": "s2", "highlight": {"x": 1}, "stepIndex": 1}
        bus.emit("tutorial:step_started", plain)
        bus.emit("tutorial:step_started", nested)
        plain.update(stepId="changed", title="Changed", stepIndex=7)
        nested["highlight"]["x"] = 99
        first, second = recorder.transcript()
        assert (first.prompt_id, first.prompt_text, first.metadata["stepIndex"]) == ("s1", "One", 0)
        assert second.metadata["highlight"] == {"x": 1}

    def test_the_step_and_the_clock_are_those_of_the_event(self) -> None:
        clock, bus = ManualClock(5), EventBus()
        recorder = TutorialTranscriptRecorder(bus, clock=clock)
        bus.emit("tutorial:step_started", {"stepId": "a", "title": "A"})
        bus.emit("tutorial:step_completed", {})
        clock.set(99)
        bus.emit("tutorial:step_started", {"stepId": "b", "title": "B"})
        completed = recorder.transcript()[1]
        assert (completed.prompt_id, completed.prompt_text) == ("a", "A")
        assert completed.timestamp == 5 and completed.metadata["completedAt"] == 5

    def test_a_non_finite_number_is_read_as_null(self) -> None:
        bus = EventBus()
        recorder = TutorialTranscriptRecorder(bus, clock=ManualClock(0))
        bus.emit("tutorial:step_started", {"stepId": "s", "stepIndex": float("nan")})
        assert recorder.transcript()[0].metadata["stepIndex"] is None

    def test_an_entry_is_built_once(self) -> None:
        bus = EventBus()
        recorder = TutorialTranscriptRecorder(bus, clock=ManualClock(0))
        _step(bus, 1)
        first = recorder.transcript()
        assert recorder.transcript() == first
        assert recorder._entries[0].__class__ is type(first[0])
