"""Checks for names that become file names (prefixes, artifact names): nothing absolute, no
separators, ``..`` or control characters.

A name is joined to a folder by writers and the CLI, so it must stay a bare file name: it may
not be empty, absolute, contain a path separator (``/`` or ``\\``), be or contain ``..``,
contain control characters, hold a lone surrogate (it could not be written as UTF-8), or be
longer than :data:`NAME_MAX_BYTES` bytes in UTF-8.

A file-name *prefix* must also fit: every artifact is named ``<prefix>-<part>-<stamp>.<ext>``
and written through a temp file ``.<name>.<pid>.<n>.tmp``, and file systems cap a name at 255
bytes.  So a prefix may have at most :data:`MAX_PREFIX_BYTES` bytes in UTF-8, and may not
start with ``.`` (its files would be hidden).
"""

from __future__ import annotations

import re
from typing import Final

from worldstate.errors import UnsafeNameError

__all__ = ["check_safe_name", "check_prefix", "MAX_PREFIX_BYTES", "NAME_MAX_BYTES"]

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")

NAME_MAX_BYTES: Final = 255
"""The longest file name (in bytes) common file systems accept (ext4, APFS, tmpfs...)."""

# The longest artifact name after the prefix: the transcript CSV, with the longest time stamp
# (years beyond 9999 are written ``+275760``, as JavaScript does).
_LONGEST_SUFFIX: Final = "-tutorial-transcript-+2757600913T000000Z.csv"
# FileSystemWriter's temp name around it: "." + name + ".<pid>.<n>.tmp", with room for a
# 7-digit pid (Linux's pid_max is at most 4194304) and a 10-digit counter.
_TEMP_OVERHEAD: Final = len(".") + len(".4194304.9999999999.tmp")

MAX_PREFIX_BYTES: Final = NAME_MAX_BYTES - len(_LONGEST_SUFFIX) - _TEMP_OVERHEAD
"""The longest prefix, in UTF-8 bytes, whose every artifact's temp file name fits (187)."""

PREFIX: Final = "prefix"
"""The ``what`` under which :func:`check_safe_name` applies the prefix rules too."""


def check_safe_name(value: str, *, what: str) -> str:
    """Return ``value`` unchanged if it is safe to use as (part of) a file name.

    Args:
        value: the candidate name.
        what: what the name is for, used in the message (``"prefix"``, ``"artifact name"``).
            For ``"prefix"`` the rules of :func:`check_prefix` apply as well, so every API
            that takes a prefix refuses the same ones.

    Raises:
        UnsafeNameError: the name is not a string, is empty, absolute, contains ``/``, ``\\``,
            ``..``, a control character or a lone surrogate (or breaks a prefix rule).
    """
    return _check(value, what, prefix=what == PREFIX)


def check_prefix(value: str, *, what: str = PREFIX) -> str:
    """Return ``value`` if it is a safe file-name prefix (see the module docs).

    Besides :func:`check_safe_name`'s rules: at most :data:`MAX_PREFIX_BYTES` bytes in UTF-8,
    and no leading ``.``.

    Raises:
        UnsafeNameError: the prefix breaks a rule (the message says which, and the limit).
    """
    return _check(value, what, prefix=True)


def _check(value: str, what: str, *, prefix: bool) -> str:
    if not isinstance(value, str):
        raise UnsafeNameError(f"{what} must be a string, got {value!r}", source=what)
    problem = _problem(value)
    if problem is None and prefix:
        problem = _prefix_problem(value)
    if problem is None:
        problem = _length_problem(value)
    if problem is not None:
        shown = repr(value) if len(value) <= 60 else f"{value[:40]!r}... ({len(value)} characters)"
        raise UnsafeNameError(
            f"unsafe {what} {shown}: {problem}; use a bare name such as 'save-inspector'",
            source=what,
        )
    return value


def _problem(value: str) -> str | None:
    if value.strip() == "":
        return "it is empty"
    if _CONTROL.search(value):
        return "it contains a control character"
    if not _encodable(value):
        return "it contains a lone surrogate (not valid UTF-8)"
    if value.startswith(("/", "\\")) or re.match(r"[A-Za-z]:", value):
        return "it is an absolute path"
    if "/" in value or "\\" in value:
        return "it contains a path separator"
    if ".." in value:
        return "it contains '..'"
    return None


def _length_problem(value: str) -> str | None:
    size = len(value.encode("utf-8"))
    if size > NAME_MAX_BYTES:
        return f"it is {size} bytes long in UTF-8, over the {NAME_MAX_BYTES} a file name may have"
    return None


def _prefix_problem(value: str) -> str | None:
    if value.startswith("."):
        return "it starts with '.', which would hide the files"
    size = len(value.encode("utf-8"))
    if size > MAX_PREFIX_BYTES:
        return (
            f"it is {size} bytes long in UTF-8, over the limit of {MAX_PREFIX_BYTES} bytes "
            f"that keeps every file name within {NAME_MAX_BYTES} bytes"
        )
    return None


def _encodable(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
