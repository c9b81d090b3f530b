"""Killing `worldstate export` at any moment never leaves a torn file under a final name (B2)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

RUNS = 24
GENERATED_AT = 1761843600000


def big_summary() -> dict[str, Any]:
    """A summary whose artifacts are a few MB, so that writing them takes a while."""
    targets = [
        {
            "factionId": f"faction_{i}",
            "cascadeCount": i % 7,
            "lastCascade": {
                "sourceFactionId": f"source_{i % 13}",
                "sourceFactionName": f"Source, {i % 13}",
                "newAttitude": ("ally", "neutral", "hostile")[i % 3],
                "occurredAt": GENERATED_AT - i * 1000,
            },
            "sources": [f"faction_{(i + 1) % 50}", f"faction_{(i + 2) % 50}"],
        }
        for i in range(12000)
    ]
    snapshots = [
        {
            "event": "step_completed",
            "timestamp": GENERATED_AT - i,
            "stepId": f"step_{i}",
            "stepIndex": i % 5,
            "totalSteps": 5,
            "title": f'Step "{i}", part {i % 3}',
            "completedSteps": [f"step_{j}" for j in range(i % 6)],
        }
        for i in range(3000)
    ]
    return {
        "generatedAt": GENERATED_AT,
        "source": "kill-test",
        "factions": {"cascadeTargets": targets, "lastCascadeEvent": None},
        "tutorial": {"snapshots": snapshots, "latestSnapshot": snapshots[-1]},
    }


def command(summary: Path, run: Path) -> list[str]:
    """Durable writes to the run's out folder and two mirrors: a wider window to kill in."""
    return [
        sys.executable, "-m", "worldstate", "export", "--summary", str(summary),
        "--prefix", "big", "--formats", "json,csv", "--out", str(run / "out"), "--quiet",
        "--durable", "--mirror", str(run / "m1"), "--mirror", str(run / "m2"),
    ]  # fmt: skip


def wait_for(path: Path, proc: subprocess.Popen[bytes]) -> None:
    while not path.exists() and proc.poll() is None:
        time.sleep(0.0005)


def clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in ("CI", "TELEMETRY_EXPORT_DIR")}


def is_temp(name: str) -> bool:
    return name.startswith(".") and name.endswith(".tmp")


def check_run(run: Path, expected: dict[str, bytes], outcomes: dict[str, int]) -> None:
    """Every file under a final name is complete; a manifest implies all artifacts in --out."""
    for folder in ("out", "m1", "m2"):
        names = sorted(p.name for p in (run / folder).iterdir()) if (run / folder).exists() else []
        finals = [n for n in names if not is_temp(n)]
        outcomes["temps_left"] += len(names) - len(finals)
        outcomes["partial_sets"] += 0 < len(finals) < len(expected)
        for name in finals:
            data = (run / folder / name).read_bytes()
            if name == "ci-artifacts.json":
                assert folder == "out"
                manifest = json.loads(data)
                assert sorted(a["filename"] for a in manifest["artifacts"]) == sorted(expected)
                assert set(expected) <= set(finals), "manifest written before the artifacts"
            else:
                assert data == expected[name], f"torn {folder}/{name} in {run.name}"


@pytest.mark.timeout(600)
def test_sigkill_never_leaves_a_partial_file(tmp_path: Path) -> None:
    """A complete run defines the expected bytes; killed runs may only lack files or leave temps.

    A few runs are killed during start-up; the others once their --out folder appears (the
    write phase has begun), after delays spread across the write phase measured on the
    complete run.
    """
    summary = tmp_path / "summary.json"
    summary.write_text(json.dumps(big_summary()))
    reference = tmp_path / "reference"
    started = time.monotonic()
    proc = subprocess.Popen(command(summary, reference), env=clean_env(), stderr=subprocess.PIPE)
    wait_for(reference / "out", proc)
    writing_from = time.monotonic()
    _, errors = proc.communicate(timeout=300)
    assert proc.returncode == 0, errors.decode()
    startup, window = writing_from - started, time.monotonic() - writing_from
    expected = {p.name: p.read_bytes() for p in (reference / "out").iterdir()}
    manifest = expected.pop("ci-artifacts.json")
    assert len(expected) == 5 and json.loads(manifest)["dryRun"] is True
    for mirror in ("m1", "m2"):
        assert {p.name: p.read_bytes() for p in (reference / mirror).iterdir()} == expected

    outcomes = {"killed": 0, "finished": 0, "temps_left": 0, "partial_sets": 0}
    for index in range(RUNS):
        run = tmp_path / f"run-{index:02d}"
        proc = subprocess.Popen(command(summary, run), env=clean_env(), stderr=subprocess.DEVNULL)
        if index < 4:
            time.sleep(startup * (index + 1) / 5)
        else:
            wait_for(run / "out", proc)
            time.sleep(window * 1.2 * (index - 4) / (RUNS - 4))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            outcomes["killed"] += 1
        else:
            outcomes["finished"] += 1
        proc.wait(timeout=60)
        check_run(run, expected, outcomes)
    assert outcomes["killed"] > 0, outcomes
    # Some kill must have landed inside the write phase, or the test proved nothing.
    assert outcomes["partial_sets"] + outcomes["temps_left"] > 0, outcomes
