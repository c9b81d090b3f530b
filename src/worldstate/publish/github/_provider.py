"""The ``githubActionsApi`` upload provider: the artifact client behind the publishing contract."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, Final

import httpx

from worldstate._js import iso_from_ms
from worldstate.clock import Clock, system_clock
from worldstate.errors import WorldstateError
from worldstate.publish import UploadContext, Uploader, UploadResult, UploadStatus
from worldstate.publish.github._client import ArtifactClient, UploadedArtifact, write_mask_command
from worldstate.publish.github._errors import ArtifactError, RuntimeEnvironmentError
from worldstate.publish.github._runtime import missing_variables

__all__ = ["GitHubActionsUploader", "github_uploader", "PROVIDER", "COMMAND_LABEL"]

PROVIDER: Final = "githubActionsApi"
COMMAND_LABEL: Final = "actions.artifact.upload"


class GitHubActionsUploader:
    """Uploads an export's files as one artifact of the running GitHub Actions job.

    Outside a job (the runtime variables are missing) it answers ``skipped`` with the reason
    ``environment_unavailable``; a failure of the service answers ``failed`` with its message.
    It never raises for either.

    Args:
        env: the job's environment.
        http: the HTTP client (default: a new one per upload).
        clock: the time (attempt stamps, durations, retention).
        sleep: the wait between retries.
        mask: asks the log to hide a secret (default: the ``add-mask`` workflow command).
        monotonic: a monotonic clock in seconds, for durations.
    """

    provider: str = PROVIDER

    def __init__(
        self,
        env: Mapping[str, str],
        *,
        http: httpx.Client | None = None,
        clock: Clock = system_clock,
        sleep: Callable[[float], None] = time.sleep,
        mask: Callable[[str], None] = write_mask_command,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._env = dict(env)
        self._http = http
        self._clock = clock
        self._sleep = sleep
        self._mask = mask
        self._monotonic = monotonic

    def upload(
        self, files: Sequence[Path], *, root: Path, name: str, context: UploadContext
    ) -> UploadResult:
        """Upload ``files`` under ``root`` as the artifact ``name``; never raises."""
        attempted_at = iso_from_ms(self._clock())
        env = {**self._env, **context.env}
        record = _Record(attempted_at, name, root, files, context.is_fallback)
        if not files:
            return record.skipped("no_artifacts")
        if missing_variables(env):
            return record.skipped("environment_unavailable")
        started = self._monotonic()
        try:
            with ArtifactClient(
                env, http=self._http, clock=self._clock, sleep=self._sleep, mask=self._mask
            ) as client:
                uploaded = client.upload(
                    name, files, root=root, retention_days=context.retention_days
                )
        except WorldstateError as exc:
            return record.failed(exc, duration_ms=(self._monotonic() - started) * 1000)
        return record.uploaded(uploaded, duration_ms=(self._monotonic() - started) * 1000)


def github_uploader(
    env: Mapping[str, str] | None = None,
    *,
    http: httpx.Client | None = None,
    clock: Clock = system_clock,
    sleep: Callable[[float], None] = time.sleep,
    mask: Callable[[str], None] = write_mask_command,
) -> Uploader:
    """The ``githubActionsApi`` provider for the publisher (``env`` defaults to the process's)."""
    return GitHubActionsUploader(
        os.environ if env is None else env, http=http, clock=clock, sleep=sleep, mask=mask
    )


class _Record:
    """Builds the provider's result records, which share every field but the outcome."""

    def __init__(
        self, attempted_at: str, name: str, root: Path, files: Sequence[Path], fallback: bool
    ) -> None:
        self.attempted_at = attempted_at
        self.name = name
        self.root = str(root)
        self.files = tuple(str(path) for path in files)
        self.fallback = fallback

    def skipped(self, reason: str) -> UploadResult:
        return self._result(UploadStatus.SKIPPED, 0, skipped_reason=reason, duration_ms=None)

    def failed(self, exc: WorldstateError, *, duration_ms: float) -> UploadResult:
        return self._result(
            UploadStatus.FAILED,
            1,
            error_message=str(exc),
            error_code=_error_code(exc),
            duration_ms=duration_ms,
            artifact_name=self.name,
            artifact_dir=self.root,
            files=self.files,
        )

    def uploaded(self, artifact: UploadedArtifact, *, duration_ms: float) -> UploadResult:
        return self._result(
            UploadStatus.UPLOADED,
            0,
            duration_ms=duration_ms,
            artifact_name=artifact.name,
            artifact_dir=self.root,
            files=self.files,
            artifact_id=artifact.id,
            artifact_url=artifact.url,
            size=artifact.size,
            digest=artifact.digest,
        )

    def _result(self, status: UploadStatus, exit_code: int, **fields: Any) -> UploadResult:
        return UploadResult(
            provider=PROVIDER,
            status=status,
            attempted_at=self.attempted_at,
            command=COMMAND_LABEL,
            exit_code=exit_code,
            is_fallback=self.fallback,
            **fields,
        )


def _error_code(exc: WorldstateError) -> str:
    if isinstance(exc, RuntimeEnvironmentError):
        return "environment_invalid"
    if isinstance(exc, ArtifactError):
        status = getattr(exc, "status", None)
        return f"http_{status}" if status else type(exc).__name__
    return type(exc).__name__
