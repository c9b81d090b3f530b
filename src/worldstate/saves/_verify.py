"""Verify a whole save storage: the database's own check, then every save as a load would."""

from __future__ import annotations

import msgspec

from worldstate.errors import CorruptDatabaseError
from worldstate.saves._manager import check_save, list_saves
from worldstate.saves._migrations import DEFAULT_MIGRATIONS, MigrationRegistry
from worldstate.saves._records import SlotInfo
from worldstate.saves._storage import SaveStorage

__all__ = ["VerifyReport", "verify_saves"]


class VerifyReport(msgspec.Struct, frozen=True):
    """What :func:`verify_saves` found.

    Attributes:
        integrity: the storage's integrity check, ``("ok",)`` when sound.
        slots: every save, newest first, each verified (``problem`` says why one is not).
    """

    integrity: tuple[str, ...]
    slots: tuple[SlotInfo, ...]

    @property
    def corrupt(self) -> tuple[SlotInfo, ...]:
        """The saves that failed verification."""
        return tuple(info for info in self.slots if info.problem is not None)

    @property
    def ok(self) -> bool:
        """The storage is sound and every save verifies."""
        return self.integrity == ("ok",) and not self.corrupt


def verify_saves(
    storage: SaveStorage, *, migrations: MigrationRegistry = DEFAULT_MIGRATIONS
) -> VerifyReport:
    """Run the storage's integrity check, then verify each save (checksum, decoding,
    migration in memory, world snapshot validation), reading one payload at a time.

    A save whose pages are damaged is reported with that problem; the other saves are still
    verified.  Nothing is written.

    Raises:
        CorruptDatabaseError: the database is damaged beyond checking (its integrity check or
            its index cannot be read).
    """
    integrity = tuple(storage.integrity_check())
    slots = [_verified(storage, listed, migrations) for listed in list_saves(storage)]
    return VerifyReport(integrity=integrity, slots=tuple(s for s in slots if s is not None))


def _verified(
    storage: SaveStorage, listed: SlotInfo, migrations: MigrationRegistry
) -> SlotInfo | None:
    try:
        stored = storage.read(listed.entry.slot)
    except CorruptDatabaseError as exc:
        problem = f"its database pages are damaged ({exc.__cause__})"
        return SlotInfo(entry=listed.entry, problem=problem)
    if stored is None:  # deleted by another process since the listing
        return None
    return check_save(stored, migrations)[0]
