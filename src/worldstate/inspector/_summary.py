"""The raw inspector summary of a world store.

:func:`build_summary` asks one small provider per block and assembles their answers in the
reference's key order: ``generatedAt, source, factions, tutorial, engine, controlBindings,
districts, npcs``, then any :class:`SummarySection` the game adds.

Store blocks read the store through its selectors only.  Callables supplied by the game
(spatial metrics, control bindings, extra sections) are isolated: when one raises, the error
is logged once and the block says so (``source: "error"`` with the error's message), so a
broken probe never costs the whole export and never looks like "no provider".  Errors in the
store's own selectors are bugs and propagate.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol, runtime_checkable

from worldstate.clock import Clock, system_clock
from worldstate.inspector._blocks import (
    district_block,
    empty_district_block,
    empty_npc_block,
    npc_block,
)
from worldstate.inspector._controls import empty_control_bindings
from worldstate.inspector._faction_names import names_seen_in_factions
from worldstate.inspector._sanitize import SEEN_NAMES_KEY, json_clone
from worldstate.inspector._transcript import TutorialTranscriptRecorder, build_transcript
from worldstate.store import create_selector
from worldstate.store.slices import district, faction, npc, tutorial

__all__ = [
    "SummarySection",
    "SelectableStore",
    "SpatialProvider",
    "ControlBindingsProvider",
    "build_summary",
    "factions_block",
    "tutorial_block",
    "spatial_block",
    "control_bindings_block",
    "districts_block",
    "npcs_block",
]

logger = logging.getLogger(__name__)

SpatialProvider = Callable[[], object]
"""Returns the spatial-hash metrics snapshot (a mapping), or anything else for "none"."""

ControlBindingsProvider = Callable[[], object]
"""Returns the control-bindings observation summary (a mapping), or a falsy value."""


class SelectableStore(Protocol):
    """What the summary needs from a store: selectors and a clock."""

    @property
    def clock(self) -> Clock: ...

    def select(self, selector: Callable[..., Any], *args: Any) -> Any: ...


@runtime_checkable
class SummarySection(Protocol):
    """A game's own summary block, appended after ``npcs`` and exported as is.

    Attributes:
        key: the top-level key of the block (must not be one of the standard keys).
    """

    key: str

    def build(self, store: SelectableStore) -> Any:
        """Return the block's JSON-shaped value."""
        ...


select_faction_names_seen = create_selector(faction.select_slice, combine=names_seen_in_factions)
"""``{faction id: newest name seen}`` from the faction slice."""


def factions_block(store: SelectableStore) -> dict[str, Any]:
    """Cascade summary, recent member removals and the faction names seen (for name columns)."""
    cascade = store.select(faction.select_cascade_summary)
    return {
        "lastCascadeEvent": cascade.get("lastCascadeEvent"),
        "cascadeTargets": cascade.get("cascadeTargets", []),
        "recentMemberRemovals": store.select(faction.select_recent_member_removals),
        SEEN_NAMES_KEY: dict(store.select(select_faction_names_seen)),
    }


def tutorial_block(
    store: SelectableStore, recorder: TutorialTranscriptRecorder | None
) -> dict[str, Any]:
    """Latest prompt snapshot, all snapshots, and the recorder's transcript (if any)."""
    return {
        "latestSnapshot": store.select(tutorial.select_latest_prompt_snapshot),
        "snapshots": store.select(tutorial.select_prompt_history_snapshots),
        "transcript": build_transcript(recorder.transcript()) if recorder is not None else [],
    }


def spatial_block(provider: SpatialProvider | None) -> Any:
    """The provider's snapshot if it is a mapping, else ``None``.

    A provider that raises gives ``{"source": "error", "errorMessage": "<Type>: <message>"}``
    (logged once with its traceback), so the export shows the probe broke; its budget status
    is then ``unknown``.
    """
    if provider is None:
        return None
    try:
        snapshot = provider()
    except Exception as exc:
        logger.exception("spatial metrics provider failed; exporting its error")
        return provider_error(exc)
    return json_clone(snapshot) if isinstance(snapshot, Mapping) else None


