"""A ``--summary`` file is recognised by its shape and checked for what renderers need."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from worldstate.cli import cli
from worldstate.errors import SnapshotError
from worldstate.inspector._summary_schema import check_summary


def refused(data: object) -> str:
    with pytest.raises(SnapshotError) as caught:
        check_summary(data, source="s.json")
    return str(caught.value)


class TestShape:
    def test_an_unknown_object_is_refused(self) -> None:
        """``{"foo": 1}`` is not a summary: the message lists what one has."""
        assert refused({"foo": 1}).startswith(
            "s.json, at $: this does not look like an inspector summary: it has none of"
        )

    def test_a_snapshot_is_named_as_one(self) -> None:
        """A world snapshot shares some keys with a summary; its own keys give it away."""
        message = refused({"quests": {}, "factions": {}, "tutorialComplete": False})
        assert "this is a world snapshot (it has quests, tutorialComplete)" in message
        assert "use --snapshot" in message

    def test_an_event_is_named_as_one(self) -> None:
        """One line of an event log is not a summary either."""
        assert "use --events" not in refused({"foo": 1})
        assert "replay an event log with --events" in refused(
            {"event": "x", "ts": 1, "payload": {}}
        )

    @pytest.mark.parametrize("data", [[1], "x", 3, True])
    def test_not_an_object(self, data: object) -> None:
        assert "a summary must be a JSON object or null" in refused(data)

    def test_null_and_a_minimal_summary_pass(self) -> None:
        assert check_summary(None, source="s") is None
        assert check_summary({"source": "game"}, source="s") == {"source": "game"}


class TestTimestamps:
    @pytest.mark.parametrize(
        ("value", "kind"),
        [([1, 2], "an array"), ({"t": 1}, "an object"), ("soon", "a string"), (9e15, "a number")],
    )
    def test_an_unformattable_timestamp_is_refused_with_its_path(
        self, value: object, kind: str
    ) -> None:
        """What would crash the ISO formatting is refused before rendering."""
        data = {"factions": {"lastCascadeEvent": {"occurredAt": value}}}
        assert refused(data) == (
            "s.json, at $.factions.lastCascadeEvent.occurredAt: a timestamp must be empty or "
            f"ms since the epoch within ±8.64e15, got {kind}"
        )

    @pytest.mark.parametrize("value", [None, 0, "", False, 1767258074700, "1767258074700"])
    def test_empty_or_numeric_timestamps_pass(self, value: object) -> None:
        """Empty values are not formatted; numbers (and numeric strings) are."""
        data = {"tutorial": {"latestSnapshot": {"timestamp": value}}}
        assert check_summary(data, source="s") == data


def test_a_reexported_summary_reproduces_its_artifacts(tmp_path: Path) -> None:
    """Exporting the summary artifact again gives the same files, names and ratings included."""
    env = {"CI": "", "BUILD_ID": "", "GITHUB_RUN_ID": ""}
    first, second = tmp_path / "first", tmp_path / "second"
    runner = CliRunner()
    assert runner.invoke(cli, ["export", "--demo", "--out", str(first)], env=env).exit_code == 0
    summary = next(first.glob("save-inspector-summary-*.json"))
    data: dict[str, Any] = json.loads(summary.read_text("utf-8"))
    assert "Harbor Court, Ltd." in json.dumps(data)  # the demo has names and ratings to lose
    assert '"stabilityRating": "stable"' in json.dumps(data)
    result = runner.invoke(
        cli, ["export", "--summary", str(summary), "--out", str(second)], env=env
    )
    assert result.exit_code == 0, result.output
    for path in sorted(first.iterdir()):
        if path.name != "ci-artifacts.json":  # the manifest records when and from what
            assert (second / path.name).read_bytes() == path.read_bytes(), path.name
