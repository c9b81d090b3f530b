"""The world-state store: slices, dispatch, notifications, snapshots.

State model: the root state is a dict of slice key -> slice state.  Nothing reachable from it is
ever mutated once published; a dispatch that changes a slice builds a new slice state (sharing
what it did not touch) and a new root dict.  So a listener may keep ``state`` as long as it
likes, selectors can memoise by identity, and nothing is copied to notify anyone.

Payload ownership: reducers copy the dict and list containers of payload values they store (see
``slices.copy_json``), so a caller may reuse or mutate its payload after dispatching.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from types import TracebackType
from typing import Any, TypeVar

import msgspec

from worldstate.clock import Clock, ManualClock, system_clock
from worldstate.events import EventBus, Unsubscribe
from worldstate.store._catalog import ContentCatalog
from worldstate.store._payload_check import (
    ID_FIELDS,
    IdField,
    PayloadReport,
    PayloadTally,
    check_ids,
)
from worldstate.store._selectors import MemoSelector, SelectorCache
from worldstate.store._slice import WORLD_DOMAIN, Action, ActionBuilder, Slice, State
from worldstate.store._snapshot import (
    ValidatedSnapshot,
    section_of,
    snapshot_schema,
    validate_snapshot,
)
from worldstate.store._transients import Transients

__all__ = ["WorldStore", "UpdateListener", "HYDRATE_ACTION", "SNAPSHOT_KEYS", "SNAPSHOT_ORDER"]

logger = logging.getLogger(__name__)

T = TypeVar("T")

UpdateListener = Callable[[Mapping[str, Any], Action], None]
"""Called as ``listener(state, action)`` after every dispatch that changed the state."""

HYDRATE_ACTION = "WORLDSTATE_HYDRATE"
"""The type of the ``world`` action recorded (and announced) when a snapshot is hydrated."""

SNAPSHOT_ORDER = (
    "storyFlags",
    "quests",
    "factions",
    "tutorial",
    "dialogue",
    "inventory",
    "districts",
    "npcs",
)
"""Snapshot key order of the reference; keys a slice derives from its state (the tutorial's
``tutorialComplete``) follow, then other slices' sections."""

SNAPSHOT_KEYS = (*SNAPSHOT_ORDER, "tutorialComplete")
"""Every key of a snapshot of the built-in slices, in snapshot order."""

_TypeReducer = Callable[[State, dict[str, Any], int], State | None]
_Target = tuple[str, Callable[[State, Action], State], Mapping[str, _TypeReducer] | None, bool]
"""A slice an action is routed to: its key, its bound ``reduce``, and for a slice that reduces
by action type (``type_reducers``) that table and whether a change stamps ``lastActionAt``."""

_ACTION_EVENT = "worldstate:action"
_UPDATED_EVENT = "worldstate:updated"
_ERROR_EVENT = "worldstate:error"
_encode = msgspec.json.encode
_decode = msgspec.json.decode


