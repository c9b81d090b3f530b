"""``worldstate publish DIR``: publish an export folder written earlier, from its manifest.

For workflows that export in one step and upload in another.  Exit codes: 0 published (a
failed upload too, unless ``--fail-on-publish-error``), 1 the manifest could not be rewritten
or (with the flag) an upload failed, 2 a missing or malformed manifest, or bad options.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click
import msgspec

from worldstate.cli._app import cli
from worldstate.cli._console import make_console
from worldstate.cli._export import print_uploads
from worldstate.cli._options import json_option, publish_options, publish_settings
from worldstate.errors import ExportError
from worldstate.export import ExportEffects, publish_folder
from worldstate.publish import MANIFEST_FILENAME, PublishOutcome
from worldstate.redact import Redactor

__all__ = ["publish_command"]


@cli.command("publish")
@click.argument("folder", type=click.Path(path_type=Path), metavar="DIR")
@click.option(
    "--metadata",
    type=click.Path(path_type=Path),
    help="Manifest path [default: DIR/ci-artifacts.json].",
)
@publish_options
@json_option("Print the publish result as JSON.")
def publish_command(
    *,
    folder: Path,
    metadata: Path | None,
    ci_commands: tuple[str, ...],
    providers: tuple[str, ...],
    command_timeout: float,
    fail_on_publish_error: bool,
    as_json: bool,
) -> None:
    """Upload an export folder with the configured providers and rewrite its manifest."""
    env = os.environ
    redactor = Redactor(env)
    publishing = publish_settings(
        ci_commands=ci_commands, providers=providers, command_timeout=command_timeout, env=env
    )
    manifest_path = (metadata or folder / MANIFEST_FILENAME).absolute()
    # With --json, stdout is the document; the runner reads workflow commands on stderr too.
    stream = sys.stderr if as_json else sys.stdout
    effects = ExportEffects(env=env, redactor=redactor, stdout=stream)
    outcome = publish_folder(manifest_path, publishing, effects)
    if as_json:
        click.echo(json.dumps(redactor(result_json(outcome, manifest_path)), indent=2))
    else:
        console = make_console()
        console.print(f"Published {len(outcome.manifest.artifacts)} artifacts from {folder}.")
        print_uploads(console, outcome, redactor)
        state = "written" if outcome.manifest_write.ok else "FAILED"
        console.print(f"Manifest: {manifest_path} ({state})")
    if not outcome.manifest_write.ok:
        raise ExportError(f"could not rewrite the manifest: {outcome.manifest_write.error}")
    if fail_on_publish_error:
        outcome.result.raise_for_failures()


def result_json(outcome: PublishOutcome, manifest_path: Path) -> dict[str, object]:
    """The ``--json`` document: the manifest path, whether it was rewritten, every attempt."""
    attempts = [msgspec.to_builtins(r) for r in outcome.manifest.command_results]
    return {
        "ok": outcome.result.ok,
        "manifestPath": str(manifest_path),
        "manifestWritten": outcome.manifest_write.ok,
        "artifacts": [a.filename for a in outcome.manifest.artifacts],
        "attempts": attempts[len(attempts) - len(outcome.result.attempts) :],
        "fallbackSummary": msgspec.to_builtins(outcome.manifest.fallback_summary),
    }
