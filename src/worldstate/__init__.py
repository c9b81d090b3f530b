"""worldstate: a world-state store, saves and inspector telemetry for narrative games.

The names here are the ones most programs need; each part has its own package with the rest:
``worldstate.store`` (store, slices, selectors, snapshots), ``worldstate.replay`` (event logs),
``worldstate.inspector`` (summary, renderers, transcript, budget), ``worldstate.writers``,
``worldstate.export`` (export pipeline and manifest), ``worldstate.saves`` and
``worldstate.testing`` (test helpers and doubles).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

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
    SlotLimitError,
    SlotNotFoundError,
    SnapshotError,
    UnsafeNameError,
    WorldstateError,
)

if TYPE_CHECKING:
    from worldstate.events import EventBus
    from worldstate.store import Action, ContentCatalog, WorldStore, default_slices

# The store is imported on first use, so `import worldstate.cli` (every command's start) and
# other light users do not pay for it.
_LAZY = {
    "EventBus": "worldstate.events",
    "Action": "worldstate.store",
    "ContentCatalog": "worldstate.store",
    "WorldStore": "worldstate.store",
    "default_slices": "worldstate.store",
}

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
    "SlotLimitError",
    "SlotNotFoundError",
    "SnapshotError",
    "UnsafeNameError",
    "WorldStore",
    "WorldstateError",
    "default_slices",
    "system_clock",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'worldstate' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
