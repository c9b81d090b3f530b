"""Export, publish and replay metrics, recorded into the OpenTelemetry SDK's in-memory reader."""

from __future__ import annotations

import io
import json
import os
import shlex
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import Gauge, Histogram, InMemoryMetricReader, Sum
from tests._paths import GOLDENS as GOLDENS_ROOT
from tests.otel.conftest import PREFIX, RUN_ID, Telemetry, attrs, collect, points, values
from tests.otel.conftest import run_export as run_export_and_publish

from worldstate.events import EventBus
from worldstate.export import ExportEffects, PublishSettings, publish_folder, run_export
from worldstate.otel import INSTRUMENTS, ExportMetrics
from worldstate.publish import resolve_commands
from worldstate.redact import Redactor
from worldstate.storage import StorageWriter
from worldstate.testing import FailingWriter
from worldstate.writers import MemoryWriter

GOLDENS = GOLDENS_ROOT / "exporter"
KINDS = {"counter": Sum, "histogram": Histogram, "gauge": Gauge}


def artifact_files(telemetry: Telemetry) -> dict[str, list[Path]]:
    """The artifacts in the folder on disk, by format (the manifest is not an artifact)."""
    by_format: dict[str, list[Path]] = {}
    for artifact in telemetry.run.prepared.artifacts:
        path = telemetry.out / artifact.filename
        by_format.setdefault(artifact.type, []).append(path)
    return by_format


class TestOneExportWithAFailingWriterAndOnePublish:
    def test_exactly_these_instruments_with_their_kinds_and_units(
        self, telemetry: Telemetry
    ) -> None:
        """Every instrument but the budget gauge (the demo has no spatial telemetry)."""
        metrics = telemetry.metrics()
        assert telemetry.run.prepared.budget_event is None
        budget = "worldstate.export.budget.payload_size"
        assert sorted(metrics) == sorted(set(INSTRUMENTS) - {budget})
        for name, metric in metrics.items():
            spec = INSTRUMENTS[name]
            assert (metric.unit, metric.description) == (spec.unit, spec.description), name
            assert isinstance(metric.data, KINDS[spec.kind]), name
            for key in points(metric):
                assert sorted(k for k, _ in key) == sorted(spec.attributes), name

    def test_the_export_outcome_and_duration(self, telemetry: Telemetry) -> None:
        metrics = telemetry.metrics()
        failed = attrs(outcome="failed")
        assert values(metrics["worldstate.exports"]) == {failed: 1}
        [(key, duration)] = points(metrics["worldstate.export.duration"]).items()
        assert key == failed and duration.count == 1
        assert duration.sum == pytest.approx(telemetry.run.export.writes.duration_ms, abs=0.001)

    def test_artifacts_by_writer_kind_and_format_with_the_bytes_on_disk(
        self, telemetry: Telemetry
    ) -> None:
        """The folder's writes succeeded, the mirror's failed; bytes are the files' sizes."""
        metrics = telemetry.metrics()
        files = artifact_files(telemetry)
        assert sorted(files) == ["csv", "json", "markdown", "transcript-md"]
        out = {fmt: attrs(writer_role="out", writer_kind="filesystem", format=fmt) for fmt in files}
        mirror = {
            fmt: attrs(writer_role="mirror", writer_kind="filesystem", format=fmt) for fmt in files
        }
        assert values(metrics["worldstate.artifacts.written"]) == {
            out[fmt]: len(paths) for fmt, paths in files.items()
        }
        assert values(metrics["worldstate.artifacts.failed"]) == {
            mirror[fmt]: len(paths) for fmt, paths in files.items()
        }
        assert values(metrics["worldstate.artifacts.size"]) == {
            out[fmt]: sum(p.stat().st_size for p in paths) for fmt, paths in files.items()
        }
        assert sum(values(metrics["worldstate.artifacts.size"]).values()) > 0

    def test_publish_attempts_and_the_bytes_uploaded(self, telemetry: Telemetry) -> None:
        """One attempt per provider; only the storage copy knows its bytes: the copy's size."""
        metrics = telemetry.metrics()
        command = attrs(provider="command", status="uploaded")
        storage = attrs(provider="storage", status="uploaded")
        assert values(metrics["worldstate.publish.attempts"]) == {command: 1, storage: 1}
        copied = [p for p in telemetry.copy.rglob("*") if p.is_file()]
        assert len(copied) == len(telemetry.run.prepared.artifacts) + 1  # and the manifest
        assert values(metrics["worldstate.publish.upload.size"]) == {
            storage: sum(p.stat().st_size for p in copied)
        }
        by_provider = {a.provider: a for a in telemetry.run.publish.result.attempts}
        durations = points(metrics["worldstate.publish.upload.duration"])
        assert {k: p.count for k, p in durations.items()} == {command: 1, storage: 1}
        for key, provider in ((command, "command"), (storage, "storage")):
            assert durations[key].sum == pytest.approx(by_provider[provider].duration_ms)

    def test_the_replayed_events(self, telemetry: Telemetry) -> None:
        replayed = telemetry.run.source.events
        assert replayed > 0
        assert values(telemetry.metrics()["worldstate.replay.events"]) == {
            attrs(origin="demo"): replayed
        }

    def test_no_attribute_names_a_path_a_run_id_or_a_prefix(self, telemetry: Telemetry) -> None:
        seen = {
            str(value)
            for metric in telemetry.metrics().values()
            for key in points(metric)
            for _, value in key
        }
        for value in seen:
            assert str(telemetry.tmp) not in value and "/" not in value
            assert RUN_ID not in value and PREFIX not in value


