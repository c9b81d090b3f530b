"""The district slice: catalog, guards, every action, limits, snapshots and selectors."""

from __future__ import annotations

import json
from typing import Any

import msgspec
import pytest

from worldstate.errors import ConfigurationError
from worldstate.store._selectors import SelectorCache
from worldstate.store._slice import Action
from worldstate.store.slices.district import (
    CHANGE_LOG_LIMIT,
    CONTROL_HISTORY_LIMIT,
    RESTRICTION_LOG_LIMIT,
    STABILITY_HISTORY_LIMIT,
    DistrictSlice,
    select_all_districts,
    select_root,
)
from worldstate.testing import reduce_event

State = dict[str, Any]

DOCKS: dict[str, Any] = {
    "id": "docks",
    "name": "Old Docks",
    "controllingFaction": "union",
    "stability": {"base": 60, "rating": "stable"},
    "security": {"level": 9},
    "access": {
        "fastTravelEnabled": False,
        "restrictions": [
            {"id": "curfew", "type": "curfew", "description": "Night curfew"},
            {"type": "toll"},
        ],
        "infiltrationRoutes": [
            {"id": "sewer", "type": "stealth"},
            {"id": "gate", "defaultUnlocked": True},
        ],
    },
    "environment": {"weather": ["rain"]},
}


def docks(slice_: DistrictSlice | None = None) -> tuple[DistrictSlice, State]:
    slice_ = slice_ or DistrictSlice()
    state = reduce_event(
        slice_,
        slice_.initial_state(),
        "district:registered",
        {"districtId": "docks", "definition": DOCKS},
        10,
    )
    return slice_, state


class TestCatalog:
    def test_starts_empty_without_catalog(self) -> None:
        """No game content is built in: a default slice knows no districts."""
        assert DistrictSlice().initial_state() == {
            "byId": {},
            "changeLog": [],
            "lastUpdatedAt": None,
        }

    def test_catalog_districts_are_the_initial_state(self) -> None:
        """Catalog definitions become records; default-unlocked routes have no unlock time."""
        slice_ = DistrictSlice([DOCKS])
        record = slice_.initial_state()["byId"]["docks"]
        assert record["stability"] == {
            "base": 60,
            "current": 60,
            "rating": "stable",
            "lastChangedAt": None,
        }
        assert record["security"]["level"] == 5
        assert [r["id"] for r in record["access"]["restrictions"]] == [
            "curfew",
            "docks_restriction_toll_1",
        ]
        assert record["access"]["unlockedRoutes"] == ["gate"]
        assert record["infiltrationRoutes"][1]["unlockedAt"] is None
        assert record["environment"] == {"weather": ["rain"], "hazards": [], "traversal": []}

    def test_catalog_is_copied_and_per_instance(self) -> None:
        """Mutating the catalog later, or one slice's state, does not leak."""
        definition = json.loads(json.dumps(DOCKS))
        slice_ = DistrictSlice([definition])
        definition["name"] = "Changed"
        assert slice_.initial_state()["byId"]["docks"]["name"] == "Old Docks"
        assert DistrictSlice().initial_state()["byId"] == {}

    def test_catalog_entry_without_id_is_refused(self) -> None:
        """A catalog definition needs a string id."""
        with pytest.raises(ConfigurationError, match="#1"):
            DistrictSlice([DOCKS, {"name": "nameless"}])

    def test_catalog_district_needs_no_registration(self) -> None:
        """Events about a catalog district apply without a district:registered."""
        slice_ = DistrictSlice([DOCKS])
        state = reduce_event(
            slice_,
            slice_.initial_state(),
            "district:fast_travel_set",
            {"districtId": "docks", "enabled": True},
            5,
        )
        assert state["byId"]["docks"]["access"]["fastTravelEnabled"] is True


