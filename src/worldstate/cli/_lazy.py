"""A click group whose subcommands are imported only when they run (click's lazy-group pattern).

Each subcommand module registers itself on its group with the usual decorators
(``@cli.command(...)``); the group only knows which module defines which command and the
command's one-line help, so ``worldstate --help`` and every command's start import nothing
but the command that runs.  ``tests/cli/test_lazy.py`` checks that each listed help line is
the command's own.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

import click

__all__ = ["LazyCommand", "LazyGroup", "lazy_group"]


class LazyCommand(NamedTuple):
    """Where a subcommand is defined and its one-line help (shown without importing it)."""

    module: str
    short_help: str


class LazyGroup(click.Group):
    """A group that imports a subcommand's module the first time the subcommand is needed."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.lazy_commands: dict[str, LazyCommand] = {}

    def add_lazy_commands(self, commands: Mapping[str, LazyCommand]) -> None:
        """Declare subcommands defined in other modules (imported on first use)."""
        self.lazy_commands.update(commands)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *self.lazy_commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in self.lazy_commands:
            # The import statement's own path, so `python -X importtime` lists the module.
            __import__(self.lazy_commands[cmd_name].module)
        return self.commands.get(cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        names = [
            n for n in self.list_commands(ctx) if not getattr(self.commands.get(n), "hidden", 0)
        ]
        if not names:
            return
        limit = formatter.width - 6 - max(map(len, names))
        rows = []
        for name in names:
            command = self.commands.get(name)
            if command is None:
                command = click.Command(name, help=self.lazy_commands[name].short_help)
            rows.append((name, command.get_short_help_str(limit)))
        with formatter.section("Commands"):
            formatter.write_dl(rows)


def lazy_group(group: click.Group) -> LazyGroup:
    """``group`` typed as the :class:`LazyGroup` it was declared with (``cls=``)."""
    if not isinstance(group, LazyGroup):
        raise TypeError(f"group {group.name!r} is not a LazyGroup")
    return group
