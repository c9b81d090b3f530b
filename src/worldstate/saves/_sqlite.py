"""The default save storage: one SQLite database file (stdlib ``sqlite3``, WAL journal).

Schema (``PRAGMA user_version = 1``)::

    save_index(slot TEXT PRIMARY KEY, timestamp, playtime, version, slot_type, label,
               snapshot_source, checksum, size)      -- one row per slot, read by listings
    save_index_by_age(slot_type, timestamp, slot)    -- index: eviction finds the oldest
    save_payload(slot TEXT PRIMARY KEY, payload BLOB) -- the encoded envelope

A save writes its payload row and its index row in one ``BEGIN IMMEDIATE`` transaction, so a
crash or a concurrent writer leaves either the old pair or the new pair, never a mix.  With
``synchronous=FULL`` (the default) a committed save survives power loss; ``NORMAL`` survives a
crash of the process but may lose the last commits on power loss.

An existing file is identified through a read-only connection before anything is written to
it, so a file that is refused (not SQLite, another application's database, a newer schema) is
left byte for byte as it was.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal

from worldstate.errors import CorruptDatabaseError, InputError, SaveError
from worldstate.saves._records import IndexedSave, IndexEntry, StoredSave
from worldstate.saves._slots import SlotType
from worldstate.saves._storage import SaveTransaction

__all__ = ["SqliteSaveStorage", "SCHEMA_VERSION", "OpenMode", "Synchronous"]

SCHEMA_VERSION = 1
OpenMode = Literal["create", "existing", "read-only"]
Synchronous = Literal["FULL", "NORMAL"]

_SQLITE_MAGIC = b"SQLite format 3\x00"
_BUSY = frozenset({sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED})
_DAMAGED = frozenset({sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB})
_CANNOT_OPEN = frozenset({sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_READONLY})
_TABLES = frozenset({"save_index", "save_payload"})

_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS save_index (
    slot TEXT PRIMARY KEY,
    timestamp INTEGER NOT NULL,
    playtime INTEGER NOT NULL,
    version INTEGER NOT NULL,
    slot_type TEXT NOT NULL CHECK (slot_type IN ('auto', 'manual')),
    label TEXT NOT NULL,
    snapshot_source TEXT,
    checksum TEXT NOT NULL,
    size INTEGER NOT NULL
) WITHOUT ROWID""",
    """CREATE TABLE IF NOT EXISTS save_payload (
    slot TEXT PRIMARY KEY,
    payload BLOB NOT NULL
)""",
)
# Added to databases of the first release when they are next opened for writing: listings
# and reads do not need it, eviction uses it to find the oldest manual slots.
_AGE_INDEX = (
    "CREATE INDEX IF NOT EXISTS save_index_by_age ON save_index (slot_type, timestamp, slot)"
)

_INDEX_COLUMNS = (
    "slot, timestamp, playtime, version, slot_type, label, snapshot_source, checksum, size"
)
_JOINED = " FROM save_index AS i LEFT JOIN save_payload AS p ON p.slot = i.slot"
_SELECT_ENTRY = (
    "SELECT i.slot, i.timestamp, i.playtime, i.version, i.slot_type, i.label,"
    " i.snapshot_source, i.checksum, i.size"
)
_SELECT_STORED = f"{_SELECT_ENTRY}, p.payload{_JOINED} WHERE i.slot = ?"
# length() of a BLOB column reads the record header only, never the payload's pages.
_SELECT_INDEXED = f"{_SELECT_ENTRY}, length(p.payload){_JOINED}"


_SLOT_TYPES = {kind.value: kind for kind in SlotType}  # a dict lookup: Enum() is slow


def _entry(row: tuple[Any, ...]) -> IndexEntry:
    slot, timestamp, playtime, version, kind, label, source, digest, size = row[:9]
    kind_ = _SLOT_TYPES[kind]
    return IndexEntry(slot, timestamp, playtime, version, kind_, label, source, digest, size)


def _stored(row: tuple[Any, ...]) -> StoredSave:
    payload = row[9]
    return StoredSave(entry=_entry(row), payload=None if payload is None else bytes(payload))


def _code(exc: sqlite3.Error) -> int:
    """SQLite's primary result code of ``exc`` (-1 for errors raised by the ``sqlite3`` module
    itself, such as using a closed connection, which carry none)."""
    return getattr(exc, "sqlite_errorcode", -1) & 0xFF


def _mounted_read_only(path: Path) -> bool:
    try:
        return bool(os.statvfs(path.parent).f_flag & os.ST_RDONLY)
    except OSError:
        return False


