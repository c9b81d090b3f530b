"""``worldstate export``: write an inspector telemetry export, its CI manifest, and publish it.

Flow: parse options -> resolve an :class:`~worldstate.export.ExportRequest` -> hand it to
:func:`~worldstate.export.export_and_publish` -> report.  Nothing is written before every input
has been read and validated.  Exit codes: 0 ok (a failed upload too, unless
``--fail-on-publish-error``), 1 a write failed, 2 usage or bad input.
"""

from __future__ import annotations

import gc
import json
import os
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import click
import msgspec
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from worldstate.cli._app import cli
from worldstate.cli.snapshot import STRICT_HELP, echo_replay_problems
from worldstate.errors import ConfigurationError
from worldstate.export import (
    DEFAULT_BUDGET_BYTES,
    DEFAULT_FORMATS,
    DEFAULT_PREFIX,
    OUT_WRITER_ID,
    ExportEffects,
    ExportRequest,
    ExportRun,
    ExportSettings,
    PublishSettings,
    SourceRequest,
    budget_text,
    export_and_publish,
    writer_folders,
)
from worldstate.publish import (
    DEFAULT_COMMAND_TIMEOUT,
    ProviderChoice,
    PublishOutcome,
    UploadResult,
    WebhookRecord,
    check_webhook_url,
    parse_statuses,
    resolve_commands,
)
from worldstate.redact import Redactor
from worldstate.replay import RecordedEvent

__all__ = ["export_command", "publish_options", "publish_settings", "make_console", "print_uploads"]

PROGRESS_THRESHOLD = 2000
"""Event logs of at least this many lines show a replay progress bar (on a terminal, not for
stdin)."""

WEBHOOK_URL_VARIABLE = "TELEMETRY_BUDGET_WEBHOOK_URL"
WEBHOOK_STATUSES_VARIABLE = "TELEMETRY_BUDGET_WEBHOOK_STATUSES"

F = TypeVar("F", bound=Callable[..., Any])


def publish_options(command: F) -> F:
    """The provider options ``export`` and ``publish`` share."""
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
) -> PublishSettings:
    """The publishing options as a record (commands parsed, webhook resolved from env)."""
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
    )


