"""worldstate: a world-state store, saves and inspector telemetry for narrative games."""

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

__all__ = [
    "Clock",
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
    "WorldstateError",
    "system_clock",
]
