"""SaveManager: save the world store (plus game data) to slots, load it back, list and delete.

It composes the smaller parts: slot names (``_slots``), the envelope and its codec
(``_records``, ``_codec``), migrations (``_migrations``) and a :class:`SaveStorage`.  Autosave
policy lives in ``_autosave``; the manager only records when it last saved.

Events (their names are the constants of ``_events``), emitted on the sink it is given:

* ``game:saved {slot, timestamp, playtime}`` / ``game:save_failed {slot, error}``
* ``game:loaded {slot, timestamp, playtime}`` / ``game:load_failed {slot, error}``

Failures are also raised (:class:`~worldstate.errors.SaveError` subclasses); a missing slot or a
bad slot name raises without an event, as the original game did.  A ``TypeError`` (game data
that JSON cannot hold: a bug in a contributor) is reported with ``game:save_failed`` and raised
as it is.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Protocol

import msgspec

from worldstate.clock import Clock
from worldstate.errors import (
    ConfigurationError,
    CorruptSaveError,
    MigrationError,
    SaveError,
    SlotLimitError,
    SlotNotFoundError,
    SnapshotError,
)
from worldstate.saves._codec import encode_envelope, join_objects, to_envelope, verified_json
from worldstate.saves._events import GAME_LOAD_FAILED, GAME_LOADED, GAME_SAVE_FAILED, GAME_SAVED
from worldstate.saves._migrations import DEFAULT_MIGRATIONS, MigrationRegistry
from worldstate.saves._records import (
    SNAPSHOT_KEYS,
    SNAPSHOT_SOURCE,
    IndexedSave,
    IndexEntry,
    SaveEnvelope,
    SaveMeta,
    SlotInfo,
    StoredSave,
)
from worldstate.saves._slots import (
    AUTOSAVE_SLOT,
    DEFAULT_MAX_SLOT_NAME_LENGTH,
    SlotType,
    normalize_slot_name,
    slot_label,
)
from worldstate.saves._storage import SaveStorage, SaveTransaction
from worldstate.store import validate_snapshot

if TYPE_CHECKING:
    from worldstate.writers import EventSink

__all__ = [
    "GameDataContributor",
    "WorldSnapshotSource",
    "SaveReceipt",
    "LoadReceipt",
    "SaveManager",
    "slots_to_evict",
    "world_snapshot",
    "decode_stored",
    "check_save",
    "list_saves",
    "slot_info",
]


class WorldSnapshotSource(Protocol):
    """What the manager needs from the world store (``worldstate.store.WorldStore`` fits)."""

    def snapshot(self) -> dict[str, Any]:
        """A fresh copy of the world state in the snapshot format."""
        ...

    def snapshot_json(self) -> bytes:
        """:meth:`snapshot` as compact JSON bytes (same keys, same order): what a save stores,
        without a Python copy of the world."""
        ...

    def hydrate(self, data: Mapping[str, Any], *, source: str | None = None) -> None:
        """Replace the world state with ``data``; raise ``SnapshotError`` if it is invalid."""
        ...


class GameDataContributor(Protocol):
    """Game data saved next to the world snapshot under its own ``gameData`` key.

    The original game saved ``investigation``, ``cases`` and ``finaleCinematic`` this way.
    """

    def collect(self) -> Any:
        """The contributor's state as JSON values (dicts, lists, str, int, float, bool, None)."""
        ...

    def restore(self, data: Any) -> None:
        """Restore from what :meth:`collect` returned (``None`` if the save has no such key)."""
        ...


class SaveReceipt(msgspec.Struct, frozen=True):
    """What a successful save wrote: slot, time, playtime, evicted slots, payload size."""

    slot: str
    timestamp: int
    playtime: int
    evicted: tuple[str, ...]
    size: int


class LoadReceipt(msgspec.Struct, frozen=True):
    """What a successful load restored; ``migrated_from`` is the old version, if migrated."""

    slot: str
    timestamp: int
    playtime: int
    migrated_from: int | None


