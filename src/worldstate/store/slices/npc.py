"""The npc slice: what each NPC knows about the player and how wary it is.

State (snapshot section ``npcs``; hydrating also accepts a section named ``npc``)::

    {byId: {npcId: record}, changeLog: [...], lastUpdatedAt}

Record: ``id, name, factionId, status, knowsPlayer, interactions{interviews, recognitions,
witnessedCrimes}, suspicion{active, reason, updatedAt}, alert{active, reason, updatedAt},
lastInteractionAt, lastDialogueId, lastCrimeWitnessed, history, tags``.  Each NPC keeps its
:data:`HISTORY_LIMIT` newest history entries; the slice keeps :data:`CHANGE_LOG_LIMIT` changes.
An alerted NPC stays ``alerted`` whatever happens next.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Final, TypedDict

from worldstate._js import coalesce2, truthy
from worldstate.store._selectors import create_selector
from worldstate.store._slice import Action, ActionBuilder, State
from worldstate.store._transients import InPlaceWrites

from ._payload import (
    acts_on,
    append_bounded,
    as_mapping,
    copy_json,
    timestamp_of,
    with_logged_record,
)

__all__ = [
    "CHANGE_LOG_LIMIT",
    "HISTORY_LIMIT",
    "NpcRecordSnapshot",
    "NpcSlice",
    "NpcSnapshot",
    "select_npc_summaries",
    "select_root",
]

HISTORY_LIMIT = 10
"""History entries kept per NPC."""

CHANGE_LOG_LIMIT = 50
"""Entries kept in the slice-wide change log."""

DOMAIN = "npc"


class _Flag(TypedDict, total=False):
    active: Any
    reason: Any
    updatedAt: int | float | None


class NpcRecordSnapshot(TypedDict, total=False):
    """An NPC record as found in a snapshot (every key optional)."""

    id: str
    name: str | None
    factionId: str | None
    status: str
    knowsPlayer: Any
    interactions: dict[str, int | float | None]
    suspicion: _Flag | None
    alert: _Flag | None
    lastInteractionAt: int | float | None
    lastDialogueId: Any
    lastCrimeWitnessed: dict[str, Any] | None
    history: list[dict[str, Any]]
    tags: list[Any]


class NpcSnapshot(TypedDict, total=False):
    """The ``npcs`` section of a snapshot."""

    byId: dict[str, NpcRecordSnapshot]
    changeLog: list[dict[str, Any]]
    lastUpdatedAt: int | float | None


# --- event -> action --------------------------------------------------------------------------


def _npc_action(
    action_type: str, fields: Callable[[Mapping[str, Any]], dict[str, Any]], *, alias: bool = False
) -> ActionBuilder:
    """A builder that dispatches nothing when the payload names no NPC."""

    def build(payload: Mapping[str, Any], now: int) -> Action | None:
        npc_id = payload.get("npcId")
        if alias:
            npc_id = coalesce2(npc_id, payload.get("id"))
        if not truthy(npc_id):
            return None
        # Copied: ids and names are normally strings, but state must never alias a caller's
        # container when they are not.
        return Action(action_type, DOMAIN, copy_json({"npcId": npc_id, **fields(payload)}), now)

    return build


_EVENTS: dict[str, ActionBuilder] = {
    "npc:registered": _npc_action(
        "NPC_REGISTERED",
        lambda p: {
            "npcName": coalesce2(p.get("npcName"), p.get("name")),
            "npcFaction": coalesce2(p.get("npcFaction"), p.get("factionId")),
        },
        alias=True,
    ),
    "npc:interviewed": _npc_action(
        "NPC_INTERVIEWED",
        lambda p: {"npcName": p.get("npcName"), "dialogueId": p.get("dialogueId")},
    ),
    "npc:recognized_player": _npc_action(
        "NPC_RECOGNIZED_PLAYER",
        lambda p: {
            "npcName": p.get("npcName"),
            "npcFaction": p.get("npcFaction"),
            "playerKnown": coalesce2(p.get("playerKnown"), True),
        },
    ),
    "npc:witnessed_crime": _npc_action(
        "NPC_WITNESSED_CRIME",
        lambda p: {
            "npcName": p.get("npcName"),
            "crimeType": p.get("crimeType"),
            "severity": p.get("severity"),
        },
    ),
    "npc:became_suspicious": _npc_action(
        "NPC_BECAME_SUSPICIOUS",
        lambda p: {"npcName": p.get("npcName"), "reason": p.get("reason")},
    ),
    "npc:alerted": _npc_action("NPC_ALERTED", lambda p: {"reason": p.get("reason")}),
}


# --- records -----------------------------------------------------------------------------------


# The parts of a record nobody has changed yet: one shared copy for every NPC.  Records are
# never changed in place (reducers copy or replace a part before writing it), so sharing is
# invisible, and a world of mostly untouched NPCs keeps a fraction of the memory (which at
# tens of thousands of NPCs is what each event's cache misses are about).
_NO_INTERACTIONS: Final = {"interviews": 0, "recognitions": 0, "witnessedCrimes": 0}
_FLAG_OFF: Final = {"active": False, "reason": None, "updatedAt": None}
_NO_ENTRIES: Final[list[Any]] = []


def _new_record(npc_id: Any) -> dict[str, Any]:
    return {
        "id": npc_id,
        "name": None,
        "factionId": None,
        "status": "unknown",
        "knowsPlayer": False,
        "interactions": _NO_INTERACTIONS,
        "suspicion": _FLAG_OFF,
        "alert": _FLAG_OFF,
        "lastInteractionAt": None,
        "lastDialogueId": None,
        "lastCrimeWitnessed": None,
        "history": _NO_ENTRIES,
        "tags": _NO_ENTRIES,
    }


def _flag(value: Any) -> dict[str, Any]:
    source = as_mapping(value)
    return {
        "active": truthy(source.get("active")),
        "reason": source.get("reason"),
        "updatedAt": source.get("updatedAt"),
    }


_INTERACTION_KEYS = ("interviews", "recognitions", "witnessedCrimes")
_FLAG_KEYS = ("active", "reason", "updatedAt")


def _normalise_record(record: Mapping[str, Any]) -> dict[str, Any]:
    """A stored record with its nested parts filled in.

    Whatever is already in shape is taken over, not copied: :meth:`NpcSlice.hydrate` is handed
    a section it owns, and state is never changed in place once published.  A record written
    by a store (every part in shape) is taken over whole.
    """
    if type(record) is dict and _in_shape(record):
        return record
    interactions = as_mapping(record.get("interactions"))
    crime = record.get("lastCrimeWitnessed")
    history = record.get("history")
    tags = record.get("tags")
    return {
        **record,
        "interactions": {
            key: coalesce2(interactions.get(key), 0)
            for key in ("interviews", "recognitions", "witnessedCrimes")
        },
        "suspicion": _flag(record.get("suspicion")),
        "alert": _flag(record.get("alert")),
        "lastCrimeWitnessed": crime if truthy(crime) else None,
        "history": history if isinstance(history, list) else [],
        "tags": tags if isinstance(tags, list) else [],
    }


def _in_shape(record: dict[str, Any]) -> bool:
    """Whether :func:`_normalise_record` would give ``record`` back unchanged."""
    interactions = record.get("interactions")
    crime = record.get("lastCrimeWitnessed", 0)
    return (
        type(interactions) is dict
        and tuple(interactions) == _INTERACTION_KEYS
        and None not in interactions.values()
        and _flag_in_shape(record.get("suspicion"))
        and _flag_in_shape(record.get("alert"))
        and (crime is None or type(crime) is dict or truthy(crime))
        and type(record.get("history")) is list
        and type(record.get("tags")) is list
    )


def _flag_in_shape(flag: object) -> bool:
    return type(flag) is dict and tuple(flag) == _FLAG_KEYS and type(flag["active"]) is bool


def _touch(
    record: Mapping[str, Any] | None, npc_id: Any, payload: Mapping[str, Any]
) -> dict[str, Any]:
    """A copy of the NPC's record (created if new) with a newly learnt name and faction."""
    result = dict(record) if record is not None else _new_record(npc_id)
    name, faction = payload.get("npcName"), payload.get("npcFaction")
    if truthy(name) and name != result.get("name"):
        result["name"] = name
    if truthy(faction) and faction != result.get("factionId"):
        result["factionId"] = faction
    return result


