"""Markdown tables with escaped cells.

Every cell escapes ``|`` as ``\\|`` and turns CRLF, CR and LF into ``<br>``, so a cell can never
break its table.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

from worldstate._js import ABSENT, coalesce, get, js_string

__all__ = ["TRANSCRIPT_COLUMNS", "md_cell", "md_table", "transcript_markdown"]

TRANSCRIPT_COLUMNS: Final = ("#", "Event", "Prompt", "Action", "Timestamp", "Narrative")

_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def md_cell(value: object) -> str:
    """One table cell: null/absent empty, ``|`` escaped, line breaks as ``<br>``."""
    if value is None or value is ABSENT:
        return ""
    return _LINE_BREAK.sub("<br>", js_string(value).replace("|", "\\|"))


def md_table(header: Sequence[str], rows: Iterable[Sequence[object]]) -> list[str]:
    """Lines of a pipe table: header, separator, one line per row (cells escaped)."""
    lines = [_row(header), _row(["---"] * len(header), escape=False)]
    lines.extend(_row(row) for row in rows)
    return lines


def _row(cells: Sequence[object], *, escape: bool = True) -> str:
    texts = [md_cell(cell) if escape else str(cell) for cell in cells]
    return "| " + " | ".join(texts) + " |"


def transcript_markdown(transcript: Iterable[Mapping[str, Any]]) -> str:
    """The transcript table; the Prompt column shows the prompt title.  No trailing newline."""
    rows = (
        [
            coalesce(get(entry, "sequence"), ""),
            get(entry, "event"),
            get(entry, "title"),
            get(entry, "action"),
            get(entry, "timestampIso"),
            get(entry, "followUpNarrative"),
        ]
        for entry in transcript
    )
    return "\n".join(md_table(TRANSCRIPT_COLUMNS, rows))
