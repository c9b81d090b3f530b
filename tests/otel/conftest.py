"""One real export run for the OpenTelemetry tests: the demo playthrough replayed, its artifacts
written to a folder and to a mirror that cannot be written (a file stands where its folder
should be), then published by a real command and by the storage provider into a local copy."""

from __future__ import annotations

import io
import os
import shlex
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from worldstate.export import (
    ExportEffects,
    ExportRequest,
    ExportRun,
    ExportSettings,
    PublishSettings,
    SourceRequest,
    export_and_publish,
)
from worldstate.publish import resolve_commands
from worldstate.redact import Redactor

RUN_ID = "run-8675309"
PREFIX = "otel-prefix-q7"


@dataclass(frozen=True)
class Telemetry:
    """What one run recorded, and where its files went."""

    run: ExportRun
    out: Path
    copy: Path
    tmp: Path
    reader: InMemoryMetricReader
    spans: InMemorySpanExporter

    def metrics(self) -> dict[str, Any]:
        """Every metric the run recorded, by name."""
        return collect(self.reader)


def collect(reader: InMemoryMetricReader) -> dict[str, Any]:
    """The reader's metrics by name ({} when nothing was recorded)."""
    data = reader.get_metrics_data()
    if data is None:
        return {}
    return {
        metric.name: metric
        for resource in data.resource_metrics
        for scope in resource.scope_metrics
        for metric in scope.metrics
    }


def points(metric: Any) -> dict[frozenset[tuple[str, Any]], Any]:
    """A metric's data points by their attributes."""
    return {frozenset(p.attributes.items()): p for p in metric.data.data_points}


def values(metric: Any) -> dict[frozenset[tuple[str, Any]], Any]:
    """A counter's or gauge's values by attributes."""
    return {key: point.value for key, point in points(metric).items()}


def attrs(**pairs: str) -> frozenset[tuple[str, Any]]:
    """Attributes as the data points' keys (``writer_role=`` means ``writer.role``)."""
    return frozenset((key.replace("_", "."), value) for key, value in pairs.items())


def run_export(tmp_path: Path, **effects: Any) -> ExportRun:
    """The run described above, with ``effects`` (a meter or tracer provider) added."""
    blocked = tmp_path / "blocked"
    blocked.write_text("a file, not a folder\n")
    env = {"PATH": os.environ.get("PATH", "")}
    settings = ExportSettings.resolve(
        out=tmp_path / "out",
        prefix=PREFIX,
        formats="json,csv,transcript-md",
        metadata=None,
        dry_run=None,
        publish=True,
        context=f'{{"runId": "{RUN_ID}"}}',
        generated_at=None,
        env=env,
        mirrors=[blocked],
    )
    command = f"{shlex.quote(sys.executable)} -c pass"
    publishing = PublishSettings(
        commands=tuple(resolve_commands([command], env)),
        upload_to=str(tmp_path / "copy" / "{runId}"),
    )
    request = ExportRequest(SourceRequest(demo=True), settings, publishing)
    return export_and_publish(
        request, ExportEffects(env=env, redactor=Redactor(env), stdout=io.StringIO(), **effects)
    )


@pytest.fixture(name="telemetry")
def _telemetry(tmp_path: Path) -> Iterator[Telemetry]:
    reader = InMemoryMetricReader()
    meters = MeterProvider(metric_readers=[reader])
    exporter = InMemorySpanExporter()
    tracers = TracerProvider()
    tracers.add_span_processor(SimpleSpanProcessor(exporter))
    run = run_export(tmp_path, meter_provider=meters, tracer_provider=tracers)
    yield Telemetry(run, tmp_path / "out", tmp_path / "copy" / RUN_ID, tmp_path, reader, exporter)
    meters.shutdown()
    tracers.shutdown()
