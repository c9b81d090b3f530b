"""Budget-status report (REFERENCE §8.5, Appendix B)."""

from __future__ import annotations

import json

from worldstate.inspector import (
    InspectorPayload,
    budget_artifacts,
    build_budget_report,
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


def _over_budget_report() -> dict[str, object]:
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
    assert report["generatedIso"] == "2025-01-01T00:00:00.000Z"


def test_default_run_without_spatial_metrics() -> None:
    payload = sanitize_summary(None, now=1761843600000)
    report = build_budget_report(payload)
    assert report == {
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
    assert list(json.loads(json_artifact.content)) == list(report)
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
    assert report["events"] == [
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
