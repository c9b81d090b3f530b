"""What a ``--summary`` file must look like, checked before anything is rendered.

A summary file is recognised by its shape, so a wrong kind of file is refused with a message
that says what it looks like (a world snapshot, an event log, something else).  Every value a
renderer formats is checked here, so a summary that passes can never crash rendering: a
timestamp (a key ending in ``At``, or ``timestamp``) must be empty or a number of ms within the
JavaScript date range, as the renderers convert it.

A summary that worldstate itself wrote (the ``<prefix>-summary-<stamp>.json`` artifact) passes
as it is; :func:`~worldstate.inspector.sanitize_summary` reads it back, so exporting it again
reproduces its artifacts.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any, Final

from worldstate._js import MAX_TIME_MS, to_number, truthy
from worldstate.errors import SnapshotError
from worldstate.inspector._sanitize import STANDARD_KEYS
from worldstate.jsonfile import json_type_name

__all__ = ["check_summary", "SNAPSHOT_ONLY_KEYS", "SUMMARY_ONLY_KEYS"]

SUMMARY_ONLY_KEYS: Final = frozenset(
    {"generatedAt", "generatedIso", "source", "engine", "controlBindings"}
)
"""Top-level keys a summary has and a world snapshot never has."""

SNAPSHOT_ONLY_KEYS: Final = frozenset(
    {"storyFlags", "quests", "dialogue", "inventory", "tutorialComplete"}
)
"""Top-level keys a world snapshot has and a summary never has."""

_EVENT_KEYS: Final = frozenset({"event", "ts", "payload"})


def check_summary(data: object, *, source: str) -> Mapping[str, Any] | None:
    """Return the summary in ``data`` (a decoded ``--summary`` file), or refuse it.

    Raises:
        SnapshotError: not an object or ``null``, not shaped like a summary (the message says
            what it looks like), or a timestamp that cannot be formatted (names its JSON path).
    """
    if data is None:
        return None
    if not isinstance(data, dict):
        raise SnapshotError(
            f"a summary must be a JSON object or null, got {_kind(data)}", source=source, path="$"
        )
    _check_kind(data, source)
    for path, value in _timestamps(data, "$"):
        if truthy(value) and not _formattable_time(value):
            raise SnapshotError(
                f"a timestamp must be empty or ms since the epoch within ±8.64e15, got "
                f"{_kind(value)}",
                source=source,
                path=path,
            )
    return data


def _check_kind(data: dict[str, Any], source: str) -> None:
    keys = set(data)
    if keys & SNAPSHOT_ONLY_KEYS and not keys & SUMMARY_ONLY_KEYS:
        raise SnapshotError(
            "this is a world snapshot (it has "
            + ", ".join(sorted(keys & SNAPSHOT_ONLY_KEYS))
            + "), not an inspector summary; use --snapshot",
            source=source,
            path="$",
        )
    if keys >= _EVENT_KEYS:
        raise SnapshotError(
            "this is an event (event, ts, payload), not an inspector summary; "
            "replay an event log with --events",
            source=source,
            path="$",
        )
    if not keys & STANDARD_KEYS:
        shown = ", ".join(sorted(keys)[:5]) + (", ..." if len(keys) > 5 else "")
        raise SnapshotError(
            f"this does not look like an inspector summary: it has none of "
            f"{', '.join(sorted(STANDARD_KEYS))} (its keys: {shown or 'none'})",
            source=source,
            path="$",
        )


def _formattable_time(value: object) -> bool:
    number = to_number(value)
    return bool(number == number and abs(number) <= MAX_TIME_MS)  # NaN fails the first test


def _timestamps(value: object, path: str) -> Iterator[tuple[str, object]]:
    """``(path, value)`` of every timestamp-named key, depth first, without recursion limits."""
    stack: list[tuple[object, str]] = [(value, path)]
    while stack:
        node, where = stack.pop()
        if isinstance(node, dict):
            for key, item in node.items():
                child = _child(where, key)
                if isinstance(key, str) and (key.endswith("At") or key == "timestamp"):
                    yield child, item
                stack.append((item, child))
        elif isinstance(node, list):
            stack.extend((item, f"{where}[{i}]") for i, item in enumerate(node))


def _child(path: str, key: str) -> str:
    return f"{path}.{key}" if key.isidentifier() else f"{path}[{json.dumps(key)}]"


def _kind(value: object) -> str:
    return json_type_name(value)
