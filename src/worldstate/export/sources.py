"""Where an export's inspector summary comes from: an event log, a snapshot, a save, a file.

Every loader reads and validates its whole input before returning, so a caller can check
everything before writing anything.  Bad input raises an :class:`~worldstate.errors.InputError`
naming the file and the line or JSON path.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from worldstate.clock import ManualClock
from worldstate.errors import InputError, SnapshotError
from worldstate.events import EventBus
from worldstate.jsonfile import json_type_name, read_json_file
from worldstate.replay import RecordedEvent, iter_event_log, replay_events
from worldstate.store.snapshot import load_snapshot_file

__all__ = [
    "SummarySource",
    "read_json_file",
    "load_summary_file",
    "load_snapshot_file",
    "read_event_log",
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


def load_summary_file(path: Path) -> Mapping[str, Any] | None:
    """Read an inspector summary built elsewhere: a JSON object, or ``null``.

    Raises:
        InputError: unreadable or not JSON.
        SnapshotError: the document is neither an object nor ``null`` (path ``$``).
    """
    data = read_json_file(path, what="summary")
    if data is not None and not isinstance(data, dict):
        raise SnapshotError(
            f"a summary must be a JSON object or null, got {json_type_name(data)}",
            source=str(path),
            path="$",
        )
    return data


def read_event_log(source: Path | str) -> list[RecordedEvent]:
    """Read and validate a whole JSONL event log (``"-"`` is stdin).

    Raises:
        InputError: the file cannot be read.
        EventLogError: a line is malformed (names file and line).
    """
    name = "<stdin>" if source == "-" else str(source)
    try:
        return list(iter_event_log(source, name=name))
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise InputError(f"cannot read event log: {reason}", source=name) from exc


def demo_events() -> list[RecordedEvent]:
    """The bundled demo playthrough (a small detective case), read as package data."""
    resource = resources.files("worldstate.demo").joinpath(DEMO_RESOURCE)
    with resource.open("rb") as stream:
        return list(iter_event_log(stream, name=f"worldstate.demo/{DEMO_RESOURCE}"))


def summary_from_events(
    events: Sequence[RecordedEvent],
    *,
    origin: str,
    generated_at: int | None,
    wall_clock: Callable[[], int],
    on_event: Callable[[RecordedEvent], None] | None = None,
) -> SummarySource:
    """Replay ``events`` into a fresh store (with a transcript recorder) and summarise it.

    The clock follows each event's ``ts``, so ``generatedAt`` is the last event's ``ts``;
    ``generated_at`` overrides it; an empty log uses ``wall_clock``.
    """
    from worldstate.inspector import TutorialTranscriptRecorder, build_summary
    from worldstate.store import WorldStore

    clock = ManualClock(events[0].ts if events else wall_clock())
    bus = EventBus()
    recorder = TutorialTranscriptRecorder(bus, clock=clock)
    with WorldStore(bus, clock=clock) as store:
        replay_events(events, bus, clock, on_event=on_event)
        if generated_at is not None:
            clock.set(generated_at)
        summary = build_summary(store, recorder=recorder)
    return SummarySource(summary, clock(), origin, len(events))


def summary_from_snapshot(snapshot: Mapping[str, Any], *, origin: str, now: int) -> SummarySource:
    """Hydrate a fresh store from ``snapshot`` and summarise it at time ``now``."""
    from worldstate.inspector import build_summary
    from worldstate.store import WorldStore

    clock = ManualClock(now)
    with WorldStore(EventBus(), clock=clock) as store:
        store.hydrate(snapshot)
        summary = build_summary(store)
    return SummarySource(summary, now, origin)
