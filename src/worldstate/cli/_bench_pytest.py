"""``worldstate bench pytest``: what the pytest plugin's fixture adds to a trivial test."""

from __future__ import annotations

import json
from pathlib import Path

import click

from worldstate.bench import OVERHEAD_BUDGET_MS, PytestBenchRound, run_pytest_bench
from worldstate.cli._app import bench

__all__ = ["bench_pytest"]


@bench.command("pytest")
@click.option("--tests", type=click.IntRange(min=1), default=200, show_default=True)
@click.option("--rounds", type=click.IntRange(min=1), default=5, show_default=True)
@click.option(
    "--baseline-src",
    type=click.Path(path_type=Path, file_okay=False, exists=True),
    default=None,
    help="Another checkout's src folder: its plugin is measured beside this one, alternating.",
)
@click.option(
    "--dir",
    "directory",
    type=click.Path(path_type=Path, file_okay=False, exists=True),
    default=None,
    help="Folder for the fresh suite folders (default: system temp; pick the disk to measure).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the figures as one JSON object.")
def bench_pytest(
    tests: int, rounds: int, baseline_src: Path | None, directory: Path | None, as_json: bool
) -> None:
    """Time trivial pytest tests without and with worldstate_telemetry, rounds alternating."""

    def say(number: int, result: PytestBenchRound) -> None:
        if as_json:
            return
        line = (
            f"round {number}: median per test without fixture {result.plain_ms:.3f} ms, "
            f"with worldstate_telemetry {result.telemetry_ms:.3f} ms, "
            f"overhead {result.overhead_ms:.3f} ms (file system floor {result.floor_ms:.3f} ms)"
        )
        if result.baseline_overhead_ms is not None:
            line += f"; baseline overhead {result.baseline_overhead_ms:.3f} ms"
        click.echo(line)

    report = run_pytest_bench(
        tests, rounds, baseline_src=baseline_src, temp_root=directory, on_round=say
    )
    if as_json:
        click.echo(
            json.dumps(
                {
                    "tests": tests,
                    "rounds": [
                        {
                            "plainMs": r.plain_ms,
                            "telemetryMs": r.telemetry_ms,
                            "floorMs": r.floor_ms,
                            "baselineMs": r.baseline_ms,
                        }
                        for r in report.rounds
                    ],
                    "overheadMs": report.overhead_ms,
                    "floorMs": report.floor_ms,
                    "baselineOverheadMs": report.baseline_overhead_ms,
                    "budgetMs": OVERHEAD_BUDGET_MS,
                }
            )
        )
        return
    verdict = "within" if report.within_budget else "OVER"
    click.echo(
        f"median overhead {report.overhead_ms:.3f} ms per test "
        f"({verdict} the {OVERHEAD_BUDGET_MS:.0f} ms budget; "
        f"file system floor {report.floor_ms:.3f} ms)"
    )
    if report.baseline_overhead_ms is not None:
        click.echo(f"baseline median overhead {report.baseline_overhead_ms:.3f} ms per test")
