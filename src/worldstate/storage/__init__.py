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
