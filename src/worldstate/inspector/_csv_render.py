"""CSV artifacts: cascade targets, tutorial snapshots, transcript.

A cell is quoted when it contains ``"``, ``,``, LF or CR; rows end with LF.  The text returned
here has no trailing newline (the artifact adds exactly one).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

from worldstate._js import (
    ABSENT,
    coalesce,
    dumps_compact,
    get,
    is_number,
    iso_from_ms,
    js_string,
    to_number,
    truthy,
)
from worldstate.inspector._faction_names import FactionNames

__all__ = [
    "CASCADE_HEADER",
    "TUTORIAL_HEADER",
    "TRANSCRIPT_HEADER",
    "csv_cell",
    "csv_table",
    "cascade_csv",
    "tutorial_snapshots_csv",
    "transcript_csv",
]

CASCADE_HEADER: Final = (
    "row_type",
    "faction_id",
    "faction_name",
    "cascade_count",
    "last_source_faction_id",
    "last_source_faction_name",
    "new_attitude",
    "occurred_at",
    "occurred_iso",
    "sources",
)
TUTORIAL_HEADER: Final = (
    "event",
    "timestamp",
    "timestamp_iso",
    "step_index",
    "total_steps",
    "step_id",
    "step_title",
    "completed_steps",
    "metadata",
)
TRANSCRIPT_HEADER: Final = (
    "sequence",
    "event",
    "prompt_id",
    "title",
    "action",
    "timestamp",
    "timestamp_iso",
    "follow_up_narrative",
    "metadata",
)


def csv_cell(value: object) -> str:
    """One CSV cell: null/absent empty, JavaScript text otherwise, quoted when needed."""
    if value is None or value is ABSENT:
        return ""
    text = js_string(value)
    if any(char in text for char in '",\n\r'):
        return '"' + text.replace('"', '""') + '"'
    return text


def csv_table(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """Header plus rows, cells joined with ``,``, rows with LF, no trailing newline."""
    lines = [",".join(header)]
    lines.extend(",".join(csv_cell(cell) for cell in row) for row in rows)
    return "\n".join(lines)


def _iso_if_truthy(value: object) -> str:
    return iso_from_ms(to_number(value)) if truthy(value) else ""


_ONLY_STR: Final = frozenset({str})


def _joined(values: object, separator: str = "|") -> str:
    if not isinstance(values, list | tuple):
        return ""
    if _ONLY_STR.issuperset(map(type, values)):  # step ids, tags: nothing to convert
        return separator.join(values)
    return separator.join("" if v is None or v is ABSENT else js_string(v) for v in values)


def _cascade_rows(factions: Mapping[str, Any], names: FactionNames) -> Iterable[list[object]]:
    event = get(factions, "lastCascadeEvent")
    if truthy(event):
        target_id, source_id = get(event, "targetFactionId"), get(event, "sourceFactionId")
        occurred = get(event, "occurredAt")
        yield [
            "last_event",
            coalesce(target_id, ""),
            names.resolve(target_id, get(event, "targetFactionName")),
            "",
            coalesce(source_id, ""),
            names.resolve(source_id, get(event, "sourceFactionName")),
            coalesce(get(event, "newAttitude"), ""),
            coalesce(occurred, ""),
            _iso_if_truthy(occurred),
            "",
        ]
    targets = get(factions, "cascadeTargets")
    ordered = sorted(
        targets if isinstance(targets, list) else [],
        key=lambda target: -_count(get(target, "cascadeCount")),
    )
    for target in ordered:
        if not truthy(get(target, "factionId")):
            continue
        last = coalesce(get(target, "lastCascade"), None)
        source_id, occurred = get(last, "sourceFactionId"), get(last, "occurredAt")
        yield [
            "target",
            get(target, "factionId"),
            names.resolve(get(target, "factionId")),
            coalesce(get(target, "cascadeCount"), 0),
            coalesce(source_id, ""),
            names.resolve(source_id, get(last, "sourceFactionName")),
            coalesce(get(last, "newAttitude"), ""),
            coalesce(occurred, ""),
            _iso_if_truthy(occurred),
            _joined(get(target, "sources")),
        ]


def _count(value: object) -> float:
    number = to_number(coalesce(value, 0))
    return number if number == number else 0.0


def cascade_csv(payload: Mapping[str, Any], names: FactionNames | None = None) -> str:
    """The cascade-targets table: the last cascade event, then targets by cascade count."""
    factions = coalesce(get(payload, "factions"), {})
    return csv_table(CASCADE_HEADER, _cascade_rows(factions, names or FactionNames()))


def _step_title(snapshot: Mapping[str, Any]) -> object:
    # Slice snapshots carry the title on their prompt, not at the top level.
    title = coalesce(get(snapshot, "title"), get(snapshot, "stepTitle"))
    if title is not None and title is not ABSENT:
        return title
    title = get(get(snapshot, "currentPrompt"), "title")
    if title is not None and title is not ABSENT:
        return title
    step_id = get(snapshot, "stepId")
    history = get(snapshot, "promptHistory")
    if step_id is not None and step_id is not ABSENT and isinstance(history, list):
        for prompt in reversed(history):
            if get(prompt, "stepId") == step_id:
                return coalesce(get(prompt, "title"), "")
    return ""


def _snapshot_metadata(snapshot: Mapping[str, Any]) -> str:
    nested = get(snapshot, "metadata")
    return dumps_compact(
        {
            key: coalesce(get(snapshot, key), get(nested, key), None)
            for key in ("promptId", "zoneId", "dismissed")
        }
    )


def _snapshot_row(snapshot: Mapping[str, Any]) -> list[object]:
    timestamp = get(snapshot, "timestamp")
    step_index, total_steps = get(snapshot, "stepIndex"), get(snapshot, "totalSteps")
    return [
        coalesce(get(snapshot, "event"), "unknown"),
        coalesce(timestamp, ""),
        _iso_if_truthy(timestamp),
        step_index if is_number(step_index) else "",
        total_steps if is_number(total_steps) else "",
        coalesce(get(snapshot, "stepId"), ""),
        _step_title(snapshot),
        _joined(get(snapshot, "completedSteps")),
        _snapshot_metadata(snapshot),
    ]


def tutorial_snapshots_csv(payload: Mapping[str, Any]) -> str:
    """The tutorial-snapshots table, one row per snapshot in list order."""
    snapshots = get(get(payload, "tutorial"), "snapshots")
    rows = (
        _snapshot_row(s if isinstance(s, Mapping) else {})
        for s in (snapshots if isinstance(snapshots, list) else [])
        if truthy(s)
    )
    return csv_table(TUTORIAL_HEADER, rows)


def transcript_csv(transcript: Iterable[Mapping[str, Any]]) -> str:
    """The tutorial-transcript table, one row per transcript entry (null metadata stays null)."""
    keys = ("sequence", "event", "promptId", "title", "action", "timestamp", "timestampIso")
    rows = (
        [
            *(coalesce(get(entry, key), "") for key in keys),
            coalesce(get(entry, "followUpNarrative"), ""),
            dumps_compact(coalesce(get(entry, "metadata"), {})),
        ]
        for entry in transcript
    )
    return csv_table(TRANSCRIPT_HEADER, rows)
