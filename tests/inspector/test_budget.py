"""Budget-status report (REFERENCE §8.5, Appendix B)."""

from __future__ import annotations

import dataclasses
import json

import pytest

from worldstate.inspector import (
    BudgetEvent,
    BudgetReport,
    InspectorPayload,
    budget_artifacts,
    build_budget_report,
    normalize_budget_events,
    render_budget_markdown,
    sanitize_summary,
)

APPENDIX_B_MARKDOWN = """## Telemetry Payload Budget

- Current status: `exceeds_budget` ⚠️
- Payload size: 13000 bytes / budget 12288 bytes
- Exceeded by: 712 bytes
- Events recorded: 1

| Status | Payload bytes | Exceeded | Recorded | Context |
| --- | --- | --- | --- | --- |
| exceeds_budget | 13000 | 712 | 2025-01-01T00:00:00.000Z | {"prefix":"wh"} |

> ⚠️ **Action required:** Inspector exports exceeded the payload budget. Investigate spatial history retention and adjust `SPATIAL_HISTORY_BUDGET_BYTES` if necessary.
"""  # noqa: E501

JAN_1 = 1735689600000


def _over_budget_report() -> BudgetReport:
    payload = InspectorPayload(
        {
            "generatedAt": JAN_1,
            "engine": {
                "spatialHash": {
                    "payloadBytes": 13000,
                    "payloadBudgetBytes": 12288,
                    "payloadBudgetStatus": "exceeds_budget",
                    "payloadBudgetExceededBy": 712,
                }
            },
        }
    )
    event = {
        "status": "exceeds_budget",
        "type": "spatialHash",
        "payloadBytes": 13000,
        "budgetBytes": 12288,
        "exceededBy": 712,
        "context": {"prefix": "wh"},
        "recordedAt": JAN_1,
    }
    return build_budget_report(payload, [event, "not an event"])


def test_appendix_b_markdown_byte_for_byte() -> None:
    report = _over_budget_report()
    [json_artifact, md_artifact] = budget_artifacts(report, prefix="wh")
    assert md_artifact.filename == "wh-budget-status.md"
    assert md_artifact.content == APPENDIX_B_MARKDOWN
    assert md_artifact.content.encode("utf-8") == APPENDIX_B_MARKDOWN.encode("utf-8")
    assert (md_artifact.type, md_artifact.section, md_artifact.mime_type) == (
        "markdown",
        "budget-status",
        "text/markdown",
    )
    assert json_artifact.filename == "wh-budget-status.json"
    assert json.loads(json_artifact.content)["hasBudgetOverruns"] is True
    assert report.generated_iso == "2025-01-01T00:00:00.000Z"
    assert json.loads(json_artifact.content) == report.to_json()


def test_default_run_without_spatial_metrics() -> None:
    payload = sanitize_summary(None, now=1761843600000)
    report = build_budget_report(payload)
    assert report == BudgetReport(status="unknown", generated_at=1761843600000)
    assert report.to_json() == {
        "status": "unknown",
        "payloadBytes": None,
        "budgetBytes": None,
        "exceededBy": None,
        "generatedAt": 1761843600000,
        "generatedIso": "2025-10-30T17:00:00.000Z",
        "events": [],
        "hasBudgetOverruns": False,
    }
    [json_artifact, md_artifact] = budget_artifacts(report, prefix="p")
    assert md_artifact.content == (
        "## Telemetry Payload Budget\n\n- Current status: `unknown` ❔\n- Events recorded: 0\n\n"
        "No budget events were emitted during the export run.\n\n"
    )
    assert list(json.loads(json_artifact.content)) == list(report.to_json())
    assert json_artifact.content.endswith("}\n")


def test_missing_report_and_escaped_event_cells() -> None:
    assert render_budget_markdown(None) == (
        "## Telemetry Payload Budget\n\nNo budget telemetry recorded during export."
    )
    report = build_budget_report(None, [{"status": "within_budget", "context": "a|b\nc"}])
    lines = render_budget_markdown(report).split("\n")
    assert "| within_budget | — | — | — | a\\|b<br>c |" in lines


def test_event_normalisation_coerces_numbers() -> None:
    report = build_budget_report(
        None, [{"payloadBytes": "12", "budgetBytes": None, "exceededBy": "x", "recordedAt": -5}]
    )
    assert report.events == (BudgetEvent(payload_bytes=12, budget_bytes=0),)
    assert report.to_json()["events"] == [
        {
            "status": "unknown",
            "type": None,
            "payloadBytes": 12,
            "budgetBytes": 0,
            "exceededBy": None,
            "context": None,
            "recordedAt": None,
        }
    ]


def test_report_json_keys_are_the_references_in_order() -> None:
    """``to_json`` is exactly §8.5's document: every key, in the reference's order."""
    document = _over_budget_report().to_json()
    assert list(document) == [
        "status",
        "payloadBytes",
        "budgetBytes",
        "exceededBy",
        "generatedAt",
        "generatedIso",
        "events",
        "hasBudgetOverruns",
    ]
    assert list(document["events"][0]) == [
        "status",
        "type",
        "payloadBytes",
        "budgetBytes",
        "exceededBy",
        "context",
        "recordedAt",
    ]
    assert document["events"][0]["context"] == {"prefix": "wh"}


def test_overruns_come_from_the_status_or_any_event() -> None:
    within = BudgetReport(status="within_budget")
    assert not within.has_budget_overruns
    assert not dataclasses.replace(
        within, events=(BudgetEvent("within_budget"),)
    ).has_budget_overruns
    assert dataclasses.replace(within, events=(BudgetEvent("exceeds_budget"),)).has_budget_overruns
    assert BudgetReport(status="exceeds_budget").has_budget_overruns
    assert BudgetReport(generated_at=0).generated_iso is None


def test_records_are_frozen_and_do_not_share_their_context() -> None:
    """Mutating the input or a ``to_json`` result never changes a record."""
    context: dict[str, object] = {"prefix": "a", "tags": ["x"]}
    [event] = normalize_budget_events([{"status": "within_budget", "context": context}])
    context["prefix"] = "b"
    report = build_budget_report(None, [event])
    document = report.to_json()
    document["events"][0]["context"]["tags"].append("y")
    assert event.context == {"prefix": "a", "tags": ["x"]}
    assert report.to_json()["events"][0]["context"] == {"prefix": "a", "tags": ["x"]}
    with pytest.raises(dataclasses.FrozenInstanceError):
        report.status = "exceeds_budget"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        event.status = "exceeds_budget"  # type: ignore[misc]


def test_normalize_keeps_records_and_drops_non_mappings() -> None:
    record = BudgetEvent("exceeds_budget", recorded_at=5)
    events = normalize_budget_events([record, None, 3, "x", {"status": 7, "type": ["t"]}])
    assert events == (record, BudgetEvent("unknown"))
    assert events[0] is record
