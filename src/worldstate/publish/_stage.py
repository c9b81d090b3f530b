"""Publishing an export folder: manifest first, then providers, then the manifest of record,
then what GitHub Actions shows (step summary, outputs, annotations)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TextIO

import msgspec

from worldstate.publish._commands import DEFAULT_COMMAND_TIMEOUT, CommandRunner, CommandUploader
from worldstate.publish._github import github_uploader, on_actions_runner
from worldstate.publish._manifest import (
    Manifest,
    manifest_artifact,
    merge_provider_results,
    write_manifest,
)
from worldstate.publish._model import UploadContext, Uploader
from worldstate.publish._publisher import ProviderPlan, Publisher, PublishResult
from worldstate.redact import MIN_SECRET_VALUE_LENGTH, Redactor
from worldstate.writers import EventSink, Writer, WriteResult

log = logging.getLogger(__name__)

__all__ = [
    "PublishRequest",
    "PublishEffects",
    "PublishOutcome",
    "GitHubReport",
    "publish_manifest",
    "report_to_github",
    "mask_secrets",
]


class PublishRequest(msgspec.Struct, frozen=True):
    """What to publish and how.

    Attributes:
        manifest: the manifest as it stands before any provider runs.
        manifest_path: where it is written (absolute).
        root: the artifact folder.
        name: the artifact name (the export's prefix).
        plan: the providers to run.
        publish: ``False`` runs no provider (a dry run).
        command_timeout: seconds per command unless its own configuration says otherwise.
        run_id: the CI run id, when known.
        retention_days: the requested artifact retention, when given.
        manifest_writer: writes the manifest instead of ``manifest_path`` (object storage);
            then no provider may run, since providers read local files.
        manifest_filename: the manifest's file name with ``manifest_writer``.
    """

    manifest: Manifest
    manifest_path: Path
    root: Path
    name: str
    plan: ProviderPlan
    publish: bool
    command_timeout: float = DEFAULT_COMMAND_TIMEOUT
    run_id: str | None = None
    retention_days: int | None = None
    manifest_writer: Writer | None = None
    manifest_filename: str | None = None

    def write(self, manifest: Manifest) -> WriteResult:
        """Write ``manifest`` where it belongs, atomically."""
        if self.manifest_writer is None:
            return write_manifest(manifest, self.manifest_path)
        name = self.manifest_filename or self.manifest_path.name
        return self.manifest_writer.write(manifest_artifact(manifest, name))


class PublishEffects(msgspec.Struct, frozen=True):
    """The side effects publishing uses, passed in.

    Attributes:
        env: the job's environment (commands run with it; providers read their settings).
        clock: "now" in ms.
        runner: runs commands.
        redactor: redacts provider output.
        bus: receives the publish events.
        github: builds the ``github`` provider for ``env``.
    """

    env: Mapping[str, str]
    clock: Callable[[], int]
    runner: CommandRunner
    redactor: Redactor
    bus: EventSink | None = None
    github: Callable[..., Uploader] = msgspec.field(default=github_uploader)


class PublishOutcome(msgspec.Struct, frozen=True):
    """What publishing did.

    Attributes:
        manifest: the manifest of record (as last written).
        result: every provider attempt.
        manifest_writes: the manifest's writes (before providers, and after them if they ran).
    """

    manifest: Manifest
    result: PublishResult
    manifest_writes: tuple[WriteResult, ...]

    @property
    def manifest_write(self) -> WriteResult:
        """The manifest's last write."""
        return self.manifest_writes[-1]


def _uploaders(request: PublishRequest, effects: PublishEffects) -> Publisher:
    commands = [
        CommandUploader(
            spec,
            runner=effects.runner,
            redactor=effects.redactor,
            clock=effects.clock,
            timeout=request.command_timeout,
        )
        for spec in request.plan.commands
    ]
    github = effects.github(effects.env, clock=effects.clock)
    providers: list[Uploader] = [github] if request.plan.github else []
    if request.plan.storage is not None:
        from worldstate.publish._storage import StorageUploader  # a destination URL only

        providers.append(
            StorageUploader(
                request.plan.storage,
                storage_options=request.plan.storage_options,
                clock=effects.clock,
            )
        )
    return Publisher(
        commands=commands,
        providers=providers,
        fallback=github if request.plan.github_fallback else None,
        bus=effects.bus,
        clock=effects.clock,
    )


def publish_manifest(request: PublishRequest, effects: PublishEffects) -> PublishOutcome:
    """Write the manifest, run the providers, then rewrite it with every attempt.

    The first write happens before any provider runs, so provider scripts can read it; records
    they append to its ``providerResults`` are kept in the rewrite.  Every write is atomic.
    A dry run (or a plan with no provider) writes the manifest once.
    """
    first = request.write(request.manifest)
    if not request.publish or request.plan.empty:
        return PublishOutcome(
            request.manifest, PublishResult(dry_run=not request.publish), (first,)
        )
    context = UploadContext(
        manifest_path=request.manifest_path,
        prefix=request.name,
        run_id=request.run_id,
        retention_days=request.retention_days,
        env=effects.env,
    )
    files = [Path(a.filepath) for a in request.manifest.artifacts]
    result = _uploaders(request, effects).publish(
        files, root=request.root, name=request.name, context=context
    )
    on_disk = merge_provider_results(request.manifest_path, request.manifest)
    final = request.manifest.with_results(result.attempts, provider_results=on_disk)
    return PublishOutcome(final, result, (first, request.write(final)))


def mask_secrets(
    env: Mapping[str, str], redactor: Redactor, stream: TextIO, extra: Iterable[str] = ()
) -> None:
    """On a GitHub Actions runner, ``::add-mask::`` every secret value found in ``env`` (and
    ``extra``, such as a webhook URL) before anything else is printed."""
    if not on_actions_runner(env):
        return
    from worldstate.publish._workflow import WorkflowCommands  # on a runner only

    values = {v.strip() for v in env.values() if redactor.is_secret_text(v)} | {
        v.strip() for v in extra if v
    }
    commands = WorkflowCommands(stream)
    for value in sorted(v for v in values if len(v) >= MIN_SECRET_VALUE_LENGTH):
        commands.add_mask(value)


class GitHubReport(msgspec.Struct, frozen=True):
    """What a publish shows in GitHub Actions.

    Attributes:
        budget_markdown: the budget report's Markdown, if there is one.
        budget_status: the budget status (a step output).
        budget_warning: an annotation for a budget overrun, if there was one.
        artifacts: ``(file name, bytes)`` of each written artifact.
        artifact_dir: the artifact folder (a step output).
    """

    budget_markdown: str | None
    budget_status: str
    budget_warning: str | None
    artifacts: Sequence[tuple[str, int]]
    artifact_dir: Path


def report_to_github(
    outcome: PublishOutcome,
    report: GitHubReport,
    *,
    name: str,
    manifest_path: Path,
    env: Mapping[str, str],
    stream: TextIO,
) -> None:
    """Append the step summary, write the step outputs, print the warning annotations.

    Each only where GitHub Actions asked for it (``GITHUB_STEP_SUMMARY``, ``GITHUB_OUTPUT``,
    a runner); outside GitHub nothing is written.
    """
    # Each module is imported where GitHub Actions asked for its part: outside it, none is.
    attempts = outcome.result.attempts
    # The job's own files: a failure to write them is logged, never fatal (telemetry must not
    # break a build).
    if env.get("GITHUB_STEP_SUMMARY"):
        from worldstate.publish._report import step_summary
        from worldstate.publish._workflow import append_step_summary

        text = step_summary(report.budget_markdown, attempts, report.artifacts)
        _try("step summary", lambda: append_step_summary(Path(env["GITHUB_STEP_SUMMARY"]), text))
    if env.get("GITHUB_OUTPUT"):
        from worldstate.publish._workflow import write_outputs

        outputs = _outputs(outcome, report, name, manifest_path)
        _try("step outputs", lambda: write_outputs(Path(env["GITHUB_OUTPUT"]), outputs))
    if not on_actions_runner(env):
        return
    from worldstate.publish._workflow import WorkflowCommands

    commands = WorkflowCommands(stream)
    if report.budget_warning:
        commands.warning(report.budget_warning, title="Telemetry payload budget exceeded")
    for failure in outcome.result.failures:
        message = failure.error_message or f"status {failure.status.value}"
        commands.warning(
            f"{failure.command or failure.provider}: {message}",
            title=f"Telemetry upload {failure.status.value}",
        )


def _try(what: str, write: Callable[[], None]) -> None:
    try:
        write()
    except OSError as exc:
        log.warning("could not write the GitHub %s: %s", what, exc.strerror or exc)


def _outputs(
    outcome: PublishOutcome, report: GitHubReport, name: str, manifest_path: Path
) -> dict[str, str]:
    uploaded = outcome.result.uploaded()
    outputs = {
        "manifest": str(manifest_path),
        "artifact-dir": str(report.artifact_dir),
        "artifact-name": uploaded.artifact_name if uploaded and uploaded.artifact_name else name,
    }
    if uploaded is not None and uploaded.artifact_id:
        outputs["artifact-id"] = uploaded.artifact_id
    if uploaded is not None and uploaded.artifact_url:
        outputs["artifact-url"] = uploaded.artifact_url
    outputs["budget-status"] = report.budget_status
    return outputs
