"""The artifact packages' public surface is exactly their ``__all__``."""

from __future__ import annotations

import importlib
import inspect

import pytest


@pytest.mark.parametrize("name", ["worldstate.publish.github", "worldstate.publish.github.testing"])
def test_all_lists_exactly_the_public_names(name: str) -> None:
    """Every public non-module name is in ``__all__`` and every entry exists."""
    package = importlib.import_module(name)
    public = {
        attr
        for attr in dir(package)
        if not attr.startswith("_")
        and attr != "annotations"
        and not inspect.ismodule(getattr(package, attr))
    }
    assert len(set(package.__all__)) == len(package.__all__)
    assert public == set(package.__all__)
