"""Which manifests a report reads, and reading one of them without ever raising.

Arguments are paths, globs or folders; a folder stands for every ``ci-artifacts.json`` below
it.  :func:`resolve_inputs` is the one place that turns arguments into locations; fsspec URLs
(``s3://bucket/runs/*/ci-artifacts.json``, ``s3://bucket/runs/``) are expanded through
:mod:`worldstate.storage` the same way.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from worldstate._manifest_text import MANIFEST_FILENAME
from worldstate.errors import InputError
from worldstate.jsonfile import read_json_file
from worldstate.storage import expand_url, is_url, read_json

__all__ = [
    "MANIFEST_NAME",
    "DEFAULT_MANIFEST",
    "ManifestRead",
    "resolve_inputs",
    "absolute",
    "read_manifest",
    "iter_manifests",
    "default_metadata",
]

MANIFEST_NAME: Final = MANIFEST_FILENAME
"""The file a folder argument stands for (every one below the folder)."""

DEFAULT_MANIFEST: Final = f"telemetry-artifacts/{MANIFEST_FILENAME}"
"""The manifest read when no argument and no ``CI_ARTIFACT_METADATA`` names one."""

_GLOB_CHARACTERS: Final = frozenset("*?[")


@dataclass(frozen=True, slots=True)
class ManifestRead:
    """The outcome of reading one manifest: its document, or why there is none.

    Attributes:
        path: the absolute path that was read.
        document: the decoded JSON document, or ``None``.  It is not redacted: a report
            redacts the parts it shows (redacting whole manifests would dominate its time).
        problem: why there is no document (``None`` when there is one).
    """

    path: str
    document: Any = None
    problem: str | None = None

    @property
    def ok(self) -> bool:
        """Whether a document was read."""
        return self.problem is None


def absolute(path: str, cwd: Path) -> str:
    """``path`` made absolute against ``cwd`` and normalised lexically (symlinks kept)."""
    joined = os.path.normpath(os.path.join(cwd, path))
    # POSIX keeps exactly two leading slashes; JavaScript's path.resolve does not.
    return "/" + joined.lstrip("/") if joined.startswith("//") else joined


def resolve_inputs(
    arguments: Sequence[str], *, cwd: Path, env: Mapping[str, str] | None = None
) -> list[str]:
    """The absolute manifest paths (or URLs) ``arguments`` stand for, first occurrence first.

    * a folder: every ``ci-artifacts.json`` below it, sorted by path;
    * a pattern with ``*``, ``?`` or ``[``: its matches, sorted (``**`` spans folders); a
      pattern that matches nothing stays as it is, so the report names it as unreadable;
    * an fsspec URL: the same rules, in its storage (credentials and endpoints from ``env``);
    * anything else: the path itself, whether or not it exists.

    Arguments are trimmed; blank ones are ignored.

    Raises:
        InputError: a URL's storage cannot be listed.
        MissingExtraError: a URL needs an extra that is not installed.
    """
    resolved: dict[str, None] = {}
    for argument in arguments:
        text = argument.strip()
        if not text:
            continue
        if is_url(text):
            found = expand_url(text, filename=MANIFEST_NAME, env=env)
        else:
            found = list(_expand(absolute(text, cwd)))
        resolved.update(dict.fromkeys(found))
    return list(resolved)


def _expand(path: str) -> Iterable[str]:
    if os.path.isdir(path):
        return sorted(_manifests_below(path))
    if _GLOB_CHARACTERS.intersection(path):
        matches = sorted(glob.glob(path, recursive=True))
        return [m for found in matches for m in _expand_match(found)] or [path]
    return [path]


def _expand_match(path: str) -> Iterable[str]:
    return sorted(_manifests_below(path)) if os.path.isdir(path) else [path]


def _manifests_below(folder: str) -> Iterable[str]:
    for root, dirs, files in os.walk(folder):
        dirs.sort()
        if MANIFEST_NAME in files:
            yield os.path.join(root, MANIFEST_NAME)


def read_manifest(path: str, *, env: Mapping[str, str] | None = None) -> ManifestRead:
    """Read the manifest at ``path`` (or an fsspec URL, with credentials and endpoints from
    ``env``); failures come back as a :class:`ManifestRead` value.

    A document that is ``null``, ``false``, ``0`` or ``""`` holds no manifest and counts as
    unreadable, as it did for the reference's reports.
    """
    try:
        if is_url(path):
            document = read_json(path, what="manifest", env=env)
        else:
            document = read_json_file(Path(path), what="manifest")
    except InputError as exc:
        return ManifestRead(path, problem=str(exc))
    if document is None or document is False or document == 0 or document == "":
        return ManifestRead(path, problem=f"{path}: the document is {document!r}, not a manifest")
    return ManifestRead(path, document=document)


def iter_manifests(
    paths: Iterable[str], *, env: Mapping[str, str] | None = None
) -> Iterable[ManifestRead]:
    """Read ``paths`` one at a time (only one document is held at once)."""
    for path in paths:
        yield read_manifest(path, env=env)


def default_metadata(env: Mapping[str, str]) -> str:
    """``CI_ARTIFACT_METADATA`` when set and not blank, else the default manifest path."""
    value = env.get("CI_ARTIFACT_METADATA", "")
    return value if value.strip() else DEFAULT_MANIFEST
