"""``worldstate bench writer``: time the writer fan-out."""

from __future__ import annotations

import json
import os
from dataclasses import asdict
from pathlib import Path
from typing import Any

import click

from worldstate.bench import load_summaries, run_storage_bench, run_writer_bench
from worldstate.cli._app import bench
from worldstate.storage import display_url, is_url, parse_location, resolve_storage_options

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
    metavar="DIR|URL",
    help="Write here and keep the files (default: a temp folder, removed afterwards); a URL "
    "(s3://bucket/bench) times the storage writer beside a local folder.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the figures as one JSON object.")
def bench_writer(summaries: Path, iterations: int, root: str | None, as_json: bool) -> None:
    """Render each summary (untimed), then time writing its artifacts into a new folder."""
    if root is not None and is_url(root):
        _bench_storage(load_summaries(summaries), iterations, root, as_json)
        return
    stats = run_writer_bench(
        load_summaries(summaries), iterations, root=None if root is None else Path(root)
    )
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


def _bench_storage(summaries: list[Any], iterations: int, root: str, as_json: bool) -> None:
    options = resolve_storage_options(parse_location(root).protocol, {}, os.environ)
    remote, local = run_storage_bench(summaries, iterations, root, storage_options=options)
    if as_json:
        click.echo(
            json.dumps(
                {"iterations": iterations, "storage": asdict(remote), "local": asdict(local)}
            )
        )
        return
    click.echo(f"=== Telemetry Writer Benchmark ({display_url(root)}) ===")
    click.echo(f"Iterations: {iterations}")
    for label, timing in (("Storage writer", remote), ("Local folder (same run)", local)):
        click.echo(
            f"{label}: mean {timing.mean_ms:.3f} ms "
            f"(min {timing.min_ms:.3f}, max {timing.max_ms:.3f})"
        )
