"""One export run, end to end: source -> artifacts -> webhook -> manifest -> providers -> CI.

:func:`export_and_publish` is what ``worldstate export`` (and any other front end, such as a
test-session plugin) calls with one :class:`ExportRequest`; :func:`publish_folder` publishes
an export folder written earlier (``worldstate publish DIR``).  Every side effect comes in
through :class:`ExportEffects`.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, TextIO

import msgspec

from worldstate._js import js_string
from worldstate.clock import Clock, system_clock
from worldstate.errors import ConfigurationError, ExportError, InputError, SnapshotError
from worldstate.events import EventBus
from worldstate.export._pipeline import Exporter
from worldstate.export._records import ExportResult, PreparedExport, describe_write_failures
from worldstate.export._settings import ExportSettings
from worldstate.export._sources import (
    EVENTS_REPLAYED,
    ReplayProgress,
    SourceRequest,
    SummarySource,
)
from worldstate.inspector import BudgetReport, BudgetStatus, render_budget_markdown
from worldstate.publish import (
    DEFAULT_COMMAND_TIMEOUT,
    DEFAULT_WEBHOOK_STATUSES,
    CommandRunner,
    CommandSpec,
    GitHubReport,
    Manifest,
    ProviderChoice,
    ProviderPlan,
    PublishEffects,
    PublishOutcome,
    PublishRequest,
    SubprocessRunner,
    WebhookRecord,
    build_manifest,
    mask_secrets,
    plan_providers,
    publish_manifest,
    read_manifest,
    report_to_github,
    send_budget_webhook,
    webhook_due,
    webhook_lines,
)
from worldstate.redact import Redactor
from worldstate.storage import ExportDestinations
from worldstate.writers import EventSink, FileSystemWriter, Writer, WriteResult, WriterFanout

if TYPE_CHECKING:
    import httpx

__all__ = [
    "OUT_WRITER_ID",
    "PublishSettings",
    "ExportRequest",
    "ExportEffects",
    "ExportRun",
    "export_and_publish",
    "publish_folder",
    "writer_folders",
    "budget_text",
]

OUT_WRITER_ID: Final = "out"
"""The id of the writer into the artifact folder (mirrors are ``mirror-1``, ``mirror-2``, ...)."""


class PublishSettings(msgspec.Struct, frozen=True):
    """How an export is published.

    Attributes:
        commands: the configured upload commands.
        providers: providers chosen explicitly (empty: the default choice).
        command_timeout: seconds per command.
        webhook_url: the budget webhook (a secret), if any.
        webhook_statuses: budget statuses that trigger the webhook.
        upload_to: the ``storage`` provider's destination URL template, if any.
        storage_options: fsspec options for that destination.
    """

    commands: tuple[CommandSpec, ...] = ()
    providers: tuple[ProviderChoice, ...] = ()
    command_timeout: float = DEFAULT_COMMAND_TIMEOUT
    webhook_url: str | None = None
    webhook_statuses: tuple[str, ...] = DEFAULT_WEBHOOK_STATUSES
    upload_to: str | None = None
    storage_options: Mapping[str, Any] = msgspec.field(default_factory=dict)


class ExportRequest(msgspec.Struct, frozen=True):
    """Everything one export run is asked to do, already validated.

    Attributes:
        source: where the summary comes from.
        settings: the export's settings.
        publishing: how it is published.
        destinations: the artifact folder, mirrors and manifest as paths or URLs; ``None``
            writes to the settings' local folders.
    """

    source: SourceRequest
    settings: ExportSettings
    publishing: PublishSettings = msgspec.field(default_factory=PublishSettings)
    destinations: ExportDestinations | None = None


class ExportEffects(msgspec.Struct, frozen=True):
    """The side effects of a run, passed in.

    Attributes:
        env: the job's environment (read nowhere else).
        redactor: built from ``env``; redacts everything published.
        clock: "now" in ms.
        runner: runs upload commands.
        http: makes the HTTP client for the webhook (closed after use).
        stdout: where workflow commands (masks, annotations) go.
        bus: receives the export's and the publisher's events.
        progress: shows replay progress, if wanted.
        metrics: record OpenTelemetry metrics of the run (``worldstate[otel]``).
        meter_provider: the OpenTelemetry meter provider (default: the global one, a no-op
            until an application installs the SDK); giving one turns ``metrics`` on.
        spans: record an OpenTelemetry span for the export and one for the publish.
        tracer_provider: the OpenTelemetry tracer provider (default: the global one); giving
            one turns ``spans`` on.
    """

    env: Mapping[str, str]
    redactor: Redactor
    clock: Clock = system_clock
    runner: CommandRunner = msgspec.field(default_factory=SubprocessRunner)
    http: Callable[[], httpx.Client] = msgspec.field(default=lambda: _http_client())
    stdout: TextIO = msgspec.field(default_factory=lambda: sys.stdout)
    bus: EventSink | None = None
    progress: ReplayProgress | None = None
    metrics: bool = False
    meter_provider: Any = None
    spans: bool = False
    tracer_provider: Any = None

    def publish_effects(self) -> PublishEffects:
        """The subset publishing uses."""
        return PublishEffects(
            env=self.env,
            clock=self.clock,
            runner=self.runner,
            redactor=self.redactor,
            bus=self.bus,
        )

    @contextmanager
    def recording(self) -> Iterator[ExportEffects]:
        """These effects, with the OpenTelemetry recorders on the bus while the run lasts
        (a bus is made when none was given); unchanged when metrics and spans are off."""
        metrics = self.metrics or self.meter_provider is not None
        spans = self.spans or self.tracer_provider is not None
        if not (metrics or spans):
            yield self
            return
        from worldstate.otel import ExportMetrics, ExportSpans  # lazily: only when asked

        bus = self.bus if isinstance(self.bus, EventBus) else EventBus()
        if self.bus is not None and bus is not self.bus:
            raise ConfigurationError("metrics and spans need the run's bus to be an EventBus")
        stops = [ExportMetrics(self.meter_provider).subscribe(bus)] if metrics else []
        if spans:
            stops.append(ExportSpans(self.tracer_provider).subscribe(bus))
        try:
            yield msgspec.structs.replace(self, bus=bus)
        finally:
            for stop in stops:
                stop()


class ExportRun(msgspec.Struct, frozen=True):
    """What a run did.

    Attributes:
        settings: the settings it ran with.
        source: the summary source.
        export: the artifacts' writes.
        publish: the manifest and every provider attempt.
        webhook: the budget webhook's outcome, if one was configured.
    """

    settings: ExportSettings
    source: SummarySource
    export: ExportResult
    publish: PublishOutcome
    webhook: WebhookRecord | None = None

    @property
    def prepared(self) -> PreparedExport:
        """What was rendered."""
        return self.export.prepared

    @property
    def manifest(self) -> Manifest:
        """The manifest of record."""
        return self.publish.manifest

    @property
    def manifest_written(self) -> bool:
        """Whether every write of the manifest succeeded."""
        return all(w.ok for w in self.publish.manifest_writes)

    @property
    def failures(self) -> tuple[WriteResult, ...]:
        """Every failed write: the artifacts', then the manifest's (once)."""
        manifest = next((w for w in reversed(self.publish.manifest_writes) if not w.ok), None)
        return self.export.failures + ((manifest,) if manifest else ())

    @property
    def ok(self) -> bool:
        """Whether every artifact and the manifest were written (uploads are not counted)."""
        return not self.failures

    def raise_for_failures(self, *, publish_errors: bool = False, budget: bool = False) -> None:
        """Raise :class:`~worldstate.errors.ExportError` when a write failed, or (when asked)
        when an upload failed or the payload budget was exceeded."""
        if self.failures:
            raise ExportError(f"export failed: {describe_write_failures(self.failures)}")
        if publish_errors:
            self.publish.result.raise_for_failures()
        if budget and self.prepared.budget_report.has_budget_overruns:
            raise ExportError(
                f"the payload budget was exceeded ({budget_text(self.prepared.budget_report)}); "
                "see the budget-status files, or raise --budget-bytes"
            )


def writer_folders(settings: ExportSettings) -> list[tuple[str, Path]]:
    """``(writer id, folder)`` for the artifact folder and each mirror, in writing order."""
    mirrors = [(f"mirror-{n}", folder) for n, folder in enumerate(settings.mirrors, start=1)]
    return [(OUT_WRITER_ID, settings.out_dir), *mirrors]


def _writers(request: ExportRequest) -> list[Writer]:
    if request.destinations is not None:
        return request.destinations.writers()
    settings = request.settings
    return [
        FileSystemWriter(folder, durable=settings.durable, id=writer_id)
        for writer_id, folder in writer_folders(settings)
    ]


@contextmanager
def _exporter(request: ExportRequest, effects: ExportEffects) -> Iterator[Exporter]:
    settings = request.settings
    with Exporter(
        WriterFanout(_writers(request)),
        bus=effects.bus,
        clock=effects.clock,
        artifact_dir=settings.out_dir,
        run_context=settings.run_context,
        redactor=effects.redactor,
        budget_bytes=settings.budget_bytes,
    ) as exporter:
        yield exporter


def export_and_publish(request: ExportRequest, effects: ExportEffects) -> ExportRun:
    """Run one export: load the source, write the artifacts, send the budget webhook, write
    the manifest, run the providers, rewrite the manifest, report to GitHub Actions.

    With URL destinations the manifest is written through the storage after every artifact
    (a reader that sees it finds everything it lists); it then lists the artifacts the
    artifact folder stored.

    Raises:
        InputError, ConfigurationError: bad input or options; nothing was written.
    """
    with effects.recording() as recorded:
        return _export_and_publish(request, recorded)


def _export_and_publish(request: ExportRequest, effects: ExportEffects) -> ExportRun:
    settings, publishing = request.settings, request.publishing
    plan = _plan(settings.publish, publishing, effects.env)  # bad options fail before writing
    remote = request.destinations if request.destinations and request.destinations.remote else None
    if remote is not None and not plan.empty:
        raise ConfigurationError(
            "the upload providers copy a local export folder: with a URL --out or --metadata "
            "give --no-publish or --provider none, or export to a local --out with --upload-to URL"
        )
    mask_secrets(
        effects.env, effects.redactor, effects.stdout, extra=[publishing.webhook_url or ""]
    )
    source = request.source.load(
        generated_at=settings.generated_at, wall_clock=effects.clock, progress=effects.progress
    )
    _report_replay(source, effects.bus)
    with _exporter(request, effects) as exporter:
        try:
            prepared = exporter.prepare(
                source.summary, prefix=settings.prefix, formats=settings.formats, now=source.now
            )
        except SnapshotError as exc:  # name the file the bad summary came from
            raise SnapshotError(exc.message, source=request.source.label, path=exc.path) from exc
        result = exporter.run(prepared)
    webhook = _webhook(prepared.budget_report, settings, publishing, effects)
    manifest = build_manifest(
        generated_at=effects.clock(),
        dry_run=settings.dry_run,
        written=_stored(result) if remote else _written(result, settings.out_dir),
        context=_manifest_context(result, settings, remote),
        redactor=effects.redactor,
        budget_webhook=webhook,
    )
    outcome = publish_manifest(
        PublishRequest(
            manifest=manifest,
            manifest_path=settings.manifest_path,
            root=settings.out_dir,
            name=artifact_name(settings.run_context, settings.prefix, effects.env),
            plan=plan,
            publish=settings.publish,
            command_timeout=publishing.command_timeout,
            run_id=settings.run_context.get("runId"),
            retention_days=retention_days(settings.run_context),
            manifest_writer=remote.manifest_writer() if remote else None,
            manifest_filename=remote.manifest.name if remote else None,
        ),
        effects.publish_effects(),
    )
    report_to_github(
        outcome,
        _github_report(result, settings),
        name=artifact_name(settings.run_context, settings.prefix, effects.env),
        manifest_path=settings.manifest_path,
        env=effects.env,
        stream=effects.stdout,
    )
    return ExportRun(settings, source, result, outcome, webhook)


def _report_replay(source: SummarySource, bus: EventSink | None) -> None:
    if source.replayed and bus is not None and bus.has_listeners(EVENTS_REPLAYED):
        bus.emit(EVENTS_REPLAYED, source.replay_event())


def artifact_name(context: Mapping[str, Any], prefix: str, env: Mapping[str, str]) -> str:
    """The artifact's name: the run context's ``artifactName`` (a string), else the
    ``GITHUB_ARTIFACT_NAME`` environment variable, else the prefix."""
    for name in (context.get("artifactName"), env.get("GITHUB_ARTIFACT_NAME")):
        if isinstance(name, str) and name.strip():
            return name
    return prefix


def retention_days(context: Mapping[str, Any]) -> int | None:
    """The run context's ``retentionDays`` when it is a positive whole number, else ``None``."""
    days = context.get("retentionDays")
    if isinstance(days, int | float) and not isinstance(days, bool) and days >= 1:
        return int(days)
    return None