def _count(record: dict[str, Any], key: str) -> None:
    interactions = dict(as_mapping(record.get("interactions")))
    interactions[key] = (interactions.get(key) or 0) + 1
    record["interactions"] = interactions


def _history(record: dict[str, Any], entry: dict[str, Any]) -> None:
    record["history"] = append_bounded(record.get("history"), entry, HISTORY_LIMIT)


def _unless_alerted(record: dict[str, Any], status: str) -> None:
    if record.get("status") != "alerted":
        record["status"] = status


# --- reducers (each returns the updated record and its change-log entry) -----------------------


def _registered(record: dict[str, Any], p: dict[str, Any], ts: int) -> dict[str, Any]:
    return {"type": "registered", "npcId": p["npcId"], "timestamp": ts}


def _interviewed(record: dict[str, Any], p: dict[str, Any], ts: int) -> dict[str, Any]:
    _unless_alerted(record, "cooperative")
    record["knowsPlayer"] = True
    _count(record, "interviews")
    record["lastInteractionAt"] = ts
    record["lastDialogueId"] = p.get("dialogueId")
    _history(record, {"type": "interview", "dialogueId": p.get("dialogueId"), "timestamp": ts})
    return {
        "type": "interview",
        "npcId": p["npcId"],
        "dialogueId": p.get("dialogueId"),
        "timestamp": ts,
    }


