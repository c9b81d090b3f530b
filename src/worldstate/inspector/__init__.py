"""Inspector telemetry: the summary of a world store and the artifacts exported from it.

Pipeline::

    summary = build_summary(store, recorder=recorder)          # raw, from the store's selectors
    payload = sanitize_summary(summary, now=clock())           # the JSON payload
    artifacts = render_artifacts(payload, prefix="run-7", formats=("json", "csv", "md"))

See ``docs/inspector.md`` for the summary blocks and ``docs/formats.md`` for every artifact.
"""

from __future__ import annotations

from worldstate.inspector._budget import (
    EXCEEDS_BUDGET,
    BudgetEvent,
    BudgetReport,
    BudgetStatus,
    budget_artifacts,
    build_budget_report,
    normalize_budget_events,
    render_budget_markdown,
)
from worldstate.inspector._controls import duration_label
from worldstate.inspector._faction_names import FactionNames, names_seen_in_factions
from worldstate.inspector._formats import (
    CANONICAL_FORMATS,
    DEFAULT_FORMATS,
    FORMAT_ALIASES,
    resolve_formats,
)
from worldstate.inspector._markdown import md_table
from worldstate.inspector._render import DEFAULT_PREFIX, render_artifacts
from worldstate.inspector._sanitize import InspectorPayload, sanitize_summary
from worldstate.inspector._spatial import SPATIAL_HISTORY_BUDGET_BYTES
from worldstate.inspector._summary import (
    ControlBindingsProvider,
    SelectableStore,
    SpatialProvider,
    SummarySection,
    build_summary,
)
from worldstate.inspector._summary_schema import check_summary
from worldstate.inspector._transcript import (
    TUTORIAL_EVENTS,
    TranscriptEntry,
    TutorialTranscriptRecorder,
    build_transcript,
)

__all__ = [
    "EXCEEDS_BUDGET",
    "BudgetStatus",
    "md_table",
    "check_summary",
    # summary
    "build_summary",
    "SummarySection",
    "SelectableStore",
    "SpatialProvider",
    "ControlBindingsProvider",
    # payload and artifacts
    "sanitize_summary",
    "InspectorPayload",
    "FactionNames",
    "names_seen_in_factions",
    "render_artifacts",
    "resolve_formats",
    "CANONICAL_FORMATS",
    "DEFAULT_FORMATS",
    "FORMAT_ALIASES",
    "DEFAULT_PREFIX",
    "SPATIAL_HISTORY_BUDGET_BYTES",
    "duration_label",
    # transcript
    "TutorialTranscriptRecorder",
    "TranscriptEntry",
    "TUTORIAL_EVENTS",
    "build_transcript",
    # budget report
    "BudgetReport",
    "BudgetEvent",
    "build_budget_report",
    "normalize_budget_events",
    "render_budget_markdown",
    "budget_artifacts",
]
