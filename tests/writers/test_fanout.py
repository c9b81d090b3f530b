"""WriterFanout: every artifact to every writer, failures isolated and reported as values."""

from __future__ import annotations

import itertools
import logging
import traceback
from pathlib import Path
from typing import Any

import pytest

from worldstate.artifacts import Artifact
from worldstate.events import EventBus
from worldstate.testing import FailingWriter, RecordingWriter, capture_events
from worldstate.writers import (
    DeferredEvents,
    FileSystemWriter,
    MemoryWriter,
    WriterFanout,
    WriteStatus,
)


def artifacts(*names: str) -> list[Artifact]:
    return [
        Artifact(
            type=name.rsplit(".", 1)[1],
            section=None,
            filename=name,
            mime_type="x",
            content=f"{name}\n",
        )
        for name in names
    ]


def ticking_timer(step: float = 0.001) -> Any:
    counter = itertools.count()
    return lambda: next(counter) * step


class TestWriterFanout:
    def test_every_artifact_goes_to_every_writer_in_order(self) -> None:
        """Artifacts are the outer loop, writers (in registration order) the inner one."""
        first, second = RecordingWriter(id="first"), RecordingWriter(id="second")
        result = WriterFanout([first, second]).write(artifacts("a.json", "b.csv"), folder="run")
        assert [(r.writer_id, r.filename) for r in result.results] == [
            ("first", "a.json"),
            ("second", "a.json"),
            ("first", "b.csv"),
            ("second", "b.csv"),
        ]
        assert first.filenames == second.filenames == ["a.json", "b.csv"]
        assert {call.folder for call in first.calls} == {"run"}
        assert result.artifacts_attempted == 2
        assert result.artifacts_written == 4
        assert result.ok and result.failures == ()

    def test_a_raising_writer_does_not_stop_the_others(self, tmp_path: Path) -> None:
        """A writer that raises becomes failed results; the writers around it finish."""
        memory = MemoryWriter()
        disk = FileSystemWriter(tmp_path, id="disk")
        fanout = WriterFanout([memory, FailingWriter(id="boom"), disk])
        result = fanout.write(artifacts("a.json", "b.csv", "c.md"))
        assert sorted(memory.files) == ["a.json", "b.csv", "c.md"]
        assert sorted(p.name for p in tmp_path.iterdir()) == ["a.json", "b.csv", "c.md"]
        assert [(f.writer_id, f.filename, f.error) for f in result.failures] == [
            ("boom", name, "RuntimeError: writer exploded") for name in ("a.json", "b.csv", "c.md")
        ]
        assert result.artifacts_written == 6
        assert not result.ok

    def test_each_failing_writer_is_logged_once_per_run(
        self, tmp_path: Path, caplog: pytest.LogCaptureFixture
    ) -> None:
        """Five failed artifacts of one writer are one log record (with the first traceback)."""
        names = [f"a{i}.json" for i in range(5)]
        raising, failing = FailingWriter(id="boom"), FailingWriter(id="io", raises=False)
        with caplog.at_level(logging.WARNING, logger="worldstate.writers"):
            WriterFanout([MemoryWriter(), raising, failing]).write(artifacts(*names))
        assert [(r.levelname, r.getMessage()) for r in caplog.records] == [
            ("ERROR", "writer 'boom' raised on 5 of 5 writes"),
            (
                "WARNING",
                "writer 'io' failed 5 of 5 writes; first: 'a0.json': RuntimeError: writer exploded",
            ),
        ]
        exc_info = caplog.records[0].exc_info
        assert exc_info is not None
        # a fresh exception per call: its traceback is one raise deep, not five
        assert len(traceback.extract_tb(exc_info[2])) == 2

    def test_an_io_failure_does_not_stop_the_others(self, tmp_path: Path) -> None:
        """A filesystem writer rooted below a regular file fails; the memory writer completes."""
        (tmp_path / "file").write_text("")
        broken = FileSystemWriter(tmp_path / "file" / "out", id="broken")
        memory = MemoryWriter()
        result = WriterFanout([broken, memory]).write(artifacts("a.json", "b.csv"))
        assert [r.status for r in result.for_writer("broken")] == [WriteStatus.FAILED] * 2
        assert memory.text("a.json") == "a.json\n" and memory.text("b.csv") == "b.csv\n"

    def test_events_report_failures_and_a_summary(self) -> None:
        """artifact_failed per failure, then one artifacts_written with per-writer counts."""
        bus = EventBus()
        log = capture_events(bus, "telemetry:*")
        fanout = WriterFanout(
            [
                RecordingWriter(id="ok"),
                FailingWriter(id="bad", raises=False, error=OSError("disk")),
            ],
            bus=bus,
            timer=ticking_timer(),
        )
        fanout.write(artifacts("a.json", "b.csv"), context={"prefix": "p"})
        assert log.named("telemetry:artifact_failed") == [
            {
                "writerId": "bad",
                "filename": name,
                "errorMessage": "OSError: disk",
                "context": {"prefix": "p"},
            }
            for name in ("a.json", "b.csv")
        ]
        (summary,) = log.named("telemetry:artifacts_written")
        assert summary["artifactsAttempted"] == 2
        assert summary["artifactsWritten"] == 2
        assert summary["failures"] == 2
        assert summary["context"] == {"prefix": "p"}
        assert [(s["id"], s["successes"], s["failures"]) for s in summary["writerSummaries"]] == [
            ("ok", 2, 0),
            ("bad", 0, 2),
        ]
        assert [name for name, _ in log.seen] == [
            "telemetry:artifact_failed",
            "telemetry:artifact_failed",
            "telemetry:artifacts_written",
        ]

    def test_a_call_can_send_its_events_elsewhere_to_deliver_later(self) -> None:
        """events= overrides the bus for one call; DeferredEvents keeps them for later."""
        bus = EventBus()
        log = capture_events(bus, "telemetry:*")
        fanout = WriterFanout([FailingWriter(id="bad", raises=True)], bus=bus)
        deferred = DeferredEvents()
        fanout.write(artifacts("a.json"), events=deferred)
        assert log.seen == []
        assert [name for name, _ in deferred.events] == [
            "telemetry:artifact_failed",
            "telemetry:artifacts_written",
        ]
        deferred.deliver(bus)
        assert log.seen == list(deferred.events)
        deferred.deliver(None)  # nowhere: a no-op
        assert len(log.seen) == 2

    def test_durations_come_from_the_injected_timer(self) -> None:
        """Each write is timed with the timer; summaries sum their writer's writes."""
        fanout = WriterFanout(
            [RecordingWriter(id="a"), RecordingWriter(id="b")], timer=ticking_timer(0.002)
        )
        result = fanout.write(artifacts("x.json", "y.csv"))
        assert [r.duration_ms for r in result.results] == pytest.approx([2.0] * 4)
        assert [s.duration_ms for s in result.writer_summaries()] == pytest.approx([4.0, 4.0])
        assert result.duration_ms == pytest.approx(2.0 * 9)

    def test_metrics_json_has_the_reference_shape(self) -> None:
        """to_json gives the reference metrics keys with error messages, not {}."""
        fanout = WriterFanout(
            [RecordingWriter(id="rec", fail_on={"b.csv"})], timer=ticking_timer(0.0)
        )
        metrics = fanout.write(artifacts("a.json", "b.csv")).to_json()
        assert metrics == {
            "artifactsAttempted": 2,
            "artifactsWritten": 1,
            "failures": [
                {
                    "writerId": "rec",
                    "artifact": {"filename": "b.csv", "type": "csv"},
                    "error": "OSError: refused b.csv",
                }
            ],
            "writerSummaries": [
                {"id": "rec", "attempted": 2, "successes": 1, "failures": 1, "durationMs": 0.0}
            ],
            "durationMs": 0.0,
        }

    def test_duplicate_writer_ids_are_refused(self) -> None:
        """Two writers with the same id would make results ambiguous."""
        with pytest.raises(ValueError, match="'same' used more than once"):
            WriterFanout([MemoryWriter(id="same"), RecordingWriter(id="same")])

    def test_close_closes_every_writer_despite_errors(self) -> None:
        """A writer whose close raises does not keep the others open."""

        class BadClose(RecordingWriter):
            def close(self) -> None:
                raise OSError("cannot close")

        last = RecordingWriter(id="last")
        WriterFanout([BadClose(id="bad"), last]).close()
        assert last.closed

    def test_unsafe_names_fail_per_writer_without_raising(self) -> None:
        """An unsafe artifact name is refused by each writer and reported as a failure."""
        memory = MemoryWriter()
        result = WriterFanout([memory]).write(artifacts("../escape.json"))
        assert result.failures[0].error is not None
        assert result.failures[0].error.startswith("UnsafeNameError")
        assert memory.files == {}
