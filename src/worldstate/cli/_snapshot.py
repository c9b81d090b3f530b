"""``worldstate snapshot``: replay an event log into a fresh store and print its snapshot."""

from __future__ import annotations

import json
from pathlib import Path

import click

from worldstate._collector import collector_paused
from worldstate.artifacts import Artifact
from worldstate.replay import StoreReplay, iter_event_log
from worldstate.writers import FileSystemWriter

from ._app import JobFailed, cli, echo_replay_problems
from ._options import strict_option

__all__ = ["replay_to_snapshot", "snapshot"]


def replay_to_snapshot(events: str, *, strict: bool = False) -> dict[str, object]:
    """Replay the JSONL log ``events`` (``-`` = stdin) into a fresh store; return its snapshot.

    Events not taken as they are (unknown, skipped for a bad id, coerced) are reported on
    standard error at the end; with ``strict`` the first of them is an error.

    Raises:
        EventLogError: the log is malformed (names the file and line), or ``strict`` and an
            event was not taken as it is.
    """
    source = "<stdin>" if events == "-" else events
    replay = StoreReplay(iter_event_log(events), source=source)
    with replay.store as store, collector_paused():
        stats = replay.run(strict=strict)
        echo_replay_problems(source, replay.problems(stats))
        return store.snapshot()


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
@strict_option()
def snapshot(events: str, out: Path | None, strict: bool) -> None:
    """Replay an event log into a fresh world store and print the snapshot as JSON.

    Exit code 2 (and nothing written) when a line of the log is malformed, or under --strict
    is not taken as it is.  Otherwise unknown, skipped and coerced events are counted on
    standard error.
    """
    data = replay_to_snapshot(events, strict=strict)
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if out is None:
        click.echo(text, nl=False)
    else:
        written = FileSystemWriter(out.parent, durable=True, id="snapshot").write(
            Artifact(
                type="json",
                section=None,
                filename=out.name,
                mime_type="application/json",
                content=text,
            )
        )
        if not written.ok:
            raise JobFailed(f"cannot write {out}: {written.error}")