class _SqliteTransaction:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def read(self, slot: str) -> StoredSave | None:
        row = self._conn.execute(_SELECT_STORED, (slot,)).fetchone()
        return None if row is None else _stored(row)

    def contains(self, slot: str) -> bool:
        found = self._conn.execute("SELECT 1 FROM save_index WHERE slot = ?", (slot,))
        return found.fetchone() is not None

    def count(self, slot_type: SlotType) -> int:
        query = "SELECT count(*) FROM save_index WHERE slot_type = ?"
        found: int = self._conn.execute(query, (slot_type.value,)).fetchone()[0]
        return found

    def oldest(self, slot_type: SlotType, limit: int) -> list[str]:
        query = "SELECT slot FROM save_index WHERE slot_type = ? ORDER BY timestamp, slot LIMIT ?"
        return [r[0] for r in self._conn.execute(query, (slot_type.value, max(0, limit)))]

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
            exist) or ``read-only`` (the file must exist; nothing is ever written to it).  An
            empty file counts as a new database for ``create`` only.
        synchronous: ``FULL`` (durable against power loss) or ``NORMAL`` (durable against a
            crash of the process only; faster).
        busy_timeout_ms: how long to wait for another process's write transaction.

    A ``read-only`` storage on a read-only mount opens the file as immutable (nobody can be
    writing to it there), unless a write-ahead log next to it still holds commits that only
    a writable mount can replay.

    Raises:
        InputError: the file is missing (modes ``existing``/``read-only``), is not a SQLite
            database, or is not a worldstate save database.  The file is not changed.
        CorruptDatabaseError: the file is a SQLite database whose header or pages are damaged.
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
        self._busy_timeout_s = busy_timeout_ms / 1000
        if self.path.is_dir():
            raise InputError("is a folder, not a save database", source=str(self.path))
        exists = self.path.is_file()
        if mode != "create" and not exists:
            raise InputError("save database does not exist", source=str(self.path))
        if mode == "read-only":
            self._conn = self._open_read_only()
            self._closing_on_error(self._conn, lambda: self._identify(self._conn, adopt=False))
        else:
            if exists:
                probe = self._open_read_only()
                try:
                    self._identify(probe, adopt=mode == "create")
                finally:
                    probe.close()
            self._conn = self._connect("rwc" if mode == "create" else "rw")
        self._closing_on_error(self._conn, lambda: self._prepare(synchronous))

    # -- opening -----------------------------------------------------------------------------

    def _connect(self, uri_mode: str, *, immutable: bool = False) -> sqlite3.Connection:
        query = f"mode={uri_mode}" + ("&immutable=1" if immutable else "")
        try:
            return sqlite3.connect(
                f"{self.path.resolve().as_uri()}?{query}",
                uri=True,
                timeout=self._busy_timeout_s,
                isolation_level=None,
            )
        except sqlite3.Error as exc:
            raise SaveError(f"{self.path}: cannot open save database: {exc}") from exc

    def _open_read_only(self) -> sqlite3.Connection:
        conn = self._connect("ro")
        try:
            conn.execute("PRAGMA schema_version").fetchone()
            return conn
        except sqlite3.Error as exc:
            conn.close()
            if _code(exc) not in _CANNOT_OPEN or not _mounted_read_only(self.path):
                raise self._unreadable(exc) from exc
            # A WAL database needs its shared-memory file, which a read-only mount cannot
            # create; nobody can write there, so reading the file as immutable is safe.
            self._refuse_unreplayed_log()
            return self._connect("ro", immutable=True)

    def _refuse_unreplayed_log(self) -> None:
        log = self.path.with_name(self.path.name + "-wal")
        if log.is_file() and log.stat().st_size > 0:
            raise SaveError(
                f"{self.path}: on a read-only mount, with a write-ahead log ({log.name}) that "
                "still holds commits: open it once where it is writable, or copy the database "
                "and its -wal file to a writable folder"
            )

    def _closing_on_error(self, conn: sqlite3.Connection, step: Callable[[], None]) -> None:
        try:
            step()
        except sqlite3.Error as exc:
            conn.close()
            raise self._unreadable(exc) from exc
        except BaseException:
            conn.close()
            raise

    def _identify(self, conn: sqlite3.Connection, *, adopt: bool) -> None:
        """Refuse anything but a save database (or, with ``adopt``, an empty database)."""
        try:
            version: int = conn.execute("PRAGMA user_version").fetchone()[0]
            found = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            tables = {r[0] for r in found}
        except sqlite3.Error as exc:
            raise self._unreadable(exc) from exc
        if version > SCHEMA_VERSION:
            raise InputError(
                f"save database schema {version} is newer than this worldstate ({SCHEMA_VERSION})",
                source=str(self.path),
            )
        if version == SCHEMA_VERSION and tables >= _TABLES:
            return
        if version < SCHEMA_VERSION and adopt and not tables - _TABLES:
            return
        raise InputError("not a worldstate save database", source=str(self.path))

    def _unreadable(self, exc: sqlite3.Error) -> InputError | SaveError:
        """Opening failed: a file that does not start like SQLite is not a save database (bad
        input); a SQLite file SQLite finds damaged is a damaged save database."""
        if _code(exc) in _DAMAGED and not self._starts_like_sqlite():
            return InputError(f"not a save database: {exc}", source=str(self.path))
        return self._failure(exc, "opening the save database")

    def _starts_like_sqlite(self) -> bool:
        try:
            with self.path.open("rb") as file:
                return file.read(len(_SQLITE_MAGIC)) == _SQLITE_MAGIC
        except OSError:
            return False

    def _prepare(self, synchronous: Synchronous) -> None:
        conn = self._conn
        if self.mode != "read-only":
            self._switch_to_wal()
        conn.execute(f"PRAGMA synchronous = {synchronous}")
        if self.mode == "read-only" or self._has_current_schema():
            return
        with self._write():
            # Checked again under the write lock: another process may have created the schema
            # since the check above.
            if self._has_current_schema():
                return
            self._identify(conn, adopt=self.mode == "create")
            for statement in (*_SCHEMA, _AGE_INDEX):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def _has_current_schema(self) -> bool:
        conn = self._conn
        version: int = conn.execute("PRAGMA user_version").fetchone()[0]
        indexes = conn.execute(
            "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = ?",
            ("save_index_by_age",),
        ).fetchone()[0]
        return version == SCHEMA_VERSION and indexes == 1

    def _switch_to_wal(self) -> None:
        # Switching a database to WAL needs a moment of exclusive access, and SQLite reports
        # SQLITE_BUSY at once (without its busy handler) when another process opens the same
        # new file at the same instant: retry within the busy timeout.
        deadline = time.monotonic() + self._busy_timeout_s
        delay = 0.001
        while True:
            try:
                self._conn.execute("PRAGMA journal_mode = WAL")
                return
            except sqlite3.OperationalError as exc:
                if _code(exc) not in _BUSY or time.monotonic() + delay > deadline:
                    raise
                time.sleep(delay)
                delay = min(delay * 2, 0.05)

    # -- errors ------------------------------------------------------------------------------

    def _failure(self, exc: sqlite3.Error, doing: str) -> SaveError:
        if _code(exc) in _CANNOT_OPEN and _mounted_read_only(self.path):
            return SaveError(
                f"{self.path}: {doing} failed: the file system is mounted read-only (saves "
                "there can be listed, shown, verified and exported, not written or deleted)"
            )
        if _code(exc) in _DAMAGED:
            return CorruptDatabaseError(
                f"{self.path}: the save database is damaged ({exc}); restore it from a backup "
                "(`worldstate saves verify` reports what is still readable)"
            )
        return SaveError(f"{self.path}: {doing} failed: {exc}")

    # -- the storage protocol ----------------------------------------------------------------

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
            raise self._failure(exc, "save database write") from exc

    def read(self, slot: str) -> StoredSave | None:
        """See :meth:`SaveStorage.read`."""
        try:
            return _SqliteTransaction(self._conn).read(slot)
        except sqlite3.Error as exc:
            raise self._failure(exc, f"reading slot {slot!r}") from exc

    def index(self) -> list[IndexedSave]:
        """See :meth:`SaveStorage.index` (one ``SELECT``, hence one consistent view)."""
        try:
            rows = self._conn.execute(_SELECT_INDEXED).fetchall()
        except sqlite3.Error as exc:
            raise self._failure(exc, "listing saves") from exc
        return [IndexedSave(_entry(row), row[9]) for row in rows]

    def integrity_check(self) -> list[str]:
        """SQLite's ``PRAGMA integrity_check`` result lines (``["ok"]`` when sound).

        Raises:
            CorruptDatabaseError: the damage is so bad that the check itself cannot run.
        """
        try:
            return [r[0] for r in self._conn.execute("PRAGMA integrity_check")]
        except sqlite3.Error as exc:
            raise self._failure(exc, "checking the save database") from exc

    def close(self) -> None:
        """Close the connection (the last one to close checkpoints the WAL)."""
        self._conn.close()

    def __enter__(self) -> SqliteSaveStorage:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
