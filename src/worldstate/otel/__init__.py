"""OpenTelemetry metrics for exports, through ``opentelemetry-api`` only (``worldstate[otel]``).

:class:`ExportMetrics` subscribes to an :class:`~worldstate.events.EventBus` and records the
``telemetry:*`` events of exports as metrics; the application decides on the SDK (without one
every call is a no-op).  Instrument names and units are in :data:`INSTRUMENTS` and
``docs/otel.md``.
"""

from __future__ import annotations

from worldstate.otel._recorder import INSTRUMENTS, METER_NAME, ExportMetrics, writer_role

__all__ = ["ExportMetrics", "INSTRUMENTS", "METER_NAME", "writer_role"]
