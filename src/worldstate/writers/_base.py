"""The writer protocol and the records writers return.

A writer puts one :class:`~worldstate.artifacts.Artifact` somewhere (a folder, memory, a bucket)
and says how that went as a :class:`WriteResult`.  Expected I/O failures come back as a failed
result carrying the reason; only programming mistakes (writing after ``close()``) raise.  A name
that would leave the writer's root raises :class:`~worldstate.errors.UnsafeNameError`.
"""

from __future__ import annotations

import enum
from typing import Protocol, runtime_checkable

import msgspec

from worldstate.artifacts import Artifact
from worldstate.errors import UnsafeNameError
from worldstate.names import check_safe_name

__all__ = [
    "Writer",
    "WriteResult",
    "WriteStatus",
    "normalise_content",
    "check_folder",
    "check_filename",
]


class WriteStatus(enum.Enum):
    """How one write went."""

    WRITTEN = "written"
    FAILED = "failed"


class WriteResult(msgspec.Struct, frozen=True):
    """The outcome of writing one artifact with one writer.

    Attributes:
        writer_id: the writer's ``id``.
        filename: the artifact's file name.
        status: written or failed.
        location: where the content went (an absolute path for files, a key for memory), or
            ``None`` when nothing was written.
        size: bytes written (UTF-8), 0 on failure.
        error: ``"<ExceptionType>: <message>"`` when the write failed, else ``None``.
        duration_ms: how long the write took, measured by :class:`~worldstate.writers.WriterFanout`
            (0.0 when the writer was called directly).
    """

    writer_id: str
    filename: str
    status: WriteStatus
    location: str | None = None
    size: int = 0
    error: str | None = None
    duration_ms: float = 0.0

    @property
    def ok(self) -> bool:
        """True when the artifact was written."""
        return self.status is WriteStatus.WRITTEN

    @classmethod
    def written(cls, writer_id: str, filename: str, location: str, size: int) -> WriteResult:
        """A successful write of ``size`` bytes to ``location``."""
        return cls(writer_id, filename, WriteStatus.WRITTEN, location, size)

    @classmethod
    def failed(cls, writer_id: str, filename: str, exc: BaseException) -> WriteResult:
        """A failed write; the reason is the exception's type and message."""
        return cls(writer_id, filename, WriteStatus.FAILED, error=f"{type(exc).__name__}: {exc}")


@runtime_checkable
class Writer(Protocol):
    """Something that stores artifacts.

    Implementations are small classes; they need no base class.  Contract (checked by the
    shared contract tests in ``tests/writers/test_contract.py``):

    * ``write`` stores the artifact's content as UTF-8 ending with exactly one ``\\n`` under
      ``[folder/]filename`` below the writer's root, replacing any previous content in one step
      (a reader sees the old or the new content, never a mix).
    * ``filename`` must be a bare name and ``folder`` a relative path of bare names; anything
      absolute, containing ``..``, a backslash or a control character raises
      :class:`~worldstate.errors.UnsafeNameError` before anything is written.
    * I/O failures return ``WriteResult.failed(...)``; they do not raise.
    * After ``close()``, ``write`` raises ``RuntimeError``; ``close()`` may be called twice.

    A writer may also have a ``kind`` string naming its sort in events and metrics (see
    :class:`~worldstate.writers.WriterFanout`); it is not part of the protocol.
    """

    id: str
    """A short name used in results, events and messages."""

    def write(self, artifact: Artifact, *, folder: str | None = None) -> WriteResult:
        """Store ``artifact`` (in ``folder`` below the writer's root when given)."""
        ...

    def close(self) -> None:
        """Release resources; later writes raise ``RuntimeError``."""
        ...


def check_filename(name: str, *, what: str = "artifact filename") -> str:
    """Return ``name`` if it is a bare file name, else raise :class:`UnsafeNameError`.

    Refused (see :func:`worldstate.names.check_safe_name`): empty names, ``.``, anything with
    ``..``, a path separator (``/`` or ``\\``) or a control character, absolute paths.
    """
    if name == ".":
        raise UnsafeNameError(f"unsafe {what} '.': it names the folder itself", source=what)
    return check_safe_name(name, what=what)


def check_folder(folder: str | None) -> tuple[str, ...]:
    """Split a relative ``folder`` (``"a/b"``) into safe parts; ``None`` or ``""`` -> ``()``.

    Raises:
        UnsafeNameError: the folder is absolute or a part is unsafe (see :func:`check_filename`).
    """
    if not folder:
        return ()
    if folder.startswith("/"):
        raise UnsafeNameError(f"folder {folder!r} must be relative to the writer's root")
    return tuple(check_filename(part, what="folder") for part in folder.split("/"))


def normalise_content(content: str) -> bytes:
    """Encode ``content`` as UTF-8 ending with exactly one ``\\n``."""
    if not content.endswith("\n") or content.endswith("\n\n"):
        content = content.rstrip("\n") + "\n"
    return content.encode("utf-8")
