"""``worldstate bench writer --otel``: the recorded fan-out writes the same exports in turns
with the plain one (the figures themselves are not checked)."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from worldstate.bench import load_summaries, run_writer_bench
from worldstate.cli import cli

SUMMARIES = (
    Path(__file__).parents[2] / "benchmarks" / "workloads" / "export-writer" / "summaries.jsonl"
)


def test_the_recorded_fan_out_writes_what_the_plain_one_writes(tmp_path: Path) -> None:
    stats = run_writer_bench(load_summaries(SUMMARIES), 3, root=tmp_path, otel=True)
    assert stats.otel is not None and stats.otel.min_ms <= stats.otel.mean_ms
    for run in ("run-0000", "run-0001", "run-0002"):
        plain = {p.name: p.read_bytes() for p in (tmp_path / "plain" / run).iterdir()}
        recorded = {p.name: p.read_bytes() for p in (tmp_path / "otel" / run).iterdir()}
        assert len(plain) == 3 and recorded == plain


def test_without_otel_there_is_no_otel_figure(tmp_path: Path) -> None:
    stats = run_writer_bench(load_summaries(SUMMARIES), 1, root=tmp_path)
    assert stats.otel is None and "otel" not in stats.to_json()
    assert not (tmp_path / "otel").exists()


def test_cli_otel_json_and_text() -> None:
    base = ["bench", "writer", "--summaries", str(SUMMARIES), "--iterations", "2", "--otel"]
    result = CliRunner().invoke(cli, [*base, "--json"])
    assert result.exit_code == 0, result.output
    assert set(json.loads(result.output)["otel"]) == {"mean_ms", "min_ms", "max_ms"}
    text = CliRunner().invoke(cli, base)
    assert text.exit_code == 0, text.output
    assert "Fan-out with OpenTelemetry recorders (in turns): mean " in text.output


def test_cli_refuses_otel_with_a_url_and_storage_options_without_one() -> None:
    base = ["bench", "writer", "--summaries", str(SUMMARIES), "--iterations", "1"]
    with_url = CliRunner().invoke(cli, [*base, "--otel", "--root", "memory://bench/x"])
    assert with_url.exit_code == 2 and "--otel times local folders" in with_url.output
    stray = CliRunner().invoke(cli, [*base, "--storage-option", "anon=true"])
    assert stray.exit_code == 2 and "--storage-option applies to a URL --root" in stray.output
