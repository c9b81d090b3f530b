"""``report providers`` and ``report fallback`` against outputs of the reference's scripts.

``tests/goldens/reports/`` holds the input manifests and what the reference printed for them
(see its README for how they were made); every byte must match.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from tests._paths import GOLDENS

REPORTS = GOLDENS / "reports"
CASES: list[dict[str, Any]] = json.loads((REPORTS / "cases.json").read_text(encoding="utf-8"))
CWD_TOKEN = "<CWD>"


def _environment() -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("GITHUB_STEP_SUMMARY", "CI_ARTIFACT_METADATA")
    }
    env["PYTHONIOENCODING"] = "utf-8"
    return env


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "worldstate", "report", *args],
        cwd=cwd,
        env=_environment(),
        capture_output=True,
        timeout=60,
        check=False,
    )


@pytest.fixture(name="inputs", scope="module")
def _inputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the golden inputs: reports run there, so relative paths match the reference's."""
    target = tmp_path_factory.mktemp("report-goldens") / "inputs"
    shutil.copytree(REPORTS / "inputs", target)
    return target


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_output_matches_the_reference_byte_for_byte(case: dict[str, Any], inputs: Path) -> None:
    """Standard output (or the appended summary file) and the exit code are the reference's."""
    expected = (REPORTS / "expected" / f"{case['name']}.out").read_bytes()
    expected = expected.replace(CWD_TOKEN.encode(), str(inputs).encode())
    args = [case["script"], *case["args"]]
    summary_file = inputs.parent / f"{case['name']}.summary.md"
    if case["name"] == "providers-summary-file":
        args += ["--summary", str(summary_file)]
    proc = _run(args, inputs)
    assert proc.returncode == case["exit"], proc.stderr.decode()
    got = summary_file.read_bytes() if summary_file.exists() else proc.stdout
    assert got.decode() == expected.decode()
    assert got == expected
