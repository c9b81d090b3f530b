"""OpenTelemetry spans for exports and publishes, recorded from the ``telemetry:*`` events."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final

from worldstate.events import EventBus, Unsubscribe
from worldstate.export import EXPORT_COMPLETED, EXPORT_FAILED, EXPORT_STARTED
from worldstate.otel._api import SCOPE_NAME, missing_api
from worldstate.publish import PUBLISH_COMPLETED, PUBLISH_FAILED, PUBLISH_STARTED

__all__ = ["ExportSpans", "EXPORT_SPAN", "PUBLISH_SPAN", "TRACER_NAME"]

TRACER_NAME = SCOPE_NAME
EXPORT_SPAN: Final = "worldstate.export"
PUBLISH_SPAN: Final = "worldstate.publish"

_MS = 1_000_000  # nanoseconds


class ExportSpans:
    """Record one span per export (``worldstate.export``) and per publish
    (``worldstate.publish``) through the OpenTelemetry API; without an SDK they cost nothing.

    A span is recorded when its outcome event arrives, with explicit times: it ends then and
    starts at its ``*_started`` event, or, when that came later than the work's own measured
    duration allows (a background export delivers its events together when collected), that
    duration earlier.  Spans are therefore never the current span: they do not parent other
    spans.  Attributes follow the metrics' rule: outcomes, counts, formats and provider names,
    never paths, run ids, prefixes or error messages.

    Args:
        tracer_provider: where the tracer comes from (default: the global provider, a no-op
            until an application installs the SDK).
        clock_ns: wall time in nanoseconds since the epoch, for the span times.

    Raises:
        ConfigurationError: ``opentelemetry-api`` is not installed (``worldstate[otel]``).
    """

    def __init__(
        self, tracer_provider: Any = None, *, clock_ns: Callable[[], int] = time.time_ns
    ) -> None:
        try:
            from opentelemetry import trace
        except ImportError as exc:
            raise missing_api() from exc
        self._trace = trace
        self._tracer = trace.get_tracer(TRACER_NAME, tracer_provider=tracer_provider)
        self._clock_ns = clock_ns
        self._started = threading.local()  # each thread delivers its own events, in order

    def subscribe(self, bus: EventBus) -> Unsubscribe:
        """Record from ``bus``'s events until the returned function is called."""
        handlers = {
            EXPORT_STARTED: self._on_started,
            EXPORT_COMPLETED: self._on_export,
            EXPORT_FAILED: self._on_export,
            PUBLISH_STARTED: self._on_started,
            PUBLISH_COMPLETED: self._on_publish,
            PUBLISH_FAILED: self._on_publish,
        }
        cancels = [bus.on(event, handler) for event, handler in handlers.items()]

        def unsubscribe() -> None:
            for cancel in cancels:
                cancel()

        return unsubscribe

    def _on_started(self, event: str, payload: object) -> None:
        setattr(self._started, _span_of(event), self._clock_ns())

    def _start_of(self, span: str, end: int, duration_ms: float) -> int:
        started = getattr(self._started, span, None)
        setattr(self._started, span, None)
        earliest = end - int(duration_ms * _MS)
        return earliest if started is None else min(started, earliest)

    def _on_export(self, event: str, payload: Mapping[str, Any]) -> None:
        metrics = payload.get("metrics") or {}
        end = self._clock_ns()
        start = self._start_of(EXPORT_SPAN, end, _ms(metrics.get("durationMs")))
        failures = len(metrics.get("failures") or ())
        attempted = _int(metrics.get("artifactsAttempted"))
        context = payload.get("context") or {}
        attributes = {
            "outcome": "completed" if event == EXPORT_COMPLETED else "failed",
            "artifacts.attempted": attempted,
            "artifacts.written": _int(metrics.get("artifactsWritten")),
            "artifacts.failed": failures,
            "writers": len(metrics.get("writerSummaries") or ()),
            "formats": _strings(context.get("formats")),
        }
        error = f"{failures} artifact write(s) failed" if failures else None
        self._record(EXPORT_SPAN, start, end, attributes, error, ())

    def _on_publish(self, event: str, payload: Mapping[str, Any]) -> None:
        attempts = [a for a in payload.get("commandResults") or () if isinstance(a, Mapping)]
        end = self._clock_ns()
        spent = sum(_ms(a.get("durationMs")) for a in attempts)
        start = self._start_of(PUBLISH_SPAN, end, spent)
        failed = event == PUBLISH_FAILED
        attributes = {
            "outcome": "failed" if failed else "completed",
            "artifacts": _int(payload.get("artifactCount")),
            "attempts": len(attempts),
            "providers": tuple(dict.fromkeys(str(a.get("provider")) for a in attempts)),
        }
        error = "an upload attempt failed" if failed else None
        self._record(PUBLISH_SPAN, start, end, attributes, error, attempts)

    def _record(
        self,
        name: str,
        start: int,
        end: int,
        attributes: Mapping[str, Any],
        error: str | None,
        attempts: Sequence[Mapping[str, Any]],
    ) -> None:
        span = self._tracer.start_span(name, start_time=start)
        if span.is_recording():  # without an SDK, nothing more is built
            span.set_attributes(attributes)
            for attempt in attempts:
                span.add_event("upload", _attempt_attributes(attempt), timestamp=end)
            if error is not None:
                span.set_status(self._trace.Status(self._trace.StatusCode.ERROR, error))
        span.end(end_time=end)


def _span_of(event: str) -> str:
    return EXPORT_SPAN if event == EXPORT_STARTED else PUBLISH_SPAN


def _attempt_attributes(attempt: Mapping[str, Any]) -> dict[str, Any]:
    attributes: dict[str, Any] = {
        "provider": str(attempt.get("provider") or "unknown"),
        "status": str(attempt.get("status") or "unknown"),
    }
    for key, name in (("durationMs", "duration_ms"), ("size", "size")):
        value = attempt.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool):
            attributes[name] = value
    return attributes


def _ms(value: object) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
        return float(value)
    return 0.0


def _int(value: object) -> int:
    return int(value) if isinstance(value, int) and not isinstance(value, bool) else 0


def _strings(value: object) -> tuple[str, ...]:
    return tuple(str(v) for v in value) if isinstance(value, list | tuple) else ()
