"""A writer that puts artifacts into files below one root folder, atomically."""

from __future__ import annotations

import contextlib
import itertools
import os
from pathlib import Path

from worldstate.artifacts import Artifact
from worldstate.writers.base import WriteResult, check_filename, check_folder, normalise_content

__all__ = ["FileSystemWriter", "TEMP_SUFFIX"]

TEMP_SUFFIX = ".tmp"
"""Temp files are named ``.<filename>.<pid>.<n>.tmp`` beside their target."""

_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
_TEMP_NUMBERS = itertools.count()
"""Process-wide, so two writers (or threads) never pick the same temp name in one folder."""


class FileSystemWriter:
    """Write each artifact to ``root/[folder/]filename``.

    The content goes to a temp file in the target folder first and is then renamed over the
    target (``os.replace``), so a crash at any moment leaves the old file or the new one under
    the final name, never a torn one; at worst a temp file stays behind.  Missing folders are
    created.

    Args:
        root: the folder everything is written below (made absolute once, here).
        durable: also ``fsync`` each file before the rename and its folder after it, so a
            written artifact survives a power cut (slower; see ``docs/writers.md``).
        id: the name used in results, events and messages.
    """

    def __init__(
        self, root: str | os.PathLike[str], *, durable: bool = False, id: str = "filesystem"
    ) -> None:
        self.root = Path(root).absolute()
        self.durable = durable
        self.id = id
        self._closed = False

    def __repr__(self) -> str:
        return f"FileSystemWriter({str(self.root)!r}, durable={self.durable}, id={self.id!r})"

    def path_for(self, filename: str, *, folder: str | None = None) -> Path:
        """The final path ``write`` would use for ``filename`` (names are checked)."""
        return self.root.joinpath(*check_folder(folder), check_filename(filename))

    def write(self, artifact: Artifact, *, folder: str | None = None) -> WriteResult:
        """Write ``artifact`` atomically; see the class docs.

        Raises:
            UnsafeNameError: the file name or folder would leave the root.
            RuntimeError: the writer was closed.
        """
        if self._closed:
            raise RuntimeError(f"writer {self.id!r} is closed")
        filename = artifact.filename
        directory = os.path.join(self.root, *check_folder(folder))
        target = os.path.join(directory, check_filename(filename))
        data = normalise_content(artifact.content)
        try:
            self._replace(directory, target, filename, data)
        except OSError as exc:
            return WriteResult.failed(self.id, filename, exc)
        return WriteResult.written(self.id, filename, target, len(data))

    def close(self) -> None:
        """Mark the writer closed (it holds no open files between writes)."""
        self._closed = True

    def _replace(self, directory: str, target: str, filename: str, data: bytes) -> None:
        temp = os.path.join(
            directory, f".{filename}.{os.getpid()}.{next(_TEMP_NUMBERS)}{TEMP_SUFFIX}"
        )
        try:
            fd = os.open(temp, _FLAGS, 0o644)
        except FileNotFoundError:
            # Creating the folder only when the open fails keeps the common case to one syscall.
            os.makedirs(directory, exist_ok=True)
            fd = os.open(temp, _FLAGS, 0o644)
        try:
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view) :]
                if self.durable:
                    os.fsync(fd)
            finally:
                os.close(fd)
            os.replace(temp, target)
        except BaseException:
            _discard(temp)
            raise
        if self.durable:
            _fsync_folder(directory)


def _discard(path: str) -> None:
    # The original error is what matters; a stray temp file is harmless.
    with contextlib.suppress(OSError):
        os.unlink(path)


def _fsync_folder(directory: str) -> None:
    fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
