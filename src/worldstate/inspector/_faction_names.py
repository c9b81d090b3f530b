"""Faction display names for the artifacts' name columns.

A faction-name cell shows, in this order: the name carried by the record itself, the name in
the game's faction catalog, the last name the world state has seen for that id, and finally
the id.  :class:`FactionNames` holds the catalog and the seen names; the summary builder
collects the seen names with :func:`names_seen_in_factions`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import msgspec

from worldstate._js import get, is_finite_number, js_string, truthy

__all__ = ["FactionNames", "names_seen_in_factions"]


class FactionNames(msgspec.Struct, frozen=True):
    """Resolves faction ids to display names.

    Attributes:
        catalog: names the game configured (win over ``seen``).
        seen: the last name the world state carried for each id.
    """

    catalog: Mapping[str, str] = msgspec.field(default_factory=dict)
    seen: Mapping[str, str] = msgspec.field(default_factory=dict)

    def resolve(self, faction_id: object, own_name: object = None) -> str:
        """The display name for ``faction_id``; ``''`` when there is neither a name nor an id."""
        if truthy(own_name):
            return js_string(own_name)
        if not truthy(faction_id):
            return ""
        key = js_string(faction_id)
        return self.catalog.get(key) or self.seen.get(key) or key


def _sightings(factions_state: Mapping[str, Any]) -> Iterable[tuple[object, object, object]]:
    """Every ``(id, name, when)`` the faction slice carries."""
    by_id = get(factions_state, "byId")
    records = by_id.values() if isinstance(by_id, Mapping) else ()
    for record in records:
        own = get(record, "name")
        if own is None:
            own = get(record, "factionName")
        yield get(record, "id"), own, get(record, "updatedAt")
        history = get(record, "attitudeHistory")
        changes = [
            *(history if isinstance(history, list) else ()),
            get(record, "lastAttitudeChange"),
        ]
        for change in changes:
            when = get(change, "occurredAt")
            yield get(change, "factionId"), get(change, "factionName"), when
            yield get(change, "sourceFactionId"), get(change, "sourceFactionName"), when
        cascade = get(record, "lastCascade")
        yield (
            get(cascade, "sourceFactionId"),
            get(cascade, "sourceFactionName"),
            get(cascade, "occurredAt"),
        )
    event = get(factions_state, "lastCascadeEvent")
    when = get(event, "occurredAt")
    yield get(event, "targetFactionId"), get(event, "targetFactionName"), when
    yield get(event, "sourceFactionId"), get(event, "sourceFactionName"), when
    removals = get(factions_state, "recentMemberRemovals")
    for removal in removals if isinstance(removals, list) else ():
        yield get(removal, "factionId"), get(removal, "factionName"), get(removal, "removedAt")


def names_seen_in_factions(factions_state: Mapping[str, Any]) -> dict[str, str]:
    """The newest name seen for each faction id in a faction slice state.

    Looks at attitude changes (target and source), cascades, the last cascade event, member
    removals and any name a record carries itself.  "Newest" is by the sighting's timestamp;
    sightings without one count as oldest, ties keep the later sighting.
    """
    best: dict[str, tuple[float, str]] = {}
    for faction_id, name, when in _sightings(factions_state):
        if not (isinstance(faction_id, str) and faction_id and isinstance(name, str) and name):
            continue
        stamp = float(when) if is_finite_number(when) else float("-inf")
        current = best.get(faction_id)
        if current is None or stamp >= current[0]:
            best[faction_id] = (stamp, name)
    return {faction_id: name for faction_id, (_, name) in best.items()}
