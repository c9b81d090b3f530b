"""Capturing the events a bus emits, for assertions."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from worldstate.events import EventBus

__all__ = ["CapturedEvents", "capture_events"]


@dataclass
class CapturedEvents:
    """The ``(event, payload)`` pairs a bus emitted since :func:`capture_events`, in order."""

    seen: list[tuple[str, Any]] = field(default_factory=list)

    def __call__(self, event: str, payload: Any) -> None:
        self.seen.append((event, payload))

    @property
    def names(self) -> list[str]:
        """The event names, in emission order."""
        return [name for name, _ in self.seen]

    @property
    def payloads(self) -> list[Any]:
        """The payloads, in emission order (of one event, when the pattern names one)."""
        return [payload for _, payload in self.seen]

    def named(self, event: str) -> list[Any]:
        """The payloads of every ``event`` emitted, in order."""
        return [payload for name, payload in self.seen if name == event]

    def payload(self, event: str) -> Any:
        """The payload of the one ``event`` emitted; fails unless there was exactly one."""
        found = self.named(event)
        if len(found) != 1:
            raise AssertionError(f"expected one {event!r} event, got {len(found)}: {self.names}")
        return found[0]


def capture_events(bus: EventBus, pattern: str = "*") -> CapturedEvents:
    """Record every event matching ``pattern`` (``*`` wildcards) that ``bus`` emits from now on.

    >>> bus = EventBus()
    >>> events = capture_events(bus, "telemetry:*")
    >>> _ = bus.emit("telemetry:export_started", {"prefix": "qa"})
    >>> events.names
    ['telemetry:export_started']
    """
    captured = CapturedEvents()
    bus.on(pattern, captured)
    return captured
