"""Options several commands share, each defined once (name, destination, type, help).

``--json``, ``--strict`` and the upload-provider options mean the same wherever they appear;
only the help sentence may say what the command prints or refuses.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    from worldstate.export import PublishSettings

__all__ = [
    "STRICT_REPLAY_HELP",
    "WEBHOOK_URL_VARIABLE",
    "WEBHOOK_STATUSES_VARIABLE",
    "json_option",
    "strict_option",
    "publish_options",
    "publish_settings",
]

F = TypeVar("F", bound=Callable[..., Any])

STRICT_REPLAY_HELP = (
    "Refuse (exit 2, naming the line) an unknown event or a payload with a wrong-typed id."
)


def json_option(help: str) -> Callable[[F], F]:
    """``--json`` (the ``as_json`` flag): print a machine-readable document instead of text."""
    return click.option("--json", "as_json", is_flag=True, help=help)


def strict_option(help: str = STRICT_REPLAY_HELP) -> Callable[[F], F]:
    """``--strict`` (a flag): refuse, exit 2, what would otherwise be a warning."""
    return click.option("--strict", is_flag=True, help=help)


WEBHOOK_URL_VARIABLE = "TELEMETRY_BUDGET_WEBHOOK_URL"
WEBHOOK_STATUSES_VARIABLE = "TELEMETRY_BUDGET_WEBHOOK_STATUSES"


def publish_options(command: F) -> F:
    """The provider options ``export`` and ``publish`` share."""
    # Imported here: `snapshot` and `saves` use this module too and never load publishing.
    from worldstate.publish import DEFAULT_COMMAND_TIMEOUT, ProviderChoice

    options = (
        click.option(
            "--ci-command",
            "ci_commands",
            multiple=True,
            metavar="CMD",
            help="An upload command (repeatable; a JSON list or one per line works too). "
            "Default: TELEMETRY_CI_COMMANDS, TELEMETRY_CI_COMMANDS_JSON, "
            "TELEMETRY_CI_COMMANDS_PATH.",
        ),
        click.option(
            "--provider",
            "providers",
            multiple=True,
            type=click.Choice([c.value for c in ProviderChoice]),
            help="Choose providers explicitly (repeatable). Default: the commands, else "
            "github on a GitHub Actions runner.",
        ),
        click.option(
            "--command-timeout",
            type=click.FloatRange(min=0, min_open=True),
            default=DEFAULT_COMMAND_TIMEOUT,
            show_default=True,
            metavar="SECONDS",
            help="Kill a command (and its children) after this long.",
        ),
        click.option(
            "--fail-on-publish-error",
            is_flag=True,
            help="Exit 1 when an upload fails (default: exit 0, the failure is recorded).",
        ),
    )
    for option in reversed(options):
        command = option(command)
    return command


def publish_settings(
    *,
    ci_commands: Sequence[str],
    providers: Sequence[str],
    command_timeout: float,
    env: Mapping[str, str],
    webhook_url: str | None = None,
    webhook_statuses: Sequence[str] = (),
    upload_to: str | None = None,
    storage_options: Mapping[str, Any] | None = None,
) -> PublishSettings:
    """The publishing options as a record (commands parsed, webhook resolved from env)."""
    from worldstate.export import PublishSettings
    from worldstate.publish import (
        ProviderChoice,
        check_webhook_url,
        parse_statuses,
        resolve_commands,
    )

    statuses = list(webhook_statuses) or [env.get(WEBHOOK_STATUSES_VARIABLE, "")]
    url = webhook_url or env.get(WEBHOOK_URL_VARIABLE) or None
    if url is not None:
        check_webhook_url(url, source="--budget-webhook" if webhook_url else WEBHOOK_URL_VARIABLE)
    return PublishSettings(
        commands=tuple(resolve_commands(ci_commands, env)),
        providers=tuple(ProviderChoice(p) for p in providers),
        command_timeout=command_timeout,
        webhook_url=url,
        webhook_statuses=parse_statuses(statuses),
        upload_to=upload_to,
        storage_options=dict(storage_options or {}),
    )
