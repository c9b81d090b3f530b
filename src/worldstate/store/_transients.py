"""In-place writes to the containers nobody has seen yet: constant cost per event at any size.

A reducer that replaces one record of a 20,000-record map would copy the whole map to keep
published states immutable (``{**by_id, key: record}`` costs ~140 µs at that size, ~0.7 µs at
100).  But during a replay nobody looks at the states between two events: a container the
previous dispatch created, which no listener, selector or ``store.state`` reader has been given
since, can be changed in place without anyone being able to tell.

:class:`Transients` keeps that bookkeeping for one store.  ``writable_dict(d)`` returns ``d``
itself when this store created it after the last publication, else a copy it now owns; the
store calls :meth:`Transients.publish` whenever the state leaves its hands (``state``,
``select``, update listeners, ``worldstate:updated``), after which every container is shared
again and the next write copies once (``writable_list`` does the same for lists).  Published
states are therefore never mutated, and the identity rules stay true for anyone who can observe
them: a slice state that changed is a new object (reducers still build a new slice-state dict,
a handful of keys), and a reducer that changes nothing returns the same object.

The containers it lends out are held (so that their ids are not reused while they count as
unseen), so a long replay nobody looks at would keep every container it ever replaced alive:
after :data:`OWNED_LIMIT` copies the record is started afresh (each container still in the
state is copied once more on its next write), which bounds that memory.

Rules for a reducer using it: write in place only through these methods, as the last step (after
everything that can raise), and never store a writable container in a second place of the state.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["ALWAYS_COPY", "OWNED_LIMIT", "InPlaceWrites", "Transients"]

_Container = TypeVar("_Container", dict[Any, Any], list[Any])

OWNED_LIMIT = 1024
"""How many lent-out containers :class:`Transients` holds before it forgets them all."""


class Transients:
    """The containers of one store's unpublished state that a dispatch may change in place."""

    __slots__ = ("_at_publish", "_owned")

    def __init__(self) -> None:
        # id -> container: holding the container keeps its id from being reused meanwhile.
        self._owned: dict[int, object] = {}
        self._at_publish: list[Callable[[], None]] = []

    def writable_dict(self, value: dict[Any, Any]) -> dict[Any, Any]:
        """``value`` itself if it may be changed in place, else a copy that may."""
        if id(value) in self._owned:
            return value
        return self._lend(dict(value))

    def writable_list(self, value: list[Any]) -> list[Any]:
        """``value`` itself if it may be changed in place, else a copy that may."""
        if id(value) in self._owned:
            return value
        return self._lend(list(value))

    def _lend(self, copy: _Container) -> _Container:
        """Record ``copy`` (just made) as writable in place until the next publication."""
        owned = self._owned
        if len(owned) >= OWNED_LIMIT:
            owned.clear()  # forgetting only costs a copy later; holding them costs memory
        owned[id(copy)] = copy
        return copy

    def at_publish(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` once, when the state is next handed out (before anyone sees it).

        For a slice whose unpublished state holds something only the store may see (the
        tutorial's views of its growing lists): the callback makes it plain, in place, while
        it is still nobody else's.
        """
        self._at_publish.append(callback)

    def publish(self) -> None:
        """The state has been handed out: from now on every container is shared."""
        if self._at_publish:
            callbacks, self._at_publish = self._at_publish, []
            for callback in callbacks:
                callback()
        if self._owned:
            self._owned.clear()


class _AlwaysCopy(Transients):
    """Never writes in place: for a slice not (or no longer only) attached to one store."""

    __slots__ = ()

    def writable_dict(self, value: dict[Any, Any]) -> dict[Any, Any]:
        return dict(value)

    def writable_list(self, value: list[Any]) -> list[Any]:
        return list(value)

    def at_publish(self, callback: Callable[[], None]) -> None:
        callback()  # no store vouches for the readers: now


ALWAYS_COPY: Transients = _AlwaysCopy()
"""Transients that copy on every write."""

_UNATTACHED: Transients = _AlwaysCopy()


class InPlaceWrites:
    """Mixin for a slice whose reducers write through :attr:`transients`.

    The store attaches its :class:`Transients` when it is built.  A slice instance attached to
    two stores falls back to copying on every write (one store's publication cannot vouch for
    the other's readers).
    """

    transients: Transients = _UNATTACHED

    def attach_transients(self, transients: Transients) -> None:
        """Called by the store that holds this slice."""
        if self.transients is _UNATTACHED:
            self.transients = transients
        elif self.transients is not transients:
            self.transients = ALWAYS_COPY
