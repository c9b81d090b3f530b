"""The built-in slices and :func:`default_slices`, which assembles them in registry order.

Registry order (the reference's): quest, story, faction, tutorial, dialogue, inventory, npc,
district.  A game adds its own slices after these (see ``docs/store.md``).
"""

from __future__ import annotations

import typing

from worldstate.store.slices._payload import copy_json
from worldstate.store.slices.dialogue import DialogueSlice
from worldstate.store.slices.district import DistrictSlice
from worldstate.store.slices.faction import FactionSlice
from worldstate.store.slices.inventory import InventorySlice
from worldstate.store.slices.npc import NpcSlice
from worldstate.store.slices.quest import QuestSlice
from worldstate.store.slices.story import StorySlice
from worldstate.store.slices.tutorial import TutorialSlice

if typing.TYPE_CHECKING:
    from worldstate.store._catalog import ContentCatalog
    from worldstate.store._slice import Slice

__all__ = [
    "DialogueSlice",
    "DistrictSlice",
    "FactionSlice",
    "InventorySlice",
    "NpcSlice",
    "QuestSlice",
    "StorySlice",
    "TutorialSlice",
    "copy_json",
    "default_slices",
]


def default_slices(
    *,
    catalog: ContentCatalog | None = None,
    tutorial_prompt_history_limit: int = 5,
    tutorial_prompt_snapshot_limit: int = 10,
    dialogue_history_limit: int = 10,
    dialogue_transcript_enabled: bool = True,
) -> list[Slice]:
    """Fresh instances of the eight built-in slices, in registry order.

    Args:
        catalog: game content; its districts seed the district slice.
        tutorial_prompt_history_limit: prompts kept in the tutorial's prompt history.
        tutorial_prompt_snapshot_limit: prompt-history snapshots kept.
        dialogue_history_limit: dialogue transcript entries kept per NPC.
        dialogue_transcript_enabled: whether dialogue lines are recorded at all.

    Raises:
        ValueError: a limit is < 1.
    """
    return [
        QuestSlice(),
        StorySlice(),
        FactionSlice(),
        TutorialSlice(
            prompt_history_limit=tutorial_prompt_history_limit,
            prompt_snapshot_limit=tutorial_prompt_snapshot_limit,
        ),
        DialogueSlice(
            history_limit=dialogue_history_limit, transcript_enabled=dialogue_transcript_enabled
        ),
        InventorySlice(),
        NpcSlice(),
        DistrictSlice(catalog.districts if catalog is not None else ()),
    ]
