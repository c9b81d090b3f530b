"""Opening the fsspec filesystem behind a location, with errors that say what to install."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from worldstate.errors import ConfigurationError
from worldstate.storage._location import EXTRAS, StorageLocation

if TYPE_CHECKING:
    from fsspec import AbstractFileSystem

__all__ = ["open_filesystem", "MissingExtraError"]


class MissingExtraError(ConfigurationError):
    """A URL needs a filesystem package that is not installed; the message names the extra."""

    def __init__(self, location: StorageLocation, reason: str) -> None:
        extra = EXTRAS.get(location.protocol)
        self.extra = extra
        install = (
            f"install it with: pip install 'worldstate[{extra}]'"
            if extra
            else "install the fsspec filesystem package for this protocol"
        )
        super().__init__(
            f"{location.display}: {location.protocol}:// needs the "
            f"{'worldstate[' + extra + '] extra' if extra else 'package it names'} "
            f"({reason}); {install}"
        )


def open_filesystem(
    location: StorageLocation, options: Mapping[str, Any]
) -> tuple[AbstractFileSystem, str]:
    """The filesystem serving ``location`` and the location's path inside it.

    Raises:
        MissingExtraError: the protocol's package is not installed (names the extra).
        ConfigurationError: an unknown protocol, or options the filesystem does not accept
            (option names only: values may be secrets).
    """
    try:
        from fsspec.core import url_to_fs
    except ImportError as exc:  # pragma: no cover - fsspec is a dependency
        raise MissingExtraError(location, str(exc)) from exc
    try:
        fs, path = url_to_fs(location.url, **options)
    except ImportError as exc:
        raise MissingExtraError(location, str(exc)) from exc
    except ValueError as exc:
        raise ConfigurationError(f"{location.display}: {exc}") from exc
    except TypeError as exc:
        names = ", ".join(sorted(options)) or "none"
        raise ConfigurationError(
            f"{location.display}: the {location.protocol} filesystem does not accept these "
            f"storage options ({names}): {exc}"
        ) from exc
    return fs, str(path)
