"""OpenTelemetry metrics for exports, recorded from the ``telemetry:*`` events of a bus."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from worldstate.events import EventBus, Unsubscribe

__all__ = ["ExportMetrics", "INSTRUMENTS", "METER_NAME"]

METER_NAME = "worldstate"

INSTRUMENTS: dict[str, tuple[str, str]] = {
    "worldstate.export.duration": ("ms", "Wall time of an export's writes, by outcome."),
    "worldstate.exports": ("{export}", "Exports finished, by outcome."),
    "worldstate.artifacts.written": ("{artifact}", "Artifacts written, by writer."),
    "worldstate.artifacts.failed": (
        "{artifact}",
        "Artifact writes that failed, by writer and format.",
    ),
    "worldstate.export.budget.payload_size": ("By", "Spatial payload size, by budget status."),
    "worldstate.uploads": ("{upload}", "Upload provider attempts, by provider and status."),
}
"""Instrument name -> (UCUM unit, description)."""

_MIRROR = re.compile(r"^mirror-\d+$")


class ExportMetrics:
    """Record export metrics through the OpenTelemetry API; without an SDK they cost nothing.

    Instruments are created once, here.  Attributes are low-cardinality only: an outcome, a
    writer role (``out``, ``mirror``, or the writer's id for library callers), an artifact
    format, a budget status, an upload provider and its status; never paths, run ids or prefixes.

    Args:
        meter_provider: where the instruments come from (default: the global provider, which
            is a no-op until an application installs the SDK).

    Raises:
        ConfigurationError: ``opentelemetry-api`` is not installed (``worldstate[otel]``).
    """

    def __init__(self, meter_provider: Any = None) -> None:
        try:
            from opentelemetry import metrics
        except ImportError as exc:
            from worldstate.errors import ConfigurationError

            raise ConfigurationError(
                "metrics need opentelemetry-api: pip install 'worldstate[otel]'"
            ) from exc
        meter = metrics.get_meter(METER_NAME, meter_provider=meter_provider)

        def spec(name: str) -> tuple[str, str, str]:
            return (name, *INSTRUMENTS[name])

        self._duration = meter.create_histogram(*spec("worldstate.export.duration"))
        self._exports = meter.create_counter(*spec("worldstate.exports"))
        self._written = meter.create_counter(*spec("worldstate.artifacts.written"))
        self._failed = meter.create_counter(*spec("worldstate.artifacts.failed"))
        self._budget = meter.create_gauge(*spec("worldstate.export.budget.payload_size"))
        self._uploads = meter.create_counter(*spec("worldstate.uploads"))

    def subscribe(self, bus: EventBus) -> Unsubscribe:
        """Record from ``bus``'s ``telemetry:*`` events until the returned function is called."""
        handlers = {
            "telemetry:export_completed": self._on_outcome,
            "telemetry:export_failed": self._on_outcome,
            "telemetry:export_budget_status": self._on_budget,
            "telemetry:ci_publish_completed": self._on_publish,
            "telemetry:ci_publish_failed": self._on_publish,
        }
        cancels = [bus.on(event, handler) for event, handler in handlers.items()]

        def unsubscribe() -> None:
            for cancel in cancels:
                cancel()

        return unsubscribe

    def _on_outcome(self, event: str, payload: Mapping[str, Any]) -> None:
        outcome = "completed" if event.endswith("completed") else "failed"
        metrics = payload.get("metrics") or {}
        self._exports.add(1, {"outcome": outcome})
        self._duration.record(float(metrics.get("durationMs") or 0.0), {"outcome": outcome})
        for summary in metrics.get("writerSummaries") or ():
            successes = int(summary.get("successes") or 0)
            if successes:
                self._written.add(successes, {"writer": writer_role(summary.get("id"))})
        for failure in metrics.get("failures") or ():
            artifact = failure.get("artifact") or {}
            attributes = {
                "writer": writer_role(failure.get("writerId")),
                "format": str(artifact.get("type") or "unknown"),
            }
            self._failed.add(1, attributes)

    def _on_publish(self, event: str, payload: Mapping[str, Any]) -> None:
        for attempt in payload.get("commandResults") or ():
            attributes = {
                "provider": str(attempt.get("provider") or "unknown"),
                "status": str(attempt.get("status") or "unknown"),
            }
            self._uploads.add(1, attributes)

    def _on_budget(self, event: str, payload: Mapping[str, Any]) -> None:
        size = payload.get("payloadBytes")
        if isinstance(size, int | float) and not isinstance(size, bool):
            self._budget.set(size, {"status": str(payload.get("status") or "unknown")})


def writer_role(writer_id: object) -> str:
    """``mirror-3`` -> ``mirror``; other ids are kept (a library's own writer names)."""
    text = str(writer_id or "unknown")
    return "mirror" if _MIRROR.match(text) else text
