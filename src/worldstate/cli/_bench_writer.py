"""``worldstate bench writer``: time the writer fan-out."""

from __future__ import annotations

import json
import os
from dataclasses import asdict
from pathlib import Path
from typing import Any

import click

from worldstate.bench import Timing, load_summaries, run_storage_bench, run_writer_bench
from worldstate.cli._app import bench
from worldstate.storage import (
    display_url,
    is_url,
    parse_location,
    parse_storage_options,
    resolve_storage_options,
)

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
@click.option(
    "--storage-option",
    "storage_options",
    multiple=True,
    metavar="KEY=VALUE",
    help="An fsspec option for a URL --root (endpoint_url=http://127.0.0.1:9000); repeatable. "
    "The environment's (AWS_ENDPOINT_URL, FSSPEC_S3_*) apply too.",
)
@click.option(
    "--otel",
    is_flag=True,
    help="Also time the fan-out with worldstate.otel's metrics and span recorders on its bus "
    "(with whatever OpenTelemetry provider is configured; none: the API's no-op), in turns "
    "with the plain one (needs worldstate[otel]).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the figures as one JSON object.")
def bench_writer(
    summaries: Path,
    iterations: int,
    root: str | None,
    storage_options: tuple[str, ...],
    otel: bool,
    as_json: bool,
) -> None:
    """Render each summary (untimed), then time writing its artifacts into a new folder."""
    if root is not None and is_url(root):
        if otel:
            raise click.UsageError("--otel times local folders: leave out the URL --root")
        options = parse_storage_options(storage_options)
        _bench_storage(load_summaries(summaries), iterations, root, options, as_json)
        return
    if storage_options:
        raise click.UsageError("--storage-option applies to a URL --root")
    stats = run_writer_bench(
        load_summaries(summaries),
        iterations,
        root=None if root is None else Path(root),
        otel=otel,
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
        click.echo(_timing_line(label, timing))
    if stats.otel is not None:
        click.echo(_timing_line("Fan-out with OpenTelemetry recorders (in turns)", stats.otel))
    if root is not None:
        click.echo(f"Artifacts retained at: {root}")


def _timing_line(label: str, timing: Timing) -> str:
    return (
        f"{label}: mean {timing.mean_ms:.3f} ms (min {timing.min_ms:.3f}, max {timing.max_ms:.3f})"
    )


def _bench_storage(
    summaries: list[Any], iterations: int, root: str, given: dict[str, Any], as_json: bool
) -> None:
    options = resolve_storage_options(parse_location(root).protocol, given, os.environ)
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
        click.echo(_timing_line(label, timing))
