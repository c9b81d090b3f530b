"""Summary sources: an event log is streamed into the replay, never held in memory."""

from __future__ import annotations

import os
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest

from worldstate.errors import EventLogError, InputError
from worldstate.export._sources import (
    SummarySource,
    count_log_lines,
    stream_event_log,
    summary_from_events,
)
from worldstate.replay import RecordedEvent

T0 = 1_767_258_000_000


def flag_event(i: int) -> RecordedEvent:
    """An event the store handles without growing: it rewrites one of 16 story flags."""
    payload = {"flagId": f"flag_{i % 16}", "value": i, "note": "x" * 40}
    return RecordedEvent(ts=T0 + i, event="story:flag:changed", payload=payload, line=i + 1)


def flag_events(count: int) -> Iterator[RecordedEvent]:
    return (flag_event(i) for i in range(count))


def summarise(events: Iterator[RecordedEvent]) -> SummarySource:
    return summary_from_events(events, origin="events", generated_at=None, wall_clock=lambda: 0)


class TestSummaryFromEvents:
    def test_consumes_the_stream_one_event_at_a_time(self) -> None:
        """No read-ahead: each event is replayed before the next one is pulled."""
        produced = 0
        seen: list[tuple[int, int]] = []

        def stream() -> Iterator[RecordedEvent]:
            nonlocal produced
            for i in range(500):
                produced += 1
                yield flag_event(i)

        source = summary_from_events(
            stream(),
            origin="events",
            generated_at=None,
            wall_clock=lambda: 0,
            on_event=lambda event: seen.append((event.line, produced)),
        )
        assert seen == [(n, n) for n in range(1, 501)]
        assert source.events == 500
        assert source.now == T0 + 499
        assert source.summary is not None
        assert source.summary["generatedAt"] == T0 + 499

    def test_memory_does_not_grow_with_the_log(self) -> None:
        """60k events replay within a few MB; holding them in a list would take ~10x more."""
        count = 60_000
        summarise(flag_events(10))  # warm up: lazy imports are not the replay's memory
        tracemalloc.start()
        try:
            source = summarise(flag_events(count))
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.reset_peak()
            sample = list(flag_events(1000))
            per_event, _ = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        del sample
        as_list = per_event / 1000 * count
        assert as_list > 20_000_000
        assert peak < as_list / 4, (peak, as_list)
        assert source.events == count

    def test_an_empty_stream_uses_the_wall_clock(self) -> None:
        source = summary_from_events(
            iter(()), origin="events", generated_at=None, wall_clock=lambda: 1234
        )
        assert (source.events, source.now) == (0, 1234)

    def test_a_bad_line_late_in_the_stream_propagates(self) -> None:
        """The replay stops at the bad line; no summary comes back."""

        def stream() -> Iterator[RecordedEvent]:
            yield from flag_events(3000)
            raise EventLogError("not valid JSON", source="log.jsonl", line=3001)

        with pytest.raises(EventLogError, match="line 3001"):
            summarise(stream())


class TestStreamEventLog:
    def test_reads_nothing_before_iteration(self, tmp_path: Path) -> None:
        """Opening happens on the first ``next``: a missing file is reported then."""
        stream = stream_event_log(tmp_path / "nope.jsonl")
        with pytest.raises(InputError, match=r"nope\.jsonl"):
            next(stream)

    def test_streams_every_event_with_its_line(self, tmp_path: Path) -> None:
        log = tmp_path / "log.jsonl"
        log.write_text(
            '{"ts": 1, "event": "a", "payload": {}}\n\n{"ts": 2, "event": "b", "payload": {"k": 1}}'
        )
        events = list(stream_event_log(log))
        assert [(e.event, e.line, e.payload) for e in events] == [("a", 1, {}), ("b", 3, {"k": 1})]

    def test_a_malformed_line_names_file_and_line(self, tmp_path: Path) -> None:
        log = tmp_path / "log.jsonl"
        log.write_text('{"ts": 1, "event": "a", "payload": {}}\n{"ts": 2,\n')
        stream = stream_event_log(log)
        assert next(stream).line == 1
        with pytest.raises(EventLogError, match=r"log\.jsonl.*line 2"):
            next(stream)


class TestCountLogLines:
    @pytest.mark.parametrize(
        ("content", "lines"),
        [
            (b"", 0),
            (b"a\n", 1),
            (b"a", 1),
            (b"a\n\nb\n", 3),
            (b"a\nb", 2),
            (b"\n" * 5, 5),
        ],
    )
    def test_counts_lines(self, tmp_path: Path, content: bytes, lines: int) -> None:
        log = tmp_path / "log.jsonl"
        log.write_bytes(content)
        assert count_log_lines(log) == lines
        assert count_log_lines(str(log)) == lines

    def test_counts_across_read_chunks(self, tmp_path: Path) -> None:
        """A file larger than one read chunk (1 MiB) is counted exactly."""
        log = tmp_path / "log.jsonl"
        line = b'{"ts": 1, "event": "a", "payload": {}}\n'
        log.write_bytes(line * 40_000 + b"tail")
        assert log.stat().st_size > 1 << 20
        assert count_log_lines(log) == 40_001

    def test_no_count_for_stdin_folders_and_missing_files(self, tmp_path: Path) -> None:
        assert count_log_lines("-") is None
        assert count_log_lines(tmp_path) is None
        assert count_log_lines(tmp_path / "missing.jsonl") is None

    @pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
    def test_a_named_pipe_is_not_opened(self, tmp_path: Path) -> None:
        """Opening a pipe without a writer would block; counting must leave it alone."""
        fifo = tmp_path / "pipe"
        os.mkfifo(fifo)
        assert count_log_lines(fifo) is None
