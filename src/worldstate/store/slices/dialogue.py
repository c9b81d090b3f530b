"""The dialogue slice: the conversation on screen and a transcript per NPC.

State (snapshot section ``dialogue``)::

    {active, historyByNpc: {npcId: [entry]}, completedByNpc: {npcId: {lastDialogueId,
     lastNodeId, lastChoiceId, completedAt}}, lastActionAt, historyLimit, transcriptEnabled}

Transcript entries have the keys ``type ('node' | 'choice'), dialogueId, nodeId, choiceId,
choiceText, speaker, text, timestamp``.  Each NPC keeps its ``historyLimit`` newest entries;
nothing is recorded while ``transcriptEnabled`` is false.  Both settings belong to the slice
instance (and a hydrated snapshot may carry its own).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial
from typing import Any, TypedDict

from worldstate._js import coalesce, coalesce2, is_number, truthy
from worldstate.store._selectors import create_selector
from worldstate.store._slice import Action, ActionBuilder, State
from worldstate.store._transients import InPlaceWrites, Transients

from ._payload import Reducer, as_mapping, copy_json, reduce_by_type, simple_action

__all__ = [
    "DialogueSlice",
    "DialogueSnapshot",
    "select_active_dialogue",
    "select_dialogue_transcript",
]

DOMAIN = "dialogue"

_ENTRY_KEYS = (
    "type",
    "dialogueId",
    "nodeId",
    "choiceId",
    "choiceText",
    "speaker",
    "text",
    "timestamp",
)


class DialogueSnapshot(TypedDict, total=False):
    """The ``dialogue`` section of a snapshot."""

    active: dict[str, Any] | None
    historyByNpc: dict[str, list[dict[str, Any]]]
    completedByNpc: dict[str, dict[str, Any]]
    lastActionAt: int | float | None
    historyLimit: int | float
    transcriptEnabled: bool


# --- event -> action --------------------------------------------------------------------------

_NODE_KEYS = (
    "npcId",
    "dialogueId",
    "nodeId",
    "speaker",
    "text",
    "choices",
    "hasChoices",
    "canAdvance",
    "metadata",
)


def _build_choice(payload: Mapping[str, Any], now: int) -> Action:
    choice = as_mapping(payload.get("choice"))
    return Action(
        type="DIALOGUE_CHOICE_MADE",
        domain=DOMAIN,
        payload={
            "npcId": payload.get("npcId"),
            "dialogueId": payload.get("dialogueId"),
            "nodeId": payload.get("nodeId"),
            "choiceId": coalesce(
                payload.get("choiceId"), choice.get("id"), payload.get("choiceIndex")
            ),
            "choiceText": coalesce2(payload.get("choiceText"), choice.get("text")),
        },
    )


_EVENTS: dict[str, ActionBuilder] = {
    "dialogue:started": simple_action("DIALOGUE_STARTED", DOMAIN, (*_NODE_KEYS, "startedAt")),
    "dialogue:node_changed": simple_action("DIALOGUE_NODE_CHANGED", DOMAIN, _NODE_KEYS),
    "dialogue:choice": _build_choice,
    "dialogue:ended": simple_action("DIALOGUE_ENDED", DOMAIN, ("npcId", "dialogueId", "nodeId")),
    "dialogue:completed": simple_action(
        "DIALOGUE_COMPLETED", DOMAIN, ("npcId", "dialogueId", "nodeId", "choiceId")
    ),
}


# --- records -----------------------------------------------------------------------------------


def _own(value: Any) -> Any:
    """``value`` itself when it is a scalar (most are), else :func:`copy_json` of it."""
    if value is None or value.__class__ is str:
        return value
    return copy_json(value)


def _flag(value: Any) -> bool:
    """:func:`truthy`, answering booleans (most flags) first."""
    return value if value.__class__ is bool else truthy(value)


def _choice(choice: Any, index: int, numbered: bool) -> dict[str, Any]:
    """One choice; ``numbered`` gives an id-less one the id ``choice_<index>``."""
    get = as_mapping(choice).get
    choice_id = get("id")
    if choice_id is None and numbered:
        choice_id = f"choice_{index}"
    text = get("text")
    return {
        "id": choice_id,
        "text": "" if text is None else text,
        "nextNode": _own(get("nextNode")),
        "lockedReason": _own(get("lockedReason")),
    }


def _choices(choices: Any, numbered: bool) -> list[dict[str, Any]]:
    """The choices of an active dialogue (see :func:`_choice`)."""
    if not isinstance(choices, list):
        return []
    return [_choice(choice, index, numbered) for index, choice in enumerate(choices)]


def _active(
    source: Mapping[str, Any],
    started_at: Any,
    updated_at: Any,
    *,
    numbered: bool,
    text: Any = None,
    has_choices: Any = None,
) -> dict[str, Any]:
    """An active-dialogue record; ``numbered`` gives id-less choices ``choice_<index>`` ids;
    ``text`` and ``has_choices``, when given, stand in for the source's."""
    get = source.get
    return {
        "npcId": get("npcId"),
        "dialogueId": get("dialogueId"),
        "nodeId": get("nodeId"),
        "speaker": get("speaker"),
        "text": get("text") if text is None else text,
        "canAdvance": _flag(get("canAdvance")),
        "hasChoices": _flag(get("hasChoices") if has_choices is None else has_choices),
        "startedAt": started_at,
        "updatedAt": updated_at,
        "choices": _choices(get("choices"), numbered),
    }


