"""Quest and objective records: how they are created on first mention and merged.

Owns the record shape of the quest slice: a quest is created by :func:`_quest_record` (from any
event naming it) and overlaid with the definition fields an event carries; objectives from a
definition are merged into the existing ones, keeping key order.  Also owns the quest domain
name, the status id lists (``activeIds``, ``completedIds``, ``failedIds``) and the small guards
the reducers share.  Used by ``quest.py`` (the slice) and its reducer modules.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeGuard

from worldstate._js import coalesce, coalesce2, is_number, truthy
from worldstate.store._slice import State
from worldstate.store._transients import ALWAYS_COPY, Transients

from ._payload import as_mapping, copy_json
from ._quest_indexes import StatusMembers

__all__ = [
    "DOMAIN",
    "_adopted",
    "_apply_definition",
    "_merge_objective",
    "_merge_objective_into",
    "_move_to_status_list",
    "_quest_record",
    "_store_quest",
    "_number_at_least",
    "_valid_id",
    "_writable_map",
]

DOMAIN = "quest"


def _objective_definition(objective: Any) -> dict[str, Any] | None:
    """An objective from a quest definition, or ``None`` when it has no id."""
    if not isinstance(objective, Mapping) or not truthy(objective.get("id")):
        return None
    objective_id = objective["id"]
    title = objective.get("title")
    description = objective.get("description")
    trigger = objective.get("trigger")
    return {
        "id": objective_id,
        "title": coalesce(title, description, objective_id),
        "description": coalesce(description, title, ""),
        "optional": truthy(objective.get("optional")),
        "hidden": truthy(objective.get("hidden")),
        "target": coalesce(as_mapping(trigger).get("count"), objective.get("target"), 1),
        "metadata": {
            "trigger": copy_json(trigger),
            "tags": copy_json(coalesce2(objective.get("tags"), [])),
        },
    }


def _merge_objective(existing: Mapping[str, Any] | None, definition: Mapping[str, Any]) -> State:
    """Overlay ``definition`` on an existing objective (or a fresh one); keys keep their order."""
    return _merge_objective_into(dict(existing or {}), definition)


def _merge_objective_into(merged: State, definition: Mapping[str, Any]) -> State:
    """Overlay ``definition`` on the objective ``merged`` itself (a dict the caller may write);
    keys keep their order."""
    # ``coalesce(definition's, merged's, default)`` per field, spelt out: an objective merge
    # runs for every objective event, and most fields keep the value they have.
    objective_id = definition["id"]
    get = merged.get
    merged["id"] = objective_id
    for key, default in _OBJECTIVE_DEFAULTS:
        value = definition.get(key)
        if value is not None:
            merged[key] = value
        elif get(key) is None:
            merged[key] = objective_id if default is _OWN_ID else default
    old_metadata, new_metadata = get("metadata"), definition.get("metadata")
    # Without new metadata an objective keeps its metadata dict: state is immutable, and
    # metadata is never written in place.
    if new_metadata is not None or type(old_metadata) is not dict:
        merged["metadata"] = _merged_metadata(old_metadata, new_metadata)
    progress = get("progress")
    if progress.__class__ is not int and not is_number(progress):
        merged["progress"] = 0
    status = get("status")
    if not (status.__class__ is str and status) and not truthy(status):
        merged["status"] = "pending"
    if "blocked" not in merged:
        merged["blocked"] = None
    return merged


_OWN_ID = object()
_OBJECTIVE_DEFAULTS = (
    ("title", _OWN_ID),
    ("description", ""),
    ("optional", False),
    ("hidden", False),
    ("target", 1),
)
"""Objective fields a definition may set, and their value when neither it nor the objective
has one (``_OWN_ID``: the objective's id)."""


_DEFINITION_KEYS = ("title", "type", "description", "act", "rewards", "branches")
_DEFINITION_FIELDS = frozenset((*_DEFINITION_KEYS, "autoStart", "metadata", "objectives"))


def _merged_metadata(old: Any, new: Any) -> dict[str, Any]:
    """``{**old, **copy_json(new)}``, taking only those that are mappings."""
    # Not written with ``**as_mapping(...)``: unpacking the shared empty mapping proxy costs
    # more than the rest of an objective merge, and objectives rarely carry metadata.
    result: dict[str, Any] = {}
    if old is not None:
        result.update(as_mapping(old))
    if new is not None and isinstance(new, Mapping):
        result.update(copy_json(new))
    return result


def _apply_definition(record: Mapping[str, Any], payload: Mapping[str, Any]) -> State:
    """A copy of ``record`` with the truthy definition fields of ``payload`` applied."""
    return _apply_definition_to(dict(record), payload)


def _apply_definition_to(result: State, payload: Mapping[str, Any]) -> State:
    """``result`` itself (a record the caller may write) with the truthy definition fields of
    ``payload`` applied."""
    # Runs for every quest event; most payloads carry none of these fields, so ``None`` is
    # tested first (``isinstance(None, Mapping)`` goes through the slow ABC check), and a
    # payload naming none of them (objective progress, most status changes) skips them all.
    if _DEFINITION_FIELDS.isdisjoint(payload):
        return result
    get = payload.get
    for key in _DEFINITION_KEYS:
        value = get(key)
        if value is not None and truthy(value):
            result[key] = copy_json(value)
    auto_start = get("autoStart")
    if auto_start is True or auto_start is False:
        result["autoStart"] = auto_start
    metadata = get("metadata")
    if metadata is not None and isinstance(metadata, Mapping):
        result["metadata"] = {**as_mapping(result.get("metadata")), **copy_json(metadata)}
    objectives = get("objectives")
    if objectives is not None and isinstance(objectives, list):
        updated = dict(as_mapping(result.get("objectives")))
        order = list(result.get("objectivesOrder") or [])
        for objective in objectives:
            definition = _objective_definition(objective)
            if definition is None:
                continue
            updated[definition["id"]] = _merge_objective(updated.get(definition["id"]), definition)
            if definition["id"] not in order:
                order.append(definition["id"])
        result["objectives"] = updated
        result["objectivesOrder"] = order
    return result


def _new_quest(payload: Mapping[str, Any]) -> State:
    metadata = payload.get("metadata")
    has_metadata = metadata is not None and isinstance(metadata, Mapping)  # None: no ABC check
    return {
        "id": payload["questId"],
        "title": payload.get("title"),
        "type": payload.get("type"),
        "status": coalesce2(payload.get("status"), "not_started"),
        "startedAt": None,
        "completedAt": None,
        "failedAt": None,
        "objectives": {},
        "blockedObjectives": {},
        "lastBlockedAt": None,
        "lastBlocked": None,
        "metadata": copy_json(metadata) if has_metadata else {},
        "objectivesOrder": [],
        "description": payload.get("description"),
        "rewards": copy_json(payload.get("rewards")),
        "act": coalesce2(payload.get("act"), as_mapping(metadata).get("act")),
        "autoStart": coalesce2(payload.get("autoStart"), False),
        "branches": copy_json(payload.get("branches")),
    }


def _quest_record(
    by_id: Mapping[str, Any], payload: Mapping[str, Any], writes: Transients = ALWAYS_COPY
) -> State:
    """The record of the quest ``payload["questId"]``: the one in ``by_id`` (created when
    missing) overlaid with the payload's definition fields; ``by_id`` is not changed.

    The record is a copy, or, through ``writes``, the one in ``by_id`` itself while nobody
    has seen it: ask for it only when nothing after it can fail, and file it back.
    """
    existing = by_id.get(payload["questId"])
    if type(existing) is dict:
        base = writes.writable_dict(existing)
    elif existing is not None and isinstance(existing, Mapping):
        base = dict(existing)
    else:
        base = _adopted(writes, _new_quest(payload))
    return _apply_definition_to(base, payload)


def _writable_map(writes: Transients, value: Any) -> dict[str, Any]:
    """``value`` (a dict, else a mapping's copy, else empty) as a dict the caller may write:
    ``value`` itself while nobody has seen it."""
    return writes.writable_dict(value) if type(value) is dict else dict(as_mapping(value))


def _adopted(writes: Transients, fresh: dict[str, Any]) -> dict[str, Any]:
    """``fresh`` (a dict just made) as one that later events may change in place while nobody
    has seen it: ``Transients`` only lends out the copies it makes, so this is one."""
    return writes.writable_dict(fresh)


def _store_quest(writes: Transients, state: State, quest_id: str, record: State) -> State:
    """``state`` (a new, unpublished dict) with ``record`` filed under ``quest_id`` in its
    ``byId``, written in place while nobody has seen that map: call it last."""
    by_id = writes.writable_dict(state["byId"])
    by_id[quest_id] = record
    state["byId"] = by_id
    return state


_STATUS_LISTS = {"active": "activeIds", "completed": "completedIds", "failed": "failedIds"}


def _move_to_status_list(
    state: State, quest_id: str, status: str, writes: Transients, members: StatusMembers
) -> None:
    """In ``state`` (a new, unpublished dict): put ``quest_id`` last in the id list of
    ``status`` and take it out of the others.  Lists that do not change are shared; those that
    do are changed in place while nobody has seen them (``writes``).  ``members`` knows which
    lists hold the id, and where, without scanning them, and is kept true for what is written.
    """
    target = _STATUS_LISTS[status]
    for key in _STATUS_LISTS.values():
        ids = state.get(key) or []
        listed = members.of(key, ids)
        found = ids.count(quest_id) if listed is None else listed.counts.get(quest_id, 0)
        if found or key == target:
            ids = writes.writable_list(ids)
            if listed is None:
                for _ in range(found):
                    ids.remove(quest_id)
                if key == target:
                    ids.append(quest_id)
            else:
                listed.ids = ids  # the copy, if one was made
                if found:
                    listed.take_out(quest_id)
                if key == target:
                    listed.put_last(quest_id)
        state[key] = ids


def _valid_id(value: Any) -> TypeGuard[str]:
    return isinstance(value, str) and value != ""


def _number_at_least(value: Any, target: Any) -> bool:
    if value.__class__ is int and target.__class__ is int:  # the usual counts: no type tests
        return bool(value >= target)
    return is_number(value) and is_number(target) and value >= target
