"""The event bus: ordering, wildcards, isolation and subscription changes during an emit."""

from __future__ import annotations

from typing import Any

import pytest

from worldstate.events import EventBus, pattern_matches


def recorder(log: list[Any], tag: Any) -> Any:
    def handler(event: str, payload: Any) -> None:
        log.append((tag, event, payload))

    return handler


class TestOrdering:
    def test_lower_priority_runs_first(self) -> None:
        """Handlers run in ascending priority."""
        bus, log = EventBus(), []
        bus.on("a", recorder(log, "late"), priority=90)
        bus.on("a", recorder(log, "early"), priority=10)
        bus.on("a", recorder(log, "mid"))
        bus.emit("a", 1)
        assert [tag for tag, _, _ in log] == ["early", "mid", "late"]

    def test_ties_keep_subscription_order(self) -> None:
        """Equal priorities run in the order they subscribed."""
        bus, log = EventBus(), []
        for tag in range(5):
            bus.on("a", recorder(log, tag), priority=20)
        bus.emit("a")
        assert [tag for tag, _, _ in log] == [0, 1, 2, 3, 4]

    def test_exact_handlers_run_before_wildcards(self) -> None:
        """Exact subscribers run before matching wildcard ones, even with a higher priority."""
        bus, log = EventBus(), []
        bus.on("quest:*", recorder(log, "wild"), priority=0)
        bus.on("quest:started", recorder(log, "exact"), priority=99)
        bus.emit("quest:started", {"questId": "q"})
        assert [tag for tag, _, _ in log] == ["exact", "wild"]

    def test_handler_gets_name_and_payload(self) -> None:
        """Handlers receive the event name and the very payload object."""
        bus, log = EventBus(), []
        payload = {"x": 1}
        bus.on("tutorial:*", recorder(log, "w"))
        bus.emit("tutorial:started", payload)
        assert log == [("w", "tutorial:started", payload)]
        assert log[0][2] is payload

    def test_emit_returns_number_of_handlers_called(self) -> None:
        """emit() counts the handlers it called; 0 when nobody listens."""
        bus = EventBus()
        bus.on("a", recorder([], 1))
        bus.on("*", recorder([], 2))
        assert bus.emit("a") == 2
        assert bus.emit("b") == 1
        assert bus.emit("c:d") == 0


class TestWildcards:
    @pytest.mark.parametrize(
        ("pattern", "event", "expected"),
        [
            ("telemetry:*", "telemetry:export_started", True),
            ("telemetry:*", "story:flag:changed", False),
            ("story:*:changed", "story:flag:changed", True),
            ("story:*", "story:flag:changed", False),
            ("*:*:*", "story:flag:changed", True),
            ("*", "ready", True),
            ("*", "quest:started", False),
            ("tele*", "telemetry", False),
            ("quest:started", "quest:started", True),
        ],
    )
    def test_pattern_matches(self, pattern: str, event: str, expected: bool) -> None:
        """A ``*`` segment matches exactly one segment; segment counts must agree."""
        assert pattern_matches(pattern, event) is expected

    def test_star_alone_matches_only_colon_free_names(self) -> None:
        """A ``*`` subscriber sees ``ready`` but not ``quest:started``."""
        bus, log = EventBus(), []
        bus.on("*", recorder(log, "star"))
        bus.emit("ready")
        bus.emit("quest:started")
        assert [event for _, event, _ in log] == ["ready"]

    def test_wildcards_sorted_by_priority(self) -> None:
        """Wildcard subscribers are ordered by priority among themselves."""
        bus, log = EventBus(), []
        bus.on("a:*", recorder(log, "second"), priority=60)
        bus.on("*:b", recorder(log, "first"), priority=5)
        bus.emit("a:b")
        assert [tag for tag, _, _ in log] == ["first", "second"]


class TestIsolation:
    def test_raising_handler_does_not_stop_others(self) -> None:
        """A handler's exception is reported to on_error and the next handler still runs."""
        errors: list[tuple[str, Exception]] = []
        bus = EventBus(on_error=lambda event, handler, exc: errors.append((event, exc)))
        log: list[Any] = []

        def boom(event: str, payload: Any) -> None:
            raise RuntimeError("kaput")

        bus.on("a", boom)
        bus.on("a", recorder(log, "after"))
        assert bus.emit("a") == 2
        assert [tag for tag, _, _ in log] == ["after"]
        assert errors[0][0] == "a"
        assert str(errors[0][1]) == "kaput"

    def test_a_lone_handler_is_isolated_too(self) -> None:
        """The one-subscription path reports a raising handler and counts it; a lone ``once``
        handler or one that unsubscribes itself runs only once."""
        errors: list[Exception] = []
        bus = EventBus(on_error=lambda event, handler, exc: errors.append(exc))

        def boom(event: str, payload: Any) -> None:
            raise RuntimeError("kaput")

        bus.on("a", boom)
        assert bus.emit("a") == 1 and bus.emit("a") == 1
        assert [str(e) for e in errors] == ["kaput", "kaput"]
        log: list[Any] = []
        bus.once("b", recorder(log, "once"))

        def leave(event: str, payload: Any) -> None:
            log.append(payload)
            unsubscribe()

        unsubscribe = bus.on("c", leave)
        assert [bus.emit("b"), bus.emit("b"), bus.emit("c", 1), bus.emit("c", 2)] == [1, 0, 1, 0]
        assert [entry if isinstance(entry, int) else entry[0] for entry in log] == ["once", 1]

    def test_failing_on_error_hook_is_contained(self) -> None:
        """An on_error hook that raises does not reach the emitter."""

        def bad_hook(event: str, handler: Any, exc: Exception) -> None:
            raise ValueError("hook broke")

        def boom(event: str, payload: Any) -> None:
            raise RuntimeError("kaput")

        bus, log = EventBus(on_error=bad_hook), []
        bus.on("a", boom)
        bus.on("a", recorder(log, "after"))
        bus.emit("a")
        assert len(log) == 1