def _active_from_payload(payload: Mapping[str, Any], started_at: Any, now: int) -> dict[str, Any]:
    get = payload.get
    updated_at = get("timestamp")
    if updated_at is None:
        updated_at = now
    choices = get("choices")
    has_choices = _flag(get("hasChoices")) or (isinstance(choices, list) and len(choices) > 0)
    text = get("text")
    return _active(
        payload,
        updated_at if started_at is None else started_at,
        updated_at,
        numbered=True,
        text="" if text is None else text,
        has_choices=has_choices,
    )


def _entry(**fields: Any) -> dict[str, Any]:
    return {key: copy_json(fields.get(key)) for key in _ENTRY_KEYS}


def _node_entry(payload: Mapping[str, Any], now: int) -> dict[str, Any]:
    # Spelt out in _ENTRY_KEYS order rather than through _entry: one per dialogue line.
    get = payload.get
    text = get("text")
    return {
        "type": "node",
        "dialogueId": _own(get("dialogueId")),
        "nodeId": _own(get("nodeId")),
        "choiceId": None,
        "choiceText": None,
        "speaker": _own(get("speaker")),
        "text": "" if text is None else _own(text),
        "timestamp": now,
    }


def _choice_entry(payload: Mapping[str, Any], now: int) -> dict[str, Any]:
    get = payload.get
    choice_text = get("choiceText")
    if choice_text is None:
        choice_text = as_mapping(get("choice")).get("text")
    return {
        "type": "choice",
        "dialogueId": _own(get("dialogueId")),
        "nodeId": _own(get("nodeId")),
        "choiceId": _own(get("choiceId")),
        "choiceText": _own(choice_text),
        "speaker": None,
        "text": None,
        "timestamp": now,
    }


def _with_history(writes: Transients, state: State, npc_id: Any, entry: dict[str, Any]) -> State:
    """``state`` (a new dict) with ``entry`` in the NPC's transcript; the per-NPC map and the
    NPC's list are written in place while nobody has seen them (call it last)."""
    if not truthy(npc_id) or not state["transcriptEnabled"]:
        return state
    limit = int(state["historyLimit"])
    history = writes.writable_dict(state["historyByNpc"])
    entries = history.get(npc_id)
    # A new transcript is a list the transients made, so the next line is appended in place.
    entries = writes.writable_list(entries if isinstance(entries, list) else [])
    entries.append(entry)
    overflow = len(entries) - limit
    if overflow > 0:
        del entries[:overflow]
    history[npc_id] = entries
    state["historyByNpc"] = history
    return state


