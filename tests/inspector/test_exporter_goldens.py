"""Every exporter golden: a stored summary sanitised and rendered gives exactly ``expected/``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from worldstate.inspector import render_artifacts, sanitize_summary

from ._golden import EXPORTER_CASES, assert_matches_expected


@pytest.mark.parametrize("case", EXPORTER_CASES, ids=lambda p: p.name)
def test_exporter_golden(case: Path) -> None:
    data = json.loads((case / "input.json").read_text(encoding="utf-8"))
    payload = sanitize_summary(data["summary"], now=data["now"])
    artifacts = render_artifacts(payload, prefix=data["prefix"], formats=data["formats"])
    assert_matches_expected(artifacts, case / "expected")


@pytest.mark.parametrize("case", EXPORTER_CASES, ids=lambda p: p.name)
def test_json_artifact_is_byte_identical_too(case: Path) -> None:
    """Our JSON text is the reference's text (JS number formatting, indent, raw UTF-8)."""
    data = json.loads((case / "input.json").read_text(encoding="utf-8"))
    payload = sanitize_summary(data["summary"], now=data["now"])
    [artifact] = render_artifacts(payload, prefix=data["prefix"], formats=["json"])
    assert artifact.content.encode("utf-8") == (case / "expected" / artifact.filename).read_bytes()


def test_artifacts_come_in_fixed_order_whatever_was_requested() -> None:
    data = json.loads((EXPORTER_CASES[0] / "input.json").read_text(encoding="utf-8"))
    payload = sanitize_summary(data["summary"], now=data["now"])
    artifacts = render_artifacts(payload, prefix="p", formats=["md", "transcript", "csv", "json"])
    assert [(a.type, a.section) for a in artifacts] == [
        ("json", None),
        ("csv", "cascade"),
        ("csv", "tutorial"),
        ("transcript-csv", "tutorial-transcript"),
        ("transcript-md", "tutorial-transcript"),
    ]
    assert [a.mime_type for a in artifacts] == [
        "application/json",
        "text/csv",
        "text/csv",
        "text/csv",
        "text/markdown",
    ]
