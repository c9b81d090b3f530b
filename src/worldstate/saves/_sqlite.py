"""The default save storage: one SQLite database file (stdlib ``sqlite3``, WAL journal).

Schema (``PRAGMA user_version = 1``)::

    save_index(slot TEXT PRIMARY KEY, timestamp, playtime, version, slot_type, label,
               snapshot_source, checksum, size)      -- one row per slot, read by listings
    save_payload(slot TEXT PRIMARY KEY, payload BLOB) -- the encoded envelope

A save writes its payload row and its index row in one ``BEGIN IMMEDIATE`` transaction, so a
crash or a concurrent writer leaves either the old pair or the new pair, never a mix
(DEVIATIONS B2).  With ``synchronous=FULL`` (the default) a committed save survives power loss;
``NORMAL`` survives a crash of the process but may lose the last commits on power loss.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal

from worldstate.errors import InputError, SaveError
from worldstate.saves._records import IndexEntry, StoredSave
from worldstate.saves._slots import SlotType
from worldstate.saves._storage import SaveTransaction

__all__ = ["SqliteSaveStorage", "SCHEMA_VERSION", "OpenMode", "Synchronous"]

SCHEMA_VERSION = 1
OpenMode = Literal["create", "existing", "read-only"]
Synchronous = Literal["FULL", "NORMAL"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS save_index (
    slot TEXT PRIMARY KEY,
    timestamp INTEGER NOT NULL,
    playtime INTEGER NOT NULL,
    version INTEGER NOT NULL,
    slot_type TEXT NOT NULL CHECK (slot_type IN ('auto', 'manual')),
    label TEXT NOT NULL,
    snapshot_source TEXT,
    checksum TEXT NOT NULL,
    size INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS save_payload (
    slot TEXT PRIMARY KEY,
    payload BLOB NOT NULL
);
"""

_SELECT = (
    "SELECT i.slot, i.timestamp, i.playtime, i.version, i.slot_type, i.label,"
    " i.snapshot_source, i.checksum, i.size, p.payload"
    " FROM save_index AS i LEFT JOIN save_payload AS p ON p.slot = i.slot"
)
_INDEX_COLUMNS = (
    "slot, timestamp, playtime, version, slot_type, label, snapshot_source, checksum, size"
)


def _entry(row: tuple[Any, ...]) -> IndexEntry:
    slot, timestamp, playtime, version, kind, label, source, digest, size = row
    kind_ = SlotType(kind)
    return IndexEntry(slot, timestamp, playtime, version, kind_, label, source, digest, size)


def _stored(row: tuple[Any, ...]) -> StoredSave:
    payload = row[9]
    return StoredSave(entry=_entry(row[:9]), payload=None if payload is None else bytes(payload))


class _SqliteTransaction:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def read(self, slot: str) -> StoredSave | None:
        row = self._conn.execute(f"{_SELECT} WHERE i.slot = ?", (slot,)).fetchone()
        return None if row is None else _stored(row)

    def index(self) -> list[IndexEntry]:
        return [_entry(r) for r in self._conn.execute(f"SELECT {_INDEX_COLUMNS} FROM save_index")]

    def put(self, entry: IndexEntry, payload: bytes) -> None:
        self._conn.execute(
            "INSERT INTO save_payload (slot, payload) VALUES (?, ?)"
            " ON CONFLICT (slot) DO UPDATE SET payload = excluded.payload",
            (entry.slot, payload),
        )
        self._conn.execute(
            f"INSERT OR REPLACE INTO save_index ({_INDEX_COLUMNS})"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                entry.slot,
                entry.timestamp,
                entry.playtime,
                entry.version,
                entry.slot_type.value,
                entry.label,
                entry.snapshot_source,
                entry.checksum,
                entry.size,
            ),
        )

    def remove(self, slot: str) -> bool:
        self._conn.execute("DELETE FROM save_payload WHERE slot = ?", (slot,))
        return self._conn.execute("DELETE FROM save_index WHERE slot = ?", (slot,)).rowcount > 0