class TestGuards:
    @pytest.mark.parametrize(
        ("event", "payload"),
        [
            ("district:registered", {"definition": DOCKS}),
            ("district:control_changed", {"districtId": "docks"}),
            ("district:control_changed", {"controllingFaction": "x"}),
            ("district:stability_set", {"districtId": "docks", "stability": "50"}),
            ("district:stability_set", {"districtId": "docks", "stability": True}),
            ("district:stability_set", {"stability": 50}),
            ("district:stability_adjusted", {"districtId": "docks", "delta": None}),
            (
                "district:restriction_set",
                {"districtId": "docks", "restrictionId": "c", "active": 1},
            ),
            ("district:restriction_set", {"districtId": "docks", "active": True}),
            ("district:route_unlocked", {"districtId": "docks"}),
            ("district:fast_travel_set", {"districtId": "docks", "enabled": "yes"}),
        ],
    )
    def test_guard_failures_dispatch_nothing(self, event: str, payload: dict[str, Any]) -> None:
        """Payloads failing the reference's guards build no action."""
        assert DistrictSlice().events[event](payload, 1) is None

    def test_aliases(self) -> None:
        """id / factionId stand in for districtId, controllingFaction, restrictionId, routeId."""
        events = DistrictSlice().events
        registered = events["district:registered"]({"id": "d"}, 1)
        assert registered is not None and registered.payload == {
            "districtId": "d",
            "definition": None,
        }
        control = events["district:control_changed"]({"districtId": "d", "factionId": "f"}, 1)
        assert control is not None and control.payload["controllingFaction"] == "f"
        route = events["district:route_unlocked"]({"districtId": "d", "id": "r"}, 1)
        assert route is not None and route.payload["routeId"] == "r"

    def test_unknown_district_changes_nothing(self) -> None:
        """Actions about a district neither registered nor in the catalog return the same state."""
        slice_ = DistrictSlice()
        state = slice_.initial_state()
        assert reduce_event(slice_, state, "district:registered", {"districtId": "x"}, 1) is state
        assert (
            reduce_event(
                slice_,
                state,
                "district:control_changed",
                {"districtId": "x", "controllingFaction": "f"},
                1,
            )
            is state
        )
        assert (
            slice_.reduce(state, Action("DISTRICT_REGISTERED", "npc", {"districtId": "x"}, 1))
            is state
        )


