"""OpenTelemetry metrics for exports, recorded from the ``telemetry:*`` events of a bus."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from worldstate.events import EventBus, Unsubscribe
from worldstate.export import (
    EVENTS_REPLAYED,
    EXPORT_BUDGET_STATUS,
    EXPORT_COMPLETED,
    EXPORT_FAILED,
)
from worldstate.otel._api import SCOPE_NAME, missing_api, writer_role
from worldstate.publish import PUBLISH_COMPLETED, PUBLISH_FAILED
from worldstate.writers import ARTIFACTS_WRITTEN

__all__ = ["ExportMetrics", "INSTRUMENTS", "InstrumentSpec", "METER_NAME"]

METER_NAME = SCOPE_NAME

_ATTRIBUTE_CACHE = 256
"""At most this many write attribute sets are kept (writers x kinds x formats)."""

_WRITE = ("writer.role", "writer.kind", "format")
_UPLOAD = ("provider", "status")
_EXPORT_OUTCOME = (EXPORT_COMPLETED, EXPORT_FAILED)
_PUBLISH_OUTCOME = (PUBLISH_COMPLETED, PUBLISH_FAILED)


@dataclass(frozen=True, slots=True)
class InstrumentSpec:
    """One instrument :class:`ExportMetrics` creates.

    Attributes:
        kind: ``counter``, ``histogram`` or ``gauge``.
        unit: its UCUM unit (``ms``, ``By``, ``{artifact}``).
        description: what one measurement is.
        attributes: the attribute keys every measurement carries.
        events: the bus events it is recorded from.
    """

    kind: str
    unit: str
    description: str
    attributes: tuple[str, ...]
    events: tuple[str, ...]


INSTRUMENTS: dict[str, InstrumentSpec] = {
    "worldstate.export.duration": InstrumentSpec(
        "histogram", "ms", "Wall time of an export's writes.", ("outcome",), _EXPORT_OUTCOME
    ),
    "worldstate.exports": InstrumentSpec(
        "counter", "{export}", "Exports finished.", ("outcome",), _EXPORT_OUTCOME
    ),
    "worldstate.artifacts.written": InstrumentSpec(
        "counter", "{artifact}", "Artifact writes that succeeded.", _WRITE, (ARTIFACTS_WRITTEN,)
    ),
    "worldstate.artifacts.failed": InstrumentSpec(
        "counter", "{artifact}", "Artifact writes that failed.", _WRITE, (ARTIFACTS_WRITTEN,)
    ),
    "worldstate.artifacts.size": InstrumentSpec(
        "counter", "By", "Bytes of the artifacts written.", _WRITE, (ARTIFACTS_WRITTEN,)
    ),
    "worldstate.export.budget.payload_size": InstrumentSpec(
        "gauge",
        "By",
        "Spatial payload size of the last export.",
        ("status",),
        (EXPORT_BUDGET_STATUS,),
    ),
    "worldstate.publish.attempts": InstrumentSpec(
        "counter", "{attempt}", "Upload provider attempts.", _UPLOAD, _PUBLISH_OUTCOME
    ),
    "worldstate.publish.upload.size": InstrumentSpec(
        "counter", "By", "Bytes upload providers sent.", _UPLOAD, _PUBLISH_OUTCOME
    ),
    "worldstate.publish.upload.duration": InstrumentSpec(
        "histogram", "ms", "Wall time of an upload attempt.", _UPLOAD, _PUBLISH_OUTCOME
    ),
    "worldstate.replay.events": InstrumentSpec(
        "counter", "{event}", "Events replayed into a store.", ("origin",), (EVENTS_REPLAYED,)
    ),
}
"""Every instrument, by name; ``docs/otel.md`` has the same table."""


class ExportMetrics:
    """Record export, publish and replay metrics through the OpenTelemetry API.

    Instruments are created once, here, on the meter ``worldstate``.  Nothing is recorded
    until :meth:`subscribe` attaches the recorder to a bus; without an SDK every measurement
    is the API's no-op.  Attributes are low-cardinality only: an outcome, a writer role
    (``out``, ``mirror``, or a library caller's writer id), a writer kind, an artifact format,
    a budget status, an upload provider and its status, a replay origin; never paths, run ids,
    prefixes or file names.

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
            raise missing_api() from exc
        meter = metrics.get_meter(METER_NAME, meter_provider=meter_provider)
        factories: dict[str, Callable[..., Any]] = {
            "counter": meter.create_counter,
            "histogram": meter.create_histogram,
            "gauge": meter.create_gauge,
        }
        made = {
            name: factories[spec.kind](name, unit=spec.unit, description=spec.description)
            for name, spec in INSTRUMENTS.items()
        }
        self._duration = made["worldstate.export.duration"]
        self._exports = made["worldstate.exports"]
        self._written = made["worldstate.artifacts.written"]
        self._failed = made["worldstate.artifacts.failed"]
        self._bytes = made["worldstate.artifacts.size"]
        self._budget = made["worldstate.export.budget.payload_size"]
        self._attempts = made["worldstate.publish.attempts"]
        self._upload_bytes = made["worldstate.publish.upload.size"]
        self._upload_duration = made["worldstate.publish.upload.duration"]
        self._replayed = made["worldstate.replay.events"]
        self._attributes: dict[tuple[Any, ...], Mapping[str, str]] = {}

    def subscribe(self, bus: EventBus) -> Unsubscribe:
        """Record from ``bus``'s events until the returned function is called."""
        handlers = {
            ARTIFACTS_WRITTEN: self._on_writes,
            EXPORT_COMPLETED: self._on_outcome,
            EXPORT_FAILED: self._on_outcome,
            EXPORT_BUDGET_STATUS: self._on_budget,
            PUBLISH_COMPLETED: self._on_publish,
            PUBLISH_FAILED: self._on_publish,
            EVENTS_REPLAYED: self._on_replay,
        }
        cancels = [bus.on(event, handler) for event, handler in handlers.items()]

        def unsubscribe() -> None:
            for cancel in cancels:
                cancel()

        return unsubscribe

    def _on_writes(self, event: str, payload: Mapping[str, Any]) -> None:
        for write in payload.get("writes") or ():
            attributes = self._write_attributes(write)
            if write.get("status") == "written":
                self._written.add(1, attributes)
                self._bytes.add(_count(write.get("bytes")), attributes)
            else:
                self._failed.add(1, attributes)

    def _write_attributes(self, write: Mapping[str, Any]) -> Mapping[str, str]:
        """A write's attributes, made once per (writer, kind, format): there are few."""
        key = (write.get("writerId"), write.get("writerKind"), write.get("format"))
        attributes = self._attributes.get(key)
        if attributes is None:
            attributes = {
                "writer.role": writer_role(key[0]),
                "writer.kind": str(key[1] or "unknown"),
                "format": str(key[2] or "unknown"),
            }
            if len(self._attributes) < _ATTRIBUTE_CACHE:
                self._attributes[key] = attributes
        return attributes

    def _on_outcome(self, event: str, payload: Mapping[str, Any]) -> None:
        attributes = {"outcome": "completed" if event == EXPORT_COMPLETED else "failed"}
        metrics = payload.get("metrics") or {}
        self._exports.add(1, attributes)
        self._duration.record(_number(metrics.get("durationMs")) or 0.0, attributes)

    def _on_budget(self, event: str, payload: Mapping[str, Any]) -> None:
        size = _number(payload.get("payloadBytes"))
        if size is not None:
            self._budget.set(size, {"status": str(payload.get("status") or "unknown")})

    def _on_publish(self, event: str, payload: Mapping[str, Any]) -> None:
        for attempt in payload.get("commandResults") or ():
            attributes = {
                "provider": str(attempt.get("provider") or "unknown"),
                "status": str(attempt.get("status") or "unknown"),
            }
            self._attempts.add(1, attributes)
            if attributes["status"] == "skipped":
                continue  # nothing was sent: no bytes, and its duration is not an upload's
            duration = _number(attempt.get("durationMs"))
            if duration is not None:
                self._upload_duration.record(duration, attributes)
            size = _number(attempt.get("size"))
            if size is not None:
                self._upload_bytes.add(int(size), attributes)

    def _on_replay(self, event: str, payload: Mapping[str, Any]) -> None:
        self._replayed.add(
            _count(payload.get("events")), {"origin": str(payload.get("origin") or "unknown")}
        )


def _number(value: object) -> float | None:
    """``value`` when it is a real number (not a bool), else ``None``."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    return None


def _count(value: object) -> int:
    if type(value) is int:  # the common case, first
        return max(value, 0)
    number = _number(value)
    return int(number) if number is not None and number > 0 else 0
