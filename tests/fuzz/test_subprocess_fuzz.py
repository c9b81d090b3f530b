"""A sample of the fuzz cases through real ``python -m worldstate`` processes: what the
in-process runs cannot show (the interpreter's own exit path, real standard streams)."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest
from tests.fuzz._harness import CASES, golden_summaries, mutate_document, mutate_text

pytestmark = pytest.mark.timeout(240)

SUMMARIES = golden_summaries()


def worldstate(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CI": "", "BUILD_ID": "", "GITHUB_RUN_ID": "", "TELEMETRY_EXPORT_DIR": ""}
    return subprocess.run(
        [sys.executable, "-m", "worldstate", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,  # a hang fails the case (TimeoutExpired)
        env=env,
        stdin=subprocess.DEVNULL,
    )


@pytest.mark.parametrize("seed", range(60_000, 60_024))
def test_a_sample_through_real_processes(seed: int, tmp_path: Path) -> None:
    """Mutated summaries and contexts: exit 0, or exit 2 naming where; never a traceback."""
    CASES["subprocess"] = CASES.get("subprocess", 0) + 1
    rng = random.Random(seed)
    base = rng.choice(SUMMARIES)
    path = tmp_path / "summary.json"
    if seed % 2:
        path.write_text(json.dumps(mutate_document(base, rng)), "utf-8")
        context = json.dumps(mutate_document({"branch": "main", "n": [1]}, rng))
    else:
        path.write_bytes(mutate_text(json.dumps(base).encode(), rng))
        context = "{}"
    out = tmp_path / "out"
    result = worldstate(
        "export", "--summary", str(path), "--out", str(out), "--context", context, "-q",
        cwd=tmp_path,
    )  # fmt: skip
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode in (0, 2), result.stderr
    if result.returncode == 2:
        assert str(path) in result.stderr or "--context" in result.stderr, result.stderr
        assert not out.exists() or not any(out.iterdir())
    else:
        assert (out / "ci-artifacts.json").exists()
