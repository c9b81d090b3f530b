"""The publishing contract: what an upload provider is given and what it gives back.

Every provider (a configured command, the GitHub Actions artifact service, object storage)
implements :class:`Uploader`.  A provider never raises for an expected failure: it returns an
:class:`UploadResult` whose :attr:`~UploadResult.status` says what happened.  The
:class:`~worldstate.publish.Publisher` turns anything a provider raises into a ``failed``
result as well, so no provider can stop another.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Final, Protocol, runtime_checkable

import msgspec

__all__ = ["COMMAND_PROVIDER", "UploadStatus", "UploadContext", "UploadResult", "Uploader"]

COMMAND_PROVIDER: Final = "command"
"""The provider id of configured commands (their attempts are recorded in ``commandResults``
only; every other provider's also in ``providerResults``)."""


class UploadStatus(enum.StrEnum):
    """How one provider attempt ended."""

    UPLOADED = "uploaded"
    PARTIAL = "partial"
    SKIPPED = "skipped"
    FAILED = "failed"
    TIMEOUT = "timeout"


class UploadContext(msgspec.Struct, frozen=True, kw_only=True):
    """What a provider knows about the run it publishes.

    Attributes:
        manifest_path: the manifest of record (``ci-artifacts.json``), already written.
        prefix: the export's file name prefix.
        run_id: the CI run id, when known.
        retention_days: the requested retention, when given.
        env: the job's environment (providers read their settings from it, never from
            ``os.environ``).
        is_fallback: whether this attempt runs as the fallback after a missing command.
    """

    manifest_path: Path
    prefix: str
    run_id: str | None = None
    retention_days: int | None = None
    env: Mapping[str, str] = msgspec.field(default_factory=dict)
    is_fallback: bool = False


class UploadResult(msgspec.Struct, frozen=True, kw_only=True):
    """One provider attempt, as recorded in the manifest.

    Field names follow the manifest's ``providerResults``/``commandResults`` records
    (camelCase on the wire).  ``stdout``/``stderr`` are already bounded and redacted.
    """

    provider: str
    status: UploadStatus
    attempted_at: str
    command: str | None = None
    args: tuple[str, ...] = ()
    exit_code: int | None = 0
    stdout: str = ""
    stderr: str = ""
    skipped_reason: str | None = None
    error_message: str | None = None
    error_code: str | None = None
    duration_ms: float | None = 0.0
    artifact_name: str | None = None
    artifact_dir: str | None = None
    files: tuple[str, ...] = ()
    is_fallback: bool = False
    signal: int | None = None
    artifact_id: str | None = None
    artifact_url: str | None = None
    size: int | None = None
    digest: str | None = None

    @property
    def ok(self) -> bool:
        """Whether the files reached their destination (``uploaded``)."""
        return self.status is UploadStatus.UPLOADED


@runtime_checkable
class Uploader(Protocol):
    """An upload provider.

    Attributes:
        provider: the provider id recorded in the manifest (``command``, ``githubActionsApi``,
            ``storage``).
    """

    provider: str

    def upload(
        self, files: Sequence[Path], *, root: Path, name: str, context: UploadContext
    ) -> UploadResult:
        """Upload ``files`` (absolute paths under ``root``) as the artifact ``name``."""
        ...
