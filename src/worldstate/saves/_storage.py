"""The storage seam under :class:`~worldstate.saves.SaveManager`, and an in-memory backend.

A storage holds payloads and their index entries.  Listing reads the index alone (with each
payload's stored size, never the payload), so it costs the same however large the saves are.
Everything that changes more than one row (write a save and evict old ones; migrate and write
back) happens inside one :meth:`SaveStorage.transaction`, which either commits completely or
not at all.  Backends translate their own errors into :class:`~worldstate.errors.SaveError`.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Protocol

from worldstate.saves._records import IndexedSave, IndexEntry, StoredSave
from worldstate.saves._slots import SlotType

__all__ = ["SaveStorage", "SaveTransaction", "MemorySaveStorage"]


class SaveTransaction(Protocol):
    """Reads and writes inside one storage transaction (see :meth:`SaveStorage.transaction`)."""

    def read(self, slot: str) -> StoredSave | None:
        """The save in ``slot`` as stored, or ``None`` if the index has no such slot."""
        ...

    def contains(self, slot: str) -> bool:
        """Whether the index has an entry for ``slot``."""
        ...

    def count(self, slot_type: SlotType) -> int:
        """How many index entries are of ``slot_type``."""
        ...

    def oldest(self, slot_type: SlotType, limit: int) -> list[str]:
        """Up to ``limit`` slots of ``slot_type``, oldest first (by timestamp, ties by name)."""
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

    def index(self) -> list[IndexedSave]:
        """Every index entry with its payload's stored size, in no particular order, read in
        one consistent view without reading any payload."""
        ...

    def transaction(self) -> AbstractContextManager[SaveTransaction]:
        """An exclusive read-write transaction: committed on normal exit, rolled back on error."""
        ...

    def integrity_check(self) -> list[str]:
        """The backend's own consistency check: ``["ok"]``, or one line per problem found."""
        ...

    def close(self) -> None:
        """Release the storage's resources."""
        ...


_Rows = dict[str, tuple[IndexEntry, bytes | None]]


class _MemoryTransaction:
    def __init__(self, rows: _Rows) -> None:
        self.rows = rows

    def read(self, slot: str) -> StoredSave | None:
        row = self.rows.get(slot)
        return None if row is None else StoredSave(entry=row[0], payload=row[1])

    def contains(self, slot: str) -> bool:
        return slot in self.rows

    def count(self, slot_type: SlotType) -> int:
        return sum(entry.slot_type is slot_type for entry, _ in self.rows.values())

    def oldest(self, slot_type: SlotType, limit: int) -> list[str]:
        entries = (entry for entry, _ in self.rows.values() if entry.slot_type is slot_type)
        by_age = sorted(entries, key=lambda e: (e.timestamp, e.slot))
        return [e.slot for e in by_age[: max(0, limit)]]

    def put(self, entry: IndexEntry, payload: bytes) -> None:
        self.rows[entry.slot] = (entry, bytes(payload))

    def remove(self, slot: str) -> bool:
        return self.rows.pop(slot, None) is not None


class MemorySaveStorage:
    """Saves kept in a dict: for tests and games that persist elsewhere.

    Transactions work on a copy of the table that replaces the original only on commit.
    """

    def __init__(self) -> None:
        self._rows: _Rows = {}
        self._lock = threading.Lock()

    def read(self, slot: str) -> StoredSave | None:
        """See :meth:`SaveStorage.read`."""
        with self._lock:
            return _MemoryTransaction(self._rows).read(slot)

    def index(self) -> list[IndexedSave]:
        """See :meth:`SaveStorage.index`."""
        with self._lock:
            rows = list(self._rows.values())
        return [IndexedSave(e, None if p is None else len(p)) for e, p in rows]

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

    def integrity_check(self) -> list[str]:
        """A dict cannot be damaged: always ``["ok"]``."""
        return ["ok"]

    def close(self) -> None:
        """Nothing to release."""
