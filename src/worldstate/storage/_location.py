"""Where an export folder or an input lives: a local path or an fsspec URL, shown safely."""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import msgspec

__all__ = ["StorageLocation", "is_url", "parse_location", "display_url", "EXTRAS"]

_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*)://")

EXTRAS: dict[str, str] = {
    "s3": "s3",
    "s3a": "s3",
    "gs": "gcs",
    "gcs": "gcs",
    "az": "azure",
    "abfs": "azure",
    "abfss": "azure",
}
"""URL scheme -> the ``worldstate[...]`` extra that installs its filesystem."""

_LOCAL_SCHEMES = frozenset({"file", "local"})


def is_url(text: str | os.PathLike[str]) -> bool:
    """Tell whether ``text`` is a URL (``scheme://...``) rather than a local path."""
    return isinstance(text, str) and _SCHEME.match(text) is not None


def display_url(url: str) -> str:
    """``url`` without credentials: no ``user:password@`` and no query string (which may hold
    a signed token)."""
    parts = urlsplit(url)
    netloc = parts.netloc.rpartition("@")[2]
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


class StorageLocation(msgspec.Struct, frozen=True):
    """A folder or file given as a path or a URL.

    Attributes:
        url: what fsspec is given (``s3://bucket/run1``; an absolute path for local folders).
        protocol: the URL scheme (``s3``, ``memory``), or ``file`` for a local path.
        display: how messages, the manifest and logs show it: never with credentials.
    """

    url: str
    protocol: str
    display: str

    @property
    def is_local(self) -> bool:
        """True for a plain path or a ``file://`` URL."""
        return self.protocol in _LOCAL_SCHEMES

    @property
    def local_path(self) -> Path:
        """The local path (only for :attr:`is_local` locations)."""
        if not self.is_local:
            raise ValueError(f"{self.display} is not a local path")
        return Path(self.url.removeprefix("file://").removeprefix("local://"))

    @property
    def bucket(self) -> str:
        """The first segment after the scheme: the bucket or container of an object store."""
        path = self.display.split("://", 1)[-1]
        return path.split("/", 1)[0]

    @property
    def name(self) -> str:
        """The last segment (a file name for a file location)."""
        return self.url.rstrip("/").rsplit("/", 1)[-1]

    @property
    def parent(self) -> StorageLocation:
        """The folder that holds this location."""
        return StorageLocation(
            _parent(self.url), self.protocol, _parent(self.display) if self.display else ""
        )

    def child(self, *names: str) -> StorageLocation:
        """The location ``names`` below this folder (names are joined with ``/``)."""
        tail = "/".join(names)
        return StorageLocation(_join(self.url, tail), self.protocol, _join(self.display, tail))

    def __str__(self) -> str:
        return self.display


def parse_location(text: str | os.PathLike[str]) -> StorageLocation:
    """A :class:`StorageLocation` for a path or URL; local paths are made absolute.

    ``file://`` URLs become plain absolute paths, so local folders are always written the same
    way, whichever spelling was used.
    """
    if not is_url(text):
        path = str(Path(text).absolute())
        return StorageLocation(path, "file", path)
    url = str(text)
    protocol = url.split("://", 1)[0].lower()
    if protocol in _LOCAL_SCHEMES:
        path = str(Path(url.split("://", 1)[1] or "/").absolute())
        return StorageLocation(path, "file", path)
    return StorageLocation(url.rstrip("/") or url, protocol, display_url(url).rstrip("/"))


def _join(base: str, tail: str) -> str:
    if not tail:
        return base
    return f"{base.rstrip('/')}/{tail}"


def _parent(url: str) -> str:
    head, _, _ = url.rstrip("/").rpartition("/")
    return head if not head.endswith(":/") else head + "/"
