"""Export and publish spans, recorded into the OpenTelemetry SDK's in-memory span exporter."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import StatusCode
from tests.otel.conftest import PREFIX, RUN_ID, Telemetry

from worldstate.events import EventBus
from worldstate.export import Exporter
from worldstate.otel import EXPORT_SPAN, PUBLISH_SPAN, ExportSpans
from worldstate.testing import FailingWriter
from worldstate.writers import MemoryWriter, WriterFanout


def by_name(exporter: InMemorySpanExporter) -> dict[str, Any]:
    spans = exporter.get_finished_spans()
    named = {span.name: span for span in spans}
    assert len(named) == len(spans), "one span per name"
    return named


class TestOneExportWithAFailingWriterAndOnePublish:
    def test_two_spans_with_exactly_these_attributes(self, telemetry: Telemetry) -> None:
        spans = by_name(telemetry.spans)
        assert sorted(spans) == [EXPORT_SPAN, PUBLISH_SPAN]
        export, publish = spans[EXPORT_SPAN], spans[PUBLISH_SPAN]
        artifacts = len(telemetry.run.prepared.artifacts)
        assert dict(export.attributes) == {
            "outcome": "failed",
            "artifacts.attempted": artifacts,
            "artifacts.written": artifacts,
            "artifacts.failed": artifacts,
            "writers": 2,
            "formats": ("json", "csv", "transcript-md"),
        }
        assert (export.status.status_code, export.status.description) == (
            StatusCode.ERROR,
            f"{artifacts} artifact write(s) failed",
        )
        assert dict(publish.attributes) == {
            "outcome": "completed",
            "artifacts": artifacts,
            "attempts": 2,
            "providers": ("command", "storage"),
        }
        assert publish.status.status_code is StatusCode.UNSET
        assert export.parent is None and publish.parent is None

    def test_the_publish_span_has_one_event_per_attempt(self, telemetry: Telemetry) -> None:
        publish = by_name(telemetry.spans)[PUBLISH_SPAN]
        attempts = telemetry.run.publish.result.attempts
        expected = []
        for attempt in attempts:
            event = {"provider": attempt.provider, "status": "uploaded"}
            event["duration_ms"] = attempt.duration_ms
            if attempt.size is not None:  # the storage copy knows its bytes, a command not
                event["size"] = attempt.size
            expected.append(("upload", event))
        assert [a.provider for a in attempts] == ["command", "storage"]
        assert attempts[1].size is not None and attempts[1].size > 0
        assert [(e.name, dict(e.attributes)) for e in publish.events] == expected

    def test_spans_last_at_least_as_long_as_the_work_and_in_order(
        self, telemetry: Telemetry
    ) -> None:
        spans = by_name(telemetry.spans)
        export, publish = spans[EXPORT_SPAN], spans[PUBLISH_SPAN]
        writes_ns = telemetry.run.export.writes.duration_ms * 1e6
        assert export.end_time - export.start_time >= int(writes_ns) - 1000
        uploads_ns = sum(a.duration_ms or 0 for a in telemetry.run.publish.result.attempts) * 1e6
        assert publish.end_time - publish.start_time >= int(uploads_ns) - 1000
        assert export.end_time <= publish.start_time

    def test_no_attribute_names_a_path_a_run_id_or_a_prefix(self, telemetry: Telemetry) -> None:
        for span in telemetry.spans.get_finished_spans():
            texts = [str(v) for v in span.attributes.values()]
            texts += [str(v) for e in span.events for v in e.attributes.values()]
            texts.append(span.status.description or "")
            for text in texts:
                assert str(telemetry.tmp) not in text and "/" not in text
                assert RUN_ID not in text and PREFIX not in text


def test_a_background_export_span_spans_its_writes_not_its_delivery() -> None:
    """A submitted export's events arrive together when collected; the span still covers
    the measured write time, ending when the outcome was delivered."""
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    clock = itertools.count(10_000_000_000, 1_000)  # ns, one microsecond per reading
    bus = EventBus()
    ExportSpans(provider, clock_ns=lambda: next(clock)).subscribe(bus)
    ticks = itertools.count(0.0, 0.004)  # s: every timer reading is 4 ms later
    fanout = WriterFanout([MemoryWriter(), FailingWriter(id="bad")], timer=lambda: next(ticks))
    with Exporter(fanout, bus=bus) as background:
        result = background.submit(background.prepare(None, now=1)).result()
    [span] = exporter.get_finished_spans()
    assert span.name == EXPORT_SPAN and span.attributes["outcome"] == "failed"
    assert result.writes.duration_ms > 0
    assert span.end_time - span.start_time == pytest.approx(result.writes.duration_ms * 1e6, abs=1)
    provider.shutdown()


def test_without_an_sdk_spans_are_not_recording() -> None:
    """The global provider without an SDK: the outcome events run and record nothing."""
    bus = EventBus()
    stop = ExportSpans().subscribe(bus)
    with Exporter(WriterFanout([MemoryWriter()]), bus=bus) as exporter:
        assert exporter.export(None, now=1).ok
    stop()
    assert bus.listener_count() == 0
