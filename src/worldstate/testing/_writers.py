"""Writer doubles: one that records what it was given, one that always fails."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from worldstate.artifacts import Artifact
from worldstate.writers import WriteResult, check_filename, check_folder, normalise_content

__all__ = ["RecordingWriter", "FailingWriter", "WriteCall"]


@dataclass(frozen=True, slots=True)
class WriteCall:
    """One call a :class:`RecordingWriter` received."""

    artifact: Artifact
    folder: str | None


class RecordingWriter:
    """A writer that records each call and succeeds, except for the names it is told to fail.

    Args:
        id: the writer id.
        fail_on: file names whose writes come back as failed results (``OSError``-like).
    """

    def __init__(self, *, id: str = "recording", fail_on: Collection[str] = ()) -> None:
        self.id = id
        self.fail_on = frozenset(fail_on)
        self.calls: list[WriteCall] = []
        self.closed = False

    def write(self, artifact: Artifact, *, folder: str | None = None) -> WriteResult:
        """Record the call; fail it when the name is in ``fail_on``."""
        if self.closed:
            raise RuntimeError(f"writer {self.id!r} is closed")
        key = "/".join((*check_folder(folder), check_filename(artifact.filename)))
        self.calls.append(WriteCall(artifact, folder))
        if artifact.filename in self.fail_on:
            return WriteResult.failed(self.id, artifact.filename, OSError(f"refused {key}"))
        size = len(normalise_content(artifact.content))
        return WriteResult.written(self.id, artifact.filename, key, size)

    def close(self) -> None:
        """Refuse further writes."""
        self.closed = True

    @property
    def filenames(self) -> list[str]:
        """The file names written, in call order."""
        return [call.artifact.filename for call in self.calls]


class FailingWriter:
    """A writer that fails every write.

    Each call raises (or reports) a new exception of ``error``'s type and arguments, as a real
    failing writer would, so tracebacks never pile up on one shared exception object.

    Args:
        id: the writer id.
        error: the exception to copy on every call (or to report when ``raises`` is false).
        raises: raise (a buggy writer) instead of returning a failed result.
    """

    def __init__(
        self,
        *,
        id: str = "failing",
        error: Exception | None = None,
        raises: bool = True,
    ) -> None:
        self.id = id
        self.error = error if error is not None else RuntimeError("writer exploded")
        self.raises = raises
        self.attempts = 0

    def write(self, artifact: Artifact, *, folder: str | None = None) -> WriteResult:
        """Raise (or return a failed result) every time."""
        self.attempts += 1
        error = type(self.error)(*self.error.args)
        if self.raises:
            raise error
        return WriteResult.failed(self.id, artifact.filename, error)

    def close(self) -> None:
        """Nothing to release."""