class TestActions:
    def test_registered(self) -> None:
        """Registration builds the record and logs it; re-registration only logs."""
        slice_, state = docks()
        record = state["byId"]["docks"]
        assert record["controllingFaction"] == {
            "base": "union",
            "current": "union",
            "previous": None,
            "lastChangedAt": None,
        }
        assert record["infiltrationRoutes"][1]["unlockedAt"] == 10
        assert state["changeLog"] == [
            {"type": "registered", "districtId": "docks", "timestamp": 10}
        ]
        again = reduce_event(
            slice_,
            state,
            "district:registered",
            {"districtId": "docks", "definition": {"name": "X"}},
            11,
        )
        assert again["byId"]["docks"]["name"] == "Old Docks"
        assert len(again["changeLog"]) == 2

    def test_control_changed(self) -> None:
        """Control changes record previous/current; the same controller again is a no-op."""
        slice_, state = docks()
        state = reduce_event(
            slice_,
            state,
            "district:control_changed",
            {"districtId": "docks", "controllingFaction": "ledger", "source": "q"},
            20,
        )
        control = state["byId"]["docks"]["controllingFaction"]
        assert control == {
            "base": "union",
            "current": "ledger",
            "previous": "union",
            "lastChangedAt": 20,
        }
        assert state["byId"]["docks"]["analytics"]["controlHistory"] == [
            {"timestamp": 20, "previous": "union", "current": "ledger", "source": "q"}
        ]
        assert (
            reduce_event(
                slice_,
                state,
                "district:control_changed",
                {"districtId": "docks", "controllingFaction": "ledger"},
                21,
            )
            is state
        )

    def test_stability_set_and_adjusted_are_clamped(self) -> None:
        """Stability is clamped to 0..100 on set and on adjustment."""
        slice_, state = docks()
        state = reduce_event(
            slice_,
            state,
            "district:stability_set",
            {"districtId": "docks", "stability": 140, "rating": "calm"},
            20,
        )
        stability = state["byId"]["docks"]["stability"]
        assert (stability["current"], stability["rating"], stability["lastChangedAt"]) == (
            100,
            "calm",
            20,
        )
        assert state["changeLog"][-1] == {
            "type": "stability_set",
            "districtId": "docks",
            "value": 100,
            "rating": "calm",
            "source": None,
            "timestamp": 20,
        }
        state = reduce_event(
            slice_, state, "district:stability_adjusted", {"districtId": "docks", "delta": -250}, 21
        )
        assert state["byId"]["docks"]["stability"]["current"] == 0
        assert state["byId"]["docks"]["analytics"]["stabilityHistory"][-1] == {
            "timestamp": 21,
            "value": 0,
            "delta": -250,
            "source": None,
        }

    def test_restriction_set(self) -> None:
        """Known restrictions toggle; unknown ones are created; activation counts a lockdown."""
        slice_, state = docks()
        state = reduce_event(
            slice_,
            state,
            "district:restriction_set",
            {"districtId": "docks", "restrictionId": "curfew", "active": True},
            20,
        )
        record = state["byId"]["docks"]
        assert record["access"]["restrictions"][0]["active"] is True
        assert record["access"]["restrictions"][0]["lastChangedAt"] == 20
        assert record["analytics"]["lockdownsTriggered"] == 1
        assert record["analytics"]["lastLockdownAt"] == 20
        state = reduce_event(
            slice_,
            state,
            "district:restriction_set",
            {
                "districtId": "docks",
                "restrictionId": "raid",
                "active": False,
                "metadata": {"type": "police"},
            },
            21,
        )
        created = state["byId"]["docks"]["access"]["restrictions"][-1]
        assert created == {
            "id": "raid",
            "type": "police",
            "description": "",
            "active": False,
            "lastChangedAt": None,
            "metadata": {"type": "police"},
        }
        assert state["byId"]["docks"]["analytics"]["lockdownsTriggered"] == 1
        assert state["byId"]["docks"]["access"]["restrictionLog"][-1] == {
            "restrictionId": "raid",
            "active": False,
            "timestamp": 21,
        }

    def test_route_unlocked(self) -> None:
        """Only known, locked routes unlock; others change nothing."""
        slice_, state = docks()
        state = reduce_event(
            slice_,
            state,
            "district:route_unlocked",
            {"districtId": "docks", "routeId": "sewer", "source": "tip"},
            20,
        )
        record = state["byId"]["docks"]
        assert record["infiltrationRoutes"][0]["unlocked"] is True
        assert record["infiltrationRoutes"][0]["unlockedAt"] == 20
        assert record["access"]["unlockedRoutes"] == ["gate", "sewer"]
        assert (
            reduce_event(
                slice_,
                state,
                "district:route_unlocked",
                {"districtId": "docks", "routeId": "sewer"},
                21,
            )
            is state
        )
        assert (
            reduce_event(
                slice_,
                state,
                "district:route_unlocked",
                {"districtId": "docks", "routeId": "gate"},
                21,
            )
            is state
        )
        assert (
            reduce_event(
                slice_,
                state,
                "district:route_unlocked",
                {"districtId": "docks", "routeId": "nope"},
                21,
            )
            is state
        )

    def test_fast_travel_set(self) -> None:
        """Fast travel toggles and logs; setting the current value is a no-op."""
        slice_, state = docks()
        assert (
            reduce_event(
                slice_,
                state,
                "district:fast_travel_set",
                {"districtId": "docks", "enabled": False},
                20,
            )
            is state
        )
        state = reduce_event(
            slice_, state, "district:fast_travel_set", {"districtId": "docks", "enabled": True}, 20
        )
        assert state["byId"]["docks"]["access"]["fastTravelEnabled"] is True
        assert state["changeLog"][-1] == {
            "type": "fast_travel_set",
            "districtId": "docks",
            "enabled": True,
            "timestamp": 20,
        }
        assert state["lastUpdatedAt"] == 20

    def test_old_state_is_not_mutated(self) -> None:
        """Reducers never change the state they were given."""
        slice_, before = docks()
        frozen = json.dumps(before)
        reduce_event(
            slice_,
            before,
            "district:restriction_set",
            {"districtId": "docks", "restrictionId": "curfew", "active": True},
            1,
        )
        reduce_event(
            slice_,
            before,
            "district:route_unlocked",
            {"districtId": "docks", "routeId": "sewer"},
            1,
        )
        reduce_event(
            slice_, before, "district:stability_adjusted", {"districtId": "docks", "delta": 5}, 1
        )
        assert json.dumps(before) == frozen


