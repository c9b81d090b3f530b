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
from worldstate.store._transients import InPlaceWrites

from ._payload import as_mapping, copy_json
from ._quest_records import (
    _merge_objective,
    _move_to_status_list,
    _number_at_least,
    _quest_record,
    _store_quest,
    _valid_id,
)

SliceReducer = Callable[[InPlaceWrites, State, dict[str, Any], int], State]
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


def _registered(slice_: InPlaceWrites, state: State, payload: dict[str, Any], now: int) -> State:
    quest_id = payload.get("questId")
    if not _valid_id(quest_id) or quest_id in state["byId"]:
        return state
    record = _quest_record(state["byId"], {**payload, "status": "not_started"})
    return _store_quest(slice_.transients, {**state}, quest_id, record)


def _status_change(status: str, stamp_key: str) -> SliceReducer:
    def reduce(slice_: InPlaceWrites, state: State, payload: dict[str, Any], now: int) -> State:
        quest_id = payload.get("questId")
        if not _valid_id(quest_id):
            return state
        quest = _quest_record(state["byId"], payload)
        quest["status"] = status
        quest[stamp_key] = coalesce2(payload.get("timestamp"), now)
        next_state = {**state}
        _move_to_status_list(next_state, quest_id, status, slice_.transients)
        return _store_quest(slice_.transients, next_state, quest_id, quest)

    return reduce


def _objective_update(
    state: State,
    payload: dict[str, Any],
    definition: Callable[[Mapping[str, Any] | None], dict[str, Any]],
    update: Callable[[State], None],
) -> tuple[State, State] | None:
    """Merge and update one objective; returns (next state, quest) or None if invalid.

    The quest is not filed yet: the caller finishes it, then stores it with
    :func:`_store_quest` as its last step.
    """
    quest_id, objective_id = payload.get("questId"), payload.get("objectiveId")
    if not _valid_id(quest_id) or not _valid_id(objective_id):
        return None
    quest = _quest_record(state["byId"], payload)
    objectives = dict(as_mapping(quest.get("objectives")))
    existing = objectives.get(objective_id)
    if not (type(existing) is dict or isinstance(existing, Mapping)):
        existing = None
    objective = _merge_objective(existing, definition(existing))
    update(objective)
    objectives[objective_id] = objective
    quest["objectives"] = objectives
    order = quest.get("objectivesOrder") or []
    if objective_id not in order:
        order = [*order, objective_id]
    quest["objectivesOrder"] = order
    return {**state}, quest


def _target_definition(payload: Mapping[str, Any]) -> Callable[[Mapping[str, Any] | None], Any]:
    def definition(existing: Mapping[str, Any] | None) -> dict[str, Any]:
        target = coalesce(payload.get("target"), (existing or {}).get("target"), 1)
        return {"id": payload["objectiveId"], "target": target}

    return definition


def _unblock(quest: State, objective_id: str) -> None:
    blocked = quest.get("blockedObjectives")
    if isinstance(blocked, Mapping) and objective_id in blocked:
        quest["blockedObjectives"] = {k: v for k, v in blocked.items() if k != objective_id}


def _objective_update_unblocking(
    slice_: InPlaceWrites, state: State, payload: dict[str, Any], update: Callable[[State], None]
) -> State:
    """Update an objective (by its ``target``) and lift any block recorded for it."""
    result = _objective_update(state, payload, _target_definition(payload), update)
    if result is None:
        return state
    next_state, quest = result
    _unblock(quest, payload["objectiveId"])
    return _store_quest(slice_.transients, next_state, payload["questId"], quest)


def _objective_progress(
    slice_: InPlaceWrites, state: State, payload: dict[str, Any], now: int
) -> State:
    def update(objective: State) -> None:
        objective["status"] = "completed" if objective["status"] == "completed" else "in_progress"
        objective["progress"] = coalesce(payload.get("progress"), objective.get("progress"), 0)
        objective["target"] = coalesce2(payload.get("target"), objective.get("target"))
        if truthy(objective.get("blocked")):
            del objective["blocked"]
        if _number_at_least(objective["progress"], objective["target"]):
            objective["status"] = "completed"

    return _objective_update_unblocking(slice_, state, payload, update)


def _objective_completed(
    slice_: InPlaceWrites, state: State, payload: dict[str, Any], now: int
) -> State:
    def update(objective: State) -> None:
        objective["status"] = "completed"
        objective["progress"] = coalesce(payload.get("target"), objective.get("progress"), 1)
        objective.pop("blocked", None)

    return _objective_update_unblocking(slice_, state, payload, update)


def _requirements(payload: Mapping[str, Any]) -> Any:
    return copy_json(payload.get("requirements"))


def _objective_blocked(
    slice_: InPlaceWrites, state: State, payload: dict[str, Any], now: int
) -> State:
    objective_id = payload.get("objectiveId")
    description = payload.get("objectiveDescription")

    def definition(existing: Mapping[str, Any] | None) -> dict[str, Any]:
        old = existing or {}
        return {
            "id": objective_id,
            "title": coalesce(
                payload.get("objectiveTitle"), description, old.get("title"), objective_id
            ),
            "description": coalesce(description, old.get("description"), ""),
        }

    event_data = payload.get("eventData")

    def update(objective: State) -> None:
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

    result = _objective_update(state, payload, definition, update)
    if result is None:
        return state
    next_state, quest = result
    quest_id = payload["questId"]
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
    return _store_quest(slice_.transients, next_state, quest_id, quest)
