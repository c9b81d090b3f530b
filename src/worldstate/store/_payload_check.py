"""Id fields of bus payloads: used as they are, coerced, or the event skipped — never half-applied.

A slice files records under ids taken from the payload (``byId[factionId]``).  For each id
field a slice declares (``id_fields``: event name -> field names):

* a string, ``null`` or a missing key is used as it is;
* a finite number is coerced to its JavaScript ``String()`` text (``5`` -> ``"5"``), as the
  reference's object keys are — the event is counted as *coerced*;
* anything else (a boolean, a list, an object, NaN) is no id at all: the event is *skipped*
  before any reducer runs, counted, and a warning logged.

:class:`PayloadReport` holds the counts per event name; a replay under ``--strict`` turns any
of them into an error naming the line.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Mapping
from typing import Any

import msgspec

from worldstate._js import is_finite_number, number_text

__all__ = ["PayloadReport", "PayloadTally", "check_ids"]

logger = logging.getLogger("worldstate.store")


class PayloadReport(msgspec.Struct, frozen=True):
    """Events whose id fields were coerced or which were skipped, per event name."""

    coerced: dict[str, int] = {}
    skipped: dict[str, int] = {}
    last_problem: str | None = None


class PayloadTally:
    """The counts a store keeps while it runs (read them with :meth:`report`)."""

    __slots__ = ("changes", "coerced", "last_problem", "skipped")

    def __init__(self) -> None:
        self.coerced: Counter[str] = Counter()
        self.skipped: Counter[str] = Counter()
        self.changes = 0
        self.last_problem: str | None = None

    def report(self) -> PayloadReport:
        """A copy of the counts so far."""
        return PayloadReport(dict(self.coerced), dict(self.skipped), self.last_problem)


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, Mapping):
        return "an object"
    return f"{value!r}"


def check_ids(
    event: str, payload: Mapping[str, Any], fields: tuple[str, ...], tally: PayloadTally
) -> Mapping[str, Any] | None:
    """``payload`` itself, a copy with numeric ids coerced, or ``None`` to skip the event."""
    coerced: dict[str, Any] | None = None
    for field in fields:
        value = payload.get(field)
        if value is None or value.__class__ is str:
            continue
        if is_finite_number(value):
            coerced = dict(payload) if coerced is None else coerced
            coerced[field] = number_text(value)
            continue
        problem = f"{event}: {field} must be a string or a number, got {_kind(value)}"
        tally.skipped[event] += 1
        tally.changes += 1
        tally.last_problem = problem
        logger.warning("skipped %s", problem)
        return None
    if coerced is None:
        return payload
    tally.coerced[event] += 1
    tally.changes += 1
    tally.last_problem = f"{event}: a numeric id was coerced to a string"
    return coerced
