"""Memoised selectors whose caches belong to the store that runs them.

A selector is any callable ``selector(state, *args)`` over the store's root state (a mapping of
slice key -> slice state).  :func:`create_selector` builds a memoised one: its input selectors
are evaluated first and its ``combine`` function runs only when one of their results is not
*identical* (``is``) to last time.  Because reducers return the same object when nothing changed,
identity is a correct and cheap change test.

The cache lives in the :class:`~worldstate.store.WorldStore` (``store.select(selector)``), never
in the selector, so two stores never see each other's results.  Calling a memoised selector
directly, ``selector(state)``, computes without any cache.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Generic, TypeVar

__all__ = ["MemoSelector", "SelectorCache", "create_selector"]

T = TypeVar("T")

RootState = Mapping[str, Any]
InputSelector = Callable[..., Any]


class MemoSelector(Generic[T]):
    """A selector computed from input selectors, memoised per store (cache size one)."""

    __slots__ = ("__name__", "combine", "inputs")

    def __init__(self, inputs: tuple[InputSelector, ...], combine: Callable[..., T], name: str):
        self.inputs = inputs
        self.combine = combine
        self.__name__ = name

    def __call__(self, state: RootState, *args: Any) -> T:
        return self.combine(*(sel(state, *args) for sel in self.inputs))

    def __repr__(self) -> str:
        return f"<MemoSelector {self.__name__}>"


def create_selector(*inputs: InputSelector, combine: Callable[..., T]) -> MemoSelector[T]:
    """Build a memoised selector.

    Args:
        inputs: selectors called as ``sel(state, *args)``; with none, ``combine`` gets the state.
        combine: computes the result from the inputs' results.

    Example::

        cascade_summary = create_selector(lambda s: s["faction"], combine=_summarise)
    """
    if not inputs:
        inputs = (_identity,)
    return MemoSelector(inputs, combine, getattr(combine, "__name__", "selector"))


def _identity(state: RootState, *args: Any) -> RootState:
    return state


class SelectorCache:
    """The per-store cache of memoised selector results (one entry per selector and args)."""

    __slots__ = ("_entries",)

    def __init__(self) -> None:
        self._entries: dict[tuple[MemoSelector[Any], tuple[Any, ...]], tuple[list[Any], Any]] = {}

    def run(self, selector: MemoSelector[T], state: RootState, args: tuple[Any, ...]) -> T:
        """Return the cached result when every input is unchanged, else recompute it."""
        values = [sel(state, *args) for sel in selector.inputs]
        key = (selector, args)
        hit = self._entries.get(key)
        if hit is not None:
            old, result = hit
            if len(old) == len(values) and all(a is b for a, b in zip(old, values, strict=True)):
                return result  # type: ignore[no-any-return]
        result = selector.combine(*values)
        if len(self._entries) > 1024:  # args are open-ended (npc ids...): keep the cache bounded
            self._entries.clear()
        self._entries[key] = (values, result)
        return result

    def clear(self) -> None:
        """Forget every cached result."""
        self._entries.clear()
