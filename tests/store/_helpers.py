"""Helpers for store tests: a store on a manual clock, and replaying golden logs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from worldstate.clock import ManualClock
from worldstate.events import EventBus
from worldstate.replay import StoreReplay, iter_event_log
from worldstate.store import WorldStore


class Harness:
    """A bus, a manual clock at 1000 and a default store listening on the bus."""

    def __init__(self, **kwargs: Any) -> None:
        self.bus = EventBus()
        self.clock = ManualClock(1000)
        self.store = WorldStore(self.bus, clock=self.clock, **kwargs)

    def emit(self, event: str, payload: dict[str, Any], *, at: int | None = None) -> None:
        if at is not None:
            self.clock.set(at)
        self.bus.emit(event, payload)


def replay_log(path: Path) -> WorldStore:
    """Replay a JSONL log into a fresh default store (manual clock) and return the store."""
    replay = StoreReplay(iter_event_log(path))
    replay.run()
    return replay.store


def load_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))
