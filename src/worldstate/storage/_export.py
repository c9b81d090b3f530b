"""Where an export's artifacts, mirrors and manifest go when any of them is a URL."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from worldstate.storage._location import StorageLocation, parse_location
from worldstate.storage._options import parse_storage_options, resolve_storage_options
from worldstate.storage._writer import StorageWriter, open_writer
from worldstate.writers import Writer, check_filename

if TYPE_CHECKING:
    from worldstate.export import Exporter, ExportResult
    from worldstate.publish import UploadResult

__all__ = ["ExportDestinations", "MANIFEST_WRITER_ID"]

MANIFEST_WRITER_ID = "manifest"
_MANIFEST_FILENAME = "ci-artifacts.json"


@dataclass(frozen=True, slots=True)
class ExportDestinations:
    """The artifact folder, the mirrors and the manifest, each a path or a URL.

    Attributes:
        out: the artifact folder (its writer's id is ``out``).
        mirrors: further folders (``mirror-1``, ``mirror-2``...).
        manifest: the manifest file (default ``<out>/ci-artifacts.json``).
        options: the ``--storage-option`` values (the environment's are added per protocol).
        env: the environment the options and credentials come from.
        durable: fsync local files.
    """

    out: StorageLocation
    mirrors: tuple[StorageLocation, ...]
    manifest: StorageLocation
    options: Mapping[str, Any]
    env: Mapping[str, str]
    durable: bool = False

    @classmethod
    def resolve(
        cls,
        *,
        out: str | os.PathLike[str],
        mirrors: Sequence[str | os.PathLike[str]] = (),
        metadata: str | os.PathLike[str] | None = None,
        storage_options: Iterable[str] = (),
        env: Mapping[str, str],
        durable: bool = False,
    ) -> ExportDestinations:
        """Parse the options; a URL whose filesystem package is missing fails here, before
        anything is written.

        Raises:
            InputError: a malformed ``--storage-option``.
            UnsafeNameError: the manifest's file name could leave its folder.
            MissingExtraError: a URL needs an extra that is not installed (names it).
        """
        out_location = parse_location(out)
        manifest = (
            parse_location(metadata)
            if metadata is not None
            else out_location.child(_MANIFEST_FILENAME)
        )
        check_filename(manifest.name, what="--metadata file name")
        destinations = cls(
            out=out_location,
            mirrors=tuple(parse_location(m) for m in mirrors),
            manifest=manifest,
            options=parse_storage_options(storage_options),
            env=env,
            durable=durable,
        )
        for location in (destinations.out, *destinations.mirrors, destinations.manifest):
            if not location.is_local:
                destinations._writer(location, "probe")  # fails early on a missing extra
        return destinations

    @property
    def writes_manifest(self) -> bool:
        """Whether the manifest is written here (by :meth:`finish`) rather than by the
        exporter: when the artifact folder or the manifest is a URL."""
        return not (self.out.is_local and self.manifest.is_local)

    @property
    def local_out(self) -> Path:
        """The artifact folder when local, else the working folder (a local stand-in)."""
        return self.out.local_path if self.out.is_local else Path.cwd()

    @property
    def local_metadata(self) -> Path | None:
        """The manifest path for the exporter when it writes the manifest itself."""
        return None if self.writes_manifest else self.manifest.local_path

    def folders(self) -> list[tuple[str, StorageLocation]]:
        """``(writer id, location)`` for the artifact folder and each mirror, in order."""
        mirrors = [(f"mirror-{n}", m) for n, m in enumerate(self.mirrors, start=1)]
        return [("out", self.out), *mirrors]

    def writers(self) -> list[Writer]:
        """One writer per folder: a filesystem writer for paths, a storage writer for URLs."""
        return [self._writer(location, writer_id) for writer_id, location in self.folders()]

    def finish(self, result: ExportResult, exporter: Exporter) -> ExportResult:
        """Write the manifest last, when :attr:`writes_manifest`; list only the artifacts the
        ``out`` writer stored, so a reader that sees the manifest finds everything it lists."""
        if not self.writes_manifest:
            return result
        from worldstate.export import build_manifest
        from worldstate.export.manifest import manifest_artifact
        from worldstate.export.pipeline import manifest_context

        stored = {r.filename for r in result.writes.for_writer("out") if r.ok}
        paths = [
            self.out.child(a.filename).display
            for a in result.prepared.artifacts
            if a.filename in stored
        ]
        context = manifest_context(
            result.prepared, result.writes, Path(), exporter.run_context, exporter.publish
        )
        context["artifactDir"] = self.out.display
        manifest = build_manifest(
            generated_at=exporter.clock(),
            dry_run=exporter.dry_run,
            artifact_paths=paths,
            context=context,
            redactor=exporter.redactor,
        )
        writer = self._writer(self.manifest.parent, MANIFEST_WRITER_ID)
        written = writer.write(manifest_artifact(manifest, self.manifest.name))
        return dataclasses.replace(result, manifest=manifest, manifest_write=written)

    def upload(self, destination: str, result: ExportResult, run_id: str | None) -> UploadResult:
        """Copy the finished export (artifacts, then the manifest) with the ``storage``
        provider to ``destination`` (a URL template, see ``StorageUploader``).

        Raises:
            ConfigurationError: the artifact folder is not local, or a bad placeholder.
        """
        from worldstate.errors import ConfigurationError
        from worldstate.publish import StorageUploader, UploadContext

        if not (self.out.is_local and self.manifest.is_local):
            raise ConfigurationError("--upload-to copies a local export: give a local --out")
        root = self.out.local_path
        files = [root / a.filename for a in result.prepared.artifacts]
        files.append(self.manifest.local_path)
        uploader = StorageUploader(destination, storage_options=self.options)
        context = UploadContext(
            manifest_path=self.manifest.local_path,
            prefix=result.prepared.prefix,
            run_id=run_id,
            env=self.env,
        )
        return uploader.upload(files, root=root, name=result.prepared.prefix, context=context)

    def _writer(self, location: StorageLocation, writer_id: str) -> Writer:
        options = resolve_storage_options(location.protocol, self.options, self.env)
        if location.is_local:
            return open_writer(location, id=writer_id, durable=self.durable)
        return StorageWriter(location, storage_options=options, id=writer_id)
