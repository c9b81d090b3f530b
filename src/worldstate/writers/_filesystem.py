"""A writer that puts artifacts into files below one root folder, atomically."""

from __future__ import annotations

import contextlib
import itertools
import os
import re
from pathlib import Path

from worldstate.artifacts import Artifact
from worldstate.writers._base import WriteResult, check_filename, check_folder, normalise_content

__all__ = ["FileSystemWriter", "TEMP_SUFFIX", "remove_stale_temp_files"]

TEMP_SUFFIX = ".tmp"
"""Temp files are named ``.<filename>.<pid>.<n>.tmp`` beside their target."""

_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
_TEMP_NUMBERS = itertools.count()
"""Process-wide, so two writers (or threads) never pick the same temp name in one folder."""
_TEMP_NAME = re.compile(
    r"\..+\.(?P<pid>[0-9]{1,10})\.[0-9]+" + re.escape(TEMP_SUFFIX) + r"\Z", re.S
)


def remove_stale_temp_files(directory: str | os.PathLike[str]) -> list[str]:
    """Remove the temp files that processes which no longer run left in ``directory``.

    A writer killed between creating its temp file and renaming it leaves
    ``.<name>.<pid>.<n>.tmp`` behind.  Only files of that shape whose process is gone are
    removed: a live process (this one included) may still be writing its own.

    Returns:
        The names removed (an unreadable folder removes nothing).
    """
    removed: list[str] = []
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return removed
    for entry in entries:
        match = _TEMP_NAME.match(entry.name)
        if match and not _process_alive(int(match.group("pid"))) and entry.is_file():
            with contextlib.suppress(OSError):
                os.unlink(entry.path)
                removed.append(entry.name)
    return removed


def _process_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, OSError):
        return True  # someone else's process, or not a pid we can ask about: keep the file
    return True


class FileSystemWriter:
    """Write each artifact to ``root/[folder/]filename``.

    The content goes to a temp file in the target folder first and is then renamed over the
    target (``os.replace``), so a crash at any moment leaves the old file or the new one under
    the final name, never a torn one; at worst a temp file stays behind, and the first write
    into a folder removes the temp files of processes that no longer run.  Missing folders are
    created.

    Args:
        root: the folder everything is written below (made absolute once, here).
        durable: also ``fsync`` each file before the rename and its folder after it, so a
            written artifact survives a power cut (slower; see ``docs/writers.md``).
        id: the name used in results, events and messages.
        replace_different: replace an existing file whose content differs (the default).  With
            ``False`` such a write fails instead (the file is kept), so two exports that picked
            the same names never silently overwrite each other; the same content is fine.  An
            artifact that says ``replace_different=False`` itself (the stamped summary files)
            is always written that way, whatever this option says.
    """

    def __init__(
        self,
        root: str | os.PathLike[str],
        *,
        durable: bool = False,
        id: str = "filesystem",
        replace_different: bool = True,
    ) -> None:
        self.root = Path(root).absolute()
        self.durable = durable
        self.id = id
        self.replace_different = replace_different
        self._closed = False
        self._swept: set[str] = set()

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
        if directory not in self._swept:
            self._swept.add(directory)
            remove_stale_temp_files(directory)
        try:
            self._replace(directory, target, filename, data, self._may_replace(artifact))
        except OSError as exc:
            return WriteResult.failed(self.id, filename, exc)
        return WriteResult.written(self.id, filename, target, len(data))

    def _may_replace(self, artifact: Artifact) -> bool:
        return self.replace_different and artifact.replace_different

    def close(self) -> None:
        """Mark the writer closed (it holds no open files between writes)."""
        self._closed = True

    def _replace(
        self, directory: str, target: str, filename: str, data: bytes, may_replace: bool
    ) -> None:
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
            if may_replace:
                os.replace(temp, target)
            else:
                _link_unless_different(temp, target, data)
        except BaseException:
            _discard(temp)
            raise
        if self.durable:
            _fsync_folder(directory)


def _link_unless_different(temp: str, target: str, data: bytes) -> None:
    """Put ``temp`` at ``target`` unless a file with other content is there already."""
    try:
        os.link(temp, target)  # atomic, and never replaces
    except FileExistsError:
        with open(target, "rb") as existing:
            same = existing.read(len(data) + 1) == data
        if not same:
            raise FileExistsError(
                f"{target} already exists with other content (another export used the same "
                "name in the same second); nothing was overwritten: use another --prefix or folder"
            ) from None
    _discard(temp)


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
