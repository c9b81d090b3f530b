"""The JSON payload (REFERENCE §4.3 to §4.9) and the fixes D1 and D5."""

from __future__ import annotations

import pytest

from worldstate.errors import SnapshotError
from worldstate.inspector import duration_label, render_artifacts, sanitize_summary

NOW = 1761843600000


def _cascade_rows(summary: dict[str, object], **kwargs: object) -> list[list[str]]:
    payload = sanitize_summary(summary, now=NOW, **kwargs)  # type: ignore[arg-type]
    cascade = render_artifacts(payload, formats=["csv"])[0]
    return [line.split(",") for line in cascade.content.splitlines()[1:]]


def test_faction_names_resolve_own_then_catalog_then_seen_then_id() -> None:
    summary = {
        "factions": {
            "lastCascadeEvent": {
                "targetFactionId": "a",
                "targetFactionName": "Own A",
                "sourceFactionId": "b",
            },
            "cascadeTargets": [
                {"factionId": "a", "cascadeCount": 3, "lastCascade": {"sourceFactionId": "c"}},
                {"factionId": "b", "cascadeCount": 2},
                {"factionId": "d", "cascadeCount": 1},
                {"cascadeCount": 9},
            ],
            "factionNames": {"a": "Seen A", "b": "Seen B", "c": "Seen C"},
        }
    }
    rows = _cascade_rows(summary, faction_names={"b": "Catalog B"})
    assert [(r[0], r[1], r[2]) for r in rows] == [
        ("last_event", "a", "Own A"),
        ("target", "a", "Seen A"),
        ("target", "b", "Catalog B"),
        ("target", "d", "d"),
    ]
    assert rows[0][5] == "Catalog B"  # source name: no own name, catalog wins over seen
    assert rows[1][5] == "Seen C"


def test_npc_faction_names_use_the_same_resolution() -> None:
    npcs = {
        "alerts": [
            {"id": "n1", "factionId": "a"},
            {"id": "n2", "factionId": "z", "factionName": "Own"},
            {"id": "n3"},
            "junk",
        ]
    }
    payload = sanitize_summary(
        {"npcs": npcs, "factions": {"factionNames": {"a": "Seen A"}}}, now=NOW
    )
    names = [entry["factionName"] for entry in payload.body["npcs"]["alerts"]]
    assert names == ["Seen A", "Own", "", None]
    assert payload.body["npcs"]["alerts"][3] == dict.fromkeys(
        ["id", "name", "factionId", "factionName", "status", "reason", "updatedAt", "updatedIso"]
    )


def test_never_set_timestamps_stay_null() -> None:
    districts = {
        "lastUpdatedAt": None,
        "restrictedDistricts": [
            {
                "id": "d",
                "restrictions": [{"id": "lock1", "lastChangedAt": None}],
                "lastLockdownAt": 1761843600000,
            }
        ],
    }
    payload = sanitize_summary({"districts": districts, "npcs": {"lastUpdatedAt": None}}, now=NOW)
    block = payload.body["districts"]
    assert (block["lastUpdatedAt"], block["lastUpdatedIso"]) == (None, None)
    restriction = block["restrictedDistricts"][0]["restrictions"][0]
    assert restriction == {
        "id": "lock1",
        "type": "generic",
        "description": "",
        "lastChangedAt": None,
        "lastChangedIso": None,
    }
    assert block["restrictedDistricts"][0]["lastLockdownIso"] == "2025-10-30T17:00:00.000Z"
    assert block["restrictedDistricts"][0]["activeRestrictionCount"] == 1
    assert payload.body["npcs"]["lastUpdatedIso"] is None


