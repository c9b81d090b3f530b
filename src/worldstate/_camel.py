"""Records as JSON objects with the camelCase keys of the documents they stand for."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

__all__ = ["camel_case", "camel_json"]


def camel_case(name: str) -> str:
    """``retention_days`` -> ``retentionDays``.

    >>> camel_case("created_at")
    'createdAt'
    """
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


def camel_json(record: DataclassInstance) -> dict[str, Any]:
    """Every field of the dataclass ``record``, in field order, keyed by its camelCase name.

    Values are taken as they are (not copied or converted), so the record's fields must
    already be JSON-shaped.
    """
    return {camel_case(f.name): getattr(record, f.name) for f in dataclasses.fields(record)}
