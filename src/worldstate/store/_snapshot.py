"""Validation of world snapshots (the JSON snapshot format of ``WorldStore.snapshot()``).

A snapshot is a JSON object with one section per slice (``storyFlags``, ``quests``,
``factions``...).  Each slice declares a ``snapshot_schema``; :func:`validate_snapshot` checks the
whole document against a schema assembled from them with ``msgspec.convert`` (unknown keys are
allowed everywhere, every section is optional) and reports the first problem with its JSON path,
e.g. ``$.factions.byId.harbor_union.fame``.
"""

from __future__ import annotations

import functools
import operator
import re
import types
import typing
from collections.abc import Sequence
from pathlib import Path
from typing import Any, cast

import msgspec

from worldstate.errors import SnapshotError
from worldstate.jsonfile import json_type_name, read_json_file
from worldstate.store._slice import Slice

__all__ = [
    "ValidatedSnapshot",
    "adopt_snapshot",
    "load_snapshot_file",
    "section_of",
    "snapshot_schema",
    "validate_snapshot",
]


class ValidatedSnapshot(dict[str, Any]):
    """A snapshot that passed validation against :attr:`schema`, owned by whoever holds it.

    :meth:`WorldStore.hydrate` takes one validated against its own slices' schema as it is
    (no second validation, no copy): hand it over and do not change it afterwards.
    """

    __slots__ = ("schema",)

    def __init__(self, data: dict[str, Any], schema: type[msgspec.Struct]) -> None:
        super().__init__(data)
        self.schema = schema


_SchemaKey = tuple[tuple[str, str, Any], ...]


def _schema_key(slices: Sequence[Slice]) -> _SchemaKey:
    sections = tuple((s.snapshot_key, s.key, s.snapshot_schema) for s in slices)
    return sections + tuple(("", name, schema) for name, schema in _derived(slices).items())


def _derived(slices: Sequence[Slice]) -> dict[str, Any]:
    """Top-level keys slices compute from their state (``tutorialComplete``) -> their type."""
    derived: dict[str, Any] = {}
    for s in slices:
        derived.update(getattr(s, "derived_schema", {}))
    return derived


@functools.lru_cache(maxsize=32)
def _build_schema(key: _SchemaKey) -> type[msgspec.Struct]:
    fields: list[tuple[str, Any, Any]] = []
    seen = {name for snap, name, _ in key if not snap}
    # Snapshot keys first, then the slice keys accepted as fallbacks (``npc`` for ``npcs``),
    # then the derived keys.
    sections = [entry for entry in key if entry[0]]
    names = [(snap, schema) for snap, _, schema in sections]
    names += [(k, schema) for _, k, schema in sections]
    for name, schema in names:
        if name in seen:
            continue
        seen.add(name)
        fields.append((name, Any if schema is None else schema | None, None))
    fields += [(name, schema | None, None) for snap, name, schema in key if not snap]
    return msgspec.defstruct("WorldSnapshot", fields)


def snapshot_schema(slices: Sequence[Slice]) -> type[msgspec.Struct]:
    """The msgspec type a snapshot of a store with these ``slices`` must convert to."""
    return _build_schema(_schema_key(slices))


def section_of(data: dict[str, Any], slice_: Slice) -> Any:
    """The slice's section of a snapshot: its ``snapshot_key``, else its ``key``, else ``None``."""
    section = data.get(slice_.snapshot_key)
    return data.get(slice_.key) if section is None else section


def validate_snapshot(
    data: object, *, source: str | None = None, slices: Sequence[Slice] | None = None
) -> ValidatedSnapshot:
    """Check a snapshot and return a private deep copy of it.

    Args:
        data: the decoded snapshot (a dict).
        source: where it came from, for error messages (a file name, ``slot 'autosave'``).
        slices: the slices whose sections to check; the default slices when ``None``.

    Returns:
        A fresh copy of ``data`` (JSON containers only) that the caller may keep.

    Raises:
        SnapshotError: ``data`` is not an object, a section has the wrong shape (the error's
            ``path`` names the offending value), or it holds values JSON cannot represent.
    """
    schema = _check(data, source, slices)
    try:
        copy: dict[str, Any] = msgspec.json.decode(msgspec.json.encode(data))
    except (TypeError, ValueError, msgspec.MsgspecError) as exc:
        raise SnapshotError(f"not JSON data: {exc}", source=source, path="$") from exc
    return ValidatedSnapshot(copy, schema)


