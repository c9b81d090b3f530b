"""The inventory slice: items carried, equipment slots and the overlay's selection.

State (snapshot section ``inventory``)::

    {items: [item], equipped: {slot: itemId}, lastUpdatedAt, selectedItemId, selectedIndex,
     lastSelectionAt, selectionSource}

An item is ``{id, name, description, type ('generic'), rarity ('common'), quantity (>= 1),
tags, metadata, lastSeenAt}`` plus any other fields an update carried.  Adding an item that
is already carried merges into it (``quantityDelta`` adds to the quantity); a quantity that
falls to zero or below removes the item.  Like the reference, the reducer looks at the action
type only, whatever the domain.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from functools import partial
from typing import Any, TypedDict

from worldstate._js import coalesce2, is_finite_number, truthy
from worldstate.store._slice import Action, ActionBuilder, State
from worldstate.store._transients import InPlaceWrites

from ._payload import as_mapping, copy_json, reduce_by_type

__all__ = ["InventorySlice", "InventorySnapshot", "select_items"]

DOMAIN = "inventory"

_ITEM_KEYS = (
    "id",
    "name",
    "description",
    "type",
    "rarity",
    "quantity",
    "tags",
    "metadata",
    "lastSeenAt",
)


class InventorySnapshot(TypedDict, total=False):
    """The ``inventory`` section of a snapshot."""

    items: list[dict[str, Any]]
    equipped: dict[str, Any]
    lastUpdatedAt: int | float | None
    selectedItemId: str | None
    selectedIndex: int | None
    lastSelectionAt: int | float | None
    selectionSource: Any


# --- event -> action --------------------------------------------------------------------------


def _raw(action_type: str) -> ActionBuilder:
    def build(payload: Mapping[str, Any], now: int) -> Action:
        return Action(action_type, DOMAIN, dict(payload), now)

    return build


def _build_clear(payload: Mapping[str, Any], now: int) -> Action:
    return Action("INVENTORY_CLEAR", DOMAIN, {}, now)


def _build_selection(payload: Mapping[str, Any], now: int) -> Action:
    item_id, index = payload.get("itemId"), payload.get("index")
    return Action(
        type="INVENTORY_SELECTION_CHANGED",
        domain=DOMAIN,
        payload={
            "itemId": item_id if isinstance(item_id, str) else None,
            "index": index if _is_int(index) else None,
            "source": coalesce2(payload.get("source"), "inventoryOverlay"),
        },
        timestamp=now,
    )


_EVENTS: dict[str, ActionBuilder] = {
    "inventory:item_added": _raw("INVENTORY_ITEM_ADDED"),
    "inventory:item_updated": _raw("INVENTORY_ITEM_UPDATED"),
    "inventory:item_removed": _raw("INVENTORY_ITEM_REMOVED"),
    "inventory:equipped": _raw("INVENTORY_EQUIPPED"),
    "inventory:cleared": _build_clear,
    "inventory:selection_changed": _build_selection,
}


# --- items -------------------------------------------------------------------------------------


def _is_int(value: Any) -> bool:
    """JavaScript ``Number.isInteger``: an integral, finite number (not a boolean)."""
    return is_finite_number(value) and float(value).is_integer()


def _tags(value: Any) -> list[str]:
    tags = value if isinstance(value, list) else []
    return [tag.strip() for tag in tags if isinstance(tag, str) and tag.strip()]


def _merged_tags(old: Any, new: Any) -> list[str]:
    return list(
        dict.fromkeys(
            _tags(
                [*(old if isinstance(old, list) else []), *(new if isinstance(new, list) else [])]
            )
        )
    )


def _string_or(value: Any, default: Any) -> Any:
    return value if isinstance(value, str) else default


def _normalise_item(payload: Mapping[str, Any], now: Any) -> dict[str, Any] | None:
    """A complete item from an ``item_added`` payload, or ``None`` without a string id."""
    item_id = payload.get("id")
    if not isinstance(item_id, str) or not item_id:
        return None
    quantity = payload.get("quantity")
    metadata = payload.get("metadata")
    return {
        "id": item_id,
        "name": _string_or(payload.get("name"), item_id),
        "description": _string_or(payload.get("description"), ""),
        "type": _string_or(payload.get("type"), "generic"),
        "rarity": _string_or(payload.get("rarity"), "common"),
        "quantity": max(1, math.floor(quantity)) if is_finite_number(quantity) else 1,
        "tags": _tags(payload.get("tags")),
        "metadata": copy_json(metadata) if isinstance(metadata, Mapping) else {},
        "lastSeenAt": coalesce2(payload.get("lastSeenAt"), now),
    }


def _next_quantity(
    existing: Mapping[str, Any], item: Mapping[str, Any], delta: int | None
) -> int | float:
    current = existing.get("quantity")
    known: int | float = current if is_finite_number(current) else 0
    if delta:
        return known + delta
    quantity = item.get("quantity")
    if is_finite_number(quantity):
        return math.trunc(quantity)
    return known if is_finite_number(current) else 1


class _Upsert:
    """What merging ``item`` into the items means, worked out before anything is written."""

    __slots__ = ("delta", "fields", "item", "metadata", "now")

    def __init__(self, item: Mapping[str, Any], now: Any) -> None:
        raw_delta = item.get("quantityDelta")
        metadata = item.get("metadata")
        self.item = item
        self.now = now
        self.delta = math.trunc(raw_delta) if is_finite_number(raw_delta) else None
        self.metadata = copy_json(metadata) if isinstance(metadata, Mapping) else {}
        self.fields = {
            key: copy_json(value) for key, value in item.items() if key != "quantityDelta"
        }

    def added(self) -> dict[str, Any] | None:
        """The new item, or ``None`` when its quantity would be 0 or less."""
        item = self.item
        quantity = math.trunc(item["quantity"]) if is_finite_number(item.get("quantity")) else 1
        if self.delta is not None:
            quantity = self.delta
        if quantity <= 0:
            return None
        base = _normalise_item(item, self.now) or {}
        return {
            **base,
            **self.fields,
            "quantity": quantity,
            "tags": _tags(item.get("tags")),
            "metadata": self.metadata,
            "lastSeenAt": self.now,
        }

    def merged(self, existing: Mapping[str, Any]) -> dict[str, Any] | None:
        """``existing`` updated, or ``None`` when its quantity falls to 0 or less."""
        quantity = _next_quantity(existing, self.item, self.delta)
        if quantity <= 0:
            return None
        return {
            **existing,
            **self.fields,
            "quantity": max(1, quantity),
            "tags": _merged_tags(existing.get("tags"), self.item.get("tags")),
            "metadata": {**as_mapping(existing.get("metadata")), **self.metadata},
            "lastSeenAt": self.now,
        }


def _upsert(items: list[dict[str, Any]], item: Mapping[str, Any], now: Any) -> list[dict[str, Any]]:
    """``items`` with ``item`` merged in (or added, or removed when its quantity drops to 0)."""
    upsert = _Upsert(item, now)
    index = next((i for i, entry in enumerate(items) if entry.get("id") == item["id"]), None)
    if index is None:
        added = upsert.added()
        return items if added is None else [*items, added]
    merged = upsert.merged(items[index])
    if merged is None:
        return [entry for i, entry in enumerate(items) if i != index]
    return [merged if i == index else entry for i, entry in enumerate(items)]


class _Positions:
    """Where each item id sits in the items list last written, so no event scans the list.

    Another list (a hydrated or cleared state, a state of another store) is indexed afresh;
    the first of two items with one id wins, as a scan from the start would find it.
    """

    __slots__ = ("_items", "_positions")

    def __init__(self) -> None:
        self._items: list[dict[str, Any]] | None = None
        self._positions: dict[str, int] = {}

    def of(self, items: list[dict[str, Any]]) -> dict[str, int]:
        """The positions in ``items`` (do not change them: see :meth:`moved`)."""
        if items is not self._items:
            positions: dict[str, int] = {}
            for index, entry in enumerate(items):
                positions.setdefault(entry.get("id"), index)  # type: ignore[arg-type]
            self._items, self._positions = items, positions
        return self._positions

    def moved(self, items: list[dict[str, Any]]) -> dict[str, int]:
        """The positions now describe ``items`` (the list asked about, or its copy), which
        the caller is about to change together with them."""
        self._items = items
        return self._positions


def _upsert_through(
    slice_: InventorySlice, items: list[dict[str, Any]], item: Mapping[str, Any], now: Any
) -> list[dict[str, Any]]:
    """:func:`_upsert`, writing the list in place while nobody has seen it: a cost per event
    that does not grow with the items carried (a removal still shifts those after it)."""
    upsert = _Upsert(item, now)
    item_id = item["id"]
    index = slice_.positions.of(items).get(item_id)
    if index is None:
        added = upsert.added()
        if added is None:
            return items
        items = slice_.transients.writable_list(items)
        slice_.positions.moved(items)[item_id] = len(items)
        items.append(added)
        return items
    merged = upsert.merged(items[index])
    items = slice_.transients.writable_list(items)
    if merged is None:
        _remove_at(slice_.positions.moved(items), items, index)
    else:
        slice_.positions.moved(items)
        items[index] = merged
    return items


def _remove_at(positions: dict[str, int], items: list[dict[str, Any]], index: int) -> None:
    del positions[items[index]["id"]]
    del items[index]
    for later in range(index, len(items)):
        positions[items[later]["id"]] = later


# --- reducers (return the next state, or None when nothing changed) -----------------------------


def _item_added(
    slice_: InventorySlice, state: State, payload: dict[str, Any], now: int
) -> State | None:
    item = _normalise_item(payload, now)
    if item is None:
        return None
    if "quantityDelta" in payload:
        item["quantityDelta"] = payload["quantityDelta"]
    items = _upsert_through(slice_, state["items"], item, now)
    return {**state, "items": items, "lastUpdatedAt": now}


def _item_updated(
    slice_: InventorySlice, state: State, payload: dict[str, Any], now: int
) -> State | None:
    if not isinstance(payload.get("id"), str) or not payload["id"]:
        return None
    items = _upsert_through(slice_, state["items"], payload, now)
    return {**state, "items": items, "lastUpdatedAt": now}


def _item_removed(
    slice_: InventorySlice, state: State, payload: dict[str, Any], now: int
) -> State | None:
    item_id = payload.get("id")
    if not truthy(item_id):
        return None
    equipped = {slot: eid for slot, eid in state["equipped"].items() if eid != item_id}
    items = state["items"]
    # Every item id is a string: another id names none of them.
    index = slice_.positions.of(items).get(item_id) if isinstance(item_id, str) else None
    if index is not None:
        items = slice_.transients.writable_list(items)
        _remove_at(slice_.positions.moved(items), items, index)
    return {**state, "items": items, "equipped": equipped, "lastUpdatedAt": now}


def _cleared(state: State, payload: dict[str, Any], now: int) -> State | None:
    # The reference rebuilds the whole state here, so the selection is cleared too.
    return {**InventorySlice().initial_state(), "lastUpdatedAt": now}


def _equipped(state: State, payload: dict[str, Any], now: int) -> State | None:
    slot, item_id = payload.get("slot"), payload.get("itemId")
    if not isinstance(slot, str) or not slot or not truthy(item_id):
        return None
    return {
        **state,
        "equipped": {**state["equipped"], slot: copy_json(item_id)},
        "lastUpdatedAt": now,
    }


def _selection(state: State, payload: dict[str, Any], now: int) -> State | None:
    item_id, index = payload.get("itemId"), payload.get("index")
    item_id = item_id if isinstance(item_id, str) else None
    index = index if _is_int(index) else None
    source = payload.get("source")
    if (state["selectedItemId"], state["selectedIndex"], state["selectionSource"]) == (
        item_id,
        index,
        source,
    ):
        return None
    return {
        **state,
        "selectedItemId": item_id,
        "selectedIndex": index,
        "lastSelectionAt": now,
        "selectionSource": copy_json(source),
    }


_SLICE_REDUCERS: dict[str, Callable[[InventorySlice, State, dict[str, Any], int], State | None]] = {
    "INVENTORY_ITEM_ADDED": _item_added,
    "INVENTORY_ITEM_UPDATED": _item_updated,
    "INVENTORY_ITEM_REMOVED": _item_removed,
}
"""Reducers that write the items list through the slice's transients (bound per slice)."""

