"""SaveManager against real WorldStores and real SQLite files."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from tests.saves.conftest import World, play_story

from worldstate.errors import (
    ConfigurationError,
    CorruptSaveError,
    InvalidSlotNameError,
    SaveError,
    SlotNotFoundError,
    UnsafeNameError,
)
from worldstate.events import EventBus
from worldstate.saves import (
    GAME_SAVE_FAILED,
    MemorySaveStorage,
    SaveEnvelope,
    SaveManager,
    SaveMeta,
    SlotStatus,
    SqliteSaveStorage,
    checksum,
    encode_envelope,
    verify_saves,
)
from worldstate.testing import capture_events

MakeWorld = Callable[[], World]
MakeManager = Callable[..., SaveManager]


class TestRoundTrip:
    def test_every_slice_survives_save_and_load(
        self, make_world: MakeWorld, make_manager: MakeManager
    ) -> None:
        """A store with state in all eight slices loads back into an identical snapshot."""
        source = make_world()
        play_story(source.bus, source.clock)
        before = source.store.snapshot()
        for key in ("storyFlags", "quests", "factions", "tutorial", "dialogue", "inventory"):
            assert before[key], key
        assert before["npcs"]["byId"] and before["districts"]["byId"]
        assert before["inventory"]["items"] and before["dialogue"]["historyByNpc"]
        make_manager(source).save("Chapter One")

        target = make_world()
        assert target.store.snapshot() != before
        receipt = make_manager(target).load("chapter-one")
        assert target.store.snapshot() == before
        assert receipt.slot == "chapter-one" and receipt.migrated_from is None

    def test_envelope_has_the_reference_shape(
        self, make_world: MakeWorld, make_manager: MakeManager
    ) -> None:
        """The stored payload is the reference envelope, in key order, with slotLabel."""
        world = make_world()
        manager = make_manager(world, started_at=world.clock() - 5_000)
        manager.save("  My Slot #1!  ")
        envelope = manager.read("my-slot-1")
        assert (envelope.version, envelope.slot, envelope.playtime) == (1, "my-slot-1", 5_000)
        assert envelope.meta.slot_label == "My Slot #1!"
        assert envelope.meta.snapshot_source == "worldStateStore"
        stored = manager.storage.read("my-slot-1")
        assert stored is not None and stored.payload is not None
        assert stored.payload.startswith(b'{"version":1,"timestamp":')
        assert list(envelope.game_data)[:2] == ["storyFlags", "quests"]

    def test_contributors_are_saved_and_restored(
        self, make_world: MakeWorld, make_manager: MakeManager
    ) -> None:
        """Game data contributors add their own gameData keys and get them back on load."""

        class Cases:
            def __init__(self, state: Any) -> None:
                self.state = state

            def collect(self) -> Any:
                return self.state

            def restore(self, data: Any) -> None:
                self.state = data

        cases = Cases({"open": ["c1"], "solved": 2})
        world = make_world()
        make_manager(world, contributors={"cases": cases}).save("slot")
        restored = Cases(None)
        make_manager(make_world(), contributors={"cases": restored}).load("slot")
        assert restored.state == {"open": ["c1"], "solved": 2}

    def test_contributor_key_may_not_shadow_the_snapshot(self, make_world: MakeWorld) -> None:
        """A contributor named like a snapshot key is refused at construction."""
        world = make_world()
        with pytest.raises(ConfigurationError, match="quests"):
            SaveManager(
                MemorySaveStorage(),
                world.store,
                bus=world.bus,
                clock=world.clock,
                contributors={"quests": object()},  # type: ignore[dict-item]
            )


class _Constant:
    def __init__(self, value: Any) -> None:
        self.value = value

    def collect(self) -> Any:
        return self.value

    def restore(self, data: Any) -> None:
        self.value = data


class TestSnapshotBytes:
    @pytest.mark.parametrize(
        "contributors",
        [
            {},
            {"cases": {"open": ["c1"], "solved": 2}, "finale": None},
            # "flags" is also a key inside storyFlags: the manager merges decoded values then.
            {"flags": [1, 2]},
        ],
        ids=["none", "two", "nested-name"],
    )
    def test_payload_from_snapshot_json_equals_the_dict_path(
        self, make_world: MakeWorld, contributors: dict[str, Any]
    ) -> None:
        """Saving from the store's JSON bytes writes exactly what encoding the snapshot dict
        (plus the contributors' data) writes."""
        world = make_world()
        play_story(world.bus, world.clock)
        manager = SaveManager(
            MemorySaveStorage(),
            world.store,
            bus=EventBus(),
            clock=world.clock,
            contributors={k: _Constant(v) for k, v in contributors.items()},
            started_at=0,
        )
        receipt = manager.save("slot")
        stored = manager.storage.read("slot")
        assert stored is not None and stored.payload is not None
        meta = SaveMeta(snapshot_source="worldStateStore", slot_label="slot")
        game_data = {**world.store.snapshot(), **contributors}
        envelope = SaveEnvelope(1, receipt.timestamp, receipt.playtime, "slot", game_data, meta)
        assert stored.payload == encode_envelope(envelope)
        decoded = json.loads(stored.payload)["gameData"]
        assert list(decoded)[:9] == list(world.store.snapshot())
        assert {k: decoded[k] for k in contributors} == contributors

    def test_unserialisable_contributor_is_a_bug_not_a_save_error(
        self, make_world: MakeWorld
    ) -> None:
        """A contributor returning something JSON cannot hold raises TypeError (a bug, not a
        failed save the player could retry), after game:save_failed; nothing is written."""
        world = make_world()
        seen = capture_events(world.bus, "game:*").seen
        manager = SaveManager(
            MemorySaveStorage(),
            world.store,
            bus=world.bus,
            clock=world.clock,
            contributors={"cases": _Constant(object())},
        )
        with pytest.raises(TypeError, match="not JSON-serialisable") as caught:
            manager.save("slot")
        assert not isinstance(caught.value, SaveError)
        assert [name for name, _ in seen] == [GAME_SAVE_FAILED]
        assert not manager.exists("slot")


class TestEvents:
    def test_saved_and_loaded_events(
        self, make_world: MakeWorld, make_manager: MakeManager
    ) -> None:
        """game:saved and game:loaded carry slot, timestamp and playtime."""
        world = make_world()
        seen = capture_events(world.bus, "game:*").seen
        manager = make_manager(world, started_at=world.clock())
        world.clock.advance(42)
        manager.save("alpha")
        world.clock.advance(8)
        manager.load("alpha")
        now = world.clock()
        assert seen == [
            ("game:saved", {"slot": "alpha", "timestamp": now - 8, "playtime": 42}),
            ("game:loaded", {"slot": "alpha", "timestamp": now - 8, "playtime": 42}),
        ]
        assert manager.started_at == now - 42

    def test_failed_save_emits_and_raises(
        self, make_world: MakeWorld, make_manager: MakeManager, db_path: Path
    ) -> None:
        """A save that cannot be written emits game:save_failed and raises SaveError."""
        world = make_world()
        seen = capture_events(world.bus, "game:*").seen
        manager = make_manager(world)
        blocker = sqlite3.connect(db_path, timeout=0)
        blocker.execute("BEGIN IMMEDIATE")  # another writer holds the lock
        manager.storage = SqliteSaveStorage(db_path, busy_timeout_ms=50)
        try:
            with pytest.raises(SaveError, match="locked"):
                manager.save("beta")
        finally:
            blocker.rollback()
            blocker.close()
            manager.storage.close()
        assert seen[0][0] == "game:save_failed" and seen[0][1]["slot"] == "beta"
        assert "locked" in seen[0][1]["error"]

    def test_missing_slot_raises_without_event(
        self, make_world: MakeWorld, make_manager: MakeManager
    ) -> None:
        """Loading an empty slot raises SlotNotFoundError and emits nothing (as the reference)."""
        world = make_world()
        seen = capture_events(world.bus, "game:*").seen
        with pytest.raises(SlotNotFoundError, match="'nothing-here'"):
            make_manager(world).load("Nothing Here")
        assert seen == []

    @pytest.mark.parametrize("bad", [None, 3, 3.7, "", "   ", "***", "---", b"slot"])
    def test_bad_slot_names_raise(self, make_world: MakeWorld, bad: object) -> None:
        """Non-strings and names that normalise to nothing raise instead of meaning autosave."""
        world = make_world()
        manager = SaveManager(MemorySaveStorage(), world.store, bus=world.bus, clock=world.clock)
        with pytest.raises(InvalidSlotNameError):
            manager.save(bad)
        assert manager.list_slots() == []

    @pytest.mark.parametrize("bad", ["../x", "a/b", "a\\b", "x\x00"])
    def test_path_like_slot_names_raise(self, make_world: MakeWorld, bad: str) -> None:
        """Names that look like paths are refused, not silently rewritten."""
        world = make_world()
        manager = SaveManager(MemorySaveStorage(), world.store, bus=world.bus, clock=world.clock)
        with pytest.raises(UnsafeNameError):
            manager.save(bad)


class TestSlotsAndEviction:
    def test_oldest_manual_slots_are_evicted_never_the_new_one(
        self, make_world: MakeWorld, make_manager: MakeManager
    ) -> None:
        """With a cap of 3, new slots evict the oldest manual ones; ties go by slot name."""
        world = make_world()
        manager = make_manager(world, max_manual_slots=3)
        manager.save("autosave")
        for name in ("b", "a"):  # same timestamp: a is evicted before b
            manager.save(name)
        world.clock.advance(10)
        manager.save("c")
        world.clock.advance(10)
        assert manager.save("d").evicted == ("a",)
        assert manager.save("e").evicted == ("b",)
        manager.save("d")  # overwriting an existing slot evicts nothing
        assert sorted(i.entry.slot for i in manager.list_slots()) == ["autosave", "c", "d", "e"]

    def test_cap_of_one_keeps_only_the_new_slot(
        self, make_world: MakeWorld, make_manager: MakeManager
    ) -> None:
        """Even a newer old slot is evicted rather than the one being written."""
        world = make_world()
        manager = make_manager(world, max_manual_slots=1)
        manager.save("first")
        world.clock.set(world.clock() - 1_000)  # the new save is *older* than the existing one
        assert manager.save("second").evicted == ("first",)
        assert [i.entry.slot for i in manager.list_slots()] == ["second"]

    def test_listing_shape_and_order(
        self, make_world: MakeWorld, make_manager: MakeManager
    ) -> None:
        """Listing is newest first with the reference fields plus status, from the index
        alone (``verified`` false)."""
        world = make_world()
        manager = make_manager(world, started_at=world.clock())
        manager.save("Old One")
        world.clock.advance(100)
        manager.save()
        listing = [info.to_dict() for info in manager.list_slots()]
        assert [e["slot"] for e in listing] == ["autosave", "old-one"]
        assert listing[1] | {"checksum": None, "size": None} == {
            "slot": "old-one",
            "timestamp": world.clock() - 100,
            "playtime": 0,
            "version": 1,
            "slotType": "manual",
            "label": "Old One",
            "snapshotSource": "worldStateStore",
            "status": "ok",
            "problem": None,
            "verified": False,
            "checksum": None,
            "size": None,
        }
        assert listing[0]["slotType"] == "auto"

    def test_delete_and_exists(self, make_world: MakeWorld, make_manager: MakeManager) -> None:
        """delete removes payload and index entry and tells whether there was a save."""
        manager = make_manager(make_world())
        manager.save("gone")
        assert manager.exists("Gone")
        assert manager.delete("gone") is True
        assert manager.delete("gone") is False
        assert not manager.exists("gone") and manager.slot_info("gone") is None


def _payload_offset(db: Path, marker: bytes) -> int:
    data = db.read_bytes()
    offset = data.find(marker)
    assert offset > 0, "marker not found in the database file"
    return offset


class TestIntegrity:
    def _three_saves(self, world: World, manager: SaveManager) -> None:
        play_story(world.bus, world.clock)
        world.bus.emit("story:flag:changed", {"flagId": "flip_me", "newValue": "MARKER-0123456789"})
        for name in ("one", "two", "three"):
            world.clock.advance(1)
            manager.save(name)

    def test_flipped_byte_on_disk_is_detected(self, make_world: MakeWorld, db_path: Path) -> None:
        """A byte flipped inside a payload in the database file fails load, shows in
        verification and in the slot's own entry (not in the index-only listing), and leaves
        the other slots loadable."""
        world = make_world()
        with SqliteSaveStorage(db_path) as storage:
            manager = SaveManager(storage, world.store, bus=world.bus, clock=world.clock)
            self._three_saves(world, manager)
        # Closing the last connection checkpointed the WAL: the payloads are in the file now.
        raw = bytearray(db_path.read_bytes())
        offsets = [i for i in range(len(raw)) if raw.startswith(b"MARKER-0123456789", i)]
        assert len(offsets) == 3
        raw[offsets[1] + 7] ^= 0x01
        db_path.write_bytes(bytes(raw))

        world2 = make_world()
        seen = capture_events(world2.bus, "game:*").seen
        with SqliteSaveStorage(db_path) as storage:
            manager = SaveManager(storage, world2.store, bus=world2.bus, clock=world2.clock)
            assert {i.status for i in manager.list_slots()} == {SlotStatus.OK}
            listing = {i.entry.slot: i for i in verify_saves(storage).slots}
            corrupt = [slot for slot, info in listing.items() if info.status is SlotStatus.CORRUPT]
            assert len(corrupt) == 1 and "checksum mismatch" in (listing[corrupt[0]].problem or "")
            assert manager.slot_info(corrupt[0]) == listing[corrupt[0]]
            with pytest.raises(CorruptSaveError, match="checksum mismatch") as caught:
                manager.load(corrupt[0])
            assert caught.value.slot == corrupt[0]
            assert seen[-1][0] == "game:load_failed"
            for slot in set(listing) - set(corrupt):
                manager.load(slot)
            assert world2.store.snapshot()["storyFlags"]["flags"]["flip_me"]["value"] == (
                "MARKER-0123456789"
            )
            assert storage.integrity_check() == ["ok"]

    def test_truncated_and_missing_payloads_are_reported(
        self, make_world: MakeWorld, make_manager: MakeManager, db_path: Path
    ) -> None:
        """Truncation and a vanished payload row each get their own reason; listing survives."""
        world = make_world()
        manager = make_manager(world)
        self._three_saves(world, manager)
        with sqlite3.connect(db_path) as conn:
            conn.execute(
                "UPDATE save_payload SET payload = substr(payload, 1, 100) WHERE slot = 'one'"
            )
            conn.execute("DELETE FROM save_payload WHERE slot = 'two'")
        problems = {i.entry.slot: i.problem for i in manager.list_slots()}
        assert problems["one"] is not None and problems["one"].startswith("truncated")
        assert problems["two"] == "payload is missing"
        assert problems["three"] is None
        with pytest.raises(CorruptSaveError, match="truncated"):
            manager.load("one")
        with pytest.raises(CorruptSaveError, match="missing"):
            manager.load("two")
        manager.load("three")

    def test_checksum_is_stored_in_the_index(
        self, make_world: MakeWorld, make_manager: MakeManager, db_path: Path
    ) -> None:
        """The index row holds the SHA-256 and size of the payload row."""
        make_manager(make_world()).save("x")
        with sqlite3.connect(db_path) as conn:
            digest, size = conn.execute("SELECT checksum, size FROM save_index").fetchone()
            (payload,) = conn.execute("SELECT payload FROM save_payload").fetchone()
        assert (digest, size) == (checksum(payload), len(payload))