def _plan(publish: bool, publishing: PublishSettings, env: Mapping[str, str]) -> ProviderPlan:
    if not publish:
        return ProviderPlan()
    return _plan_for(publishing, env)


def _plan_for(publishing: PublishSettings, env: Mapping[str, str]) -> ProviderPlan:
    return plan_providers(
        publishing.providers,
        publishing.commands,
        env,
        upload_to=publishing.upload_to,
        storage_options=publishing.storage_options,
    )


def _stored(result: ExportResult) -> list[str]:
    """The URLs of the artifacts the artifact folder's writer stored, in artifact order."""
    return [r.location for r in result.writes.for_writer(OUT_WRITER_ID) if r.ok and r.location]


def _written(result: ExportResult, folder: Path) -> list[str]:
    """Absolute paths of the artifacts that reached ``folder``, in artifact order."""
    return [
        r.location
        for r in result.writes.results
        if r.ok and r.location is not None and Path(r.location).parent == folder
    ]


def _manifest_context(
    result: ExportResult, settings: ExportSettings, remote: ExportDestinations | None
) -> dict[str, Any]:
    prepared = result.prepared
    return {
        **settings.run_context,
        "prefix": prepared.prefix,
        "artifactDir": remote.out.display if remote else str(settings.out_dir),
        "artifactFilenames": [a.filename for a in prepared.artifacts],
        "metrics": result.writes.to_json(),
        "summarySource": prepared.payload.source or "unknown",
        "budgetStatus": prepared.budget_report.to_json(),
        "publish": settings.publish,
    }


