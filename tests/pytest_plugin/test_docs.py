"""The example suite in docs/pytest.md runs as documented."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[2] / "docs" / "pytest.md"


def test_the_documented_example_suite_passes_after_update(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Create the snapshots with --worldstate-update, then the suite passes unchanged."""
    monkeypatch.delenv("CI", raising=False)
    found = re.search(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    assert found is not None, "no python example in docs/pytest.md"
    pytester.makeini("[pytest]\n")
    (pytester.path / "tests" / "logs").mkdir(parents=True)
    (pytester.path / "tests" / "test_harbor.py").write_text(found.group(1))
    event = {"ts": 1000, "event": "quest:started", "payload": {"questId": "harbor_strike"}}
    for name in ("act1", "act2"):
        (pytester.path / "tests" / "logs" / f"{name}.jsonl").write_text(json.dumps(event) + "\n")
    created = pytester.runpytest_subprocess("--worldstate-update")
    created.assert_outcomes(passed=4)
    created.stdout.fnmatch_lines(
        ["worldstate: wrote snapshot tests/__worldstate__/*the-union.json"]
    )
    pytester.runpytest_subprocess().assert_outcomes(passed=4)
