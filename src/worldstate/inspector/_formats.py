"""Export formats and their aliases; an unknown format is a usage error, never dropped."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from worldstate.errors import ConfigurationError

__all__ = ["CANONICAL_FORMATS", "DEFAULT_FORMATS", "FORMAT_ALIASES", "resolve_formats"]

CANONICAL_FORMATS: Final = ("json", "csv", "transcript-csv", "transcript-md")
"""Every format, in the order its artifacts are emitted."""

DEFAULT_FORMATS: Final = ("json", "csv")
"""What an export produces when no format is asked for."""

FORMAT_ALIASES: Final[dict[str, str]] = {
    "json": "json",
    "csv": "csv",
    "cascade": "csv",
    "tutorial-csv": "csv",
    "transcript-csv": "transcript-csv",
    "transcript:csv": "transcript-csv",
    "transcript_csv": "transcript-csv",
    "transcript": "transcript-csv",
    "transcript-md": "transcript-md",
    "transcript_markdown": "transcript-md",
    "transcript:markdown": "transcript-md",
    "transcript-markdown": "transcript-md",
    "markdown": "transcript-md",
    "md": "transcript-md",
}
"""Accepted spellings (lower case) mapped to their canonical format."""


def resolve_formats(values: Iterable[str]) -> tuple[str, ...]:
    """Map requested format names to canonical formats.

    Names are trimmed and compared case-insensitively; duplicates collapse (first request
    wins the position); blank entries are skipped; nothing at all means :data:`DEFAULT_FORMATS`.
    A comma-separated string is one (unknown) name: split lists before calling.

    Raises:
        ConfigurationError: a name is neither a format nor an alias; the message names it and
            lists what is accepted.
    """
    resolved: list[str] = []
    for raw in values:
        name = str(raw).strip().lower()
        if not name:
            continue
        canonical = FORMAT_ALIASES.get(name)
        if canonical is None:
            raise ConfigurationError(_unknown_message(str(raw)))
        if canonical not in resolved:
            resolved.append(canonical)
    return tuple(resolved) if resolved else DEFAULT_FORMATS


def _unknown_message(value: str) -> str:
    groups = []
    for canonical in CANONICAL_FORMATS:
        aliases = [a for a, c in FORMAT_ALIASES.items() if c == canonical and a != canonical]
        groups.append(f"{canonical} (aliases: {', '.join(aliases)})" if aliases else canonical)
    return f"unknown export format {value!r}; accepted formats: {'; '.join(groups)}"
