"""``worldstate bench writer``: time the writer fan-out."""

from __future__ import annotations

import json
from pathlib import Path

import click

from worldstate.bench.writer import load_summaries, run_writer_bench
from worldstate.cli._app import bench

__all__ = ["bench_writer"]


@bench.command("writer")
@click.option(
    "--summaries",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="JSONL of {iteration, prefix, summary} (benchmarks/workloads/export-writer).",
)
@click.option("--iterations", type=click.IntRange(min=1), default=25, show_default=True)
@click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write here and keep the files (default: a temp folder, removed afterwards).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the figures as one JSON object.")
def bench_writer(summaries: Path, iterations: int, root: Path | None, as_json: bool) -> None:
    """Render each summary (untimed), then time writing its artifacts into a new folder."""
    stats = run_writer_bench(load_summaries(summaries), iterations, root=root)
    if as_json:
        click.echo(json.dumps(stats.to_json()))
        return
    click.echo("=== Telemetry Writer Benchmark ===")
    click.echo(f"Iterations: {stats.iterations}")
    click.echo(f"Artifacts Attempted: {stats.artifacts_attempted}")
    click.echo(f"Artifacts Written: {stats.artifacts_written}")
    click.echo(f"Writer Failures: {stats.failures}")
    click.echo(f"Mean Duration: {stats.fanout.mean_ms:.3f} ms")
    click.echo(f"Min Duration: {stats.fanout.min_ms:.3f} ms")
    click.echo(f"Max Duration: {stats.fanout.max_ms:.3f} ms")
    for label, timing in (
        ("End to end (render + write)", stats.end_to_end),
        ("Durable fan-out (fsync)", stats.durable),
        ("fsync baseline (3 files + folder)", stats.fsync_baseline),
        ("Syscall floor (same calls, bare os)", stats.floor),
    ):
        click.echo(
            f"{label}: mean {timing.mean_ms:.3f} ms "
            f"(min {timing.min_ms:.3f}, max {timing.max_ms:.3f})"
        )
    if root is not None:
        click.echo(f"Artifacts retained at: {root}")
