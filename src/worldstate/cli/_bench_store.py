"""``worldstate bench dispatch``, ``replay``, ``events`` and ``export``: store benchmarks."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
import msgspec

from worldstate.bench import (
    DEFAULT_LARGE,
    DEFAULT_ROUNDS,
    DEFAULT_SMALL,
    LEFT_OUT,
    EventScaleReport,
    WorldSizeBenchResult,
    load_workload,
    run_dispatch_bench,
    run_event_scale_bench,
    run_export_bench,
    run_replay_bench,
    run_world_size_bench,
    write_large_world,
)
from worldstate.store import load_snapshot_file

from ._app import bench

__all__ = ["bench_dispatch", "bench_events", "bench_export", "bench_replay"]

_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


@bench.command("dispatch")
@click.option("--seed", required=True, type=_FILE, help="World snapshot to hydrate first.")
@click.option("--workload", required=True, type=_FILE, help="JSONL of {iteration, action}.")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as one JSON object.")
def bench_dispatch(seed: Path, workload: Path, as_json: bool) -> None:
    """Time the store's dispatch, one workload iteration at a time."""
    steps = load_workload(workload)
    stats = run_dispatch_bench(load_snapshot_file(seed), steps, source=str(seed))
    figures = {
        "iterations": stats.count,
        "mean_ms": stats.mean_ms,
        "p50_ms": stats.p50_ms,
        "p99_ms": stats.p99_ms,
        "max_ms": stats.max_ms,
    }
    if as_json:
        click.echo(json.dumps(figures))
        return
    click.echo("=== Store dispatch ===")
    click.echo(f"Iterations: {stats.count}")
    for label, key in (
        ("Mean", "mean_ms"),
        ("p50", "p50_ms"),
        ("p99", "p99_ms"),
        ("Max", "max_ms"),
    ):
        click.echo(f"{label}: {figures[key]:.4f} ms")


@bench.command("replay")
@click.option("--events", type=_FILE, default=None, help="JSONL event log to replay.")
@click.option(
    "--world-size",
    type=click.IntRange(min=1),
    default=None,
    help="Instead of a log: register this many NPCs, then time --updates npc events.",
)
@click.option(
    "--updates",
    type=click.IntRange(min=1),
    default=20_000,
    show_default=True,
    help="npc events timed with --world-size.",
)
@click.option(
    "--repeat",
    type=click.IntRange(min=1),
    default=None,
    help="Timed replays, each into a fresh store, after one untimed warm-up "
    "[default: enough to time at least 100,000 events; 3 with --world-size, best kept].",
)
@click.option("--json", "as_json", is_flag=True, help="Print the figures as one JSON object.")
def bench_replay(
    events: Path | None,
    world_size: int | None,
    updates: int,
    repeat: int | None,
    as_json: bool,
) -> None:
    """Measure replay throughput: parse, emit and dispatch, in events per second."""
    if (events is None) == (world_size is None):
        raise click.UsageError("give exactly one of --events and --world-size")
    if world_size is not None:
        _echo_world_size(
            run_world_size_bench(world_size, updates=updates, repeat=repeat or 3), as_json
        )
        return
    assert events is not None
    result = run_replay_bench(events, repeat=repeat)
    figures = {
        "events": result.events,
        "seconds": result.seconds,
        "events_per_s": result.events_per_s,
    }
    lines = [
        f"Events: {result.events}",
        f"Seconds: {result.seconds:.4f}",
        f"Events/s: {result.events_per_s:,.0f}",
    ]
    _report("Store replay", figures, lines, as_json)


def _report(title: str, figures: dict[str, Any], lines: list[str], as_json: bool) -> None:
    """The figures as one JSON object, or a titled block of text lines."""
    if as_json:
        click.echo(json.dumps(figures))
        return
    click.echo(f"=== {title} ===")
    for line in lines:
        click.echo(line)