def _recognized(record: dict[str, Any], p: dict[str, Any], ts: int) -> dict[str, Any]:
    record["knowsPlayer"] = coalesce2(p.get("playerKnown"), True)
    _unless_alerted(record, "aware")
    _count(record, "recognitions")
    record["lastInteractionAt"] = ts
    _history(record, {"type": "recognized_player", "timestamp": ts})
    return {"type": "recognized_player", "npcId": p["npcId"], "timestamp": ts}


def _witnessed(record: dict[str, Any], p: dict[str, Any], ts: int) -> dict[str, Any]:
    crime = coalesce2(p.get("crimeType"), "unknown")
    severity = p.get("severity")
    _count(record, "witnessedCrimes")
    record["lastCrimeWitnessed"] = {"crimeType": crime, "severity": severity, "timestamp": ts}
    _unless_alerted(record, "witness")
    _history(
        record,
        {"type": "witnessed_crime", "crimeType": crime, "severity": severity, "timestamp": ts},
    )
    return {
        "type": "witnessed_crime",
        "npcId": p["npcId"],
        "crimeType": crime,
        "severity": severity,
        "timestamp": ts,
    }


def _suspicious(record: dict[str, Any], p: dict[str, Any], ts: int) -> dict[str, Any]:
    _unless_alerted(record, "suspicious")
    reason = p.get("reason")
    record["suspicion"] = {"active": True, "reason": coalesce2(reason, "unknown"), "updatedAt": ts}
    _history(record, {"type": "became_suspicious", "reason": reason, "timestamp": ts})
    return {"type": "became_suspicious", "npcId": p["npcId"], "timestamp": ts}


def _alerted(record: dict[str, Any], p: dict[str, Any], ts: int) -> dict[str, Any]:
    reason = p.get("reason")
    record["status"] = "alerted"
    record["alert"] = {"active": True, "reason": reason, "updatedAt": ts}
    previous_reason = as_mapping(record.get("suspicion")).get("reason")
    record["suspicion"] = {
        "active": True,
        "reason": coalesce2(previous_reason, reason),
        "updatedAt": ts,
    }
    _history(record, {"type": "alerted", "reason": reason, "timestamp": ts})
    return {"type": "alerted", "npcId": p["npcId"], "reason": reason, "timestamp": ts}


