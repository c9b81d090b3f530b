"""Approval snapshots of the world: compare a store's snapshot with a reviewed JSON file.

A snapshot file holds pretty JSON with sorted keys, one key per line, so a change shows up in a
review as the lines that changed.  Differences are listed by dotted JSON path
(``factions.harbor_union.attitude: "neutral" → "hostile"``); list items are ``path[3]``, and a
key that holds ``.`` or brackets is written ``["a.b"]``.  Ignore patterns are fnmatch patterns
matched against those paths (``*At``, ``factions.*.history``): a matching path and everything
below it are left out of the comparison.
"""

from __future__ import annotations

import fnmatch
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from worldstate.artifacts import Artifact
from worldstate.errors import WorldstateError
from worldstate.jsonfile import read_json_file
from worldstate.writers import FileSystemWriter

__all__ = [
    "SNAPSHOT_FOLDER",
    "MAX_DIFF_LINES",
    "SnapshotOutcome",
    "diff_lines",
    "render_snapshot",
    "select_sections",
    "check_snapshot",
]

SNAPSHOT_FOLDER: Final = "__worldstate__"
MAX_DIFF_LINES: Final = 20

_PLAIN_KEY: Final = re.compile(r"[^.\[\]]+\Z")
_MISSING: Final = object()


@dataclass(frozen=True, slots=True)
class SnapshotOutcome:
    """What one comparison found.

    Attributes:
        path: the snapshot file.
        written: the file was created or updated (update mode).
        problem: the failure message, or ``None`` when the world matched (or was written).
    """

    path: Path
    written: bool
    problem: str | None


def render_snapshot(data: Any) -> str:
    """The file text: sorted keys, two-space indent, one key per line, a final newline."""
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False, allow_nan=False) + "\n"


def select_sections(snapshot: Mapping[str, Any], sections: Sequence[str] | None) -> dict[str, Any]:
    """``snapshot`` reduced to ``sections`` (all of it for ``None``).

    Raises:
        KeyError: a section is not in the snapshot; the message lists those that are.
    """
    if sections is None:
        return dict(snapshot)
    missing = [name for name in sections if name not in snapshot]
    if missing:
        raise KeyError(
            f"no section {', '.join(map(repr, missing))} in the world snapshot; "
            f"it has: {', '.join(snapshot)}"
        )
    return {name: snapshot[name] for name in sections}


def _child_path(parent: str, key: str) -> str:
    if _PLAIN_KEY.match(key):
        return f"{parent}.{key}" if parent else key
    return f"{parent}[{json.dumps(key, ensure_ascii=False)}]"


def _leaves(value: Any, path: str, ignore: Sequence[str]) -> Iterator[tuple[str, Any]]:
    """Every (path, leaf value) below ``value``; empty containers are leaves."""
    if path and any(fnmatch.fnmatchcase(path, pattern) for pattern in ignore):
        return
    if isinstance(value, dict) and value:
        for key in value:
            yield from _leaves(value[key], _child_path(path, str(key)), ignore)
    elif isinstance(value, list) and value:
        for index, item in enumerate(value):
            yield from _leaves(item, f"{path}[{index}]", ignore)
    else:
        yield path or "$", value


def _show(value: Any) -> str:
    if value is _MISSING:
        return "(missing)"
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def diff_lines(expected: Any, actual: Any, *, ignore: Sequence[str] = ()) -> list[str]:
    """One ``path: expected → actual`` line per differing leaf, in path order.

    Strings are shown bare; other values as compact JSON; an absent side as ``(missing)``.
    Paths matching an ``ignore`` pattern (and everything below them) are not compared.
    """
    before = dict(_leaves(expected, "", ignore))
    after = dict(_leaves(actual, "", ignore))
    lines = []
    for path in sorted(before.keys() | after.keys()):
        old, new = before.get(path, _MISSING), after.get(path, _MISSING)
        if old is _MISSING or new is _MISSING or not _same(old, new):
            lines.append(f"{path}: {_show(old)} → {_show(new)}")
    return lines


def _same(old: Any, new: Any) -> bool:
    # JSON has one number type (1 == 1.0), but true is not 1 and "1" is not 1.
    if _is_number(old) and _is_number(new):
        return bool(old == new)
    return type(old) is type(new) and old == new


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _normalised(data: Any) -> Any:
    """``data`` as it reads back from its file (tuples become lists, keys strings)."""
    return json.loads(render_snapshot(data))


def check_snapshot(
    data: Any, path: Path, *, update: bool, ignore: Sequence[str] = (), shown: str
) -> SnapshotOutcome:
    """Compare ``data`` with the snapshot at ``path``, or write it in update mode.

    Args:
        data: the world (or the chosen sections), JSON-shaped.
        path: the snapshot file.
        update: write the file when it is missing or differs (outside ``ignore``).
        ignore: fnmatch patterns of dotted paths to leave out.
        shown: how to name the file in messages (relative to the rootdir).
    """
    current = _normalised(data)
    if not path.exists():
        if update:
            return _write(current, path, shown)
        return SnapshotOutcome(
            path,
            False,
            f"no world snapshot {shown} yet: run pytest with --worldstate-update to create it, "
            "then review and commit the file",
        )
    try:
        stored = read_json_file(path, what="world snapshot")
    except WorldstateError as exc:
        if update:
            return _write(current, path, shown)
        return SnapshotOutcome(
            path, False, f"{exc} (fix it, or rewrite it with --worldstate-update)"
        )
    lines = diff_lines(stored, current, ignore=ignore)
    if not lines:
        return SnapshotOutcome(path, False, None)
    if update:
        return _write(current, path, shown)
    return SnapshotOutcome(path, False, _mismatch_message(shown, lines))


def _mismatch_message(shown: str, lines: list[str]) -> str:
    head = [f"  {line}" for line in lines[:MAX_DIFF_LINES]]
    if len(lines) > MAX_DIFF_LINES:
        head.append(f"  ... and {len(lines) - MAX_DIFF_LINES} more differences")
    count = f"{len(lines)} difference{'s' if len(lines) != 1 else ''}"
    return (
        f"the world differs from {shown} ({count}; expected → actual):\n"
        + "\n".join(head)
        + "\nrun pytest with --worldstate-update to accept the new world"
    )


def _write(current: Any, path: Path, shown: str) -> SnapshotOutcome:
    artifact = Artifact(
        type="json",
        section="snapshot",
        filename=path.name,
        mime_type="application/json",
        content=render_snapshot(current),
    )
    result = FileSystemWriter(path.parent, id="snapshot").write(artifact)
    if not result.ok:
        return SnapshotOutcome(
            path, False, f"could not write world snapshot {shown}: {result.error}"
        )
    return SnapshotOutcome(path, True, None)
