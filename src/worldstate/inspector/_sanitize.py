"""The JSON payload of an inspector export, built from a raw summary.

:func:`sanitize_summary` is pure: it copies what it keeps, so the payload never shares
mutable state with the store the summary came from.  Each block has its own small function;
faction names are resolved and never-set timestamps and null metadata stay ``null``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from worldstate._js import (
    ABSENT,
    coalesce,
    dumps_pretty,
    get,
    is_finite_number,
    to_number,
    truthy,
)
from worldstate.errors import SnapshotError
from worldstate.inspector._controls import sanitize_control_bindings
from worldstate.inspector._faction_names import FactionNames
from worldstate.inspector._spatial import SPATIAL_HISTORY_BUDGET_BYTES, sanitize_spatial
from worldstate.inspector._world import iso_or_none, sanitize_districts, sanitize_npcs

__all__ = ["InspectorPayload", "sanitize_summary", "json_clone", "SEEN_NAMES_KEY"]

SEEN_NAMES_KEY: Final = "factionNames"
"""Key inside a raw summary's ``factions`` block holding ``{id: last name seen}``."""

STANDARD_KEYS: Final = frozenset(
    {
        "generatedAt",
        "source",
        "factions",
        "tutorial",
        "engine",
        "controlBindings",
        "districts",
        "npcs",
    }
)


@dataclass(frozen=True, slots=True)
class InspectorPayload:
    """The sanitised summary of an export: the JSON artifact plus the names its CSVs need.

    Attributes:
        body: exactly the JSON artifact's content, keys in the reference's order;
            treat it as read-only.
        faction_names: the catalog and seen names that fill faction-name columns; they
            are not part of the JSON artifact.
    """

    body: dict[str, Any]
    faction_names: FactionNames = field(default_factory=FactionNames)

    def __post_init__(self) -> None:
        # Every artifact's file name is stamped from it: refuse a body without one up front.
        _generated_at(self.body, None)

    @property
    def generated_at(self) -> float:
        """``generatedAt``: ms since the epoch."""
        value: float = self.body["generatedAt"]
        return value

    @property
    def source(self) -> Any:
        """``source``: where the summary came from (``worldStateStore``, ``unavailable``, ...)."""
        return self.body.get("source")

    @property
    def spatial_hash(self) -> Mapping[str, Any] | None:
        """``engine.spatialHash``, or ``None`` when the summary had no spatial telemetry."""
        spatial = get(get(self.body, "engine"), "spatialHash")
        return spatial if isinstance(spatial, Mapping) else None

    def to_json(self) -> str:
        """The JSON artifact's text (two-space indent, JavaScript number formatting, no final
        newline)."""
        return dumps_pretty(self.body)


def json_clone(value: object) -> Any:
    """A deep copy of a JSON-shaped value (tuples become lists, absent entries are dropped).

    It walks with an explicit stack rather than recursion, so nesting as deep as the JSON
    readers allow never exhausts the interpreter's stack.
    """
    root: list[Any] = [None]
    pending: list[tuple[Any, Any, object]] = [(root, 0, value)]
    while pending:
        parent, key, item = pending.pop()
        flat = _flat_copy(item)
        if flat is not None:
            parent[key] = flat
        elif isinstance(item, Mapping):
            copy: dict[str, Any] = {}
            children = [(copy, str(k), v) for k, v in item.items() if v is not ABSENT]
            for _, name, _ in children:
                copy[name] = None  # keeps the key order; filled when its entry is popped
            pending.extend(reversed(children))  # popped in order, so a later duplicate wins
            parent[key] = copy
        elif isinstance(item, list | tuple):
            items: list[Any] = [None] * len(item)
            pending.extend((items, i, v) for i, v in enumerate(item) if v is not ABSENT)
            parent[key] = items
        else:
            parent[key] = item
    return root[0]


_PLAIN_SCALARS: Final = frozenset({str, int, float, bool, type(None)})
_STRING: Final = frozenset({str})


def _flat_copy(item: object) -> Any:
    """A copy of a dict or list holding plain scalars only (string keys), else ``None``.

    Most of a large summary is such leaves (step lists, timelines): copied in one call, not
    an entry at a time.
    """
    if type(item) is list and _PLAIN_SCALARS.issuperset(map(type, item)):
        return list(item)
    if (
        type(item) is dict
        and _PLAIN_SCALARS.issuperset(map(type, item.values()))
        and _STRING.issuperset(map(type, item))
    ):
        return dict(item)
    return None


