"""`worldstate export --events` streams the log: counts, late bad lines, the progress bar."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from worldstate.cli import cli

CLEAN_ENV: dict[str, str | None] = {
    "CI": None,
    "BUILD_ID": None,
    "GITHUB_RUN_ID": None,
    "TELEMETRY_EXPORT_DIR": None,
}
T0 = 1_767_258_000_000


def invoke(*args: str | os.PathLike[str]) -> Result:
    return CliRunner().invoke(cli, ["export", *map(str, args)], env=CLEAN_ENV)


def event_line(i: int) -> str:
    payload = {"flagId": f"flag_{i % 7}", "value": i}
    return json.dumps({"ts": T0 + i, "event": "story:flag:changed", "payload": payload}) + "\n"


def write_log(path: Path, count: int, *, tail: str = "") -> Path:
    path.write_text("".join(event_line(i) for i in range(count)) + tail)
    return path


def subprocess_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in CLEAN_ENV}


class TestLongLogs:
    def test_a_bad_last_line_of_a_long_log_writes_nothing(self, tmp_path: Path) -> None:
        """20,000 good events then a broken line: exit 2, file and line named, no files."""
        log = write_log(tmp_path / "long.jsonl", 20_000, tail='{"ts": 5, "event": \n')
        out = tmp_path / "out"
        result = invoke("--events", log, "--out", out, "--formats", "json,csv,md")
        assert result.exit_code == 2, result.output
        assert "long.jsonl" in result.output
        assert "line 20001" in result.output
        assert not out.exists()

    def test_a_bad_last_line_on_stdin_writes_nothing(self, tmp_path: Path) -> None:
        """The same through a real process reading stdin."""
        log = write_log(tmp_path / "long.jsonl", 5_000, tail='{"ts": "late", "event": "a"}\n')
        out = tmp_path / "out"
        proc = subprocess.run(
            [sys.executable, "-m", "worldstate", "export", "--events", "-", "--out", str(out)],
            input=log.read_bytes(), capture_output=True, env=subprocess_env(),
            cwd=tmp_path, check=False, timeout=120,
        )  # fmt: skip
        assert proc.returncode == 2, proc.stderr.decode()
        assert "<stdin>" in proc.stderr.decode()
        assert "line 5001" in proc.stderr.decode()
        assert not out.exists()

    def test_events_replayed_counts_events_not_lines(self, tmp_path: Path) -> None:
        """Blank lines are skipped and not counted; the export is stamped with the last ts."""
        log = tmp_path / "gaps.jsonl"
        log.write_text("\n".join(event_line(i) for i in range(2500)) + "\n\n")
        result = invoke("--events", log, "--out", tmp_path / "out", "--json")
        assert result.exit_code == 0, result.output
        doc = json.loads(result.output)
        assert doc["eventsReplayed"] == 2500
        assert doc["generatedAt"] == T0 + 2499


def run_on_a_terminal(args: list[str], cwd: Path, stdin: Path | None = None) -> tuple[int, bytes]:
    """Run ``worldstate export`` with stderr on a pseudo-terminal; returns (exit, stderr)."""
    import pty  # POSIX only

    master, slave = pty.openpty()
    with open(stdin or os.devnull, "rb") as source:
        proc = subprocess.Popen(
            [sys.executable, "-m", "worldstate", "export", *args],
            stdin=source, stdout=subprocess.DEVNULL, stderr=slave, cwd=cwd,
            env={**subprocess_env(), "TERM": "xterm", "COLUMNS": "100"},
        )  # fmt: skip
        os.close(slave)
        chunks = []
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the terminal is gone once the child exits (Linux: EIO)
                break
            if not chunk:
                break
            chunks.append(chunk)
        os.close(master)
        return proc.wait(timeout=120), b"".join(chunks)


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
class TestProgressBar:
    def test_a_long_log_file_shows_a_bar_over_its_lines(self, tmp_path: Path) -> None:
        """On a terminal, a file of >= 2000 lines shows a bar that ends at its line count."""
        log = write_log(tmp_path / "long.jsonl", 3000)
        code, stderr = run_on_a_terminal(["--events", str(log), "--out", "out"], tmp_path)
        assert code == 0, stderr
        assert b"replaying" in stderr
        assert b"3000/3000" in stderr

    def test_stdin_shows_no_bar(self, tmp_path: Path) -> None:
        """Stdin cannot be counted without reading it: no bar, same export."""
        log = write_log(tmp_path / "long.jsonl", 3000)
        code, stderr = run_on_a_terminal(["--events", "-", "--out", "out"], tmp_path, stdin=log)
        assert code == 0, stderr
        assert b"replaying" not in stderr
        assert (tmp_path / "out" / "ci-artifacts.json").exists()

    def test_a_short_log_shows_no_bar(self, tmp_path: Path) -> None:
        log = write_log(tmp_path / "short.jsonl", 100)
        code, stderr = run_on_a_terminal(["--events", str(log), "--out", "out"], tmp_path)
        assert code == 0, stderr
        assert b"replaying" not in stderr
