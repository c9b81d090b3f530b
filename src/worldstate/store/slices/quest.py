"""The quest slice: quests, their objectives, blocked objectives and NPC availability.

State (snapshot section ``quests``; serialising omits ``lastActionAt``)::

    {byId, activeIds, completedIds, failedIds, lastActionAt, npcAvailability,
     npcAvailabilityHistory}

Quest records are created on first mention (registration, start, objective progress...) and
carry ``id, title, type, status, startedAt, completedAt, failedAt, objectives,
blockedObjectives, lastBlockedAt, lastBlocked, metadata, objectivesOrder, description, rewards,
act, autoStart, branches``.  An objective gets ``blocked: null`` when it is first created or
merged, and loses the key when it is completed or when progress clears a real block.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypedDict, TypeGuard

from worldstate.store.selectors import create_selector
from worldstate.store.slice import Action, ActionBuilder, State

from ._payload import (
    Reducer,
    as_mapping,
    coalesce,
    copy_json,
    first_present,
    is_finite_number,
    is_number,
    prepend_bounded,
    reduce_stamped,
    simple_action,
    truthy,
)

__all__ = [
    "NPC_AVAILABILITY_HISTORY_LIMIT",
    "QuestSlice",
    "QuestSnapshot",
    "select_active_quests",
    "select_quest_by_id",
]

NPC_AVAILABILITY_HISTORY_LIMIT = 20
"""How many NPC availability changes the slice remembers (newest first)."""

DOMAIN = "quest"


class QuestRecordSnapshot(TypedDict, total=False):
    """A quest record as found in a snapshot (every key optional)."""

    id: str
    title: Any
    type: Any
    status: str
    startedAt: int | float | None
    completedAt: int | float | None
    failedAt: int | float | None
    objectives: dict[str, dict[str, Any]]
    blockedObjectives: dict[str, dict[str, Any]]
    lastBlockedAt: int | float | None
    lastBlocked: dict[str, Any] | None
    metadata: dict[str, Any]
    objectivesOrder: list[str]
    description: Any
    rewards: Any
    act: Any
    autoStart: Any
    branches: Any


class QuestSnapshot(TypedDict, total=False):
    """The ``quests`` section of a snapshot."""

    byId: dict[str, QuestRecordSnapshot]
    activeIds: list[str]
    completedIds: list[str]
    failedIds: list[str]
    lastActionAt: int | float | None
    npcAvailability: dict[str, dict[str, Any]]
    npcAvailabilityHistory: list[dict[str, Any]]


# --- event -> action --------------------------------------------------------------------------


def _build_npc_availability(payload: Mapping[str, Any], now: int) -> Action:
    raw_objectives = payload.get("objectives")
    objectives = (
        [_availability_objective(entry) for entry in raw_objectives]
        if isinstance(raw_objectives, list)
        else []
    )
    updated_at = coalesce(payload.get("updatedAt"), now)
    timestamp = updated_at if is_number(updated_at) and isinstance(updated_at, int) else now
    return Action(
        type="QUEST_NPC_AVAILABILITY",
        domain=DOMAIN,
        timestamp=timestamp,
        payload={
            "npcId": payload.get("npcId"),
            "npcName": payload.get("npcName"),
            "factionId": payload.get("factionId"),
            "tag": payload.get("tag"),
            "entityId": payload.get("entityId"),
            "available": truthy(payload.get("available")),
            "updatedAt": updated_at,
            "reason": payload.get("reason"),
            "objectives": objectives,
        },
    )


_OBJECTIVE_KEYS = (
    "questId",
    "questTitle",
    "questType",
    "objectiveId",
    "objectiveTitle",
    "reason",
    "requirement",
    "message",
    "recordedAt",
)


def _availability_objective(entry: Any) -> dict[str, Any]:
    source = as_mapping(entry)
    return {key: source.get(key) for key in _OBJECTIVE_KEYS}


_EVENTS: dict[str, ActionBuilder] = {
    "quest:registered": simple_action(
        "QUEST_REGISTERED",
        DOMAIN,
        (
            "questId",
            "title",
            "type",
            "description",
            "act",
            "objectives",
            "rewards",
            "branches",
            "autoStart",
            "metadata",
        ),
    ),
    "quest:started": simple_action("QUEST_STARTED", DOMAIN, ("questId", "title", "type")),
    "quest:completed": simple_action(
        "QUEST_COMPLETED", DOMAIN, ("questId", "title", "type", "rewards")
    ),
    "quest:failed": simple_action("QUEST_FAILED", DOMAIN, ("questId", "reason")),
    "objective:progress": simple_action(
        "OBJECTIVE_PROGRESS", DOMAIN, ("questId", "objectiveId", "progress", "target")
    ),
    "objective:completed": simple_action(
        "OBJECTIVE_COMPLETED", DOMAIN, ("questId", "objectiveId", "target")
    ),
    "objective:blocked": simple_action(
        "OBJECTIVE_BLOCKED",
        DOMAIN,
        (
            "questId",
            "questTitle",
            "questType",
            "objectiveId",
            "objectiveDescription",
            "blockedMessage",
            "reason",
            "requirement",
            "requirements",
            "eventType",
            "eventData",
        ),
    ),
    "quest:npc_availability": _build_npc_availability,
}


# --- records -----------------------------------------------------------------------------------


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
        "title": first_present(title, description, objective_id),
        "description": first_present(description, title, ""),
        "optional": truthy(objective.get("optional")),
        "hidden": truthy(objective.get("hidden")),
        "target": first_present(as_mapping(trigger).get("count"), objective.get("target"), 1),
        "metadata": {
            "trigger": copy_json(trigger),
            "tags": copy_json(coalesce(objective.get("tags"), [])),
        },
    }


def _merge_objective(existing: Mapping[str, Any] | None, definition: Mapping[str, Any]) -> State:
    """Overlay ``definition`` on an existing objective (or a fresh one); keys keep their order."""
    old = existing or {}
    merged: State = dict(old)
    merged["id"] = definition["id"]
    merged["title"] = first_present(definition.get("title"), old.get("title"), definition["id"])
    merged["description"] = first_present(definition.get("description"), old.get("description"), "")
    merged["optional"] = first_present(definition.get("optional"), old.get("optional"), False)
    merged["hidden"] = first_present(definition.get("hidden"), old.get("hidden"), False)
    merged["target"] = first_present(definition.get("target"), old.get("target"), 1)
    merged["metadata"] = _merged_metadata(old.get("metadata"), definition.get("metadata"))
    if not is_number(merged.get("progress")):
        merged["progress"] = 0
    if not truthy(merged.get("status")):
        merged["status"] = "pending"
    if "blocked" not in merged:
        merged["blocked"] = None
    return merged


_DEFINITION_KEYS = ("title", "type", "description", "act", "rewards", "branches")


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
    # Runs for every quest event; most payloads carry none of these fields, so ``None`` is
    # tested first (``isinstance(None, Mapping)`` goes through the slow ABC check).
    result: State = dict(record)
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
        "status": coalesce(payload.get("status"), "not_started"),
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
        "act": coalesce(payload.get("act"), as_mapping(metadata).get("act")),
        "autoStart": coalesce(payload.get("autoStart"), False),
        "branches": copy_json(payload.get("branches")),
    }


def _ensure_quest(by_id: dict[str, Any], payload: Mapping[str, Any]) -> State:
    """Create or update the quest ``payload["questId"]`` in ``by_id`` (a fresh copy); return it."""
    existing = by_id.get(payload["questId"])
    base = existing if type(existing) is dict or isinstance(existing, Mapping) else None
    if base is None:
        base = _new_quest(payload)
    record = _apply_definition(base, payload)
    by_id[payload["questId"]] = record
    return record


_STATUS_LISTS = {"active": "activeIds", "completed": "completedIds", "failed": "failedIds"}


def _move_to_status_list(state: State, quest_id: str, status: str) -> None:
    """In ``state`` (a new, unpublished dict): put ``quest_id`` last in the id list of
    ``status`` and take it out of the others.  Lists that do not change are shared.
    """
    target = _STATUS_LISTS[status]
    for key in _STATUS_LISTS.values():
        ids = state.get(key) or []
        if quest_id in ids:
            ids = [qid for qid in ids if qid != quest_id]
        if key == target:
            ids = [*ids, quest_id]
        state[key] = ids


def _valid_id(value: Any) -> TypeGuard[str]:
    return isinstance(value, str) and value != ""


def _number_at_least(value: Any, target: Any) -> bool:
    return is_number(value) and is_number(target) and value >= target


# --- reducers ------------------------------------------------------------------------------------


def _registered(state: State, payload: dict[str, Any], now: int) -> State:
    quest_id = payload.get("questId")
    if not _valid_id(quest_id) or quest_id in state["byId"]:
        return state
    by_id = dict(state["byId"])
    _ensure_quest(by_id, {**payload, "status": "not_started"})
    return {**state, "byId": by_id}


def _status_change(status: str, stamp_key: str) -> Reducer:
    def reduce(state: State, payload: dict[str, Any], now: int) -> State:
        quest_id = payload.get("questId")
        if not _valid_id(quest_id):
            return state
        by_id = dict(state["byId"])
        quest = _ensure_quest(by_id, payload)
        quest["status"] = status
        quest[stamp_key] = coalesce(payload.get("timestamp"), now)
        next_state = {**state, "byId": by_id}
        _move_to_status_list(next_state, quest_id, status)
        return next_state

    return reduce


def _objective_update(
    state: State,
    payload: dict[str, Any],
    definition: Callable[[Mapping[str, Any] | None], dict[str, Any]],
    update: Callable[[State], None],
) -> tuple[State, State] | None:
    """Merge, update and store one objective; returns (next state, quest) or None if invalid."""
    quest_id, objective_id = payload.get("questId"), payload.get("objectiveId")
    if not _valid_id(quest_id) or not _valid_id(objective_id):
        return None
    by_id = dict(state["byId"])
    quest = _ensure_quest(by_id, payload)
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
    return {**state, "byId": by_id}, quest


def _target_definition(payload: Mapping[str, Any]) -> Callable[[Mapping[str, Any] | None], Any]:
    def definition(existing: Mapping[str, Any] | None) -> dict[str, Any]:
        target = first_present(payload.get("target"), (existing or {}).get("target"), 1)
        return {"id": payload["objectiveId"], "target": target}

    return definition


def _unblock(quest: State, objective_id: str) -> None:
    blocked = quest.get("blockedObjectives")
    if isinstance(blocked, Mapping) and objective_id in blocked:
        quest["blockedObjectives"] = {k: v for k, v in blocked.items() if k != objective_id}


def _objective_update_unblocking(
    state: State, payload: dict[str, Any], update: Callable[[State], None]
) -> State:
    """Update an objective (by its ``target``) and lift any block recorded for it."""
    result = _objective_update(state, payload, _target_definition(payload), update)
    if result is None:
        return state
    next_state, quest = result
    _unblock(quest, payload["objectiveId"])
    return next_state


def _objective_progress(state: State, payload: dict[str, Any], now: int) -> State:
    def update(objective: State) -> None:
        objective["status"] = "completed" if objective["status"] == "completed" else "in_progress"
        objective["progress"] = first_present(payload.get("progress"), objective.get("progress"), 0)
        objective["target"] = coalesce(payload.get("target"), objective.get("target"))
        if truthy(objective.get("blocked")):
            del objective["blocked"]
        if _number_at_least(objective["progress"], objective["target"]):
            objective["status"] = "completed"

    return _objective_update_unblocking(state, payload, update)


def _objective_completed(state: State, payload: dict[str, Any], now: int) -> State:
    def update(objective: State) -> None:
        objective["status"] = "completed"
        objective["progress"] = first_present(payload.get("target"), objective.get("progress"), 1)
        objective.pop("blocked", None)

    return _objective_update_unblocking(state, payload, update)


def _requirements(payload: Mapping[str, Any]) -> Any:
    return copy_json(payload.get("requirements"))


def _objective_blocked(state: State, payload: dict[str, Any], now: int) -> State:
    objective_id = payload.get("objectiveId")
    description = payload.get("objectiveDescription")

    def definition(existing: Mapping[str, Any] | None) -> dict[str, Any]:
        old = existing or {}
        return {
            "id": objective_id,
            "title": first_present(
                payload.get("objectiveTitle"), description, old.get("title"), objective_id
            ),
            "description": first_present(description, old.get("description"), ""),
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
        "questTitle": first_present(payload.get("questTitle"), quest.get("title"), quest_id),
        "questType": coalesce(payload.get("questType"), quest.get("type")),
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
    return next_state


def _normalise_npc_objective(entry: Any, fallback: Any) -> dict[str, Any] | None:
    source = as_mapping(entry)
    quest_id = coalesce(source.get("questId"), source.get("id"))
    objective_id = source.get("objectiveId")
    if not truthy(quest_id) or not truthy(objective_id):
        return None
    recorded = source.get("recordedAt")
    return {
        "questId": quest_id,
        "questTitle": source.get("questTitle"),
        "questType": source.get("questType"),
        "objectiveId": objective_id,
        "objectiveTitle": source.get("objectiveTitle"),
        "reason": source.get("reason"),
        "requirement": copy_json(source.get("requirement")),
        "message": source.get("message"),
        "recordedAt": recorded if is_finite_number(recorded) and recorded > 0 else fallback,
    }


def _npc_availability(state: State, payload: dict[str, Any], now: int) -> State:
    npc_id = payload.get("npcId")
    if not _valid_id(npc_id):
        return state
    updated_at = payload.get("updatedAt")
    recorded_at = updated_at if is_finite_number(updated_at) and updated_at > 0 else now
    available = truthy(payload.get("available"))
    previous = as_mapping(as_mapping(state.get("npcAvailability")).get(npc_id))
    raw = payload.get("objectives")
    objectives = [
        normalised
        for entry in (raw if isinstance(raw, list) else [])
        if (normalised := _normalise_npc_objective(entry, recorded_at)) is not None
    ]
    npc_name = coalesce(payload.get("npcName"), previous.get("npcName"))
    faction_id = coalesce(payload.get("factionId"), previous.get("factionId"))
    record = {
        "npcId": npc_id,
        "npcName": npc_name,
        "factionId": faction_id,
        "tag": coalesce(payload.get("tag"), previous.get("tag")),
        "entityId": coalesce(payload.get("entityId"), previous.get("entityId")),
        "available": available,
        "updatedAt": recorded_at,
        "reason": coalesce(
            payload.get("reason"),
            "availability_restored"
            if available
            else coalesce(previous.get("reason"), "unavailable"),
        ),
        "objectives": objectives,
    }
    history_entry = {
        "npcId": npc_id,
        "npcName": npc_name,
        "factionId": faction_id,
        "available": available,
        "recordedAt": recorded_at,
        "reason": payload.get("reason"),
        "tag": payload.get("tag"),
        "objectiveCount": len(objectives),
    }
    next_state: State = {
        **state,
        "npcAvailability": {**as_mapping(state.get("npcAvailability")), npc_id: record},
        "npcAvailabilityHistory": prepend_bounded(
            state.get("npcAvailabilityHistory"), history_entry, NPC_AVAILABILITY_HISTORY_LIMIT
        ),
    }
    if available:
        next_state["byId"] = _release_npc_blocks(state["byId"], npc_id, recorded_at)
    elif objectives:
        next_state["byId"] = _block_for_npc(state["byId"], payload, objectives, recorded_at)
    return next_state


def _release_npc_blocks(by_id: Mapping[str, Any], npc_id: str, recorded_at: Any) -> dict[str, Any]:
    """Drop the blocked objectives held by ``npc_id``; returns ``by_id`` itself if none."""
    result: dict[str, Any] | None = None
    for quest_id, quest in by_id.items():
        blocked = as_mapping(as_mapping(quest).get("blockedObjectives"))
        remaining = {
            key: entry for key, entry in blocked.items() if as_mapping(entry).get("npcId") != npc_id
        }
        if len(remaining) == len(blocked):
            continue
        if result is None:
            result = dict(by_id)
        record = _apply_definition(quest, {})
        record["blockedObjectives"] = remaining
        last = as_mapping(record.get("lastBlocked"))
        last_is_npc = last.get("npcId") == npc_id
        if not remaining:
            if last_is_npc:
                record["lastBlocked"] = None
            if last_is_npc or not truthy(record.get("lastBlocked")):
                record["lastBlockedAt"] = None
        elif last_is_npc:
            latest = as_mapping(_newest(list(remaining.values())))
            when = first_present(latest.get("recordedAt"), record.get("lastBlockedAt"), recorded_at)
            record["lastBlocked"] = {
                "objectiveId": coalesce(latest.get("objectiveId"), last.get("objectiveId")),
                "questId": quest_id,
                "npcId": latest.get("npcId"),
                "reason": latest.get("reason"),
                "message": latest.get("message"),
                "recordedAt": when,
            }
            record["lastBlockedAt"] = when
        result[quest_id] = record
    return dict(by_id) if result is None else result


def _newest(entries: list[Any]) -> Any:
    def recorded(entry: Any) -> float:
        value = as_mapping(entry).get("recordedAt")
        return float(value) if is_number(value) else 0.0

    return max(entries, key=recorded)


def _block_for_npc(
    by_id: Mapping[str, Any],
    payload: Mapping[str, Any],
    objectives: list[dict[str, Any]],
    recorded_at: Any,
) -> dict[str, Any]:
    """Record each objective as blocked by the unavailable NPC."""
    result = dict(by_id)
    npc_id = payload["npcId"]
    for objective in objectives:
        quest = _ensure_quest(
            result,
            {
                "questId": objective["questId"],
                "title": objective["questTitle"],
                "type": objective["questType"],
            },
        )
        blocked = dict(as_mapping(quest.get("blockedObjectives")))
        existing = as_mapping(blocked.get(objective["objectiveId"]))
        fallback_reason = payload["reason"] if truthy(payload.get("reason")) else None
        blocked[objective["objectiveId"]] = {
            "questId": objective["questId"],
            "questTitle": first_present(
                objective["questTitle"], quest.get("title"), objective["questId"]
            ),
            "questType": coalesce(objective["questType"], quest.get("type")),
            "objectiveId": objective["objectiveId"],
            "objectiveTitle": coalesce(objective["objectiveTitle"], objective["objectiveId"]),
            "reason": first_present(
                objective["reason"], existing.get("reason"), fallback_reason, "npc_unavailable"
            ),
            "requirement": coalesce(
                objective["requirement"], copy_json(existing.get("requirement"))
            ),
            "message": coalesce(objective["message"], existing.get("message")),
            "recordedAt": coalesce(objective["recordedAt"], recorded_at),
            "npcId": npc_id,
            "npcName": payload.get("npcName"),
        }
        quest["blockedObjectives"] = blocked
        quest["lastBlockedAt"] = recorded_at
        quest["lastBlocked"] = {
            "objectiveId": objective["objectiveId"],
            "questId": objective["questId"],
            "npcId": npc_id,
            "reason": coalesce(objective["reason"], payload.get("reason")),
            "message": objective["message"],
            "recordedAt": recorded_at,
        }
    return result


_REDUCERS: dict[str, Reducer] = {
    "QUEST_REGISTERED": _registered,
    "QUEST_STARTED": _status_change("active", "startedAt"),
    "QUEST_COMPLETED": _status_change("completed", "completedAt"),
    "QUEST_FAILED": _status_change("failed", "failedAt"),
    "OBJECTIVE_PROGRESS": _objective_progress,
    "OBJECTIVE_COMPLETED": _objective_completed,
    "OBJECTIVE_BLOCKED": _objective_blocked,
    "QUEST_NPC_AVAILABILITY": _npc_availability,
}


_SNAPSHOT_KEYS = (
    "byId",
    "activeIds",
    "completedIds",
    "failedIds",
    "npcAvailability",
    "npcAvailabilityHistory",
)


class QuestSlice:
    """Quests, objectives and NPC availability (snapshot section ``quests``)."""

    key = "quest"
    snapshot_key = "quests"
    domain = DOMAIN
    snapshot_schema = QuestSnapshot

    def __init__(self) -> None:
        self.events: Mapping[str, ActionBuilder] = dict(_EVENTS)

    def initial_state(self) -> State:
        """No quests, no NPC availability records."""
        return {
            "byId": {},
            "activeIds": [],
            "completedIds": [],
            "failedIds": [],
            "lastActionAt": None,
            "npcAvailability": {},
            "npcAvailabilityHistory": [],
        }

    def reduce(self, state: State, action: Action) -> State:
        """Apply a quest action; other types and domains, and invalid payloads, change nothing."""
        return reduce_stamped(_REDUCERS, DOMAIN, state, action)

    def serialize(self, state: State) -> dict[str, Any]:
        """The ``quests`` section: a view sharing the state, without ``lastActionAt``."""
        return {key: state[key] for key in _SNAPSHOT_KEYS}

    def hydrate(self, data: Any) -> State:
        """State from a (validated, privately owned) ``quests`` section; missing parts start
        empty.
        """
        state = self.initial_state()
        for key, value in as_mapping(data).items():
            if key in state:
                state[key] = value
        return state


def _quest_root(state: Mapping[str, Any], *args: Any) -> State:
    return state["quest"]  # type: ignore[no-any-return]


def _active_quests(quests: State) -> list[Any]:
    by_id = quests["byId"]
    return [by_id[qid] for qid in quests["activeIds"] if by_id.get(qid)]


select_active_quests = create_selector(_quest_root, combine=_active_quests)
"""The records of the active quests, in the order they became active."""


def _quest_id_arg(state: Mapping[str, Any], quest_id: str) -> str:
    return quest_id


def _quest_by_id(quests: State, quest_id: str) -> Any:
    return quests["byId"].get(quest_id)


select_quest_by_id = create_selector(_quest_root, _quest_id_arg, combine=_quest_by_id)
"""``select_quest_by_id(state, quest_id)``: the quest record, or ``None``."""
