"""The inventory slice: items, equipment, selection, snapshots and selectors."""

from __future__ import annotations

import json
from typing import Any

import msgspec
import pytest

from worldstate.store._slice import Action
from worldstate.store.slices.inventory import InventorySlice, select_items
from worldstate.testing import reduce_event

State = dict[str, Any]


@pytest.fixture(name="inv")
def _inv() -> InventorySlice:
    return InventorySlice()


def with_lens(inv: InventorySlice) -> State:
    return reduce_event(
        inv,
        inv.initial_state(),
        "inventory:item_added",
        {
            "id": "lens",
            "name": "Lens",
            "quantity": 2.7,
            "tags": [" clue ", "", 5],
            "metadata": {"a": 1},
            "junk": True,
        },
        10,
    )


class TestItems:
    def test_added_is_normalised(self, inv: InventorySlice) -> None:
        """A new item gets defaults, a floored quantity and trimmed string tags."""
        state = with_lens(inv)
        assert state["items"] == [
            {
                "id": "lens",
                "name": "Lens",
                "description": "",
                "type": "generic",
                "rarity": "common",
                "quantity": 2,
                "tags": ["clue"],
                "metadata": {"a": 1},
                "lastSeenAt": 10,
            }
        ]
        assert state["lastUpdatedAt"] == 10

    def test_added_without_string_id_changes_nothing(self, inv: InventorySlice) -> None:
        """An item needs a string id."""
        state = inv.initial_state()
        assert reduce_event(inv, state, "inventory:item_added", {"id": 5}, 1) is state

    def test_quantity_delta_and_removal(self, inv: InventorySlice) -> None:
        """quantityDelta adds to a carried item; dropping to zero removes it."""
        state = reduce_event(
            inv,
            with_lens(inv),
            "inventory:item_updated",
            {"id": "lens", "quantityDelta": 3, "tags": ["new", "clue"]},
            20,
        )
        item = state["items"][0]
        assert (item["quantity"], item["tags"], item["lastSeenAt"]) == (5, ["clue", "new"], 20)
        assert "quantityDelta" not in item
        state = reduce_event(
            inv, state, "inventory:item_updated", {"id": "lens", "quantityDelta": -5}, 30
        )
        assert state["items"] == []

    def test_update_of_unknown_item_adds_it(self, inv: InventorySlice) -> None:
        """Updating an item not carried adds it, with defaults for missing fields."""
        state = reduce_event(
            inv,
            inv.initial_state(),
            "inventory:item_updated",
            {"id": "key", "quantity": 1, "owner": "ann"},
            5,
        )
        assert state["items"][0]["type"] == "generic"
        assert state["items"][0]["owner"] == "ann"
        assert (
            reduce_event(
                inv,
                inv.initial_state(),
                "inventory:item_updated",
                {"id": "key", "quantityDelta": -1},
                5,
            )["items"]
            == []
        )

    def test_removed_also_unequips(self, inv: InventorySlice) -> None:
        """Removing an item drops it from every equipment slot."""
        state = reduce_event(
            inv, with_lens(inv), "inventory:equipped", {"slot": "hand", "itemId": "lens"}, 11
        )
        assert state["equipped"] == {"hand": "lens"}
        state = reduce_event(inv, state, "inventory:item_removed", {"id": "lens"}, 12)
        assert (state["items"], state["equipped"]) == ([], {})
        assert reduce_event(inv, state, "inventory:item_removed", {}, 13) is state

    def test_equipped_needs_slot_and_item(self, inv: InventorySlice) -> None:
        """Equipping without a slot or an item id changes nothing."""
        state = inv.initial_state()
        assert reduce_event(inv, state, "inventory:equipped", {"slot": "hand"}, 1) is state
        assert reduce_event(inv, state, "inventory:equipped", {"itemId": "x"}, 1) is state

    def test_cleared(self, inv: InventorySlice) -> None:
        """Clearing empties items, equipment and the selection."""
        state = reduce_event(
            inv, with_lens(inv), "inventory:selection_changed", {"itemId": "lens", "index": 0}, 11
        )
        action = inv.events["inventory:cleared"]({"ignored": 1}, 12)
        assert action is not None and action.payload == {}
        state = reduce_event(inv, state, "inventory:cleared", {}, 12)
        assert state == {**inv.initial_state(), "lastUpdatedAt": 12}

    def test_domain_is_not_checked(self, inv: InventorySlice) -> None:
        """Like the reference, an inventory action is applied whatever its domain."""
        state = inv.reduce(
            inv.initial_state(), Action("INVENTORY_ITEM_ADDED", "world", {"id": "x"}, 3)
        )
        assert state["items"][0]["id"] == "x"

    def test_payload_is_copied(self, inv: InventorySlice) -> None:
        """Mutating the event payload afterwards does not reach the state."""
        payload: dict[str, Any] = {"id": "x", "metadata": {"notes": ["a"]}}
        state = reduce_event(inv, inv.initial_state(), "inventory:item_added", payload, 1)
        payload["metadata"]["notes"].append("b")
        assert state["items"][0]["metadata"] == {"notes": ["a"]}