def slots_to_evict(tx: SaveTransaction, new_slot: str, cap: int) -> list[str]:
    """Manual slots to drop so that adding ``new_slot`` keeps at most ``cap`` manual slots.

    Only a *new* manual slot evicts; the oldest go first (by timestamp, ties by slot name) and
    the new slot never does.  Asks the transaction (the storage's index), never reads it all.
    """
    if new_slot == AUTOSAVE_SLOT or tx.contains(new_slot):
        return []
    excess = tx.count(SlotType.MANUAL) + 1 - max(1, cap)
    return tx.oldest(SlotType.MANUAL, excess) if excess > 0 else []


def decode_stored(
    stored: StoredSave, migrations: MigrationRegistry
) -> tuple[SaveEnvelope, int | None]:
    """Verify, decode and (in memory) migrate a stored save.

    Returns:
        The envelope at the current version and the version it was migrated from (or ``None``).

    Raises:
        CorruptSaveError: checksum, size or shape problems.
        MigrationError: a migration step failed.
    """
    data = verified_json(stored)
    slot = stored.entry.slot
    old_version = data.get("version", 0)
    if old_version == migrations.current_version:
        return to_envelope(slot, data), None
    data = migrations.migrate(slot, data)
    data.setdefault("slot", slot)
    data.setdefault("timestamp", stored.entry.timestamp)
    return to_envelope(slot, data), old_version


def world_snapshot(game_data: Mapping[str, Any]) -> dict[str, Any]:
    """The world snapshot inside ``gameData`` (its :data:`SNAPSHOT_KEYS`, in snapshot order)."""
    return {key: game_data[key] for key in SNAPSHOT_KEYS if key in game_data}


def world_problem(slot: str, exc: SnapshotError) -> CorruptSaveError:
    """The corrupt-save error for a world snapshot that fails validation."""
    return CorruptSaveError(slot, f"world snapshot fails validation: {exc}")


