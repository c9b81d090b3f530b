"""docs/otel.md's instrument table is the code's: every instrument with its kind, unit,
attributes and source events, and nothing else."""

from __future__ import annotations

import re
from pathlib import Path

from worldstate.otel import EXPORT_SPAN, INSTRUMENTS, PUBLISH_SPAN

DOC = (Path(__file__).parents[2] / "docs" / "otel.md").read_text("utf-8")
CODE = re.compile(r"`([^`]+)`")


def table(heading: str) -> list[list[str]]:
    """The rows (cells) of the first table after ``## heading``."""
    section = DOC.split(f"\n## {heading}\n", 1)[1]
    lines = [line for line in section.split("\n\n## ", 1)[0].splitlines() if line.startswith("|")]
    return [[cell.strip() for cell in line.strip("|").split(" | ")] for line in lines[2:]]


def code(cell: str) -> str:
    """The text of a cell that is one code span."""
    match = CODE.fullmatch(cell)
    assert match is not None, cell
    return match.group(1)


def test_the_instrument_table_matches_the_instruments() -> None:
    documented = {
        code(name): (kind, code(unit), tuple(CODE.findall(attributes)), source)
        for name, kind, unit, attributes, source in table("Instruments")
    }
    assert sorted(documented) == sorted(INSTRUMENTS)
    for name, spec in INSTRUMENTS.items():
        kind, unit, attributes, source = documented[name]
        assert (kind, unit, attributes) == (spec.kind, spec.unit, spec.attributes), name
        for event in spec.events:
            assert f"`{event}`" in source, (name, event)


def test_the_span_table_names_both_spans() -> None:
    assert [code(row[0]) for row in table("Spans")] == [EXPORT_SPAN, PUBLISH_SPAN]