def _webhook(
    report: BudgetReport,
    settings: ExportSettings,
    publishing: PublishSettings,
    effects: ExportEffects,
) -> WebhookRecord | None:
    if not publishing.webhook_url:
        return None
    if not webhook_due(report, publishing.webhook_statuses):
        return WebhookRecord(attempted=False)
    context = {**settings.run_context, "prefix": settings.prefix}
    lines = effects.redactor(webhook_lines(report, context))
    with effects.http() as client:
        return send_budget_webhook(publishing.webhook_url, lines, client=client)


def budget_text(report: BudgetReport) -> str:
    """The budget status in a few words, for a person."""
    status = report.status
    if status == BudgetStatus.EXCEEDS_BUDGET:
        over, budget = js_string(report.exceeded_by), js_string(report.budget_bytes)
        return f"{status} (by {over} bytes of {budget})"
    if status == BudgetStatus.UNKNOWN:
        return f"{status} (the summary has no spatial telemetry)"
    return status


def _github_report(result: ExportResult, settings: ExportSettings) -> GitHubReport:
    report = result.prepared.budget_report
    sizes = [(r.filename, r.size) for r in result.writes.for_writer(OUT_WRITER_ID) if r.ok]
    warning = None
    if report.has_budget_overruns:
        warning = (
            f"Inspector telemetry payload {budget_text(report)}; "
            f"see {settings.prefix}-budget-status.md"
        )
    return GitHubReport(
        budget_markdown=render_budget_markdown(report),
        budget_status=report.status,
        budget_warning=warning,
        artifacts=sizes,
        artifact_dir=settings.out_dir,
    )


