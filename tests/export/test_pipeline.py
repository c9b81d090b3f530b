"""Exporter: prepare without I/O, run through the fan-out, events (background: test_background)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from worldstate.clock import ManualClock
from worldstate.events import EventBus
from worldstate.export import Exporter, run_export
from worldstate.testing import FailingWriter, RecordingWriter
from worldstate.writers import FileSystemWriter, MemoryWriter, WriterFanout

REPO_ROOT = Path(__file__).resolve().parents[2]
OVER_BUDGET = REPO_ROOT / "tests" / "goldens" / "exporter" / "spatial_over_budget"
NOW = 1761843600000


def spatial_summary() -> dict[str, Any]:
    summary: dict[str, Any] = json.loads((OVER_BUDGET / "input.json").read_text())["summary"]
    return summary


class EventLog:
    def __init__(self, bus: EventBus) -> None:
        self.seen: list[tuple[str, Any]] = []
        bus.on("telemetry:*", lambda event, payload: self.seen.append((event, payload)))

    @property
    def names(self) -> list[str]:
        return [name for name, _ in self.seen]

    def payload(self, event: str) -> Any:
        (found,) = [payload for name, payload in self.seen if name == event]
        return found


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
        assert prepared.context["artifactCount"] == 3
        assert prepared.context["formats"] == ["json", "csv"]

    def test_budget_event_is_computed_from_the_payload(self) -> None:
        """The spatial budget event carries the payload's numbers and lands in the report."""
        prepared = exporter(MemoryWriter()).prepare(spatial_summary(), prefix="p")
        event = prepared.budget_event
        assert event is not None
        spatial = prepared.payload.body["engine"]["spatialHash"]
        assert event["type"] == "spatialHash"
        assert event["status"] == "exceeds_budget"
        assert event["payloadBytes"] == spatial["payloadBytes"]
        assert event["budgetBytes"] == 12288
        assert event["exceededBy"] == spatial["payloadBudgetExceededBy"] > 0
        assert event["recordedAt"] == NOW
        [listed] = prepared.budget_report.events
        assert listed.to_json() == event

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
        log = EventLog(bus)
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
        log = EventLog(bus)
        memory = MemoryWriter()
        result = exporter(FailingWriter(id="bad"), memory, bus=bus).export(None, now=NOW)
        assert not result.ok
        assert len(memory.files) == 5
        assert "telemetry:export_completed" not in log.names
        failed = log.payload("telemetry:export_failed")
        assert "writer 'bad' could not write 'save-inspector-summary-" in failed["errorMessage"]
        assert failed["metrics"]["artifactsWritten"] == 5
        assert log.names.count("telemetry:artifact_failed") == 5

    def test_manifest_written_last_with_results(self, tmp_path: Path) -> None:
        """With a manifest path the manifest lists every artifact and the fan-out metrics."""
        out = tmp_path / "out"
        result = run_export(
            None,
            [FileSystemWriter(out)],
            prefix="m",
            clock=ManualClock(NOW),
            manifest_path=out / "ci-artifacts.json",
            artifact_dir=out,
            now=NOW,
            run_context={"runId": None, "secretKey": "s3cr3t"},
        )
        assert result.ok and result.manifest_write is not None and result.manifest_write.ok
        data = json.loads((out / "ci-artifacts.json").read_text())
        assert data["generatedAt"] == NOW
        assert [a["filepath"] for a in data["artifacts"]] == [
            str(out / a.filename) for a in result.prepared.artifacts
        ]
        assert data["context"]["secretKey"] == "[REDACTED]"
        assert data["context"]["metrics"] == result.writes.to_json()
        budget = (out / "m-budget-status.json").read_text()
        assert "s3cr3t" not in budget

    def test_manifest_failure_fails_the_export(self, tmp_path: Path) -> None:
        """An unwritable manifest path makes the export fail, the artifacts stay written."""
        (tmp_path / "f").write_text("")
        memory = MemoryWriter()
        result = exporter(memory, manifest_path=tmp_path / "f" / "m.json").export(None, now=NOW)
        assert not result.ok
        assert [f.writer_id for f in result.failures] == ["manifest"]
        assert len(memory.files) == 5


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


def test_environment_secrets_never_reach_events_budget_files_or_manifest(
    tmp_path: Path,
) -> None:
    """The exporter's redactor covers every published context, not only the manifest."""
    from worldstate.redact import Redactor

    secret = "supersecretvalue123"
    bus = EventBus()
    seen: list[Any] = []
    bus.on("*", lambda event, payload: seen.append(payload))
    result = exporter(
        FileSystemWriter(tmp_path / "out"),
        bus=bus,
        manifest_path=tmp_path / "out" / "ci-artifacts.json",
        run_context={"runId": secret, "note": f"see {secret}", "gh": "ghp_" + "a" * 24},
        redactor=Redactor({"MY_TOKEN": secret}),
    ).export(spatial_summary(), prefix="p")
    assert result.ok
    assert result.prepared.budget_event is not None
    published = json.dumps(seen) + "".join(
        p.read_text("utf-8") for p in (tmp_path / "out").iterdir()
    )
    assert secret not in published and "ghp_" not in published
    manifest = json.loads((tmp_path / "out" / "ci-artifacts.json").read_text("utf-8"))
    assert manifest["context"]["runId"] == "[REDACTED]"
    assert result.prepared.budget_event["context"]["note"] == "[REDACTED]"
