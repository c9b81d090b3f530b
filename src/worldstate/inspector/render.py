"""Turn an export payload into artifacts (REFERENCE §4.2)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, Final

from worldstate.artifacts import Artifact
from worldstate.inspector.csv_render import cascade_csv, transcript_csv, tutorial_snapshots_csv
from worldstate.inspector.faction_names import FactionNames
from worldstate.inspector.formats import resolve_formats
from worldstate.inspector.jsformat import dumps_pretty, get, timestamp_fragment
from worldstate.inspector.markdown import transcript_markdown
from worldstate.names import check_safe_name

__all__ = ["DEFAULT_PREFIX", "render_artifacts"]

DEFAULT_PREFIX: Final = "save-inspector"

_Body = Callable[[Mapping[str, Any], FactionNames], str]


def _transcript(payload: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    entries = get(get(payload, "tutorial"), "transcript")
    return (
        [e if isinstance(e, Mapping) else {} for e in entries] if isinstance(entries, list) else []
    )


# (format, type, section, file-name part, extension, MIME type, body) in emission order.
_SPECS: Final[tuple[tuple[str, str, str | None, str, str, str, _Body], ...]] = (
    ("json", "json", None, "summary", "json", "application/json", lambda p, _: dumps_pretty(p)),
    ("csv", "csv", "cascade", "cascade-targets", "csv", "text/csv", lambda p, n: cascade_csv(p, n)),
    (
        "csv",
        "csv",
        "tutorial",
        "tutorial-snapshots",
        "csv",
        "text/csv",
        lambda p, _: tutorial_snapshots_csv(p),
    ),
    (
        "transcript-csv",
        "transcript-csv",
        "tutorial-transcript",
        "tutorial-transcript",
        "csv",
        "text/csv",
        lambda p, _: transcript_csv(_transcript(p)),
    ),
    (
        "transcript-md",
        "transcript-md",
        "tutorial-transcript",
        "tutorial-transcript",
        "md",
        "text/markdown",
        lambda p, _: transcript_markdown(_transcript(p)),
    ),
)


def render_artifacts(
    payload: Mapping[str, Any],
    *,
    prefix: str = DEFAULT_PREFIX,
    formats: Iterable[str] = ("json", "csv"),
    faction_names: FactionNames | None = None,
) -> list[Artifact]:
    """Render the artifacts of an export, always in the fixed order json, csv, transcripts.

    Args:
        payload: the result of :func:`~worldstate.inspector.sanitize_summary`.
        prefix: start of every file name; must be a safe bare name.
        formats: requested formats or aliases (see :func:`resolve_formats`).
        faction_names: names for faction-name columns; defaults to the ones the payload
            carries (:attr:`InspectorPayload.faction_names`), else ids are shown.

    Returns:
        One :class:`Artifact` per file; each ``content`` ends with exactly one newline.

    Raises:
        UnsafeNameError: the prefix could escape the artifact folder.
        ConfigurationError: an unknown format was requested.
    """
    check_safe_name(prefix, what="prefix")
    wanted = resolve_formats(formats)
    names = faction_names or getattr(payload, "faction_names", None) or FactionNames()
    stamp = timestamp_fragment(get(payload, "generatedAt"))
    return [
        Artifact(
            type=kind,
            section=section,
            filename=f"{prefix}-{part}-{stamp}.{extension}",
            mime_type=mime,
            content=body(payload, names).rstrip("\n") + "\n",
        )
        for fmt, kind, section, part, extension, mime, body in _SPECS
        if fmt in wanted
    ]