def publish_folder(
    manifest_path: Path, publishing: PublishSettings, effects: ExportEffects
) -> PublishOutcome:
    """Publish an export folder written earlier, from its manifest (``worldstate publish``).

    The manifest's artifacts are uploaded with the configured providers, the manifest is
    rewritten with every attempt (records already in it are kept), and the step summary,
    outputs and annotations are written as after an export.

    Raises:
        InputError: the manifest is missing or malformed, or an artifact it lists is gone.
        ConfigurationError: bad provider options.
    """
    with effects.recording() as recorded:
        return _publish_folder(manifest_path, publishing, recorded)


def _publish_folder(
    manifest_path: Path, publishing: PublishSettings, effects: ExportEffects
) -> PublishOutcome:
    manifest = read_manifest(manifest_path)
    plan = _plan_for(publishing, effects.env)
    missing = [a.filepath for a in manifest.artifacts if not Path(a.filepath).is_file()]
    if missing:
        raise InputError(
            f"{len(missing)} artifact(s) listed in the manifest are missing: {', '.join(missing)}",
            source=str(manifest_path),
        )
    mask_secrets(effects.env, effects.redactor, effects.stdout)
    context = manifest.context_json()
    listed = Path(str(context.get("artifactDir") or manifest_path.parent))
    root = listed if listed.is_dir() else manifest_path.parent
    name = artifact_name(context, str(context.get("prefix") or root.name), effects.env)
    outcome = publish_manifest(
        PublishRequest(
            manifest=_for_publishing(manifest),
            manifest_path=manifest_path,
            root=root,
            name=name,
            plan=plan,
            publish=True,
            command_timeout=publishing.command_timeout,
            run_id=context.get("runId"),
            retention_days=retention_days(context),
        ),
        effects.publish_effects(),
    )
    report_to_github(
        outcome,
        _folder_report(manifest, context, root),
        name=name,
        manifest_path=manifest_path,
        env=effects.env,
        stream=effects.stdout,
    )
    return outcome


def _for_publishing(manifest: Manifest) -> Manifest:
    return msgspec.structs.replace(manifest, dry_run=False)


def _folder_report(manifest: Manifest, context: Mapping[str, Any], root: Path) -> GitHubReport:
    budget = context.get("budgetStatus")
    status = budget.get("status") if isinstance(budget, dict) else None
    markdown_files = [
        Path(a.filepath) for a in manifest.artifacts if a.filename.endswith("-budget-status.md")
    ]
    markdown = markdown_files[0].read_text("utf-8").rstrip("\n") if markdown_files else None
    overrun = isinstance(budget, dict) and budget.get("hasBudgetOverruns") is True
    return GitHubReport(
        budget_markdown=markdown,
        budget_status=str(status or BudgetStatus.UNKNOWN),
        budget_warning="Inspector telemetry payload exceeds its budget" if overrun else None,
        artifacts=[(a.filename, Path(a.filepath).stat().st_size) for a in manifest.artifacts],
        artifact_dir=root,
    )


def _http_client() -> httpx.Client:
    """A new HTTP client; httpx loads only when something is sent (a webhook)."""
    import httpx

    return httpx.Client()
