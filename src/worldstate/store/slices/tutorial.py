"""Tutorial slice: steps, prompts, prompt history and its snapshots.

Every prompt-history snapshot is taken from the state *after* the action that caused it.
Snapshots share the (immutable) prompt dicts and lists of the state they were taken from instead
of deep-cloning them, and show ``completedSteps``, ``completedTimeline`` and ``stepDurations``
through views of their first entries (``_prefix``): those only grow at their end, in place while
nobody has seen them, so completing a step costs the same after 10 steps as after 10,000.  The
views become plain lists and dicts when the slice is serialised or a selector clones a snapshot.

The limits belong to each slice instance (the reference kept them in module globals), and a
hydrated snapshot's own limits win over the instance's, as in the reference.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial
from types import MappingProxyType
from typing import Any

import msgspec

from worldstate._js import coalesce2, is_number, truthy
from worldstate.store._selectors import create_selector
from worldstate.store._slice import Action, ActionBuilder, State
from worldstate.store._transients import InPlaceWrites, Transients

from ._payload import append_bounded, copy_json, reduce_by_type
from ._prefix import DictPrefix, ListPrefix, plain

__all__ = [
    "TutorialSlice",
    "TutorialSnapshot",
    "PromptSnapshotSchema",
    "clone_control_hint",
    "select_slice",
    "select_tutorial_progress",
    "select_current_prompt",
    "select_prompt_history",
    "select_prompt_history_snapshots",
    "select_latest_prompt_snapshot",
    "select_tutorial_analytics",
    "is_tutorial_completed",
]

DOMAIN = "tutorial"
Number = int | float


class PromptSnapshotSchema(msgspec.Struct):
    """Schema of one prompt-history snapshot (unknown keys allowed)."""

    event: Any = None
    timestamp: Number | None = None
    completedSteps: list[Any] | None = None
    currentPrompt: dict[str, Any] | None = None
    promptHistory: list[dict[str, Any]] | None = None
    analytics: dict[str, Any] | None = None
    metadata: dict[str, Any] | None = None


class TutorialSnapshot(msgspec.Struct):
    """Schema of the ``tutorial`` section of a snapshot (unknown keys allowed)."""

    enabled: bool | None = None
    totalSteps: Number | None = None
    currentStepIndex: Number | None = None
    completedSteps: list[Any] | None = None
    completedTimeline: dict[str, Any] | None = None
    stepDurations: dict[str, Any] | None = None
    skipped: bool | None = None
    completed: bool | None = None
    lastActionAt: Number | None = None
    startedAt: Number | None = None
    stepStartedAt: Number | None = None
    currentPrompt: dict[str, Any] | None = None
    promptHistory: list[dict[str, Any]] | None = None
    promptHistoryLimit: Number | None = None
    promptHistorySnapshots: list[PromptSnapshotSchema] | None = None
    promptHistorySnapshotLimit: Number | None = None


# -- bus events -> actions -------------------------------------------------------------------


def _started(p: Mapping[str, Any], now: int) -> Action:
    return Action("TUTORIAL_STARTED", DOMAIN, {"totalSteps": p.get("totalSteps")}, now)


def _step_started(p: Mapping[str, Any], now: int) -> Action:
    # Spelt out rather than a comprehension over the keys: a busy event, and on Python 3.11 a
    # comprehension is an extra function call.
    get = p.get
    payload = {
        "stepId": get("stepId"),
        "stepIndex": get("stepIndex"),
        "totalSteps": get("totalSteps"),
        "title": get("title"),
        "description": get("description"),
        "highlight": get("highlight"),
        "position": get("position"),
        "canSkip": get("canSkip"),
        "controlHint": get("controlHint"),
    }
    return Action("TUTORIAL_STEP_STARTED", DOMAIN, payload, now)


def _control_hint_updated(p: Mapping[str, Any], now: int) -> Action:
    updated_at = p.get("updatedAt")
    ts = updated_at if isinstance(updated_at, int) and not isinstance(updated_at, bool) else now
    payload = {"stepId": p.get("stepId"), "controlHint": p.get("controlHint")}
    return Action("TUTORIAL_CONTROL_HINT_UPDATED", DOMAIN, payload, ts)


def _step_completed(p: Mapping[str, Any], now: int) -> Action:
    payload = {"stepId": p.get("stepId"), "stepIndex": p.get("stepIndex")}
    return Action("TUTORIAL_STEP_COMPLETED", DOMAIN, payload, now)


def _completed(p: Mapping[str, Any], now: int) -> Action:
    payload = {"totalSteps": p.get("totalSteps"), "completedSteps": p.get("completedSteps")}
    return Action("TUTORIAL_COMPLETED", DOMAIN, payload, now)


def _skipped(p: Mapping[str, Any], now: int) -> Action:
    # As in the reference, the event's reason is not forwarded: snapshots say 'skipped'.
    payload = {"stepId": p.get("stepId"), "stepIndex": p.get("stepIndex")}
    return Action("TUTORIAL_SKIPPED", DOMAIN, payload, now)


EVENTS: Mapping[str, ActionBuilder] = MappingProxyType(
    {
        "tutorial:started": _started,
        "tutorial:step_started": _step_started,
        "tutorial:control_hint_updated": _control_hint_updated,
        "tutorial:step_completed": _step_completed,
        "tutorial:completed": _completed,
        "tutorial:skipped": _skipped,
    }
)


# -- prompts and snapshots -------------------------------------------------------------------


def _object_or_none(value: Any) -> Any:
    if value is None:
        return None
    # A dict is truthy in JavaScript: tested first, as truthy() reaches it last.
    return copy_json(value) if value.__class__ is dict or truthy(value) else None


def clone_control_hint(hint: Any) -> dict[str, Any] | None:
    """Normalise a control hint to ``{label, keys, note}``, or ``None`` when it is not a dict."""
    if not isinstance(hint, Mapping):
        return None
    keys = hint.get("keys")
    return {
        "label": copy_json(hint.get("label")),
        "keys": copy_json(keys) if isinstance(keys, list) else [],
        "note": copy_json(hint.get("note")),
    }


def _clone_prompt(prompt: Mapping[str, Any]) -> dict[str, Any]:
    """A normalised copy of a prompt (the reference's key order and defaults)."""
    return {
        "title": copy_json(prompt.get("title")),
        "description": copy_json(prompt.get("description")),
        "stepId": prompt.get("stepId"),
        "stepIndex": prompt.get("stepIndex"),
        "totalSteps": prompt.get("totalSteps"),
        "highlight": _object_or_none(prompt.get("highlight")),
        "position": _object_or_none(prompt.get("position")),
        "canSkip": truthy(prompt.get("canSkip")),
        "startedAt": prompt.get("startedAt"),
        "controlHint": clone_control_hint(prompt.get("controlHint")),
    }


def _clone_prompt_or_none(prompt: Any) -> dict[str, Any] | None:
    return _clone_prompt(prompt) if truthy(prompt) else None


def _clone_prompts(prompts: Any) -> list[dict[str, Any] | None]:
    return [_clone_prompt_or_none(p) for p in prompts] if isinstance(prompts, list) else []


def _clone_prompt_snapshot(snapshot: Mapping[str, Any]) -> dict[str, Any]:
    """A normalised deep copy of a prompt-history snapshot (missing parts get their defaults)."""
    analytics = snapshot.get("analytics") or {}
    steps = snapshot.get("completedSteps")
    return {
        "event": snapshot.get("event"),
        "timestamp": snapshot.get("timestamp"),
        "stepId": snapshot.get("stepId"),
        "stepIndex": snapshot.get("stepIndex"),
        "totalSteps": snapshot.get("totalSteps"),
        "completedSteps": copy_json(steps) if isinstance(steps, list) else [],
        "currentPrompt": _clone_prompt_or_none(snapshot.get("currentPrompt")),
        "promptHistory": _clone_prompts(snapshot.get("promptHistory")),
        "analytics": {
            "completedTimeline": copy_json(analytics.get("completedTimeline") or {}),
            "stepDurations": copy_json(analytics.get("stepDurations") or {}),
        },
        "metadata": copy_json(snapshot.get("metadata") or {}),
    }


def _plain_snapshot(snapshot: Mapping[str, Any]) -> dict[str, Any]:
    """A recorded snapshot (every key present) with its views as plain lists and dicts."""
    analytics = snapshot["analytics"]
    metadata = snapshot["metadata"]
    return {
        **snapshot,
        "completedSteps": plain(snapshot["completedSteps"]),
        "analytics": {key: plain(value) for key, value in analytics.items()},
        "metadata": {key: plain(value) for key, value in metadata.items()},
    }


def _record_snapshot(
    slice_: TutorialSlice, state: State, event: str, ts: int, metadata: dict[str, Any]
) -> None:
    """Append a snapshot of ``state`` (a new, unpublished dict) to its own snapshot list; its
    views are made plain before anyone outside the store can see them."""
    snapshot = {
        "event": event,
        "timestamp": ts,
        "stepId": state["currentStep"],
        "stepIndex": state["currentStepIndex"],
        "totalSteps": state["totalSteps"],
        "completedSteps": ListPrefix(state["completedSteps"]),
        "currentPrompt": state["currentPrompt"],
        "promptHistory": state["promptHistory"],
        "analytics": {
            "completedTimeline": DictPrefix(state["completedTimeline"]),
            "stepDurations": DictPrefix(state["stepDurations"]),
        },
        "metadata": metadata,
    }
    snapshots = append_bounded(
        state["promptHistorySnapshots"], snapshot, state["promptHistorySnapshotLimit"]
    )
    state["promptHistorySnapshots"] = snapshots
    slice_.plain_when_published(snapshots)


Reducer = Callable[[State, Mapping[str, Any], int], State]


_SCANNED = 16
"""``completedSteps`` lists up to this long are scanned rather than looked up in the index."""


class _CompletedIndex:
    """Whether a ``completedSteps`` list holds a step, without scanning it.

    Keeps the string steps of the list last asked about (and follows it when it is appended to
    or copied and appended to: the lists only grow at their end); another list is indexed
    afresh.
    """

    __slots__ = ("_steps", "_strings")

    def __init__(self) -> None:
        self._steps: list[Any] | None = None
        self._strings: set[str] = set()

    def holds(self, steps: list[Any], step_id: Any) -> bool:
        if not isinstance(step_id, str):
            return step_id in steps
        if steps is not self._steps:
            self._strings = {step for step in steps if isinstance(step, str)}
            self._steps = steps
        return step_id in self._strings

    def appended(self, source: list[Any], steps: list[Any], step_id: Any) -> None:
        """``steps`` is ``source`` (or its copy) with ``step_id`` appended."""
        if source is self._steps:
            self._steps = steps
            if isinstance(step_id, str):
                self._strings.add(step_id)


class TutorialSlice(InPlaceWrites):
    """Tutorial progress, the current prompt, recent prompts and snapshots of them.

    ``completedSteps``, ``completedTimeline`` and ``stepDurations`` are appended in place
    while nobody has seen them (see ``Transients``); snapshots show them through views.

    Args:
        prompt_history_limit: prompts kept in ``promptHistory`` (reference: 5).
        prompt_snapshot_limit: snapshots kept in ``promptHistorySnapshots`` (reference: 10).
    """

    key = "tutorial"
    snapshot_key = "tutorial"
    domain = DOMAIN
    events = EVENTS
    snapshot_schema = TutorialSnapshot
    derived_schema: Mapping[str, Any] = MappingProxyType({"tutorialComplete": bool})
    """Top-level snapshot keys computed from this slice's state (see :meth:`derived_sections`)."""

    def derived_sections(self, state: State) -> dict[str, Any]:
        """``tutorialComplete``: whether the tutorial was completed."""
        return {"tutorialComplete": bool(state.get("completed"))}

    def __init__(self, *, prompt_history_limit: int = 5, prompt_snapshot_limit: int = 10):
        if prompt_history_limit < 1 or prompt_snapshot_limit < 1:
            raise ValueError(
                "tutorial limits must be >= 1, got "
                f"prompt_history_limit={prompt_history_limit!r}, "
                f"prompt_snapshot_limit={prompt_snapshot_limit!r}"
            )
        self.prompt_history_limit = int(prompt_history_limit)
        self.prompt_snapshot_limit = int(prompt_snapshot_limit)
        self.completed_index = _CompletedIndex()
        self.type_reducers: Mapping[str, Reducer] = {
            "TUTORIAL_STARTED": _reduce_started,
            "TUTORIAL_STEP_STARTED": _reduce_step_started,
            "TUTORIAL_CONTROL_HINT_UPDATED": partial(_reduce_control_hint, self),
            "TUTORIAL_STEP_COMPLETED": partial(_reduce_step_completed, self),
            "TUTORIAL_COMPLETED": partial(_reduce_completed, self),
            "TUTORIAL_SKIPPED": partial(_reduce_skipped, self),
        }
        self._viewed: list[Any] | None = None

    def plain_when_published(self, snapshots: list[Any]) -> None:
        """``snapshots`` (the unpublished snapshot list just written) holds views: make them
        plain lists and dicts when the state is next handed out, so that whoever reads the
        state (``store.state``, a listener, a selector) only ever meets JSON-shaped data."""
        waiting = self._viewed is not None
        self._viewed = snapshots
        if not waiting:
            self.transients.at_publish(self._make_views_plain)

    def _make_views_plain(self) -> None:
        snapshots, self._viewed = self._viewed, None
        if snapshots is None:
            return
        for index, snapshot in enumerate(snapshots):
            if snapshot["completedSteps"].__class__ is ListPrefix:
                snapshots[index] = _plain_snapshot(snapshot)

    def initial_state(self) -> State:
        """Tutorial not started, with this instance's limits."""
        return {
            "enabled": False,
            "totalSteps": 0,
            "currentStep": None,
            "currentStepIndex": -1,
            "completedSteps": [],
            "completedTimeline": {},
            "stepDurations": {},
            "skipped": False,
            "completed": False,
            "lastActionAt": None,
            "startedAt": None,
            "stepStartedAt": None,
            "currentPrompt": None,
            "promptHistory": [],
            "promptHistoryLimit": self.prompt_history_limit,
            "promptHistorySnapshots": [],
            "promptHistorySnapshotLimit": self.prompt_snapshot_limit,
        }

    def reduce(self, state: State, action: Action) -> State:
        """Apply a tutorial action; return ``state`` itself when nothing changed."""
        return reduce_by_type(self.type_reducers, DOMAIN, state, action)

    def serialize(self, state: State) -> Any:
        """The ``tutorial`` section: the state, its snapshots' views made plain (the store
        copies it)."""
        snapshots = [_plain_snapshot(s) for s in state["promptHistorySnapshots"]]
        return {**state, "promptHistorySnapshots": snapshots}

    def hydrate(self, data: Any) -> State:
        """Rebuild the state from a (validated, privately owned) ``tutorial`` section."""
        state = self.initial_state()
        if not data:
            return state
        for name in (
            "enabled",
            "totalSteps",
            "currentStep",
            "currentStepIndex",
            "skipped",
            "completed",
            "lastActionAt",
            "startedAt",
            "stepStartedAt",
        ):
            state[name] = coalesce2(data.get(name), state[name])
        steps = data.get("completedSteps")
        state["completedSteps"] = steps if isinstance(steps, list) else []
        state["completedTimeline"] = data.get("completedTimeline") or {}
        state["stepDurations"] = data.get("stepDurations") or {}
        state["currentPrompt"] = _clone_prompt_or_none(data.get("currentPrompt"))
        state["promptHistory"] = _clone_prompts(data.get("promptHistory"))
        snapshots = data.get("promptHistorySnapshots")
        if isinstance(snapshots, list):
            state["promptHistorySnapshots"] = [_clone_prompt_snapshot(s) for s in snapshots]
        for name in ("promptHistoryLimit", "promptHistorySnapshotLimit"):
            if is_number(data.get(name)):
                state[name] = data[name]
        return state


def _changed(state: State, ts: int, **changes: Any) -> State:
    return {**state, **changes, "lastActionAt": ts}


def _reduce_started(state: State, p: Mapping[str, Any], ts: int) -> State:
    return _changed(
        state,
        ts,
        enabled=True,
        totalSteps=coalesce2(p.get("totalSteps"), state["totalSteps"]),
        skipped=False,
        completed=False,
        startedAt=ts,
        stepStartedAt=None,
        currentPrompt=None,
        promptHistory=[],
        promptHistorySnapshots=[],
    )


def _reduce_step_started(state: State, p: Mapping[str, Any], ts: int) -> State:
    get = p.get
    step_id = get("stepId")
    step_index = get("stepIndex")
    total = get("totalSteps")
    total_steps = state["totalSteps"] if total is None else total
    title = get("title")
    description = get("description")
    hint = get("controlHint")
    can_skip = get("canSkip")
    prompt = {
        "title": title if isinstance(title, str) else copy_json(title),
        "description": description if isinstance(description, str) else copy_json(description),
        "stepId": step_id,
        "stepIndex": step_index,
        "totalSteps": total_steps,
        "highlight": _object_or_none(get("highlight")),
        "position": _object_or_none(get("position")),
        "canSkip": can_skip if can_skip.__class__ is bool else truthy(can_skip),
        "startedAt": ts,
        "controlHint": None if hint is None else clone_control_hint(hint),
    }
    next_state = dict(state)
    next_state["enabled"] = True
    next_state["currentStep"] = step_id
    if step_index is not None:
        next_state["currentStepIndex"] = step_index
    next_state["totalSteps"] = total_steps
    next_state["stepStartedAt"] = ts
    next_state["currentPrompt"] = prompt
    next_state["promptHistory"] = append_bounded(
        state["promptHistory"], prompt, state["promptHistoryLimit"]
    )
    next_state["lastActionAt"] = ts
    return next_state


def _reduce_control_hint(
    slice_: TutorialSlice, state: State, p: Mapping[str, Any], ts: int
) -> State:
    step_id = coalesce2(p.get("stepId"), state["currentStep"])
    hint = clone_control_hint(p.get("controlHint"))
    if not truthy(step_id) or hint is None:
        return state
    changes: dict[str, Any] = {}
    current = state["currentPrompt"]
    if current is not None and current.get("stepId") == step_id:
        changes["currentPrompt"] = {**current, "controlHint": hint}
    history = state["promptHistory"]
    for index in range(len(history) - 1, -1, -1):
        entry = history[index]
        if entry is not None and entry.get("stepId") == step_id:
            # Share the updated prompt between currentPrompt and history when it is the same one.
            updated = changes.get("currentPrompt") if entry is current else None
            history = [*history]
            history[index] = updated or {**entry, "controlHint": hint}
            changes["promptHistory"] = history
            break
    if not changes:
        return state
    next_state = _changed(state, ts, **changes)
    _record_snapshot(slice_, next_state, "control_hint_updated", ts, {"stepId": step_id})
    return next_state


def _reduce_step_completed(
    slice_: TutorialSlice, state: State, p: Mapping[str, Any], ts: int
) -> State:
    step_id = p.get("stepId")
    if not truthy(step_id):
        return state
    steps = state["completedSteps"]
    # A short list is scanned here: cheaper than the index, and than calling it.
    if step_id in steps if len(steps) <= _SCANNED else slice_.completed_index.holds(steps, step_id):
        return state  # the reference discards this action's snapshot too
    started = state["stepStartedAt"]
    duration = ts - started if truthy(started) else None  # before anything is written
    writes = slice_.transients
    timeline = _with_entry(writes, state["completedTimeline"], step_id, ts)
    changes: dict[str, Any] = {"completedTimeline": timeline}
    if duration is not None:
        changes["stepDurations"] = _with_entry(writes, state["stepDurations"], step_id, duration)
    written = writes.writable_list(steps)
    written.append(step_id)
    slice_.completed_index.appended(steps, written, step_id)
    changes["completedSteps"] = written
    next_state = _changed(state, ts, **changes)
    metadata = {"stepId": coalesce2(step_id, state["currentStep"]), "completedAt": ts}
    _record_snapshot(slice_, next_state, "step_completed", ts, metadata)
    return next_state


def _with_entry(
    writes: Transients, entries: dict[Any, Any], key: Any, value: Any
) -> dict[Any, Any]:
    """``entries`` with ``key: value``: added at the end, in place while nobody has seen the
    dict; a key already there is changed in a copy (snapshots' views must not see it)."""
    entries = dict(entries) if key in entries else writes.writable_dict(entries)
    entries[key] = value
    return entries


_ENDED = {
    "enabled": False,
    "currentStep": None,
    "currentStepIndex": -1,
    "currentPrompt": None,
    "stepStartedAt": None,
}


def _reduce_completed(slice_: TutorialSlice, state: State, p: Mapping[str, Any], ts: int) -> State:
    next_state = _changed(state, ts, completed=True, **_ENDED)
    steps = p.get("completedSteps")
    completed = copy_json(steps) if isinstance(steps, list) else ListPrefix(state["completedSteps"])
    _record_snapshot(slice_, next_state, "tutorial_completed", ts, {"completedSteps": completed})
    return next_state


def _reduce_skipped(slice_: TutorialSlice, state: State, p: Mapping[str, Any], ts: int) -> State:
    next_state = _changed(state, ts, skipped=True, **_ENDED)
    metadata = {"reason": copy_json(coalesce2(p.get("reason"), "skipped"))}
    _record_snapshot(slice_, next_state, "tutorial_skipped", ts, metadata)
    return next_state


# -- selectors -------------------------------------------------------------------------------


def select_slice(state: Mapping[str, Any]) -> State:
    """The tutorial slice state (live: do not mutate)."""
    result: State = state["tutorial"]
    return result


def _progress(tutorial: State) -> dict[str, Any]:
    return {
        "enabled": tutorial["enabled"],
        "currentStep": tutorial["currentStep"],
        "currentStepIndex": tutorial["currentStepIndex"],
        "totalSteps": tutorial["totalSteps"],
        "completedSteps": list(tutorial["completedSteps"]),
        "completed": tutorial["completed"],
        "skipped": tutorial["skipped"],
        "lastActionAt": tutorial["lastActionAt"],
        "startedAt": tutorial["startedAt"],
        "stepStartedAt": tutorial["stepStartedAt"],
    }


select_tutorial_progress = create_selector(select_slice, combine=_progress)
"""Progress: ``{enabled, currentStep, currentStepIndex, totalSteps, completedSteps, ...}``."""


def _current_prompt(state: Mapping[str, Any]) -> Any:
    return state["tutorial"]["currentPrompt"]


def _prompt_history(state: Mapping[str, Any]) -> Any:
    return state["tutorial"]["promptHistory"]


def _snapshots(state: Mapping[str, Any]) -> Any:
    return state["tutorial"]["promptHistorySnapshots"]


select_current_prompt = create_selector(_current_prompt, combine=_clone_prompt_or_none)
"""A copy of the current prompt, or ``None``."""

select_prompt_history = create_selector(_prompt_history, combine=_clone_prompts)
"""Copies of the recent prompts, oldest first."""


def _clone_snapshots(snapshots: list[Any]) -> list[dict[str, Any]]:
    return [_clone_prompt_snapshot(s) for s in snapshots]


select_prompt_history_snapshots = create_selector(_snapshots, combine=_clone_snapshots)
"""Deep copies of every prompt-history snapshot, oldest first."""


def _latest(snapshots: list[Any]) -> dict[str, Any] | None:
    return _clone_prompt_snapshot(snapshots[-1]) if snapshots else None


select_latest_prompt_snapshot = create_selector(_snapshots, combine=_latest)
"""A deep copy of the newest prompt-history snapshot, or ``None``."""


def _analytics(tutorial: State) -> dict[str, Any]:
    return {
        "completedTimeline": dict(tutorial["completedTimeline"]),
        "stepDurations": dict(tutorial["stepDurations"]),
    }


select_tutorial_analytics = create_selector(select_slice, combine=_analytics)
"""``{completedTimeline, stepDurations}`` (copies)."""


def is_tutorial_completed(state: Mapping[str, Any]) -> bool:
    """Whether the tutorial was completed."""
    return bool(state["tutorial"]["completed"])
