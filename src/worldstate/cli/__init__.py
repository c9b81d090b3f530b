"""Command-line interface: ``worldstate`` and its subcommands.

Each subcommand lives in its own module and is thin: parse options, call the library, render
the result.  :func:`main` can be called from Python with an argument list.
"""

from __future__ import annotations

from collections.abc import Sequence

from worldstate.cli._app import bench, cli, pause_collector_until_the_command_runs
from worldstate.cli._lazy import LazyCommand, lazy_group

__all__ = ["cli", "main"]

# Each command's module is imported only when that command runs; the one-line help is shown by
# `--help` without importing it (tests/cli/test_lazy.py keeps it equal to the command's own).
lazy_group(cli).add_lazy_commands(
    {
        "publish": LazyCommand(
            "worldstate.cli._publish",
            "Upload an export folder with the configured providers and rewrite its manifest.",
        ),
        "report": LazyCommand(
            "worldstate.cli._report",
            "Reports over CI manifests and exports (Markdown, JSON, HTML).",
        ),
        "artifact": LazyCommand(
            "worldstate.cli._artifact",
            "Artifacts of the running GitHub Actions job (also under nektos/act).",
        ),
        "export": LazyCommand(
            "worldstate.cli._export",
            "Export inspector telemetry (JSON/CSV/Markdown), write the CI manifest, publish it.",
        ),
        "saves": LazyCommand("worldstate.cli._saves", "Inspect and manage save databases."),
        "snapshot": LazyCommand(
            "worldstate.cli._snapshot",
            "Replay an event log into a fresh world store and print the snapshot as JSON.",
        ),
    }
)
lazy_group(bench).add_lazy_commands(
    {
        "upload": LazyCommand(
            "worldstate.cli._bench_upload",
            "Upload one file to Azurite through the artifact service, rounds alternating clients.",
        ),
        "export": LazyCommand(
            "worldstate.cli._bench_store",
            (
                "Time `worldstate export --snapshot FILE` in fresh processes: wall time and "
                "peak memory."
            ),
        ),
        "report": LazyCommand(
            "worldstate.cli._report",
            "Time `report fallback` over many manifests (written first, untimed, then removed).",
        ),
        "redact": LazyCommand(
            "worldstate.cli._bench_redact",
            "Redact a ``--context`` of SIZE characters of each hostile shape; best of REPEAT runs.",
        ),
        "dispatch": LazyCommand(
            "worldstate.cli._bench_store",
            "Time the store's dispatch, one workload iteration at a time.",
        ),
        "replay": LazyCommand(
            "worldstate.cli._bench_store",
            "Measure replay throughput: parse, emit and dispatch, in events per second.",
        ),
        "events": LazyCommand(
            "worldstate.cli._bench_store",
            (
                "Time every event type on a small and a large world: an event whose cost grows "
                "with the world shows as a growth well above 1."
            ),
        ),
        "saves": LazyCommand(
            "worldstate.cli._bench_saves",
            (
                "Save and load latency (p50/p99), durable (synchronous=FULL) and NORMAL; or, "
                "with --slots, save and list cost in a full database against a fresh one."
            ),
        ),
        "pytest": LazyCommand(
            "worldstate.cli._bench_pytest",
            "Time trivial pytest tests without and with worldstate_telemetry, rounds alternating.",
        ),
        "writer": LazyCommand(
            "worldstate.cli._bench_writer",
            "Render each summary (untimed), then time writing its artifacts into a new folder.",
        ),
    }
)


def main(argv: Sequence[str] | None = None) -> None:
    """Run the CLI with ``argv`` (default: ``sys.argv[1:]``); exits with the command's code.

    Without ``argv`` this is the process's entry point (the ``worldstate`` script, ``python -m
    worldstate``): the garbage collector is paused while the command loads and what is loaded
    is frozen when it starts (see
    :func:`~worldstate.cli._app.pause_collector_until_the_command_runs`).  A program that
    passes ``argv`` keeps its collector as it is.
    """
    if argv is None:
        pause_collector_until_the_command_runs()
    cli.main(args=list(argv) if argv is not None else None, prog_name="worldstate")