@cli.command("export")
@click.option("--demo", is_flag=True, help="Export the bundled demo playthrough.")
@click.option(
    "--events", "events_log", metavar="FILE", help="Replay a JSONL event log ('-' = stdin)."
)
@click.option(
    "--snapshot", type=click.Path(path_type=Path), help="Hydrate a world snapshot (JSON)."
)
@click.option(
    "--summary", type=click.Path(path_type=Path), help="Export a summary built elsewhere."
)
@click.option("--save", type=click.Path(path_type=Path), metavar="DB", help="A save database.")
@click.option("--slot", help="The save slot to export (with --save).")
@click.option("--strict", is_flag=True, help=STRICT_HELP)
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    envvar="TELEMETRY_EXPORT_DIR",
    default=Path("telemetry-artifacts"),
    show_default=True,
    help="Artifact folder (env TELEMETRY_EXPORT_DIR).",
)
@click.option(
    "--formats", default=",".join(DEFAULT_FORMATS), show_default=True, help="Comma list of formats."
)
@click.option("--prefix", default=DEFAULT_PREFIX, show_default=True, help="File name prefix.")
@click.option("--generated-at", type=int, metavar="MS", help="Override generatedAt (ms).")
@click.option("--context", metavar="JSON", help="A JSON object added to the run context.")
@click.option(
    "--metadata",
    type=click.Path(path_type=Path),
    help="Manifest path [default: <out>/ci-artifacts.json].",
)
@click.option(
    "--publish/--no-publish",
    default=None,
    help="Run the upload providers. Default: when CI is true, 1 or yes.",
)
@click.option("--dry-run/--no-dry-run", default=None, help="Aliases of --no-publish/--publish.")
@publish_options
@click.option(
    "--budget-bytes",
    type=int,
    metavar="BYTES",
    help="Spatial payload budget (env TELEMETRY_SPATIAL_BUDGET_BYTES) "
    f"[default: {DEFAULT_BUDGET_BYTES}].",
)
@click.option("--fail-on-budget", is_flag=True, help="Exit 1 when the payload budget is exceeded.")
@click.option(
    "--budget-webhook",
    "webhook_url",
    metavar="URL",
    help="POST a message here when the budget is exceeded (env TELEMETRY_BUDGET_WEBHOOK_URL).",
)
@click.option(
    "--budget-webhook-status",
    "webhook_statuses",
    multiple=True,
    metavar="STATUS",
    help="Budget statuses that trigger the webhook (repeatable, comma lists) "
    "[default: exceeds_budget; env TELEMETRY_BUDGET_WEBHOOK_STATUSES].",
)
@click.option(
    "--mirror",
    type=click.Path(path_type=Path),
    multiple=True,
    help="Also write every artifact to this folder (repeatable).",
)
@click.option("--durable", is_flag=True, help="fsync every file and folder written.")
@click.option("--json", "as_json", is_flag=True, help="Print a machine-readable result.")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing on success.")
def export_command(
    *,
    demo: bool,
    events_log: str | None,
    snapshot: Path | None,
    summary: Path | None,
    save: Path | None,
    slot: str | None,
    strict: bool,
    out: Path,
    formats: str,
    prefix: str,
    generated_at: int | None,
    context: str | None,
    metadata: Path | None,
    publish: bool | None,
    dry_run: bool | None,
    ci_commands: tuple[str, ...],
    providers: tuple[str, ...],
    command_timeout: float,
    fail_on_publish_error: bool,
    budget_bytes: int | None,
    fail_on_budget: bool,
    webhook_url: str | None,
    webhook_statuses: tuple[str, ...],
    mirror: tuple[Path, ...],
    durable: bool,
    as_json: bool,
    quiet: bool,
) -> None:
    """Export inspector telemetry (JSON/CSV/Markdown), write the CI manifest, publish it.

    Exactly one source: --demo, --events, --snapshot, --summary or --save with --slot.
    """
    # A hydrated world is long-lived: frozen, the collector stops re-scanning it while the
    # summary and the artifacts are built (this process exits after one export).
    source = SourceRequest(demo, events_log, snapshot, summary, save, slot, strict, gc.freeze)
    try:
        source.check()
    except ConfigurationError as exc:
        raise click.UsageError(str(exc)) from exc
    env = os.environ
    # The only place the environment is read: secret values found here are redacted from the
    # manifest, the events, the budget files and everything printed.
    redactor = Redactor(env)
    settings = ExportSettings.resolve(
        out=out,
        prefix=prefix,
        formats=formats,
        metadata=metadata,
        dry_run=dry_run,
        publish=publish,
        context=context,
        generated_at=generated_at,
        env=env,
        mirrors=mirror,
        durable=durable,
        budget_bytes=budget_bytes,
    )
    publishing = publish_settings(
        ci_commands=ci_commands,
        providers=providers,
        command_timeout=command_timeout,
        env=env,
        webhook_url=webhook_url,
        webhook_statuses=webhook_statuses,
    )
    show_progress = not (quiet or as_json) and sys.stderr.isatty()
    effects = ExportEffects(
        env=env,
        redactor=redactor,
        progress=_progress if show_progress else None,
        # With --json, stdout is the document; the runner reads workflow commands on stderr too.
        stdout=sys.stderr if as_json else sys.stdout,
    )
    run = export_and_publish(ExportRequest(source, settings, publishing), effects)
    echo_replay_problems(source.label, run.source.problems)
    if as_json:
        click.echo(json.dumps(redactor(result_json(run)), indent=2, ensure_ascii=False))
    elif not (quiet and run.ok):
        _print_report(run, redactor)
    run.raise_for_failures(publish_errors=fail_on_publish_error, budget=fail_on_budget)


