"""Each package's public surface is exactly what its ``__all__`` says (httpx's habit)."""

from __future__ import annotations

import importlib
import inspect

import pytest

PACKAGES = [
    "worldstate",
    "worldstate.store",
    "worldstate.inspector",
    "worldstate.writers",
    "worldstate.export",
    "worldstate.publish",
    "worldstate.saves",
]


@pytest.mark.parametrize("name", PACKAGES)
def test_all_lists_exactly_the_public_names(name: str) -> None:
    """Every public non-module name is in ``__all__`` and every entry of ``__all__`` exists."""
    package = importlib.import_module(name)
    exported = set(package.__all__)
    assert len(exported) == len(package.__all__), "duplicates in __all__"
    public = {
        attr
        for attr in dir(package)
        if not attr.startswith("_")
        and attr != "annotations"
        and not inspect.ismodule(getattr(package, attr))
    }
    assert public - exported == set(), "public but not exported"
    assert {n for n in exported if not hasattr(package, n)} == set(), "exported but missing"


def test_top_level_names_are_the_same_objects_as_in_their_packages() -> None:
    """``worldstate.WorldStore`` is ``worldstate.store.WorldStore`` (no wrappers)."""
    import worldstate
    import worldstate.store

    for name in ("WorldStore", "ContentCatalog", "Action", "default_slices"):
        assert getattr(worldstate, name) is getattr(worldstate.store, name)
