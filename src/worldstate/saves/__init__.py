"""Saves: the world store (plus game data) in named slots of a SQLite database.

Parts, each in its own module:

* slot names (:func:`normalize_slot_name`), the envelope (:class:`SaveEnvelope`) and its index
  entry (:class:`IndexEntry`, with a SHA-256 checksum);
* storage: the :class:`SaveStorage` protocol, :class:`SqliteSaveStorage` (default, WAL,
  transactional) and :class:`MemorySaveStorage`;
* migrations: :class:`MigrationRegistry` and :data:`DEFAULT_MIGRATIONS` (0 -> 1);
* :class:`SaveManager` (save, load, list, delete) and the names of its events
  (:data:`GAME_SAVED` ...);
* verification of a whole storage (:func:`verify_saves`);
* autosave policy (:class:`Autosaver`) and the QA burst (:func:`run_autosave_burst`);
* :func:`read_world_snapshot` for exports.

See ``docs/saves.md``.
"""

from __future__ import annotations

from worldstate.saves._autosave import (
    MAJOR_OBJECTIVE_KEYWORDS,
    Autosaver,
    AutosaveSettings,
    is_major_objective,
)
from worldstate.saves._burst import BurstIteration, BurstSummary, run_autosave_burst
from worldstate.saves._codec import encode_envelope
from worldstate.saves._events import (
    AUTOSAVE_BURST_COMPLETED,
    GAME_LOAD_FAILED,
    GAME_LOADED,
    GAME_SAVE_FAILED,
    GAME_SAVED,
    SAVE_EVENTS,
)
from worldstate.saves._manager import (
    GameDataContributor,
    LoadReceipt,
    SaveManager,
    SaveReceipt,
    WorldSnapshotSource,
    check_save,
    decode_stored,
    list_saves,
    slot_info,
    slots_to_evict,
    world_snapshot,
)
from worldstate.saves._migrations import (
    DEFAULT_MIGRATIONS,
    MigrationRegistry,
    MigrationStep,
    migrate_0_to_1,
)
from worldstate.saves._read import read_world_snapshot
from worldstate.saves._records import (
    CURRENT_SAVE_VERSION,
    SNAPSHOT_KEYS,
    SNAPSHOT_SOURCE,
    IndexedSave,
    IndexEntry,
    SaveEnvelope,
    SaveMeta,
    SlotInfo,
    SlotStatus,
    StoredSave,
    checksum,
)
from worldstate.saves._slots import AUTOSAVE_SLOT, SlotType, normalize_slot_name
from worldstate.saves._sqlite import OpenMode, SqliteSaveStorage, Synchronous
from worldstate.saves._storage import MemorySaveStorage, SaveStorage, SaveTransaction
from worldstate.saves._verify import VerifyReport, verify_saves

__all__ = [
    # manager
    "SaveManager",
    "SaveReceipt",
    "LoadReceipt",
    "GameDataContributor",
    "WorldSnapshotSource",
    "read_world_snapshot",
    "world_snapshot",
    "list_saves",
    "slot_info",
    "check_save",
    "decode_stored",
    "slots_to_evict",
    # events
    "GAME_SAVED",
    "GAME_SAVE_FAILED",
    "GAME_LOADED",
    "GAME_LOAD_FAILED",
    "AUTOSAVE_BURST_COMPLETED",
    "SAVE_EVENTS",
    # verification
    "verify_saves",
    "VerifyReport",
    # slots and records
    "AUTOSAVE_SLOT",
    "SlotType",
    "SlotStatus",
    "SlotInfo",
    "normalize_slot_name",
    "CURRENT_SAVE_VERSION",
    "SNAPSHOT_KEYS",
    "SNAPSHOT_SOURCE",
    "SaveEnvelope",
    "SaveMeta",
    "IndexEntry",
    "IndexedSave",
    "StoredSave",
    "checksum",
    "encode_envelope",
    # storage
    "SaveStorage",
    "SaveTransaction",
    "SqliteSaveStorage",
    "MemorySaveStorage",
    "OpenMode",
    "Synchronous",
    # migrations
    "MigrationRegistry",
    "MigrationStep",
    "DEFAULT_MIGRATIONS",
    "migrate_0_to_1",
    # autosave
    "Autosaver",
    "AutosaveSettings",
    "MAJOR_OBJECTIVE_KEYWORDS",
    "is_major_objective",
    "run_autosave_burst",
    "BurstSummary",
    "BurstIteration",
]
