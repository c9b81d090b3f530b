"""Read-only views of the first entries of a list or dict that only ever grows at its end.

The tutorial's prompt-history snapshots show ``completedSteps``, ``completedTimeline`` and
``stepDurations`` as they were at their moment.  Copying them for each snapshot costs as much
as the tutorial is long; a view records the container and its length instead, and stays true
because the tutorial only appends to them (in place while nobody has seen them, see
``Transients``) and copies a container before changing anything else in it.  The views never
leave the store: they are turned into plain lists and dicts when the state is handed out
(``TutorialSlice.plain_when_published``) and when the slice is serialised.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from itertools import islice
from typing import Any, overload

__all__ = ["DictPrefix", "ListPrefix", "plain"]


class ListPrefix(Sequence[Any]):
    """The first ``len(items)`` items of ``items`` at the time the view is made."""

    __slots__ = ("_items", "_length")

    def __init__(self, items: list[Any]) -> None:
        self._items = items
        self._length = len(items)

    def to_list(self) -> list[Any]:
        """A new list of the items in the view."""
        return self._items[: self._length]

    def __len__(self) -> int:
        return self._length

    @overload
    def __getitem__(self, index: int) -> Any: ...

    @overload
    def __getitem__(self, index: slice) -> list[Any]: ...

    def __getitem__(self, index: int | slice) -> Any:
        return self.to_list()[index]

    def __iter__(self) -> Iterator[Any]:
        return islice(self._items, self._length)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, ListPrefix):
            return self.to_list() == other.to_list()
        if isinstance(other, list):
            return self.to_list() == other
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"ListPrefix({self.to_list()!r})"


class DictPrefix(Mapping[Any, Any]):
    """The first ``len(entries)`` entries of ``entries`` at the time the view is made."""

    __slots__ = ("_dict", "_entries", "_length")

    def __init__(self, entries: dict[Any, Any]) -> None:
        self._entries = entries
        self._length = len(entries)
        self._dict: dict[Any, Any] | None = None

    def to_dict(self) -> dict[Any, Any]:
        """The entries in the view as a dict (made once; do not change it)."""
        if self._dict is None:
            self._dict = dict(islice(self._entries.items(), self._length))
        return self._dict

    def __len__(self) -> int:
        return self._length

    def __getitem__(self, key: Any) -> Any:
        return self.to_dict()[key]

    def __iter__(self) -> Iterator[Any]:
        return iter(self.to_dict())

    def __repr__(self) -> str:
        return f"DictPrefix({self.to_dict()!r})"


def plain(value: Any) -> Any:
    """``value`` with a view replaced by a plain list or dict (other values as they are)."""
    cls = value.__class__
    if cls is ListPrefix:
        return value.to_list()
    if cls is DictPrefix:
        return dict(value.to_dict())
    return value
