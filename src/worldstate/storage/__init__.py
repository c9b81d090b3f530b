"""Object storage: export folders and inputs at fsspec URLs (``s3://``, ``gs://``, ``az://``,
``memory://``, ``file://``).

* :class:`StorageWriter` is a :class:`~worldstate.writers.Writer` over any fsspec filesystem:
  each object is written whole or not at all, throttling is retried with backoff, and failures
  are results naming the object's URL.
* :func:`read_bytes`, :func:`read_text`, :func:`read_json` and :func:`open_binary` read inputs
  by path or URL.
* :func:`parse_location` and :class:`StorageLocation` tell paths from URLs and show URLs
  without credentials; :func:`parse_storage_options` reads ``--storage-option KEY=VALUE``.

Filesystem packages come with extras: ``worldstate[s3]``, ``worldstate[gcs]``,
``worldstate[azure]``; a URL whose package is missing raises :class:`MissingExtraError`,
which names the extra.  See ``docs/storage.md``.
"""

from __future__ import annotations

import typing

from worldstate import _lazy_exports

if typing.TYPE_CHECKING:
    from worldstate.storage._errors import StorageError
    from worldstate.storage._export import ExportDestinations
    from worldstate.storage._filesystem import MissingExtraError, open_filesystem
    from worldstate.storage._location import (
        EXTRAS,
        StorageLocation,
        display_url,
        is_url,
        parse_location,
    )
    from worldstate.storage._options import (
        parse_storage_options,
        resolve_storage_options,
        storage_options_from_env,
    )
    from worldstate.storage._read import (
        expand_url,
        open_binary,
        read_bytes,
        read_json,
        read_text,
        source_label,
    )
    from worldstate.storage._retry import RetryPolicy, is_throttling
    from worldstate.storage._writer import StorageWriter, open_writer

# Each name is imported from its module on first use: a local export resolves its destinations
# without loading the storage writer, its retries or the readers.
_LAZY = {
    "EXTRAS": "worldstate.storage._location",
    "ExportDestinations": "worldstate.storage._export",
    "MissingExtraError": "worldstate.storage._filesystem",
    "RetryPolicy": "worldstate.storage._retry",
    "StorageError": "worldstate.storage._errors",
    "StorageLocation": "worldstate.storage._location",
    "StorageWriter": "worldstate.storage._writer",
    "display_url": "worldstate.storage._location",
    "expand_url": "worldstate.storage._read",
    "is_throttling": "worldstate.storage._retry",
    "is_url": "worldstate.storage._location",
    "open_binary": "worldstate.storage._read",
    "open_filesystem": "worldstate.storage._filesystem",
    "open_writer": "worldstate.storage._writer",
    "parse_location": "worldstate.storage._location",
    "parse_storage_options": "worldstate.storage._options",
    "read_bytes": "worldstate.storage._read",
    "read_json": "worldstate.storage._read",
    "read_text": "worldstate.storage._read",
    "resolve_storage_options": "worldstate.storage._options",
    "source_label": "worldstate.storage._read",
    "storage_options_from_env": "worldstate.storage._options",
}

__all__ = [
    "StorageWriter",
    "ExportDestinations",
    "open_writer",
    "RetryPolicy",
    "is_throttling",
    "StorageLocation",
    "parse_location",
    "is_url",
    "display_url",
    "EXTRAS",
    "parse_storage_options",
    "storage_options_from_env",
    "resolve_storage_options",
    "open_filesystem",
    "read_bytes",
    "read_text",
    "read_json",
    "open_binary",
    "expand_url",
    "source_label",
    "StorageError",
    "MissingExtraError",
]


__getattr__, __dir__ = _lazy_exports(__name__, _LAZY, globals(), __all__)
