"""Reading inputs (logs, snapshots, summaries, manifests) from a path or a URL."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from worldstate.errors import InputError
from worldstate.jsonfile import loads_strict, read_json_file
from worldstate.storage._errors import describe_failure
from worldstate.storage._filesystem import open_filesystem
from worldstate.storage._location import StorageLocation, display_url, is_url, parse_location
from worldstate.storage._options import resolve_storage_options

__all__ = ["read_bytes", "read_text", "read_json", "open_binary", "source_label", "expand_url"]

_GLOB_CHARACTERS = frozenset("*?[")


def source_label(source: str | os.PathLike[str]) -> str:
    """How messages name an input: the path, or the URL without credentials."""
    return display_url(source) if isinstance(source, str) and is_url(source) else str(source)


def read_bytes(
    source: str | os.PathLike[str],
    storage_options: Mapping[str, Any] | None = None,
    *,
    env: Mapping[str, str] | None = None,
) -> bytes:
    """The whole content of a file given by path or URL.

    Args:
        source: a local path or an fsspec URL (``s3://bucket/run1/ci-artifacts.json``).
        storage_options: filesystem options (they win over the environment's).
        env: where ``FSSPEC_<PROTOCOL>_<KEY>`` and ``AWS_ENDPOINT_URL`` options are read from
            (default: none).

    Raises:
        InputError: the file cannot be read (names the URL, never credentials).
        MissingExtraError: the URL's filesystem package is not installed.
    """
    with open_binary(source, storage_options, env=env) as stream:
        try:
            return stream.read()
        except Exception as exc:  # a foreign filesystem's errors; see StorageWriter.write
            raise _read_error(parse_location(source), exc) from exc


def read_text(
    source: str | os.PathLike[str],
    storage_options: Mapping[str, Any] | None = None,
    *,
    env: Mapping[str, str] | None = None,
) -> str:
    """The content of a UTF-8 text file given by path or URL (see :func:`read_bytes`)."""
    data = read_bytes(source, storage_options, env=env)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text: {exc}", source=source_label(source)) from exc


def read_json(
    source: str | os.PathLike[str],
    *,
    what: str,
    storage_options: Mapping[str, Any] | None = None,
    env: Mapping[str, str] | None = None,
) -> Any:
    """Parse the strict-JSON document at a path or URL (``NaN`` and lone surrogates refused).

    Raises:
        InputError: unreadable or not JSON (names the file or URL, line and column).
        SnapshotError: ``NaN``/``Infinity`` or a lone surrogate (names the JSON path).
    """
    if not is_url(source) or parse_location(source).is_local:
        path = parse_location(source).local_path if is_url(source) else Path(source)
        return read_json_file(path, what=what)
    text = read_text(source, storage_options, env=env)
    return loads_strict(text, source=source_label(source), what=what)


@contextmanager
def open_binary(
    source: str | os.PathLike[str],
    storage_options: Mapping[str, Any] | None = None,
    *,
    env: Mapping[str, str] | None = None,
) -> Iterator[IO[bytes]]:
    """Open a file given by path or URL for reading bytes (streamed, for long event logs).

    Raises:
        InputError: the file cannot be opened (names the URL, never credentials).
        MissingExtraError: the URL's filesystem package is not installed.
    """
    location = parse_location(source)
    if location.is_local:
        try:
            stream: IO[bytes] = open(location.local_path, "rb")  # noqa: SIM115 - closed below
        except OSError as exc:
            raise InputError(
                f"cannot read: {exc.strerror or exc}", source=str(location.local_path)
            ) from exc
    else:
        options = resolve_storage_options(location.protocol, storage_options or {}, env or {})
        fs, path = open_filesystem(location, options)
        try:
            stream = fs.open(path, "rb")
        except Exception as exc:  # a foreign filesystem's errors; see StorageWriter.write
            raise _read_error(location, exc) from exc
    with stream:
        yield stream


def expand_url(
    url: str,
    *,
    filename: str,
    storage_options: Mapping[str, Any] | None = None,
    env: Mapping[str, str] | None = None,
) -> list[str]:
    """The URLs ``url`` stands for, sorted: a pattern's matches (``*``, ``?``, ``[``; ``**``
    spans folders), each folder among them standing for every ``filename`` below it; a folder
    URL likewise; anything else (or a pattern matching nothing) is ``[url]`` itself.

    Raises:
        InputError: the storage cannot be listed (names the URL, never credentials).
        MissingExtraError: the URL's filesystem package is not installed.
    """
    location = parse_location(url)
    options = resolve_storage_options(location.protocol, storage_options or {}, env or {})
    fs, path = open_filesystem(location, options)
    prefix = url[: url.index("://") + 3]
    try:
        found = fs.glob(path) if _GLOB_CHARACTERS.intersection(path) else [path]
        expanded: list[str] = []
        for match in sorted(found):
            if fs.isdir(match):
                below = fs.find(match)
                expanded += sorted(f for f in below if f.rsplit("/", 1)[-1] == filename)
            else:
                expanded.append(match)
    except Exception as exc:  # a foreign filesystem's errors; see StorageWriter.write
        raise InputError(describe_failure(location, "list", exc)) from exc
    return [prefix + m.removeprefix(prefix) for m in expanded] or [url]


def _read_error(location: StorageLocation, exc: BaseException) -> InputError:
    return InputError(describe_failure(location, "read", exc))
