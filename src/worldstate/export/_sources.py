"""Where an export's inspector summary comes from: an event log, a snapshot, a save, a file.

Every loader validates its whole input before the export writes anything: files are read
whole, and an event log is streamed straight into the replay (memory does not grow with the
log), which finishes before the first artifact is rendered.  Bad input raises an
:class:`~worldstate.errors.InputError` naming the file and the line or JSON path.
"""

from __future__ import annotations

import enum
import io
import os
import stat
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Any

import msgspec

import worldstate.demo as demo_package
from worldstate.clock import ManualClock
from worldstate.errors import ConfigurationError, InputError
from worldstate.events import EventBus
from worldstate.inspector import check_summary
from worldstate.jsonfile import read_json_file
from worldstate.replay import RecordedEvent, StoreReplay, iter_event_log
from worldstate.storage import is_url, open_binary, read_json, source_label
from worldstate.store import adopt_snapshot, load_snapshot_file

__all__ = [
    "SummaryOrigin",
    "SummarySource",
    "SourceRequest",
    "ReplayProgress",
    "SOURCE_OPTIONS",
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
    "EVENTS_REPLAYED",
]

DEMO_RESOURCE = "lantern_street.jsonl"
"""The bundled demo playthrough, a file of the ``worldstate.demo`` package."""

EVENTS_REPLAYED = "telemetry:events_replayed"
"""Emitted by an export run once its replayed source is summarised: ``{origin, events}``."""


class SummaryOrigin(enum.StrEnum):
    """Where an export's summary came from."""

    DEMO = "demo"
    EVENTS = "events"
    SNAPSHOT = "snapshot"
    SUMMARY = "summary"
    SAVE = "save"

    @property
    def label(self) -> str:
        """How a person would say it (``the bundled demo playthrough``)."""
        return _ORIGIN_LABELS[self]


_ORIGIN_LABELS: dict[SummaryOrigin, str] = {
    SummaryOrigin.DEMO: "the bundled demo playthrough",
    SummaryOrigin.EVENTS: "an event log",
    SummaryOrigin.SNAPSHOT: "a snapshot file",
    SummaryOrigin.SUMMARY: "a summary file",
    SummaryOrigin.SAVE: "a save slot",
}


class SummarySource(msgspec.Struct, frozen=True):
    """A raw inspector summary and where its ``generatedAt`` comes from.

    Attributes:
        summary: the raw summary (``None`` for an explicit ``null`` summary file).
        now: the ``generatedAt`` used when the summary has none.
        origin: where it came from.
        events: how many events were replayed (0 for other origins).
        problems: one sentence per kind of replayed event not taken as it is (unknown,
            skipped, coerced); empty for other origins.
    """

    summary: Mapping[str, Any] | None
    now: int
    origin: SummaryOrigin
    events: int = 0
    problems: tuple[str, ...] = ()

    @property
    def replayed(self) -> bool:
        """Whether the summary came from replaying events (``--demo``, ``--events``)."""
        return self.origin in (SummaryOrigin.DEMO, SummaryOrigin.EVENTS)

    def replay_event(self) -> dict[str, Any]:
        """The ``telemetry:events_replayed`` payload: ``{origin, events}``."""
        return {"origin": self.origin.value, "events": self.events}


def load_summary_file(
    path: Path | str,
    *,
    storage_options: Mapping[str, Any] | None = None,
    env: Mapping[str, str] | None = None,
) -> Mapping[str, Any] | None:
    """Read an inspector summary built elsewhere (a path or URL): a JSON object, or ``null``.

    Raises:
        InputError: unreadable or not JSON.
        SnapshotError: the document is not shaped like a summary, or holds a value the
            renderers cannot format (see :mod:`worldstate.inspector._summary_schema`).
    """
    data = read_json(path, what="summary", storage_options=storage_options, env=env)
    return check_summary(data, source=source_label(path))


