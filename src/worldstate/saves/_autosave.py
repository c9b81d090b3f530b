"""Autosave policy: which events save to the ``autosave`` slot, and when the game loop does.

Triggers:

==========================================  =================================================
``quest:completed``                         always
``objective:completed``                     ``objectiveId`` contains solve, complete, discover,
                                            confront or unlock (case-insensitive)
``area:entered``, ``case:completed``        always
``inventory:item_added/updated/removed``    at least ``inventory_throttle_ms`` since the last
                                            inventory autosave *or* the last successful save
:meth:`Autosaver.tick` (game loop)          ``interval_ms`` since the last interval check saved
==========================================  =================================================

Two choices differ from the original game and are deliberate: ``enabled = False`` stops every
automatic save (the original still saved on quest/area/case events), and ``min_interval_ms``
(default 0, i.e. off) lets a game drop event-triggered autosaves that come too soon after the
previous successful save.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import msgspec

from worldstate.clock import Clock
from worldstate.errors import SaveError
from worldstate.events import EventBus, Unsubscribe
from worldstate.saves._manager import SaveManager
from worldstate.saves._slots import AUTOSAVE_SLOT

__all__ = ["AutosaveSettings", "Autosaver", "MAJOR_OBJECTIVE_KEYWORDS", "is_major_objective"]

logger = logging.getLogger(__name__)

MAJOR_OBJECTIVE_KEYWORDS = ("solve", "complete", "discover", "confront", "unlock")
INVENTORY_EVENTS = ("inventory:item_added", "inventory:item_updated", "inventory:item_removed")


def is_major_objective(objective_id: object) -> bool:
    """Whether completing this objective deserves an autosave."""
    if not isinstance(objective_id, str):
        return False
    lowered = objective_id.lower()
    return any(keyword in lowered for keyword in MAJOR_OBJECTIVE_KEYWORDS)


class AutosaveSettings(msgspec.Struct, frozen=True):
    """How often to autosave.

    Attributes:
        enabled: whether anything saves automatically.
        interval_ms: period of the game-loop autosave (:meth:`Autosaver.tick`).
        inventory_throttle_ms: minimum gap before an inventory change autosaves again.
        min_interval_ms: minimum gap after any successful save before an event autosaves.
    """

    enabled: bool = True
    interval_ms: int = 300_000
    inventory_throttle_ms: int = 1_000
    min_interval_ms: int = 0

    def __post_init__(self) -> None:
        if min(self.interval_ms, self.inventory_throttle_ms, self.min_interval_ms) < 0:
            raise ValueError("autosave intervals must be >= 0 ms")


class Autosaver:
    """Saves to the ``autosave`` slot when the game's events (or its loop) call for it.

    Args:
        manager: the save manager to save through.
        bus: the bus carrying the trigger events.
        clock: the time source (defaults to the manager's).
        settings: the policy.

    Call :meth:`start` to subscribe, :meth:`tick` once per frame, :meth:`close` at shutdown.
    """

    def __init__(
        self,
        manager: SaveManager,
        bus: EventBus,
        *,
        clock: Clock | None = None,
        settings: AutosaveSettings | None = None,
    ) -> None:
        self.manager = manager
        self.bus = bus
        self.clock = clock or manager.clock
        self.settings = settings or AutosaveSettings()
        self.enabled = self.settings.enabled
        self.last_interval_save = self.clock()
        self.last_inventory_save = 0
        self._unsubscribes: list[Unsubscribe] = []

    def start(self) -> None:
        """Subscribe to the trigger events and restart the interval timer."""
        if self._unsubscribes:
            return
        handlers: dict[str, Callable[[str, Any], None]] = {
            "quest:completed": self._always,
            "objective:completed": self._on_objective,
            "area:entered": self._always,
            "case:completed": self._always,
            **dict.fromkeys(INVENTORY_EVENTS, self._on_inventory),
        }
        self._unsubscribes = [self.bus.on(event, handler) for event, handler in handlers.items()]
        self.last_interval_save = self.clock()

    def close(self, *, final_save: bool = True) -> None:
        """Unsubscribe; first autosave once more if enabled and ``final_save``."""
        if final_save and self.enabled and self._unsubscribes:
            self.autosave("shutdown")
        for unsubscribe in self._unsubscribes:
            unsubscribe()
        self._unsubscribes = []

    def tick(self) -> bool:
        """The game-loop check: autosave when ``interval_ms`` has passed; tell whether it did."""
        now = self.clock()
        if not self.enabled or now - self.last_interval_save < self.settings.interval_ms:
            return False
        self.last_interval_save = now
        return self.autosave("interval")

    update = tick

    def autosave(self, reason: str) -> bool:
        """Save to the autosave slot now; tell whether it worked (failures are logged)."""
        try:
            self.manager.save(AUTOSAVE_SLOT)
        except SaveError as exc:
            logger.warning("autosave (%s) failed: %s", reason, exc)
            return False
        return True

    def _too_soon(self) -> bool:
        last = self.manager.last_saved_at
        gap = self.settings.min_interval_ms
        return gap > 0 and last is not None and self.clock() - last < gap

    def _always(self, event: str, payload: Any) -> None:
        if self.enabled and not self._too_soon():
            self.autosave(event)

    def _on_objective(self, event: str, payload: Any) -> None:
        objective = payload.get("objectiveId") if isinstance(payload, dict) else None
        if is_major_objective(objective):
            self._always(event, payload)

    def _on_inventory(self, event: str, payload: Any) -> None:
        if not self.enabled:
            return
        now = self.clock()
        last = max(self.last_inventory_save, self.manager.last_saved_at or 0)
        if now - last < self.settings.inventory_throttle_ms or self._too_soon():
            return
        self.last_inventory_save = now
        self.autosave(event)
