"""The ``storage`` upload provider: copy a finished export folder to object storage."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from worldstate._js import iso_from_ms
from worldstate.clock import Clock, system_clock
from worldstate.errors import ConfigurationError
from worldstate.publish._manifest import MANIFEST_FILENAME
from worldstate.publish._model import UploadContext, UploadResult, UploadStatus
from worldstate.storage import StorageWriter, parse_location, resolve_storage_options

__all__ = ["STORAGE_PROVIDER", "StorageUploader", "UPLOAD_PLACEHOLDERS", "check_destination"]

STORAGE_PROVIDER = "storage"

UPLOAD_PLACEHOLDERS = ("runId", "prefix", "date")
"""What ``--upload-to`` may contain in braces: the run id (``local`` when unknown), the
export's prefix, and the upload's UTC date (``YYYY-MM-DD``)."""

_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


def check_destination(destination: str) -> str:
    """Return ``destination`` (an ``--upload-to`` URL template) if its placeholders are known.

    Raises:
        ConfigurationError: an unknown placeholder (names it and the known ones).
    """
    unknown = sorted(set(_PLACEHOLDER.findall(destination)) - set(UPLOAD_PLACEHOLDERS))
    if unknown:
        raise ConfigurationError(
            f"--upload-to: unknown placeholder(s) {', '.join(unknown)}; use "
            + ", ".join("{" + p + "}" for p in UPLOAD_PLACEHOLDERS)
        )
    return destination


class StorageUploader:
    """Copy an export's files, byte for byte, below a URL; the manifest goes last.

    Args:
        destination: the target folder URL, with ``{runId}``, ``{prefix}``, ``{date}``.
        storage_options: fsspec options (they win over the environment's).
        clock: "now" for ``attemptedAt`` and ``{date}``.
        timer: a monotonic clock in seconds, for the duration.

    Raises:
        ConfigurationError: an unknown placeholder in ``destination``.
    """

    provider = STORAGE_PROVIDER

    def __init__(
        self,
        destination: str,
        *,
        storage_options: Mapping[str, Any] | None = None,
        clock: Clock = system_clock,
        timer: Callable[[], float] = time.perf_counter,
    ) -> None:
        self.destination = check_destination(destination)
        self.storage_options = dict(storage_options or {})
        self._clock = clock
        self._timer = timer

    def target_url(self, context: UploadContext, now: int) -> str:
        """The destination with its placeholders filled in for ``context``."""
        values = {
            "runId": context.run_id or "local",
            "prefix": context.prefix,
            "date": iso_from_ms(now)[:10],
        }
        return _PLACEHOLDER.sub(lambda m: values[m.group(1)], self.destination)

    def upload(
        self, files: Sequence[Path], *, root: Path, name: str, context: UploadContext
    ) -> UploadResult:
        """Copy ``files`` (below ``root``) and the manifest (``context.manifest_path``, always
        last) to the destination; never raises for an I/O error."""
        now = self._clock()
        started = self._timer()
        location = parse_location(self.target_url(context, now))
        manifest = Path(context.manifest_path)
        # The manifest goes last, so a reader that sees it finds every file it lists.
        ordered = [f for f in files if f.name != MANIFEST_FILENAME and f != manifest]
        ordered.append(manifest)
        base: dict[str, Any] = {
            "provider": self.provider,
            "attempted_at": iso_from_ms(now),
            "artifact_name": name,
            "artifact_dir": str(root),
            "artifact_url": location.display,
            "is_fallback": context.is_fallback,
        }
        try:
            options = resolve_storage_options(location.protocol, self.storage_options, context.env)
            writer = StorageWriter(location, storage_options=options, id=self.provider)
            results = [self._copy(writer, root, f) for f in ordered]
        except (ConfigurationError, OSError, ValueError) as exc:
            return UploadResult(
                **base,
                status=UploadStatus.FAILED,
                error_message=str(exc),
                duration_ms=self._elapsed(started),
            )
        failures = [r.error for r in results if not r.ok]
        written = [r for r in results if r.ok]
        status = (
            UploadStatus.UPLOADED
            if not failures
            else UploadStatus.PARTIAL
            if written
            else UploadStatus.FAILED
        )
        return UploadResult(
            **base,
            status=status,
            exit_code=0 if not failures else 1,
            error_message="; ".join(str(f) for f in failures) or None,
            files=tuple(r.location or "" for r in written),
            size=sum(r.size for r in written),
            duration_ms=self._elapsed(started),
        )

    @staticmethod
    def _copy(writer: StorageWriter, root: Path, file: Path) -> Any:
        # A manifest kept outside the folder (--metadata elsewhere) goes to the top level.
        relative = file.relative_to(root).as_posix() if file.is_relative_to(root) else file.name
        folder, _, filename = relative.rpartition("/")
        return writer.write_bytes(filename, file.read_bytes(), folder=folder or None)

    def _elapsed(self, started: float) -> float:
        return round((self._timer() - started) * 1000.0, 3)
