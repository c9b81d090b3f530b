"""worldstate: a world-state store, saves and inspector telemetry for narrative games.

The names here are the ones most programs need; each part has its own package with the rest:
``worldstate.store`` (store, slices, selectors, snapshots), ``worldstate.replay`` (event logs),
``worldstate.inspector`` (summary, renderers, transcript, budget), ``worldstate.writers``,
``worldstate.export`` (export pipeline and manifest), ``worldstate.saves`` and
``worldstate.testing`` (test helpers and doubles).
"""

from __future__ import annotations

from worldstate.clock import Clock, ManualClock, system_clock
from worldstate.errors import (
    ConfigurationError,
    CorruptSaveError,
    EventLogError,
    ExportError,
    InputError,
    InvalidSlotNameError,
    MigrationError,
    SaveError,
    SlotNotFoundError,
    SnapshotError,
    UnsafeNameError,
    WorldstateError,
)
from worldstate.events import EventBus
from worldstate.store import Action, ContentCatalog, WorldStore, default_slices

__all__ = [
    "Action",
    "Clock",
    "ContentCatalog",
    "ConfigurationError",
    "CorruptSaveError",
    "EventBus",
    "EventLogError",
    "ExportError",
    "InputError",
    "InvalidSlotNameError",
    "ManualClock",
    "MigrationError",
    "SaveError",
    "SlotNotFoundError",
    "SnapshotError",
    "UnsafeNameError",
    "WorldStore",
    "WorldstateError",
    "default_slices",
    "system_clock",
]
