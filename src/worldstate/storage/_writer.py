"""A writer that puts artifacts into any fsspec filesystem (object storage, memory, local)."""

from __future__ import annotations

import itertools
import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from worldstate.artifacts import Artifact
from worldstate.storage._errors import StorageError, describe_failure
from worldstate.storage._filesystem import open_filesystem
from worldstate.storage._location import StorageLocation, parse_location
from worldstate.writers import (
    FileSystemWriter,
    WriteResult,
    check_filename,
    check_folder,
    normalise_content,
)

if TYPE_CHECKING:
    from fsspec import AbstractFileSystem

    from worldstate.storage._retry import RetryPolicy

__all__ = ["StorageWriter", "open_writer"]

_ATOMIC_PUT = frozenset({"s3", "s3a", "gs", "gcs", "az", "abfs", "abfss", "memory"})
"""Filesystems whose single-call put is all-or-nothing: an object store never shows a partial
object (a multipart upload that does not complete leaves no object), and memory stores the
bytes in one assignment."""

_TEMP_NUMBERS = itertools.count()


class StorageWriter:
    """Write each artifact to ``<root>/[folder/]filename`` in an fsspec filesystem.

    Every object is written whole or not at all: on object stores and ``memory://`` with one
    put of the complete bytes (never through an open file, whose close would store whatever
    had been written when an error struck); on a local filesystem through a temp file renamed
    into place; elsewhere to a temp name that is then moved over the target.  Throttled
    requests are retried with backoff (see :class:`RetryPolicy`).  Failures come back as failed
    results whose error names the object's URL (never with credentials).

    Args:
        root: the folder everything goes below: a URL (``s3://bucket/run1``) or a path.
        storage_options: keyword arguments for the fsspec filesystem (endpoint, credentials).
        id: the name used in results, events and messages.
        durable: for local roots, fsync each file and its folder (see ``FileSystemWriter``).
        retry: the throttling retry policy.
        filesystem: an already-open filesystem to use instead of opening one for ``root``.

    Raises:
        MissingExtraError: the URL's filesystem package is not installed (names the extra).
        ConfigurationError: an unknown protocol or unaccepted storage options.
    """

    def __init__(
        self,
        root: str | os.PathLike[str] | StorageLocation,
        *,
        storage_options: Mapping[str, Any] | None = None,
        id: str = "storage",
        durable: bool = False,
        retry: RetryPolicy | None = None,
        filesystem: AbstractFileSystem | None = None,
    ) -> None:
        self.location = root if isinstance(root, StorageLocation) else parse_location(root)
        self.id = id
        if retry is None:
            from worldstate.storage._retry import RetryPolicy  # URL writers only

            retry = RetryPolicy()
        self.retry = retry
        self._closed = False
        self._local: FileSystemWriter | None = None
        if self.location.is_local and filesystem is None:
            # Artifacts go through the local writer (temp file + rename, optional fsync);
            # write_bytes uses fsspec's local filesystem with a temp name and a move.
            self._local = FileSystemWriter(self.location.local_path, durable=durable, id=id)
            from fsspec.implementations.local import LocalFileSystem

            filesystem = LocalFileSystem()
        if filesystem is None:
            filesystem, path = open_filesystem(self.location, dict(storage_options or {}))
        else:
            path = filesystem._strip_protocol(self.location.url)
        self.filesystem = filesystem
        self._root_path = str(path).rstrip("/")
        protocols = filesystem.protocol
        names = {protocols} if isinstance(protocols, str) else set(protocols)
        self._atomic_put = bool(names & _ATOMIC_PUT)

    def __repr__(self) -> str:
        return f"StorageWriter({self.location.display!r}, id={self.id!r})"

    def write(self, artifact: Artifact, *, folder: str | None = None) -> WriteResult:
        """Store ``artifact`` whole or not at all; see the class docs.

        Raises:
            UnsafeNameError: the file name or folder would leave the root.
            RuntimeError: the writer was closed.
        """
        if self._closed:
            raise RuntimeError(f"writer {self.id!r} is closed")
        if self._local is not None:
            return self._local.write(artifact, folder=folder)
        return self.write_bytes(
            artifact.filename, normalise_content(artifact.content), folder=folder
        )

    def write_bytes(self, filename: str, data: bytes, *, folder: str | None = None) -> WriteResult:
        """Store ``data`` as it is (no newline rule) under ``[folder/]filename``, whole or not
        at all: for copying files that already exist.

        Raises:
            UnsafeNameError: the file name or folder would leave the root.
            RuntimeError: the writer was closed.
        """
        if self._closed:
            raise RuntimeError(f"writer {self.id!r} is closed")
        parts = (*check_folder(folder), check_filename(filename))
        target = self.location.child(*parts)
        path = "/".join((self._root_path, *parts))
        try:
            self.retry.call(lambda: self._put(path, data))
        # A foreign filesystem's error tree is open-ended (OSError, botocore, aiohttp, azure);
        # every one of them is this write's failure, reported as a value.
        except Exception as exc:
            return WriteResult.failed(
                self.id, filename, StorageError(describe_failure(target, "write", exc))
            )
        return WriteResult.written(self.id, filename, target.display, len(data))

    def close(self) -> None:
        """Refuse further writes (the filesystem instance is shared and stays open)."""
        self._closed = True
        if self._local is not None:
            self._local.close()

    def _put(self, path: str, data: bytes) -> None:
        fs = self.filesystem
        if self._atomic_put:
            fs.pipe_file(path, data)
            return
        head, _, name = path.rpartition("/")
        temp = f"{head}/.{name}.{os.getpid()}.{next(_TEMP_NUMBERS)}.tmp"
        fs.makedirs(head, exist_ok=True)
        fs.pipe_file(temp, data)
        try:
            fs.mv(temp, path)
        except BaseException:
            fs.rm(temp)
            raise


def open_writer(
    root: StorageLocation,
    *,
    storage_options: Mapping[str, Any] | None = None,
    id: str,
    durable: bool = False,
) -> FileSystemWriter | StorageWriter:
    """The writer for ``root``: a :class:`FileSystemWriter` for local folders, else a
    :class:`StorageWriter`."""
    if root.is_local:
        return FileSystemWriter(root.local_path, durable=durable, id=id)
    return StorageWriter(root, storage_options=storage_options, id=id, durable=durable)
