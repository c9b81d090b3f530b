"""Id fields of bus payloads: used as they are, coerced, or the event skipped — never half-applied.

A slice files records under ids taken from the payload (``byId[questId]``).  :data:`ID_FIELDS`
names, for every event of every built-in slice, the payload fields that identify what the
event acts on, and :func:`check_ids` checks them before any reducer runs:

* a string, ``null`` or a missing key is used as it is;
* a finite number, where the id is only ever an object key (story ``flagId``, faction
  ``factionId``, tutorial ``stepId``, dialogue ``npcId``), is coerced to its JavaScript
  ``String()`` text (``5`` -> ``"5"``), as the reference's object keys are — the event is
  counted as *coerced*;
* anything else — a boolean, a list, an object, and a number where the id is also kept as a
  value (quests, objectives, inventory items and slots, NPCs, districts, restrictions,
  routes: the record's ``id``, ``activeIds``) — is no id at all: the event is *skipped*
  before any reducer runs, counted, and a warning logged.

:class:`PayloadReport` holds the counts per event name; a replay under ``--strict`` turns any
of them into an error naming the line.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, NamedTuple

import msgspec

from worldstate._js import is_finite_number, number_text

__all__ = ["ID_FIELDS", "IdField", "PayloadReport", "PayloadTally", "check_ids"]

logger = logging.getLogger("worldstate.store")


class IdField(NamedTuple):
    """One id of a payload.

    Attributes:
        names: the payload keys holding it; the first one present (not ``null``) is the id
            (``npcId ?? id``).
        numbers: whether a finite number is coerced to its ``String()`` text (the id is only
            an object key); otherwise a number skips the event like any other non-string.
    """

    names: tuple[str, ...]
    numbers: bool


def _key(*names: str) -> IdField:
    """An id used only as an object key: numbers are coerced."""
    return IdField(names, numbers=True)


def _strict(*names: str) -> IdField:
    """An id that is also stored as a value: it must be a string."""
    return IdField(names, numbers=False)


_QUEST, _OBJECTIVE = _strict("questId"), _strict("objectiveId")
_DISTRICT = _strict("districtId")

ID_FIELDS: Mapping[str, tuple[IdField, ...]] = MappingProxyType(
    {
        **dict.fromkeys(
            ("quest:registered", "quest:started", "quest:completed", "quest:failed"), (_QUEST,)
        ),
        **dict.fromkeys(
            ("objective:progress", "objective:completed", "objective:blocked"),
            (_QUEST, _OBJECTIVE),
        ),
        "quest:npc_availability": (_strict("npcId"),),
        **dict.fromkeys(("story:flag:changed", "story:flag:removed"), (_key("flagId"),)),
        **dict.fromkeys(("reputation:changed", "faction:attitude_changed"), (_key("factionId"),)),
        **dict.fromkeys(
            (
                "tutorial:step_started",
                "tutorial:control_hint_updated",
                "tutorial:step_completed",
                "tutorial:skipped",
            ),
            (_key("stepId"),),
        ),
        **dict.fromkeys(
            (
                "dialogue:started",
                "dialogue:node_changed",
                "dialogue:choice",
                "dialogue:ended",
                "dialogue:completed",
            ),
            (_key("npcId"),),
        ),
        **dict.fromkeys(
            ("inventory:item_added", "inventory:item_updated", "inventory:item_removed"),
            (_strict("id"),),
        ),
        "inventory:equipped": (_strict("slot"), _strict("itemId")),
        "npc:registered": (_strict("npcId", "id"),),
        **dict.fromkeys(
            (
                "npc:interviewed",
                "npc:recognized_player",
                "npc:witnessed_crime",
                "npc:became_suspicious",
                "npc:alerted",
            ),
            (_strict("npcId"),),
        ),
        "district:registered": (_strict("districtId", "id"),),
        **dict.fromkeys(
            (
                "district:control_changed",
                "district:stability_set",
                "district:stability_adjusted",
                "district:fast_travel_set",
            ),
            (_DISTRICT,),
        ),
        "district:restriction_set": (_DISTRICT, _strict("restrictionId", "id")),
        "district:route_unlocked": (_DISTRICT, _strict("routeId", "id")),
    }
)
"""The id fields of every event of the built-in slices.  Events not listed carry none
(``faction:reputation_reset``, ``faction:member_removed``, whose ids are only recorded,
``tutorial:started``, ``tutorial:completed``, ``inventory:cleared``) or read a non-string id
as none, as the reference does (``inventory:selection_changed``: no selection)."""


class PayloadReport(msgspec.Struct, frozen=True):
    """Events whose id fields were coerced or which were skipped, per event name."""

    coerced: dict[str, int] = {}
    skipped: dict[str, int] = {}
    last_problem: str | None = None


class PayloadTally:
    """The counts a store keeps while it runs (read them with :meth:`report`)."""

    __slots__ = ("changes", "coerced", "last_problem", "skipped")

    def __init__(self) -> None:
        self.coerced: Counter[str] = Counter()
        self.skipped: Counter[str] = Counter()
        self.changes = 0
        self.last_problem: str | None = None

    def report(self) -> PayloadReport:
        """A copy of the counts so far."""
        return PayloadReport(dict(self.coerced), dict(self.skipped), self.last_problem)


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, Mapping):
        return "an object"
    if is_finite_number(value):
        return f"the number {number_text(value)}"
    return f"{value!r}"


def check_ids(
    event: str, payload: Mapping[str, Any], fields: tuple[IdField, ...], tally: PayloadTally
) -> Mapping[str, Any] | None:
    """``payload`` itself, a copy with numeric ids coerced, or ``None`` to skip the event."""
    get = payload.get
    for names, _numbers in fields:
        value = get(names[0])
        # Every replayed event passes here: string ids (the rule) cost one lookup each.
        if value.__class__ is not str and (value is not None or len(names) > 1):
            return _check_each(event, payload, fields, tally)
    return payload


def _check_each(
    event: str, payload: Mapping[str, Any], fields: tuple[IdField, ...], tally: PayloadTally
) -> Mapping[str, Any] | None:
    coerced: dict[str, Any] | None = None
    for names, numbers in fields:
        name, value = _first_present(payload, names)
        if value is None or value.__class__ is str:
            continue
        if numbers and is_finite_number(value):
            coerced = dict(payload) if coerced is None else coerced
            coerced[name] = number_text(value)
            continue
        wanted = "a string or a number" if numbers else "a string"
        _skip(event, tally, f"{event}: {name} must be {wanted}, got {_kind(value)}")
        return None
    if coerced is None:
        return payload
    tally.coerced[event] += 1
    tally.changes += 1
    tally.last_problem = f"{event}: a numeric id was coerced to a string"
    return coerced


def _first_present(payload: Mapping[str, Any], names: tuple[str, ...]) -> tuple[str, Any]:
    for name in names:
        value = payload.get(name)
        if value is not None:
            return name, value
    return names[0], None


def _skip(event: str, tally: PayloadTally, problem: str) -> None:
    tally.skipped[event] += 1
    tally.changes += 1
    tally.last_problem = problem
    logger.warning("skipped %s", problem)
