"""The world-state store: an event-sourced, snapshot-able model of a narrative game's world.

Quick tour::

    from worldstate.events import EventBus
    from worldstate.store import WorldStore

    bus = EventBus()
    store = WorldStore(bus)
    bus.emit("reputation:changed", {"factionId": "harbor_union", "newFame": 25})
    store.snapshot()["factions"]["byId"]["harbor_union"]["fame"]  # 25

See ``docs/store.md`` for the slice protocol, snapshots, replay and selectors.
"""

from __future__ import annotations

from worldstate.store._catalog import ContentCatalog
from worldstate.store._payload_check import ID_FIELDS, IdField, PayloadReport
from worldstate.store._selectors import MemoSelector, SelectorCache, create_selector
from worldstate.store._slice import WORLD_DOMAIN, Action, ActionBuilder, Slice, State
from worldstate.store._snapshot import adopt_snapshot, load_snapshot_file, validate_snapshot
from worldstate.store._store import (
    HYDRATE_ACTION,
    SNAPSHOT_KEYS,
    SNAPSHOT_ORDER,
    UpdateListener,
    WorldStore,
)
from worldstate.store._transients import ALWAYS_COPY, InPlaceWrites, Transients
from worldstate.store.slices import default_slices

__all__ = [
    "adopt_snapshot",
    "load_snapshot_file",
    "WorldStore",
    "ContentCatalog",
    "default_slices",
    "Action",
    "ActionBuilder",
    "Slice",
    "State",
    "WORLD_DOMAIN",
    "HYDRATE_ACTION",
    "SNAPSHOT_KEYS",
    "SNAPSHOT_ORDER",
    "UpdateListener",
    "create_selector",
    "MemoSelector",
    "SelectorCache",
    "validate_snapshot",
    "Transients",
    "InPlaceWrites",
    "ALWAYS_COPY",
    "PayloadReport",
    "ID_FIELDS",
    "IdField",
]