# --- reducers (return a new state, or ``state`` itself when nothing changed) ---------------------


def _started(slice_: InPlaceWrites, state: State, payload: dict[str, Any], now: int) -> State:
    active = _active_from_payload(payload, payload.get("startedAt"), now)
    entry = _node_entry(payload, now)
    return _with_history(slice_.transients, {**state, "active": active}, active["npcId"], entry)


def _node_changed(slice_: InPlaceWrites, state: State, payload: dict[str, Any], now: int) -> State:
    started_at = coalesce2(as_mapping(state["active"]).get("startedAt"), payload.get("startedAt"))
    active = _active_from_payload(payload, started_at, now)
    entry = _node_entry(payload, now)
    return _with_history(slice_.transients, {**state, "active": active}, active["npcId"], entry)


def _choice_made(slice_: InPlaceWrites, state: State, payload: dict[str, Any], now: int) -> State:
    npc_id = payload.get("npcId")
    if npc_id is None:
        npc_id = as_mapping(state["active"]).get("npcId")
    if not truthy(npc_id):
        return state
    return _with_history(slice_.transients, dict(state), npc_id, _choice_entry(payload, now))


def _ended(state: State, payload: dict[str, Any], now: int) -> State:
    return {**state, "active": None} if state["active"] else state


def _completed(slice_: InPlaceWrites, state: State, payload: dict[str, Any], now: int) -> State:
    active = as_mapping(state["active"])
    npc_id = coalesce2(payload.get("npcId"), active.get("npcId"))
    if not truthy(npc_id):
        return state
    record = {
        "lastDialogueId": coalesce2(payload.get("dialogueId"), active.get("dialogueId")),
        "lastNodeId": coalesce2(payload.get("nodeId"), active.get("nodeId")),
        "lastChoiceId": payload.get("choiceId"),
        "completedAt": now,
    }
    completed = slice_.transients.writable_dict(state["completedByNpc"])
    completed[npc_id] = record
    return {**state, "active": None, "completedByNpc": completed}


_SLICE_REDUCERS: dict[str, Callable[[InPlaceWrites, State, dict[str, Any], int], State]] = {
    "DIALOGUE_STARTED": _started,
    "DIALOGUE_NODE_CHANGED": _node_changed,
    "DIALOGUE_CHOICE_MADE": _choice_made,
    "DIALOGUE_COMPLETED": _completed,
}
"""Reducers that write the per-NPC maps through the slice's transients (bound per slice)."""


def _completed_record(value: Any) -> dict[str, Any]:
    source = as_mapping(value)
    return {
        key: source.get(key)
        for key in ("lastDialogueId", "lastNodeId", "lastChoiceId", "completedAt")
    }


