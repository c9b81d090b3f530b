"""Turn an export payload into artifacts."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, Final

import msgspec

from worldstate._js import get, timestamp_fragment
from worldstate.artifacts import Artifact
from worldstate.inspector._csv_render import cascade_csv, transcript_csv, tutorial_snapshots_csv
from worldstate.inspector._formats import resolve_formats
from worldstate.inspector._markdown import transcript_markdown
from worldstate.inspector._sanitize import InspectorPayload
from worldstate.names import check_safe_name

__all__ = ["DEFAULT_PREFIX", "render_artifacts"]

DEFAULT_PREFIX: Final = "save-inspector"

_Body = Callable[[InspectorPayload], str]


def _transcript(payload: InspectorPayload) -> list[Mapping[str, Any]]:
    entries = get(get(payload.body, "tutorial"), "transcript")
    return (
        [e if isinstance(e, Mapping) else {} for e in entries] if isinstance(entries, list) else []
    )


class _Spec(msgspec.Struct, frozen=True):
    """One artifact an export can produce."""

    format: str
    type: str
    section: str | None
    name_part: str
    extension: str
    mime_type: str
    body: _Body


# In emission order: the order is part of the format.
_SPECS: Final = (
    _Spec("json", "json", None, "summary", "json", "application/json", InspectorPayload.to_json),
    _Spec(
        "csv",
        "csv",
        "cascade",
        "cascade-targets",
        "csv",
        "text/csv",
        lambda p: cascade_csv(p.body, p.faction_names),
    ),
    _Spec(
        "csv",
        "csv",
        "tutorial",
        "tutorial-snapshots",
        "csv",
        "text/csv",
        lambda p: tutorial_snapshots_csv(p.body),
    ),
    _Spec(
        "transcript-csv",
        "transcript-csv",
        "tutorial-transcript",
        "tutorial-transcript",
        "csv",
        "text/csv",
        lambda p: transcript_csv(_transcript(p)),
    ),
    _Spec(
        "transcript-md",
        "transcript-md",
        "tutorial-transcript",
        "tutorial-transcript",
        "md",
        "text/markdown",
        lambda p: transcript_markdown(_transcript(p)),
    ),
)


def render_artifacts(
    payload: InspectorPayload,
    *,
    prefix: str = DEFAULT_PREFIX,
    formats: Iterable[str] = ("json", "csv"),
) -> list[Artifact]:
    """Render the artifacts of an export, always in the fixed order json, csv, transcripts.

    Args:
        payload: the result of :func:`~worldstate.inspector.sanitize_summary`; its
            ``faction_names`` fill the CSV faction-name columns.
        prefix: start of every file name; must be a safe bare name.
        formats: requested formats or aliases (see :func:`resolve_formats`).

    Returns:
        One :class:`Artifact` per file; each ``content`` ends with exactly one newline.  Every
        name carries the summary's ``generatedAt`` stamp, so each artifact says
        ``replace_different=False``: a writer refuses to overwrite another export's file.

    Raises:
        UnsafeNameError: the prefix could escape the artifact folder.
        ConfigurationError: an unknown format was requested.
    """
    check_safe_name(prefix, what="prefix")
    wanted = resolve_formats(formats)
    stamp = timestamp_fragment(payload.generated_at)
    return [
        Artifact(
            type=spec.type,
            section=spec.section,
            filename=f"{prefix}-{spec.name_part}-{stamp}.{spec.extension}",
            mime_type=spec.mime_type,
            content=spec.body(payload).rstrip("\n") + "\n",
            replace_different=False,  # the stamp names one export; never replace another's
        )
        for spec in _SPECS
        if spec.format in wanted
    ]
