"""The one place that finds out whether ``opentelemetry-api`` is installed, and the attribute
values every recorder shares."""

from __future__ import annotations

import re

from worldstate.errors import ConfigurationError

__all__ = ["SCOPE_NAME", "missing_api", "writer_role"]

SCOPE_NAME = "worldstate"
"""The instrumentation scope of every meter and tracer worldstate asks for."""

_MIRROR = re.compile(r"^mirror-\d+$")


def missing_api() -> ConfigurationError:
    """The error for a recorder made without ``opentelemetry-api`` (names the extra)."""
    return ConfigurationError(
        "OpenTelemetry metrics and spans need opentelemetry-api: pip install 'worldstate[otel]'"
    )


def writer_role(writer_id: object) -> str:
    """``mirror-3`` -> ``mirror``; other ids are kept (``out``, a library's own writer names)."""
    text = str(writer_id or "unknown")
    return "mirror" if _MIRROR.match(text) else text
