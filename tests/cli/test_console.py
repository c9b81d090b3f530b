"""Off a terminal the report tables are drawn without rich, byte for byte as rich draws them."""

from __future__ import annotations

import io

import pytest
from rich.console import Console
from rich.table import Table

from worldstate.cli._console import Justify, PlainConsole, PlainTable, cell_width

CASES: list[tuple[list[str], list[Justify], list[list[str]]]] = [
    (
        ["Artifact", "Bytes", "written (out)"],
        ["left", "right", "left"],
        [["summary.json", "31290", "yes"], ["cascade-targets.csv", "5", "FAILED"]],
    ),
    (["A", "Bytes"], ["left", "right"], [["x", "1234567"]]),
    (
        ["Artifact", "Bytes", "written (out)", "written (mirror-1)"],
        ["left", "right", "left", "left"],
        [["名前.json", "1", "yes", "FAILED"], ["e\u0301x", "22", "yes", "yes"]],
    ),
    (["only"], ["left"], [["v"], ["a longer value"]]),
    (["A", "B"], ["left", "right"], []),
]


@pytest.mark.parametrize(("headers", "justify", "rows"), CASES)
def test_a_plain_table_prints_what_rich_prints_off_a_terminal(
    headers: list[str], justify: list[Justify], rows: list[list[str]]
) -> None:
    rich_out = io.StringIO()
    console = Console(
        file=rich_out, highlight=False, soft_wrap=True, width=1_000_000, no_color=True
    )
    rich_table = Table(show_edge=False, pad_edge=False)
    plain_table = PlainTable()
    for header, side in zip(headers, justify, strict=True):
        rich_table.add_column(header, justify=side, no_wrap=True)
        plain_table.add_column(header, justify=side, no_wrap=True)
    for row in rows:
        rich_table.add_row(*row)
        plain_table.add_row(*row)
    console.print(rich_table)
    plain_out = io.StringIO()
    PlainConsole(plain_out).print(plain_table)
    assert plain_out.getvalue() == rich_out.getvalue()


def test_texts_are_printed_literally() -> None:
    out = io.StringIO()
    PlainConsole(out).print("Artifact folder: /tmp/[out] :smile:")
    assert out.getvalue() == "Artifact folder: /tmp/[out] :smile:\n"


def test_cell_width_counts_wide_characters_twice_and_combining_marks_not_at_all() -> None:
    assert cell_width("abc") == 3
    assert cell_width("名前") == 4
    assert cell_width("e\u0301") == 1
