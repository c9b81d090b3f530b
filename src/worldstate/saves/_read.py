"""Read one save's world snapshot straight from a database file, without writing anything."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from worldstate.errors import CorruptSaveError, SlotNotFoundError
from worldstate.saves._manager import decode_stored, world_snapshot
from worldstate.saves._migrations import DEFAULT_MIGRATIONS, MigrationRegistry
from worldstate.saves._slots import normalize_slot_name
from worldstate.saves._sqlite import SqliteSaveStorage

__all__ = ["read_world_snapshot"]


def read_world_snapshot(
    db: Path, slot: str, *, migrations: MigrationRegistry = DEFAULT_MIGRATIONS
) -> dict[str, Any]:
    """The world snapshot stored in ``slot`` of the save database ``db``.

    The database is opened read-only; an old save is migrated in memory only.

    Args:
        db: the SQLite save database.
        slot: the slot name (normalised like every slot argument).
        migrations: the registry used to upgrade old saves.

    Returns:
        ``gameData`` restricted to the world snapshot's keys (reference snapshot format).

    Raises:
        InputError: ``db`` does not exist or is not a save database.
        InvalidSlotNameError, UnsafeNameError: a bad slot name.
        SlotNotFoundError: nothing saved in that slot.
        CorruptSaveError: the save fails its checksum or does not decode.
        MigrationError: the save is too new or a migration step failed.
    """
    name = normalize_slot_name(slot)
    storage = SqliteSaveStorage(db, mode="read-only")
    try:
        stored = storage.read(name)
    finally:
        storage.close()
    if stored is None:
        raise SlotNotFoundError(name)
    try:
        envelope, _ = decode_stored(stored, migrations)
    except CorruptSaveError as exc:  # name the database: an export may read several
        raise CorruptSaveError(name, f"{exc.reason} (database {db})") from exc
    return world_snapshot(envelope.game_data)
