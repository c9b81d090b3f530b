"""A small synchronous event bus.

Handlers are called as ``handler(event_name, payload)`` in priority order (lower first, ties in
subscription order): first those subscribed to the exact name, then those whose wildcard pattern
matches it.  A pattern is split on ``:``; each ``*`` segment matches exactly one segment of the
name, so ``tutorial:*`` matches ``tutorial:started`` but not ``story:flag:changed``, and ``*``
alone matches names without a colon.

Guarantees:

* A handler's exception is logged (and passed to ``on_error`` when given); it never reaches the
  emitter and never stops the other handlers.
* Unsubscribing during an emit (``once`` handlers do) never skips another handler; a handler
  removed during an emit is not called afterwards, and one added during an emit first runs on
  the next emit.
* Emitting an event nobody listens to costs one dictionary lookup.

The bus is meant to be driven from one thread (the game loop); subscribing from other threads is
safe, emitting from several threads at once is not ordered.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

__all__ = ["EventBus", "Handler", "Unsubscribe", "pattern_matches"]

logger = logging.getLogger(__name__)

Handler = Callable[[str, Any], None]
"""An event handler: called with the event name and its payload."""

Unsubscribe = Callable[[], None]
"""Calling it removes the subscription it was returned for; calling it again does nothing."""

ErrorHook = Callable[[str, Handler, Exception], None]

DEFAULT_PRIORITY = 50


def pattern_matches(pattern: str, event: str) -> bool:
    """Tell whether a subscription pattern matches an event name (see the module docs)."""
    if "*" not in pattern:
        return pattern == event
    wanted = pattern.split(":")
    actual = event.split(":")
    if len(wanted) != len(actual):
        return False
    return all(w == "*" or w == a for w, a in zip(wanted, actual, strict=True))


class _Subscription:
    __slots__ = ("active", "bus", "handler", "once", "pattern", "priority", "seq")

    def __init__(
        self, bus: EventBus, pattern: str, handler: Handler, priority: int, seq: int, once: bool
    ) -> None:
        self.bus = bus
        self.pattern = pattern
        self.handler = handler
        self.priority = priority
        self.seq = seq
        self.once = once
        self.active = True

    def cancel(self) -> None:
        if self.active:
            self.active = False
            self.bus._remove(self)

    @property
    def sort_key(self) -> tuple[int, int]:
        return (self.priority, self.seq)


class EventBus:
    """Synchronous publish/subscribe by event name, with priorities and wildcard patterns.

    Args:
        on_error: called as ``on_error(event, handler, exception)`` after a handler raised and
            the exception was logged.  Exceptions raised by ``on_error`` itself are logged too.
    """

    def __init__(self, *, on_error: ErrorHook | None = None) -> None:
        self._on_error = on_error
        self._exact: dict[str, list[_Subscription]] = {}
        self._wildcards: list[_Subscription] = []
        self._routes: dict[str, tuple[_Subscription, ...]] = {}
        self._lock = threading.Lock()
        self._seq = 0
        # A plain attribute, not a property: it is read on every store dispatch.
        self.generation = 0
        """Changes whenever a subscription is added or removed (read it, never set it).

        An emitter that would ask :meth:`has_listeners` on every call can keep the answers and
        ask again only when this has moved (the store does, for its announcements).
        """

    # -- subscribing -------------------------------------------------------------------------

    def on(self, pattern: str, handler: Handler, priority: int = DEFAULT_PRIORITY) -> Unsubscribe:
        """Call ``handler(event, payload)`` for every event matching ``pattern``.

        Args:
            pattern: an event name, or a pattern with ``*`` segments.
            handler: the callable to run.
            priority: lower runs first; equal priorities run in subscription order.

        Returns:
            A function that removes this subscription.
        """
        return self._add(pattern, handler, priority, once=False)

    def once(self, pattern: str, handler: Handler, priority: int = DEFAULT_PRIORITY) -> Unsubscribe:
        """Like :meth:`on`, but the subscription is removed just before its first call."""
        return self._add(pattern, handler, priority, once=True)

    def off(self, pattern: str, handler: Handler) -> int:
        """Remove every subscription of ``handler`` to exactly ``pattern`` (``once`` ones too).

        Returns:
            How many subscriptions were removed.
        """
        with self._lock:
            candidates = self._wildcards if "*" in pattern else self._exact.get(pattern, [])
            doomed = [s for s in candidates if s.handler == handler and s.pattern == pattern]
        for sub in doomed:
            sub.cancel()
        return len(doomed)

    def clear(self, pattern: str | None = None) -> None:
        """Remove the subscriptions to ``pattern``, or every subscription when it is ``None``."""
        with self._lock:
            if pattern is None:
                doomed = [s for subs in self._exact.values() for s in subs] + self._wildcards
            elif "*" in pattern:
                doomed = [s for s in self._wildcards if s.pattern == pattern]
            else:
                doomed = list(self._exact.get(pattern, ()))
        for sub in doomed:
            sub.cancel()

    # -- emitting ----------------------------------------------------------------------------

    def emit(self, event: str, payload: Any = None) -> int:
        """Call every handler subscribed to ``event``, synchronously and in order.

        Returns:
            The number of handlers that ran (whether or not they raised).
        """
        route = self._routes.get(event)
        if route is None:
            route = self._route(event)
        if not route:
            return 0
        if len(route) == 1 and not route[0].once:
            # One plain subscription (every store handler, mostly): no loop, no bookkeeping.
            # It is active: cancelling it cleared the cached routes.
            handler = route[0].handler
            try:
                handler(event, payload)
            except Exception as exc:  # isolation: a handler never breaks the emitter
                self._report(event, handler, exc)
            return 1
        called = 0
        for sub in route:
            if not sub.active:
                continue
            if sub.once:
                sub.cancel()
            called += 1
            try:
                sub.handler(event, payload)
            except Exception as exc:  # isolation: a handler never breaks the emitter
                self._report(event, sub.handler, exc)
        return called

    def has_listeners(self, event: str) -> bool:
        """Tell whether emitting ``event`` now would call at least one handler."""
        route = self._routes.get(event)
        if route is None:
            route = self._route(event)
        return bool(route)

    def listener_count(self, pattern: str | None = None) -> int:
        """Count subscriptions to exactly ``pattern``, or all subscriptions when ``None``."""
        with self._lock:
            if pattern is None:
                return sum(len(s) for s in self._exact.values()) + len(self._wildcards)
            if "*" in pattern:
                return sum(1 for s in self._wildcards if s.pattern == pattern)
            return len(self._exact.get(pattern, ()))

    def event_names(self) -> list[str]:
        """The exact event names that currently have subscribers."""
        with self._lock:
            return list(self._exact)

    # -- internals ---------------------------------------------------------------------------

    def _add(self, pattern: str, handler: Handler, priority: int, *, once: bool) -> Unsubscribe:
        if not isinstance(pattern, str) or not pattern:
            raise ValueError(f"event pattern must be a non-empty string, got {pattern!r}")
        if not callable(handler):
            raise TypeError(f"handler must be callable, got {handler!r}")
        with self._lock:
            self._seq += 1
            sub = _Subscription(self, pattern, handler, int(priority), self._seq, once)
            target = self._wildcards if "*" in pattern else self._exact.setdefault(pattern, [])
            target.append(sub)
            target.sort(key=_sort_key)
            self._routes = {}
            self.generation += 1
        return sub.cancel

    def _remove(self, sub: _Subscription) -> None:
        with self._lock:
            if "*" in sub.pattern:
                self._wildcards = [s for s in self._wildcards if s is not sub]
            else:
                remaining = [s for s in self._exact.get(sub.pattern, ()) if s is not sub]
                if remaining:
                    self._exact[sub.pattern] = remaining
                else:
                    self._exact.pop(sub.pattern, None)
            self._routes = {}
            self.generation += 1

    def _route(self, event: str) -> tuple[_Subscription, ...]:
        with self._lock:
            exact = self._exact.get(event, ())
            wild = [s for s in self._wildcards if pattern_matches(s.pattern, event)]
            route = (*exact, *wild)
            routes = self._routes
            if len(routes) >= 4096:  # bound the cache when a game emits many distinct names
                routes.clear()
            routes[event] = route
            return route

    def _report(self, event: str, handler: Handler, exc: Exception) -> None:
        logger.error("handler %r for event %r raised", handler, event, exc_info=exc)
        if self._on_error is not None:
            try:
                self._on_error(event, handler, exc)
            except Exception:
                logger.exception("on_error hook raised while reporting %r", event)


def _sort_key(sub: _Subscription) -> tuple[int, int]:
    return sub.sort_key
