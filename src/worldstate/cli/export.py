"""``worldstate export``: write an inspector telemetry export and its CI manifest.

Flow: parse options -> resolve :class:`ExportSettings` -> load and validate the source -> render
every artifact -> write them through the writers -> write the manifest -> report.  Nothing is
written before every input has been read and validated.  Exit codes: 0 ok, 1 a write failed,
2 usage or bad input.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from worldstate.cli._app import JobFailed, cli
from worldstate.clock import system_clock
from worldstate.errors import SnapshotError
from worldstate.export import Exporter, ExportResult, ExportSettings, sources
from worldstate.export.sources import SummarySource
from worldstate.inspector import BudgetReport
from worldstate.redact import Redactor
from worldstate.replay import RecordedEvent
from worldstate.storage import ExportDestinations, source_label
from worldstate.writers import WriterFanout

__all__ = ["export_command"]

PROGRESS_THRESHOLD = 2000
"""Event logs of at least this many lines show a replay progress bar (on a terminal, not for
stdin)."""

SOURCE_OPTIONS = ("--demo", "--events", "--snapshot", "--summary", "--save")

OUT_WRITER_ID = "out"
"""The id of the writer into ``--out`` (mirrors are ``mirror-1``, ``mirror-2``, ...)."""

ORIGIN_LABELS = {
    "demo": "the bundled demo playthrough",
    "events": "an event log",
    "snapshot": "a snapshot file",
    "summary": "a summary file",
    "save": "a save slot",
}


@cli.command("export")
@click.option("--demo", is_flag=True, help="Export the bundled demo playthrough.")
@click.option(
    "--events", "events_log", metavar="FILE", help="Replay a JSONL event log ('-' = stdin)."
)
@click.option("--snapshot", metavar="PATH|URL", help="Hydrate a world snapshot (JSON).")
@click.option("--summary", metavar="PATH|URL", help="Export a summary built elsewhere.")
@click.option("--save", type=click.Path(path_type=Path), metavar="DB", help="A save database.")
@click.option("--slot", help="The save slot to export (with --save).")
@click.option(
    "--out",
    metavar="PATH|URL",
    envvar="TELEMETRY_EXPORT_DIR",
    default="telemetry-artifacts",
    show_default=True,
    help="Artifact folder (env TELEMETRY_EXPORT_DIR).",
)
@click.option("--formats", default="json,csv", show_default=True, help="Comma list of formats.")
@click.option("--prefix", default="save-inspector", show_default=True, help="File name prefix.")
@click.option("--generated-at", type=int, metavar="MS", help="Override generatedAt (ms).")
@click.option("--context", metavar="JSON", help="A JSON object added to the run context.")
@click.option(
    "--metadata",
    metavar="PATH|URL",
    help="Manifest path [default: <out>/ci-artifacts.json].",
)
@click.option("--publish/--no-publish", default=False, help="Request publishing (recorded only).")
@click.option("--dry-run/--no-dry-run", default=None, help="Default: dry-run unless CI is true.")
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
@click.option("--json", "as_json", is_flag=True, help="Print a machine-readable result.")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing on success.")
def export_command(
    *,
    demo: bool,
    events_log: str | None,
    snapshot: str | None,
    summary: str | None,
    save: Path | None,
    slot: str | None,
    out: str,
    formats: str,
    prefix: str,
    generated_at: int | None,
    context: str | None,
    metadata: str | None,
    publish: bool,
    dry_run: bool | None,
    mirror: tuple[str, ...],
    storage_option: tuple[str, ...],
    upload_to: str | None,
    durable: bool,
    as_json: bool,
    quiet: bool,
) -> None:
    """Export inspector telemetry (JSON/CSV/Markdown) and write the CI manifest.

    Exactly one source: --demo, --events, --snapshot, --summary or --save with --slot.
    """
    destinations = ExportDestinations.resolve(
        out=out,
        mirrors=mirror,
        metadata=metadata,
        storage_options=storage_option,
        env=os.environ,
        durable=durable,
    )
    choice = SourceChoice(demo, events_log, snapshot, summary, save, slot, destinations)
    choice.check()
    # The only place the environment is read: secret values found here are redacted from the
    # manifest, the events, the budget files and everything printed.
    redactor = Redactor(os.environ)
    settings = ExportSettings.resolve(
        out=destinations.local_out,
        prefix=prefix,
        formats=formats,
        metadata=destinations.local_metadata,
        dry_run=dry_run,
        publish=publish,
        context=context,
        generated_at=generated_at,
        env=os.environ,
        durable=durable,
    )
    show_progress = not (quiet or as_json) and sys.stderr.isatty()
    source = choice.load(generated_at=settings.generated_at, show_progress=show_progress)
    with _exporter(settings, redactor, destinations) as exporter:
        try:
            prepared = exporter.prepare(
                source.summary, prefix=settings.prefix, formats=settings.formats, now=source.now
            )
        except SnapshotError as exc:  # name the file the bad summary came from
            raise SnapshotError(exc.message, source=choice.label, path=exc.path) from exc
        result = destinations.finish(exporter.run(prepared), exporter)
    if as_json:
        document = redactor(result_json(result, settings, source, destinations))
        click.echo(json.dumps(document, indent=2, ensure_ascii=False))
    elif not (quiet and result.ok):
        _print_report(result, settings, source, redactor, destinations)
    if not result.ok:
        raise JobFailed(f"export failed: {result.failure_message()}")
    if upload_to is not None:
        upload = destinations.upload(upload_to, result, settings.run_context.get("runId"))
        if not upload.ok:
            raise JobFailed(f"upload to {upload.artifact_url} failed: {upload.error_message}")
        if not quiet:
            click.echo(f"Uploaded {len(upload.files)} files to {upload.artifact_url}")


@dataclass(frozen=True, slots=True)
class SourceChoice:
    """The source options as given on the command line (exactly one must be set)."""

    demo: bool
    events_log: str | None
    snapshot: str | None
    summary: str | None
    save: Path | None
    slot: str | None
    destinations: ExportDestinations

    def check(self) -> None:
        """Refuse zero or several sources, and ``--save`` without ``--slot`` (or the reverse).

        Raises:
            click.UsageError: names the sources given and the ones accepted.
        """
        values = (self.demo, self.events_log, self.snapshot, self.summary, self.save)
        given = [name for name, value in zip(SOURCE_OPTIONS, values, strict=True) if value]
        if len(given) != 1:
            found = ", ".join(given) if given else "none"
            raise click.UsageError(
                f"give exactly one source of {', '.join(SOURCE_OPTIONS)} (given: {found})"
            )
        if (self.save is None) != (self.slot is None):
            raise click.UsageError("--save DB and --slot NAME go together: give both")

    @property
    def label(self) -> str:
        """The chosen source as a user would name it in a message (a path, or ``demo``)."""
        given = self.summary or self.snapshot or self.events_log or self.save
        return "demo" if given is None else source_label(given)

    def load(self, *, generated_at: int | None, show_progress: bool) -> SummarySource:
        """Read, validate and summarise the chosen source (nothing is written)."""
        if self.demo or self.events_log is not None:
            return self._replay(generated_at, show_progress)
        now = generated_at if generated_at is not None else system_clock()
        if self.snapshot is not None:
            world = sources.load_snapshot(self.snapshot, **self._storage())
            return sources.summary_from_snapshot(world, origin="snapshot", now=now)
        if self.summary is not None:
            raw = sources.load_summary_file(self.summary, **self._storage())
            if raw is not None and generated_at is not None:
                raw = {**raw, "generatedAt": generated_at}
            return SummarySource(raw, now, "summary")
        from worldstate.saves import read_world_snapshot  # lazily: only --save needs SQLite

        assert self.save is not None and self.slot is not None  # guaranteed by check()
        world = read_world_snapshot(self.save, self.slot)
        return sources.summary_from_snapshot(world, origin="save", now=now)

    def _storage(self) -> dict[str, Any]:
        return {"storage_options": self.destinations.options, "env": self.destinations.env}

    def _replay(self, generated_at: int | None, show_progress: bool) -> SummarySource:
        events: Iterable[RecordedEvent]
        lines: int | None
        if self.demo:
            demo = sources.demo_events()
            events, lines = demo, (demo[-1].line if demo else 0)
        else:
            log = self.events_log or "-"
            # Streamed into the replay, never held in memory; only a bar needs the line count.
            events = sources.stream_event_log(log, **self._storage())
            lines = sources.count_log_lines(log) if show_progress else None
        with _progress(lines, enabled=show_progress) as advance:
            return sources.summary_from_events(
                events,
                origin="demo" if self.demo else "events",
                generated_at=generated_at,
                wall_clock=system_clock,
                on_event=advance,
            )


@contextmanager
def _progress(
    lines: int | None, *, enabled: bool
) -> Iterator[Callable[[RecordedEvent], None] | None]:
    """A replay progress bar over ``lines`` log lines (none for stdin or short logs)."""
    if not enabled or lines is None or lines < PROGRESS_THRESHOLD:
        yield None
        return
    columns = (TextColumn("replaying"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("replay", total=lines)
        # By line number, not by event: blank lines are counted in the total but never replayed.
        yield lambda event: bar.update(task, completed=event.line)


@contextmanager
def _exporter(
    settings: ExportSettings, redactor: Redactor, destinations: ExportDestinations
) -> Iterator[Exporter]:
    own_manifest = not destinations.writes_manifest
    exporter = Exporter(
        WriterFanout(destinations.writers()),
        manifest_path=settings.manifest_path if own_manifest else None,
        artifact_dir=settings.out_dir if own_manifest else None,
        dry_run=settings.dry_run,
        publish=settings.publish,
        run_context=settings.run_context,
        redactor=redactor,
    )
    with exporter:
        yield exporter


def _print_report(
    result: ExportResult,
    settings: ExportSettings,
    source: SummarySource,
    redactor: Redactor,
    destinations: ExportDestinations,
) -> None:
    console = Console(highlight=False, soft_wrap=True)
    console.print(_headline(result))
    console.print(_table(result))
    facts = [
        (label, redactor(value)) for label, value in _facts(result, settings, source, destinations)
    ]
    width = max(len(label) for label, _ in facts) + 2
    for label, value in facts:
        console.print(f"{label + ':':<{width}}{value}")


def _headline(result: ExportResult) -> str:
    writes = result.writes
    if result.ok:
        return (
            f"Export OK: {writes.artifacts_attempted} artifacts written to "
            f"{_plural(len(writes.writer_ids), 'folder')}."
        )
    attempted = len(writes.results) + (1 if result.manifest_write else 0)
    return f"Export FAILED: {len(result.failures)} of {attempted} writes failed (details below)."


def _table(result: ExportResult) -> Table:
    """One row per artifact: name, size, then whether each writer wrote it."""
    writes = result.writes
    table = Table(show_edge=False, pad_edge=False)
    table.add_column("Artifact")
    table.add_column("Bytes", justify="right")
    for writer_id in writes.writer_ids:
        table.add_column(f"written ({writer_id})")
    for artifact in writes.artifacts:
        row = writes.for_artifact(artifact.filename)
        size = next((r.size for r in row if r.ok), artifact.size)
        table.add_row(artifact.filename, str(size), *("yes" if r.ok else "FAILED" for r in row))
    return table


def _facts(
    result: ExportResult,
    settings: ExportSettings,
    source: SummarySource,
    destinations: ExportDestinations,
) -> list[tuple[str, str]]:
    origin = ORIGIN_LABELS.get(source.origin, source.origin)
    if source.events:
        origin += f", {_plural(source.events, 'event')} replayed"
    facts = [
        ("Summary source", f"{result.prepared.payload.source} (from {origin})"),
        ("Budget status", _budget_text(result.prepared.budget_report)),
    ]
    facts += [
        (
            "Artifact folder" if writer_id == OUT_WRITER_ID else "Mirror folder",
            f"{path} ({writer_id})",
        )
        for writer_id, path in destinations.folders()
    ]
    manifest_state = "written" if result.manifest_write and result.manifest_write.ok else "FAILED"
    facts += [
        ("Manifest", f"{destinations.manifest} ({manifest_state})"),
        ("CI dry-run", str(settings.dry_run).lower()),
    ]
    return facts


def _budget_text(report: BudgetReport) -> str:
    status = report.status
    if status == "exceeds_budget":
        return f"{status} (by {report.exceeded_by} bytes of {report.budget_bytes})"
    if status == "unknown":
        return f"{status} (the summary has no spatial telemetry)"
    return status


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")


def result_json(
    result: ExportResult,
    settings: ExportSettings,
    source: SummarySource,
    destinations: ExportDestinations,
) -> dict[str, Any]:
    """The ``--json`` document; its context is the manifest's (redacted).

    The CLI passes the whole document through its redactor before printing it.
    """
    manifest: Mapping[str, Any] | None = result.manifest.to_json() if result.manifest else None
    return {
        "ok": result.ok,
        "source": source.origin,
        "summarySource": result.prepared.payload.source,
        "eventsReplayed": source.events,
        "generatedAt": result.prepared.generated_at,
        "prefix": settings.prefix,
        "formats": list(settings.formats),
        "artifactDir": str(destinations.out),
        "artifacts": [
            {"filename": a.filename, "bytes": a.size, "type": a.type, "section": a.section}
            for a in result.prepared.artifacts
        ],
        "writes": [
            {
                "writer": r.writer_id,
                "filename": r.filename,
                "status": r.status.value,
                "location": r.location,
                "error": r.error,
            }
            for r in result.writes.results
        ],
        "budgetStatus": result.prepared.budget_status,
        "manifestPath": str(destinations.manifest),
        "manifestWritten": bool(result.manifest_write and result.manifest_write.ok),
        "dryRun": settings.dry_run,
        "publish": settings.publish,
        "metrics": result.writes.to_json(),
        "context": manifest["context"] if manifest else None,
        "failures": [
            {"writer": f.writer_id, "filename": f.filename, "error": f.error}
            for f in result.failures
        ],
    }
