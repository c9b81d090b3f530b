"""Where an export's inspector summary comes from: an event log, a snapshot, a save, a file.

Every loader validates its whole input before the export writes anything: files are read
whole, and an event log is streamed straight into the replay (memory does not grow with the
log), which finishes before the first artifact is rendered.  Bad input raises an
:class:`~worldstate.errors.InputError` naming the file and the line or JSON path.
"""

from __future__ import annotations

import itertools
import os
import stat
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from worldstate.clock import ManualClock
from worldstate.errors import InputError, SnapshotError
from worldstate.events import EventBus
from worldstate.jsonfile import json_type_name, read_json_file
from worldstate.replay import RecordedEvent, iter_event_log, replay_events
from worldstate.storage import is_url, open_binary, read_json, source_label
from worldstate.store.snapshot import load_snapshot_file, validate_snapshot

__all__ = [
    "SummarySource",
    "read_json_file",
    "load_summary_file",
    "load_snapshot_file",
    "load_snapshot",
    "stream_event_log",
    "count_log_lines",
    "demo_events",
    "summary_from_events",
    "summary_from_snapshot",
    "DEMO_RESOURCE",
]

DEMO_RESOURCE = "lantern_street.jsonl"
"""The bundled demo playthrough, a file of the ``worldstate.demo`` package."""


@dataclass(frozen=True, slots=True)
class SummarySource:
    """A raw inspector summary and where its ``generatedAt`` comes from.

    Attributes:
        summary: the raw summary (``None`` for an explicit ``null`` summary file).
        now: the ``generatedAt`` used when the summary has none.
        origin: a human label (``events``, ``demo``, ``snapshot``, ``save``, ``summary``).
        events: how many events were replayed (0 for other origins).
    """

    summary: Mapping[str, Any] | None
    now: int
    origin: str
    events: int = 0


def load_summary_file(
    path: Path | str,
    *,
    storage_options: Mapping[str, Any] | None = None,
    env: Mapping[str, str] | None = None,
) -> Mapping[str, Any] | None:
    """Read an inspector summary built elsewhere (a path or URL): a JSON object, or ``null``.

    Raises:
        InputError: unreadable or not JSON.
        SnapshotError: the document is neither an object nor ``null`` (path ``$``).
    """
    data = read_json(path, what="summary", storage_options=storage_options, env=env)
    if data is not None and not isinstance(data, dict):
        raise SnapshotError(
            f"a summary must be a JSON object or null, got {json_type_name(data)}",
            source=source_label(path),
            path="$",
        )
    return data


def load_snapshot(
    source: Path | str,
    *,
    storage_options: Mapping[str, Any] | None = None,
    env: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Read and validate a world snapshot from a path or URL (see ``load_snapshot_file``)."""
    data = read_json(source, what="snapshot", storage_options=storage_options, env=env)
    return validate_snapshot(data, source=source_label(source))


def stream_event_log(
    source: Path | str,
    *,
    storage_options: Mapping[str, Any] | None = None,
    env: Mapping[str, str] | None = None,
) -> Iterator[RecordedEvent]:
    """Stream and validate a JSONL event log (``"-"`` is stdin), one line at a time.

    Nothing is read before iteration starts, and nothing is kept: a log of any length replays
    in constant memory.

    Raises:
        InputError: the file cannot be read (raised while iterating).
        EventLogError: a line is malformed, naming file and line (raised when it is reached;
            the events before it have been yielded).
    """
    if isinstance(source, str) and is_url(source):
        with open_binary(source, storage_options, env=env) as stream:
            yield from iter_event_log(stream, name=source_label(source))
        return
    name = "<stdin>" if source == "-" else str(source)
    try:
        yield from iter_event_log(source, name=name)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise InputError(f"cannot read event log: {reason}", source=name) from exc


_COUNT_CHUNK = 1 << 20


def count_log_lines(source: Path | str) -> int | None:
    """How many lines a log file has, counted cheaply (bytes only, no JSON parsing).

    Meant for a progress total: blank lines are counted too, and a final line without a
    newline counts.

    Returns:
        The count, or ``None`` when ``source`` is stdin (``"-"``) or not a regular file that
        can be read (a pipe can be read only once; the replay reports unreadable files).
    """
    if str(source) == "-":
        return None
    try:
        # stat before opening: opening a named pipe would block, and reading it would eat it.
        if not stat.S_ISREG(os.stat(source).st_mode):
            return None
        with open(source, "rb") as fh:
            lines, last = 0, b"\n"
            while chunk := fh.read(_COUNT_CHUNK):
                lines += chunk.count(b"\n")
                last = chunk[-1:]
    except OSError:
        return None
    return lines + (last != b"\n")


def demo_events() -> list[RecordedEvent]:
    """The bundled demo playthrough (a small detective case), read as package data."""
    resource = resources.files("worldstate.demo").joinpath(DEMO_RESOURCE)
    with resource.open("rb") as stream:
        return list(iter_event_log(stream, name=f"worldstate.demo/{DEMO_RESOURCE}"))


def summary_from_events(
    events: Iterable[RecordedEvent],
    *,
    origin: str,
    generated_at: int | None,
    wall_clock: Callable[[], int],
    on_event: Callable[[RecordedEvent], None] | None = None,
) -> SummarySource:
    """Replay ``events`` into a fresh store (with a transcript recorder) and summarise it.

    ``events`` is consumed once, lazily (a stream from :func:`stream_event_log` is never
    materialised).  The clock follows each event's ``ts``, so ``generatedAt`` is the last
    event's ``ts``; ``generated_at`` overrides it; an empty log uses ``wall_clock``.

    Raises:
        EventLogError: propagated from ``events``; no summary is built.
    """
    from worldstate.inspector import TutorialTranscriptRecorder, build_summary
    from worldstate.store import WorldStore

    stream = iter(events)
    first = next(stream, None)  # the store starts at the first event's time
    clock = ManualClock(first.ts if first is not None else wall_clock())
    if first is not None:
        stream = itertools.chain((first,), stream)
    bus = EventBus()
    recorder = TutorialTranscriptRecorder(bus, clock=clock)
    with WorldStore(bus, clock=clock) as store:
        stats = replay_events(stream, bus, clock, on_event=on_event)
        if generated_at is not None:
            clock.set(generated_at)
        summary = build_summary(store, recorder=recorder)
    return SummarySource(summary, clock(), origin, stats.events)


def summary_from_snapshot(snapshot: Mapping[str, Any], *, origin: str, now: int) -> SummarySource:
    """Hydrate a fresh store from ``snapshot`` and summarise it at time ``now``."""
    from worldstate.inspector import build_summary
    from worldstate.store import WorldStore

    clock = ManualClock(now)
    with WorldStore(EventBus(), clock=clock) as store:
        store.hydrate(snapshot)
        summary = build_summary(store)
    return SummarySource(summary, now, origin)
