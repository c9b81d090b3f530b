"""The writer benchmark runs every mode and reports what it wrote (figures are not checked)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from tests._paths import WORKLOADS

from worldstate.bench._writer import load_summaries, run_writer_bench
from worldstate.cli import cli
from worldstate.errors import InputError

SUMMARIES = WORKLOADS / "export-writer" / "summaries.jsonl"


class TestWriterBench:
    def test_every_export_lands_in_its_own_folder(self, tmp_path: Path) -> None:
        """Each iteration writes the three default artifacts into a new folder per mode."""
        stats = run_writer_bench(load_summaries(SUMMARIES), 3, root=tmp_path)
        assert (stats.iterations, stats.artifacts_attempted, stats.artifacts_written) == (3, 9, 9)
        assert stats.failures == 0
        for mode in ("plain", "durable", "floor", "baseline"):
            assert sorted(p.name for p in (tmp_path / mode).iterdir()) == [
                "run-0000", "run-0001", "run-0002",
            ]  # fmt: skip
        assert sorted(p.name for p in (tmp_path / "plain" / "run-0001").iterdir()) == [
            "bench-001-cascade-targets-20251030T165957Z.csv",
            "bench-001-summary-20251030T165957Z.json",
            "bench-001-tutorial-snapshots-20251030T165957Z.csv",
        ]
        assert stats.fanout.min_ms <= stats.fanout.mean_ms <= stats.fanout.max_ms

    def test_cli_json_keys(self) -> None:
        """`worldstate bench writer --json` prints the documented keys."""
        result = CliRunner().invoke(
            cli, ["bench", "writer", "--summaries", str(SUMMARIES), "--iterations", "2", "--json"]
        )
        assert result.exit_code == 0, result.output
        figures = json.loads(result.output)
        assert {"mean_ms", "min_ms", "max_ms", "artifacts_written", "failures"} <= set(figures)
        assert figures["artifacts_written"] == 6 and figures["failures"] == 0

    def test_bad_workload_line_is_named(self, tmp_path: Path) -> None:
        """A malformed workload line exits 2 naming file and line."""
        bad = tmp_path / "bad.jsonl"
        bad.write_text('{"prefix": "a", "summary": {}}\n{"nope": 1}\n')
        result = CliRunner().invoke(cli, ["bench", "writer", "--summaries", str(bad)])
        assert result.exit_code == 2
        assert "bad.jsonl" in result.output and "line 2" in result.output


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ('{"prefix": "p", "summary": {}}\n{"prefix": "q"\n', "line 2: not valid JSON"),
        (
            '{"prefix": "p"}\n',
            'line 1: expected a JSON object with "prefix" and "summary", missing summary',
        ),
        ("[1]\n", "missing prefix, summary"),
        ("\n\n", "no summaries"),
    ],
)
def test_a_malformed_workload_names_file_line_and_shape(
    tmp_path: Path, text: str, fragment: str
) -> None:
    path = tmp_path / "summaries.jsonl"
    path.write_text(text)
    with pytest.raises(InputError) as caught:
        load_summaries(path)
    assert str(path) in str(caught.value)
    assert fragment in str(caught.value)