class TestSubscriptionChanges:
    def test_once_runs_once_and_does_not_skip_next(self) -> None:
        """A once handler unsubscribes itself without skipping the following handler."""
        bus, log = EventBus(), []
        bus.once("a", recorder(log, "once"))
        bus.on("a", recorder(log, "next"))
        bus.emit("a")
        bus.emit("a")
        assert [tag for tag, _, _ in log] == ["once", "next", "next"]

    def test_unsubscribe_self_during_emit_does_not_skip(self) -> None:
        """A handler that unsubscribes itself mid-emit leaves the following handlers alone."""
        bus, log = EventBus(), []
        unsubscribe: Any = None

        def leaver(event: str, payload: Any) -> None:
            log.append("leaver")
            unsubscribe()

        unsubscribe = bus.on("a", leaver)
        bus.on("a", lambda e, p: log.append("second"))
        bus.on("a", lambda e, p: log.append("third"))
        bus.emit("a")
        bus.emit("a")
        assert log == ["leaver", "second", "third", "second", "third"]

    def test_handler_removed_during_emit_is_not_called(self) -> None:
        """Removing a later handler mid-emit prevents its call in that same emit."""
        bus, log = EventBus(), []
        unsubscribe_later: Any = None
        bus.on("a", lambda e, p: unsubscribe_later())
        unsubscribe_later = bus.on("a", lambda e, p: log.append("later"))
        bus.emit("a")
        assert log == []

    def test_handler_added_during_emit_runs_from_next_emit(self) -> None:
        """A handler subscribed mid-emit first runs on the next emit."""
        bus, log = EventBus(), []
        added = False

        def adder(event: str, payload: Any) -> None:
            nonlocal added
            if not added:
                added = True
                bus.on("a", lambda e, p: log.append("new"))

        bus.on("a", adder)
        bus.emit("a")
        assert log == []
        bus.emit("a")
        assert log == ["new"]

    def test_off_removes_handler_including_once(self) -> None:
        """off() removes every subscription of a handler to a pattern, once ones included."""
        bus, log = EventBus(), []
        handler = recorder(log, "h")
        bus.on("a", handler)
        bus.once("a", handler)
        bus.on("b", handler)
        assert bus.off("a", handler) == 2
        bus.emit("a")
        bus.emit("b")
        assert [event for _, event, _ in log] == ["b"]

    def test_off_wildcard(self) -> None:
        """off() works for wildcard patterns too."""
        bus, log = EventBus(), []
        handler = recorder(log, "h")
        bus.on("a:*", handler)
        assert bus.off("a:*", handler) == 1
        assert bus.emit("a:b") == 0

    def test_unsubscribe_twice_is_harmless(self) -> None:
        """Calling an unsubscribe function again does nothing."""
        bus = EventBus()
        unsubscribe = bus.on("a", recorder([], 1))
        bus.on("a", recorder([], 2))
        unsubscribe()
        unsubscribe()
        assert bus.listener_count("a") == 1

    def test_clear(self) -> None:
        """clear(pattern) removes that pattern's subscribers; clear() removes all."""
        bus = EventBus()
        bus.on("a", recorder([], 1))
        bus.on("b", recorder([], 1))
        bus.on("x:*", recorder([], 1))
        bus.clear("a")
        assert not bus.has_listeners("a")
        assert bus.has_listeners("b")
        bus.clear()
        assert bus.listener_count() == 0
        assert not bus.has_listeners("x:y")

    def test_generation_moves_with_subscriptions(self) -> None:
        """generation changes on every subscribe and unsubscribe (once handlers included),
        and not on emits or on an unsubscribe that removes nothing.
        """
        bus = EventBus()
        seen = [bus.generation]
        stop = bus.on("a", lambda e, p: None)
        seen.append(bus.generation)
        bus.once("b:*", lambda e, p: None)
        seen.append(bus.generation)
        bus.emit("a")
        assert bus.generation == seen[-1]
        bus.emit("b:x")  # the once handler is removed
        seen.append(bus.generation)
        stop()
        seen.append(bus.generation)
        stop()
        assert bus.off("a", print) == 0
        assert bus.generation == seen[-1]
        assert len(set(seen)) == len(seen)

    def test_has_listeners_follows_wildcards(self) -> None:
        """has_listeners() is true when only a wildcard matches, false after unsubscribing."""
        bus = EventBus()
        unsubscribe = bus.on("worldstate:*", recorder([], 1))
        assert bus.has_listeners("worldstate:updated")
        unsubscribe()
        assert not bus.has_listeners("worldstate:updated")

    def test_bad_subscriptions_are_refused(self) -> None:
        """An empty pattern or a non-callable handler is a programming error."""
        bus = EventBus()
        with pytest.raises(ValueError):
            bus.on("", recorder([], 1))
        with pytest.raises(TypeError):
            bus.on("a", "not callable")  # type: ignore[arg-type]
