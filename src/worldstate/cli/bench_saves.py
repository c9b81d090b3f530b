"""``worldstate bench saves``: save/load latency of a world snapshot on SQLite."""

from __future__ import annotations

import json
from pathlib import Path

import click
import msgspec
from rich.console import Console
from rich.table import Table

from worldstate.bench.saves import SaveBenchReport, run_save_bench
from worldstate.cli._app import bench
from worldstate.store.snapshot import load_snapshot_file

__all__ = ["bench_saves"]

DEFAULT_SNAPSHOT = Path("benchmarks/workloads/store-dispatch/seed.json")


@bench.command("saves")
@click.option(
    "--snapshot",
    "snapshot",
    type=click.Path(path_type=Path, dir_okay=False),
    default=DEFAULT_SNAPSHOT,
    show_default=True,
    help="World snapshot (JSON) to save.",
)
@click.option("--iterations", type=click.IntRange(min=1), default=200, show_default=True)
@click.option(
    "--scenario",
    "scenarios",
    type=click.Choice(["payload", "store"]),
    multiple=True,
    help="payload: a fixed snapshot; store: a live WorldStore (default: both).",
)
@click.option(
    "--dir",
    "directory",
    type=click.Path(path_type=Path, file_okay=False, exists=True),
    default=None,
    help="Folder for the benchmark databases (default: system temp; pick the disk to measure).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def bench_saves(
    snapshot: Path,
    iterations: int,
    scenarios: tuple[str, ...],
    directory: Path | None,
    as_json: bool,
) -> None:
    """Save and load latency (p50/p99), durable (synchronous=FULL) and NORMAL."""
    data = load_snapshot_file(snapshot)
    report = run_save_bench(
        data,
        snapshot_name=str(snapshot),
        iterations=iterations,
        scenarios=scenarios or ("payload", "store"),
        directory=directory,
    )
    if as_json:
        out = msgspec.to_builtins(report)
        out["meetsTarget"] = report.meets_target
        out["targetByScenario"] = report.target_by_scenario()
        click.echo(json.dumps(out, indent=2))
    else:
        _render(report)


def _render(report: SaveBenchReport) -> None:
    table = Table(
        "scenario", "synchronous", "bytes", "save p50", "save p99", "load p50", "load p99"
    )
    for r in report.results:
        ms = (r.save.p50_ms, r.save.p99_ms, r.load.p50_ms, r.load.p99_ms)
        table.add_row(r.scenario, r.synchronous, str(r.payload_bytes), *(f"{v:.3f} ms" for v in ms))
    console = Console()
    console.print(table)
    for scenario, ok in report.target_by_scenario().items():
        verdict = "meets" if ok else "misses"
        console.print(
            f"{scenario}: durable (FULL) save p50 {verdict} the "
            f"{report.target_save_p50_ms} ms target"
        )
    console.print(
        "FULL fsyncs the WAL per commit (survives power loss); NORMAL survives a process "
        "crash only. 'store' includes WorldStore.snapshot()/hydrate()."
    )
