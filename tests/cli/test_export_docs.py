"""docs/cli.md documents every command and every option the CLI has (export and the rest)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import click
import pytest
from tests._paths import DOCS

from worldstate.cli import cli

DOC = (DOCS / "cli.md").read_text("utf-8")


def subcommand(group: click.Group, name: str) -> click.Command:
    command = group.get_command(click.Context(group), name)  # imports a lazy command
    assert command is not None, name
    return command


def commands(group: click.Group, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    for name in group.list_commands(click.Context(group)):
        command = subcommand(group, name)
        if isinstance(command, click.Group):
            yield from commands(command, (*path, name))
        else:
            yield (*path, name)


COMMANDS = list(commands(cli))


def section(top: str) -> str:
    """The text of ``## `worldstate <top>` `` up to the next level-2 heading."""
    match = re.search(rf"^## `worldstate {top}`\n(.*?)(?=^## |\Z)", DOC, re.M | re.S)
    assert match, f"no section for worldstate {top}"
    return match.group(1)


def long_options(command: click.Command) -> set[str]:
    names = set()
    for param in command.params:
        if isinstance(param, click.Option):
            names.update(o for o in (*param.opts, *param.secondary_opts) if o.startswith("--"))
    return names - {"--help"}


def test_every_command_is_found() -> None:
    """Lazily loaded groups are walked too: nested commands of every group are found."""
    assert {("export",), ("snapshot",), ("bench", "saves"), ("saves", "list")} <= set(COMMANDS)
    documented = set(re.findall(r"^### `worldstate ([a-z ]+)`", DOC, re.M))
    nested = {" ".join(path) for path in COMMANDS if len(path) > 1}
    assert documented - nested == set(), "documented commands that do not exist"


@pytest.mark.parametrize("path", COMMANDS, ids=" ".join)
def test_every_command_and_option_is_documented(path: tuple[str, ...]) -> None:
    command: click.Command = cli
    for name in path:
        assert isinstance(command, click.Group)
        command = subcommand(command, name)
    text = section(path[0])
    if len(path) > 1:
        assert f"### `{' '.join(path)}`" in text
    for option in sorted(long_options(command)):
        assert option in text, f"{' '.join(path)}: {option} is not documented"


def test_global_options_are_documented() -> None:
    assert long_options(cli) == {"--version", "--verbose"}
    for option in ("`-v`, `--verbose`", "`--version`"):
        assert option in DOC