def load_snapshot(
    source: Path | str,
    *,
    storage_options: Mapping[str, Any] | None = None,
    env: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Read and validate a world snapshot from a path or URL (see ``load_snapshot_file``)."""
    data = read_json(source, what="snapshot", storage_options=storage_options, env=env)
    return adopt_snapshot(data, source=source_label(source))  # freshly decoded: ours to keep


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
    # The package's own loader reads the file (from a folder or a zip) without
    # importlib.resources, whose readers cost more to import than the demo replay itself.
    spec = demo_package.__spec__
    path = os.path.join(os.path.dirname(str(spec.origin)), DEMO_RESOURCE)
    data: bytes = spec.loader.get_data(path)  # type: ignore[union-attr]
    return list(iter_event_log(io.BytesIO(data), name=f"worldstate.demo/{DEMO_RESOURCE}"))


def summary_from_events(
    events: Iterable[RecordedEvent],
    *,
    origin: SummaryOrigin,
    generated_at: int | None,
    wall_clock: Callable[[], int],
    on_event: Callable[[RecordedEvent], None] | None = None,
    strict: bool = False,
    source: str | None = None,
) -> SummarySource:
    """Replay ``events`` into a fresh store (with a transcript recorder) and summarise it.

    ``events`` is consumed once, lazily (a stream from :func:`stream_event_log` is never
    materialised).  The clock follows each event's ``ts``, so ``generatedAt`` is the last
    event's ``ts``; ``generated_at`` overrides it; an empty log uses ``wall_clock``.
    With ``strict``, the first event not taken as it is stops the replay (named by ``source``
    and its line); otherwise such events are counted in the result's ``problems``.

    Raises:
        EventLogError: propagated from ``events`` (or a refusal under ``strict``); no
            summary is built.
    """
    from worldstate.inspector import TutorialTranscriptRecorder, build_summary

    replay = StoreReplay(events, empty_start=wall_clock, source=source)
    recorder = TutorialTranscriptRecorder(replay.bus, clock=replay.clock)
    with replay.store as store:
        stats = replay.run(on_event=on_event, strict=strict)
        if generated_at is not None:
            replay.clock.set(generated_at)
        summary = build_summary(store, recorder=recorder)
    problems = tuple(replay.problems(stats))
    return SummarySource(summary, replay.clock(), origin, stats.events, problems)


def summary_from_snapshot(
    snapshot: Mapping[str, Any],
    *,
    origin: SummaryOrigin,
    now: int,
    after_hydrate: Callable[[], None] | None = None,
) -> SummarySource:
    """Hydrate a fresh store from ``snapshot`` and summarise it at time ``now``.

    ``after_hydrate`` runs once the store holds the world, before the summary is built (the
    CLI freezes the garbage collector's view of the hydrated world there).
    """
    from worldstate.inspector import build_summary
    from worldstate.store import WorldStore

    clock = ManualClock(now)
    with WorldStore(EventBus(), clock=clock) as store:
        store.hydrate(snapshot)
        if after_hydrate is not None:
            after_hydrate()
        summary = build_summary(store)
    return SummarySource(summary, now, origin)


SOURCE_OPTIONS = ("--demo", "--events", "--snapshot", "--summary", "--save")

ReplayProgress = Callable[
    [int | None], AbstractContextManager[Callable[[RecordedEvent], None] | None]
]
"""Given a log's line count (``None`` when unknown), a context giving a per-event callback."""


class SourceRequest(msgspec.Struct, frozen=True):
    """The summary source of an export, as given (exactly one must be set).

    Attributes:
        demo: the bundled demo playthrough.
        events_log: a JSONL event log (``"-"`` is stdin).
        snapshot: a world snapshot file.
        summary: a summary built elsewhere.
        save: a save database (with ``slot``).
        slot: the save slot.
        strict: refuse the first replayed event not taken as it is (``--events``/``--demo``).
        after_hydrate: run once a snapshot or save has been hydrated into the store.
        while_loading: a context reading, validating, hydrating and summarising a snapshot or
            save, or replaying an event log, runs in (the CLI pauses the garbage collector
            there: the millions of containers a large world decodes into would otherwise be
            re-scanned again and again, and none of them is part of a reference cycle).
        storage_options: fsspec options for inputs given as URLs.
        env: where further storage options and credentials for URLs are read from.
    """

    demo: bool = False
    events_log: str | None = None
    snapshot: Path | str | None = None
    summary: Path | str | None = None
    save: Path | None = None
    slot: str | None = None
    strict: bool = False
    after_hydrate: Callable[[], None] | None = None
    while_loading: Callable[[], AbstractContextManager[object]] = nullcontext
    storage_options: Mapping[str, Any] = msgspec.field(default_factory=dict)
    env: Mapping[str, str] = msgspec.field(default_factory=dict)

    def check(self) -> None:
        """Refuse zero or several sources, ``save`` without ``slot`` (or the reverse), and
        ``strict`` for a source that is not replayed.

        Raises:
            ConfigurationError: names the sources given and the ones accepted.
        """
        values = (self.demo, self.events_log, self.snapshot, self.summary, self.save)
        given = [name for name, value in zip(SOURCE_OPTIONS, values, strict=True) if value]
        if len(given) != 1:
            found = ", ".join(given) if given else "none"
            raise ConfigurationError(
                f"give exactly one source of {', '.join(SOURCE_OPTIONS)} (given: {found})"
            )
        if (self.save is None) != (self.slot is None):
            raise ConfigurationError("--save DB and --slot NAME go together: give both")
        if self.strict and not (self.demo or self.events_log):
            raise ConfigurationError("--strict applies to a replayed source (--events, --demo)")

    @property
    def label(self) -> str:
        """The source as a user would name it in a message (a path, or ``demo``)."""
        given = self.summary or self.snapshot or self.events_log or self.save
        return "demo" if given is None else source_label(given)

    def load(
        self,
        *,
        generated_at: int | None,
        wall_clock: Callable[[], int],
        progress: ReplayProgress | None = None,
    ) -> SummarySource:
        """Read, validate and summarise the source (nothing is written).

        Args:
            generated_at: a ``generatedAt`` override.
            wall_clock: "now" for sources without their own time.
            progress: shows replay progress; the log's lines are counted only when given.
        """
        if self.demo or self.events_log is not None:
            return self._replay(generated_at, wall_clock, progress)
        now = generated_at if generated_at is not None else wall_clock()
        if self.snapshot is not None:
            with self.while_loading():
                world = load_snapshot(self.snapshot, **self._storage())
                return summary_from_snapshot(
                    world, origin=SummaryOrigin.SNAPSHOT, now=now, after_hydrate=self.after_hydrate
                )
        if self.summary is not None:
            raw = load_summary_file(self.summary, **self._storage())
            if raw is not None and generated_at is not None:
                raw = {**raw, "generatedAt": generated_at}
            return SummarySource(raw, now, SummaryOrigin.SUMMARY)
        from worldstate.saves import read_world_snapshot  # lazily: only --save needs SQLite

        assert self.save is not None and self.slot is not None  # guaranteed by check()
        with self.while_loading():
            world = read_world_snapshot(self.save, self.slot)
            return summary_from_snapshot(
                world, origin=SummaryOrigin.SAVE, now=now, after_hydrate=self.after_hydrate
            )

    def _storage(self) -> dict[str, Any]:
        return {"storage_options": self.storage_options, "env": self.env}

    def _replay(
        self,
        generated_at: int | None,
        wall_clock: Callable[[], int],
        progress: ReplayProgress | None,
    ) -> SummarySource:
        events: Iterable[RecordedEvent]
        lines: int | None
        if self.demo:
            demo = demo_events()
            events, lines = demo, (demo[-1].line if demo else 0)
        else:
            log = self.events_log or "-"
            # Streamed into the replay, never held in memory; only progress needs the count.
            events = stream_event_log(log, **self._storage())
            lines = count_log_lines(log) if progress is not None else None
        shown = progress(lines) if progress is not None else nullcontext(None)
        with shown as advance, self.while_loading():
            return summary_from_events(
                events,
                origin=SummaryOrigin.DEMO if self.demo else SummaryOrigin.EVENTS,
                generated_at=generated_at,
                wall_clock=wall_clock,
                on_event=advance,
                strict=self.strict,
                source="<stdin>" if self.events_log == "-" else self.label,
            )
