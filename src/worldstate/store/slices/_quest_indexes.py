"""Indexes the quest slice keeps over its own state, so that no event scans a whole list or map.

Owns :class:`NpcBlockHolders` (which quests each NPC may have blocked) and
:class:`StatusMembers` (how often each quest id is in each status list), and
:class:`QuestWrites`, what the quest reducers need of the slice: its transients and these
indexes.  Each index describes the container the slice last wrote (held, compared by
identity) and indexes any other one afresh, so a hydrated state, another store's state or a
state passed to ``reduce`` directly is always read correctly.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Protocol

from worldstate.store._transients import Transients

from ._payload import as_mapping

__all__ = ["NpcBlockHolders", "QuestWrites", "StatusMembers"]

_NO_QUESTS: frozenset[str] = frozenset()


class NpcBlockHolders:
    """Which quests may hold objectives blocked by each NPC, so that an NPC becoming available
    again visits those quests only, not every quest of the world.

    It describes one ``byId`` map (held here): the one the quest slice last wrote.  The sets
    may name too many quests (a block lifted by objective progress stays listed) but never too
    few, since only :func:`_npc_availability` makes blocks naming an NPC, and it records them
    here.  Any other map (a hydrated state, another store's state) is indexed afresh by one
    scan; so is a copy made after the state was handed out, which cost a pass over the map
    already.
    """

    __slots__ = ("_by_id", "_holders")

    def __init__(self) -> None:
        self._by_id: Mapping[str, Any] | None = None
        self._holders: dict[str, set[str]] = {}

    def of(self, by_id: Mapping[str, Any], npc_id: str) -> set[str] | frozenset[str]:
        """The quests of ``by_id`` that may hold blocks of ``npc_id`` (do not change the set);
        from now on this index describes ``by_id``."""
        if by_id is not self._by_id:
            self._index(by_id)
        return self._holders.get(npc_id, _NO_QUESTS)

    def _index(self, by_id: Mapping[str, Any]) -> None:
        holders: dict[str, set[str]] = {}
        for quest_id, quest in by_id.items():
            for entry in as_mapping(as_mapping(quest).get("blockedObjectives")).values():
                npc = as_mapping(entry).get("npcId")
                if isinstance(npc, str):  # only a string can equal the id being released
                    holders.setdefault(npc, set()).add(quest_id)
        self._by_id, self._holders = by_id, holders

    def written(
        self, by_id: Mapping[str, Any], npc_id: str, *, released: bool, blocked: Iterable[str]
    ) -> None:
        """The map described was written (in place, or into the copy ``by_id``): the blocks of
        ``npc_id`` were all ``released``, or it now also blocks the quests ``blocked``."""
        self._by_id = by_id
        if released:
            self._holders.pop(npc_id, None)
        else:
            self._holders.setdefault(npc_id, set()).update(blocked)


class StatusMembers:
    """How often each quest id occurs in each status list (``activeIds``, ``completedIds``,
    ``failedIds``) the slice last wrote, so that a status change asks "is it in there?"
    without scanning the lists (taking it out is still one scan, in C, up to where it is).

    :func:`~worldstate.store.slices._quest_records._move_to_status_list` is the one writer of
    those lists; it keeps the counts true for every list it writes.
    """

    __slots__ = ("_counts", "_lists")

    def __init__(self) -> None:
        self._lists: dict[str, list[Any]] = {}
        self._counts: dict[str, dict[Any, int]] = {}

    def counts(self, key: str, ids: list[Any]) -> dict[Any, int] | None:
        """How often each id occurs in ``ids``, the list under ``key`` (change the counts only
        together with the list, then call :meth:`written`); ``None`` when an entry cannot be
        counted (not hashable: only a state passed in by hand holds one)."""
        if self._lists.get(key) is not ids:
            counts: dict[Any, int] = {}
            try:
                for quest_id in ids:
                    counts[quest_id] = counts.get(quest_id, 0) + 1
            except TypeError:
                self._lists.pop(key, None)
                return None
            self._lists[key], self._counts[key] = ids, counts
        return self._counts[key]

    def written(self, key: str, ids: list[Any], counts: dict[Any, int]) -> None:
        """``ids`` (the list counted, changed in place, or its copy) is now described by
        ``counts``."""
        self._lists[key], self._counts[key] = ids, counts


class QuestWrites(Protocol):
    """What the quest reducers need of the quest slice."""

    transients: Transients
    npc_blocks: NpcBlockHolders
    status_members: StatusMembers