class SqliteSaveStorage:
    """Saves in one SQLite file, safe for several processes at once.

    Args:
        path: the database file.
        mode: ``create`` (create the file and schema if needed), ``existing`` (the file must
            exist) or ``read-only`` (the file must exist; nothing is ever written to it).
        synchronous: ``FULL`` (durable against power loss) or ``NORMAL`` (durable against a
            crash of the process only; faster).
        busy_timeout_ms: how long to wait for another process's write transaction.

    Raises:
        InputError: the file is missing (modes ``existing``/``read-only``), is not a SQLite
            database, or is not a worldstate save database.
        SaveError: the database cannot be opened for another reason.
    """

    def __init__(
        self,
        path: Path | str,
        *,
        mode: OpenMode = "create",
        synchronous: Synchronous = "FULL",
        busy_timeout_ms: int = 30_000,
    ) -> None:
        self.path = Path(path)
        self.mode = mode
        if self.path.is_dir():
            raise InputError("is a folder, not a save database", source=str(self.path))
        if mode != "create" and not self.path.is_file():
            raise InputError("save database does not exist", source=str(self.path))
        uri_mode = {"create": "rwc", "existing": "rw", "read-only": "ro"}[mode]
        try:
            self._conn = sqlite3.connect(
                f"{self.path.resolve().as_uri()}?mode={uri_mode}",
                uri=True,
                timeout=busy_timeout_ms / 1000,
                isolation_level=None,
            )
        except sqlite3.Error as exc:
            raise SaveError(f"{self.path}: cannot open save database: {exc}") from exc
        self._busy_timeout_s = busy_timeout_ms / 1000
        try:
            self._prepare(synchronous)
        except sqlite3.OperationalError as exc:
            self._conn.close()
            raise SaveError(f"{self.path}: cannot prepare save database: {exc}") from exc
        except sqlite3.DatabaseError as exc:
            self._conn.close()
            raise InputError(f"not a save database: {exc}", source=str(self.path)) from exc
        except BaseException:
            self._conn.close()
            raise

    def _prepare(self, synchronous: Synchronous) -> None:
        conn = self._conn
        if self.mode != "read-only":
            self._switch_to_wal()
        conn.execute(f"PRAGMA synchronous = {synchronous}")
        if self._schema_version() == SCHEMA_VERSION:
            return
        if self.mode != "create":
            raise InputError("not a worldstate save database", source=str(self.path))
        with self._write():
            # Checked again under the write lock: another process may have created the schema
            # since the check above.
            if self._schema_version() == SCHEMA_VERSION:
                return
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def _schema_version(self) -> int:
        conn = self._conn
        version: int = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise InputError(
                f"save database schema {version} is newer than this worldstate ({SCHEMA_VERSION})",
                source=str(self.path),
            )
        if version < SCHEMA_VERSION:
            tables = {
                r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")
            }
            if tables - {"save_index", "save_payload"}:
                raise InputError("not a worldstate save database", source=str(self.path))
        return version

    def _switch_to_wal(self) -> None:
        # Switching a database to WAL needs a moment of exclusive access, and SQLite reports
        # "database is locked" at once (without its busy handler) when another process opens
        # the same new file at the same instant: retry within the busy timeout.
        deadline = time.monotonic() + self._busy_timeout_s
        delay = 0.001
        while True:
            try:
                self._conn.execute("PRAGMA journal_mode = WAL")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc):
                    raise
                if time.monotonic() + delay > deadline:
                    raise
                time.sleep(delay)
                delay = min(delay * 2, 0.05)

    @contextmanager
    def _write(self) -> Iterator[_SqliteTransaction]:
        conn = self._conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield _SqliteTransaction(conn)
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    @contextmanager
    def transaction(self) -> Iterator[SaveTransaction]:
        """See :meth:`SaveStorage.transaction` (``BEGIN IMMEDIATE`` ... ``COMMIT``)."""
        if self.mode == "read-only":
            raise SaveError(f"{self.path}: opened read-only; refusing to write")
        try:
            with self._write() as tx:
                yield tx
        except sqlite3.Error as exc:
            raise SaveError(f"{self.path}: save database write failed: {exc}") from exc

    def read(self, slot: str) -> StoredSave | None:
        """See :meth:`SaveStorage.read`."""
        try:
            return _SqliteTransaction(self._conn).read(slot)
        except sqlite3.Error as exc:
            raise SaveError(f"{self.path}: reading slot {slot!r} failed: {exc}") from exc

    def scan(self) -> list[StoredSave]:
        """See :meth:`SaveStorage.scan` (one ``SELECT``, hence one consistent view)."""
        try:
            return [_stored(row) for row in self._conn.execute(_SELECT)]
        except sqlite3.Error as exc:
            raise SaveError(f"{self.path}: listing saves failed: {exc}") from exc

    def integrity_check(self) -> list[str]:
        """SQLite's ``PRAGMA integrity_check`` result lines (``["ok"]`` when sound)."""
        return [r[0] for r in self._conn.execute("PRAGMA integrity_check")]

    def close(self) -> None:
        """Close the connection (the last one to close checkpoints the WAL)."""
        self._conn.close()

    def __enter__(self) -> SqliteSaveStorage:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
