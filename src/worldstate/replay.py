"""Replaying recorded JSONL event logs through an event bus.

An event log has one JSON object per line: ``{"ts": <int ms>, "event": "<name>", "payload":
{...}}``; blank lines are ignored.  :func:`iter_event_log` streams it (memory does not grow with
the log) and validates every line; :func:`replay_events` sets a
:class:`~worldstate.clock.ManualClock` to each event's ``ts`` and emits it, so a store listening
on the bus sees the playthrough exactly as it was recorded.
"""

from __future__ import annotations

import itertools
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import IO, Annotated, Any, Final

import msgspec

from worldstate.clock import Clock, ManualClock
from worldstate.errors import EventLogError
from worldstate.events import EventBus
from worldstate.jsonfile import MAX_JSON_DEPTH, nesting_excess, text_position

__all__ = [
    "MAX_TS_MS",
    "RecordedEvent",
    "ReplayStats",
    "StoreReplay",
    "iter_event_log",
    "replay_events",
]


MAX_TS_MS: Final = 8_640_000_000_000_000
"""The largest ``|ts|`` a log may hold: the JavaScript ``Date`` range (±8.64e15 ms)."""

# The range check runs inside msgspec's decoder, so it costs the hot path nothing in Python.
_Timestamp = Annotated[int, msgspec.Meta(ge=-MAX_TS_MS, le=MAX_TS_MS)]


class RecordedEvent(msgspec.Struct, frozen=True):
    """One line of an event log.

    Attributes:
        ts: when it happened, ms since the epoch (within ±:data:`MAX_TS_MS` when read
            from a log).
        event: the bus event name.
        payload: the event payload (a JSON object).
        line: the 1-based line number in the log (0 when not read from a file).
    """

    ts: _Timestamp
    event: str
    payload: dict[str, Any]
    line: int = 0


class ReplayStats(msgspec.Struct, frozen=True):
    """What a replay did.

    Attributes:
        events: events emitted.
        unknown_events: events no handler listened to.
        last_ts: ``ts`` of the last event (``None`` for an empty log).
        seconds: wall time the replay took.
        unknown_names: how often each event nobody listened to occurred (a misspelt name
            shows here).
    """

    events: int
    unknown_events: int
    last_ts: int | None
    seconds: float
    unknown_names: dict[str, int] = {}


_decoder = msgspec.json.Decoder(RecordedEvent)


def iter_event_log(
    source: Path | str | IO[bytes], *, name: str | None = None
) -> Iterator[RecordedEvent]:
    """Stream the events of a JSONL log, validating each line.

    Args:
        source: a path, ``"-"`` for standard input, or a binary file object.
        name: how to call the log in error messages (default: the path, or ``<stdin>``).

    Yields:
        One :class:`RecordedEvent` per non-blank line, in order.

    Raises:
        EventLogError: the log cannot be read, or a line is not a JSON object with an integer
            ``ts`` within ±:data:`MAX_TS_MS`, a string ``event`` and an object ``payload``,
            or nests deeper than :data:`~worldstate.jsonfile.MAX_JSON_DEPTH` (names the file
            and line).
    """
    # One generator for opening and parsing: every event passes through it, and a nested
    # ``yield from`` generator costs about a tenth of a line's decoding.
    with ExitStack() as stack:
        if isinstance(source, str | Path):
            if str(source) == "-":
                fh: IO[bytes] = sys.stdin.buffer
                label = name or "<stdin>"
            else:
                label = name or str(source)
                try:
                    fh = stack.enter_context(open(source, "rb"))
                except OSError as exc:
                    raise EventLogError(
                        f"cannot read event log: {exc.strerror}", source=label
                    ) from exc
        else:
            fh = source
            label = name or str(getattr(source, "name", "<stream>"))
        decode = _decoder.decode
        set_line = msgspec.structs.force_setattr
        shortest_too_deep = MAX_JSON_DEPTH + 1  # a shorter line cannot open that many brackets
        for number, raw in enumerate(fh, 1):
            if len(raw) >= shortest_too_deep:
                _check_nesting(raw, label, number)
            try:
                event = decode(raw)
            except msgspec.DecodeError as exc:
                if not raw.strip():  # blank lines are allowed; checked only here, off the hot path
                    continue
                raise EventLogError(_describe(exc), source=label, line=number) from None
            set_line(event, "line", number)
            yield event


def _check_nesting(raw: bytes, label: str, number: int) -> None:
    text = raw.decode("utf-8", "replace")
    index = nesting_excess(text)
    if index is not None:
        column = text_position(text, index)[1]
        raise EventLogError(
            f"nests arrays and objects deeper than the limit of {MAX_JSON_DEPTH} (column {column})",
            source=label,
            line=number,
        )


