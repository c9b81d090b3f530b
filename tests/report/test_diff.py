"""``report diff``: two replays of one log are equal; one changed event is exactly one change."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from tests._paths import STORY_EVENTS

from worldstate.cli import cli

LOG = STORY_EVENTS


def _worldstate(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "worldstate", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        encoding="utf-8",
    )


def _changed_log(tmp_path: Path, old: str, new: str) -> Path:
    text = LOG.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} must occur once in the log"
    changed = tmp_path / "changed.jsonl"
    changed.write_text(text.replace(old, new), encoding="utf-8")
    return changed


def _export(log: Path, out: Path) -> Path:
    proc = _worldstate("export", "--events", str(log), "--out", str(out), "-q")
    assert proc.returncode == 0, proc.stderr
    return out


def _snapshot(log: Path, out: Path) -> Path:
    proc = _worldstate("snapshot", "--events", str(log), "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    return out


class TestReplays:
    def test_two_replays_of_one_log_are_equal(self, tmp_path: Path) -> None:
        """Two exports of the same log: no difference, exit 0 even with --exit-code."""
        a, b = _export(LOG, tmp_path / "a"), _export(LOG, tmp_path / "b")
        proc = _worldstate("report", "diff", str(a), str(b), "--exit-code")
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert "No differences in the world." in proc.stdout

    def test_one_changed_event_is_exactly_one_change(self, tmp_path: Path) -> None:
        """An NPC's suspicion reason changed in the log: that fact and nothing else differs."""
        changed = _changed_log(tmp_path, '"reason": "lied_about_alibi"', '"reason": "fled"')
        a, b = _export(LOG, tmp_path / "a"), _export(changed, tmp_path / "b")
        proc = _worldstate("report", "diff", str(a), str(b), "--json", "--exit-code")
        assert proc.returncode == 1, proc.stderr
        report = json.loads(proc.stdout)
        assert report["equal"] is False
        assert report["changes"] == [
            {"section": "npcs", "key": "npc_guard.reason", "a": "lied_about_alibi", "b": "fled"}
        ]
        markdown = _worldstate("report", "diff", str(a), str(b)).stdout
        assert "| npc_guard.reason | lied_about_alibi | fled |" in markdown
        assert "1 difference(s)." in markdown

    def test_snapshots_show_a_changed_attitude(self, tmp_path: Path) -> None:
        """Snapshots carry every faction's attitude: a changed attitude event shows as one fact."""
        old = (
            '"factionId": "harbor_union", "factionName": "The Harbor Union", '
            '"newAttitude": "friendly"'
        )
        changed = _changed_log(tmp_path, old, old.replace("friendly", "hostile"))
        a = _snapshot(LOG, tmp_path / "a.json")
        b = _snapshot(changed, tmp_path / "b.json")
        result = CliRunner().invoke(cli, ["report", "diff", str(a), str(b), "--json"])
        assert result.exit_code == 0, result.output
        changes = json.loads(result.output)["changes"]
        assert changes == [
            {"section": "faction attitudes", "key": "harbor_union", "a": "friendly", "b": "hostile"}
        ]

    def test_snapshot_against_its_own_export_is_equal(self, tmp_path: Path) -> None:
        """A snapshot and an export of the same log agree on every fact both can show."""
        snapshot = _snapshot(LOG, tmp_path / "world.json")
        folder = _export(LOG, tmp_path / "export")
        result = CliRunner().invoke(cli, ["report", "diff", str(snapshot), str(folder), "--json"])
        report = json.loads(result.output)
        assert report["equal"] is True
        assert report["notCompared"] == ["faction attitudes", "tutorial transcript"]


class TestBadInput:
    @pytest.mark.parametrize(
        ("content", "message"),
        [
            ("[1, 2]", "expected a summary or snapshot object, got an array"),
            ("{", "not valid JSON"),
        ],
    )
    def test_bad_file_exits_2_naming_it(self, tmp_path: Path, content: str, message: str) -> None:
        """A file that is no summary or snapshot: exit 2, the message names the file."""
        bad = tmp_path / "bad.json"
        bad.write_text(content, encoding="utf-8")
        result = CliRunner().invoke(cli, ["report", "diff", str(bad), str(bad)])
        assert result.exit_code == 2
        assert str(bad) in result.output and message in result.output

    def test_folder_without_a_summary_exits_2(self, tmp_path: Path) -> None:
        """An export folder must hold exactly one summary file."""
        result = CliRunner().invoke(cli, ["report", "diff", str(tmp_path), str(tmp_path)])
        assert result.exit_code == 2
        assert "exactly one *-summary-*.json" in result.output
