"""The raw summary built from a store (REFERENCE §3.8, §3.9)."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from worldstate.clock import ManualClock
from worldstate.events import EventBus
from worldstate.inspector import (
    SelectableStore,
    SummarySection,
    build_budget_report,
    build_summary,
    render_artifacts,
    sanitize_summary,
)
from worldstate.store import WorldStore
from worldstate.store.slices import faction

NOW = 1761843600000


@pytest.fixture(name="bus")
def _bus() -> EventBus:
    return EventBus()


@pytest.fixture(name="store")
def _store(bus: EventBus) -> WorldStore:
    return WorldStore(bus, clock=ManualClock(NOW))


def test_key_order_and_source(store: WorldStore) -> None:
    summary = build_summary(store)
    assert list(summary) == [
        "generatedAt",
        "source",
        "factions",
        "tutorial",
        "engine",
        "controlBindings",
        "districts",
        "npcs",
    ]
    assert (summary["generatedAt"], summary["source"]) == (NOW, "worldStateStore")
    assert summary["controlBindings"]["source"] == "unavailable"
    assert "dwell" in summary["controlBindings"]


def test_without_a_store_the_summary_is_unavailable() -> None:
    summary = build_summary(None, clock=ManualClock(5))
    assert (summary["generatedAt"], summary["source"]) == (5, "unavailable")
    assert summary["factions"]["cascadeTargets"] == []


def _raises() -> object:
    raise RuntimeError("probe broke")


@pytest.mark.parametrize(
    ("provider", "source"),
    [(lambda: None, "empty"), (dict, "empty"), (_raises, "error")],
)
def test_control_bindings_provider_outcomes(
    store: WorldStore, provider: Any, source: str, caplog: pytest.LogCaptureFixture
) -> None:
    summary = build_summary(store, control_bindings_provider=provider)
    assert summary["controlBindings"]["source"] == source


def test_control_bindings_are_normalised_once_without_truncation(store: WorldStore) -> None:
    actions = [f"a{i}" for i in range(8)]
    summary = build_summary(
        store,
        control_bindings_provider=lambda: {
            "source": "raw",
            "actionsVisited": actions,
            "actionsVisitedCount": 8,
        },
    )
    payload = sanitize_summary(summary, now=NOW)
    block = payload.body["controlBindings"]
    assert block["source"] == "observation-log"
    assert block["actionsVisited"] == actions
    assert block["actionsVisitedCount"] == 8


def test_spatial_provider_dict_non_dict_and_failure(store: WorldStore) -> None:
    assert build_summary(store, spatial_provider=lambda: {"cellSize": 8})["engine"] == {
        "spatialHash": {"cellSize": 8}
    }
    assert build_summary(store, spatial_provider=lambda: [1])["engine"]["spatialHash"] is None


def test_a_spatial_provider_that_raises_is_recorded_as_an_error_and_logged_once(
    store: WorldStore, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="worldstate.inspector"):
        summary = build_summary(store, spatial_provider=_raises)
    error = {"source": "error", "errorMessage": "RuntimeError: probe broke"}
    assert summary["engine"]["spatialHash"] == error
    assert [r.getMessage() for r in caplog.records] == [
        "spatial metrics provider failed; exporting its error"
    ]
    payload = sanitize_summary(summary, now=NOW)
    assert payload.body["engine"]["spatialHash"] == error
    assert build_budget_report(payload).status == "unknown"


def test_a_control_bindings_provider_that_raises_keeps_its_message(store: WorldStore) -> None:
    summary = build_summary(store, control_bindings_provider=_raises)
    block = sanitize_summary(summary, now=NOW).body["controlBindings"]
    assert (block["source"], block["errorMessage"]) == ("error", "RuntimeError: probe broke")


class _Weather:
    key = "weather"

    def build(self, store: SelectableStore) -> Any:
        return {"factions": len(store.select(faction.select_cascade_summary)["cascadeTargets"])}


def test_game_sections_are_appended_and_exported(store: WorldStore) -> None:
    section: SummarySection = _Weather()
    summary = build_summary(store, sections=[section])
    assert list(summary)[-1] == "weather"
    payload = sanitize_summary(summary, now=NOW)
    assert payload.body["weather"] == {"factions": 0}


def test_section_key_collision_is_refused(store: WorldStore) -> None:
    class Clash:
        key = "npcs"

        def build(self, store: SelectableStore) -> Any:
            return 1

    with pytest.raises(ValueError, match="'npcs'"):
        build_summary(store, sections=[Clash()])


def test_names_seen_in_the_world_fill_target_rows(bus: EventBus, store: WorldStore) -> None:
    bus.emit(
        "faction:attitude_changed",
        {
            "factionId": "v",
            "factionName": "Velvet",
            "newAttitude": "allied",
            "cascade": True,
            "source": "s",
            "sourceFactionName": "Source",
        },
    )
    bus.emit("faction:attitude_changed", {"factionId": "w", "cascade": True, "source": "v"})
    summary = build_summary(store)
    assert summary["factions"]["factionNames"] == {"v": "Velvet", "s": "Source"}
    cascade = render_artifacts(sanitize_summary(summary, now=NOW), formats=["csv"])[0]
    rows = [line.split(",") for line in cascade.content.splitlines()[1:]]
    assert [(r[0], r[1], r[2], r[5]) for r in rows] == [
        ("last_event", "w", "w", "Velvet"),
        ("target", "v", "Velvet", "Source"),
        ("target", "w", "w", "Velvet"),
    ]


def test_npc_block_lists_the_ten_newest_flags_ties_in_order() -> None:
    """Of many flagged NPCs the ten newest are listed, newest first; ties and undated flags
    keep the order the NPCs were seen in (as a stable sort would)."""
    from worldstate.inspector._blocks import npc_block

    times = [5, None, 9, 9, 1, "x", 9, 3, 7, 7, 2, None, 8, 6, 9, 4]
    summaries = [
        {"id": f"n{i}", "alert": {"active": True, "updatedAt": t}, "lastInteractionAt": 100 + i}
        if t is not None
        else {"id": f"n{i}", "alert": {"active": True}}
        for i, t in enumerate(times)
    ]
    block = npc_block({}, summaries)

    def dated(entry: dict[str, Any]) -> float:
        t = entry["updatedAt"]
        return -t if isinstance(t, int | float) else 0.0

    expected = sorted(
        (
            {
                "id": s["id"],
                "updatedAt": s["alert"].get("updatedAt")
                if isinstance(s["alert"].get("updatedAt"), int)
                else s.get("lastInteractionAt"),
            }
            for s in summaries
        ),
        key=dated,
    )[:10]
    assert [(e["id"], e["updatedAt"]) for e in block["alerts"]] == [
        (e["id"], e["updatedAt"]) for e in expected
    ]
    assert block["metrics"]["alerts"] == len(times)


def test_npc_block_metrics_follow_javascript_rules_for_odd_summaries() -> None:
    """Counts come from the summary, else its interactions; flags and knowsPlayer are truthy."""
    from types import MappingProxyType

    from worldstate.inspector._blocks import npc_block

    summaries: list[object] = [
        {"witnessedCrimes": 2, "knowsPlayer": True, "alert": {"active": True}},
        {"witnessedCrimes": None, "interactions": {"witnessedCrimes": 3}, "knowsPlayer": 1},
        {"interactions": {"witnessedCrimes": 1.5}, "knowsPlayer": "", "suspicion": {"active": 1}},
        {"witnessedCrimes": -4, "knowsPlayer": "yes", "alert": {"active": 0}},
        {"witnessedCrimes": True, "suspicion": MappingProxyType({"active": "x"})},
        {"witnessedCrimes": "7", "knowsPlayer": False, "alert": "on"},
        MappingProxyType({"witnessedCrimes": 5, "knowsPlayer": [], "alert": {"active": []}}),
        "not an npc",
    ]
    metrics = npc_block({}, summaries)["metrics"]
    assert metrics == {
        "total": 7,
        "alerts": 2,
        "suspicious": 2,
        "knowsPlayer": 4,
        "witnessedCrimes": 2 + 3 + 1.5 + 5,
    }
