"""The payload keys each slice's event builders read, found in their code (for docs/events.md)."""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Iterator
from typing import Any

from worldstate.store.slices import default_slices

_READ = re.compile(
    r"""(?:\bp|payload|raw)\.get\(\s*"(\w+)"|\bget\(\s*"(\w+)"|(?:\bp|payload)\[\s*"(\w+)"\s*\]|"""
    r"""\bget\(\s*(?:p|payload)\s*,\s*"(\w+)\""""
)


def _functions(builder: Callable[..., Any]) -> Iterator[Callable[..., Any]]:
    """The builder and the functions its closure holds (guards, field readers)."""
    yield builder
    for cell in getattr(builder, "__closure__", None) or ():
        value = cell.cell_contents
        if inspect.isfunction(value):
            yield from _functions(value)


def payload_keys(builder: Callable[..., Any]) -> list[str]:
    """Every payload key a builder reads, in order of first use."""
    keys: dict[str, None] = {}
    for function in _functions(builder):
        for cell in function.__closure__ or ():
            value = cell.cell_contents
            if isinstance(value, tuple) and all(isinstance(v, str) for v in value):
                keys.update(dict.fromkeys(value))  # simple_action's copied keys
        try:
            source = inspect.getsource(function)
        except (OSError, TypeError):
            continue
        for match in _READ.finditer(source):
            keys[next(g for g in match.groups() if g)] = None
    return list(keys)


def catalog() -> list[tuple[str, str, list[str]]]:
    """``(slice key, event name, payload keys)`` for every event of every built-in slice."""
    return [
        (slice_.key, event, payload_keys(builder))
        for slice_ in default_slices()
        for event, builder in slice_.events.items()
    ]