class TestSelection:
    def test_builder_sanitises(self, inv: InventorySlice) -> None:
        """itemId must be a string, index an integer; source defaults to inventoryOverlay."""
        action = inv.events["inventory:selection_changed"]({"itemId": 3, "index": 1.5}, 1)
        assert action is not None
        assert action.payload == {"itemId": None, "index": None, "source": "inventoryOverlay"}

    def test_change_and_no_op(self, inv: InventorySlice) -> None:
        """A new selection is stored with its time; the identical selection is a no-op."""
        state = reduce_event(
            inv,
            inv.initial_state(),
            "inventory:selection_changed",
            {"itemId": "lens", "index": 2, "source": "pad"},
            5,
        )
        assert (
            state["selectedItemId"],
            state["selectedIndex"],
            state["lastSelectionAt"],
            state["selectionSource"],
        ) == ("lens", 2, 5, "pad")
        assert (
            reduce_event(
                inv,
                state,
                "inventory:selection_changed",
                {"itemId": "lens", "index": 2, "source": "pad"},
                6,
            )
            is state
        )


class TestInventorySnapshot:
    def test_round_trip(self, inv: InventorySlice) -> None:
        """hydrate(serialize(x)) serialises identically."""
        state = reduce_event(
            inv, with_lens(inv), "inventory:selection_changed", {"itemId": "lens", "index": 0}, 11
        )
        state = reduce_event(
            inv, state, "inventory:item_updated", {"id": "lens", "owner": "ann"}, 12
        )
        section = inv.serialize(state)
        assert json.dumps(
            inv.serialize(inv.hydrate(json.loads(json.dumps(section))))
        ) == json.dumps(section)

    def test_hydrate_drops_invalid_and_merges_duplicates(self, inv: InventorySlice) -> None:
        """Items without a string id are dropped; a repeated id merges; bad slots are skipped."""
        state = inv.hydrate(
            {
                "items": [
                    {"id": "a", "quantity": 1},
                    {"name": "no id"},
                    {"id": "a", "quantity": 4},
                ],
                "equipped": {"hand": "a", "head": 7},
                "selectedIndex": "1",
                "lastUpdatedAt": 9,
            }
        )
        assert [(item["id"], item["quantity"]) for item in state["items"]] == [("a", 4)]
        assert state["items"][0]["lastSeenAt"] == 9
        assert state["equipped"] == {"hand": "a"}
        assert state["selectedIndex"] is None
        assert inv.hydrate(None) == inv.initial_state()

    def test_schema_rejects_wrong_types(self, inv: InventorySlice) -> None:
        """items must be a list of objects."""
        with pytest.raises(msgspec.ValidationError) as caught:
            msgspec.convert({"items": {"id": "a"}}, inv.snapshot_schema)
        assert str(caught.value).endswith("- at `$.items`")
        with pytest.raises(msgspec.ValidationError) as caught:
            msgspec.convert({"items": ["a"]}, inv.snapshot_schema)
        assert str(caught.value).endswith("- at `$.items[0]`")


def test_select_items(inv: InventorySlice) -> None:
    """select_items returns the carried items in order."""
    state = reduce_event(inv, with_lens(inv), "inventory:item_added", {"id": "key"}, 11)
    assert [item["id"] for item in select_items({"inventory": state})] == ["lens", "key"]
