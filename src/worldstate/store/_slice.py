"""The contract between the world-state store and its slices.

A slice owns one part of the world state (quests, factions, the game's own crafting queue...).
It says which bus events it turns into actions, how actions change its state, and how its state
is written to and read back from a snapshot.  The store holds the slices, routes actions to them
by ``domain`` and never looks inside their state.

Slices are values: each :class:`~worldstate.store.WorldStore` gets its own instances, so limits
and caches are never shared between stores.  State is plain JSON-shaped data (dicts, lists,
strings, numbers, ``None``) and is never mutated in place: a reducer that changes something
returns a new dict (sharing what it did not touch); one that changes nothing returns the very
same object, which is how the store and memoised selectors tell that nothing happened.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol, runtime_checkable

import msgspec

__all__ = [
    "Action",
    "ActionBuilder",
    "Slice",
    "State",
    "WORLD_DOMAIN",
]

State = dict[str, Any]
"""A slice's state: JSON-shaped, treated as immutable."""

WORLD_DOMAIN = "world"
"""Actions of this domain are offered to every slice."""


class Action(msgspec.Struct, frozen=True):
    """Something that happened, addressed to the slices of one ``domain``.

    ``timestamp`` (ms since the epoch) is filled from the store's clock at dispatch when it is
    ``None``.
    """

    type: str
    domain: str
    payload: dict[str, Any] = msgspec.field(default_factory=dict)
    timestamp: int | None = None


ActionBuilder = Callable[[Mapping[str, Any], int], Action | None]
"""Turns a bus event's payload into an action, given the current time in ms.

Returns ``None`` when the payload does not qualify (the reference's "guards"), in which case
nothing is dispatched.
"""


@runtime_checkable
class Slice(Protocol):
    """What the store needs from a slice.

    Attributes:
        key: the slice's name in :attr:`WorldStore.state` (``"faction"``).
        snapshot_key: its key in a snapshot (``"factions"``).
        domain: the action domain it reduces (``"faction"``).
        events: bus event name -> builder of the action to dispatch for it.
        snapshot_schema: a type ``msgspec.convert`` can validate the snapshot section against;
            validation errors carry the JSON path of the offending value.
    """

    key: str
    snapshot_key: str
    domain: str
    events: Mapping[str, ActionBuilder]
    snapshot_schema: Any

    def initial_state(self) -> State:
        """The state of a world where nothing has happened yet."""
        ...

    def reduce(self, state: State, action: Action) -> State:
        """Apply ``action`` (its ``timestamp`` is set); return ``state`` itself if unchanged."""
        ...

    def serialize(self, state: State) -> Any:
        """The slice's section of a snapshot (JSON-shaped).

        It may share the (immutable) state: the store encodes or copies it at once and never
        hands it out.  Leave out runtime-only keys with a shallow copy.
        """
        ...

    def hydrate(self, data: Any) -> State:
        """Build the state from a validated snapshot section (``None`` when it was absent).

        The section is the slice's to keep: :meth:`WorldStore.hydrate` only hands over a
        snapshot it owns (a ``ValidatedSnapshot`` taken over, or ``validate_snapshot``'s own
        copy), so the state may share its containers instead of copying them, filling in only
        the nested parts that are missing or out of shape.  What the state shares is never
        changed afterwards (reducers copy on write, or write in place only to what they
        created since the last publish, see ``Transients``).  Whoever calls a slice's
        ``hydrate`` directly must likewise hand over a section nobody else changes.
        """
        ...


# Optional slice members the store looks for (not part of the protocol, so a slice without
# them still satisfies it):
#
# * ``attach_transients(transients)``: receive the store's ``Transients`` for in-place writes
#   (inherit ``InPlaceWrites``);
# * ``derived_schema`` (top-level snapshot key -> type) and ``derived_sections(state)``: keys
#   computed from the slice's state that follow the reference sections in a snapshot, as the
#   tutorial's ``tutorialComplete``;
# * ``type_reducers`` (action type -> ``reducer(state, payload, timestamp)``) and
#   ``stamp_changes``: a slice whose ``reduce`` is ``reduce_by_type(type_reducers, domain, ...,
#   stamp=stamp_changes)`` says so, and the store runs the table itself for the slice's own
#   domain (two calls fewer per action); ``world`` actions still go through ``reduce``.
