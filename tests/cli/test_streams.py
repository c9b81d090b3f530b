"""Standard streams at the CLI boundary, through real processes and a real shell.

Closed stdin, stdout that is full, closed, or whose reader stops early: each gives one clear
line and the documented exit code (a broken pipe is the reader's choice: exit 0).
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

BASH = shutil.which("bash")
WORLDSTATE = [sys.executable, "-m", "worldstate"]


def shell(command: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run ``worldstate ARGS`` with the redirections in ``command`` through bash."""
    assert BASH, "these tests need bash (apt-get install bash)"
    prefix = " ".join(shlex.quote(part) for part in WORLDSTATE)
    env = {**os.environ, "CI": "", "PYTHONUNBUFFERED": ""}
    return subprocess.run(
        [BASH, "-c", f"{prefix} {command}"],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        stdin=subprocess.DEVNULL,
    )


@pytest.fixture
def big_log(tmp_path: Path) -> Path:
    """An event log whose snapshot is far larger than a pipe's buffer (64 KiB)."""
    lines = [
        json.dumps(
            {
                "event": "district:registered",
                "ts": 1761844600000 + n,
                "payload": {"districtId": f"district_{n}", "definition": {"name": f"D {n}"}},
            }
        )
        for n in range(1000)
    ]
    path = tmp_path / "big.jsonl"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path


def one_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    return lines[0]


def test_closed_stdin_with_events_dash(tmp_path: Path) -> None:
    """``--events - <&-``: exit 2, the message names <stdin>."""
    result = shell("export --events - --out out <&-", tmp_path)
    assert result.returncode == 2
    assert one_line(result.stderr) == (
        "Error: <stdin>: cannot read event log: standard input is closed"
    )
    assert not (tmp_path / "out").exists()


def test_stdout_full(tmp_path: Path, big_log: Path) -> None:
    """``> /dev/full``: exit 1 and one line, not an OSError traceback."""
    result = shell(f"snapshot --events {shlex.quote(str(big_log))} > /dev/full", tmp_path)
    assert result.returncode == 1
    assert one_line(result.stderr) == (
        "Error: cannot write to standard output: No space left on device"
    )


def test_stdout_closed(tmp_path: Path, big_log: Path) -> None:
    """``>&-``: the snapshot cannot be printed, so the job failed (exit 1), not exit 0."""
    result = shell(f"snapshot --events {shlex.quote(str(big_log))} >&-", tmp_path)
    assert result.returncode == 1
    assert one_line(result.stderr) == (
        "Error: cannot write to standard output: standard output is closed"
    )


def test_a_reader_that_stops_early(tmp_path: Path, big_log: Path) -> None:
    """``| head -c 10``: not our error; one line says the rest was not printed, exit 0."""
    command = (
        f"snapshot --events {shlex.quote(str(big_log))} | head -c 10 > head.out;"
        " exit ${PIPESTATUS[0]}"
    )
    result = shell(command, tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "head.out").read_bytes() == b'{\n  "story'[:10]
    assert one_line(result.stderr) == (
        "worldstate: the reader closed standard output early; the rest was not printed"
    )


def test_a_quiet_command_does_not_need_stdout(tmp_path: Path) -> None:
    """Nothing to print, nothing lost: ``export -q >&-`` succeeds."""
    result = shell("export --demo --out out -q >&-", tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out" / "ci-artifacts.json").exists()


def test_plain_progress_lines_when_stderr_is_not_a_terminal() -> None:
    """In CI logs a long replay prints a plain line every interval, not a bar."""
    import io

    from worldstate.cli._progress import replay_progress
    from worldstate.replay import RecordedEvent

    ticks = iter(float(t) for t in (0, 1, 6, 7, 12, 13))
    stream = io.StringIO()
    with replay_progress(4000, stream=stream, terminal=False, clock=lambda: next(ticks)) as advance:
        for line in (1000, 2000, 3000, 4000, 4000):
            advance(RecordedEvent(ts=0, event="e", payload={}, line=line))
    assert stream.getvalue() == (
        "replaying: 2,000 of 4,000 lines (50%)\nreplaying: 4,000 of 4,000 lines (100%)\n"
    )
