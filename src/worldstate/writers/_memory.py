"""A writer that keeps artifacts in a dictionary: for tests, previews and in-game inspection."""

from __future__ import annotations

import threading

from worldstate.artifacts import Artifact
from worldstate.writers._base import WriteResult, check_filename, check_folder, normalise_content

__all__ = ["MemoryWriter"]


class MemoryWriter:
    """Keep every written artifact's bytes under its key ``"[folder/]filename"``.

    Writes are thread-safe; a later write to the same key replaces the earlier one, except
    that an artifact saying ``replace_different=False`` (a stamped summary file) fails instead
    of replacing different bytes, as with :class:`FileSystemWriter`.

    Args:
        id: the name used in results, events and messages.
    """

    def __init__(self, *, id: str = "memory") -> None:
        self.id = id
        self._files: dict[str, bytes] = {}
        self._lock = threading.Lock()
        self._closed = False

    def __repr__(self) -> str:
        return f"MemoryWriter(id={self.id!r}, files={len(self._files)})"

    def write(self, artifact: Artifact, *, folder: str | None = None) -> WriteResult:
        """Store ``artifact``'s content (UTF-8, exactly one trailing ``\\n``).

        Raises:
            UnsafeNameError: the file name or folder is not a safe relative name.
            RuntimeError: the writer was closed.
        """
        if self._closed:
            raise RuntimeError(f"writer {self.id!r} is closed")
        key = "/".join((*check_folder(folder), check_filename(artifact.filename)))
        data = normalise_content(artifact.content)
        with self._lock:
            existing = self._files.get(key, data)
            if existing != data and not artifact.replace_different:
                return WriteResult.failed(self.id, artifact.filename, _collision(key))
            self._files[key] = data
        return WriteResult.written(self.id, artifact.filename, key, len(data))

    def close(self) -> None:
        """Refuse further writes; what was written stays readable."""
        self._closed = True

    @property
    def files(self) -> dict[str, bytes]:
        """A copy of everything written so far, key -> bytes."""
        with self._lock:
            return dict(self._files)

    def read(self, key: str) -> bytes:
        """The bytes stored under ``key`` (``KeyError`` if nothing was written there)."""
        with self._lock:
            return self._files[key]

    def text(self, key: str) -> str:
        """The text stored under ``key``, decoded from UTF-8."""
        return self.read(key).decode("utf-8")


def _collision(key: str) -> FileExistsError:
    return FileExistsError(
        f"{key} already exists with other content (another export used the same name in "
        "the same second); nothing was overwritten: use another prefix or folder"
    )
