"""``worldstate bench upload``: artifact upload throughput, ours and the official Node client."""

from __future__ import annotations

import json
from pathlib import Path

import click
import msgspec

from worldstate.bench import UploadTiming, parse_size, run_upload_bench
from worldstate.cli._app import bench

__all__ = ["bench_upload"]


@bench.command("upload")
@click.option("--size", default="200MB", show_default=True, help="File size (200MB, 64MiB...).")
@click.option("--rounds", type=click.IntRange(min=1), default=3, show_default=True)
@click.option(
    "--compression-level",
    type=click.IntRange(min=0, max=9),
    default=0,
    show_default=True,
    help="Zip level for both clients (the file is random, so 0 measures the transfer).",
)
@click.option(
    "--peers",
    type=click.Path(path_type=Path, file_okay=False, exists=True),
    default=Path("tests/peers/node"),
    show_default=True,
    help="Folder with the package.json/package-lock.json pinning azurite and @actions/artifact.",
)
@click.option(
    "--cache",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path(".cache"),
    show_default=True,
    help="Where the npm packages are installed.",
)
@click.option("--no-official", is_flag=True, help="Time only our client.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def bench_upload(
    size: str,
    rounds: int,
    compression_level: int,
    peers: Path,
    cache: Path,
    no_official: bool,
    as_json: bool,
) -> None:
    """Upload one file to Azurite through the artifact service, rounds alternating clients."""
    report = run_upload_bench(
        size=parse_size(size),
        rounds=rounds,
        compression_level=compression_level,
        peers_package=peers,
        cache=cache,
        official=not no_official,
    )
    if as_json:
        click.echo(json.dumps(msgspec.to_builtins(report)))
        return
    click.echo("=== Artifact Upload Benchmark (Azurite, 127.0.0.1) ===")
    click.echo(f"Size: {report.size_bytes / 1e6:.1f} MB, compression level {compression_level}")
    for timing in (report.ours, report.official):
        if timing is not None:
            click.echo(_line(timing))


def _line(timing: UploadTiming) -> str:
    rounds = ", ".join(f"{seconds:.2f}" for seconds in timing.seconds)
    return (
        f"{timing.client}: best {timing.best_mb_s:.1f} MB/s, mean {timing.mean_mb_s:.1f} MB/s "
        f"(rounds: {rounds} s)"
    )