class TestLimits:
    def test_history_limits(self) -> None:
        """controlHistory 10, stabilityHistory 25, restrictionLog 20, changeLog 50."""
        slice_, state = docks()
        for ts in range(100, 160):
            faction = "a" if ts % 2 else "b"
            state = reduce_event(
                slice_,
                state,
                "district:control_changed",
                {"districtId": "docks", "controllingFaction": faction},
                ts,
            )
            state = reduce_event(
                slice_,
                state,
                "district:stability_adjusted",
                {"districtId": "docks", "delta": 1},
                ts,
            )
            state = reduce_event(
                slice_,
                state,
                "district:restriction_set",
                {"districtId": "docks", "restrictionId": "curfew", "active": ts % 2 == 0},
                ts,
            )
        record = state["byId"]["docks"]
        assert len(record["analytics"]["controlHistory"]) == CONTROL_HISTORY_LIMIT
        assert len(record["analytics"]["stabilityHistory"]) == STABILITY_HISTORY_LIMIT
        assert len(record["access"]["restrictionLog"]) == RESTRICTION_LOG_LIMIT
        assert len(state["changeLog"]) == CHANGE_LOG_LIMIT
        assert record["analytics"]["controlHistory"][-1]["timestamp"] == 159
        assert state["changeLog"][-1]["timestamp"] == 159
        assert record["stability"]["current"] == 100
        assert record["analytics"]["lockdownsTriggered"] == 30


class TestSnapshot:
    def test_round_trip(self) -> None:
        """hydrate(serialize(x)) serialises identically."""
        slice_, state = docks()
        state = reduce_event(
            slice_, state, "district:stability_adjusted", {"districtId": "docks", "delta": -5}, 20
        )
        section = slice_.serialize(state)
        assert json.dumps(
            slice_.serialize(slice_.hydrate(json.loads(json.dumps(section))))
        ) == json.dumps(section)

    def test_hydrate_overlays_catalog(self) -> None:
        """Catalog districts stay; snapshot records win over their definitions."""
        slice_ = DistrictSlice([DOCKS, {"id": "spires", "name": "Spires"}])
        state = slice_.hydrate(
            {"byId": {"docks": {"id": "docks", "stability": {"current": 5}}}, "lastUpdatedAt": 9}
        )
        assert list(state["byId"]) == ["docks", "spires"]
        assert state["byId"]["docks"]["name"] == "Old Docks"
        assert state["byId"]["docks"]["stability"]["current"] == 5
        assert state["lastUpdatedAt"] == 9
        assert slice_.hydrate(None) == slice_.initial_state()

    def test_hydrate_keeps_key_order_and_copies_every_entry(self) -> None:
        """Unknown entries keep their place among the rebuilt parts and are copied, not shared."""
        extra = {"notes": ["a"]}
        record = {"lore": extra, "stability": {"current": 5}, "id": "docks", "tier": "x"}
        hydrated = DistrictSlice().hydrate({"byId": {"docks": record}})["byId"]["docks"]
        assert list(hydrated)[:4] == ["lore", "stability", "id", "tier"]
        assert hydrated["lore"] == extra and hydrated["lore"] is not extra
        assert hydrated["lore"]["notes"] is not extra["notes"]
        assert hydrated["stability"]["current"] == 5

    def test_schema_rejects_wrong_types(self) -> None:
        """A byId that is not an object is rejected with its JSON path."""
        slice_ = DistrictSlice()
        with pytest.raises(msgspec.ValidationError) as caught:
            msgspec.convert({"byId": "docks"}, slice_.snapshot_schema)
        assert str(caught.value).endswith("- at `$.byId`")
        with pytest.raises(msgspec.ValidationError) as caught:
            msgspec.convert({"changeLog": {}}, slice_.snapshot_schema)
        assert str(caught.value).endswith("- at `$.changeLog`")


class TestSelectors:
    def test_root_and_all_districts(self) -> None:
        """select_all_districts lists records in insertion order, memoised per cache."""
        slice_ = DistrictSlice([DOCKS, {"id": "spires"}])
        state = slice_.initial_state()
        root = {"district": state}
        assert select_root(root) is state
        cache = SelectorCache()
        districts = cache.run(select_all_districts, root, ())
        assert [d["id"] for d in districts] == ["docks", "spires"]
        assert cache.run(select_all_districts, {"district": state}, ()) is districts
