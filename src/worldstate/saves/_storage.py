"""The storage seam under :class:`~worldstate.saves.SaveManager`, and an in-memory backend.

A storage holds payloads and their index entries.  Everything that changes more than one row
(write a save and evict old ones; migrate and write back) happens inside one
:meth:`SaveStorage.transaction`, which either commits completely or not at all.  Backends
translate their own errors into :class:`~worldstate.errors.SaveError`.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Protocol

from worldstate.saves._records import IndexEntry, StoredSave

__all__ = ["SaveStorage", "SaveTransaction", "MemorySaveStorage"]


class SaveTransaction(Protocol):
    """Reads and writes inside one storage transaction (see :meth:`SaveStorage.transaction`)."""

    def read(self, slot: str) -> StoredSave | None:
        """The save in ``slot`` as stored, or ``None`` if the index has no such slot."""
        ...

    def index(self) -> list[IndexEntry]:
        """Every index entry, in no particular order."""
        ...

    def put(self, entry: IndexEntry, payload: bytes) -> None:
        """Write ``payload`` and its index ``entry`` (replacing the slot's previous save)."""
        ...

    def remove(self, slot: str) -> bool:
        """Remove the slot's payload and index entry; tell whether it existed."""
        ...


class SaveStorage(Protocol):
    """Where saves live: :class:`SqliteSaveStorage` or :class:`MemorySaveStorage`."""

    def read(self, slot: str) -> StoredSave | None:
        """The save in ``slot`` as stored (entry and payload read consistently), or ``None``."""
        ...

    def scan(self) -> list[StoredSave]:
        """Every save with its payload, read in one consistent view."""
        ...

    def transaction(self) -> AbstractContextManager[SaveTransaction]:
        """An exclusive read-write transaction: committed on normal exit, rolled back on error."""
        ...

    def close(self) -> None:
        """Release the storage's resources."""
        ...


class _MemoryTransaction:
    def __init__(self, rows: dict[str, tuple[IndexEntry, bytes | None]]) -> None:
        self.rows = rows

    def read(self, slot: str) -> StoredSave | None:
        row = self.rows.get(slot)
        return None if row is None else StoredSave(entry=row[0], payload=row[1])

    def index(self) -> list[IndexEntry]:
        return [entry for entry, _ in self.rows.values()]

    def put(self, entry: IndexEntry, payload: bytes) -> None:
        self.rows[entry.slot] = (entry, bytes(payload))

    def remove(self, slot: str) -> bool:
        return self.rows.pop(slot, None) is not None


class MemorySaveStorage:
    """Saves kept in a dict: for tests and games that persist elsewhere.

    Transactions work on a copy of the table that replaces the original only on commit.
    """

    def __init__(self) -> None:
        self._rows: dict[str, tuple[IndexEntry, bytes | None]] = {}
        self._lock = threading.Lock()

    def read(self, slot: str) -> StoredSave | None:
        """See :meth:`SaveStorage.read`."""
        with self._lock:
            return _MemoryTransaction(self._rows).read(slot)

    def scan(self) -> list[StoredSave]:
        """See :meth:`SaveStorage.scan`."""
        with self._lock:
            return [StoredSave(entry=e, payload=p) for e, p in self._rows.values()]

    @contextmanager
    def transaction(self) -> Iterator[SaveTransaction]:
        """See :meth:`SaveStorage.transaction`."""
        with self._lock:
            tx = _MemoryTransaction(dict(self._rows))
            yield tx
            self._rows = tx.rows

    def tamper(self, slot: str, payload: bytes | None) -> None:
        """Replace a stored payload without touching its index entry (to test corruption)."""
        with self._lock:
            entry, _ = self._rows[slot]
            self._rows[slot] = (entry, payload)

    def close(self) -> None:
        """Nothing to release."""
