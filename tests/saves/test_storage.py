"""The storage contract, run against both backends, plus SQLite specifics."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from worldstate.errors import InputError, SaveError
from worldstate.saves import (
    IndexEntry,
    MemorySaveStorage,
    SaveStorage,
    SlotType,
    SqliteSaveStorage,
    checksum,
)


def _entry(slot: str, payload: bytes, timestamp: int = 1) -> IndexEntry:
    kind = SlotType.AUTO if slot == "autosave" else SlotType.MANUAL
    return IndexEntry(slot, timestamp, 0, 1, kind, slot, None, checksum(payload), len(payload))


@pytest.fixture(name="storage", params=["sqlite", "memory"])
def _storage(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SaveStorage]:
    storage: SaveStorage
    if request.param == "sqlite":
        storage = SqliteSaveStorage(tmp_path / "s.db")
    else:
        storage = MemorySaveStorage()
    yield storage
    storage.close()


class TestStorageContract:
    def test_put_read_index_remove(self, storage: SaveStorage) -> None:
        """What is put is read back byte for byte, indexed with its size, and removable."""
        with storage.transaction() as tx:
            tx.put(_entry("a", b'{"x":1}'), b'{"x":1}')
            tx.put(_entry("b", b"{}"), b"{}")
        stored = storage.read("a")
        assert stored is not None and stored.payload == b'{"x":1}'
        assert stored.entry == _entry("a", b'{"x":1}') and stored.problem() is None
        indexed = sorted(storage.index(), key=lambda i: i.entry.slot)
        assert [(i.entry.slot, i.stored_size) for i in indexed] == [("a", 7), ("b", 2)]
        with storage.transaction() as tx:
            assert tx.remove("a") is True
            assert tx.remove("a") is False
        assert storage.read("a") is None

    def test_put_replaces_the_slot(self, storage: SaveStorage) -> None:
        """A second put to the same slot replaces payload and entry together."""
        with storage.transaction() as tx:
            tx.put(_entry("a", b"[1]"), b"[1]")
        with storage.transaction() as tx:
            tx.put(_entry("a", b"[22]", timestamp=2), b"[22]")
        stored = storage.read("a")
        assert stored is not None and (stored.payload, stored.entry.timestamp) == (b"[22]", 2)
        assert [i.entry.timestamp for i in storage.index()] == [2]

    def test_error_rolls_back_everything(self, storage: SaveStorage) -> None:
        """An exception inside a transaction leaves no trace of its writes."""
        with storage.transaction() as tx:
            tx.put(_entry("keep", b"1"), b"1")
        with pytest.raises(RuntimeError), storage.transaction() as tx:
            tx.put(_entry("new", b"2"), b"2")
            tx.remove("keep")
            raise RuntimeError("boom")
        assert [i.entry.slot for i in storage.index()] == ["keep"]

    def test_transaction_sees_its_own_writes(self, storage: SaveStorage) -> None:
        """Reads inside a transaction see what it already wrote."""
        with storage.transaction() as tx:
            tx.put(_entry("a", b"1"), b"1")
            assert tx.contains("a") and tx.count(SlotType.MANUAL) == 1
            assert tx.read("a") is not None

    def test_slot_bookkeeping(self, storage: SaveStorage) -> None:
        """contains, count and oldest answer from the index: oldest by timestamp, ties by
        slot name, only the asked slot type, at most ``limit``."""
        with storage.transaction() as tx:
            for slot, timestamp in (("c", 5), ("b", 3), ("a", 3), ("autosave", 1), ("d", 9)):
                tx.put(_entry(slot, b"{}", timestamp), b"{}")
        with storage.transaction() as tx:
            assert tx.contains("c") and not tx.contains("zz")
            assert (tx.count(SlotType.MANUAL), tx.count(SlotType.AUTO)) == (4, 1)
            assert tx.oldest(SlotType.MANUAL, 3) == ["a", "b", "c"]
            assert tx.oldest(SlotType.MANUAL, 0) == [] == tx.oldest(SlotType.MANUAL, -2)
            assert tx.oldest(SlotType.AUTO, 5) == ["autosave"]

    def test_index_reports_missing_and_resized_payloads(self, storage: SaveStorage) -> None:
        """The index's stored size tells a missing or resized payload without reading it."""
        with storage.transaction() as tx:
            tx.put(_entry("a", b"[1,2,3]"), b"[1,2,3]")
            tx.put(_entry("b", b"[1]"), b"[1]")
        _tamper(storage, "a", b"[1]")
        _tamper(storage, "b", None)
        problems = {i.entry.slot: i.problem() for i in storage.index()}
        assert problems == {
            "a": "truncated or resized: 3 bytes stored, 7 written",
            "b": "payload is missing",
        }