def _check(
    data: object, source: str | None, slices: Sequence[Slice] | None, *, decoded: bool = False
) -> type[msgspec.Struct]:
    """Validate ``data``; returns the schema it passed.

    ``decoded`` (``data`` is freshly decoded JSON) lets :func:`_lean_schema` decide first;
    only a document it refuses is converted again, for the exact message and path.
    """
    if slices is None:
        from worldstate.store.slices import default_slices

        slices = default_slices()
    if not isinstance(data, dict):
        raise SnapshotError(
            f"a snapshot must be a JSON object, got {json_type_name(data)}", source=source, path="$"
        )
    _check_has_a_section(data, slices, source)
    schema = snapshot_schema(slices)
    if decoded and _passes(data, _lean_schema(schema)):
        return schema
    try:
        msgspec.convert(data, schema)
    except msgspec.ValidationError as exc:
        message, raw_path = _split(str(exc))
        path = _locate(data, schema, raw_path)
        raise SnapshotError(message, source=source, path=path) from exc
    return schema


def _passes(data: object, schema: Any) -> bool:
    try:
        msgspec.convert(data, schema)
    except msgspec.ValidationError:
        return False
    return True


# -- the lean schema ---------------------------------------------------------------------------
# msgspec.convert builds the typed value it validates against, a throwaway here: for
# ``dict[str, Any]`` a copy of the dict, for a TypedDict a dict of its fields.  On decoded JSON
# (object keys are always strings) an empty Struct accepts exactly the objects ``dict[str, Any]``
# accepts, and a Struct with a TypedDict's fields (those typed ``Any`` left out) exactly what
# the TypedDict accepts, building far less (untracked by the collector: the values it builds
# are dropped at once).  The lean schema is only ever asked yes or no.


class _AnyObject(msgspec.Struct, gc=False):
    """Any JSON object (nothing of it is kept)."""


@functools.lru_cache(maxsize=32)
def _lean_schema(schema: type[msgspec.Struct]) -> type[msgspec.Struct]:
    """``schema`` (a snapshot schema) with its sections' dicts and TypedDicts made lean."""
    fields = [(f.name, _lean(f.type), f.default) for f in msgspec.structs.fields(schema)]
    return msgspec.defstruct(f"Lean{schema.__name__}", fields, kw_only=True, gc=False)


def _lean(annotation: Any) -> Any:
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if annotation == dict[str, Any]:
        return _AnyObject
    if typing.is_typeddict(annotation):
        return _lean_typed_dict(annotation)
    if origin is list:
        return types.GenericAlias(list, (_lean(args[0]),))
    if origin is dict:
        return types.GenericAlias(dict, (args[0], _lean(args[1])))
    if origin in (typing.Union, types.UnionType):
        return functools.reduce(operator.or_, map(_lean, args))
    return annotation


@functools.cache
def _lean_typed_dict(typed_dict: type) -> type[msgspec.Struct]:
    hints = typing.get_type_hints(typed_dict, include_extras=True)
    required: frozenset[str] = getattr(typed_dict, "__required_keys__", frozenset())
    fields: list[Any] = [
        (name, _lean(annotation)) if name in required else (name, _lean(annotation), None)
        for name, annotation in hints.items()
        if annotation is not Any
    ]
    return msgspec.defstruct(f"Lean{typed_dict.__name__}", fields, kw_only=True, gc=False)


_SUMMARY_MARKS = frozenset({"generatedAt", "generatedIso", "engine", "controlBindings"})
"""Top-level keys of an inspector summary that no world snapshot has."""

_SUMMARY_SHARED = frozenset({"factions", "tutorial", "districts", "npcs", "source"})
"""Top-level keys an inspector summary shares with a world snapshot."""


