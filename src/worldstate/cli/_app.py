"""The ``worldstate`` click group and the one place where exceptions become exit codes.

Exit codes: 0 success, 1 the job ran but failed (a writer failed, a save could not be
written), 2 usage errors and bad input (click's own usage errors use 2 as well).
"""

from __future__ import annotations

import logging
from typing import Any

import click

from worldstate.cli._lazy import LazyGroup
from worldstate.errors import (
    ConfigurationError,
    InputError,
    SlotNotFoundError,
    WorldstateError,
)

__all__ = ["BadInput", "JobFailed", "cli", "bench"]


class BadInput(click.ClickException):
    """Bad input or options: printed as ``Error: ...``, exit code 2."""

    exit_code = 2


class JobFailed(click.ClickException):
    """The command ran but its job failed: printed as ``Error: ...``, exit code 1."""

    exit_code = 1


def translate(exc: WorldstateError) -> click.ClickException:
    """Map a worldstate exception to the click exception carrying its exit code."""
    if isinstance(exc, InputError | ConfigurationError | SlotNotFoundError):
        return BadInput(str(exc))
    return JobFailed(str(exc))


class _TranslatingGroup(LazyGroup):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except WorldstateError as exc:
            raise translate(exc) from exc


@click.group(cls=_TranslatingGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="worldstate")
@click.option(
    "-v", "--verbose", count=True, help="Log more to stderr (-v warnings, -vv info, -vvv debug)."
)
def cli(verbose: int) -> None:
    """World-state store, saves and inspector telemetry for narrative games."""
    # Commands report expected failures themselves (exit code and message); by default only
    # errors with tracebacks (a writer or handler that raised) are logged on top of that.
    level = logging.ERROR - 10 * min(verbose, 3)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")


@cli.group(cls=_TranslatingGroup)
def bench() -> None:
    """Benchmarks: store dispatch, replay, writer fan-out, saves."""
