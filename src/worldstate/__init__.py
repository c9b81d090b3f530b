"""worldstate: a world-state store, saves and inspector telemetry for narrative games.

The names here are the ones most programs need; each part has its own package with the rest:
``worldstate.store`` (store, slices, selectors, snapshots), ``worldstate.replay`` (event logs),
``worldstate.inspector`` (summary, renderers, transcript, budget), ``worldstate.writers``,
``worldstate.export`` (export pipeline and manifest), ``worldstate.saves`` and
``worldstate.testing`` (test helpers and doubles).
"""

from __future__ import annotations

import sys
import typing

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

if typing.TYPE_CHECKING:
    from collections.abc import Callable, Mapping, MutableMapping, Sequence

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


def _lazy_exports(
    package: str,
    homes: Mapping[str, str],
    namespace: MutableMapping[str, typing.Any],
    exported: Sequence[str],
) -> tuple[Callable[[str], typing.Any], Callable[[], list[str]]]:
    """A module ``__getattr__`` and ``__dir__`` for ``package`` (this one, ``worldstate.bench``).

    ``__getattr__(name)`` imports ``name`` from the module ``homes[name]`` the first time it is
    asked for and keeps it in ``namespace`` (the package's ``globals()``), so later lookups are
    plain; any other name is an ``AttributeError``.  ``__dir__()`` lists ``exported``.
    """

    def __getattr__(name: str) -> typing.Any:
        home = homes.get(name)
        if home is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        __import__(home)  # the import statement's own path, so `python -X importtime` lists it
        value = getattr(sys.modules[home], name)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted(exported)

    return __getattr__, __dir__


__getattr__, __dir__ = _lazy_exports(__name__, _LAZY, globals(), __all__)
