"""Acceptance: replaying each golden log reproduces the reference store's snapshot."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from tests._paths import REPLAY_GOLDENS

from ._helpers import load_json, replay_log

EXACT = ("factions", "tutorial", "quests", "storyFlags")


def shape(value: Any) -> Any:
    """Keys (recursively) and value types, ignoring the values themselves."""
    if isinstance(value, dict):
        return {key: shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [shape(item) for item in value]
    return type(value).__name__


@pytest.mark.parametrize("case", REPLAY_GOLDENS, ids=lambda p: p.name)
class TestReplayGoldens:
    def test_sections_equal_reference(self, case: Path) -> None:
        """factions, tutorial, quests and storyFlags equal the reference's by value."""
        snapshot = replay_log(case / "events.jsonl").snapshot()
        reference = load_json(case / "reference_snapshot.json")
        for key in EXACT:
            assert snapshot[key] == reference[key], key

    def test_other_sections_have_reference_shape(self, case: Path) -> None:
        """Every top-level key is present, in order, with the reference's shape."""
        snapshot = replay_log(case / "events.jsonl").snapshot()
        reference = load_json(case / "reference_snapshot.json")
        assert list(snapshot) == list(reference)
        for key in reference:
            assert shape(snapshot[key]) == shape(reference[key]), key