def _tamper(storage: SaveStorage, slot: str, payload: bytes | None) -> None:
    if isinstance(storage, MemorySaveStorage):
        storage.tamper(slot, payload)
        return
    assert isinstance(storage, SqliteSaveStorage)
    with sqlite3.connect(storage.path) as conn:
        if payload is None:
            conn.execute("DELETE FROM save_payload WHERE slot = ?", (slot,))
        else:
            conn.execute("UPDATE save_payload SET payload = ? WHERE slot = ?", (payload, slot))


class TestSqliteStorage:
    def test_schema_and_pragmas(self, tmp_path: Path) -> None:
        """A new database uses WAL, schema version 1 and the two tables."""
        db = tmp_path / "s.db"
        SqliteSaveStorage(db).close()
        with sqlite3.connect(db) as conn:
            assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
            assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        assert {"save_index", "save_payload"} <= tables

    @pytest.mark.parametrize("mode", ["existing", "read-only"])
    def test_missing_database_is_not_created(self, tmp_path: Path, mode: str) -> None:
        """Opening a missing file for reading is bad input and creates nothing."""
        db = tmp_path / "missing.db"
        with pytest.raises(InputError, match="does not exist"):
            SqliteSaveStorage(db, mode=mode)  # type: ignore[arg-type]
        assert list(tmp_path.iterdir()) == []

    @pytest.mark.parametrize("mode", ["create", "existing", "read-only"])
    def test_a_folder_is_not_a_database(self, tmp_path: Path, mode: str) -> None:
        """A folder given as the database is bad input naming it, in every mode."""
        with pytest.raises(InputError, match="is a folder, not a save database"):
            SqliteSaveStorage(tmp_path, mode=mode)  # type: ignore[arg-type]
        assert list(tmp_path.iterdir()) == []

    def test_not_a_database(self, tmp_path: Path) -> None:
        """A file that is not SQLite is reported as bad input, unchanged."""
        db = tmp_path / "notes.db"
        db.write_bytes(b"just some text, not a database" * 10)
        with pytest.raises(InputError, match="not a save database"):
            SqliteSaveStorage(db, mode="existing")
        assert db.read_bytes() == b"just some text, not a database" * 10

    def test_foreign_sqlite_database_is_refused(self, tmp_path: Path) -> None:
        """Another application's SQLite file is not adopted as a save database."""
        db = tmp_path / "other.db"
        with sqlite3.connect(db) as conn:
            conn.execute("CREATE TABLE accounts (id INTEGER)")
        with pytest.raises(InputError, match="not a worldstate save database"):
            SqliteSaveStorage(db)

    def test_newer_schema_is_refused(self, tmp_path: Path) -> None:
        """A database from a newer release is not touched."""
        db = tmp_path / "s.db"
        SqliteSaveStorage(db).close()
        with sqlite3.connect(db) as conn:
            conn.execute("PRAGMA user_version = 9")
        with pytest.raises(InputError, match="newer"):
            SqliteSaveStorage(db)

    def test_read_only_refuses_transactions(self, tmp_path: Path) -> None:
        """A read-only storage cannot write."""
        db = tmp_path / "s.db"
        SqliteSaveStorage(db).close()
        with (
            SqliteSaveStorage(db, mode="read-only") as storage,
            pytest.raises(SaveError, match="read-only"),
            storage.transaction(),
        ):
            pass

    def test_first_release_database_gains_the_age_index_when_written(self, tmp_path: Path) -> None:
        """A database without the eviction index is read as it is (read-only changes no
        byte) and gains the index when next opened for writing."""
        db = tmp_path / "s.db"
        with SqliteSaveStorage(db) as storage, storage.transaction() as tx:
            tx.put(_entry("a", b"{}"), b"{}")
        with sqlite3.connect(db) as conn:
            conn.execute("DROP INDEX save_index_by_age")
        conn.close()
        before = db.read_bytes()
        with SqliteSaveStorage(db, mode="read-only") as storage:
            assert [i.entry.slot for i in storage.index()] == ["a"]
        assert db.read_bytes() == before
        SqliteSaveStorage(db, mode="existing").close()
        with sqlite3.connect(db) as conn:
            names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        conn.close()
        assert "save_index_by_age" in names