@contextmanager
def _progress(lines: int | None) -> Iterator[Callable[[RecordedEvent], None] | None]:
    """A replay progress bar over ``lines`` log lines (none for stdin or short logs)."""
    if lines is None or lines < PROGRESS_THRESHOLD:
        yield None
        return
    columns = (TextColumn("replaying"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("replay", total=lines)
        # By line number, not by event: blank lines are counted in the total but never replayed.
        yield lambda event: bar.update(task, completed=event.line)


def make_console() -> Console:
    """A console for reports: on a terminal, rich's; elsewhere (CI logs) plain, wide lines
    that are never wrapped or cut."""
    terminal = sys.stdout.isatty()
    return Console(
        highlight=False,
        soft_wrap=True,
        width=None if terminal else 1_000_000,
        no_color=not terminal,
    )


def _print_report(run: ExportRun, redactor: Redactor) -> None:
    console = make_console()
    console.print(_headline(run))
    console.print(_table(run))
    facts = [(label, redactor(value)) for label, value in _facts(run)]
    width = max(len(label) for label, _ in facts) + 2
    for label, value in facts:
        console.print(f"{label + ':':<{width}}{value}")
    print_uploads(console, run.publish, redactor)


def print_uploads(console: Console, outcome: PublishOutcome, redactor: Redactor) -> None:
    """One line per provider attempt."""
    for attempt in outcome.result.attempts:
        console.print(redactor(f"Upload: {_attempt_text(attempt)}"))


def _attempt_text(attempt: UploadResult) -> str:
    who = attempt.provider + (f" {attempt.command!r}" if attempt.command else "")
    details = [d for d in (attempt.skipped_reason, attempt.error_message) if d]
    if attempt.skipped_reason and attempt.exit_code:
        details.append(f"exit {attempt.exit_code}")
    if attempt.is_fallback:
        details.append("fallback")
    suffix = f" ({'; '.join(details)})" if details else ""
    return f"{who}: {attempt.status.value}{suffix}"


def _headline(run: ExportRun) -> str:
    writes = run.export.writes
    if run.ok:
        return (
            f"Export OK: {writes.artifacts_attempted} artifacts written to "
            f"{_plural(len(writes.writer_ids), 'folder')}."
        )
    attempted = len(writes.results) + 1  # the manifest
    return f"Export FAILED: {len(run.failures)} of {attempted} writes failed (details below)."


def _table(run: ExportRun) -> Table:
    """One row per artifact: name, size, then whether each writer wrote it."""
    writes = run.export.writes
    table = Table(show_edge=False, pad_edge=False)
    table.add_column("Artifact", no_wrap=True)
    table.add_column("Bytes", justify="right")
    for writer_id in writes.writer_ids:
        table.add_column(f"written ({writer_id})")
    for artifact in writes.artifacts:
        row = writes.for_artifact(artifact.filename)
        size = next((r.size for r in row if r.ok), artifact.size)
        table.add_row(artifact.filename, str(size), *("yes" if r.ok else "FAILED" for r in row))
    return table


def _facts(run: ExportRun) -> list[tuple[str, str]]:
    source, settings = run.source, run.settings
    origin = source.origin.label
    if source.events:
        origin += f", {_plural(source.events, 'event')} replayed"
    facts = [
        ("Summary source", f"{run.prepared.payload.source} (from {origin})"),
        ("Budget status", budget_text(run.prepared.budget_report)),
    ]
    facts += [
        (
            "Artifact folder" if writer_id == OUT_WRITER_ID else "Mirror folder",
            f"{path} ({writer_id})",
        )
        for writer_id, path in writer_folders(settings)
    ]
    manifest_state = "written" if run.manifest_written else "FAILED"
    facts += [
        ("Manifest", f"{settings.manifest_path} ({manifest_state})"),
        ("CI dry-run", str(settings.dry_run).lower()),
    ]
    if run.webhook is not None:
        facts.append(("Budget webhook", _webhook_text(run.webhook)))
    return facts


def _webhook_text(record: WebhookRecord) -> str:
    if not record.attempted:
        return "not needed (budget status does not trigger it)"
    if record.sent:
        return f"sent (HTTP {record.status})"
    return f"NOT sent ({record.error})"


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")


def result_json(run: ExportRun) -> dict[str, Any]:
    """The ``--json`` document; its context is the manifest's (redacted).

    The CLI passes the whole document through its redactor before printing it.
    """
    settings, prepared, writes = run.settings, run.prepared, run.export.writes
    manifest = run.manifest
    return {
        "ok": run.ok,
        "source": run.source.origin.value,
        "summarySource": prepared.payload.source,
        "eventsReplayed": run.source.events,
        "generatedAt": prepared.generated_at,
        "prefix": settings.prefix,
        "formats": list(settings.formats),
        "artifactDir": str(settings.out_dir),
        "artifacts": [
            {"filename": a.filename, "bytes": a.size, "type": a.type, "section": a.section}
            for a in prepared.artifacts
        ],
        "writes": [
            {
                "writer": r.writer_id,
                "filename": r.filename,
                "status": r.status.value,
                "location": r.location,
                "error": r.error,
            }
            for r in writes.results
        ],
        "budgetStatus": prepared.budget_status,
        "manifestPath": str(settings.manifest_path),
        "manifestWritten": run.manifest_written,
        "dryRun": settings.dry_run,
        "publish": settings.publish,
        "metrics": writes.to_json(),
        "context": manifest.context_json(),
        "commandResults": [json.loads(_encode(r)) for r in manifest.command_results],
        "budgetWebhook": None if run.webhook is None else json.loads(_encode(run.webhook)),
        "failures": [
            {"writer": f.writer_id, "filename": f.filename, "error": f.error} for f in run.failures
        ],
    }


def _encode(record: object) -> bytes:
    return msgspec.json.encode(record)
