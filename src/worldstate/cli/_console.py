"""Report output: rich on a terminal, plain lines elsewhere (CI logs, pipes, files).

Off a terminal rich prints no colour and never wraps, so its output is plain text that this
module writes directly, without importing rich (about a fifth of a short command's start).
Texts are printed literally (no markup, no emoji codes).  :class:`PlainTable` draws the same
box characters, widths and alignment as ``rich.table.Table(show_edge=False, pad_edge=False)``
(``tests/cli/test_console.py`` compares the two byte for byte).
"""

from __future__ import annotations

import sys
import unicodedata
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal, Protocol, TextIO

if TYPE_CHECKING:
    from rich.table import Table

__all__ = [
    "ReportConsole",
    "ReportTable",
    "PlainConsole",
    "PlainTable",
    "cell_width",
    "make_console",
    "new_table",
]

Justify = Literal["left", "right"]


class ReportConsole(Protocol):
    """What a report prints through: a rich ``Console`` or a :class:`PlainConsole`."""

    def print(self, *objects: Any) -> None: ...


class ReportTable(Protocol):
    """What a report fills: a rich ``Table`` or a :class:`PlainTable`."""

    def add_column(
        self, header: str, *, justify: Justify = "left", no_wrap: bool = False
    ) -> Any: ...

    def add_row(self, *cells: str) -> Any: ...


class PlainTable:
    """A table drawn like rich's ``Table(show_edge=False, pad_edge=False)`` with no styles."""

    def __init__(self) -> None:
        self._headers: list[str] = []
        self._justify: list[Justify] = []
        self._rows: list[Sequence[str]] = []

    def add_column(self, header: str, *, justify: Justify = "left", no_wrap: bool = False) -> None:
        """Add a column (``no_wrap`` is accepted for rich's signature: nothing wraps here)."""
        self._headers.append(header)
        self._justify.append(justify)

    def add_row(self, *cells: str) -> None:
        """Add a row, one text per column."""
        self._rows.append(cells)

    def lines(self) -> list[str]:
        """The table's lines: header, heavy rule, rows."""
        if not self._headers:
            return []
        widths = [cell_width(h) for h in self._headers]
        for row in self._rows:
            for index, cell in enumerate(row):
                widths[index] = max(widths[index], cell_width(cell))
        last = len(widths) - 1
        rule = "╇".join(
            "━" * (width + (index > 0) + (index < last)) for index, width in enumerate(widths)
        )
        return [
            self._line(self._headers, widths, "┃"),
            rule,
            *(self._line(row, widths, "│") for row in self._rows),
        ]

    def _line(self, cells: Sequence[str], widths: Sequence[int], bar: str) -> str:
        last = len(widths) - 1
        parts = []
        for index, (cell, width) in enumerate(zip(cells, widths, strict=True)):
            gap = " " * (width - cell_width(cell))
            text = gap + cell if self._justify[index] == "right" else cell + gap
            parts.append((" " if index > 0 else "") + text + (" " if index < last else ""))
        return bar.join(parts)


class PlainConsole:
    """Prints texts and :class:`PlainTable` objects as they are, one per line."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self._stream = stream

    def print(self, *objects: Any) -> None:
        """Print the objects separated by spaces (a table as its lines), then flush, as rich
        does, so the lines keep their place among what goes to stderr."""
        texts = ["\n".join(o.lines()) if isinstance(o, PlainTable) else str(o) for o in objects]
        stream = self._stream if self._stream is not None else sys.stdout
        stream.write(" ".join(texts) + "\n")
        stream.flush()


def cell_width(text: str) -> int:
    """Terminal cells ``text`` takes: wide (East Asian) characters two, combining marks none."""
    if text.isascii():
        return len(text)
    return sum(
        0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1
        for c in text
    )


def make_console() -> ReportConsole:
    """A console for reports: on a terminal, rich's; elsewhere (CI logs) plain, wide lines
    that are never wrapped or cut."""
    if not sys.stdout.isatty():
        return PlainConsole()
    from rich.console import Console  # only on a terminal

    return Console(highlight=False, soft_wrap=True)


def new_table(console: ReportConsole) -> ReportTable:
    """An empty report table for ``console``: rich's on a terminal, a :class:`PlainTable` else."""
    if isinstance(console, PlainConsole):
        return PlainTable()
    return _rich_table()


def _rich_table() -> Table:
    from rich.table import Table

    return Table(show_edge=False, pad_edge=False)
