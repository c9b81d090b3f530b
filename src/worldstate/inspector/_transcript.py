"""Tutorial transcript: a recorder listening to tutorial events, and its serializer.

The recorder subscribes to the bus when it is built and unsubscribes on :meth:`close` (or at the
end of a ``with`` block).  It keeps the newest ``max_entries`` entries and announces changes with
an update event, coalesced without timers or threads:

* an append emits at once when ``coalesce_ms`` have passed since the last emit (or nothing was
  emitted yet);
* otherwise the update is remembered as pending and goes out with the next append after the
  window, or when the game loop calls :meth:`poll` (emits if the window has passed) or
  :meth:`flush` (emits now).

``coalesce_ms=0`` emits once per entry.

Only the newest ``max_entries`` entries are ever read, so an entry is built when it is read
(:meth:`TutorialTranscriptRecorder.transcript`, an update event somebody listens to), not
when its event arrives: the recorder keeps a shallow copy of a payload of plain values (all
it needs; nothing the caller does later can reach it) and the moment's timestamp and step.
A payload holding containers is turned into its entry at once, since only a deep copy would
keep it.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Final

import msgspec

from worldstate._js import (
    ABSENT,
    coalesce,
    get,
    is_finite_number,
    iso_from_ms,
    truthy,
)
from worldstate.clock import Clock
from worldstate.errors import ConfigurationError
from worldstate.events import EventBus, Unsubscribe

__all__ = [
    "TUTORIAL_EVENTS",
    "TranscriptEntry",
    "TutorialTranscriptRecorder",
    "build_transcript",
]

DEFAULT_UPDATE_EVENT: Final = "tutorial:transcript_updated"
_TIMESTAMP_KEYS: Final = ("timestamp", "startedAt", "completedAt", "skippedAt", "occurredAt")


class TranscriptEntry(msgspec.Struct, frozen=True, kw_only=True):
    """One recorded tutorial moment.

    Attributes:
        event: ``tutorial_started``, ``tutorial_step_started``, ``tutorial_step_completed``,
            ``tutorial_skipped`` or ``tutorial_completed``.
        prompt_id: the step id, when the event concerns a step.
        prompt_text: the step title, when known.
        action_taken: ``started``, ``step_started``, ``step_completed``, ``skipped``, ``completed``.
        timestamp: ms since the epoch (from the payload, else the recorder's clock).
        follow_up_narrative: the payload's ``followUpNarrative``.
        metadata: event details (JSON-shaped; its keys depend on the event).
    """

    event: str
    prompt_id: Any
    prompt_text: Any
    action_taken: str
    timestamp: float
    follow_up_narrative: Any
    metadata: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        """The entry in the reference's key order, deep-copied."""
        return {
            "event": self.event,
            "promptId": self.prompt_id,
            "promptText": self.prompt_text,
            "actionTaken": self.action_taken,
            "timestamp": self.timestamp,
            "followUpNarrative": _clone(self.follow_up_narrative),
            "metadata": _clone(self.metadata),
        }


def _clone(value: object) -> Any:
    """Deep copy; absent becomes null, non-finite numbers become null.

    It walks with an explicit stack, so any nesting depth is copied.
    """
    if value.__class__ in _PLAIN_SCALARS:
        return value  # most payload fields: nothing to copy or clean
    root: list[Any] = [None]
    pending: list[tuple[Any, Any, object]] = [(root, 0, value)]
    while pending:
        parent, key, item = pending.pop()
        if isinstance(item, Mapping):
            copy = {str(k): None for k in item}  # keeps the key order; filled below
            # Popped in order, so of two keys with the same text the later wins.
            pending.extend(reversed([(copy, str(k), v) for k, v in item.items()]))
            parent[key] = copy
        elif isinstance(item, list | tuple):
            items: list[Any] = [None] * len(item)
            pending.extend((items, i, v) for i, v in enumerate(item))
            parent[key] = items
        else:
            parent[key] = _clone_scalar(item)
    return root[0]


def _clone_scalar(value: object) -> object:
    if value is ABSENT or (isinstance(value, float) and not math.isfinite(value)):
        return None
    return value


_PLAIN_SCALARS: Final = frozenset({str, int, bool, type(None)})


def _opt(payload: object, key: str) -> Any:
    # _clone makes an absent key null; a plain scalar (most fields) is taken without the call.
    value = payload.get(key) if payload.__class__ is dict else get(payload, key)
    return value if value.__class__ in _PLAIN_SCALARS else _clone(value)


def _opts(payload: object, *keys: str) -> dict[str, Any]:
    """``{key: _opt(payload, key)}`` for each key, in order."""
    if payload.__class__ is not dict:
        return {key: _opt(payload, key) for key in keys}
    lookup = payload.get
    result: dict[str, Any] = {}
    for key in keys:  # spelt out: a comprehension of calls costs more on Python 3.11
        value = lookup(key)
        result[key] = value if value.__class__ in _PLAIN_SCALARS else _clone(value)
    return result


class _StepContext(msgspec.Struct, frozen=True):
    """The step an entry concerns: its id and title."""

    step_id: Any
    title: Any


_NO_STEP: Final = _StepContext(None, None)


class TutorialTranscriptRecorder:
    """Records the tutorial's bus events as a bounded transcript.

    Args:
        bus: where the tutorial events arrive and the update event is emitted.
        clock: "now" for entries whose payload has no timestamp, and for coalescing.
        max_entries: how many entries to keep (oldest dropped first); at least 1.
        update_event: name of the event announcing a change (``None`` disables it).
        coalesce_ms: minimum ms between two update events; 0 emits per entry.

    Raises:
        ConfigurationError: ``max_entries`` < 1, ``coalesce_ms`` < 0 or a blank event name.
    """

    def __init__(
        self,
        bus: EventBus,
        *,
        clock: Clock,
        max_entries: int = 50,
        update_event: str | None = DEFAULT_UPDATE_EVENT,
        coalesce_ms: float = 50,
    ) -> None:
        if not (is_finite_number(max_entries) and max_entries >= 1):
            raise ConfigurationError(f"max_entries must be at least 1, got {max_entries!r}")
        if not (is_finite_number(coalesce_ms) and coalesce_ms >= 0):
            raise ConfigurationError(f"coalesce_ms must be >= 0, got {coalesce_ms!r}")
        if update_event is not None and not update_event.strip():
            raise ConfigurationError("update_event must be a non-blank event name or None")
        self._bus = bus
        self._clock = clock
        self._max_entries = math.floor(max_entries)
        self._update_event = update_event
        self._coalesce_ms = coalesce_ms
        self._entries: deque[TranscriptEntry | _Deferred] = deque(maxlen=self._max_entries)
        self._context: _StepContext | None = None
        self._last_emit_at: float | None = None
        self._pending: TranscriptEntry | _Deferred | None = None
        self._unsubscribers: list[Unsubscribe] = [
            bus.on(name, self._on_event) for name in TUTORIAL_EVENTS
        ]

    # -- lifecycle ---------------------------------------------------------------------------

    def close(self) -> None:
        """Stop listening; a pending update is dropped (call :meth:`flush` first to send it)."""
        for unsubscribe in self._unsubscribers:
            unsubscribe()
        self._unsubscribers.clear()
        self._pending = None
        self._context = None

    def __enter__(self) -> TutorialTranscriptRecorder:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called."""
        return not self._unsubscribers

    # -- reading -----------------------------------------------------------------------------

    def transcript(self) -> list[TranscriptEntry]:
        """The recorded entries, oldest first (copies: changing them changes nothing here)."""
        entries = self._entries
        built = [_built(item) for item in entries]
        entries.clear()
        entries.extend(built)  # each is built once
        return [msgspec.structs.replace(e, metadata=_clone(e.metadata)) for e in built]

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def pending(self) -> bool:
        """Whether an update event is waiting for its window to pass."""
        return self._pending is not None

    def reset(self) -> None:
        """Forget every entry and any pending update."""
        self._entries.clear()
        self._pending = None

    # -- coalesced update event --------------------------------------------------------------

    def poll(self) -> bool:
        """Emit the pending update if its window has passed; call it from the game loop.

        Returns:
            Whether an update event was emitted.
        """
        if self._pending is None or not self._window_passed():
            return False
        self._emit(self._pending)
        return True

    def flush(self) -> bool:
        """Emit the pending update now, whatever the window.  Returns whether one was sent."""
        if self._pending is None:
            return False
        self._emit(self._pending)
        return True

    def _window_passed(self) -> bool:
        if self._last_emit_at is None:
            return True
        return self._clock() - self._last_emit_at >= self._coalesce_ms

    def _emit(self, entry: TranscriptEntry | _Deferred) -> None:
        self._pending = None
        self._last_emit_at = self._clock()
        event = self._update_event
        # The payload deep-copies the entry: build it only for somebody.
        if event is not None and self._bus.has_listeners(event):
            payload = {"count": len(self._entries), "lastEntry": _built(entry).to_dict()}
            self._bus.emit(event, payload)

    def _announce(self, entry: TranscriptEntry | _Deferred) -> None:
        if self._coalesce_ms == 0 or self._window_passed():
            self._emit(entry)
        else:
            self._pending = entry

    # -- recording ---------------------------------------------------------------------------

    def _on_event(self, event_name: str, payload: object) -> None:
        build = _BUILDERS.get(event_name)
        if build is None:
            return
        timestamp = self._timestamp(payload)
        if build is _step_started:
            self._context = _StepContext(_opt(payload, "stepId"), _opt(payload, "title"))
        context = self._context
        held = _plain_copy(payload)
        entry: TranscriptEntry | _Deferred
        if held is None:  # holds containers: only a deep copy now would keep it
            entry = _entry(build, payload, timestamp, context)
        else:
            entry = _Deferred(build, held, timestamp, context)
        self._entries.append(entry)
        self._announce(entry)

    def _timestamp(self, payload: object) -> float:
        plain = payload.__class__ is dict
        for key in _TIMESTAMP_KEYS:
            value = payload.get(key) if plain else get(payload, key)  # type: ignore[attr-defined]
            if value is not None and is_finite_number(value):  # most keys are absent
                return value
        return self._clock()


_EntryParts = tuple[str, Any, Any, str, dict[str, Any]]
_Builder = Callable[[object, float, "_StepContext | None"], _EntryParts]
"""``(payload, timestamp, the step current when the event arrived) -> (event, prompt id,
prompt text, action, metadata)``; for a step start, the current step is the one it starts."""


def _started(payload: object, timestamp: float, context: _StepContext | None) -> _EntryParts:
    metadata = _opts(payload, "totalSteps", "startedAt")
    return "tutorial_started", None, None, "started", metadata


def _step_started(payload: object, timestamp: float, context: _StepContext | None) -> _EntryParts:
    metadata = {
        **_opts(payload, "stepIndex", "totalSteps", "description"),
        **_opts(payload, "highlight", "position", "canSkip"),
        "startedAt": coalesce(_opt(payload, "startedAt"), timestamp),
    }
    step = context or _NO_STEP
    return "tutorial_step_started", step.step_id, step.title, "step_started", metadata


def _step_of(payload: object, context: _StepContext | None) -> _StepContext:
    """The payload's own ``stepId``, else the last started step's; that step's title."""
    context = context or _NO_STEP
    return _StepContext(coalesce(_opt(payload, "stepId"), context.step_id), context.title)


def _step_completed(payload: object, timestamp: float, context: _StepContext | None) -> _EntryParts:
    step = _step_of(payload, context)
    metadata = {
        **_opts(payload, "stepIndex", "totalSteps"),
        "completedAt": coalesce(_opt(payload, "completedAt"), timestamp),
        "durationMs": _opt(payload, "durationMs"),
    }
    title = coalesce(_opt(payload, "title"), step.title)
    return "tutorial_step_completed", step.step_id, title, "step_completed", metadata


def _skipped(payload: object, timestamp: float, context: _StepContext | None) -> _EntryParts:
    step = _step_of(payload, context)
    metadata = _opts(payload, "stepIndex", "skippedAt")
    return "tutorial_skipped", step.step_id, step.title, "skipped", metadata


def _completed(payload: object, timestamp: float, context: _StepContext | None) -> _EntryParts:
    metadata = _opts(payload, "totalSteps", "completedSteps", "completedAt")
    return "tutorial_completed", None, None, "completed", metadata


def _entry(
    build: _Builder, payload: object, timestamp: float, context: _StepContext | None
) -> TranscriptEntry:
    kind, prompt_id, prompt_text, action, metadata = build(payload, timestamp, context)
    return TranscriptEntry(
        event=kind,
        prompt_id=prompt_id,
        prompt_text=prompt_text,
        action_taken=action,
        timestamp=timestamp,
        follow_up_narrative=_opt(payload, "followUpNarrative"),
        metadata=metadata,
    )


_HELD_SCALARS: Final = _PLAIN_SCALARS | {float}
"""Values a shallow copy keeps as they are (immutable; a float's cleaning waits for the entry)."""


def _plain_copy(payload: object) -> dict[str, Any] | None:
    """A shallow copy of ``payload`` when it is a dict of immutable scalars, else ``None``."""
    if payload.__class__ is not dict:
        return None
    for value in payload.values():
        if value.__class__ not in _HELD_SCALARS:
            return None
    return payload.copy()


class _Deferred:
    """A recorded moment whose entry is built when it is read."""

    __slots__ = ("_build", "_context", "_payload", "_timestamp")

    def __init__(
        self,
        build: _Builder,
        payload: dict[str, Any],
        timestamp: float,
        context: _StepContext | None,
    ) -> None:
        self._build, self._payload = build, payload
        self._timestamp, self._context = timestamp, context

    def entry(self) -> TranscriptEntry:
        """The entry, built from what was held."""
        return _entry(self._build, self._payload, self._timestamp, self._context)


def _built(item: TranscriptEntry | _Deferred) -> TranscriptEntry:
    return item if isinstance(item, TranscriptEntry) else item.entry()


_BUILDERS: Final[dict[str, _Builder]] = {
    "tutorial:started": _started,
    "tutorial:step_started": _step_started,
    "tutorial:step_completed": _step_completed,
    "tutorial:skipped": _skipped,
    "tutorial:completed": _completed,
}

TUTORIAL_EVENTS: Final = tuple(_BUILDERS)
"""The bus events the recorder listens to."""


def _entry_dict(entry: TranscriptEntry | Mapping[str, Any]) -> Mapping[str, Any]:
    return entry.to_dict() if isinstance(entry, TranscriptEntry) else entry


def build_transcript(
    entries: Iterable[TranscriptEntry | Mapping[str, Any]], *, limit: int | None = None
) -> list[dict[str, Any]]:
    """Serialise transcript entries for the summary (nulls in metadata stay null).

    Args:
        entries: recorder entries (or dicts with the reference's keys), oldest first.
        limit: keep only the newest ``limit`` entries (``None``: all).

    Returns:
        Dicts with keys ``sequence, event, promptId, title, action, timestamp, timestampIso,
        followUpNarrative, metadata``; nulls inside ``metadata`` stay null.
    """
    items = [_entry_dict(e) for e in entries]
    if limit is not None and is_finite_number(limit) and limit > 0:
        items = items[-math.floor(limit) :]
    return [_dto(index, item) for index, item in enumerate(items)]


def _iso(timestamp: float | None) -> str | None:
    if timestamp is None or not truthy(timestamp):
        return None
    try:
        return iso_from_ms(timestamp)
    except ValueError:  # beyond the JavaScript date range: no text rather than no summary
        return None


def _dto(sequence: int, entry: Mapping[str, Any]) -> dict[str, Any]:
    timestamp = get(entry, "timestamp")
    timestamp = timestamp if is_finite_number(timestamp) else None
    metadata = get(entry, "metadata")
    event = coalesce(get(entry, "event"), "unknown")
    return {
        "sequence": sequence,
        "event": event,
        "promptId": _opt(entry, "promptId"),
        "title": _opt(entry, "promptText"),
        "action": coalesce(get(entry, "actionTaken"), get(entry, "event"), "unknown"),
        "timestamp": timestamp,
        "timestampIso": _iso(timestamp),
        "followUpNarrative": _opt(entry, "followUpNarrative"),
        "metadata": _clone(metadata) if isinstance(metadata, Mapping) else {},
    }
