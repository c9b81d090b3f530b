"""Event-log replay: streaming, validation errors naming file and line, replay stats."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from worldstate.cli import cli
from worldstate.clock import ManualClock
from worldstate.errors import EventLogError
from worldstate.events import EventBus
from worldstate.replay import RecordedEvent, StoreReplay, iter_event_log, replay_events

GOOD = b'{"ts": 5, "event": "a:b", "payload": {"x": 1}}\n'


def write(tmp_path: Path, content: bytes) -> Path:
    path = tmp_path / "events.jsonl"
    path.write_bytes(content)
    return path


class TestIterEventLog:
    def test_reads_events_with_line_numbers(self, tmp_path: Path) -> None:
        """Blank lines are skipped; line numbers are those of the file."""
        path = write(tmp_path, GOOD + b"\n   \n" + b'{"ts":6,"event":"c","payload":{}}\n')
        events = list(iter_event_log(path))
        assert events == [
            RecordedEvent(5, "a:b", {"x": 1}, 1),
            RecordedEvent(6, "c", {}, 4),
        ]

    def test_the_javascript_date_range_limits_are_accepted(self) -> None:
        """ts of exactly ±8.64e15 ms is still a valid JavaScript date."""
        log = b'{"ts": 8640000000000000, "event": "a", "payload": {}}\n'
        log += b'{"ts": -8640000000000000, "event": "a", "payload": {}}\n'
        events = list(iter_event_log(io.BytesIO(log), name="memory"))
        assert [e.ts for e in events] == [8_640_000_000_000_000, -8_640_000_000_000_000]

    def test_reads_binary_stream(self) -> None:
        """A binary file object can be read, named for errors."""
        events = list(iter_event_log(io.BytesIO(GOOD), name="memory"))
        assert [e.event for e in events] == ["a:b"]

    def test_is_lazy(self, tmp_path: Path) -> None:
        """Events before a bad line are yielded before the error is raised."""
        path = write(tmp_path, GOOD + b"{bad\n")
        stream = iter_event_log(path)
        assert next(stream).ts == 5
        with pytest.raises(EventLogError):
            next(stream)

    @pytest.mark.parametrize(
        ("line", "problem"),
        [
            (b"{not json", "malformed"),
            (b'{"ts": 1.5, "event": "a", "payload": {}}', "Expected `int`, got `float` at $.ts"),
            (b'{"ts": "1", "event": "a", "payload": {}}', "Expected `int`, got `str` at $.ts"),
            (b'{"ts": 1, "payload": {}}', "missing required field `event`"),
            (b'{"ts": 1, "event": "a"}', "missing required field `payload`"),
            (b'{"ts": 1, "event": "a", "payload": []}', "at $.payload"),
            (b"[1, 2]", "Expected `object`, got `array`"),
            (
                b'{"ts": 8640000000000001, "event": "a", "payload": {}}',
                "ts is outside the JavaScript date range (±8.64e15 ms) at $.ts",
            ),
            (
                b'{"ts": -8640000000000001, "event": "a", "payload": {}}',
                "ts is outside the JavaScript date range (±8.64e15 ms) at $.ts",
            ),
        ],
    )
    def test_bad_line_names_file_and_line(self, tmp_path: Path, line: bytes, problem: str) -> None:
        """Each malformed line raises EventLogError with file, line number and the problem."""
        path = write(tmp_path, GOOD + b"\n" + line + b"\n")
        with pytest.raises(EventLogError) as info:
            list(iter_event_log(path))
        assert info.value.line == 3
        assert info.value.source == str(path)
        assert problem in str(info.value)
        assert str(info.value).startswith(f"{path}, line 3: ")

    def test_missing_file(self, tmp_path: Path) -> None:
        """A file that cannot be opened is an EventLogError naming it."""
        with pytest.raises(EventLogError, match="cannot read event log"):
            list(iter_event_log(tmp_path / "nope.jsonl"))


class TestReplayEvents:
    def test_sets_clock_and_counts(self) -> None:
        """The clock is at each event's ts when it is emitted; unheard events are counted."""
        bus, clock = EventBus(), ManualClock()
        heard: list[tuple[str, int]] = []
        bus.on("a:b", lambda event, payload: heard.append((event, clock())))
        events = [
            RecordedEvent(10, "a:b", {}),
            RecordedEvent(20, "nobody:listens", {}),
            RecordedEvent(30, "a:b", {}),
        ]
        seen: list[int] = []
        stats = replay_events(events, bus, clock, on_event=lambda e: seen.append(e.ts))
        assert heard == [("a:b", 10), ("a:b", 30)]
        assert (stats.events, stats.unknown_events, stats.last_ts) == (3, 1, 30)
        assert seen == [10, 20, 30]
        assert stats.seconds >= 0

    def test_empty_log(self) -> None:
        """An empty log replays nothing."""
        stats = replay_events([], EventBus(), ManualClock())
        assert (stats.events, stats.last_ts) == (0, None)


