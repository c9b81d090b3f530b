"""``ArtifactClient``: upload, list and delete the artifacts of the running workflow job."""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import IO
from urllib.parse import unquote

import httpx

from worldstate._js import iso_from_ms
from worldstate.clock import Clock, system_clock
from worldstate.publish.github._blob import BlockBlobUploader, Progress, signature_of
from worldstate.publish.github._errors import (
    ArtifactConflictError,
    ArtifactError,
    ArtifactNotFoundError,
    ServiceError,
)
from worldstate.publish.github._messages import (
    ARTIFACT_VERSION,
    CreateArtifactRequest,
    CreateArtifactResponse,
    DeleteArtifactRequest,
    DeleteArtifactResponse,
    FinalizeArtifactRequest,
    FinalizeArtifactResponse,
    ListArtifactsRequest,
    ListArtifactsResponse,
    MonolithArtifact,
)
from worldstate.publish.github._runtime import ActionsRuntime, resolve_retention
from worldstate.publish.github._twirp import TwirpClient
from worldstate.publish.github._zip import (
    DEFAULT_COMPRESSION_LEVEL,
    check_artifact_name,
    plan_zip,
    write_zip,
)

__all__ = ["ArtifactClient", "UploadedArtifact", "ListedArtifact", "write_mask_command"]

_log = logging.getLogger(__name__)
_DAY_MS = 86_400_000


@dataclass(frozen=True, slots=True)
class UploadedArtifact:
    """An artifact the service accepted.

    Attributes:
        id: the artifact id (decimal text: it is a 64-bit number).
        name: the artifact name.
        size: bytes uploaded (the zip).
        digest: ``sha256:<hex>`` of those bytes.
        url: the artifact's page, when ``GITHUB_SERVER_URL``, ``GITHUB_REPOSITORY`` and
            ``GITHUB_RUN_ID`` are known.
        files: how many files the zip holds.
        retention_days: the retention requested (``None``: the repository default).
    """

    id: str
    name: str
    size: int
    digest: str
    url: str | None
    files: int
    retention_days: int | None = None


@dataclass(frozen=True, slots=True)
class ListedArtifact:
    """An artifact of this workflow run, as the service lists it."""

    id: str
    name: str
    size: int
    created_at: str | None
    digest: str | None


def write_mask_command(value: str) -> None:
    """Ask the runner to mask ``value`` in the job log (the ``add-mask`` workflow command)."""
    sys.stdout.write(f"::add-mask::{value}\n")
    sys.stdout.flush()


def _user_agent() -> str:
    try:
        return f"worldstate/{version('worldstate')}"
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "worldstate"


