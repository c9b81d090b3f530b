"""Exporter: prepare without I/O, run through the fan-out, events (background: test_background)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests._paths import GOLDENS

from worldstate.clock import ManualClock
from worldstate.events import EventBus
from worldstate.export import Exporter, run_export
from worldstate.testing import FailingWriter, RecordingWriter, capture_events
from worldstate.writers import FileSystemWriter, MemoryWriter, WriterFanout

OVER_BUDGET = GOLDENS / "exporter" / "spatial_over_budget"
NOW = 1761843600000


def spatial_summary() -> dict[str, Any]:
    summary: dict[str, Any] = json.loads((OVER_BUDGET / "input.json").read_text())["summary"]
    return summary


def exporter(*writers: Any, bus: EventBus | None = None, **options: Any) -> Exporter:
    return Exporter(WriterFanout(writers, bus=bus), bus=bus, clock=ManualClock(NOW), **options)


class TestPrepare:
    def test_prepare_renders_everything_without_writing(self) -> None:
        """Summary artifacts then the two budget files; no writer is called."""
        recorder = RecordingWriter()
        prepared = exporter(recorder).prepare(spatial_summary(), prefix="p")
        assert [a.filename for a in prepared.artifacts] == [
            "p-summary-20251030T165952Z.json",
            "p-cascade-targets-20251030T165952Z.csv",
            "p-tutorial-snapshots-20251030T165952Z.csv",
            "p-budget-status.json",
            "p-budget-status.md",
        ]
        assert recorder.calls == []
        assert prepared.budget_status == "exceeds_budget"
        assert prepared.context.artifact_count == 3
        assert prepared.context.formats == ("json", "csv")

    def test_budget_event_is_computed_from_the_payload(self) -> None:
        """The spatial budget event carries the payload's numbers and lands in the report."""
        prepared = exporter(MemoryWriter()).prepare(spatial_summary(), prefix="p")
        event = prepared.budget_event
        assert event is not None
        spatial = prepared.payload.body["engine"]["spatialHash"]
        assert event.type == "spatialHash"
        assert event.status == "exceeds_budget"
        assert event.payload_bytes == spatial["payloadBytes"]
        assert event.budget_bytes == 12288
        assert event.exceeded_by == spatial["payloadBudgetExceededBy"] > 0
        assert event.recorded_at == NOW
        [listed] = prepared.budget_report.events
        assert listed == event

    def test_budget_bytes_is_configurable(self) -> None:
        """A larger budget turns the same payload into within_budget, everywhere."""
        prepared = exporter(MemoryWriter(), budget_bytes=10**9).prepare(spatial_summary())
        assert prepared.budget_status == "within_budget"
        assert prepared.payload.body["engine"]["spatialHash"]["payloadBudgetBytes"] == 10**9
        assert prepared.budget_event is not None and prepared.budget_event.budget_bytes == 10**9

    def test_no_spatial_no_budget_event(self) -> None:
        """Without spatial telemetry there is no budget event and the status is unknown."""
        prepared = exporter(MemoryWriter()).prepare(None, now=NOW)
        assert prepared.budget_event is None
        assert prepared.budget_report.events == ()
        assert prepared.budget_status == "unknown"
        assert prepared.payload.body["source"] == "unavailable"


class TestRun:
    def test_events_in_order_with_metrics(self) -> None:
        """export_started, the fan-out summary, export_completed, then the budget status."""
        bus = EventBus()
        log = capture_events(bus, "telemetry:*")
        memory = MemoryWriter()
        result = exporter(memory, bus=bus, run_context={"runId": "9"}).export(
            spatial_summary(), prefix="p"
        )
        assert result.ok
        assert log.names == [
            "telemetry:export_started",
            "telemetry:artifacts_written",
            "telemetry:export_completed",
            "telemetry:export_budget_status",
        ]
        started = log.payload("telemetry:export_started")
        assert started["artifactCount"] == 3
        assert started["context"]["runId"] == "9" and started["context"]["prefix"] == "p"
        completed = log.payload("telemetry:export_completed")
        assert completed["metrics"]["artifactsWritten"] == 5
        assert log.payload("telemetry:export_budget_status")["status"] == "exceeds_budget"
        assert sorted(memory.files) == sorted(a.filename for a in result.prepared.artifacts)

    def test_a_failing_writer_fails_the_export_but_not_the_others(self) -> None:
        """export_failed names writer and file; the other writer got every artifact."""
        bus = EventBus()
        log = capture_events(bus, "telemetry:*")
        memory = MemoryWriter()
        result = exporter(FailingWriter(id="bad"), memory, bus=bus).export(None, now=NOW)
        assert not result.ok
        assert len(memory.files) == 5
        assert "telemetry:export_completed" not in log.names
        failed = log.payload("telemetry:export_failed")
        assert "writer 'bad' could not write 'save-inspector-summary-" in failed["errorMessage"]
        assert failed["metrics"]["artifactsWritten"] == 5
        assert log.names.count("telemetry:artifact_failed") == 5


def test_the_longest_prefix_writes_every_artifact_on_a_real_file_system(tmp_path: Path) -> None:
    """At the prefix limit and the latest JavaScript date, every temp and final name fits."""
    from worldstate.names import MAX_PREFIX_BYTES

    prefix = "p" * MAX_PREFIX_BYTES
    formats = ("json", "csv", "transcript-csv", "transcript-md")
    result = run_export(
        None,
        [FileSystemWriter(tmp_path)],
        prefix=prefix,
        formats=formats,
        now=8_640_000_000_000_000,
        clock=ManualClock(NOW),
    )
    assert result.ok, result.failure_message()
    names = sorted(p.name for p in tmp_path.iterdir())
    assert f"{prefix}-tutorial-transcript-+2757600913T000000Z.csv" in names
    assert len(names) == 7


def test_environment_secrets_never_reach_events_or_budget_files(tmp_path: Path) -> None:
    """The exporter's redactor covers every context it publishes."""
    from worldstate.redact import Redactor

    secret = "supersecretvalue123"
    bus = EventBus()
    seen = capture_events(bus)
    result = exporter(
        FileSystemWriter(tmp_path / "out"),
        bus=bus,
        run_context={"runId": secret, "note": f"see {secret}", "gh": "ghp_" + "a" * 24},
        redactor=Redactor({"MY_TOKEN": secret}),
    ).export(spatial_summary(), prefix="p")
    assert result.ok
    assert result.prepared.budget_event is not None
    published = json.dumps(seen.payloads) + "".join(
        p.read_text("utf-8") for p in (tmp_path / "out").iterdir()
    )
    assert secret not in published and "ghp_" not in published
    assert result.prepared.budget_event.context["note"] == "[REDACTED]"
    assert result.prepared.context.run_context["runId"] == "[REDACTED]"
