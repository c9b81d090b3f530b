"""Clocks: every timestamp in worldstate is milliseconds since the Unix epoch from one of these.

No module reads the time on its own; whatever needs "now" takes a :data:`Clock`.
"""

from __future__ import annotations

import time
from collections.abc import Callable

__all__ = ["Clock", "system_clock", "ManualClock"]

Clock = Callable[[], int]
"""A zero-argument callable returning the current time in integer milliseconds since the epoch."""


def system_clock() -> int:
    """The wall clock, in integer milliseconds since the epoch."""
    return time.time_ns() // 1_000_000


class ManualClock:
    """A clock that only moves when told to: for replays, tests and deterministic runs.

    Args:
        now: the starting time in ms since the epoch.
    """

    __slots__ = ("now",)

    def __init__(self, now: int = 0) -> None:
        self.now = now

    def __call__(self) -> int:
        return self.now

    def set(self, now: int) -> None:
        """Move the clock to ``now`` (ms since the epoch)."""
        self.now = now

    def advance(self, ms: int) -> int:
        """Move the clock forward by ``ms`` and return the new time."""
        self.now += ms
        return self.now

    def __repr__(self) -> str:
        return f"ManualClock(now={self.now})"
