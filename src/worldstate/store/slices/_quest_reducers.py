"""Reducers for the quest lifecycle and objective actions of the quest slice.

Owns registration, the status changes (start, complete, fail) and objective progress,
completion and blocks; each returns the next state (the same object when nothing changed).
The ``quest:npc_availability`` reducer lives in ``_quest_npc.py``; the reducers table that
routes action types here is in ``quest.py``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from worldstate._js import coalesce, coalesce2, truthy
from worldstate.store._slice import State
from worldstate.store._transients import Transients

from ._payload import as_mapping, copy_json
from ._quest_indexes import QuestWrites
from ._quest_records import (
    _adopted,
    _merge_objective_into,
    _move_to_status_list,
    _number_at_least,
    _quest_record,
    _store_quest,
    _valid_id,
    _writable_map,
)

SliceReducer = Callable[[QuestWrites, State, dict[str, Any], int], State]
"""A quest reducer: the slice (whose ``transients`` the byId map and id lists are written
through) is bound first, with ``functools.partial``, by the quest slice."""

__all__ = [
    "SliceReducer",
    "_objective_blocked",
    "_objective_completed",
    "_objective_progress",
    "_registered",
    "_status_change",
]


def _registered(slice_: QuestWrites, state: State, payload: dict[str, Any], now: int) -> State:
    quest_id = payload.get("questId")
    if not _valid_id(quest_id) or quest_id in state["byId"]:
        return state
    record = _quest_record(state["byId"], {**payload, "status": "not_started"})
    return _store_quest(slice_.transients, {**state}, quest_id, record)


def _status_change(status: str, stamp_key: str) -> SliceReducer:
    def reduce(slice_: QuestWrites, state: State, payload: dict[str, Any], now: int) -> State:
        quest_id = payload.get("questId")
        if not _valid_id(quest_id):
            return state
        writes = slice_.transients
        quest = _quest_record(state["byId"], payload, writes)
        quest["status"] = status
        quest[stamp_key] = coalesce2(payload.get("timestamp"), now)
        next_state = {**state}
        _move_to_status_list(next_state, quest_id, status, writes, slice_.status_members)
        return _store_quest(writes, next_state, quest_id, quest)

    return reduce


ObjectiveDefinition = Callable[[Mapping[str, Any], Mapping[str, Any] | None], dict[str, Any]]
"""``(payload, existing objective or None) -> definition`` merged into the objective."""

ObjectiveUpdate = Callable[[State, Mapping[str, Any], int], None]
"""``(objective, payload, now)``: finish the merged objective in place."""


def _objective_update(
    writes: Transients,
    state: State,
    payload: dict[str, Any],
    definition: ObjectiveDefinition,
    update: ObjectiveUpdate,
    now: int,
) -> tuple[State, State] | None:
    """Merge and update one objective; returns (next state, quest) or None if invalid.

    The quest, its objective map and the objective are written in place while nobody has seen
    them (``writes``), else copied.  The quest is not filed yet: the caller finishes it, then
    stores it with :func:`_store_quest` as its last step.
    """
    quest_id, objective_id = payload.get("questId"), payload.get("objectiveId")
    if not _valid_id(quest_id) or not _valid_id(objective_id):
        return None
    quest = _quest_record(state["byId"], payload, writes)
    objectives = _writable_map(writes, quest.get("objectives"))
    existing = objectives.get(objective_id)
    if type(existing) is dict:
        objective = writes.writable_dict(existing)
    elif existing is not None and isinstance(existing, Mapping):
        objective = dict(existing)
    else:
        existing, objective = None, _adopted(writes, {})
    _merge_objective_into(objective, definition(payload, existing))
    update(objective, payload, now)
    objectives[objective_id] = objective
    quest["objectives"] = objectives
    order = quest.get("objectivesOrder") or []
    if objective_id not in order:
        order = [*order, objective_id]
    quest["objectivesOrder"] = order
    return {**state}, quest


def _target_definition(
    payload: Mapping[str, Any], existing: Mapping[str, Any] | None
) -> dict[str, Any]:
    target = payload.get("target")
    if target is None and existing is not None:
        target = existing.get("target")
    return {"id": payload["objectiveId"], "target": coalesce2(target, 1)}


def _unblock(quest: State, objective_id: str) -> None:
    blocked = quest.get("blockedObjectives")
    # An empty or missing map (most quests) is passed over before any type test.
    if (
        blocked
        and (type(blocked) is dict or isinstance(blocked, Mapping))
        and objective_id in blocked
    ):
        quest["blockedObjectives"] = {k: v for k, v in blocked.items() if k != objective_id}


def _objective_update_unblocking(
    slice_: QuestWrites, state: State, payload: dict[str, Any], update: ObjectiveUpdate, now: int
) -> State:
    """Update an objective (by its ``target``) and lift any block recorded for it."""
    writes = slice_.transients
    result = _objective_update(writes, state, payload, _target_definition, update, now)
    if result is None:
        return state
    next_state, quest = result
    _unblock(quest, payload["objectiveId"])
    return _store_quest(writes, next_state, payload["questId"], quest)


def _progress_update(objective: State, payload: Mapping[str, Any], now: int) -> None:
    get = objective.get
    progress = payload.get("progress")
    target = payload.get("target")
    if progress is None:
        progress = coalesce2(get("progress"), 0)
    if target is None:
        target = get("target")
    objective["status"] = "completed" if get("status") == "completed" else "in_progress"
    objective["progress"] = progress
    objective["target"] = target
    blocked = get("blocked")
    if blocked is not None and truthy(blocked):
        del objective["blocked"]
    if _number_at_least(progress, target):
        objective["status"] = "completed"


def _objective_progress(
    slice_: QuestWrites, state: State, payload: dict[str, Any], now: int
) -> State:
    return _objective_update_unblocking(slice_, state, payload, _progress_update, now)


def _completed_update(objective: State, payload: Mapping[str, Any], now: int) -> None:
    objective["status"] = "completed"
    objective["progress"] = coalesce(payload.get("target"), objective.get("progress"), 1)
    objective.pop("blocked", None)


def _objective_completed(
    slice_: QuestWrites, state: State, payload: dict[str, Any], now: int
) -> State:
    return _objective_update_unblocking(slice_, state, payload, _completed_update, now)


def _requirements(payload: Mapping[str, Any]) -> Any:
    return copy_json(payload.get("requirements"))


def _blocked_definition(
    payload: Mapping[str, Any], existing: Mapping[str, Any] | None
) -> dict[str, Any]:
    objective_id = payload.get("objectiveId")
    description = payload.get("objectiveDescription")
    old = existing or {}
    return {
        "id": objective_id,
        "title": coalesce(
            payload.get("objectiveTitle"), description, old.get("title"), objective_id
        ),
        "description": coalesce(description, old.get("description"), ""),
    }


def _blocked_update(objective: State, payload: Mapping[str, Any], now: int) -> None:
    event_data = payload.get("eventData")
    objective["status"] = "blocked"
    objective["blocked"] = {
        "reason": payload.get("reason"),
        "requirement": copy_json(payload.get("requirement")),
        "requirements": _requirements(payload),
        "message": payload.get("blockedMessage"),
        "eventType": payload.get("eventType"),
        "eventData": copy_json(event_data) if isinstance(event_data, Mapping) else None,
        "recordedAt": now,
    }


def _objective_blocked(
    slice_: QuestWrites, state: State, payload: dict[str, Any], now: int
) -> State:
    writes = slice_.transients
    result = _objective_update(writes, state, payload, _blocked_definition, _blocked_update, now)
    if result is None:
        return state
    next_state, quest = result
    quest_id, objective_id = payload["questId"], payload["objectiveId"]
    blocked: dict[Any, Any] = dict(as_mapping(quest.get("blockedObjectives")))
    blocked[objective_id] = {
        "objectiveId": objective_id,
        "questId": quest_id,
        "questTitle": coalesce(payload.get("questTitle"), quest.get("title"), quest_id),
        "questType": coalesce2(payload.get("questType"), quest.get("type")),
        "reason": payload.get("reason"),
        "requirement": copy_json(payload.get("requirement")),
        "requirements": _requirements(payload),
        "message": payload.get("blockedMessage"),
        "eventType": payload.get("eventType"),
        "recordedAt": now,
    }
    quest["blockedObjectives"] = blocked
    quest["lastBlockedAt"] = now
    quest["lastBlocked"] = {
        "objectiveId": objective_id,
        "questId": quest_id,
        "reason": payload.get("reason"),
        "requirement": copy_json(payload.get("requirement")),
        "message": payload.get("blockedMessage"),
        "recordedAt": now,
    }
    return _store_quest(writes, next_state, quest_id, quest)