def _list(value: object) -> list[Any]:
    return json_clone(value) if isinstance(value, list | tuple) else []


def _read_back(data: Mapping[str, Any]) -> dict[str, Any]:
    """A summary worldstate wrote (its JSON artifact), turned back into what
    ``build_summary`` returns, so that sanitising it again changes nothing: district
    ``stabilityRating``/``stabilityValue`` become ``stability``, the faction names it spells
    out are kept for the name columns, the short control-bindings block stands for none, and
    the spatial block's ``null`` numbers (a raw ``null`` would read as 0) are left out."""
    raw = dict(data)
    controls = raw.get("controlBindings")
    if isinstance(controls, dict) and controls == sanitize_control_bindings(None):
        raw["controlBindings"] = None
    engine = raw.get("engine")
    if isinstance(engine, dict) and isinstance(engine.get("spatialHash"), dict):
        raw["engine"] = {**engine, "spatialHash": _without_nulls(engine["spatialHash"])}
    districts = raw.get("districts")
    if isinstance(districts, dict):
        raw["districts"] = {
            key: [_raw_district(d) for d in value] if isinstance(value, list) else value
            for key, value in districts.items()
        }
    factions = raw.get("factions")
    if isinstance(factions, dict) and SEEN_NAMES_KEY not in factions:
        names = dict(_faction_names(factions, raw.get("npcs")))
        if names:
            raw["factions"] = {**factions, SEEN_NAMES_KEY: names}
    return raw


