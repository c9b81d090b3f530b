"""Indexes the quest slice keeps over its own state, so that no event scans a whole list or map.

Owns :class:`NpcBlockHolders` (which quests each NPC may have blocked) and
:class:`StatusMembers` (how often, and about where, each quest id is in each status list), and
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

__all__ = ["NpcBlockHolders", "QuestWrites", "StatusList", "StatusMembers"]

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
        self,
        before: Mapping[str, Any],
        after: Mapping[str, Any],
        npc_id: str,
        *,
        released: bool,
        blocked: Iterable[str],
    ) -> None:
        """``before`` was written (in place, or into its copy ``after``): the blocks of
        ``npc_id`` were all ``released``, or it now also blocks the quests ``blocked``."""
        if before is not self._by_id:
            self._index(before)
        self._by_id = after
        if released:
            self._holders.pop(npc_id, None)
        else:
            self._holders.setdefault(npc_id, set()).update(blocked)


class StatusMembers:
    """Each status list (``activeIds``, ``completedIds``, ``failedIds``) the slice last wrote,
    with how often each quest id is in it and about where, so that a status change neither
    scans the lists to learn whether the quest is in one nor to find it there.

    :func:`~worldstate.store.slices._quest_records._move_to_status_list` is the one writer of
    those lists; it writes them through :class:`StatusList`.
    """

    __slots__ = ("_lists",)

    def __init__(self) -> None:
        self._lists: dict[str, StatusList] = {}

    def of(self, key: str, ids: list[Any]) -> StatusList | None:
        """``ids``, the list under ``key``, indexed (afresh when it is not the one last
        written); ``None`` when an entry cannot be indexed (not hashable: only a state passed
        in by hand holds one)."""
        listed = self._lists.get(key)
        if listed is None or listed.ids is not ids:
            try:
                listed = StatusList(ids)
            except TypeError:
                self._lists.pop(key, None)
                return None
            self._lists[key] = listed
        return listed


class StatusList:
    """One status list, how often each id occurs in it, and where each id was put.

    An id put at index ``i`` when ``r`` ids had been taken out of the list is now at an index
    between ``i - (taken out since)`` and ``i``: a removal before it moves it one place down,
    an append after it does not move it.  Taking it out therefore searches that window only.
    """

    __slots__ = ("_places", "_taken_out", "counts", "ids")

    def __init__(self, ids: list[Any]) -> None:
        self.ids = ids
        self.counts: dict[Any, int] = {}
        self._places: dict[Any, tuple[int, int]] = {}
        self._taken_out = 0
        counts, places = self.counts, self._places
        for index, quest_id in enumerate(ids):
            counts[quest_id] = counts.get(quest_id, 0) + 1
            places.setdefault(quest_id, (index, 0))

    def take_out(self, quest_id: Any) -> None:
        """Remove every occurrence of ``quest_id`` from :attr:`ids`."""
        ids = self.ids
        found = self.counts.pop(quest_id, 0)
        place = self._places.pop(quest_id, None)
        if found == 1 and place is not None:
            put_at, taken_out_then = place
            lowest = max(0, put_at - (self._taken_out - taken_out_then))
            del ids[ids.index(quest_id, lowest, put_at + 1)]
        else:  # listed twice (a hand-made snapshot): plain removals
            for _ in range(found):
                ids.remove(quest_id)
        self._taken_out += found

    def put_last(self, quest_id: Any) -> None:
        """Append ``quest_id`` to :attr:`ids` (which must not hold it)."""
        self._places[quest_id] = (len(self.ids), self._taken_out)
        self.ids.append(quest_id)
        self.counts[quest_id] = 1


class QuestWrites(Protocol):
    """What the quest reducers need of the quest slice."""

    transients: Transients
    npc_blocks: NpcBlockHolders
    status_members: StatusMembers