class DialogueSlice(InPlaceWrites):
    """Active dialogue and per-NPC transcripts (snapshot section ``dialogue``).

    The per-NPC maps are written in place while nobody has seen them (see ``Transients``).

    Args:
        history_limit: transcript entries kept per NPC (a positive integer).
        transcript_enabled: record transcript entries at all.

    Raises:
        ValueError: ``history_limit`` is not a positive integer.
    """

    key = "dialogue"
    snapshot_key = "dialogue"
    domain = DOMAIN
    snapshot_schema = DialogueSnapshot
    type_reducers: Mapping[str, Reducer]
    """Action type -> reducer, run by :func:`reduce_by_type` (and by the store directly)."""
    stamp_changes = True
    """A change also sets ``lastActionAt`` (``reduce_by_type(..., stamp=True)``)."""

    def __init__(self, history_limit: int = 10, transcript_enabled: bool = True) -> None:
        if (
            isinstance(history_limit, bool)
            or not isinstance(history_limit, int)
            or history_limit < 1
        ):
            raise ValueError(f"history_limit must be a positive integer, got {history_limit!r}")
        self.history_limit = history_limit
        self.transcript_enabled = bool(transcript_enabled)
        self.events: Mapping[str, ActionBuilder] = dict(_EVENTS)
        reducers: dict[str, Reducer] = {
            name: partial(reducer, self) for name, reducer in _SLICE_REDUCERS.items()
        }
        reducers["DIALOGUE_ENDED"] = _ended
        self.type_reducers = reducers

    def initial_state(self) -> State:
        """No active dialogue, empty transcripts, this slice's limit and transcript setting."""
        return {
            "active": None,
            "historyByNpc": {},
            "completedByNpc": {},
            "lastActionAt": None,
            "historyLimit": self.history_limit,
            "transcriptEnabled": self.transcript_enabled,
        }

    def reduce(self, state: State, action: Action) -> State:
        """Apply a dialogue action (any change also sets ``lastActionAt``)."""
        return reduce_by_type(self.type_reducers, DOMAIN, state, action, stamp=self.stamp_changes)

    def serialize(self, state: State) -> dict[str, Any]:
        """The ``dialogue`` section, sharing the state (NPCs with no entries are left out)."""
        limit = state["historyLimit"]
        return {
            "active": state["active"],
            "historyByNpc": {
                npc_id: entries[-limit:]
                for npc_id, entries in state["historyByNpc"].items()
                if entries
            },
            "completedByNpc": state["completedByNpc"],
            "lastActionAt": state["lastActionAt"],
            "historyLimit": limit,
            "transcriptEnabled": state["transcriptEnabled"],
        }

    def hydrate(self, data: Any) -> State:
        """State from a ``dialogue`` section; its ``historyLimit`` / ``transcriptEnabled`` win."""
        section = as_mapping(data)
        state = self.initial_state()
        if isinstance(section.get("transcriptEnabled"), bool):
            state["transcriptEnabled"] = section["transcriptEnabled"]
        limit = section.get("historyLimit")
        if is_number(limit) and limit >= 1 and limit != float("inf"):
            state["historyLimit"] = int(limit)
        active = section.get("active")
        if truthy(active):
            source = as_mapping(active)
            state["active"] = _active(
                source, source.get("startedAt"), source.get("updatedAt"), numbered=False
            )
        state["historyByNpc"] = {
            npc_id: [_entry(**as_mapping(entry)) for entry in entries]
            for npc_id, entries in as_mapping(section.get("historyByNpc")).items()
            if isinstance(entries, list)
        }
        state["completedByNpc"] = {
            npc_id: _completed_record(record)
            for npc_id, record in as_mapping(section.get("completedByNpc")).items()
        }
        state["lastActionAt"] = section.get("lastActionAt")
        return state


def _dialogue_root(state: Mapping[str, Any], *args: Any) -> State:
    return state["dialogue"]  # type: ignore[no-any-return]


def select_active_dialogue(state: Mapping[str, Any]) -> dict[str, Any] | None:
    """The dialogue on screen, or ``None``."""
    return _dialogue_root(state)["active"]  # type: ignore[no-any-return]


def _history_by_npc(state: Mapping[str, Any], npc_id: str) -> Any:
    return _dialogue_root(state)["historyByNpc"]


def _npc_id_arg(state: Mapping[str, Any], npc_id: str) -> str:
    return npc_id


def _transcript(history_by_npc: Mapping[str, Any], npc_id: str) -> list[Any]:
    return list(history_by_npc.get(npc_id) or [])


select_dialogue_transcript = create_selector(_history_by_npc, _npc_id_arg, combine=_transcript)
"""``select_dialogue_transcript(state, npc_id)``: that NPC's transcript entries, oldest first."""
