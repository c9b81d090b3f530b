"""Slot names: the reference's normalisation, minus its silent fallbacks.

``normalize_slot_name("My Slot #1!") == "my-slot-1"``.  Unlike the reference (which turns any
non-string, and any name that normalises to nothing, into ``"autosave"`` and so overwrites the
autosave), a bad name raises :class:`~worldstate.errors.InvalidSlotNameError`.  Numbers are
refused too: the reference's ``3.7 -> "slot3"`` is a silent coercion, and a caller who wants
``slot3`` can say so.  Names that look like paths (a
separator, ``..``, control characters) are refused with
:class:`~worldstate.errors.UnsafeNameError` before normalisation, so ``"../x"`` never quietly
becomes ``"x"``.
"""

from __future__ import annotations

import re
from enum import StrEnum

from worldstate.errors import InvalidSlotNameError, UnsafeNameError

__all__ = [
    "AUTOSAVE_SLOT",
    "DEFAULT_MAX_SLOT_NAME_LENGTH",
    "SlotType",
    "normalize_slot_name",
    "slot_label",
    "slot_type",
]

AUTOSAVE_SLOT = "autosave"
DEFAULT_MAX_SLOT_NAME_LENGTH = 32
_MIN_SLOT_NAME_LENGTH = 8

_WHITESPACE = re.compile(r"\s+")
_OUTSIDE_ALPHABET = re.compile(r"[^a-z0-9_-]")
_DASH_RUNS = re.compile(r"-{2,}")
_EDGE_PUNCTUATION = re.compile(r"^[-_]+|[-_]+$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # tab, CR, LF count as spaces


class SlotType(StrEnum):
    """Whether a slot is the autosave or one the player chose (only manual slots are capped)."""

    AUTO = "auto"
    MANUAL = "manual"


def normalize_slot_name(value: object, *, max_length: int = DEFAULT_MAX_SLOT_NAME_LENGTH) -> str:
    """Normalise a slot name the way the reference does.

    Lower-case; whitespace runs and every character outside ``[a-z0-9_-]`` become ``-``; runs
    of dashes collapse; leading and trailing ``-``/``_`` are stripped; the result is cut to
    ``max(8, max_length)`` characters.

    Args:
        value: the name as given by the player or the game.
        max_length: the longest normalised name (the reference uses 32).

    Returns:
        The normalised name, never empty.

    Raises:
        InvalidSlotNameError: ``value`` is not a ``str`` or normalises to nothing.
        UnsafeNameError: ``value`` contains a path separator, ``..`` or control characters
            other than tab, CR and LF.
    """
    if not isinstance(value, str):
        raise InvalidSlotNameError(value)
    if "/" in value or "\\" in value or ".." in value or _CONTROL.search(value):
        raise UnsafeNameError(
            f"{value!r} looks like a path (separator, '..' or control characters)",
            source="slot name",
        )
    name = _WHITESPACE.sub("-", value.strip().lower())
    name = _DASH_RUNS.sub("-", _OUTSIDE_ALPHABET.sub("-", name))
    name = _EDGE_PUNCTUATION.sub("", name)[: max(_MIN_SLOT_NAME_LENGTH, max_length)]
    if not name:
        raise InvalidSlotNameError(value)
    return name


def slot_label(value: str, normalized: str) -> str:
    """The display label kept with a save: the original name with each run of whitespace
    (tabs and line breaks included) made one space and trimmed, else the slot."""
    return " ".join(value.split()) or normalized


def slot_type(slot: str) -> SlotType:
    """Classify a normalised slot name."""
    return SlotType.AUTO if slot == AUTOSAVE_SLOT else SlotType.MANUAL