def _describe(exc: msgspec.DecodeError) -> str:
    text = str(exc)
    if isinstance(exc, msgspec.ValidationError):
        message, sep, path = text.rpartition(" - at `")
        if path == "$.ts`" and message.startswith(("Expected `int` <=", "Expected `int` >=")):
            return "ts is outside the JavaScript date range (±8.64e15 ms) at $.ts"
        if sep:
            return f"{message} at {path.rstrip('`')}"
        return text
    return f"not valid JSON ({text})"


def replay_events(
    events: Iterable[RecordedEvent],
    bus: EventBus,
    clock: ManualClock,
    *,
    on_event: Callable[[RecordedEvent], None] | None = None,
    timer: Callable[[], float] = time.perf_counter,
) -> ReplayStats:
    """Emit recorded events on ``bus``, moving ``clock`` to each event's ``ts`` first.

    Args:
        events: the events, e.g. from :func:`iter_event_log` (consumed lazily).
        bus: where to emit them.
        clock: the clock the listeners (a store) read; set to each ``ts``.
        on_event: called with each event after it was emitted.
        timer: measures the replay's duration (seconds).

    Returns:
        Counts, the last ``ts`` and the duration.

    Raises:
        EventLogError: propagated from ``events`` when a line is malformed; events before it
            have been emitted.
    """
    started = timer()
    count = unknown = 0
    unknown_names: dict[str, int] = {}
    last_ts: int | None = None
    emit = bus.emit
    for event in events:
        clock.now = event.ts
        if emit(event.event, event.payload) == 0:
            unknown += 1
            unknown_names[event.event] = unknown_names.get(event.event, 0) + 1
        count += 1
        last_ts = event.ts
        if on_event is not None:
            on_event(event)
    return ReplayStats(count, unknown, last_ts, timer() - started, unknown_names)


def _zero() -> int:
    return 0


class StoreReplay:
    """A fresh bus, manual clock and default store, ready to replay ``events`` once.

    The clock starts at the first event's ``ts`` (``empty_start()`` for an empty log), so
    anything subscribed to :attr:`bus` before :meth:`run` (a transcript recorder) sees the
    playthrough from its start.  Peeking at the first event reads one line of the log.

    Attributes:
        bus: the bus the events are emitted on.
        clock: the clock the store reads, set to each event's ``ts``.
        store: the store listening on :attr:`bus` (``with replay.store:`` closes it).
        first_ts: the first event's ``ts`` (``None`` for an empty log).

    Raises:
        EventLogError: the first line of the log is malformed.
    """

    def __init__(
        self,
        events: Iterable[RecordedEvent],
        *,
        empty_start: Clock = _zero,
        source: str | None = None,
    ) -> None:
        # Imported here: reading an event log must not load the store and its slices.
        from worldstate.store import WorldStore

        self._source = source
        stream = iter(events)
        first = next(stream, None)
        self.first_ts = first.ts if first is not None else None
        self._events = itertools.chain((first,), stream) if first is not None else stream
        self.clock = ManualClock(first.ts if first is not None else empty_start())
        self.bus = EventBus()
        self.store = WorldStore(self.bus, clock=self.clock)

    def run(
        self, *, on_event: Callable[[RecordedEvent], None] | None = None, strict: bool = False
    ) -> ReplayStats:
        """Replay the events into :attr:`store` (see :func:`replay_events`).

        With ``strict``, an event nobody listens to, or one whose payload the store coerced or
        skipped (see :attr:`WorldStore.payload_report`), stops the replay with an error naming
        its line.

        Raises:
            EventLogError: a line is malformed (or, with ``strict``, not taken as it is); the
                events before it have been applied.
        """
        callback = self._strictly(on_event) if strict else on_event
        return replay_events(self._events, self.bus, self.clock, on_event=callback)

    def _strictly(
        self, on_event: Callable[[RecordedEvent], None] | None
    ) -> Callable[[RecordedEvent], None]:
        store, bus = self.store, self.bus
        seen = store.payload_problems

        def check(event: RecordedEvent) -> None:
            nonlocal seen
            if store.payload_problems != seen:
                problem = store.payload_report.last_problem or event.event
                raise EventLogError(
                    f"refused under --strict: {problem}", source=self._source, line=event.line
                )
            if not bus.has_listeners(event.event):
                raise EventLogError(
                    f"refused under --strict: unknown event {event.event!r}",
                    source=self._source,
                    line=event.line,
                )
            if on_event is not None:
                on_event(event)

        return check

    def problems(self, stats: ReplayStats) -> list[str]:
        """One sentence per kind of event not taken as it is (unknown, skipped, coerced)."""
        report = self.store.payload_report
        lines = []
        for what, counts in (
            ("unknown", stats.unknown_names),
            ("skipped (bad id)", report.skipped),
            ("coerced (numeric id)", report.coerced),
        ):
            if counts:
                names = ", ".join(f"{name} x{n}" for name, n in sorted(counts.items()))
                lines.append(f"{sum(counts.values())} event(s) {what}: {names}")
        return lines