def test_the_budget_gauge_of_a_spatial_export() -> None:
    """The exported summary's spatial payload size is the gauge's value, by budget status."""
    reader = InMemoryMetricReader()
    bus = EventBus()
    ExportMetrics(meter_provider=MeterProvider(metric_readers=[reader])).subscribe(bus)
    golden = json.loads((GOLDENS / "spatial_over_budget" / "input.json").read_text("utf-8"))
    summary = golden["summary"]
    result = run_export(summary, [MemoryWriter()], bus=bus)
    event = result.prepared.budget_event
    assert event is not None and event.status == "exceeds_budget"
    metric = collect(reader)["worldstate.export.budget.payload_size"]
    assert metric.unit == "By"
    assert values(metric) == {attrs(status="exceeds_budget"): event.payload_bytes}


def test_a_library_export_counts_each_writer_by_its_own_id_and_kind() -> None:
    """Writers other than the CLI's keep their ids as roles; kinds come from their classes."""
    reader = InMemoryMetricReader()
    bus = EventBus()
    ExportMetrics(meter_provider=MeterProvider(metric_readers=[reader])).subscribe(bus)
    storage = StorageWriter("memory://otel-test/library", id="bucket")
    result = run_export(None, [storage, FailingWriter(id="flaky")], bus=bus, now=1)
    formats = Counter(a.type for a in result.prepared.artifacts)
    metrics = collect(reader)
    assert values(metrics["worldstate.artifacts.written"]) == {
        attrs(writer_role="bucket", writer_kind="storage", format=f): n for f, n in formats.items()
    }
    assert values(metrics["worldstate.artifacts.failed"]) == {
        attrs(writer_role="flaky", writer_kind="failing", format=f): n for f, n in formats.items()
    }
    stored = {a.type: 0 for a in result.prepared.artifacts}
    for artifact in result.prepared.artifacts:
        key = f"/otel-test/library/{artifact.filename}"
        stored[artifact.type] += len(storage.filesystem.cat_file(key))
    assert values(metrics["worldstate.artifacts.size"]) == {
        attrs(writer_role="bucket", writer_kind="storage", format=f): n for f, n in stored.items()
    }


def test_unsubscribe_stops_recording() -> None:
    reader = InMemoryMetricReader()
    bus = EventBus()
    stop = ExportMetrics(meter_provider=MeterProvider(metric_readers=[reader])).subscribe(bus)
    stop()
    run_export({}, [MemoryWriter()], bus=bus, now=1)
    assert collect(reader) == {}
    assert bus.listener_count() == 0


def run_python(code: str) -> Any:
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_without_an_sdk_the_api_records_into_its_no_op(tmp_path: Path) -> None:
    """A run with metrics and spans on but no SDK configured works and loads no SDK."""
    code = (
        "import io, json, sys\n"
        "from pathlib import Path\n"
        "from worldstate.export import *\n"
        "from worldstate.redact import Redactor\n"
        f"s = ExportSettings.resolve(out=Path({str(tmp_path / 'out')!r}), prefix='p',"
        " formats='json', metadata=None, dry_run=None, publish=False, context=None,"
        " generated_at=None, env={})\n"
        "e = ExportEffects(env={}, redactor=Redactor({}), stdout=io.StringIO(), metrics=True,"
        " spans=True)\n"
        "run = export_and_publish(ExportRequest(SourceRequest(demo=True), s), e)\n"
        "print(json.dumps([run.ok, sorted({m for m in sys.modules if m.startswith("
        "'opentelemetry.sdk')}), 'opentelemetry.metrics' in sys.modules]))\n"
    )
    assert run_python(code) == [True, [], True]


def test_without_the_api_the_error_names_the_extra() -> None:
    code = (
        "import json, sys\n"
        "sys.modules['opentelemetry'] = None  # as if opentelemetry-api were not installed\n"
        "from worldstate.errors import ConfigurationError\n"
        "from worldstate.otel import ExportMetrics, ExportSpans\n"
        "messages = []\n"
        "for make in (ExportMetrics, ExportSpans):\n"
        "    try:\n"
        "        make()\n"
        "    except ConfigurationError as exc:\n"
        "        messages.append(str(exc))\n"
        "print(json.dumps(messages))\n"
    )
    messages = run_python(code)
    assert len(messages) == 2
    assert all("pip install 'worldstate[otel]'" in m for m in messages)


def test_publishing_a_folder_later_records_its_attempts(tmp_path: Path) -> None:
    """``publish_folder`` (``worldstate publish DIR``) records like a run's publish."""
    exported = run_export_and_publish(tmp_path)
    reader = InMemoryMetricReader()
    env = {"PATH": os.environ.get("PATH", "")}
    command = f"{shlex.quote(sys.executable)} -c pass"
    effects = ExportEffects(
        env=env,
        redactor=Redactor(env),
        stdout=io.StringIO(),
        meter_provider=MeterProvider(metric_readers=[reader]),
    )
    publishing = PublishSettings(commands=tuple(resolve_commands([command], env)))
    outcome = publish_folder(exported.settings.manifest_path, publishing, effects)
    [attempt] = outcome.result.attempts
    metrics = collect(reader)
    assert sorted(metrics) == [
        "worldstate.publish.attempts",
        "worldstate.publish.upload.duration",
    ]
    uploaded = attrs(provider="command", status="uploaded")
    assert values(metrics["worldstate.publish.attempts"]) == {uploaded: 1}
    [(key, duration)] = points(metrics["worldstate.publish.upload.duration"]).items()
    assert key == uploaded and duration.sum == pytest.approx(attempt.duration_ms)
