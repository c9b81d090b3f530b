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
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
import msgspec

from worldstate._collector import collector_paused
from worldstate.cli._app import cli, echo_replay_problems
from worldstate.cli._options import json_option, publish_options, publish_settings, strict_option
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
    SourceRequest,
    budget_text,
    export_and_publish,
)
from worldstate.redact import Redactor
from worldstate.storage import ExportDestinations

if TYPE_CHECKING:
    from worldstate.cli._console import ReportConsole, ReportTable
    from worldstate.publish import PublishOutcome, UploadResult, WebhookRecord
    from worldstate.replay import RecordedEvent

__all__ = ["export_command", "print_uploads"]

PROGRESS_THRESHOLD = 2000
"""Event logs of at least this many lines show replay progress (not for stdin): a bar on a
terminal, a plain line every few seconds elsewhere."""


@cli.command("export")
@click.option("--demo", is_flag=True, help="Export the bundled demo playthrough.")
@click.option(
    "--events", "events_log", metavar="FILE", help="Replay a JSONL event log ('-' = stdin)."
)
@click.option("--snapshot", metavar="PATH|URL", help="Hydrate a world snapshot (JSON).")
@click.option("--summary", metavar="PATH|URL", help="Export a summary built elsewhere.")
@click.option("--save", type=click.Path(path_type=Path), metavar="DB", help="A save database.")
@click.option("--slot", help="The save slot to export (with --save).")
@strict_option()
@click.option(
    "--out",
    metavar="PATH|URL",
    envvar="TELEMETRY_EXPORT_DIR",
    default="telemetry-artifacts",
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
    metavar="PATH|URL",
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
    metavar="PATH|URL",
    multiple=True,
    help="Also write every artifact to this folder (repeatable).",
)
@click.option(
    "--storage-option",
    metavar="KEY=VALUE",
    multiple=True,
    help="An fsspec storage option for URL folders and inputs (repeatable).",
)
@click.option(
    "--upload-to",
    metavar="URL",
    help="Copy the finished export folder here ({runId}, {prefix}, {date} are filled in).",
)
@click.option("--durable", is_flag=True, help="fsync every file and folder written.")
@json_option("Print a machine-readable result.")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing on success.")
def export_command(
    *,
    demo: bool,
    events_log: str | None,
    snapshot: str | None,
    summary: str | None,
    save: Path | None,
    slot: str | None,
    strict: bool,
    out: str,
    formats: str,
    prefix: str,
    generated_at: int | None,
    context: str | None,
    metadata: str | None,
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
    mirror: tuple[str, ...],
    storage_option: tuple[str, ...],
    upload_to: str | None,
    durable: bool,
    as_json: bool,
    quiet: bool,
) -> None:
    """Export inspector telemetry (JSON/CSV/Markdown), write the CI manifest, publish it.

    Exactly one source: --demo, --events, --snapshot, --summary or --save with --slot.
    """
    env = os.environ
    destinations = ExportDestinations.resolve(
        out=out,
        mirrors=mirror,
        metadata=metadata,
        storage_options=storage_option,
        env=env,
        durable=durable,
    )
    storage = {"storage_options": destinations.options, "env": env}
    # A hydrated world is long-lived: frozen, the collector stops re-scanning it while the
    # summary and the artifacts are built (this process exits after one export); while it is
    # decoded and hydrated, or replayed, the collector is paused (no cycles there, only
    # re-scans).
    source = SourceRequest(
        demo,
        events_log,
        snapshot,
        summary,
        save,
        slot,
        strict,
        gc.freeze,
        collector_paused,
        **storage,
    )
    try:
        source.check()
    except ConfigurationError as exc:
        raise click.UsageError(str(exc)) from exc
    if upload_to is not None and publish is None and dry_run is None:
        publish = True  # asking for a copy is asking to publish
    # The only place the environment is read: secret values found here are redacted from the
    # manifest, the events, the budget files and everything printed.
    redactor = Redactor(env)
    settings = ExportSettings.resolve(
        out=destinations.local_out,
        prefix=prefix,
        formats=formats,
        metadata=destinations.local_metadata,
        dry_run=dry_run,
        publish=publish,
        context=context,
        generated_at=generated_at,
        env=env,
        mirrors=destinations.local_mirrors,
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
        upload_to=upload_to,
        storage_options=destinations.options,
    )
    show_progress = not (quiet or as_json)  # a bar on a terminal, plain lines elsewhere
    effects = ExportEffects(
        env=env,
        redactor=redactor,
        progress=_progress if show_progress else None,
        # With --json, stdout is the document; the runner reads workflow commands on stderr too.
        stdout=sys.stderr if as_json else sys.stdout,
        metrics=otel_signal_requested(env, "metrics"),
        spans=otel_signal_requested(env, "traces"),
    )
    request = ExportRequest(source, settings, publishing, destinations)
    run = export_and_publish(request, effects)
    echo_replay_problems(source.label, run.source.problems)
    if as_json:
        document = result_json(run, destinations)
        click.echo(json.dumps(redactor(document), indent=2, ensure_ascii=False))
    elif not (quiet and run.ok):
        _print_report(run, redactor, destinations)
    # A copy asked for with --upload-to that failed is a failed job.
    publish_errors = fail_on_publish_error or upload_to is not None
    run.raise_for_failures(publish_errors=publish_errors, budget=fail_on_budget)


