"""What changed in the world between two runs of the same playthrough.

Either side is an export folder (its ``*-summary-*.json``), a summary JSON file (an export's
summary artifact, or a raw summary built elsewhere) or a world snapshot.  Each is reduced to
the same :class:`WorldView`: flat ``key -> value`` facts per section (faction attitudes,
faction cascades, tutorial, districts, npcs).  Times of the export itself (``generatedAt``)
are not facts of the world and are left out, so two replays of one log are equal.
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from worldstate._js import ABSENT, dumps_compact, get
from worldstate.errors import InputError
from worldstate.export import SummaryOrigin, load_snapshot_file, summary_from_snapshot
from worldstate.inspector import md_table, sanitize_summary
from worldstate.jsonfile import json_type_name, read_json_file

__all__ = [
    "DIFF_HEADING",
    "SECTIONS",
    "WorldView",
    "Change",
    "WorldDiff",
    "load_world",
    "world_view",
    "diff_worlds",
    "render_diff_markdown",
]

DIFF_HEADING: Final = "## World diff"
SECTIONS: Final = (
    "faction attitudes",
    "faction cascades",
    "tutorial",
    "tutorial transcript",
    "districts",
    "npcs",
)
_SUMMARY_PATTERN: Final = "*-summary-*.json"
_SNAPSHOT_KEYS: Final = frozenset({"storyFlags", "quests", "tutorialComplete", "dialogue"})
_ABSENT_TEXT: Final = "(absent)"
_COLUMNS: Final = ("What", "A", "B")

Facts = dict[str, Any]


@dataclass(frozen=True, slots=True)
class WorldView:
    """The comparable facts of one run, per section (a section a source lacks is missing)."""

    label: str
    kind: str
    sections: Mapping[str, Facts]


@dataclass(frozen=True, slots=True)
class Change:
    """One fact that differs; ``before``/``after`` are :data:`ABSENT` when one side lacks it."""

    section: str
    key: str
    before: Any
    after: Any

    def to_json(self) -> dict[str, Any]:
        """The change as JSON (an absent side is left out)."""
        record = {"section": self.section, "key": self.key, "a": self.before, "b": self.after}
        return {k: v for k, v in record.items() if v is not ABSENT}


@dataclass(frozen=True, slots=True)
class WorldDiff:
    """Every change between two views, and the sections only one side could show."""

    a: WorldView
    b: WorldView
    changes: tuple[Change, ...]
    not_compared: tuple[str, ...]

    @property
    def equal(self) -> bool:
        """Whether no compared fact differs."""
        return not self.changes

    def to_json(self) -> dict[str, Any]:
        """The diff as JSON-shaped builtins."""
        return {
            "a": {"source": self.a.label, "kind": self.a.kind},
            "b": {"source": self.b.label, "kind": self.b.kind},
            "equal": self.equal,
            "changes": [change.to_json() for change in self.changes],
            "notCompared": list(self.not_compared),
        }


# -- loading -----------------------------------------------------------------------------------


def _summary_in_folder(folder: Path) -> Path:
    found = sorted(p for p in folder.iterdir() if fnmatch.fnmatch(p.name, _SUMMARY_PATTERN))
    if len(found) != 1:
        names = ", ".join(p.name for p in found) or "none"
        raise InputError(
            f"an export folder must hold exactly one {_SUMMARY_PATTERN} file (found: {names}); "
            "pass the summary file itself",
            source=str(folder),
        )
    return found[0]


def _is_snapshot(document: Mapping[str, Any]) -> bool:
    return bool(_SNAPSHOT_KEYS & document.keys()) or isinstance(
        get(get(document, "factions"), "byId"), dict
    )


def _is_export_summary(document: Mapping[str, Any]) -> bool:
    return "generatedIso" in document and isinstance(
        get(get(document, "factions"), "metrics"), dict
    )


def load_world(path: Path) -> WorldView:
    """Read an export folder, a summary file or a snapshot into a :class:`WorldView`.

    Raises:
        InputError: unreadable, not JSON, not an object, or a folder without exactly one
            summary (the message names the file).
        SnapshotError: a snapshot that fails validation (names the JSON path).
    """
    if path.is_dir():
        return load_world(_summary_in_folder(path))
    document = read_json_file(path, what="summary or snapshot")
    if not isinstance(document, dict):
        raise InputError(
            f"expected a summary or snapshot object, got {json_type_name(document)}",
            source=str(path),
        )
    label = str(path)
    if _is_snapshot(document):
        snapshot = load_snapshot_file(path)
        raw = summary_from_snapshot(snapshot, origin=SummaryOrigin.SNAPSHOT, now=0).summary
        body = sanitize_summary(raw, now=0).body
        return world_view(body, label=label, kind="snapshot", snapshot=snapshot)
    if _is_export_summary(document):
        return world_view(document, label=label, kind="summary")
    return world_view(sanitize_summary(document, now=0).body, label=label, kind="raw summary")


# -- facts -------------------------------------------------------------------------------------


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def _attitudes(snapshot: Mapping[str, Any]) -> Facts:
    by_id = get(get(snapshot, "factions"), "byId")
    if not isinstance(by_id, dict):
        return {}
    return {str(key): get(record, "attitude") for key, record in by_id.items()}


def _cascades(factions: object) -> Facts:
    facts: Facts = {}
    for target in _list(get(factions, "cascadeTargets")):
        key = str(get(target, "factionId"))
        last = get(target, "lastCascade")
        facts[f"{key}.cascadeCount"] = get(target, "cascadeCount")
        facts[f"{key}.newAttitude"] = get(last, "newAttitude")
        facts[f"{key}.lastSource"] = get(last, "sourceFactionId")
        facts[f"{key}.sources"] = get(target, "sources")
    facts["lastCascadeEvent"] = get(factions, "lastCascadeEvent")
    for index, removal in enumerate(_list(get(factions, "recentMemberRemovals"))):
        facts[f"memberRemoval[{index}]"] = {
            k: get(removal, k) for k in ("factionId", "npcId", "tag", "removedAt")
        }
    return facts


def _tutorial(tutorial: object) -> Facts:
    latest = get(tutorial, "latestSnapshot")
    facts: Facts = {
        "completed": any(
            get(s, "event") == "tutorial_completed" for s in _list(get(tutorial, "snapshots"))
        ),
        "completedSteps": get(latest, "completedSteps"),
    }
    for index, prompt in enumerate(_list(get(latest, "promptHistory"))):
        facts[f"prompt[{index}]"] = {k: get(prompt, k) for k in ("stepId", "title", "startedAt")}
    timeline = get(get(latest, "analytics"), "completedTimeline")
    for step, at in timeline.items() if isinstance(timeline, dict) else ():
        facts[f"completedAt.{step}"] = at
    return facts


def _transcript(tutorial: object) -> Facts:
    return {
        f"[{get(entry, 'sequence')}]": {
            k: get(entry, k) for k in ("event", "promptId", "action", "timestamp")
        }
        for entry in _list(get(tutorial, "transcript"))
    }


def _records(records: Iterable[object], prefix: str, fields: Iterable[str]) -> Facts:
    fields = tuple(fields)
    return {
        f"{prefix}{get(record, 'id')}.{field}": get(record, field)
        for record in records
        for field in fields
    }


_DISTRICT_FIELDS: Final = (
    "controllingFaction",
    "stabilityRating",
    "stabilityValue",
    "fastTravelEnabled",
    "activeRestrictionCount",
    "infiltrationLocked",
    "infiltrationUnlocked",
    "lockdownsTriggered",
    "restrictions",
)


def _districts(districts: object) -> Facts:
    facts = _metrics(districts)
    restricted = _list(get(districts, "restrictedDistricts"))
    facts.update(_records(restricted, "", _DISTRICT_FIELDS))
    for key in [k for k in facts if k.endswith(".restrictions")]:
        facts[key] = [get(r, "id") for r in _list(facts[key])]
    return facts


def _npcs(npcs: object) -> Facts:
    facts = _metrics(npcs)
    fields = ("status", "reason", "factionId")
    facts.update(_records(_list(get(npcs, "alerts")), "alert:", fields))
    facts.update(_records(_list(get(npcs, "suspicious")), "", fields))
    return facts


def _metrics(block: object) -> Facts:
    metrics = get(block, "metrics")
    return {f"metrics.{k}": v for k, v in metrics.items()} if isinstance(metrics, dict) else {}


def world_view(
    body: Mapping[str, Any],
    *,
    label: str,
    kind: str,
    snapshot: Mapping[str, Any] | None = None,
) -> WorldView:
    """The facts of an export summary body.

    With the ``snapshot`` it was built from, faction attitudes are facts too, and the tutorial
    transcript is not (a snapshot does not record it).
    """
    sections: dict[str, Facts] = {
        "faction cascades": _cascades(get(body, "factions")),
        "tutorial": _tutorial(get(body, "tutorial")),
        "tutorial transcript": _transcript(get(body, "tutorial")),
        "districts": _districts(get(body, "districts")),
        "npcs": _npcs(get(body, "npcs")),
    }
    if snapshot is not None:
        del sections["tutorial transcript"]
        sections = {"faction attitudes": _attitudes(snapshot), **sections}
    return WorldView(label, kind, sections)


# -- comparing ---------------------------------------------------------------------------------


def _section_changes(section: str, a: Facts, b: Facts) -> list[Change]:
    keys = list(dict.fromkeys([*a, *b]))
    return [
        Change(section, key, a.get(key, ABSENT), b.get(key, ABSENT))
        for key in keys
        if a.get(key, ABSENT) != b.get(key, ABSENT)
    ]


def diff_worlds(a: WorldView, b: WorldView) -> WorldDiff:
    """Every fact that differs between ``a`` and ``b``, section by section."""
    changes: list[Change] = []
    not_compared: list[str] = []
    for section in SECTIONS:
        if section in a.sections and section in b.sections:
            changes += _section_changes(section, a.sections[section], b.sections[section])
        elif section in a.sections or section in b.sections:
            not_compared.append(section)
    return WorldDiff(a, b, tuple(changes), tuple(not_compared))


def _shown(value: object) -> str:
    if value is ABSENT:
        return _ABSENT_TEXT
    return value if isinstance(value, str) else dumps_compact(value)


def render_diff_markdown(diff: WorldDiff, *, cwd: str | None = None) -> str:
    """A short Markdown report: one table per section with changes (no trailing newline)."""

    def name(view: WorldView) -> str:
        inside = cwd is not None and Path(view.label).is_relative_to(cwd)
        shown = os.path.relpath(view.label, cwd) if inside else view.label
        return f"`{shown}` ({view.kind})"

    lines = [DIFF_HEADING, "", f"- A: {name(diff.a)}", f"- B: {name(diff.b)}"]
    if diff.not_compared:
        lines.append(f"- Not compared (only one side has them): {', '.join(diff.not_compared)}")
    lines.append("")
    if diff.equal:
        lines.append("No differences in the world.")
        return "\n".join(lines)
    lines.append(f"{len(diff.changes)} difference(s).")
    for section in SECTIONS:
        rows = [
            [c.key, _shown(c.before), _shown(c.after)] for c in diff.changes if c.section == section
        ]
        if rows:
            lines += ["", f"### {section.capitalize()}", "", *md_table(_COLUMNS, rows)]
    return "\n".join(lines)
