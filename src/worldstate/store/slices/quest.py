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

from collections.abc import Mapping
from functools import partial
from typing import Any, TypedDict

from worldstate.store._selectors import create_selector
from worldstate.store._slice import Action, ActionBuilder, State
from worldstate.store._transients import InPlaceWrites

from ._payload import Reducer, as_mapping, reduce_by_type, simple_action
from ._quest_indexes import NpcBlockHolders, StatusMembers
from ._quest_npc import NPC_AVAILABILITY_HISTORY_LIMIT, _build_npc_availability, _npc_availability
from ._quest_records import DOMAIN
from ._quest_reducers import (
    SliceReducer,
    _objective_blocked,
    _objective_completed,
    _objective_progress,
    _registered,
    _status_change,
)

__all__ = [
    "NPC_AVAILABILITY_HISTORY_LIMIT",
    "QuestRecordSnapshot",
    "QuestSlice",
    "QuestSnapshot",
    "select_active_quests",
    "select_quest_by_id",
]


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


_SLICE_REDUCERS: dict[str, SliceReducer] = {
    "QUEST_REGISTERED": _registered,
    "QUEST_STARTED": _status_change("active", "startedAt"),
    "QUEST_COMPLETED": _status_change("completed", "completedAt"),
    "QUEST_FAILED": _status_change("failed", "failedAt"),
    "OBJECTIVE_PROGRESS": _objective_progress,
    "OBJECTIVE_COMPLETED": _objective_completed,
    "OBJECTIVE_BLOCKED": _objective_blocked,
}
"""Reducers that write the byId map, the id lists and the records through the slice's
transients."""


_SNAPSHOT_KEYS = (
    "byId",
    "activeIds",
    "completedIds",
    "failedIds",
    "npcAvailability",
    "npcAvailabilityHistory",
)


class QuestSlice(InPlaceWrites):
    """Quests, objectives and NPC availability (snapshot section ``quests``).

    The ``byId`` map, the status id lists and the quest records with their objectives are
    written in place while nobody has seen them (see ``Transients``), so a quest event costs
    the same with 10 quests as with 10,000 and copies no record made since the last look.
    """

    key = "quest"
    snapshot_key = "quests"
    domain = DOMAIN
    snapshot_schema = QuestSnapshot
    type_reducers: Mapping[str, Reducer]
    """Action type -> reducer, run by :func:`reduce_by_type` (and by the store directly)."""
    stamp_changes = True
    """A change also sets ``lastActionAt`` (``reduce_by_type(..., stamp=True)``)."""

    def __init__(self) -> None:
        self.events: Mapping[str, ActionBuilder] = dict(_EVENTS)
        self.npc_blocks = NpcBlockHolders()
        self.status_members = StatusMembers()
        reducers: dict[str, Reducer] = {
            name: partial(reducer, self) for name, reducer in _SLICE_REDUCERS.items()
        }
        reducers["QUEST_NPC_AVAILABILITY"] = partial(_npc_availability, self)
        self.type_reducers = reducers

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
        return reduce_by_type(self.type_reducers, DOMAIN, state, action, stamp=self.stamp_changes)

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