class SaveManager:
    """Saves and loads the world store and game data to named slots.

    Args:
        storage: where saves live (:class:`SqliteSaveStorage` or :class:`MemorySaveStorage`).
        store: the world store to snapshot and hydrate.
        bus: where ``game:*`` events go (an :class:`~worldstate.events.EventBus`, or any
            :class:`~worldstate.writers.EventSink`).
        clock: the time source for timestamps and playtime.
        contributors: extra ``gameData`` keys -> their contributor; a key may not be one of
            the snapshot's keys.
        migrations: the registry used to upgrade old saves on load.
        max_manual_slots: how many manual slots to keep (oldest are evicted).
        max_slot_name_length: longest normalised slot name.
        started_at: when play started (ms); playtime counts from it.  Default: now.

    Raises:
        ConfigurationError: a contributor key collides with a snapshot key, or a limit is < 1.
    """

    def __init__(
        self,
        storage: SaveStorage,
        store: WorldSnapshotSource,
        *,
        bus: EventSink,
        clock: Clock,
        contributors: Mapping[str, GameDataContributor] | None = None,
        migrations: MigrationRegistry = DEFAULT_MIGRATIONS,
        max_manual_slots: int = 10,
        max_slot_name_length: int = DEFAULT_MAX_SLOT_NAME_LENGTH,
        started_at: int | None = None,
    ) -> None:
        self.contributors = dict(contributors or {})
        clash = sorted(set(self.contributors) & {*SNAPSHOT_KEYS, "npc"})
        if clash:
            raise ConfigurationError(f"contributor keys {clash} collide with world snapshot keys")
        if max_manual_slots < 1 or max_slot_name_length < 1:
            raise ConfigurationError("max_manual_slots and max_slot_name_length must be >= 1")
        self.storage = storage
        self.store = store
        self.bus = bus
        self.clock = clock
        self.migrations = migrations
        self.max_manual_slots = max_manual_slots
        self.max_slot_name_length = max_slot_name_length
        self.started_at = clock() if started_at is None else started_at
        self.last_saved_at: int | None = None
        """When the last successful save (any slot) happened, in ms; ``None`` before the first."""

    def slot_name(self, value: str) -> str:
        """Normalise a slot name (see :func:`normalize_slot_name`)."""
        return normalize_slot_name(value, max_length=self.max_slot_name_length)

    def save(self, slot: str = AUTOSAVE_SLOT, *, evict: bool = True) -> SaveReceipt:
        """Save the world snapshot and contributors' data to ``slot``.

        Writes the payload, its index entry and any evictions in one transaction, then emits
        ``game:saved``.  A new manual slot beyond ``max_manual_slots`` evicts the oldest
        manual slots; with ``evict=False`` the save is refused instead, and nothing is written.

        Raises:
            InvalidSlotNameError, UnsafeNameError: a bad slot name (no event).
            SlotLimitError: ``evict=False`` and the save would evict manual slots (named).
            SaveError: the save could not be written (``game:save_failed`` is emitted first).
            TypeError: game data JSON cannot represent (``game:save_failed`` is emitted first).
        """
        name = self.slot_name(slot)
        now = self.clock()
        try:
            envelope, game_data_json = self._envelope(name, slot_label(slot, name), now)
            payload = encode_envelope(envelope, game_data_json=game_data_json)
            entry = IndexEntry.for_payload(envelope, payload)
            with self.storage.transaction() as tx:
                evicted = slots_to_evict(tx, name, self.max_manual_slots)
                if evicted and not evict:
                    raise SlotLimitError(name, tuple(evicted), self.max_manual_slots)
                tx.put(entry, payload)
                for old in evicted:
                    tx.remove(old)
        except (SaveError, TypeError) as exc:
            self.bus.emit(GAME_SAVE_FAILED, {"slot": name, "error": str(exc)})
            raise
        self.last_saved_at = now
        self.bus.emit(GAME_SAVED, {"slot": name, "timestamp": now, "playtime": envelope.playtime})
        return SaveReceipt(name, now, envelope.playtime, tuple(evicted), len(payload))

    def _envelope(self, slot: str, label: str, now: int) -> tuple[SaveEnvelope, bytes | None]:
        """The envelope, and ``gameData`` as JSON bytes when they could be joined without
        decoding (the envelope's ``game_data`` is then empty: the bytes stand for it).
        """
        extra = {key: contributor.collect() for key, contributor in self.contributors.items()}
        game_data_json = join_objects(self.store.snapshot_json(), extra)
        game_data: dict[str, Any] = {}
        if game_data_json is None:
            game_data = self.store.snapshot()
            game_data.update(extra)
        envelope = SaveEnvelope(
            version=self.migrations.current_version,
            timestamp=now,
            playtime=now - self.started_at,
            slot=slot,
            game_data=game_data,
            meta=SaveMeta(snapshot_source=SNAPSHOT_SOURCE, slot_label=label),
        )
        return envelope, game_data_json

    def load(self, slot: str = AUTOSAVE_SLOT) -> LoadReceipt:
        """Load ``slot`` into the store and contributors, migrating (and rewriting) old saves.

        Raises:
            InvalidSlotNameError, UnsafeNameError: a bad slot name (no event).
            SlotNotFoundError: nothing saved in that slot (no event).
            CorruptSaveError, MigrationError, SaveError: the save cannot be used; nothing was
                changed (``game:load_failed`` is emitted first).
        """
        name = self.slot_name(slot)
        stored = self.storage.read(name)
        if stored is None:
            raise SlotNotFoundError(name)
        try:
            envelope, migrated_from = decode_stored(stored, self.migrations)
            # Restore before writing the migrated save back: a save whose migrated world does
            # not validate is reported and left exactly as it was.
            self._restore(name, envelope)
            if migrated_from is not None:
                self._write_back(name)
        except SaveError as exc:
            self.bus.emit(GAME_LOAD_FAILED, {"slot": name, "error": str(exc)})
            raise
        self.started_at = self.clock() - envelope.playtime
        payload = {"slot": name, "timestamp": envelope.timestamp, "playtime": envelope.playtime}
        self.bus.emit(GAME_LOADED, payload)
        return LoadReceipt(name, envelope.timestamp, envelope.playtime, migrated_from)

    def _write_back(self, slot: str) -> None:
        """Migrate the stored save again under the write lock and store the result."""
        with self.storage.transaction() as tx:
            stored = tx.read(slot)
            if stored is None:
                raise SlotNotFoundError(slot)
            envelope, _ = decode_stored(stored, self.migrations)
            payload = encode_envelope(envelope)
            tx.put(IndexEntry.for_payload(envelope, payload), payload)

    def _restore(self, slot: str, envelope: SaveEnvelope) -> None:
        try:
            world = {k: v for k, v in envelope.game_data.items() if k not in self.contributors}
            self.store.hydrate(world, source=f"save slot {slot!r}")
        except SnapshotError as exc:
            raise world_problem(slot, exc) from exc
        for key, contributor in self.contributors.items():
            contributor.restore(envelope.game_data.get(key))

    def read(self, slot: str) -> SaveEnvelope:
        """The save in ``slot``, verified and migrated in memory (nothing is written).

        Raises:
            SlotNotFoundError, CorruptSaveError, MigrationError, InvalidSlotNameError.
        """
        name = self.slot_name(slot)
        stored = self.storage.read(name)
        if stored is None:
            raise SlotNotFoundError(name)
        return decode_stored(stored, self.migrations)[0]

    def list_slots(self) -> list[SlotInfo]:
        """Every save, newest first, from the index alone; see :func:`list_saves`."""
        return list_saves(self.storage)

    def slot_info(self, slot: str) -> SlotInfo | None:
        """The verified listing entry for ``slot`` (see :func:`slot_info`), or ``None`` if it
        has no save."""
        stored = self.storage.read(self.slot_name(slot))
        return None if stored is None else check_save(stored, self.migrations)[0]

    def exists(self, slot: str) -> bool:
        """Whether ``slot`` holds a save (corrupt or not)."""
        return self.storage.read(self.slot_name(slot)) is not None

    def delete(self, slot: str) -> bool:
        """Delete the save in ``slot``; tell whether there was one."""
        name = self.slot_name(slot)
        with self.storage.transaction() as tx:
            return tx.remove(name)