def otel_signal_requested(env: Mapping[str, str], signal: str) -> bool:
    """Whether the environment configures an OpenTelemetry ``signal`` (``metrics`` or
    ``traces``): ``OTEL_<SIGNAL>_EXPORTER`` other than ``none``, or an OTLP endpoint.  Only
    then is OpenTelemetry imported."""
    exporter = env.get(f"OTEL_{signal.upper()}_EXPORTER", "").strip().lower()
    if exporter:
        return exporter != "none"
    return bool(
        env.get(f"OTEL_EXPORTER_OTLP_{signal.upper()}_ENDPOINT")
        or env.get("OTEL_EXPORTER_OTLP_ENDPOINT")
    )


@contextmanager
def _progress(lines: int | None) -> Iterator[Callable[[RecordedEvent], None] | None]:
    """Replay progress over ``lines`` log lines (none for stdin or short logs)."""
    if lines is None or lines < PROGRESS_THRESHOLD:
        yield None
        return
    from worldstate.cli._progress import replay_progress  # long logs only

    with replay_progress(lines, stream=sys.stderr, terminal=sys.stderr.isatty()) as advance:
        yield advance


def _print_report(run: ExportRun, redactor: Redactor, destinations: ExportDestinations) -> None:
    from worldstate.cli._console import make_console, new_table  # not with --quiet or --json

    console = make_console()
    console.print(_headline(run))
    console.print(_table(run, new_table(console)))
    facts = [(label, redactor(value)) for label, value in _facts(run, destinations)]
    width = max(len(label) for label, _ in facts) + 2
    for label, value in facts:
        console.print(f"{label + ':':<{width}}{value}")
    print_uploads(console, run.publish, redactor)


def print_uploads(console: ReportConsole, outcome: PublishOutcome, redactor: Redactor) -> None:
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


def _table(run: ExportRun, table: ReportTable) -> ReportTable:
    """One row per artifact: name, size, then whether each writer wrote it."""
    writes = run.export.writes
    table.add_column("Artifact", no_wrap=True)
    table.add_column("Bytes", justify="right")
    for writer_id in writes.writer_ids:
        table.add_column(f"written ({writer_id})")
    for artifact in writes.artifacts:
        row = writes.for_artifact(artifact.filename)
        size = next((r.size for r in row if r.ok), artifact.size)
        table.add_row(artifact.filename, str(size), *("yes" if r.ok else "FAILED" for r in row))
    return table


def _facts(run: ExportRun, destinations: ExportDestinations) -> list[tuple[str, str]]:
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
            f"{path.display} ({writer_id})",
        )
        for writer_id, path in destinations.folders()
    ]
    manifest_state = "written" if run.manifest_written else "FAILED"
    facts += [
        ("Manifest", f"{destinations.manifest.display} ({manifest_state})"),
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


def result_json(run: ExportRun, destinations: ExportDestinations) -> dict[str, Any]:
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
        "artifactDir": destinations.out.display,
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
        "manifestPath": destinations.manifest.display,
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
