"""``worldstate snapshot``: output, --out, stdin and bad input (exit 2, nothing written)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from tests._paths import STORY_EVENTS

from worldstate.cli import cli
from worldstate.clock import ManualClock
from worldstate.events import EventBus
from worldstate.replay import iter_event_log, replay_events
from worldstate.store import WorldStore

STORY = STORY_EVENTS


def expected_snapshot(path: Path) -> dict[str, object]:
    bus, clock = EventBus(), ManualClock()
    store = WorldStore(bus, clock=clock)
    replay_events(iter_event_log(path), bus, clock)
    return store.snapshot()


class TestSnapshotCommand:
    def test_prints_pretty_snapshot(self) -> None:
        """stdout is the 2-space-indented snapshot plus a newline."""
        result = CliRunner().invoke(cli, ["snapshot", "--events", str(STORY)])
        assert result.exit_code == 0, result.output
        expected = expected_snapshot(STORY)
        assert result.output == json.dumps(expected, indent=2, ensure_ascii=False) + "\n"

    def test_reads_stdin(self) -> None:
        """``--events -`` reads the log from standard input."""
        result = CliRunner().invoke(cli, ["snapshot", "--events", "-"], input=STORY.read_bytes())
        assert result.exit_code == 0, result.output
        assert json.loads(result.output) == expected_snapshot(STORY)

    def test_writes_out_file(self, tmp_path: Path) -> None:
        """--out writes the file (and nothing else in its folder) instead of stdout."""
        out = tmp_path / "snap.json"
        result = CliRunner().invoke(cli, ["snapshot", "--events", str(STORY), "--out", str(out)])
        assert result.exit_code == 0, result.output
        assert result.output == ""
        assert json.loads(out.read_text(encoding="utf-8")) == expected_snapshot(STORY)
        assert [p.name for p in tmp_path.iterdir()] == ["snap.json"]

    @pytest.mark.parametrize(
        ("line", "problem"),
        [
            ('{"ts": 1.5, "event": "a", "payload": {}}', "Expected `int`, got `float`"),
            ('{"ts": 1, "event": "a"}', "missing required field `payload`"),
            ("{oops", "malformed"),
        ],
    )
    def test_bad_line_exits_2_and_writes_nothing(
        self, tmp_path: Path, line: str, problem: str
    ) -> None:
        """A malformed line exits 2 naming file and line; --out is not created."""
        log = tmp_path / "events.jsonl"
        log.write_text('{"ts": 1, "event": "a", "payload": {}}\n' + line + "\n", encoding="utf-8")
        out = tmp_path / "snap.json"
        result = CliRunner().invoke(cli, ["snapshot", "--events", str(log), "--out", str(out)])
        assert result.exit_code == 2
        assert f"{log}, line 2" in result.output
        assert problem in result.output
        assert not out.exists()

    def test_existing_out_file_kept_on_error(self, tmp_path: Path) -> None:
        """An existing --out file is left untouched when the log is bad."""
        log = tmp_path / "events.jsonl"
        log.write_text("[]\n", encoding="utf-8")
        out = tmp_path / "snap.json"
        out.write_text("old", encoding="utf-8")
        result = CliRunner().invoke(cli, ["snapshot", "--events", str(log), "--out", str(out)])
        assert result.exit_code == 2
        assert out.read_text(encoding="utf-8") == "old"

    def test_real_process_reports_line(self, tmp_path: Path) -> None:
        """Run as a real subprocess: exit 2, error on stderr naming the line, no stdout."""
        log = tmp_path / "events.jsonl"
        log.write_text(
            '{"ts": 1, "event": "a", "payload": {}}\n\n{"ts": "2", "event": "b", "payload": {}}\n',
            encoding="utf-8",
        )
        proc = subprocess.run(
            [sys.executable, "-m", "worldstate", "snapshot", "--events", str(log)],
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
        )
        assert proc.returncode == 2
        assert proc.stdout == ""
        assert f"{log}, line 3" in proc.stderr
        assert "Expected `int`, got `str` at $.ts" in proc.stderr