def _check_has_a_section(data: dict[str, Any], slices: Sequence[Slice], source: str | None) -> None:
    # Every section is optional, so a document with none of them (a typo'd export) would
    # silently hydrate an empty world; an empty object stays a valid empty world.  An inspector
    # summary shares factions, tutorial, districts and npcs with a snapshot: told by its marks.
    known = {s.snapshot_key for s in slices} | {s.key for s in slices} | set(_derived(slices))
    if not _SUMMARY_MARKS.isdisjoint(data) and known.isdisjoint(set(data) - _SUMMARY_SHARED):
        raise SnapshotError(
            "this is an inspector summary, not a world snapshot; use --summary",
            source=source,
            path="$",
        )
    if data and known.isdisjoint(data):
        expected = ", ".join(s.snapshot_key for s in slices)
        raise SnapshotError(
            f"not a world snapshot: none of its sections ({expected}) is present",
            source=source,
            path="$",
        )


def adopt_snapshot(
    data: object, *, source: str | None = None, slices: Sequence[Slice] | None = None
) -> ValidatedSnapshot:
    """Check a snapshot the caller hands over (freshly decoded JSON) and take it as it is.

    Like :func:`validate_snapshot`, without the copy: the result shares ``data``'s containers,
    so nobody may change ``data`` afterwards.  :meth:`WorldStore.hydrate` takes the result over
    without validating it again.

    Raises:
        SnapshotError: as :func:`validate_snapshot`.
    """
    schema = _check(data, source, slices, decoded=True)  # refuses anything but a dict
    return ValidatedSnapshot(cast("dict[str, Any]", data), schema)


def load_snapshot_file(path: Path, *, slices: Sequence[Slice] | None = None) -> dict[str, Any]:
    """Read a snapshot file (reference format) and validate it with :func:`adopt_snapshot`.

    The result is a :class:`ValidatedSnapshot` (the decoded document itself, not copied), which
    :meth:`WorldStore.hydrate` takes over without validating it again.

    Raises:
        InputError: the file cannot be read or is not JSON (names line and column).
        SnapshotError: not an object, or a value fails validation (names its JSON path).
    """
    # Freshly decoded JSON is private to us already: validated, it needs no copy.
    return adopt_snapshot(read_json_file(path, what="snapshot"), source=str(path), slices=slices)


# -- locating the offending value ------------------------------------------------------------
# msgspec names struct fields and list indices in its error paths, but writes every dict key as
# ``[...]``.  To name the key, each ``[...]`` is narrowed down by re-validating the document with
# that dict reduced to one key at a time: the first key that reproduces the error is the culprit.

_TOKEN = re.compile(r"\.([^.\[]+)|\[(\d+|\.\.\.)\]")
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_ANY = object()


def _split(text: str) -> tuple[str, str]:
    message, sep, path = text.rpartition(" - at `")
    if not sep:
        return text, "$"
    return message, path.rstrip("`")


def _tokens(raw_path: str) -> list[Any]:
    out: list[Any] = []
    for name, index in _TOKEN.findall(raw_path[1:]):
        if name:
            out.append(name)
        elif index == "...":
            out.append(_ANY)
        else:
            out.append(int(index))
    return out


def _get(data: Any, path: Sequence[Any]) -> Any:
    for part in path:
        data = data[part]
    return data


def _replace(data: Any, path: Sequence[Any], value: Any) -> Any:
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(data, dict):
        return {**data, head: _replace(data[head], rest, value)}
    items = list(data)
    items[head] = _replace(items[head], rest, value)
    return items


def _locate(data: dict[str, Any], schema: Any, raw_path: str) -> str:
    resolved: list[Any] = []
    isolated: Any = data
    try:
        for token in _tokens(raw_path):
            if token is not _ANY:
                resolved.append(token)
                continue
            container = _get(isolated, resolved)
            for key in container:
                trial = _replace(isolated, resolved, {key: container[key]})
                try:
                    msgspec.convert(trial, schema)
                except msgspec.ValidationError as exc:
                    if _split(str(exc))[1] == raw_path:
                        isolated = trial
                        resolved.append(key)
                        break
            else:
                return raw_path
    except (KeyError, IndexError, TypeError):
        return raw_path
    return _format(resolved)


def _format(path: Sequence[Any]) -> str:
    parts = ["$"]
    for part in path:
        if isinstance(part, str) and _IDENT.match(part):
            parts.append(f".{part}")
        else:
            parts.append(f"[{msgspec.json.encode(part).decode()}]")
    return "".join(parts)
