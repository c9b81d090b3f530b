"""Fixtures for the saves tests: real world stores, real SQLite files in ``tmp_path``."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from tests._paths import STORY_EVENTS

from worldstate.clock import ManualClock
from worldstate.events import EventBus
from worldstate.replay import iter_event_log, replay_events
from worldstate.saves import SaveManager, SqliteSaveStorage
from worldstate.store import WorldStore

STORY_DEMO = STORY_EVENTS


def play_story(bus: EventBus, clock: ManualClock) -> None:
    """Replay the story demo, then touch the slices it leaves alone (dialogue, inventory)."""
    replay_events(iter_event_log(STORY_DEMO), bus, clock)
    clock.advance(1000)
    bus.emit(
        "dialogue:started",
        {
            "npcId": "marlo",
            "dialogueId": "intro",
            "nodeId": "n1",
            "speaker": "Marlo",
            "text": "Evening.",
            "choices": [{"id": "c1", "text": "Hi"}],
            "hasChoices": True,
        },
    )
    clock.advance(500)
    bus.emit(
        "dialogue:choice",
        {
            "npcId": "marlo",
            "dialogueId": "intro",
            "nodeId": "n1",
            "choiceId": "c1",
            "choiceText": "Hi",
        },
    )
    bus.emit(
        "inventory:item_added",
        {"id": "badge", "name": "Badge", "quantity": 1, "tags": ["evidence"]},
    )
    bus.emit("inventory:equipped", {"slot": "hand", "itemId": "badge"})


@dataclass
class World:
    """A bus, a manual clock and a real store on them."""

    bus: EventBus
    clock: ManualClock
    store: WorldStore


@pytest.fixture(name="make_world")
def _make_world() -> Iterator[Callable[[], World]]:
    made: list[WorldStore] = []

    def make() -> World:
        bus = EventBus()
        clock = ManualClock(1_761_840_000_000)
        store = WorldStore(bus, clock=clock)
        made.append(store)
        return World(bus, clock, store)

    yield make
    for store in made:
        store.close()


@pytest.fixture(name="db_path")
def _db_path(tmp_path: Path) -> Path:
    return tmp_path / "saves.db"


@pytest.fixture(name="make_manager")
def _make_manager(db_path: Path) -> Iterator[Callable[..., SaveManager]]:
    storages: list[SqliteSaveStorage] = []

    def make(world: World, **kwargs: object) -> SaveManager:
        storage = SqliteSaveStorage(db_path)
        storages.append(storage)
        return SaveManager(storage, world.store, bus=world.bus, clock=world.clock, **kwargs)  # type: ignore[arg-type]

    yield make
    for storage in storages:
        storage.close()