def _echo_world_size(result: WorldSizeBenchResult, as_json: bool) -> None:
    lines = [
        f"Events: {result.events}",
        f"Seconds: {result.seconds:.4f}",
        f"Events/s: {result.events_per_s:,.0f}",
        f"Per event: {result.us_per_event:.2f} us",
    ]
    title = f"Store replay, {result.world_size:,} NPCs"
    _report(title, msgspec.structs.asdict(result), lines, as_json)


@bench.command("events")
@click.option(
    "--small", type=click.IntRange(min=1), default=DEFAULT_SMALL, show_default=True,
    help="Records of each kind in the small world.",
)  # fmt: skip
@click.option(
    "--large", type=click.IntRange(min=2), default=DEFAULT_LARGE, show_default=True,
    help="Records of each kind in the large world.",
)  # fmt: skip
@click.option(
    "--rounds", type=click.IntRange(min=1), default=DEFAULT_ROUNDS, show_default=True,
    help="Events of each type timed per world (the median is shown).",
)  # fmt: skip
@click.option("--json", "as_json", is_flag=True, help="Print the figures as one JSON object.")
def bench_events(small: int, large: int, rounds: int, as_json: bool) -> None:
    """Time every event type on a small and a large world: an event whose cost grows with the
    world shows as a growth well above 1."""
    if large <= small:
        raise click.BadParameter("must be larger than --small", param_hint="--large")
    _echo_event_scale(run_event_scale_bench(small, large, rounds=rounds), as_json)


def _echo_event_scale(report: EventScaleReport, as_json: bool) -> None:
    if as_json:
        rows = [{**msgspec.structs.asdict(row), "growth": row.growth} for row in report.events]
        figures = {"small": report.small, "large": report.large, "rounds": report.rounds}
        click.echo(json.dumps({**figures, "events": rows, "left_out": LEFT_OUT}))
        return
    click.echo(f"=== Per-event cost, {report.small:,} vs {report.large:,} of everything ===")
    width = max(len(row.event) for row in report.events)
    click.echo(f"{'event':<{width}}  {'small us':>9}  {'large us':>9}  growth")
    for row in report.events:
        click.echo(
            f"{row.event:<{width}}  {row.small_us:9.2f}  {row.large_us:9.2f}  {row.growth:5.1f}x"
        )
    for event, why in LEFT_OUT.items():
        click.echo(f"Left out: {event} ({why})")


@bench.command("export")
@click.option(
    "--snapshot",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="World snapshot to export (with --generate: where to write the large world first).",
)
@click.option(
    "--generate",
    type=click.FloatRange(min=0, min_open=True),
    default=None,
    help="First write a generated world of this scale to --snapshot (1: 1k factions, 5k NPCs, "
    "500 districts, 1k quests, 2k flags, 2k tutorial steps, about 13 MB).",
)
@click.option("--repeat", type=click.IntRange(min=1), default=3, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the figures as one JSON object.")
def bench_export(snapshot: Path, generate: float | None, repeat: int, as_json: bool) -> None:
    """Time `worldstate export --snapshot FILE` in fresh processes: wall time and peak memory."""
    if generate is not None:
        write_large_world(snapshot, generate)
    elif not snapshot.is_file():
        raise click.BadParameter(f"{snapshot} is not a file", param_hint="--snapshot")
    runs = run_export_bench(snapshot, repeat=repeat)
    figures = {
        "snapshot_bytes": snapshot.stat().st_size,
        "best_s": min(r.seconds for r in runs),
        "median_s": sorted(r.seconds for r in runs)[len(runs) // 2],
        "peak_mb": max(r.peak_mb for r in runs),
    }
    lines = [
        f"Snapshot: {figures['snapshot_bytes']:,} bytes",
        f"Best: {figures['best_s']:.3f} s  Median: {figures['median_s']:.3f} s",
        f"Peak memory: {figures['peak_mb']:.1f} MB",
    ]
    _report("Export --snapshot", figures, lines, as_json)
