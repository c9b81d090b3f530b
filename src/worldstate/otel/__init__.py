"""OpenTelemetry metrics and spans for exports, through ``opentelemetry-api`` only
(``worldstate[otel]``).

:class:`ExportMetrics` and :class:`ExportSpans` subscribe to an
:class:`~worldstate.events.EventBus` and record the ``telemetry:*`` events of exports,
publishes and replays; the application decides on the SDK (without one every call is the
API's no-op).  Instrument names, kinds, units and attributes are in :data:`INSTRUMENTS` and
``docs/otel.md``.
"""

from __future__ import annotations

from worldstate.otel._api import writer_role
from worldstate.otel._recorder import INSTRUMENTS, METER_NAME, ExportMetrics, InstrumentSpec
from worldstate.otel._spans import EXPORT_SPAN, PUBLISH_SPAN, TRACER_NAME, ExportSpans

__all__ = [
    "ExportMetrics",
    "ExportSpans",
    "INSTRUMENTS",
    "InstrumentSpec",
    "METER_NAME",
    "TRACER_NAME",
    "EXPORT_SPAN",
    "PUBLISH_SPAN",
    "writer_role",
]
