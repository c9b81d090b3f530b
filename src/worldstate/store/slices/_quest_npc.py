"""NPC availability for the quest slice: the ``quest:npc_availability`` event and its reducer.

Owns the action builder for the event, the availability record and bounded history kept per
NPC, and what availability does to quests: an unavailable NPC blocks the objectives it names
(creating their quests on first mention), and an NPC becoming available again releases the
blocks it held.  ``quest.py`` wires the builder and reducer into the slice.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from worldstate._js import coalesce, coalesce2, is_finite_number, is_number, truthy
from worldstate.store._slice import Action, State

from ._payload import as_mapping, copy_json, prepend_bounded
from ._quest_indexes import QuestWrites
from ._quest_records import (
    DOMAIN,
    _apply_definition,
    _quest_record,
    _valid_id,
    _writable_map,
)

__all__ = [
    "NPC_AVAILABILITY_HISTORY_LIMIT",
    "_build_npc_availability",
    "_npc_availability",
]

NPC_AVAILABILITY_HISTORY_LIMIT = 20
"""How many NPC availability changes the slice remembers (newest first)."""


def _build_npc_availability(payload: Mapping[str, Any], now: int) -> Action:
    raw_objectives = payload.get("objectives")
    objectives = (
        [_availability_objective(entry) for entry in raw_objectives]
        if isinstance(raw_objectives, list)
        else []
    )
    updated_at = coalesce2(payload.get("updatedAt"), now)
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


def _normalise_npc_objective(entry: Any, fallback: Any) -> dict[str, Any] | None:
    source = as_mapping(entry)
    quest_id = coalesce2(source.get("questId"), source.get("id"))
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


def _npc_availability(
    slice_: QuestWrites, state: State, payload: dict[str, Any], now: int
) -> State:
    npc_id = payload.get("npcId")
    if not _valid_id(npc_id):
        return state
    updated_at = payload.get("updatedAt")
    recorded_at = updated_at if is_finite_number(updated_at) and updated_at > 0 else now
    available = truthy(payload.get("available"))
    availability = state.get("npcAvailability")
    previous = as_mapping(as_mapping(availability).get(npc_id))
    raw = payload.get("objectives")
    objectives = [
        normalised
        for entry in (raw if isinstance(raw, list) else [])
        if (normalised := _normalise_npc_objective(entry, recorded_at)) is not None
    ]
    npc_name = coalesce2(payload.get("npcName"), previous.get("npcName"))
    faction_id = coalesce2(payload.get("factionId"), previous.get("factionId"))
    record = {
        "npcId": npc_id,
        "npcName": npc_name,
        "factionId": faction_id,
        "tag": coalesce2(payload.get("tag"), previous.get("tag")),
        "entityId": coalesce2(payload.get("entityId"), previous.get("entityId")),
        "available": available,
        "updatedAt": recorded_at,
        "reason": coalesce2(
            payload.get("reason"),
            "availability_restored"
            if available
            else coalesce2(previous.get("reason"), "unavailable"),
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
    by_id = state["byId"]
    holders = slice_.npc_blocks
    if available:
        quests = _released_npc_blocks(by_id, holders.of(by_id, npc_id), npc_id, recorded_at)
    elif objectives:
        quests = _blocked_for_npc(by_id, payload, objectives, recorded_at)
    else:
        quests = {}
    # Nothing below raises: the maps are written in place while nobody has seen them.
    writes = slice_.transients
    records = _writable_map(writes, availability)
    records[npc_id] = record
    next_state: State = {
        **state,
        "npcAvailability": records,
        "npcAvailabilityHistory": prepend_bounded(
            state.get("npcAvailabilityHistory"), history_entry, NPC_AVAILABILITY_HISTORY_LIMIT
        ),
    }
    if quests:
        written = writes.writable_dict(by_id)
        written.update(quests)
        next_state["byId"] = written
        holders.written(by_id, written, npc_id, released=available, blocked=quests)
    elif available:
        holders.written(by_id, by_id, npc_id, released=True, blocked=())
    return next_state


def _released_npc_blocks(
    by_id: Mapping[str, Any], candidates: Iterable[str], npc_id: str, recorded_at: Any
) -> dict[str, State]:
    """The quests among ``candidates`` whose blocked objectives held by ``npc_id`` are
    dropped, as new records (quest id -> record); the others are left out."""
    changed: dict[str, State] = {}
    for quest_id in candidates:
        quest = by_id.get(quest_id)
        if quest is None:
            continue
        blocked = as_mapping(as_mapping(quest).get("blockedObjectives"))
        remaining = {
            key: entry for key, entry in blocked.items() if as_mapping(entry).get("npcId") != npc_id
        }
        if len(remaining) == len(blocked):
            continue
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
            when = coalesce(latest.get("recordedAt"), record.get("lastBlockedAt"), recorded_at)
            record["lastBlocked"] = {
                "objectiveId": coalesce2(latest.get("objectiveId"), last.get("objectiveId")),
                "questId": quest_id,
                "npcId": latest.get("npcId"),
                "reason": latest.get("reason"),
                "message": latest.get("message"),
                "recordedAt": when,
            }
            record["lastBlockedAt"] = when
        changed[quest_id] = record
    return changed


def _newest(entries: list[Any]) -> Any:
    def recorded(entry: Any) -> float:
        value = as_mapping(entry).get("recordedAt")
        return float(value) if is_number(value) else 0.0

    return max(entries, key=recorded)


def _blocked_for_npc(
    by_id: Mapping[str, Any],
    payload: Mapping[str, Any],
    objectives: list[dict[str, Any]],
    recorded_at: Any,
) -> dict[str, State]:
    """The quests with each objective recorded as blocked by the unavailable NPC, as new
    records (quest id -> record; a quest named for the first time is created)."""
    changed: dict[str, State] = {}
    npc_id = payload["npcId"]
    for objective in objectives:
        quest_id = objective["questId"]
        quest = _quest_record(
            changed if quest_id in changed else by_id,
            {"questId": quest_id, "title": objective["questTitle"], "type": objective["questType"]},
        )
        changed[quest_id] = quest
        blocked = dict(as_mapping(quest.get("blockedObjectives")))
        existing = as_mapping(blocked.get(objective["objectiveId"]))
        fallback_reason = payload["reason"] if truthy(payload.get("reason")) else None
        blocked[objective["objectiveId"]] = {
            "questId": objective["questId"],
            "questTitle": coalesce(
                objective["questTitle"], quest.get("title"), objective["questId"]
            ),
            "questType": coalesce2(objective["questType"], quest.get("type")),
            "objectiveId": objective["objectiveId"],
            "objectiveTitle": coalesce2(objective["objectiveTitle"], objective["objectiveId"]),
            "reason": coalesce(
                objective["reason"], existing.get("reason"), fallback_reason, "npc_unavailable"
            ),
            "requirement": coalesce2(
                objective["requirement"], copy_json(existing.get("requirement"))
            ),
            "message": coalesce2(objective["message"], existing.get("message")),
            "recordedAt": coalesce2(objective["recordedAt"], recorded_at),
            "npcId": npc_id,
            "npcName": payload.get("npcName"),
        }
        quest["blockedObjectives"] = blocked
        quest["lastBlockedAt"] = recorded_at
        quest["lastBlocked"] = {
            "objectiveId": objective["objectiveId"],
            "questId": objective["questId"],
            "npcId": npc_id,
            "reason": coalesce2(objective["reason"], payload.get("reason")),
            "message": objective["message"],
            "recordedAt": recorded_at,
        }
    return changed
