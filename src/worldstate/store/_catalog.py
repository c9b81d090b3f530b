"""The game content a store is given instead of having it built in (districts, faction names)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any

import msgspec

from worldstate.store.slices import copy_json

__all__ = ["ContentCatalog"]


class ContentCatalog(msgspec.Struct, frozen=True):
    """Faction names and district definitions a game passes to its store.

    Both are copied on construction, so the catalog never changes behind the store's back.

    Args:
        factions: faction id -> display name (used to name factions in inspector exports).
        districts: district definitions, each shaped like a ``district:registered`` event's
            ``definition`` (an ``id`` plus whatever the district slice reads).

    Raises:
        TypeError: a faction name or id is not a string, or a district is not a mapping.
    """

    factions: Mapping[str, str] = msgspec.field(default_factory=dict)
    districts: Sequence[Mapping[str, Any]] = ()

    def __post_init__(self) -> None:
        factions = dict(self.factions)
        for key, name in factions.items():
            if not isinstance(key, str) or not isinstance(name, str):
                raise TypeError(f"faction names must map str -> str, got {key!r}: {name!r}")
        districts = []
        for district in self.districts:
            if not isinstance(district, Mapping):
                raise TypeError(f"a district definition must be a mapping, got {district!r}")
            districts.append(MappingProxyType(copy_json(dict(district))))
        msgspec.structs.force_setattr(self, "factions", MappingProxyType(factions))
        msgspec.structs.force_setattr(self, "districts", tuple(districts))

    def faction_name(self, faction_id: str) -> str | None:
        """The display name of ``faction_id``, or ``None`` when the catalog does not know it."""
        return self.factions.get(faction_id)
