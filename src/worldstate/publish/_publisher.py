"""The publisher: runs every provider, isolates their failures, reports the attempts."""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import msgspec

from worldstate._js import iso_from_ms
from worldstate.clock import system_clock
from worldstate.errors import ConfigurationError, ExportError
from worldstate.publish._commands import CommandSpec, CommandUploader
from worldstate.publish._github import missing_runtime_variables, on_actions_runner
from worldstate.publish._manifest import command_record
from worldstate.publish._model import UploadContext, Uploader, UploadResult, UploadStatus
from worldstate.writers import EventSink

__all__ = [
    "PUBLISH_STARTED",
    "PUBLISH_COMPLETED",
    "PUBLISH_FAILED",
    "TRUE_VALUES",
    "ProviderChoice",
    "ProviderPlan",
    "plan_providers",
    "ci_requested",
    "Publisher",
    "PublishResult",
]

log = logging.getLogger(__name__)

PUBLISH_STARTED: Final = "telemetry:ci_publish_started"
PUBLISH_COMPLETED: Final = "telemetry:ci_publish_completed"
PUBLISH_FAILED: Final = "telemetry:ci_publish_failed"

TRUE_VALUES: Final = frozenset({"true", "1", "yes"})
"""Values of ``CI`` (any case, surrounding spaces ignored) that mean "running in CI"."""

_UNSUCCESSFUL: Final = frozenset({UploadStatus.FAILED, UploadStatus.TIMEOUT, UploadStatus.PARTIAL})


def ci_requested(flag: bool | None, env: Mapping[str, str]) -> bool:
    """Whether to publish: a flag wins, else ``CI`` is ``true``/``1``/``yes`` (any case)."""
    if flag is not None:
        return flag
    return env.get("CI", "").strip().lower() in TRUE_VALUES


class ProviderChoice(enum.StrEnum):
    """A provider named with ``--provider``."""

    GITHUB = "github"
    COMMAND = "command"
    STORAGE = "storage"
    NONE = "none"


class ProviderPlan(msgspec.Struct, frozen=True):
    """Which providers a run uses.

    Attributes:
        commands: the configured commands to run, in order.
        github: run the ``github`` provider after the commands.
        github_fallback: run it once, as the fallback, when a command is not installed.
        storage: the ``storage`` provider's destination URL template, run after the others.
        storage_options: fsspec options for that destination.
    """

    commands: tuple[CommandSpec, ...] = ()
    github: bool = False
    github_fallback: bool = False
    storage: str | None = None
    storage_options: Mapping[str, Any] = msgspec.field(default_factory=dict)

    @property
    def empty(self) -> bool:
        """Whether nothing would run."""
        return not (self.commands or self.github or self.storage)


def plan_providers(
    choices: Sequence[ProviderChoice],
    commands: Sequence[CommandSpec],
    env: Mapping[str, str],
    *,
    upload_to: str | None = None,
    storage_options: Mapping[str, Any] | None = None,
) -> ProviderPlan:
    """Choose the providers.

    Without ``--provider``: the configured commands, with the ``github`` provider as their
    fallback when the Actions runtime is present; with no command, the ``github`` provider on a
    GitHub Actions runner.  ``--provider none`` runs nothing; ``command``, ``github`` and
    ``storage`` choose explicitly.  A destination (``upload_to``) always adds the ``storage``
    provider, after the others.

    Raises:
        ConfigurationError: ``--provider none`` with another provider or a destination,
            ``--provider command`` with no command configured, ``--provider storage``
            without a destination, or a destination with an unknown placeholder.
    """
    plan = _plan_without_storage(set(choices), commands, env, upload_to)
    if upload_to is None:
        return plan
    from worldstate.publish._storage import check_destination  # a destination URL only

    destination = check_destination(upload_to)
    return msgspec.structs.replace(
        plan, storage=destination, storage_options=dict(storage_options or {})
    )


def _plan_without_storage(
    chosen: set[ProviderChoice],
    commands: Sequence[CommandSpec],
    env: Mapping[str, str],
    upload_to: str | None,
) -> ProviderPlan:
    if ProviderChoice.STORAGE in chosen and upload_to is None:
        raise ConfigurationError("--provider storage: give the destination with --upload-to URL")
    runtime = not missing_runtime_variables(env)
    if ProviderChoice.NONE in chosen:
        if len(chosen) > 1 or upload_to is not None:
            raise ConfigurationError(
                "--provider none cannot be combined with other providers or --upload-to"
            )
        return ProviderPlan()
    if chosen == {ProviderChoice.STORAGE}:
        return ProviderPlan()
    if not chosen:
        if commands:
            return ProviderPlan(tuple(commands), github_fallback=runtime)
        return ProviderPlan(github=on_actions_runner(env))
    if ProviderChoice.COMMAND in chosen and not commands:
        raise ConfigurationError(
            "--provider command: no command configured; give --ci-command or set "
            "TELEMETRY_CI_COMMANDS, TELEMETRY_CI_COMMANDS_JSON or TELEMETRY_CI_COMMANDS_PATH"
        )
    use_commands = ProviderChoice.COMMAND in chosen
    return ProviderPlan(
        tuple(commands) if use_commands else (),
        github=ProviderChoice.GITHUB in chosen,
        github_fallback=False,
    )


