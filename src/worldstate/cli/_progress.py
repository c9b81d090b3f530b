"""Replay progress on stderr: a bar on a terminal, a plain line every few seconds elsewhere.

In CI logs (stderr not a terminal) a bar would be invisible or print escape codes, and a long
replay would look hung, so a plain line such as ``replaying: 12,000 of 50,000 lines (24%)`` is
printed every :data:`PLAIN_INTERVAL_SECONDS`, as pip does.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TextIO

from worldstate.replay import RecordedEvent

__all__ = ["PLAIN_INTERVAL_SECONDS", "replay_progress"]

PLAIN_INTERVAL_SECONDS = 5.0
"""How often a plain progress line is printed when stderr is not a terminal."""


@contextmanager
def replay_progress(
    lines: int,
    *,
    stream: TextIO,
    terminal: bool,
    clock: Callable[[], float] = time.monotonic,
    interval: float = PLAIN_INTERVAL_SECONDS,
) -> Iterator[Callable[[RecordedEvent], None]]:
    """Yield the callback a replay calls after each event (by line: blank lines count)."""
    if terminal:
        from rich.console import Console  # only on a terminal
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        columns = (TextColumn("replaying"), BarColumn(), MofNCompleteColumn())
        with Progress(*columns, console=Console(file=stream), transient=True) as bar:
            task = bar.add_task("replay", total=lines)
            yield lambda event: bar.update(task, completed=event.line)
        return
    next_at = clock() + interval

    def report(event: RecordedEvent) -> None:
        nonlocal next_at
        now = clock()
        if now >= next_at:
            next_at = now + interval
            share = event.line * 100 // lines if lines else 100
            stream.write(f"replaying: {event.line:,} of {lines:,} lines ({share}%)\n")
            stream.flush()

    yield report
