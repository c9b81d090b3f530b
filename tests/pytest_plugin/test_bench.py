"""``worldstate bench pytest``: the overhead benchmark runs its suites and reports figures."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

import worldstate
from worldstate.cli import cli

SRC = Path(worldstate.__file__).resolve().parents[1]


def test_a_round_measures_plain_telemetry_and_baseline_suites(tmp_path: Path) -> None:
    """One round with a baseline: three suites run in fresh folders below --dir, removed after."""
    result = CliRunner().invoke(
        cli,
        [
            *("bench", "pytest", "--tests", "3", "--rounds", "1", "--json"),
            *("--baseline-src", str(SRC), "--dir", str(tmp_path)),
        ],
    )
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output)
    assert figures["tests"] == 3 and figures["budgetMs"] == 5.0
    [round_] = figures["rounds"]
    assert all(round_[key] > 0 for key in ("plainMs", "telemetryMs", "floorMs", "baselineMs"))
    assert figures["overheadMs"] == round_["telemetryMs"] - round_["plainMs"]
    assert list(tmp_path.iterdir()) == []


def test_the_text_report_has_a_line_per_round_and_the_verdict(tmp_path: Path) -> None:
    """Without --json: one line per round, then the median against the 5 ms budget."""
    result = CliRunner().invoke(
        cli, ["bench", "pytest", "--tests", "2", "--rounds", "2", "--dir", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert [line.split(":")[0] for line in lines[:2]] == ["round 1", "round 2"]
    assert lines[2].startswith("median overhead ") and "the 5 ms budget" in lines[2]


def test_a_baseline_that_does_not_import_fails_the_job_saying_so(tmp_path: Path) -> None:
    """A broken --baseline-src: exit 1 naming the baseline suite, no traceback."""
    broken = tmp_path / "src" / "worldstate"
    broken.mkdir(parents=True)
    (broken / "__init__.py").write_text("raise ImportError('not a worldstate')\n")
    result = CliRunner().invoke(
        cli,
        ["bench", "pytest", "--tests", "1", "--rounds", "1", "--baseline-src", str(broken.parent)],
    )
    assert result.exit_code == 1, result.output
    assert "the baseline benchmark suite failed under pytest" in result.output
    assert "from --baseline-src" in result.output
    assert "Traceback" not in result.output
