"""Each public package's and module's surface is exactly what its ``__all__`` says (httpx)."""

from __future__ import annotations

import importlib
import inspect
from types import ModuleType

import pytest
from tests._paths import SRC

PACKAGES = [
    "worldstate",
    "worldstate.bench",
    "worldstate.demo",
    "worldstate.export",
    "worldstate.inspector",
    "worldstate.otel",
    "worldstate.publish",
    "worldstate.publish.github",
    "worldstate.publish.github.testing",
    "worldstate.report",
    "worldstate.saves",
    "worldstate.storage",
    "worldstate.store",
    "worldstate.store.slices",
    "worldstate.testing",
    "worldstate.writers",
]
"""Curated surfaces: an ``__init__`` that re-exports what its private modules implement, so every
public name in its namespace is part of the surface."""

MODULES = [
    "worldstate.artifacts",
    "worldstate.clock",
    "worldstate.errors",
    "worldstate.events",
    "worldstate.jsonfile",
    "worldstate.names",
    "worldstate.redact",
    "worldstate.replay",
    *(
        f"worldstate.store.slices.{domain}"
        for domain in (
            "dialogue",
            "district",
            "faction",
            "inventory",
            "npc",
            "quest",
            "story",
            "tutorial",
        )
    ),
    # Packages whose namespace is also wiring: the CLI's table of lazily loaded commands and the
    # pytest plugin's hooks import helpers to call, so what they define is their surface.
    "worldstate.cli",
    "worldstate.pytest_plugin",
]
"""Public modules that implement what they export: every public class and function they define
is exported; what they import for their own use is not their surface."""


def public_modules() -> set[str]:
    """Every module and package under ``src/worldstate`` with no private part in its name."""
    found = set()
    for path in (SRC / "worldstate").rglob("*.py"):
        parts = path.relative_to(SRC).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        if not any(part.startswith("_") for part in parts):
            found.add(".".join(parts))
    return found


def exported(module: ModuleType) -> set[str]:
    """``__all__`` as a set; fails on a repeated or a missing name (a lazy name is loaded)."""
    names = set(module.__all__)
    assert len(names) == len(module.__all__), "duplicates in __all__"
    assert {n for n in names if not hasattr(module, n)} == set(), "exported but missing"
    return names


def public_values(module: ModuleType) -> dict[str, object]:
    """The public non-module names bound in the namespace (``vars``, not ``dir``: a package with
    a PEP 562 ``__dir__`` lists its ``__all__``, which would prove nothing)."""
    return {
        name: value
        for name, value in vars(module).items()
        if not name.startswith("_") and name != "annotations" and not inspect.ismodule(value)
    }


def test_every_public_module_is_covered() -> None:
    """A new public package or module must be added to PACKAGES or MODULES."""
    assert public_modules() == set(PACKAGES) | set(MODULES)


@pytest.mark.parametrize("name", PACKAGES)
def test_a_package_exports_exactly_its_public_names(name: str) -> None:
    """Every public non-module name is in ``__all__`` and every entry of ``__all__`` exists."""
    package = importlib.import_module(name)
    names = exported(package)
    assert set(public_values(package)) - names == set(), "public but not exported"


@pytest.mark.parametrize("name", MODULES)
def test_a_module_exports_every_public_class_and_function_it_defines(name: str) -> None:
    """What the module defines without an underscore is in ``__all__``; every entry exists."""
    module = importlib.import_module(name)
    names = exported(module)
    defined = {
        attr
        for attr, value in public_values(module).items()
        if (inspect.isclass(value) or inspect.isfunction(value)) and value.__module__ == name
    }
    assert defined - names == set(), "defined here but not exported"


def test_top_level_names_are_the_same_objects_as_in_their_packages() -> None:
    """``worldstate.WorldStore`` is ``worldstate.store.WorldStore`` (no wrappers)."""
    import worldstate
    import worldstate.store

    for name in ("WorldStore", "ContentCatalog", "Action", "default_slices"):
        assert getattr(worldstate, name) is getattr(worldstate.store, name)