_REDUCERS: dict[str, Callable[[State, dict[str, Any], int], State | None]] = {
    "INVENTORY_CLEAR": _cleared,
    "INVENTORY_EQUIPPED": _equipped,
    "INVENTORY_SELECTION_CHANGED": _selection,
}


def _hydrated_item(entry: Mapping[str, Any], fallback_seen: Any) -> dict[str, Any] | None:
    base = _normalise_item(entry, coalesce2(entry.get("lastSeenAt"), fallback_seen))
    if base is None:
        return None
    extras = {key: copy_json(value) for key, value in entry.items() if key not in base}
    return {**base, **extras}


class InventorySlice(InPlaceWrites):
    """Items, equipment and selection (snapshot section ``inventory``).

    The items list is written in place while nobody has seen it (see ``Transients``), and
    items are found through an index of their positions, so an event costs the same with 100
    items as with 10,000.
    """

    key = "inventory"
    snapshot_key = "inventory"
    domain = DOMAIN
    snapshot_schema = InventorySnapshot
    type_reducers: Mapping[str, Any]
    """Action type -> reducer, run by :func:`reduce_by_type` (and by the store directly)."""

    def __init__(self) -> None:
        self.events: Mapping[str, ActionBuilder] = dict(_EVENTS)
        self.positions = _Positions()
        reducers: dict[str, Any] = {
            name: partial(reducer, self) for name, reducer in _SLICE_REDUCERS.items()
        }
        self.type_reducers = {**reducers, **_REDUCERS}

    def initial_state(self) -> State:
        """Nothing carried, nothing equipped, nothing selected."""
        return {
            "items": [],
            "equipped": {},
            "lastUpdatedAt": None,
            "selectedItemId": None,
            "selectedIndex": None,
            "lastSelectionAt": None,
            "selectionSource": None,
        }

    def reduce(self, state: State, action: Action) -> State:
        """Apply an inventory action (of the inventory or the ``world`` domain)."""
        return reduce_by_type(self.type_reducers, DOMAIN, state, action)

    def serialize(self, state: State) -> dict[str, Any]:
        """The ``inventory`` section: the state itself (the store copies it)."""
        return state

    def hydrate(self, data: Any) -> State:
        """State from an ``inventory`` section; items lacking a string id are dropped.

        Missing item fields get their defaults; an id seen twice is merged like an update.
        """
        section = as_mapping(data)
        state = self.initial_state()
        items: list[dict[str, Any]] = []
        seen: set[str] = set()  # ids so far: a repeated id is rare, a scan per item is not
        for entry in section.get("items") or []:
            item = _hydrated_item(as_mapping(entry), section.get("lastUpdatedAt"))
            if item is None:
                continue
            if item["id"] in seen:
                items = _upsert(items, item, item["lastSeenAt"])
            else:
                seen.add(item["id"])
                items.append(item)
        state["items"] = items
        state["equipped"] = {
            slot: item_id
            for slot, item_id in as_mapping(section.get("equipped")).items()
            if isinstance(item_id, str)
        }
        state["lastUpdatedAt"] = section.get("lastUpdatedAt")
        selected_id, selected_index = section.get("selectedItemId"), section.get("selectedIndex")
        state["selectedItemId"] = selected_id if isinstance(selected_id, str) else None
        state["selectedIndex"] = selected_index if _is_int(selected_index) else None
        state["lastSelectionAt"] = section.get("lastSelectionAt")
        state["selectionSource"] = copy_json(section.get("selectionSource"))
        return state


def _inventory_root(state: Mapping[str, Any]) -> State:
    return state["inventory"]  # type: ignore[no-any-return]


def select_items(state: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The items carried, in the order they were first added."""
    return _inventory_root(state)["items"]  # type: ignore[no-any-return]
