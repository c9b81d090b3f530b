"""Export metrics, recorded from the bus into the OpenTelemetry SDK's in-memory reader."""

from __future__ import annotations

import io
import os
import shlex
import sys
from pathlib import Path
from typing import Any

import pytest
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader

from worldstate.events import EventBus
from worldstate.export import (
    ExportEffects,
    ExportRequest,
    ExportSettings,
    PublishSettings,
    SourceRequest,
    demo_events,
    export_and_publish,
    run_export,
    summary_from_events,
)
from worldstate.otel import INSTRUMENTS, ExportMetrics
from worldstate.publish import resolve_commands
from worldstate.redact import Redactor
from worldstate.storage import StorageWriter
from worldstate.testing import FailingWriter


@pytest.fixture(name="reader")
def _reader() -> InMemoryMetricReader:
    return InMemoryMetricReader()


def collect(reader: InMemoryMetricReader) -> dict[str, Any]:
    data = reader.get_metrics_data()
    if data is None:  # nothing was recorded
        return {}
    return {
        metric.name: metric
        for resource in data.resource_metrics
        for scope in resource.scope_metrics
        for metric in scope.metrics
    }


def points(metric: Any) -> dict[frozenset[tuple[str, Any]], Any]:
    return {frozenset(p.attributes.items()): p for p in metric.data.data_points}


def mirror_failures(formats: list[str]) -> dict[frozenset[tuple[str, Any]], int]:
    """The failed-artifact counts when every artifact's mirror write failed."""
    expected: dict[frozenset[tuple[str, Any]], int] = {}
    for fmt in formats:
        key = frozenset({("writer", "mirror"), ("format", fmt)})
        expected[key] = expected.get(key, 0) + 1
    return expected


def test_one_export_with_a_failing_writer(reader: InMemoryMetricReader) -> None:
    """Exact instruments, units, attributes and values after one export where a mirror fails."""
    provider = MeterProvider(metric_readers=[reader])
    bus = EventBus()
    ExportMetrics(meter_provider=provider).subscribe(bus)
    summary = summary_from_events(
        demo_events(), origin="demo", generated_at=None, wall_clock=lambda: 0
    )
    result = run_export(
        summary.summary,
        [
            StorageWriter("memory://otel-test/run", id="out"),
            FailingWriter(id="mirror-1"),
        ],
        bus=bus,
        now=summary.now,
    )
    artifacts = len(result.prepared.artifacts)
    formats = [a.type for a in result.prepared.artifacts]
    metrics = collect(reader)
    # The demo playthrough has no spatial telemetry, so no budget event and no budget gauge.
    assert result.prepared.budget_event is None
    assert set(metrics) == set(INSTRUMENTS) - {
        "worldstate.export.budget.payload_size",
        "worldstate.uploads",
    }
    for name, metric in metrics.items():
        assert metric.unit == INSTRUMENTS[name][0]

    exports = points(metrics["worldstate.exports"])
    assert {k: p.value for k, p in exports.items()} == {frozenset({("outcome", "failed")}): 1}

    duration = points(metrics["worldstate.export.duration"])
    (key,) = duration
    assert key == frozenset({("outcome", "failed")})
    assert duration[key].count == 1
    assert duration[key].sum == pytest.approx(result.writes.duration_ms, abs=0.001)

    written = points(metrics["worldstate.artifacts.written"])
    assert {k: p.value for k, p in written.items()} == {frozenset({("writer", "out")}): artifacts}

    failed = points(metrics["worldstate.artifacts.failed"])
    assert {k: p.value for k, p in failed.items()} == mirror_failures(formats)


def test_budget_status_gauge(reader: InMemoryMetricReader) -> None:
    """The budget event's payload size is the gauge's value, by status."""
    bus = EventBus()
    ExportMetrics(meter_provider=MeterProvider(metric_readers=[reader])).subscribe(bus)
    event = {"type": "spatialHash", "status": "exceeds_budget", "payloadBytes": 15000}
    bus.emit("telemetry:export_budget_status", {**event, "budgetBytes": 12288, "context": {}})
    metric = collect(reader)["worldstate.export.budget.payload_size"]
    assert metric.unit == "By"
    assert {k: p.value for k, p in points(metric).items()} == {
        frozenset({("status", "exceeds_budget")}): 15000
    }


def test_unsubscribe_stops_recording(reader: InMemoryMetricReader) -> None:
    """After unsubscribing, exports record nothing."""
    bus = EventBus()
    stop = ExportMetrics(meter_provider=MeterProvider(metric_readers=[reader])).subscribe(bus)
    stop()
    run_export({}, [StorageWriter("memory://otel-test/quiet")], bus=bus, now=0)
    assert collect(reader) == {}
    assert bus.listener_count() == 0


def test_export_and_publish_records_through_an_injected_provider(
    reader: InMemoryMetricReader, tmp_path: Path
) -> None:
    """``export_and_publish`` attaches the recorder itself: one export whose mirror fails (a
    file stands where its folder should be) and one publish by a real command."""
    blocked = tmp_path / "blocked"
    blocked.write_text("a file, not a folder\n")
    env = {"PATH": os.environ.get("PATH", "")}
    settings = ExportSettings.resolve(
        out=tmp_path / "out",
        prefix="otel",
        formats="json,csv",
        metadata=None,
        dry_run=None,
        publish=True,
        context=None,
        generated_at=None,
        env=env,
        mirrors=[blocked],
    )
    command = f"{shlex.quote(sys.executable)} -c pass"  # one command, split with shell quoting
    publishing = PublishSettings(commands=tuple(resolve_commands([command], env)))
    effects = ExportEffects(
        env=env,
        redactor=Redactor(env),
        stdout=io.StringIO(),
        meter_provider=MeterProvider(metric_readers=[reader]),
    )
    run = export_and_publish(ExportRequest(SourceRequest(demo=True), settings, publishing), effects)
    formats = [a.type for a in run.prepared.artifacts]
    metrics = collect(reader)
    assert set(metrics) == set(INSTRUMENTS) - {"worldstate.export.budget.payload_size"}
    for name, metric in metrics.items():
        assert metric.unit == INSTRUMENTS[name][0]
    exports = points(metrics["worldstate.exports"])
    assert {k: p.value for k, p in exports.items()} == {frozenset({("outcome", "failed")}): 1}
    written = points(metrics["worldstate.artifacts.written"])
    assert {k: p.value for k, p in written.items()} == {
        frozenset({("writer", "out")}): len(formats)
    }
    failed = points(metrics["worldstate.artifacts.failed"])
    assert {k: p.value for k, p in failed.items()} == mirror_failures(formats)
    uploads = points(metrics["worldstate.uploads"])
    assert {k: p.value for k, p in uploads.items()} == {
        frozenset({("provider", "command"), ("status", "uploaded")}): 1
    }
    [attempt] = run.publish.result.attempts
    assert attempt.status.value == "uploaded"
