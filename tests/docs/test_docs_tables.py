"""docs/events.md and docs/cli.md tables kept true: checked against the code and by running
the commands they describe."""

from __future__ import annotations

import re
import shlex
import sqlite3
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


# -- sample output: each block is run in a fresh folder and must print what it shows ------------

REPO = DOCS.parent


def _block_after(marker: str) -> str:
    """The text of the code block that starts with the line ``$ <marker>...``."""
    for block in re.findall(r"^```\n(.*?)^```$", CLI_DOC, flags=re.M | re.S):
        if block.startswith(f"$ {marker}"):
            return str(block)
    raise AssertionError(f"docs/cli.md has no sample block starting with $ {marker}")


def _run_block(block: str, folder: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Run each ``$ worldstate`` line of ``block`` in ``folder`` (with the repository's
    ``tests`` and ``benchmarks`` linked in); ``head -4 FILE`` prints the file's first lines.
    Returns the block as the commands wrote it."""
    for name in ("tests", "benchmarks"):
        (folder / name).symlink_to(REPO / name)
    monkeypatch.chdir(folder)
    printed = []
    for line in block.splitlines():
        if not line.startswith("$ "):
            continue
        args = shlex.split(line[2:])
        if args[0] == "head":
            text = (folder / args[-1]).read_text("utf-8")
            printed.append(line + "\n" + "".join(text.splitlines(keepends=True)[:4]))
            continue
        result = CliRunner().invoke(
            cli, args[1:], terminal_width=120, env={"CI": "", "GITHUB_ACTIONS": ""}
        )
        # Table cells are padded to the column width; the docs do not keep trailing blanks.
        output = "".join(part.rstrip(" \n") + "\n" for part in result.output.splitlines())
        printed.append(line + "\n" + output)
    return printed


def _shown(block: str) -> list[str]:
    """The block split like :func:`_run_block`'s result: one entry per command."""
    entries = re.split(r"^(?=\$ )", block, flags=re.M)
    return [entry for entry in entries if entry]


def test_the_export_example_is_what_the_command_prints(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Artifact names, byte counts and the report lines of ``export --demo`` (the folder the
    block shows, /tmp/ws-demo, is this run's temporary folder)."""
    block = _block_after("worldstate export --demo")
    printed = _run_block(block, tmp_path, monkeypatch)
    assert [entry.replace(str(tmp_path), "/tmp/ws-demo") for entry in printed] == _shown(block)


def test_the_snapshot_example_is_what_the_command_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    block = _block_after("worldstate snapshot --events")
    assert _run_block(block, tmp_path, monkeypatch) == _shown(block)


def test_the_bench_dispatch_empty_workload_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A workload without actions: the documented message (and exit 2, as the text says)."""
    block = _block_after("worldstate bench dispatch --seed benchmarks/workloads/store-dispatch/")
    assert "--workload empty.jsonl" in block.splitlines()[0]
    (tmp_path / "empty.jsonl").write_bytes(b"")
    assert _run_block(block, tmp_path, monkeypatch) == _shown(block)
    result = CliRunner().invoke(cli, shlex.split(block.splitlines()[0])[2:])
    assert result.exit_code == 2
    assert "A workload without any action has nothing to time and exits 2" in CLI_DOC


def test_the_bench_replay_empty_log_text(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An empty log: 0 events, 0 events/s (the seconds vary: only their form is compared)."""
    block = _block_after("worldstate bench replay --events empty.jsonl")
    (tmp_path / "empty.jsonl").write_bytes(b"")
    (printed,) = _run_block(block, tmp_path, monkeypatch)
    seconds = re.compile(r"^Seconds: \d+\.\d{4}$", flags=re.M)
    assert seconds.sub("Seconds: #", printed) == seconds.sub("Seconds: #", block)


# -- the table of files the saves commands refuse ------------------------------------------------

STORY_LOG = REPO / "tests" / "goldens" / "replay" / "story_demo" / "events.jsonl"


def _save_database(path: Path) -> Path:
    result = CliRunner().invoke(
        cli, ["saves", "import", "--db", str(path), "--slot", "s", "--events", str(STORY_LOG)]
    )
    assert result.exit_code == 0, result.output
    return path


def _text_file(path: Path) -> Path:
    path.write_bytes(b"shopping list: eggs, milk\n" * 200)
    return path


def _foreign_database(path: Path) -> Path:
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE accounts (id INTEGER PRIMARY KEY, name TEXT)")
    conn.close()
    return path


def _empty_file(path: Path) -> Path:
    path.write_bytes(b"")
    return path


def _newer_database(path: Path) -> Path:
    with sqlite3.connect(_save_database(path)) as conn:
        conn.execute("PRAGMA user_version = 7")
    conn.close()
    return path


def _damaged_database(path: Path) -> Path:
    data = bytearray(_save_database(path).read_bytes())
    data[16:18] = b"\x00\x03"  # the page size field of the header
    path.write_bytes(bytes(data))
    return path


# The first cell of each row -> the files it describes, and the command run on them.
SAVE_FILES = {
    "not SQLite at all": ([_text_file], ("list",)),
    "another application's SQLite database, or a 0-byte file (for all but `import`, which makes "
    "it a save database)": ([_foreign_database, _empty_file], ("list",)),
    "a save database from a newer release": ([_newer_database], ("list",)),
    "a SQLite file whose header or pages are damaged": ([_damaged_database], ("list",)),
    "an unknown slot": ([_save_database], ("show", "--slot", "nope")),
}


def _save_file_rows() -> list[tuple[str, str, str]]:
    section = CLI_DOC.split("| the file | exit | message |", 1)[1].split("\n\n", 1)[0]
    return re.findall(r"^\| (.+?) \| (\d) \| `(.+?)` \|$", section, flags=re.M)


def test_the_save_file_table_is_what_the_commands_print(tmp_path: Path) -> None:
    """Every row: the exit code and the message of a real file of that kind (``N`` and
    ``(...)`` in a message stand for the version and SQLite's own words)."""
    rows = _save_file_rows()
    assert [row[0] for row in rows] == list(SAVE_FILES)
    for index, (kind, code, message) in enumerate(rows):
        makers, command = SAVE_FILES[kind]
        pattern = re.escape(message).replace("N", r"\d+").replace(r"\(\.\.\.\)", r"\(.+\)")
        for number, make in enumerate(makers):
            db = make(tmp_path / f"{index}-{number}.db")
            result = CliRunner().invoke(cli, ["saves", command[0], "--db", str(db), *command[1:]])
            assert result.exit_code == int(code), (kind, result.output)
            assert re.search(pattern, result.output), (kind, result.output)
            if command == ("list",):  # a refused file is named; an unknown slot names the slot
                assert str(db) in result.output, (kind, result.output)