def provider_error(exc: BaseException) -> dict[str, Any]:
    """The block of a game-supplied provider that raised: ``source: "error"`` and the message."""
    return {"source": "error", "errorMessage": f"{type(exc).__name__}: {exc}"}


def control_bindings_block(provider: ControlBindingsProvider | None) -> dict[str, Any]:
    """The control-bindings observation, tagged with where it came from.

    ``unavailable`` without a provider, ``empty`` when it returns nothing, ``error`` when it
    raises; otherwise the provider's data with ``source`` ``observation-log``, normalised later
    by the sanitiser (the only normaliser, so lists are never truncated).
    """
    if provider is None:
        return empty_control_bindings("unavailable")
    try:
        observed = provider()
    except Exception as exc:
        logger.exception("control bindings provider failed; exporting its error")
        return {
            **empty_control_bindings("error"),
            "errorMessage": provider_error(exc)["errorMessage"],
        }
    if not isinstance(observed, Mapping) or not observed:
        return empty_control_bindings("empty")
    return {**json_clone(observed), "source": "observation-log"}


def districts_block(store: SelectableStore) -> dict[str, Any]:
    """Restricted districts and district metrics."""
    return district_block(
        store.select(district.select_root), store.select(district.select_all_districts)
    )


def npcs_block(store: SelectableStore) -> dict[str, Any]:
    """NPCs on alert or under suspicion, and NPC metrics."""
    return npc_block(store.select(npc.select_root), store.select(npc.select_npc_summaries))


def _unavailable(generated_at: int, control_bindings: dict[str, Any]) -> dict[str, Any]:
    return {
        "generatedAt": generated_at,
        "source": "unavailable",
        "factions": {"lastCascadeEvent": None, "cascadeTargets": [], "recentMemberRemovals": []},
        "tutorial": {"latestSnapshot": None, "snapshots": [], "transcript": []},
        "engine": {"spatialHash": None},
        "controlBindings": control_bindings,
        "districts": empty_district_block(),
        "npcs": empty_npc_block(),
    }


def _section(section: SummarySection, store: SelectableStore) -> Any:
    try:
        return json_clone(section.build(store))
    except Exception:
        logger.exception("summary section %r failed; exporting null", section.key)
        return None


def build_summary(
    store: SelectableStore | None,
    *,
    recorder: TutorialTranscriptRecorder | None = None,
    spatial_provider: SpatialProvider | None = None,
    control_bindings_provider: ControlBindingsProvider | None = None,
    sections: Sequence[SummarySection] = (),
    clock: Clock | None = None,
) -> dict[str, Any]:
    """Build the raw inspector summary of a store.

    Args:
        store: the world store (``None`` gives the ``unavailable`` summary).
        recorder: the tutorial transcript recorder, if the game runs one.
        spatial_provider: returns the spatial-hash metrics snapshot.
        control_bindings_provider: returns the control-bindings observation summary.
        sections: the game's own blocks, appended after ``npcs`` in this order.
        clock: "now" for ``generatedAt``; defaults to the store's clock.

    Returns:
        A JSON-shaped dict; pass it to :func:`~worldstate.inspector.sanitize_summary`.

    Raises:
        ValueError: a section's key is empty or collides with a standard key.
    """
    now = (clock or (store.clock if store is not None else system_clock))()
    controls = control_bindings_block(control_bindings_provider)
    if store is None:
        summary = _unavailable(now, controls)
    else:
        summary = {
            "generatedAt": now,
            "source": "worldStateStore",
            "factions": factions_block(store),
            "tutorial": tutorial_block(store, recorder),
            "engine": {"spatialHash": spatial_block(spatial_provider)},
            "controlBindings": controls,
            "districts": districts_block(store),
            "npcs": npcs_block(store),
        }
    for section in sections:
        if not section.key or section.key in summary:
            raise ValueError(f"summary section key {section.key!r} is empty or already used")
        summary[section.key] = _section(section, store) if store is not None else None
    return summary
