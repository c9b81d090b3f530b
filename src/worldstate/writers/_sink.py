"""Where telemetry events go: straight to a bus, or into a buffer delivered later.

The fan-out and the exporter emit through an :class:`EventSink`.  An
:class:`~worldstate.events.EventBus` is one; :class:`DeferredEvents` is another, used by
background exports: it records each ``(event, payload)`` on the worker thread so the events can
be emitted later, in order, on the thread that collects the result.
"""

from __future__ import annotations

from typing import Any, Protocol

__all__ = ["EventSink", "DeferredEvents"]


class EventSink(Protocol):
    """The part of :class:`~worldstate.events.EventBus` the writers and the exporter use."""

    def emit(self, event: str, payload: Any = None) -> int:
        """Deliver ``payload`` as ``event``; return how many handlers ran."""
        ...

    def has_listeners(self, event: str) -> bool:
        """Whether emitting ``event`` would reach anyone (lets emitters skip building payloads)."""
        ...


class DeferredEvents:
    """Records events instead of emitting them; :meth:`deliver` emits them later.

    Not thread-safe by itself: one thread records, and another delivers only after the recording
    thread is done (a :class:`~concurrent.futures.Future` gives that ordering).
    """

    def __init__(self) -> None:
        self._events: list[tuple[str, Any]] = []

    def emit(self, event: str, payload: Any = None) -> int:
        """Record ``(event, payload)``; no handler runs now, so this returns 0."""
        self._events.append((event, payload))
        return 0

    def has_listeners(self, event: str) -> bool:
        """Always true: who listens is only known when the events are delivered."""
        return True

    @property
    def events(self) -> tuple[tuple[str, Any], ...]:
        """The recorded ``(event, payload)`` pairs, in emission order."""
        return tuple(self._events)

    def deliver(self, sink: EventSink | None) -> None:
        """Emit every recorded event to ``sink`` (nowhere when ``None``), in order."""
        if sink is None:
            return
        for event, payload in self._events:
            sink.emit(event, payload)
