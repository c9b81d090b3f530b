"""``worldstate snapshot``: replay an event log into a fresh store and print its snapshot."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import click

from worldstate.clock import ManualClock
from worldstate.events import EventBus
from worldstate.replay import iter_event_log, replay_events
from worldstate.store import WorldStore

from ._app import cli

__all__ = ["snapshot", "replay_to_snapshot", "write_atomic"]


def replay_to_snapshot(events: str) -> dict[str, object]:
    """Replay the JSONL log ``events`` (``-`` = stdin) into a fresh store; return its snapshot.

    Raises:
        EventLogError: the log is malformed (names the file and line).
    """
    bus = EventBus()
    clock = ManualClock()
    with WorldStore(bus, clock=clock) as store:
        replay_events(iter_event_log(events), bus, clock)
        return store.snapshot()


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` through a temp file in the same folder + rename."""
    fd, temp = tempfile.mkstemp(
        dir=path.parent or Path("."), prefix=f".{path.name}.", suffix=".tmp"
    )
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


@cli.command("snapshot")
@click.option(
    "--events",
    "events",
    required=True,
    metavar="FILE",
    help="JSONL event log to replay ('-' reads standard input).",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the snapshot here (atomically) instead of to standard output.",
)
def snapshot(events: str, out: Path | None) -> None:
    """Replay an event log into a fresh world store and print the snapshot as JSON.

    Exit code 2 (and nothing written) when a line of the log is malformed.
    """
    data = replay_to_snapshot(events)
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if out is None:
        click.echo(text, nl=False)
    else:
        write_atomic(out, text)