class ArtifactClient:
    """A client of the GitHub Actions artifact service (version 4 artifacts).

    Args:
        env: the job's environment; needs ``ACTIONS_RUNTIME_TOKEN`` and ``ACTIONS_RESULTS_URL``.
        http: the HTTP client to use (default: one owned and closed by this client).
        clock: the time, for ``expires_at`` and ``Retry-After`` dates.
        sleep: the wait between retries.
        mask: asks the log to hide a secret (default: the ``add-mask`` workflow command).
        blob_concurrency: blocks in flight; ``None`` picks by storage host.

    Raises:
        RuntimeEnvironmentError: the runtime variables are missing or unusable.
    """

    def __init__(
        self,
        env: Mapping[str, str],
        *,
        http: httpx.Client | None = None,
        clock: Clock = system_clock,
        sleep: Callable[[float], None] = time.sleep,
        mask: Callable[[str], None] = write_mask_command,
        blob_concurrency: int | None = None,
    ) -> None:
        self.runtime = ActionsRuntime.from_env(env)
        self._owns_http = http is None
        self._http = http if http is not None else httpx.Client()
        self._clock = clock
        self._mask = mask
        self._twirp = TwirpClient(
            origin=self.runtime.results_origin,
            token=self.runtime.token,
            http=self._http,
            timeout_s=self.runtime.stall_timeout_s,
            sleep=sleep,
            clock=clock,
            user_agent=_user_agent(),
        )
        self._blob = BlockBlobUploader(
            self._http,
            stall_timeout_s=self.runtime.stall_timeout_s,
            sleep=sleep,
            concurrency=blob_concurrency,
        )

    def close(self) -> None:
        """Close the HTTP client if this client created it."""
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> ArtifactClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def upload(
        self,
        name: str,
        files: Sequence[Path],
        *,
        root: Path,
        retention_days: int | None = None,
        compression_level: int = DEFAULT_COMPRESSION_LEVEL,
        include_hidden: bool = False,
        overwrite: bool = False,
        progress: Progress | None = None,
    ) -> UploadedArtifact:
        """Zip ``files`` (files or folders under ``root``) and upload them as ``name``.

        Everything is checked before the first request: the name, the paths, the file count,
        the retention and the compression level.

        Args:
            retention_days: 1-90, lowered to ``GITHUB_RETENTION_DAYS`` when that is smaller;
                ``None`` keeps the repository default.
            compression_level: 0 (store) to 9.
            include_hidden: upload files and folders whose name starts with ``.``.
            overwrite: delete an artifact of the same name first, if there is one.
            progress: told ``(bytes sent, total)`` as the zip goes up.

        Raises:
            ArtifactInputError: a bad name, path, file set, retention or level.
            ArtifactConflictError: the name is taken in this run (and ``overwrite`` is off).
            QuotaError: the storage quota is used up.
            UploadStalledError: the upload made no progress within the stall timeout.
            ArtifactError: the service or storage failed (after the retries it allows).
        """
        check_artifact_name(name)
        entries = plan_zip(files, root=root, include_hidden=include_hidden)
        days, lowered = resolve_retention(retention_days, self.runtime.retention_cap)
        if lowered:
            _log.warning(
                "retention of %s days lowered to the repository's maximum of %s days",
                retention_days,
                days,
            )
        with write_zip(entries, compression_level=compression_level) as archive:
            if overwrite:
                self._delete_if_present(name)
            signed_url = self._create(name, days)
            uploaded = self._blob.upload(
                signed_url, archive, total=_size_of(archive), progress=progress
            )
        digest = f"sha256:{uploaded.sha256}"
        artifact_id = self._finalize(name, uploaded.size, digest)
        _log.info("uploaded artifact %r (id %s, %d bytes)", name, artifact_id, uploaded.size)
        return UploadedArtifact(
            id=artifact_id,
            name=name,
            size=uploaded.size,
            digest=digest,
            url=self.runtime.artifact_url(artifact_id),
            files=sum(1 for entry in entries if entry.source is not None),
            retention_days=days,
        )

    def list(self, *, name: str | None = None) -> tuple[ListedArtifact, ...]:
        """The artifacts of this workflow run (only those named ``name`` if given), by name.

        Raises:
            ArtifactError: the service failed.
        """
        found = self._twirp.call(
            "ListArtifacts",
            ListArtifactsRequest(**self._ids(), name_filter=name),
            ListArtifactsResponse,
        )
        listed = (_listed(artifact) for artifact in found.artifacts)
        return tuple(sorted(listed, key=lambda artifact: (artifact.name, artifact.id)))

    def delete(self, name: str) -> str:
        """Delete this run's artifact ``name`` and return its id.

        Raises:
            ArtifactNotFoundError: there is no artifact of that name.
            ArtifactError: the service failed.
        """
        check_artifact_name(name)
        try:
            answer = self._twirp.call(
                "DeleteArtifact",
                DeleteArtifactRequest(**self._ids(), name=name),
                DeleteArtifactResponse,
            )
        except ServiceError as exc:
            if exc.status == 404:
                raise ArtifactNotFoundError(name) from exc
            raise
        if not answer.ok:
            raise ArtifactError(f"DeleteArtifact: the service did not delete {name!r}")
        return str(answer.artifact_id)

    def _delete_if_present(self, name: str) -> None:
        if self.list(name=name):
            artifact_id = self.delete(name)
            _log.info("deleted the earlier artifact %r (id %s) to overwrite it", name, artifact_id)

    def _create(self, name: str, retention_days: int | None) -> str:
        expires_at = None
        if retention_days:
            expires_at = iso_from_ms(self._clock() + retention_days * _DAY_MS)
        request = CreateArtifactRequest(
            **self._ids(), name=name, version=ARTIFACT_VERSION, expires_at=expires_at
        )
        try:
            answer = self._twirp.call("CreateArtifact", request, CreateArtifactResponse)
        except ServiceError as exc:
            if exc.status == 409:
                raise ArtifactConflictError(name) from exc
            raise
        if not answer.ok or not answer.signed_upload_url:
            raise ArtifactError(f"CreateArtifact: the service did not accept {name!r} (ok=false)")
        self._mask_signature(answer.signed_upload_url)
        return answer.signed_upload_url

    def _finalize(self, name: str, size: int, digest: str) -> str:
        request = FinalizeArtifactRequest(**self._ids(), name=name, size=str(size), hash=digest)

        # A Finalize whose answer was lost may have sealed the artifact: look before sending
        # it again, or the retry fails (or, on some services, a duplicate appears).
        def already_finalized() -> FinalizeArtifactResponse | None:
            listed = [
                artifact
                for artifact in self.list(name=name)
                if artifact.digest in (None, "", digest)
            ]
            if not listed:
                return None
            return FinalizeArtifactResponse(ok=True, artifact_id=int(listed[0].id))

        answer = self._twirp.call(
            "FinalizeArtifact", request, FinalizeArtifactResponse, before_retry=already_finalized
        )
        if not answer.ok:
            raise ArtifactError(f"FinalizeArtifact: the service did not seal {name!r} (ok=false)")
        return str(answer.artifact_id)

    def _mask_signature(self, signed_url: str) -> None:
        signature = signature_of(signed_url)
        if signature is None:
            return
        self._mask(signature)
        decoded = unquote(signature)
        if decoded != signature:
            self._mask(decoded)

    def _ids(self) -> dict[str, str]:
        return {
            "workflow_run_backend_id": self.runtime.run_backend_id,
            "workflow_job_run_backend_id": self.runtime.job_backend_id,
        }


def _listed(artifact: MonolithArtifact) -> ListedArtifact:
    return ListedArtifact(
        id=str(artifact.database_id),
        name=artifact.name,
        size=artifact.size,
        created_at=artifact.created_at,
        digest=artifact.digest,
    )


def _size_of(stream: IO[bytes]) -> int:
    size = stream.seek(0, 2)
    stream.seek(0)
    return size
