"""CSV and Markdown cells (REFERENCE §0.5, DEVIATIONS D4, D7) and the tutorial CSV (D2)."""

from __future__ import annotations

from worldstate.inspector._csv_render import csv_cell, csv_table, tutorial_snapshots_csv
from worldstate.inspector._markdown import md_cell, transcript_markdown


def test_csv_cells() -> None:
    assert csv_cell(None) == ""
    assert csv_cell(5.0) == "5"
    assert csv_cell(False) == "false"
    assert csv_cell("plain") == "plain"
    assert csv_cell('say "hi"') == '"say ""hi"""'
    assert csv_cell("a,b") == '"a,b"'
    assert csv_cell("line1\nline2") == '"line1\nline2"'
    assert csv_cell("cr\ronly") == '"cr\ronly"'  # D7: a bare CR is quoted too
    assert csv_cell("a|b") == "a|b"


def test_csv_table_uses_lf_and_no_trailing_newline() -> None:
    assert csv_table(["a", "b"], [[1, None], ["x\r\ny", 2]]) == 'a,b\n1,\n"x\r\ny",2'


def test_markdown_cells_escape_pipes_and_every_line_break() -> None:
    assert md_cell("a|b") == "a\\|b"
    assert md_cell("one\r\ntwo\rthree\nfour") == "one<br>two<br>three<br>four"
    assert md_cell(None) == ""
    assert md_cell(3.0) == "3"


def test_transcript_markdown_keeps_one_line_per_entry() -> None:
    text = transcript_markdown(
        [
            {
                "sequence": 0,
                "event": "e",
                "title": "T|1\nx",
                "action": "a",
                "timestampIso": None,
                "followUpNarrative": "n\r\n",
            }
        ]
    )
    assert text.split("\n") == [
        "| # | Event | Prompt | Action | Timestamp | Narrative |",
        "| --- | --- | --- | --- | --- | --- |",
        "| 0 | e | T\\|1<br>x | a |  | n<br> |",
    ]


def _rows(snapshots: list[object]) -> list[str]:
    return tutorial_snapshots_csv({"tutorial": {"snapshots": snapshots}}).split("\n")[1:]


def test_step_title_falls_back_through_prompt_and_history() -> None:
    history = [{"stepId": "s1", "title": "Old"}, {"stepId": "s1", "title": "Newest"}]
    rows = _rows(
        [
            {"event": "a", "title": "Top", "stepTitle": "Other"},
            {"event": "b", "stepTitle": "Step title"},
            {"event": "c", "currentPrompt": {"title": "Prompt"}, "stepId": "s1"},
            {"event": "d", "stepId": "s1", "currentPrompt": None, "promptHistory": history},
            {"event": "e", "stepId": None, "promptHistory": history},
            None,
        ]
    )
    assert [row.split(",")[6] for row in rows] == ["Top", "Step title", "Prompt", "Newest", ""]


def test_snapshot_metadata_reads_top_level_then_nested_metadata() -> None:
    [row] = _rows([{"event": "x", "promptId": "p", "metadata": {"promptId": "q", "zoneId": "z"}}])
    assert row.endswith('"{""promptId"":""p"",""zoneId"":""z"",""dismissed"":null}"')
