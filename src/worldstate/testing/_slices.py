"""Reducing one game event through one slice, as the store would, without a store."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import msgspec

from worldstate.store import Slice

__all__ = ["reduce_event"]


def reduce_event(slice_: Slice, state: Any, event: str, payload: Mapping[str, Any], ts: int) -> Any:
    """Build ``event``'s action with the slice's builder and reduce ``state`` with it.

    The action gets ``ts`` as its timestamp unless its builder set one (the store's rule: an
    action's own timestamp wins over the clock).  Whether the reducer changed anything shows in
    the result: the same ``state`` object when it did not.

    To check that a slice ignores an event (its builder builds no action, so the store would
    dispatch nothing), call the builder itself: ``slice_.events[event](payload, ts) is None``.

    Raises:
        KeyError: the slice does not handle ``event``.
        AssertionError: the builder built no action for ``payload``.
    """
    action = slice_.events[event](payload, ts)
    if action is None:
        raise AssertionError(f"{event!r} built no action for {payload!r}")
    if action.timestamp is None:
        action = msgspec.structs.replace(action, timestamp=ts)
    return slice_.reduce(state, action)
