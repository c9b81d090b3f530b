"""``worldstate bench saves``: save/load latency of a world snapshot on SQLite, and with
``--slots N`` save and list cost in a database of N slots against a fresh one."""

from __future__ import annotations

import json
from pathlib import Path

import click
import msgspec
from rich.console import Console
from rich.table import Table

from worldstate.bench import (
    SaveBenchReport,
    SlotsBenchReport,
    run_save_bench,
    run_slots_bench,
)
from worldstate.cli._app import bench
from worldstate.saves import Synchronous
from worldstate.store import load_snapshot_file

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
@click.option(
    "--slots",
    type=click.IntRange(min=1),
    default=None,
    help="Instead: save and list cost with this many slots against a fresh database.",
)
@click.option(
    "--synchronous",
    type=click.Choice(["FULL", "NORMAL"]),
    default=None,
    help="With --slots: SQLite synchronous mode, FULL (default) or NORMAL (no fsync per commit).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def bench_saves(
    snapshot: Path,
    iterations: int,
    scenarios: tuple[str, ...],
    directory: Path | None,
    slots: int | None,
    synchronous: Synchronous | None,
    as_json: bool,
) -> None:
    """Save and load latency (p50/p99), durable (synchronous=FULL) and NORMAL; or, with
    --slots, save and list cost in a full database against a fresh one."""
    if slots is not None and scenarios:
        raise click.UsageError("--slots measures the save path alone: leave out --scenario")
    if slots is None and synchronous is not None:
        raise click.UsageError("--synchronous goes with --slots (the latency runs measure both)")
    data = load_snapshot_file(snapshot)
    if slots is not None:
        slots_report = run_slots_bench(
            data,
            slots=slots,
            snapshot_name=str(snapshot),
            iterations=iterations,
            synchronous=synchronous or "FULL",
            directory=directory,
        )
        if as_json:
            _echo_json(
                slots_report,
                meetsTarget=slots_report.meets_target,
                saveRatio=slots_report.save_ratio,
            )
        else:
            _render_slots(slots_report)
        return
    report = run_save_bench(
        data,
        snapshot_name=str(snapshot),
        iterations=iterations,
        scenarios=scenarios or ("payload", "store"),
        directory=directory,
    )
    if as_json:
        _echo_json(
            report,
            meetsTarget=report.meets_target,
            targetByScenario=report.target_by_scenario(),
        )
    else:
        _render(report)


def _echo_json(report: msgspec.Struct, **verdicts: object) -> None:
    out = msgspec.to_builtins(report)
    out.update(verdicts)
    click.echo(json.dumps(out, indent=2))


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


def _render_slots(report: SlotsBenchReport) -> None:
    table = Table("measured", "p50", "p99", "mean")
    rows = (
        ("save, fresh database", report.fresh_save),
        (f"save, {report.slots} slots", report.full_save),
        (f"save of a new slot, {report.slots} slots (evicts one)", report.evicting_save),
        (f"list, {report.slots} slots", report.full_list),
    )
    for label, stats in rows:
        table.add_row(label, *(f"{v:.3f} ms" for v in (stats.p50_ms, stats.p99_ms, stats.mean_ms)))
    console = Console()
    console.print(table)
    ratio_ok = "within" if report.save_ratio <= report.save_ratio_target else "outside"
    list_ok = "meets" if report.full_list.p50_ms <= report.list_target_ms else "misses"
    console.print(
        f"save p50 with {report.slots} slots is {report.save_ratio}x a fresh database's "
        f"({ratio_ok} the {report.save_ratio_target}x target); list p50 {list_ok} the "
        f"{report.list_target_ms} ms target ({report.payload_bytes}-byte saves, "
        f"synchronous={report.synchronous}, {report.iterations} rounds)"
    )