_REDUCERS: dict[str, Callable[[dict[str, Any], dict[str, Any], int], dict[str, Any]]] = {
    "NPC_REGISTERED": _registered,
    "NPC_INTERVIEWED": _interviewed,
    "NPC_RECOGNIZED_PLAYER": _recognized,
    "NPC_WITNESSED_CRIME": _witnessed,
    "NPC_BECAME_SUSPICIOUS": _suspicious,
    "NPC_ALERTED": _alerted,
}


class NpcSlice(InPlaceWrites):
    """NPC awareness, suspicion and alerts (snapshot section ``npcs``)."""

    key = "npc"
    snapshot_key = "npcs"
    domain = DOMAIN
    snapshot_schema = NpcSnapshot

    def __init__(self) -> None:
        self.events: Mapping[str, ActionBuilder] = dict(_EVENTS)

    def initial_state(self) -> State:
        """No NPCs known."""
        return {"byId": {}, "changeLog": [], "lastUpdatedAt": None}

    def reduce(self, state: State, action: Action) -> State:
        """Apply an npc action; actions without an ``npcId`` change nothing."""
        reducer = _REDUCERS.get(action.type) if acts_on(action, DOMAIN) else None
        payload = action.payload
        given = npc_id = payload.get("npcId")
        if action.type == "NPC_REGISTERED":
            npc_id = coalesce2(npc_id, payload.get("id"))
        if reducer is None or not isinstance(npc_id, str) or not npc_id:
            return state
        ts = timestamp_of(action)
        if given is None:  # an NPC_REGISTERED naming it by ``id``
            payload = {**payload, "npcId": npc_id}
        record = _touch(state["byId"].get(npc_id), npc_id, payload)
        log_entry = reducer(record, payload, ts)
        return with_logged_record(
            state, npc_id, record, log_entry, ts, CHANGE_LOG_LIMIT, self.transients
        )

    def serialize(self, state: State) -> dict[str, Any]:
        """The ``npcs`` section: the state itself (records are kept normalised; the store
        copies it).
        """
        return state

    def hydrate(self, data: Any) -> State:
        """State from an ``npcs`` (or legacy ``npc``) section; the change log is trimmed."""
        section = as_mapping(data)
        change_log = section.get("changeLog")
        return {
            "byId": {
                npc_id: _normalise_record(record if type(record) is dict else as_mapping(record))
                for npc_id, record in as_mapping(section.get("byId")).items()
            },
            "changeLog": change_log[-CHANGE_LOG_LIMIT:] if isinstance(change_log, list) else [],
            "lastUpdatedAt": section.get("lastUpdatedAt"),
        }


def select_root(state: Mapping[str, Any], *args: Any) -> State:
    """The npc slice's state."""
    return state["npc"]  # type: ignore[no-any-return]


def _summary(record: Mapping[str, Any]) -> dict[str, Any]:
    interactions = as_mapping(record.get("interactions"))
    return {
        "id": record.get("id"),
        "name": coalesce2(record.get("name"), record.get("id")),
        "status": record.get("status"),
        "factionId": record.get("factionId"),
        "knowsPlayer": truthy(record.get("knowsPlayer")),
        "lastInteractionAt": record.get("lastInteractionAt"),
        "lastDialogueId": record.get("lastDialogueId"),
        "suspicion": _flag(record.get("suspicion")),
        "alert": _flag(record.get("alert")),
        "lastCrimeWitnessed": record.get("lastCrimeWitnessed"),
        "interviews": coalesce2(interactions.get("interviews"), 0),
        "recognitions": coalesce2(interactions.get("recognitions"), 0),
        "witnessedCrimes": coalesce2(interactions.get("witnessedCrimes"), 0),
    }


def _summaries(npc_state: State) -> list[dict[str, Any]]:
    return [_summary(record) for record in npc_state["byId"].values()]


select_npc_summaries = create_selector(select_root, combine=_summaries)
"""One summary per NPC, in the order they were first seen."""