def test_appendix_a_edge_fixture() -> None:
    summary = {
        "generatedAt": 0,
        "factions": {
            "cascadeTargets": [
                {"cascadeCount": 5},
                {
                    "factionId": "f",
                    "cascadeCount": 1,
                    "sources": ["a", None, "b,c"],
                    "lastCascade": {"occurredAt": 0},
                },
            ]
        },
        "tutorial": {"snapshots": [{"event": "e", "totalSteps": "3", "stepTitle": "Line1\nLine2"}]},
        "controlBindings": {
            "dwell": {"count": 3, "totalMs": 3750, "maxMs": 125000},
            "ratios": {"selectionBlocked": {"numerator": 1, "denominator": 8}},
        },
    }
    payload = sanitize_summary(summary, now=NOW)
    json_file, cascade, tutorial = render_artifacts(payload)
    assert json_file.filename == "save-inspector-summary-00000000T000000Z.json"
    assert cascade.content.splitlines()[1] == 'target,f,f,1,,,,0,,"a||b,c"'
    assert tutorial.content.split("\n", 1)[1].startswith('e,,,,,,"Line1\nLine2",,')
    dwell = payload.body["controlBindings"]["dwell"]
    assert (dwell["averageMs"], dwell["averageLabel"], dwell["maxLabel"]) == (1250, "1.3s", "2m 5s")
    ratio = payload.body["controlBindings"]["ratios"]["selectionBlocked"]
    assert (ratio["value"], ratio["percentage"]) == (0.125, "13%")


@pytest.mark.parametrize(
    ("ms", "label"),
    [(0, "0s"), (999, "999ms"), (1250, "1.3s"), (10500, "11s"), (60000, "1m"), (125000, "2m 5s")],
)
def test_duration_labels(ms: int, label: str) -> None:
    assert duration_label(ms) == label


def test_spatial_payload_bytes_and_budget() -> None:
    spatial = {
        "cellSize": 64,
        "window": 3,
        "sampleCount": 2,
        "history": [
            {"cellCount": 1, "maxBucketSize": 2, "trackedEntities": 3, "timestamp": 4},
            "junk",
        ],
        "stats": {"insertions": 3, "updates": "x"},
    }
    payload = sanitize_summary({"engine": {"spatialHash": spatial}}, now=NOW)
    result = payload.body["engine"]["spatialHash"]
    history_json = '[{"cellCount":1,"maxBucketSize":2,"trackedEntities":3,"timestamp":4}]'
    assert result["payloadBytes"] == len(history_json)
    assert result["payloadBudgetStatus"] == "within_budget"
    assert result["stats"] == {"insertions": 3, "updates": 0, "removals": 0}
    assert result["aggregates"] == {
        "cellCount": None,
        "maxBucketSize": None,
        "trackedEntities": None,
    }
    assert result["lastSample"] == result["history"][0]


def test_extra_sections_are_kept_after_npcs() -> None:
    payload = sanitize_summary({"weather": {"rain": 0.5}}, now=NOW)
    assert list(payload.body)[-2:] == ["npcs", "weather"]
    assert payload.body["weather"] == {"rain": 0.5}


def test_payload_does_not_share_state_with_the_summary() -> None:
    summary = {"factions": {"cascadeTargets": [{"factionId": "a", "sources": ["x"]}]}}
    payload = sanitize_summary(summary, now=NOW)
    summary["factions"]["cascadeTargets"][0]["sources"].append("y")  # type: ignore[index]
    assert payload.body["factions"]["cascadeTargets"][0]["sources"] == ["x"]


@pytest.mark.parametrize("bad", ["soon", float("nan"), True])
def test_unusable_generated_at_names_its_path(bad: object) -> None:
    with pytest.raises(SnapshotError, match=r"\$\.generatedAt"):
        sanitize_summary({"generatedAt": bad}, now=NOW)


def test_missing_summary_uses_now() -> None:
    payload = sanitize_summary(None, now=NOW)
    assert (payload.generated_at, payload.source) == (NOW, "unavailable")
    assert payload.body["generatedIso"] == "2025-10-30T17:00:00.000Z"


def test_json_clone_copies_flat_leaves_and_normalises_the_rest() -> None:
    from worldstate._js import ABSENT
    from worldstate.inspector._sanitize import json_clone

    steps = ["a", 1, 2.5, True, None]
    timeline = {"a": 1, "b": None}
    value = {
        "steps": steps,
        "timeline": timeline,
        "pair": ("x", 1),
        "sparse": [1, ABSENT, 2],
        "keys": {1: "one", "two": ABSENT},
        "nested": [steps, {"t": timeline}],
    }
    clone = json_clone(value)
    assert clone == {
        "steps": steps,
        "timeline": timeline,
        "pair": ["x", 1],
        "sparse": [1, None, 2],  # an absent item reads as null
        "keys": {"1": "one"},
        "nested": [steps, {"t": timeline}],
    }
    assert clone["steps"] is not steps and clone["nested"][0] is not steps
    assert clone["timeline"] is not timeline and clone["nested"][1]["t"] is not timeline
