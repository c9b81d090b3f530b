"""Checks for names that become file names: prefixes, artifact names (DEVIATIONS B1).

A name is joined to a folder by writers and the CLI, so it must stay a bare file name: it may
not be empty, absolute, contain a path separator (``/`` or ``\\``), be or contain ``..``, or
contain control characters.
"""

from __future__ import annotations

import re

from worldstate.errors import UnsafeNameError

__all__ = ["check_safe_name"]

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def check_safe_name(value: str, *, what: str) -> str:
    """Return ``value`` unchanged if it is safe to use as (part of) a file name.

    Args:
        value: the candidate name.
        what: what the name is for, used in the message (``"prefix"``, ``"artifact name"``).

    Raises:
        UnsafeNameError: the name is not a string, is empty, absolute, contains ``/``, ``\\``,
            ``..`` or a control character.
    """
    if not isinstance(value, str):
        raise UnsafeNameError(f"{what} must be a string, got {value!r}", source=what)
    problem = _problem(value)
    if problem is not None:
        raise UnsafeNameError(
            f"unsafe {what} {value!r}: {problem}; use a bare name such as 'save-inspector'",
            source=what,
        )
    return value


def _problem(value: str) -> str | None:
    if value.strip() == "":
        return "it is empty"
    if _CONTROL.search(value):
        return "it contains a control character"
    if value.startswith(("/", "\\")) or re.match(r"[A-Za-z]:", value):
        return "it is an absolute path"
    if "/" in value or "\\" in value:
        return "it contains a path separator"
    if ".." in value:
        return "it contains '..'"
    return None