def list_saves(storage: SaveStorage) -> list[SlotInfo]:
    """Every save in ``storage``, newest first (ties by slot name), from the index alone.

    No payload is read, so listing costs the same however large the saves are.  A save whose
    payload row is missing or has another size than was written is listed as corrupt (the
    other slots are still listed); changed bytes of the right size are found by
    :func:`slot_info` (``saves show``), by loading, and by ``saves verify``: each entry is
    ``verified=False``.
    """
    infos = [_listed(indexed) for indexed in storage.index()]
    infos.sort(key=lambda info: (-info.entry.timestamp, info.entry.slot))
    return infos


def _listed(indexed: IndexedSave) -> SlotInfo:
    return SlotInfo(entry=indexed.entry, problem=indexed.problem(), verified=False)


def check_save(
    stored: StoredSave, migrations: MigrationRegistry = DEFAULT_MIGRATIONS
) -> tuple[SlotInfo, SaveEnvelope | None]:
    """Verify one stored save as a load would, without changing anything.

    Checks size and checksum, decodes the envelope, migrates it in memory and validates its
    world snapshot against the default slices.

    Returns:
        The verified listing entry, and the envelope at the current version (``None`` when the
        entry has a ``problem``).
    """
    slot = stored.entry.slot
    try:
        envelope, _ = decode_stored(stored, migrations)
        validate_snapshot(world_snapshot(envelope.game_data), source=f"save slot {slot!r}")
    except (CorruptSaveError, MigrationError) as exc:
        return SlotInfo(entry=stored.entry, problem=exc.reason), None
    except SnapshotError as exc:
        return SlotInfo(entry=stored.entry, problem=world_problem(slot, exc).reason), None
    return SlotInfo(entry=stored.entry), envelope


def slot_info(stored: StoredSave, migrations: MigrationRegistry = DEFAULT_MIGRATIONS) -> SlotInfo:
    """The verified listing entry for one stored save (see :func:`check_save`)."""
    return check_save(stored, migrations)[0]
