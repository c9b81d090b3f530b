"""``--strict`` and the replay problem report for ``export --events`` and ``saves import --events``.

Real CLI processes: the warnings must reach standard error and a refusal must exit 2 with
nothing written (no artifact folder, no save database).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

# Line 2 skips (a boolean id), line 3 is unknown, line 4 is coerced (a numeric id).
LOG = (
    b'{"ts": 1, "event": "story:flag:changed", "payload": {"flagId": "door", "newValue": 1}}\n'
    b'{"ts": 2, "event": "dialogue:started", "payload": {"npcId": true, "dialogueId": "d"}}\n'
    b'{"ts": 3, "event": "factoin:attitude_changed", "payload": {"factionId": "a"}}\n'
    b'{"ts": 4, "event": "story:flag:changed", "payload": {"flagId": 7, "newValue": 1}}\n'
)
CLEAN = LOG.splitlines(keepends=True)[0]
REPORT = (
    "warning: {log}: 1 event(s) unknown: factoin:attitude_changed x1\n"
    "warning: {log}: 1 event(s) skipped (bad id): dialogue:started x1\n"
    "warning: {log}: 1 event(s) coerced (numeric id): story:flag:changed x1\n"
)


def worldstate(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "worldstate", *map(str, args)]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=120)


def write_log(tmp_path: Path, data: bytes = LOG) -> Path:
    log = tmp_path / "play.jsonl"
    log.write_bytes(data)
    return log


def export(tmp_path: Path, log: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return worldstate(
        "export", "--events", log, "--out", "out", "--no-publish", *extra, cwd=tmp_path
    )


def save_import(tmp_path: Path, log: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    args = ("saves", "import", "--db", "s.db", "--slot", "a", "--events", log, *extra)
    return worldstate(*args, cwd=tmp_path)


RUNS = {"export": (export, "out"), "saves import": (save_import, "s.db")}


@pytest.mark.parametrize("command", sorted(RUNS))
class TestReplayedSources:
    def test_problems_are_reported_on_stderr(self, tmp_path: Path, command: str) -> None:
        """Without --strict the run succeeds and counts what it did not take as it is."""
        run, written = RUNS[command]
        log = write_log(tmp_path)
        result = run(tmp_path, log, "--quiet") if command == "export" else run(tmp_path, log)
        assert result.returncode == 0, result.stderr
        assert result.stderr == REPORT.format(log=log)
        assert (tmp_path / written).exists()

    def test_strict_exits_2_naming_the_file_and_line(self, tmp_path: Path, command: str) -> None:
        """Under --strict the first such event (line 2) is an error; nothing is written."""
        run, written = RUNS[command]
        log = write_log(tmp_path)
        result = run(tmp_path, log, "--strict")
        assert result.returncode == 2
        assert f"{log}, line 2: refused under --strict: dialogue:started" in result.stderr
        assert "Traceback" not in result.stderr and "warning:" not in result.stderr
        assert not (tmp_path / written).exists()

    def test_strict_accepts_a_clean_log(self, tmp_path: Path, command: str) -> None:
        """A log whose every event is taken as it is passes --strict silently."""
        run, written = RUNS[command]
        result = run(tmp_path, write_log(tmp_path, CLEAN), "--strict")
        assert result.returncode == 0, result.stderr
        assert "warning:" not in result.stderr
        assert (tmp_path / written).exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("export", "--snapshot", "w.json", "--strict"), "--strict applies to a replayed source"),
        (
            ("saves", "import", "--db", "s.db", "--slot", "a", "--snapshot", "w.json", "--strict"),
            "--strict applies to --events",
        ),
    ],
)
def test_strict_without_a_replay_is_a_usage_error(
    tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    (tmp_path / "w.json").write_text("{}", encoding="utf-8")
    result = worldstate(*args, cwd=tmp_path)
    assert result.returncode == 2 and message in result.stderr
    assert not (tmp_path / "s.db").exists()
