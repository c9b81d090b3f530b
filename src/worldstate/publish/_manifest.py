"""The manifest of record, ``ci-artifacts.json``: what was written and what publishing did.

It is built from results, never from intentions: it lists only artifacts that were written,
every provider attempt (``commandResults``), the provider records (``providerResults``) and a
``fallbackSummary`` computed from those records.  It is written atomically before providers
run (so a provider script can read it, and append its own record) and once more after them;
records a provider appended meanwhile are kept.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Final

import msgspec

from worldstate._js import iso_from_ms
from worldstate._manifest_text import MANIFEST_FILENAME
from worldstate.artifacts import Artifact
from worldstate.errors import InputError
from worldstate.publish._model import COMMAND_PROVIDER, UploadResult, UploadStatus
from worldstate.redact import Redactor
from worldstate.writers import FileSystemWriter, WriteResult

__all__ = [
    "MANIFEST_FILENAME",
    "MANIFEST_SCHEMA_VERSION",
    "Manifest",
    "ManifestArtifact",
    "FallbackSummary",
    "ProviderStats",
    "CommandRecord",
    "ProviderRecord",
    "WebhookRecord",
    "build_manifest",
    "command_record",
    "provider_record",
    "summarise_fallbacks",
    "encode_manifest",
    "write_manifest",
    "read_manifest",
    "merge_provider_results",
]

log = logging.getLogger(__name__)

MANIFEST_SCHEMA_VERSION: Final = 1
"""Bumped when a field changes meaning or disappears (new fields do not bump it)."""


class ManifestArtifact(msgspec.Struct, frozen=True):
    """One artifact that was written: its absolute path and its file name."""

    filepath: str
    filename: str


class ProviderStats(msgspec.Struct, frozen=True, rename="camel"):
    """Fallback attempts of one provider."""

    attempts: int = 0
    succeeded: int = 0
    failed: int = 0
    partial: int = 0
    skipped: int = 0
    last_status: str | None = None
    last_attempted_at: str | None = None


class FallbackSummary(msgspec.Struct, frozen=True, rename="camel"):
    """Counts of the fallback attempts recorded in ``providerResults``."""

    attempted: bool = False
    attempts: int = 0
    succeeded: int = 0
    failed: int = 0
    partial: int = 0
    skipped: int = 0
    last_attempted_at: str | None = None
    providers: dict[str, ProviderStats] = msgspec.field(default_factory=dict)


class CommandRecord(msgspec.Struct, frozen=True, kw_only=True, rename="camel"):
    """One provider attempt in ``commandResults`` (the reference's command fields first)."""

    command: str | None
    args: tuple[str, ...]
    exit_code: int | None
    stdout: str
    stderr: str
    status: str
    skipped_reason: str | None
    error_message: str | None
    error_code: str | None
    duration_ms: float | None
    provider: str
    attempted_at: str
    is_fallback: bool = False
    timeout: bool = False
    signal: int | None = None


class ProviderRecord(msgspec.Struct, frozen=True, kw_only=True, rename="camel"):
    """One record of ``providerResults``, in the reference's key order, then ours."""

    provider: str
    attempted_at: str
    status: str
    exit_code: int | None
    duration_ms: float | None
    artifact_name: str | None
    artifact_dir: str | None
    file_count: int
    files: tuple[str, ...]
    skipped_reason: str | None
    command: str | None
    args: tuple[str, ...]
    stdout: str
    stderr: str
    is_fallback: bool = False
    error_message: str | None = None
    artifact_id: str | None = None
    artifact_url: str | None = None
    size: int | None = None
    digest: str | None = None


class WebhookRecord(msgspec.Struct, frozen=True, kw_only=True):
    """The budget webhook's outcome (its URL is a secret and never recorded)."""

    attempted: bool = False
    sent: bool = False
    status: int | None = None
    error: str | None = None


class _RecordView(msgspec.Struct, frozen=True, rename="camel"):
    """The fields of any ``providerResults`` record that the summary counts."""

    provider: str | None = None
    status: str | None = None
    exit_code: float | None = None
    attempted_at: str | None = None
    is_fallback: bool = False


class Manifest(msgspec.Struct, frozen=True, kw_only=True, rename="camel"):
    """The manifest document; field order is the file's key order.

    ``context`` is the run context as JSON, redacted before it was encoded.  ``providerResults``
    records are kept as JSON too, because provider scripts append records of their own shape.
    """

    generated_at: int
    generated_iso: str
    dry_run: bool
    artifacts: tuple[ManifestArtifact, ...]
    context: msgspec.Raw
    fallback_summary: FallbackSummary = msgspec.field(default_factory=FallbackSummary)
    provider_results: tuple[msgspec.Raw, ...] = ()
    command_results: tuple[CommandRecord, ...] = ()
    budget_webhook: WebhookRecord | None = None
    schema_version: int = MANIFEST_SCHEMA_VERSION

    def context_json(self) -> dict[str, Any]:
        """The context decoded (an empty dict when it is not an object)."""
        value = msgspec.json.decode(self.context) if self.context else {}
        return value if isinstance(value, dict) else {}

    def provider_records(self) -> list[dict[str, Any]]:
        """``providerResults`` decoded."""
        return [msgspec.json.decode(raw) for raw in self.provider_results]

    def with_results(
        self,
        results: Iterable[UploadResult],
        *,
        provider_results: Iterable[msgspec.Raw] | None = None,
        dry_run: bool | None = None,
    ) -> Manifest:
        """A copy with ``results`` appended: every attempt to ``commandResults``, the attempts of
        providers other than commands to ``providerResults`` (after ``provider_results``, the
        records found on disk, when given); ``fallbackSummary`` recomputed."""
        attempts = tuple(results)
        kept = tuple(self.provider_results if provider_results is None else provider_results)
        records = kept + tuple(
            msgspec.Raw(msgspec.json.encode(provider_record(r)))
            for r in attempts
            if r.provider != COMMAND_PROVIDER
        )
        return msgspec.structs.replace(
            self,
            dry_run=self.dry_run if dry_run is None else dry_run,
            provider_results=records,
            command_results=self.command_results + tuple(command_record(r) for r in attempts),
            fallback_summary=summarise_fallbacks(records),
        )


def build_manifest(
    *,
    generated_at: int,
    dry_run: bool,
    written: Iterable[str | os.PathLike[str]],
    context: Mapping[str, Any],
    redactor: Redactor,
    budget_webhook: WebhookRecord | None = None,
) -> Manifest:
    """The manifest before any provider ran; the context is redacted here, so no caller can forget.

    Args:
        generated_at: when the manifest was made, in ms since the epoch.
        dry_run: whether providers are skipped.
        written: absolute paths of the artifacts that were written (duplicates dropped).
        context: the run context.
        redactor: redacts the context (build it from the environment at the edge).
        budget_webhook: the budget webhook's outcome, if one was configured.
    """
    seen = dict.fromkeys(os.fspath(p) for p in written)
    return Manifest(
        generated_at=generated_at,
        generated_iso=iso_from_ms(generated_at),
        dry_run=dry_run,
        artifacts=tuple(ManifestArtifact(p, os.path.basename(p)) for p in seen),
        context=msgspec.Raw(msgspec.json.encode(redactor(dict(context)))),
        budget_webhook=budget_webhook,
    )


def command_record(result: UploadResult) -> CommandRecord:
    """``result`` as a ``commandResults`` record."""
    return CommandRecord(
        command=result.command,
        args=result.args,
        exit_code=result.exit_code,
        stdout=result.stdout,
        stderr=result.stderr,
        status=result.status.value,
        skipped_reason=result.skipped_reason,
        error_message=result.error_message,
        error_code=result.error_code,
        duration_ms=result.duration_ms,
        provider=result.provider,
        attempted_at=result.attempted_at,
        is_fallback=result.is_fallback,
        timeout=result.status is UploadStatus.TIMEOUT,
        signal=result.signal,
    )


def provider_record(result: UploadResult) -> ProviderRecord:
    """``result`` as a ``providerResults`` record."""
    return ProviderRecord(
        provider=result.provider,
        attempted_at=result.attempted_at,
        status=result.status.value,
        exit_code=result.exit_code,
        duration_ms=result.duration_ms,
        artifact_name=result.artifact_name,
        artifact_dir=result.artifact_dir,
        file_count=len(result.files),
        files=result.files,
        skipped_reason=result.skipped_reason,
        command=result.command,
        args=result.args,
        stdout=result.stdout,
        stderr=result.stderr,
        is_fallback=result.is_fallback,
        error_message=result.error_message,
        artifact_id=result.artifact_id,
        artifact_url=result.artifact_url,
        size=result.size,
        digest=result.digest,
    )


_BUCKETS: Final = {
    "uploaded": "succeeded",
    "succeeded": "succeeded",
    "partial": "partial",
    "skipped": "skipped",
    "failed": "failed",
    "error": "failed",
    "timeout": "failed",
    "cancelled": "failed",
}


def _bucket(view: _RecordView) -> str:
    status = (view.status or "").lower()
    if status in _BUCKETS:
        return _BUCKETS[status]
    return {0: "succeeded", 127: "skipped"}.get(int(view.exit_code or 0), "failed")


def _view(raw: msgspec.Raw) -> _RecordView | None:
    try:
        return msgspec.json.decode(raw, type=_RecordView)
    except msgspec.ValidationError:
        return None  # a record of another shape: kept in the file, not counted


def summarise_fallbacks(records: Iterable[msgspec.Raw]) -> FallbackSummary:
    """Count the fallback records (``isFallback: true``) by outcome, overall and per provider."""
    totals = dict.fromkeys(("succeeded", "failed", "partial", "skipped"), 0)
    providers: dict[str, dict[str, Any]] = {}
    last: str | None = None
    attempts = 0
    for view in filter(None, map(_view, records)):
        if not view.is_fallback:
            continue
        bucket = _bucket(view)
        attempts += 1
        totals[bucket] += 1
        last = view.attempted_at
        stats = providers.setdefault(
            view.provider or "fallback", {"attempts": 0, **dict.fromkeys(totals, 0)}
        )
        stats["attempts"] += 1
        stats[bucket] += 1
        stats["last_status"] = (view.status or "").lower() or bucket
        stats["last_attempted_at"] = view.attempted_at
    return FallbackSummary(
        attempted=attempts > 0,
        attempts=attempts,
        last_attempted_at=last,
        providers={name: ProviderStats(**stats) for name, stats in providers.items()},
        **totals,
    )


def encode_manifest(manifest: Manifest) -> str:
    """The manifest as pretty JSON (two-space indent), ending in one newline."""
    return msgspec.json.format(msgspec.json.encode(manifest), indent=2).decode("utf-8") + "\n"


def manifest_artifact(manifest: Manifest, filename: str) -> Artifact:
    """``manifest`` as an artifact named ``filename``, for any writer."""
    return Artifact(
        type="json",
        section="manifest",
        filename=filename,
        mime_type="application/json",
        content=encode_manifest(manifest),
    )


def write_manifest(manifest: Manifest, path: str | os.PathLike[str]) -> WriteResult:
    """Write ``manifest`` to ``path`` atomically (temp file beside it, then rename)."""
    target = Path(path).absolute()
    return FileSystemWriter(target.parent, id="manifest").write(
        manifest_artifact(manifest, target.name)
    )


def read_manifest(path: Path) -> Manifest:
    """Read a manifest from ``path``.

    Raises:
        InputError: unreadable, not JSON, or not a manifest (names the file and JSON path).
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(
            f"cannot read the manifest: {exc.strerror or exc}", source=str(path)
        ) from exc
    try:
        return msgspec.json.decode(data, type=Manifest)
    except msgspec.ValidationError as exc:
        raise InputError(f"not a worldstate manifest: {exc}", source=str(path)) from exc
    except msgspec.DecodeError as exc:
        raise InputError(f"not JSON: {exc}", source=str(path)) from exc


def merge_provider_results(path: Path, before: Manifest) -> tuple[msgspec.Raw, ...]:
    """The ``providerResults`` now in the file at ``path``: ours plus any a provider appended.

    A file that a provider left unreadable or malformed keeps the records written before
    (the publisher rewrites it whole); the problem is logged.
    """
    try:
        return read_manifest(path).provider_results
    except InputError as exc:
        log.warning("manifest changed by a provider cannot be read (%s); rewriting it", exc)
        return before.provider_results
