"""Command-line interface: ``worldstate`` and its subcommands.

Each subcommand lives in its own module and is thin: parse options, call the library, render
the result.  :func:`main` can be called from Python with an argument list.
"""

from __future__ import annotations

from collections.abc import Sequence

from worldstate.cli import (
    artifact,
    bench_saves,
    bench_store,
    bench_upload,
    bench_writer,
    export,
    saves,
    snapshot,
)
from worldstate.cli._app import bench, cli

__all__ = ["cli", "main"]

_ = (artifact, bench, bench_saves, bench_store, bench_upload, bench_writer, export, saves, snapshot)


def main(argv: Sequence[str] | None = None) -> None:
    """Run the CLI with ``argv`` (default: ``sys.argv[1:]``); exits with the command's code."""
    cli.main(args=list(argv) if argv is not None else None, prog_name="worldstate")
