"""What goes into an artifact's zip, checked before any request, and the zip itself.

Rules (the artifact service's, so that a download works on every platform):

* the artifact name is not empty and has none of ``" : < > | * ? \\ /``, CR or LF;
* every file lies under the root folder and its path inside the zip (relative to the root) has
  none of ``" : < > | * ? CR LF``;
* hidden files and folders (a name starting with ``.``) are left out of folders and refused when
  named, unless hidden files are asked for;
* at most :data:`MAX_FILES` files.

The zip is written to a spooled temporary file: small archives stay in memory, large ones go to
disk, so a large upload never holds a second full copy in memory.
"""

from __future__ import annotations

import os
import tempfile
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Final

from worldstate.publish.github._errors import ArtifactInputError

__all__ = [
    "ZipEntry",
    "MAX_FILES",
    "DEFAULT_COMPRESSION_LEVEL",
    "check_artifact_name",
    "plan_zip",
    "write_zip",
]

MAX_FILES: Final = 500
"""The most files one artifact may hold."""

DEFAULT_COMPRESSION_LEVEL: Final = 6
SPOOL_IN_MEMORY_BYTES: Final = 8 * 1024 * 1024

_PATH_FORBIDDEN: Final = ('"', ":", "<", ">", "|", "*", "?", "\r", "\n")
_NAME_FORBIDDEN: Final = (*_PATH_FORBIDDEN, "\\", "/")


@dataclass(frozen=True, slots=True)
class ZipEntry:
    """One entry of the zip.

    Attributes:
        arcname: its path inside the zip (``/``-separated, relative to the root).
        source: the file whose content it holds; ``None`` for an empty folder.
    """

    arcname: str
    source: Path | None


def check_artifact_name(name: str) -> str:
    """Return ``name`` if the artifact service accepts it.

    Raises:
        ArtifactInputError: it is empty or has a forbidden character (the message names it).
    """
    if not name:
        raise ArtifactInputError("the artifact name is empty", source="artifact name")
    bad = _forbidden_in(name, _NAME_FORBIDDEN)
    if bad:
        raise ArtifactInputError(
            f"artifact name {name!r} contains {bad}, which artifact names may not contain "
            f"({_shown(_NAME_FORBIDDEN)})",
            source="artifact name",
        )
    return name


def plan_zip(
    paths: Sequence[Path], *, root: Path, include_hidden: bool = False
) -> tuple[ZipEntry, ...]:
    """The zip entries for ``paths`` (files or folders) relative to ``root``.

    Folders are walked in sorted order; an empty folder becomes a folder entry.  Symbolic
    links are followed (their target's content is archived).

    Raises:
        ArtifactInputError: the root is not a folder, a path is missing or outside the root, a
            path has a forbidden character, a hidden file is named without ``include_hidden``,
            nothing is left to upload, or there are more than :data:`MAX_FILES` files.
    """
    base = _absolute(root)
    if not base.is_dir():
        raise ArtifactInputError(f"root folder {str(root)!r} is not a folder", source="--root")
    entries: dict[str, ZipEntry] = {}
    for path in paths:
        for entry in _entries_for(_absolute(path), base, include_hidden, shown=str(path)):
            entries.setdefault(entry.arcname, entry)
    files = sum(1 for entry in entries.values() if entry.source is not None)
    if not entries:
        raise ArtifactInputError(
            "nothing to upload: the paths hold no files (hidden files are left out unless "
            "--include-hidden is given)",
            source="paths",
        )
    if files > MAX_FILES:
        raise ArtifactInputError(
            f"{files} files is more than an artifact may hold ({MAX_FILES}); zip them first or "
            "split them across artifacts",
            source="paths",
        )
    return tuple(entries.values())


def write_zip(entries: Iterable[ZipEntry], *, compression_level: int) -> IO[bytes]:
    """Write the zip to a spooled temporary file and return it, rewound.

    Level 0 stores the files; 1-9 deflate them (6 is the usual trade-off).

    Raises:
        ArtifactInputError: the level is not 0-9, or a file could not be read (names it).
    """
    if not 0 <= compression_level <= 9:
        raise ArtifactInputError(
            f"compression level must be 0-9, got {compression_level}",
            source="--compression-level",
        )
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY_BYTES)  # noqa: SIM115
    method = zipfile.ZIP_STORED if compression_level == 0 else zipfile.ZIP_DEFLATED
    level = None if compression_level == 0 else compression_level
    try:
        with zipfile.ZipFile(spool, "w", compression=method, compresslevel=level) as archive:
            for entry in entries:
                _add(archive, entry)
    except BaseException:
        spool.close()
        raise
    spool.seek(0)
    return spool


def _add(archive: zipfile.ZipFile, entry: ZipEntry) -> None:
    if entry.source is None:
        archive.writestr(zipfile.ZipInfo(entry.arcname + "/"), b"")
        return
    try:
        archive.write(entry.source, entry.arcname)
    except OSError as exc:
        raise ArtifactInputError(
            f"cannot read {str(entry.source)!r}: {exc.strerror or exc}", source="paths"
        ) from exc


def _entries_for(path: Path, base: Path, include_hidden: bool, *, shown: str) -> Iterator[ZipEntry]:
    relative = _relative_to_root(path, base, shown)
    if not path.exists():
        raise ArtifactInputError(f"{shown!r} does not exist", source="paths")
    hidden = next((part for part in relative.parts if part.startswith(".")), None)
    if hidden is not None and not include_hidden:
        raise ArtifactInputError(
            f"{shown!r} is hidden ({hidden!r} starts with '.'); pass --include-hidden to "
            "upload hidden files",
            source="paths",
        )
    if path.is_dir():
        yield from _walk(path, base, include_hidden)
    else:
        yield ZipEntry(_arcname(relative, shown), path)


def _walk(folder: Path, base: Path, include_hidden: bool) -> Iterator[ZipEntry]:
    found = False
    for child in sorted(folder.iterdir(), key=lambda item: item.name):
        if child.name.startswith(".") and not include_hidden:
            continue
        found = True
        if child.is_dir():
            yield from _walk(child, base, include_hidden)
        else:
            yield ZipEntry(_arcname(child.relative_to(base), str(child)), child)
    if not found and folder != base:
        yield ZipEntry(_arcname(folder.relative_to(base), str(folder)), None)


def _relative_to_root(path: Path, base: Path, shown: str) -> Path:
    try:
        return path.relative_to(base)
    except ValueError:
        raise ArtifactInputError(
            f"{shown!r} is outside the root folder {str(base)!r}; pass --root with a folder "
            "that contains every path",
            source="paths",
        ) from None


def _arcname(relative: Path, shown: str) -> str:
    arcname = relative.as_posix()
    bad = _forbidden_in(arcname, _PATH_FORBIDDEN)
    if bad:
        raise ArtifactInputError(
            f"{shown!r} contains {bad}, which paths inside an artifact may not contain "
            f"({_shown(_PATH_FORBIDDEN)}); rename it",
            source="paths",
        )
    return arcname


def _absolute(path: Path) -> Path:
    # Normalised but not resolved: a symbolic link inside the root stays inside the root.
    return Path(os.path.normpath(Path(path).absolute()))


def _forbidden_in(text: str, forbidden: Sequence[str]) -> str:
    return ", ".join(repr(char) for char in forbidden if char in text)


def _shown(forbidden: Sequence[str]) -> str:
    return " ".join(repr(char) for char in forbidden)
