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
    action's own timestamp wins over the clock).  An event the slice ignores (its builder
    returns ``None``) leaves the state as it is.

    Raises:
        KeyError: the slice does not handle ``event``.
    """
    action = slice_.events[event](dict(payload), ts)
    if action is None:
        return state
    if action.timestamp is None:
        action = msgspec.structs.replace(action, timestamp=ts)
    return slice_.reduce(state, action)
