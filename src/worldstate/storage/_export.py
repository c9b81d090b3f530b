"""Where an export's artifacts, mirrors and manifest go when any of them is a URL."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import msgspec

from worldstate._manifest_text import MANIFEST_FILENAME
from worldstate.storage._location import StorageLocation, parse_location
from worldstate.storage._options import parse_storage_options, resolve_storage_options
from worldstate.storage._writer import StorageWriter, open_writer
from worldstate.writers import Writer, check_filename

__all__ = ["ExportDestinations", "MANIFEST_WRITER_ID"]

MANIFEST_WRITER_ID = "manifest"


class ExportDestinations(msgspec.Struct, frozen=True):
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
            else out_location.child(MANIFEST_FILENAME)
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
    def remote(self) -> bool:
        """Whether the artifact folder or the manifest is a URL: then the manifest is written
        through the storage, after every artifact, and lists only what ``out`` stored."""
        return not (self.out.is_local and self.manifest.is_local)

    @property
    def local_out(self) -> Path:
        """The artifact folder when local, else the working folder (a local stand-in)."""
        return self.out.local_path if self.out.is_local else Path.cwd()

    @property
    def local_metadata(self) -> Path | None:
        """The manifest path when it is local, else ``None``."""
        return self.manifest.local_path if self.manifest.is_local else None

    @property
    def local_mirrors(self) -> tuple[Path, ...]:
        """The mirrors that are local folders."""
        return tuple(m.local_path for m in self.mirrors if m.is_local)

    def folders(self) -> list[tuple[str, StorageLocation]]:
        """``(writer id, location)`` for the artifact folder and each mirror, in order."""
        mirrors = [(f"mirror-{n}", m) for n, m in enumerate(self.mirrors, start=1)]
        return [("out", self.out), *mirrors]

    def writers(self) -> list[Writer]:
        """One writer per folder: a filesystem writer for paths, a storage writer for URLs."""
        return [self._writer(location, writer_id) for writer_id, location in self.folders()]

    def manifest_writer(self) -> Writer:
        """The writer of the manifest's folder (its id is ``manifest``)."""
        return self._writer(self.manifest.parent, MANIFEST_WRITER_ID)

    def _writer(self, location: StorageLocation, writer_id: str) -> Writer:
        options = resolve_storage_options(location.protocol, self.options, self.env)
        if location.is_local:
            return open_writer(location, id=writer_id, durable=self.durable)
        return StorageWriter(location, storage_options=options, id=writer_id)
