"""`worldstate publish DIR`, and kill -9 during publishing never tearing the manifest."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from worldstate.cli import cli
from worldstate.publish import read_manifest

PY = sys.executable
CLEAN_ENV: dict[str, str | None] = {
    name: None
    for name in (
        "CI", "TELEMETRY_EXPORT_DIR", "TELEMETRY_CI_COMMANDS", "TELEMETRY_CI_COMMANDS_JSON",
        "TELEMETRY_CI_COMMANDS_PATH", "GITHUB_ACTIONS", "RUNNER_NAME", "GITHUB_STEP_SUMMARY",
        "GITHUB_OUTPUT", "TELEMETRY_BUDGET_WEBHOOK_URL",
    )
}  # fmt: skip


def run(*args: str | os.PathLike[str], env: dict[str, str | None] | None = None) -> Result:
    return CliRunner().invoke(cli, list(map(str, args)), env={**CLEAN_ENV, **(env or {})})


def manifest(folder: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((folder / "ci-artifacts.json").read_text("utf-8"))
    return data


@pytest.fixture
def exported(tmp_path: Path) -> Path:
    out = tmp_path / "out"
    result = run("export", "--demo", "--out", out, "--no-publish")
    assert result.exit_code == 0, result.output
    assert manifest(out)["dryRun"] is True
    return out


def test_publishes_the_folder_and_keeps_earlier_records(exported: Path) -> None:
    """Each publish appends its attempts; dryRun becomes false; the artifacts are untouched."""
    before = {p.name: p.read_bytes() for p in exported.iterdir() if p.name != "ci-artifacts.json"}
    code = "import os; print(os.environ['TELEMETRY_ARTIFACT_DIR'])"
    first = run("publish", exported, "--ci-command", json.dumps([[PY, "-c", code]]))
    assert first.exit_code == 0, first.output
    assert "Upload: command" in first.output and "uploaded" in first.output
    second = run("publish", exported, "--ci-command", "no-such-uploader-xyz", "--json")
    assert second.exit_code == 0, second.output
    doc = json.loads(second.output)
    assert [a["skippedReason"] for a in doc["attempts"]] == ["command_not_found"]
    data = manifest(exported)
    assert data["dryRun"] is False
    assert [r["status"] for r in data["commandResults"]] == ["uploaded", "skipped"]
    assert data["commandResults"][0]["stdout"] == f"{exported}\n"
    assert {
        p.name: p.read_bytes() for p in exported.iterdir() if p.name != "ci-artifacts.json"
    } == before


def test_github_report_after_publish(exported: Path, tmp_path: Path) -> None:
    """The step summary and outputs are written as after an export."""
    env = {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(tmp_path / "s.md"),
           "GITHUB_OUTPUT": str(tmp_path / "o.txt")}  # fmt: skip
    result = run("publish", exported, "--ci-command", f"{PY} -V", env=env)
    assert result.exit_code == 0, result.output
    summary = (tmp_path / "s.md").read_text()
    assert summary.startswith("## Telemetry Payload Budget\n")
    assert "| save-inspector-budget-status.md | 136 |" in summary
    assert "budget-status<<ghadelimiter_" in (tmp_path / "o.txt").read_text()


def test_fail_on_publish_error(exported: Path) -> None:
    """A failed upload exits 1 with the flag, 0 without."""
    failing = json.dumps([[PY, "-c", "raise SystemExit(5)"]])
    assert run("publish", exported, "--ci-command", failing).exit_code == 0
    result = run("publish", exported, "--ci-command", failing, "--fail-on-publish-error")
    assert result.exit_code == 1 and "exited with code 5" in result.output


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "cannot read the manifest"), ("{", "not JSON"), ("[]", "not a worldstate manifest")],
)
def test_bad_manifest_exits_2(content: str | None, message: str, tmp_path: Path) -> None:
    """A missing or malformed manifest is bad input naming the file."""
    if content is not None:
        (tmp_path / "ci-artifacts.json").write_text(content)
    result = run("publish", tmp_path, "--ci-command", "x")
    assert result.exit_code == 2
    assert message in result.output and str(tmp_path / "ci-artifacts.json") in result.output


def test_missing_artifact_exits_2(exported: Path) -> None:
    """An artifact the manifest lists but the folder lost is named; nothing runs."""
    victim = next(p for p in exported.iterdir() if p.suffix == ".csv")
    victim.unlink()
    result = run("publish", exported, "--ci-command", "x")
    assert result.exit_code == 2 and victim.name in result.output
    assert manifest(exported)["commandResults"] == []


# A provider script that appends its record atomically after a pause, then leaves a marker.
SLOW_APPENDER = """
import json, os, sys, time
time.sleep(0.2)
path = os.environ["CI_ARTIFACT_METADATA"]
data = json.load(open(path))
data["providerResults"].append({"provider": "script", "status": "uploaded"})
open(path + ".part", "w").write(json.dumps(data))
os.replace(path + ".part", path)
open(sys.argv[1], "w").close()
"""


def export_command(out: Path) -> list[str]:
    return [PY, "-m", "worldstate", "export", "--demo", "--out", str(out), "--quiet"]


@pytest.mark.timeout(600)
def test_sigkill_during_publishing_never_tears_the_manifest(tmp_path: Path) -> None:
    """Killed at random moments while providers run, the manifest is always whole JSON."""
    rng = random.Random(7)
    outcomes = {"killed": 0, "finished": 0, "before_rewrite": 0, "rewritten": 0}
    for index in range(12):
        out = tmp_path / f"run-{index:02d}"
        done = tmp_path / f"done-{index:02d}"
        commands = [[PY, "-c", SLOW_APPENDER, str(done)], [PY, "-c", "print(1)"]]
        env = {k: v for k, v in os.environ.items() if k not in CLEAN_ENV}
        env.update(CI="true", TELEMETRY_CI_COMMANDS_JSON=json.dumps(commands))
        proc = subprocess.Popen(export_command(out), env=env, stderr=subprocess.DEVNULL)
        while not (out / "ci-artifacts.json").exists() and proc.poll() is None:
            time.sleep(0.001)
        time.sleep(rng.uniform(0, 0.6))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            outcomes["killed"] += 1
        else:
            outcomes["finished"] += 1
        proc.wait(timeout=60)
        deadline = time.monotonic() + 10  # let an orphaned provider script finish
        while not done.exists() and time.monotonic() < deadline and outcomes["killed"]:
            time.sleep(0.01)
        parsed = read_manifest(out / "ci-artifacts.json")  # raises on a torn file
        if parsed.command_results:
            outcomes["rewritten"] += 1
            assert len(parsed.command_results) == 2
        else:
            outcomes["before_rewrite"] += 1
    assert outcomes["killed"] > 0 and outcomes["before_rewrite"] > 0, outcomes