class PublishResult(msgspec.Struct, frozen=True):
    """Every provider attempt of one publish, in the order they ran.

    Attributes:
        attempts: one result per attempt.
        dry_run: whether providers were skipped altogether.
    """

    attempts: tuple[UploadResult, ...] = ()
    dry_run: bool = True

    @property
    def failures(self) -> tuple[UploadResult, ...]:
        """Attempts that failed, timed out or uploaded only part of the files."""
        return tuple(r for r in self.attempts if r.status in _UNSUCCESSFUL)

    @property
    def ok(self) -> bool:
        """Whether no attempt failed (skipped attempts are not failures)."""
        return not self.failures

    def uploaded(self) -> UploadResult | None:
        """The first attempt that uploaded the files, if any."""
        return next((r for r in self.attempts if r.ok), None)

    def raise_for_failures(self) -> None:
        """Raise :class:`~worldstate.errors.ExportError` naming each failed attempt, if any."""
        if self.failures:
            raise ExportError(
                "publishing failed: "
                + "; ".join(
                    f"{_label(r)}: {r.error_message or r.status.value}" for r in self.failures
                )
            )


def _label(result: UploadResult) -> str:
    return f"{result.provider} {result.command!r}" if result.command else result.provider


@dataclass
class Publisher:
    """Runs providers one after another; none can stop another.

    Args:
        commands: the command providers, in order.
        providers: further providers (``github``, storage), run after the commands.
        fallback: run once, as the fallback, after the first command that is not installed.
        bus: receives the ``telemetry:ci_publish_*`` events.
        clock: "now" in ms, for a failed attempt's ``attemptedAt``.
    """

    commands: Sequence[CommandUploader] = ()
    providers: Sequence[Uploader] = ()
    fallback: Uploader | None = None
    bus: EventSink | None = None
    clock: Callable[[], int] = system_clock

    def publish(
        self, files: Sequence[Path], *, root: Path, name: str, context: UploadContext
    ) -> PublishResult:
        """Upload ``files`` with every provider and return every attempt."""
        base = {
            "artifactCount": len(files),
            "metadataPath": str(context.manifest_path),
            "commands": [command.spec.command for command in self.commands],
            "dryRun": False,
        }
        self._emit(PUBLISH_STARTED, base)
        attempts: list[UploadResult] = []
        fallback = self.fallback
        for command in self.commands:
            attempt = self._attempt(command, files, root, name, context)
            attempts.append(attempt)
            if fallback is not None and attempt.skipped_reason == "command_not_found":
                fallback_context = _as_fallback(context)
                attempts.append(self._attempt(fallback, files, root, name, fallback_context))
                fallback = None  # once per publish
        attempts += [self._attempt(p, files, root, name, context) for p in self.providers]
        result = PublishResult(tuple(attempts), dry_run=False)
        records = [_event_record(r) for r in attempts]
        if result.ok:
            self._emit(PUBLISH_COMPLETED, {**base, "commandResults": records})
        else:
            message = "; ".join(r.error_message or r.status.value for r in result.failures)
            self._emit(PUBLISH_FAILED, {**base, "commandResults": records, "errorMessage": message})
        return result

    def _attempt(
        self,
        provider: Uploader,
        files: Sequence[Path],
        root: Path,
        name: str,
        context: UploadContext,
    ) -> UploadResult:
        try:
            return provider.upload(files, root=root, name=name, context=context)
        except Exception as exc:  # failures are values: one provider never stops another
            log.exception("upload provider %s raised", provider.provider)
            return UploadResult(
                provider=provider.provider,
                status=UploadStatus.FAILED,
                attempted_at=iso_from_ms(self.clock()),
                exit_code=1,
                error_message=f"{type(exc).__name__}: {exc}",
                duration_ms=None,
                artifact_name=name,
                artifact_dir=str(root),
                files=tuple(str(f) for f in files),
                is_fallback=context.is_fallback,
            )

    def _emit(self, event: str, payload: dict[str, Any]) -> None:
        if self.bus is not None and self.bus.has_listeners(event):
            self.bus.emit(event, payload)


def _as_fallback(context: UploadContext) -> UploadContext:
    return msgspec.structs.replace(context, is_fallback=True)


def _event_record(result: UploadResult) -> dict[str, Any]:
    """The attempt as in the manifest's ``commandResults``, plus the bytes it uploaded
    (``size``, ``None`` when the provider cannot tell, as with commands)."""
    record: dict[str, Any] = msgspec.to_builtins(command_record(result))
    record["size"] = result.size
    return record