class WorldStore:
    """Holds the world state, turns bus events into actions and actions into new states.

    Args:
        bus: the event bus to listen to and announce on (a private one when ``None``).
        clock: "now" in ms since the epoch, used to timestamp actions.
        slices: the slices, in registry order; :func:`default_slices` when ``None``.
        catalog: game content (faction names, districts); passed to the default slices.
        history_limit: how many dispatched actions :attr:`history` keeps (0 disables it).

    Raises:
        ValueError: two slices share a key or a snapshot key, or ``history_limit`` < 0.
    """

    def __init__(
        self,
        bus: EventBus | None = None,
        *,
        clock: Clock = system_clock,
        slices: Sequence[Slice] | None = None,
        catalog: ContentCatalog | None = None,
        history_limit: int = 50,
    ) -> None:
        if history_limit < 0:
            raise ValueError(f"history_limit must be >= 0, got {history_limit!r}")
        self.bus = bus if bus is not None else EventBus()
        self.clock = clock
        self.catalog = catalog if catalog is not None else ContentCatalog()
        if slices is None:
            from worldstate.store.slices import default_slices

            slices = default_slices(catalog=self.catalog)
        self._slices: tuple[Slice, ...] = tuple(slices)
        self._check_unique()
        self._routes = self._build_routes()
        # Slices that add top-level keys computed from their state (``tutorialComplete``).
        self._derivers = tuple(s for s in self._slices if hasattr(s, "derived_sections"))
        self._transients = Transients()
        for s in self._slices:
            attach = getattr(s, "attach_transients", None)
            if attach is not None:
                attach(self._transients)
        self._state: dict[str, State] = {s.key: s.initial_state() for s in self._slices}
        # (action, its timestamp): an action dispatched without one is stamped only when it is
        # handed out (history, announcements, errors), not on every dispatch.
        self._history: deque[tuple[Action, int]] = deque(maxlen=history_limit)
        self._record = history_limit > 0
        self._listeners: tuple[UpdateListener, ...] = ()
        self._selectors = SelectorCache()
        self._announce_generation = -1  # see _notify
        self._announce_action = self._announce_updated = False
        self._loud = False  # whether a change has anyone to be announced to (see _notify)
        self._payloads = PayloadTally()
        self._subscriptions: list[Unsubscribe] = [
            self.bus.on(event, self._event_handler(builder, _id_fields(s, event)))
            for s in self._slices
            for event, builder in s.events.items()
        ]

    # -- setup -----------------------------------------------------------------------------

    def _check_unique(self) -> None:
        for attr in ("key", "snapshot_key"):
            names = [getattr(s, attr) for s in self._slices]
            dupes = sorted({n for n in names if names.count(n) > 1})
            if dupes:
                raise ValueError(f"two slices share the {attr} {dupes[0]!r}")

    def _build_routes(self) -> dict[str, tuple[_Target, ...]]:
        # Bound ``reduce`` methods are looked up once here, not on every dispatch.
        routes: dict[str, list[_Target]] = {}
        for s in self._slices:
            table = getattr(s, "type_reducers", None)
            stamp = bool(getattr(s, "stamp_changes", False))
            routes.setdefault(s.domain, []).append((s.key, s.reduce, table, stamp))
        routes[WORLD_DOMAIN] = [(s.key, s.reduce, None, False) for s in self._slices]
        return {domain: tuple(group) for domain, group in routes.items()}

    def _event_handler(
        self, builder: ActionBuilder, fields: tuple[IdField, ...] = ()
    ) -> Callable[[str, Any], None]:
        # Every bus event runs this closure: the common cases (one id field holding a string, a
        # manual clock during replays) are decided here, once, instead of by calls per event.
        clock = self.clock
        manual = clock if type(clock) is ManualClock else None
        only_field = fields[0].names[0] if len(fields) == 1 and len(fields[0].names) == 1 else None
        apply = self._apply
        tally = self._payloads

        def handle(event: str, payload: Any) -> None:
            if payload is None:
                payload = {}
            if only_field is not None:
                value = payload.get(only_field)
                if value is not None and value.__class__ is not str:
                    payload = check_ids(event, payload, fields, tally)
                    if payload is None:
                        return
            elif fields:
                payload = check_ids(event, payload, fields, tally)
                if payload is None:
                    return
            now = manual.now if manual is not None else clock()
            action = builder(payload, now)
            if action is not None:
                apply(action, now)

        handle.__qualname__ = f"WorldStore.on[{getattr(builder, '__name__', 'builder')}]"
        return handle

    # -- reading ---------------------------------------------------------------------------

    @property
    def state(self) -> Mapping[str, Any]:
        """The live root state (slice key -> slice state).  Never mutate it."""
        self._transients.publish()
        return self._state

    @property
    def slices(self) -> tuple[Slice, ...]:
        """The registered slices, in registry order."""
        return self._slices

    @property
    def history(self) -> list[Action]:
        """The most recent dispatched actions (with their timestamps), oldest first."""
        return [_stamped(action, ts) for action, ts in self._history]

    @property
    def payload_report(self) -> PayloadReport:
        """Bus events whose id fields were coerced, or which were skipped, so far."""
        return self._payloads.report()

    @property
    def payload_problems(self) -> int:
        """How many events were coerced or skipped so far (cheap: for a check per event)."""
        return self._payloads.changes

    def select(self, selector: Callable[..., T], *args: Any) -> T:
        """Run ``selector(state, *args)``; memoised selectors use this store's cache."""
        self._transients.publish()
        if isinstance(selector, MemoSelector):
            result: T = self._selectors.run(selector, self._state, args)
            return result
        return selector(self._state, *args)

    # -- writing ---------------------------------------------------------------------------

    def dispatch(self, action: Action) -> bool:
        """Apply ``action`` to the slices of its domain (every slice for ``world``).

        A reducer that raises, or an unknown domain, leaves the state untouched; the problem is
        logged and announced as ``worldstate:error`` ``{action, error}`` on the bus.

        Returns:
            Whether the state changed.

        Raises:
            TypeError: ``action`` is not an :class:`Action`.
        """
        if not isinstance(action, Action):
            raise TypeError(f"dispatch() takes an Action, got {type(action).__name__}")
        return self._apply(action, None)

    def _apply(self, action: Action, now: int | None) -> bool:
        # The hot path of every bus event: written for few attribute lookups and calls.
        ts = action.timestamp
        if ts is None:
            ts = self.clock() if now is None else now
        targets = self._routes.get(action.domain)
        if targets is None:
            self._fail(_stamped(action, ts), f"unknown world state domain {action.domain!r}")
            return False
        state = self._state
        if len(targets) == 1:  # one slice: nothing to undo if it fails
            key, reduce, table, stamp = targets[0]
            before = state[key]
            try:
                if table is None:
                    action = _stamped(action, ts)  # once: the reducer reads it
                    after = reduce(before, action)
                else:
                    # What the slice's ``reduce_by_type`` would do for an action of its own
                    # domain, without the two calls to get there (the busiest path of all).
                    reducer = table.get(action.type)
                    after = before
                    if reducer is not None:
                        changed = reducer(before, action.payload, ts)
                        if changed is not None and changed is not before:
                            if stamp:
                                changed["lastActionAt"] = ts
                            after = changed
            except Exception as exc:
                self._reducer_failed(key, _stamped(action, ts), exc)
                return False
            if self._record:
                self._history.append((action, ts))
            if after is before:
                return False
            # Copied, not written in place: a dict of one key per slice copies faster than
            # ``Transients`` can say whether it may be changed.
            next_state = state.copy()
            next_state[key] = after
        else:
            action = _stamped(action, ts)
            changed = self._reduce_all(state, targets, action, ts)
            if changed is None:
                return False
            next_state = changed
        self._state = next_state
        # Nobody to tell (no announcement listeners, no update callbacks): skip the call.
        if self._loud or self.bus.generation != self._announce_generation:
            self._notify(_stamped(action, ts))
        return True

    def _reduce_all(
        self, state: dict[str, State], targets: tuple[_Target, ...], action: Action, ts: int
    ) -> dict[str, State] | None:
        """Offer ``action`` (stamped ``ts``) to several slices: the next root state, or ``None``
        (unchanged or a slice failed, in which case nothing was written)."""
        self._transients.publish()  # a later slice may fail: nothing may be written in place
        next_state: dict[str, State] | None = None
        for key, reduce, _table, _stamp in targets:
            before = state[key]
            try:
                after = reduce(before, action)
            except Exception as exc:
                self._reducer_failed(key, action, exc)
                return None
            if after is not before:
                if next_state is None:
                    next_state = dict(state)
                next_state[key] = after
        if self._record:
            self._history.append((action, ts))
        return next_state

    def _reducer_failed(self, key: str, action: Action, exc: Exception) -> None:
        logger.exception("slice %r failed on %s", key, action.type)
        self._fail(action, f"{type(exc).__name__}: {exc}")

    def _fail(self, action: Action, error: str) -> None:
        logger.error("dispatch of %s (domain %r) failed: %s", action.type, action.domain, error)
        self.bus.emit(_ERROR_EVENT, {"action": action, "error": error})

    def _notify(self, action: Action) -> None:
        """Announce a state change on the bus and to the update listeners."""
        bus = self.bus
        state = self._state
        # Two has_listeners() calls per change cost more than most reducers save by sharing
        # state; the answers only change when the bus's subscriptions do.
        if bus.generation != self._announce_generation:
            self._watch_announcements()
        if self._announce_action:
            bus.emit(_ACTION_EVENT, action)
            if bus.generation != self._announce_generation:  # a listener (un)subscribed
                self._watch_announcements()
        if self._announce_updated:
            self._transients.publish()
            bus.emit(_UPDATED_EVENT, {"state": state, "lastAction": action})
        if self._listeners:
            self._transients.publish()
            self._call_listeners(state, action)

    def _watch_announcements(self) -> None:
        bus = self.bus
        self._announce_generation = bus.generation
        self._announce_action = bus.has_listeners(_ACTION_EVENT)
        self._announce_updated = bus.has_listeners(_UPDATED_EVENT)
        self._loud = self._announce_action or self._announce_updated or bool(self._listeners)

    def _call_listeners(self, state: Mapping[str, Any], action: Action) -> None:
        for listener in self._listeners:
            try:
                listener(state, action)
            except Exception:
                logger.exception("update listener %r raised", listener)

    def on_update(self, callback: UpdateListener) -> Unsubscribe:
        """Call ``callback(state, action)`` after every dispatch that changed the state.

        Returns:
            A function that removes the callback (safe to call from inside a callback).
        """
        if not callable(callback):
            raise TypeError(f"callback must be callable, got {callback!r}")
        self._listeners = (*self._listeners, callback)
        self._loud = True
        done = False

        def unsubscribe() -> None:
            nonlocal done
            if not done:
                done = True
                listeners = list(self._listeners)
                listeners.remove(callback)
                self._listeners = tuple(listeners)
                self._loud = self._announce_action or self._announce_updated or bool(listeners)

        return unsubscribe

    # -- snapshots -------------------------------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        """The world in the reference snapshot format: a fresh, JSON-shaped copy.

        Keys: ``storyFlags, quests, factions, tutorial, dialogue, inventory, districts, npcs,
        tutorialComplete`` (those whose slice is registered), then other slices' sections.
        Nothing in it is shared with the store, so the caller may change it freely.
        """
        fresh: dict[str, Any] = _decode(self.snapshot_json())
        return fresh

    def snapshot_json(self) -> bytes:
        """:meth:`snapshot` as compact JSON bytes (same keys, same order), without building
        the Python copy: for callers that only store or send it.

        Raises:
            TypeError: a slice's section holds something JSON cannot represent.
        """
        state = self._state
        # Slices may hand out views of their (immutable) state; encoding is the one copy.
        sections = {s.snapshot_key: s.serialize(state[s.key]) for s in self._slices}
        out: dict[str, Any] = {k: sections.pop(k) for k in SNAPSHOT_ORDER if k in sections}
        for s in self._derivers:
            out.update(s.derived_sections(state[s.key]))
        out.update(sections)
        return _encode(out)

    def hydrate(self, data: object, *, source: str | None = None) -> None:
        """Replace the whole state with a snapshot's (absent sections start afresh).

        The snapshot is validated (and copied) first; on error nothing changes.  A
        :class:`~worldstate.store._snapshot.ValidatedSnapshot` validated against this store's
        slices (from ``load_snapshot_file``) is taken over as it is, without a second pass.
        Hydrating is recorded and announced like a dispatch of a ``world`` action of type
        ``WORLDSTATE_HYDRATE``.

        Raises:
            SnapshotError: the snapshot is not valid; its ``path`` names the offending value.
        """
        if isinstance(data, ValidatedSnapshot) and data.schema is snapshot_schema(self._slices):
            snapshot: dict[str, Any] = data  # validated against these slices and handed over
        else:
            snapshot = validate_snapshot(data, source=source, slices=self._slices)
        state = {s.key: s.hydrate(section_of(snapshot, s)) for s in self._slices}
        now = self.clock()
        action = Action(HYDRATE_ACTION, WORLD_DOMAIN, snapshot, now)
        self._transients.publish()
        self._state = state
        if self._record:
            self._history.append((action, now))
        self._notify(action)

    # -- lifetime --------------------------------------------------------------------------

    def close(self) -> None:
        """Stop listening to the bus and drop update callbacks (idempotent)."""
        for unsubscribe in self._subscriptions:
            unsubscribe()
        self._subscriptions = []
        # The slices hold the Transients, and a slice often outlives its store until the
        # collector runs (its reducer table refers back to it): without this, the store's
        # whole unpublished state would stay alive with it (a replay benchmark's stores piled
        # up in the collector's younger generations and tripled its cost).
        self._transients.publish()
        self._listeners = ()
        self._loud = self._announce_action or self._announce_updated

    def __enter__(self) -> WorldStore:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<WorldStore slices={[s.key for s in self._slices]}>"


def _stamped(action: Action, ts: int) -> Action:
    """``action`` with its timestamp: itself when it has one, else a copy stamped ``ts``."""
    if action.timestamp is None:
        return msgspec.structs.replace(action, timestamp=ts)
    return action


def _id_fields(slice_: Slice, event: str) -> tuple[IdField, ...]:
    """The payload ids checked before ``slice_`` handles ``event``: the built-in table, else
    what the slice declares (``id_fields``: event -> field names, numbers coerced)."""
    if event in ID_FIELDS:
        return ID_FIELDS[event]
    declared: Mapping[str, tuple[str, ...]] = getattr(slice_, "id_fields", {})
    return tuple(IdField((name,), numbers=True) for name in declared.get(event, ()))
