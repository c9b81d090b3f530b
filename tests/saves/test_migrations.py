"""Migrations: the registry, the reference's 0 -> 1 step, write-back and failure isolation."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import msgspec
import pytest
from tests.saves.conftest import World

from worldstate.errors import CorruptSaveError, MigrationError
from worldstate.saves import (
    DEFAULT_MIGRATIONS,
    IndexEntry,
    MigrationRegistry,
    SaveManager,
    SlotType,
    SqliteSaveStorage,
    checksum,
    migrate_0_to_1,
    read_world_snapshot,
)
from worldstate.testing import capture_events

MakeWorld = Callable[[], World]


def _store_raw(db: Path, slot: str, save: dict[str, Any], version: int) -> None:
    """Write a save as an older release would have: raw JSON with its index row."""
    payload = msgspec.json.encode(save)
    entry = IndexEntry(
        slot=slot,
        timestamp=save.get("timestamp", 0),
        playtime=save.get("playtime", 0),
        version=version,
        slot_type=SlotType.MANUAL,
        label=slot,
        snapshot_source=None,
        checksum=checksum(payload),
        size=len(payload),
    )
    with SqliteSaveStorage(db) as storage, storage.transaction() as tx:
        tx.put(entry, payload)


def _rows(db: Path) -> tuple[Any, ...]:
    with sqlite3.connect(db) as conn:
        index = conn.execute("SELECT * FROM save_index ORDER BY slot").fetchall()
        payloads = conn.execute("SELECT * FROM save_payload ORDER BY slot").fetchall()
    return tuple(index), tuple(payloads)


LEGACY_V0 = {
    "timestamp": 1_700_000_000_000,
    "playtime": 1234,
    "slot": "legacy",
    "tutorialComplete": True,
    "gameData": {
        "storyFlags": {"flags": {"act1_started": {"value": True, "metadata": {}, "updatedAt": 5}}},
        "quests": None,
        "factions": {"byId": {}},
        "inventory": {"items": [{"id": "coin", "name": "Coin", "quantity": 3}]},
        "investigation": "not a dict",
    },
}


class TestDefaultStep:
    def test_version_0_save_loads_and_is_written_back(
        self, make_world: MakeWorld, tmp_path: Path
    ) -> None:
        """A legacy save is migrated to version 1, loads into the store, and is rewritten."""
        db = tmp_path / "saves.db"
        _store_raw(db, "legacy", LEGACY_V0, version=0)
        world = make_world()
        with SqliteSaveStorage(db) as storage:
            manager = SaveManager(storage, world.store, bus=world.bus, clock=world.clock)
            receipt = manager.load("legacy")
            assert receipt.migrated_from == 0
            envelope = manager.read("legacy")
            (info,) = manager.list_slots()
        game = envelope.game_data
        assert envelope.version == 1 and info.entry.version == 1 and info.problem is None
        assert game["quests"] == {} and game["investigation"] is None
        assert game["tutorial"]["completed"] is True and game["tutorialComplete"] is True
        assert game["factions"]["recentMemberRemovals"] == [] and game["factions"]["version"] == 1
        assert game["inventory"]["lastUpdatedAt"] == LEGACY_V0["timestamp"]
        assert game["dialogue"] is None and game["finaleCinematic"] is None
        snapshot = world.store.snapshot()
        assert snapshot["storyFlags"]["flags"]["act1_started"]["value"] is True
        assert [item["id"] for item in snapshot["inventory"]["items"]] == ["coin"]

    def test_export_reads_migrate_in_memory_only(self, tmp_path: Path) -> None:
        """read_world_snapshot migrates a version-0 save without touching the database."""
        db = tmp_path / "saves.db"
        _store_raw(db, "legacy", LEGACY_V0, version=0)
        before = db.read_bytes(), _rows(db)
        snapshot = read_world_snapshot(db, "legacy")
        assert snapshot["quests"] == {} and snapshot["tutorialComplete"] is True
        assert "investigation" not in snapshot
        assert (db.read_bytes(), _rows(db)) == before

    def test_future_version_is_refused(self, make_world: MakeWorld, tmp_path: Path) -> None:
        """A save from a newer release fails with future_version and stays as it was."""
        db = tmp_path / "saves.db"
        _store_raw(db, "new", {**LEGACY_V0, "version": 7}, version=7)
        before = _rows(db)
        world = make_world()
        failed = capture_events(world.bus, "game:load_failed")
        with SqliteSaveStorage(db) as storage:
            manager = SaveManager(storage, world.store, bus=world.bus, clock=world.clock)
            with pytest.raises(MigrationError, match="future_version"):
                manager.load("new")
        assert _rows(db) == before
        assert failed.payloads and "future_version" in failed.payloads[0]["error"]


def _two_step_registry(fail_second: bool = False) -> MigrationRegistry:
    registry = MigrationRegistry(current_version=2)
    registry.register(0, 1)(migrate_0_to_1)

    @registry.register(1, 2)
    def add_weather(save: dict[str, Any]) -> dict[str, Any]:
        if fail_second:
            raise KeyError("weather table")
        save["gameData"]["weather"] = {"kind": "rain"}
        return save

    return registry


class TestRegistry:
    def test_two_steps_chain_and_write_back(self, make_world: MakeWorld, tmp_path: Path) -> None:
        """0 -> 1 -> 2 runs both steps in order and the stored save becomes version 2."""
        db = tmp_path / "saves.db"
        _store_raw(db, "legacy", LEGACY_V0, version=0)
        world = make_world()
        registry = _two_step_registry()
        with SqliteSaveStorage(db) as storage:
            manager = SaveManager(
                storage, world.store, bus=world.bus, clock=world.clock, migrations=registry
            )
            assert manager.load("legacy").migrated_from == 0
            stored = storage.read("legacy")
        assert stored is not None and stored.payload is not None
        saved = msgspec.json.decode(stored.payload)
        assert saved["version"] == 2 and stored.entry.version == 2
        assert saved["gameData"]["weather"] == {"kind": "rain"}
        assert saved["gameData"]["quests"] == {}  # the 0 -> 1 step ran first
        assert stored.problem() is None

    def test_failing_step_changes_nothing(self, make_world: MakeWorld, tmp_path: Path) -> None:
        """A failing step names itself and its error; payload bytes, index row and version
        are identical afterwards and the store is untouched."""
        db = tmp_path / "saves.db"
        _store_raw(db, "legacy", LEGACY_V0, version=0)
        before = _rows(db)
        world = make_world()
        snapshot_before = world.store.snapshot()
        registry = _two_step_registry(fail_second=True)
        with SqliteSaveStorage(db) as storage:
            manager = SaveManager(
                storage, world.store, bus=world.bus, clock=world.clock, migrations=registry
            )
            with pytest.raises(MigrationError) as caught:
                manager.load("legacy")
        error = caught.value
        assert (error.slot, error.from_version, error.to_version) == ("legacy", 1, 2)
        assert "migration_failed_1_to_2" in error.reason and "weather table" in error.reason
        assert _rows(db) == before
        assert world.store.snapshot() == snapshot_before

    def test_migrated_world_that_fails_validation_changes_nothing(
        self, make_world: MakeWorld, tmp_path: Path
    ) -> None:
        """A step that succeeds but yields an invalid world: the load fails as a corrupt save,
        the stored save keeps its old bytes and version, and the store is untouched."""
        db = tmp_path / "saves.db"
        _store_raw(db, "legacy", LEGACY_V0, version=0)
        before = _rows(db)
        world = make_world()
        snapshot_before = world.store.snapshot()
        registry = MigrationRegistry(current_version=2)
        registry.register(0, 1)(migrate_0_to_1)

        @registry.register(1, 2)
        def break_factions(save: dict[str, Any]) -> dict[str, Any]:
            save["gameData"]["factions"] = {"byId": "not an object"}
            return save

        with SqliteSaveStorage(db) as storage:
            manager = SaveManager(
                storage, world.store, bus=world.bus, clock=world.clock, migrations=registry
            )
            with pytest.raises(CorruptSaveError) as caught:
                manager.load("legacy")
        assert "$.factions.byId" in str(caught.value)
        assert _rows(db) == before
        assert world.store.snapshot() == snapshot_before

    def test_missing_step_is_reported(self) -> None:
        """A gap in the chain is a MigrationError naming the version with no step."""
        registry = MigrationRegistry(current_version=3)
        registry.register(0, 1)(lambda save: save)
        with pytest.raises(MigrationError, match="no migration from version 1"):
            registry.migrate("s", {"version": 0, "gameData": {}})

    def test_step_must_return_an_object(self) -> None:
        """A step returning something other than a dict fails with its name."""
        registry = MigrationRegistry(current_version=1)
        registry.register(0, 1)(lambda save: None)  # type: ignore[arg-type, return-value]
        with pytest.raises(MigrationError, match="migration_failed_0_to_1: step returned"):
            registry.migrate("s", {"gameData": {}})

    @pytest.mark.parametrize("steps", [(1, 1), (2, 1)])
    def test_steps_must_go_forward(self, steps: tuple[int, int]) -> None:
        """Registering a step that does not increase the version is a programming error."""
        with pytest.raises(ValueError, match="forward"):
            MigrationRegistry().register(*steps)

    def test_duplicate_step_is_refused(self) -> None:
        """Two steps from the same version would make the chain ambiguous."""
        registry = MigrationRegistry(current_version=2)
        registry.register(0, 1)(lambda save: save)
        with pytest.raises(ValueError, match="already registered"):
            registry.register(0, 2)

    @pytest.mark.parametrize("version", ["1", True, -1, 1.5])
    def test_invalid_version_is_reported(self, version: object) -> None:
        """A version that is not a non-negative integer is invalid_save_data."""
        with pytest.raises(MigrationError, match="invalid_save_data"):
            DEFAULT_MIGRATIONS.migrate("s", {"version": version, "gameData": {}})