class TestStoreReplay:
    def test_replays_into_a_fresh_store_from_the_first_event(self) -> None:
        """The clock starts at the first ts; listeners added before run() see every event."""
        events = [
            RecordedEvent(100, "story:flag:changed", {"flagId": "door", "value": True}),
            RecordedEvent(250, "story:flag:changed", {"flagId": "lamp", "value": 1}),
        ]
        replay = StoreReplay(events)
        assert (replay.first_ts, replay.clock()) == (100, 100)
        seen: list[int] = []
        replay.bus.on("story:*:*", lambda _name, _payload: seen.append(replay.clock()))
        stats = replay.run()
        assert (stats.events, stats.last_ts, seen) == (2, 250, [100, 250])
        flags = replay.store.snapshot()["storyFlags"]["flags"]
        assert {k: v["updatedAt"] for k, v in flags.items()} == {"door": 100, "lamp": 250}

    def test_an_empty_log_starts_at_empty_start(self) -> None:
        """With no events there is no first ts: the clock starts where ``empty_start`` says."""
        replay = StoreReplay([], empty_start=lambda: 42)
        assert (replay.first_ts, replay.clock(), replay.run().events) == (None, 42, 0)


BAD_IDS = (
    b'{"ts": 1, "event": "factoin:attitude_changed", "payload": {"factionId": "a"}}\n'
    b'{"ts": 2, "event": "dialogue:started", "payload": {"npcId": true, "dialogueId": "d"}}\n'
    b'{"ts": 3, "event": "reputation:changed", "payload": {"factionId": [1], "newFame": 3}}\n'
    b'{"ts": 4, "event": "story:flag:changed", "payload": {"flagId": 7, "newValue": 1}}\n'
)


class TestWrongTypedIds:
    def test_counted_and_never_half_applied(self, tmp_path: Path) -> None:
        """A bad id skips its event before any reducer; a numeric id becomes its text."""
        replay = StoreReplay(iter_event_log(write(tmp_path, BAD_IDS)))
        stats = replay.run()
        snapshot = replay.store.snapshot()
        assert snapshot["dialogue"]["active"] is None and snapshot["factions"]["byId"] == {}
        assert list(snapshot["storyFlags"]["flags"]) == ["7"]
        report = replay.store.payload_report
        assert report.skipped == {"dialogue:started": 1, "reputation:changed": 1}
        assert report.coerced == {"story:flag:changed": 1}
        assert stats.unknown_names == {"factoin:attitude_changed": 1}
        assert replay.problems(stats) == [
            "1 event(s) unknown: factoin:attitude_changed x1",
            "2 event(s) skipped (bad id): dialogue:started x1, reputation:changed x1",
            "1 event(s) coerced (numeric id): story:flag:changed x1",
        ]

    @pytest.mark.parametrize(
        ("line", "message"),
        [
            (1, "unknown event 'factoin:attitude_changed'"),
            (2, "dialogue:started: npcId must be a string or a number, got a boolean"),
            (3, "reputation:changed: factionId must be a string or a number, got a list"),
            (4, "story:flag:changed: a numeric id was coerced to a string"),
        ],
    )
    def test_strict_refuses_the_line(self, tmp_path: Path, line: int, message: str) -> None:
        """Under strict, the first event not taken as it is stops the replay at its line."""
        good = b'{"ts": 0, "event": "story:flag:changed", "payload": {"flagId": "f"}}\n'
        log = write(tmp_path, good * (line - 1) + BAD_IDS.splitlines(keepends=True)[line - 1])
        replay = StoreReplay(iter_event_log(log), source=str(log))
        with pytest.raises(EventLogError) as info:
            replay.run(strict=True)
        assert (info.value.line, info.value.source) == (line, str(log))
        assert message in info.value.message

    def test_snapshot_command_reports_and_strict_exits_2(self, tmp_path: Path) -> None:
        """``worldstate snapshot`` warns with the counts; ``--strict`` exits 2, prints nothing."""
        log = str(write(tmp_path, BAD_IDS))
        result = CliRunner().invoke(cli, ["snapshot", "--events", log])
        assert result.exit_code == 0
        assert "1 event(s) unknown: factoin:attitude_changed x1" in result.stderr
        assert json.loads(result.stdout)["storyFlags"]["flags"]["7"]["value"] == 1
        strict = CliRunner().invoke(cli, ["snapshot", "--events", log, "--strict"])
        assert strict.exit_code == 2 and strict.stdout == ""
        assert f"{log}, line 1" in strict.stderr
