"""docs/events.md and docs/cli.md tables kept true: checked against the code and by running
the commands they describe."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from tests.docs._catalog import catalog

from worldstate.cli import cli

DOCS = Path(__file__).resolve().parents[2] / "docs"
EVENTS_DOC = (DOCS / "events.md").read_text("utf-8")
CLI_DOC = (DOCS / "cli.md").read_text("utf-8")


@pytest.mark.parametrize(("slice_key", "event", "keys"), catalog(), ids=lambda v: str(v))
def test_every_slice_event_and_its_payload_keys_are_documented(
    slice_key: str, event: str, keys: list[str]
) -> None:
    """One row per event the store listens to, naming every payload key its slice reads."""
    row = next(
        (line for line in EVENTS_DOC.splitlines() if line.startswith(f"| `{event}` |")), None
    )
    assert row is not None, f"docs/events.md has no row for {event} ({slice_key})"
    for key in keys:
        assert f"`{key}`" in row, f"{event}: payload key {key} is not documented"


def _sections() -> list[tuple[list[str], str]]:
    """``(command path, text)`` of every ``## `worldstate X` `` and ``### `X Y` `` section."""
    found: list[tuple[list[str], str]] = []
    parts = re.split(r"^(##+ .*)$", CLI_DOC, flags=re.M)
    for heading, body in zip(parts[1::2], parts[2::2], strict=True):
        top = re.match(r"## `worldstate (\S+)`", heading)
        sub = re.match(r"### `((?:saves|bench) \S+)`", heading)
        if top:
            found.append(([top.group(1)], body))
        elif sub:
            found.append((sub.group(1).split(), body))
    return found


def _documented_options(body: str) -> list[str]:
    """The ``--options`` in the first column of the option tables of a section."""
    options = []
    for line in body.splitlines():
        cell = re.match(r"\| `(--[a-z][a-z-]*)", line)
        if cell:
            options.append(cell.group(1))
    return options


SECTIONS = [(path, _documented_options(body)) for path, body in _sections()]
assert sum(len(options) for _, options in SECTIONS) >= 15, "the option tables were not found"


@pytest.mark.parametrize(("path", "options"), SECTIONS, ids=lambda v: " ".join(v) if v else "")
def test_every_documented_option_exists(path: list[str], options: list[str]) -> None:
    """Each option a table documents is in the command's own --help (the command is run)."""
    result = CliRunner().invoke(cli, [*path, "--help"])
    assert result.exit_code == 0, result.output
    for option in options:
        assert option in result.output, f"docs/cli.md documents {option} for {' '.join(path)}"


def test_the_stream_table_matches_the_messages() -> None:
    """The stream table's lines are the ones tests/cli/test_streams.py sees from real runs."""
    streams = (Path(__file__).resolve().parents[1] / "cli" / "test_streams.py").read_text("utf-8")
    rows = re.findall(r"^\| .*? \| `([^`]+)` \| (\d) \|$", CLI_DOC, flags=re.M)
    assert len(rows) >= 4
    flat = re.sub(r'"\s*\n\s*"', "", streams)  # join implicitly concatenated strings
    for message, _code in rows:
        assert message in flat, f"{message!r} is not what the stream tests check"


def test_the_license_file_matches_pyproject() -> None:
    """pyproject.toml says MIT; LICENSE is the MIT text."""
    import tomllib

    root = DOCS.parent
    project = tomllib.loads((root / "pyproject.toml").read_text("utf-8"))["project"]
    assert project["license"] == "MIT"
    text = (root / "LICENSE").read_text("utf-8")
    assert text.startswith("MIT License") and "Permission is hereby granted, free of charge" in text


def test_the_id_field_table_is_the_store_s() -> None:
    """docs/events.md's id-field table lists exactly the store's ID_FIELDS, in order."""
    from worldstate.store import ID_FIELDS

    section = EVENTS_DOC.split("### Id fields", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `([^`]+)` \| (.+?) \| (.+?) \|$", section, flags=re.M)
    expected = [
        (
            event,
            ", ".join("/".join(f"`{name}`" for name in field.names) for field in fields),
            " / ".join(sorted({"coerced" if f.numbers else "skipped" for f in fields})),
        )
        for event, fields in ID_FIELDS.items()
    ]
    assert rows == expected