def _without_nulls(value: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``value`` whose mappings, at any depth, lack their ``null`` entries."""
    copy: dict[str, Any] = json_clone(value)
    pending: list[Any] = [copy]
    while pending:
        node = pending.pop()
        if isinstance(node, dict):
            for key in [k for k, v in node.items() if v is None]:
                del node[key]
            pending.extend(node.values())
        elif isinstance(node, list):
            pending.extend(node)
    return copy


def _raw_district(district: object) -> object:
    if not isinstance(district, dict) or "stability" in district:
        return district
    if "stabilityRating" not in district and "stabilityValue" not in district:
        return district
    stability = {"rating": district.get("stabilityRating"), "value": district.get("stabilityValue")}
    return {**district, "stability": stability}


def _faction_names(factions: dict[str, Any], npcs: object) -> Iterator[tuple[str, str]]:
    """``(id, name)`` pairs the exported faction and NPC blocks spell out."""
    pairs = (("targetFactionId", "targetFactionName"), ("sourceFactionId", "sourceFactionName"))
    records: list[object] = [factions.get("lastCascadeEvent")]
    for target in _list_or_empty(factions.get("cascadeTargets")):
        records.append(target.get("lastCascade") if isinstance(target, dict) else None)
    for record in records:
        if isinstance(record, dict):
            for id_key, name_key in pairs:
                yield from _pair(record, id_key, name_key)
    members = list(_list_or_empty(factions.get("recentMemberRemovals")))
    if isinstance(npcs, dict):
        members += [npc for value in npcs.values() for npc in _list_or_empty(value)]
    for member in members:
        if isinstance(member, dict):
            yield from _pair(member, "factionId", "factionName")


def _pair(record: dict[str, Any], id_key: str, name_key: str) -> Iterator[tuple[str, str]]:
    faction_id, name = record.get(id_key), record.get(name_key)
    if isinstance(faction_id, str) and isinstance(name, str) and name:
        yield faction_id, name


def _list_or_empty(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def _generated_at(summary: Mapping[str, Any], now: int | None) -> float:
    value = coalesce(get(summary, "generatedAt"), now)
    if not is_finite_number(value):
        raise SnapshotError(
            f"generatedAt must be a finite number of ms since the epoch, got {value!r}",
            source="inspector summary",
            path="$.generatedAt",
        )
    return value


def _removal(raw: object, index: int) -> dict[str, Any]:
    removed_at = coalesce(get(raw, "removedAt"), None)
    path = f"$.factions.recentMemberRemovals[{index}].removedAt"
    return {
        "factionId": coalesce(get(raw, "factionId"), None),
        "factionName": coalesce(get(raw, "factionName"), None),
        "npcId": coalesce(get(raw, "npcId"), None),
        "entityId": coalesce(get(raw, "entityId"), None),
        "tag": coalesce(get(raw, "tag"), None),
        "removedAt": json_clone(removed_at),
        "removedIso": iso_or_none(removed_at, path) if truthy(removed_at) else None,
    }


def _factions(raw: object) -> dict[str, Any]:
    targets = _list(get(raw, "cascadeTargets"))
    removals = get(raw, "recentMemberRemovals")
    removals = list(removals) if isinstance(removals, list | tuple) else []
    active = [t for t in targets if to_number(coalesce(get(t, "cascadeCount"), 0)) > 0]
    return {
        "lastCascadeEvent": json_clone(coalesce(get(raw, "lastCascadeEvent"), None)),
        "cascadeTargets": targets,
        "recentMemberRemovals": [_removal(item, i) for i, item in enumerate(removals)],
        "metrics": {
            "cascadeTargetCount": len(targets),
            "activeCascadeTargets": len(active),
            "recentMemberRemovalCount": len(removals),
        },
    }


def _tutorial(raw: object) -> dict[str, Any]:
    snapshots = _list(get(raw, "snapshots"))
    transcript = _list(get(raw, "transcript"))
    return {
        "latestSnapshot": json_clone(coalesce(get(raw, "latestSnapshot"), None)),
        "snapshots": snapshots,
        "transcript": transcript,
        "metrics": {"snapshotCount": len(snapshots), "transcriptCount": len(transcript)},
    }


def _seen_names(summary: Mapping[str, Any]) -> dict[str, str]:
    seen = get(get(summary, "factions"), SEEN_NAMES_KEY)
    if not isinstance(seen, Mapping):
        return {}
    return {k: v for k, v in seen.items() if isinstance(k, str) and isinstance(v, str) and v}


def sanitize_summary(
    summary: Mapping[str, Any] | None,
    *,
    now: int,
    faction_names: Mapping[str, str] | None = None,
    budget_bytes: int = SPATIAL_HISTORY_BUDGET_BYTES,
) -> InspectorPayload:
    """Build the JSON payload of an export from a raw inspector summary.

    The payload's :attr:`~InspectorPayload.body` has the reference's key order
    (``generatedAt, generatedIso, source, factions, tutorial, engine, controlBindings,
    districts, npcs``); any further top-level section of the summary (a game's own
    :class:`~worldstate.inspector._summary.SummarySection`) follows, copied as is.

    Sanitising is idempotent: a summary worldstate wrote (the body of a payload, with its
    ``generatedIso``) is read back first, so ``sanitize_summary(payload.body)`` gives the same
    body again.

    Args:
        summary: a summary from :func:`~worldstate.inspector.build_summary`, one built
            elsewhere, one worldstate wrote, or ``None`` (everything empty, ``source``
            ``unavailable``).
        now: ms since the epoch, used when the summary has no ``generatedAt``.
        faction_names: the game's faction catalog (id -> display name), used by faction-name
            columns after a record's own name and before names seen in the world state.
        budget_bytes: the spatial history's payload budget in bytes.

    Returns:
        The :class:`InspectorPayload` to pass to :func:`~worldstate.inspector.render_artifacts`.

    Raises:
        SnapshotError: ``generatedAt`` (or another timestamp that must be formatted) is not a
            usable time; the message names its JSON path.
    """
    summary = summary if isinstance(summary, Mapping) else {}
    if "generatedIso" in summary:  # one that worldstate wrote
        summary = _read_back(summary)
    generated_at = _generated_at(summary, now)
    names = FactionNames(catalog=dict(faction_names or {}), seen=_seen_names(summary))
    engine = coalesce(get(summary, "engine"), {})
    body: dict[str, Any] = {
        "generatedAt": generated_at,
        "generatedIso": iso_or_none(generated_at, "$.generatedAt"),
        "source": json_clone(coalesce(get(summary, "source"), "unavailable")),
        "factions": _factions(coalesce(get(summary, "factions"), {})),
        "tutorial": _tutorial(coalesce(get(summary, "tutorial"), {})),
        "engine": {"spatialHash": sanitize_spatial(get(engine, "spatialHash"), budget_bytes)},
        "controlBindings": sanitize_control_bindings(get(summary, "controlBindings")),
        "districts": sanitize_districts(get(summary, "districts")),
        "npcs": sanitize_npcs(get(summary, "npcs"), names),
    }
    for key, value in summary.items():
        if key not in STANDARD_KEYS:
            body[key] = json_clone(value)
    return InspectorPayload(body, names)
