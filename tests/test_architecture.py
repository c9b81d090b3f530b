"""Architecture rules that keep the packages honest (httpx's privacy rule).

A module whose name starts with ``_`` is private to the package that contains it: only modules
inside that package (at any depth) may import it.  Everyone else goes through the package's
``__init__``, its public surface.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from tests._paths import SRC


def module_name(path: Path, root: Path = SRC) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def package_of(module: str, path: Path) -> str:
    return module if path.name == "__init__.py" else module.rpartition(".")[0]


def imported_modules(path: Path, package: str) -> Iterator[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            yield node.lineno, base
            for alias in node.names:
                yield node.lineno, f"{base}.{alias.name}"


def private_owner(module: str) -> str | None:
    """The package that owns the first private component of ``module``, if any."""
    parts = module.split(".")
    for index, part in enumerate(parts):
        if part.startswith("_") and not part.startswith("__"):
            return ".".join(parts[:index])
    return None


def violations(root: Path = SRC) -> Iterator[str]:
    for path in sorted(root.rglob("*.py")):
        module = module_name(path, root)
        package = package_of(module, path)
        for line, imported in imported_modules(path, package):
            if not imported.startswith("worldstate"):
                continue
            owner = private_owner(imported)
            if owner is None or package == owner or package.startswith(owner + "."):
                continue
            yield f"{path.relative_to(root)}:{line} imports {imported} (private to {owner})"


def test_no_module_imports_another_packages_private_module() -> None:
    assert list(violations()) == []


def test_the_rule_catches_a_cross_package_private_import(tmp_path: Path) -> None:
    """The checker itself: private imports from inside their package pass, others are found."""
    files = {
        "worldstate/__init__.py": "",
        "worldstate/_js.py": "",
        "worldstate/a/__init__.py": "from worldstate.a._impl import thing\n",
        "worldstate/a/_impl.py": "from . import _other\nfrom worldstate import _js\n",
        "worldstate/a/_other.py": "",
        "worldstate/a/deep/mod.py": "from worldstate.a._impl import thing\n",
        "worldstate/b/__init__.py": "from worldstate.a import thing\nimport worldstate._js\n",
        "worldstate/b/bad.py": "from worldstate.a._impl import thing\n",
        "worldstate/b/worse.py": "from ..a import _other\n",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    assert list(violations(tmp_path)) == [
        "worldstate/b/bad.py:1 imports worldstate.a._impl (private to worldstate.a)",
        "worldstate/b/bad.py:1 imports worldstate.a._impl.thing (private to worldstate.a)",
        "worldstate/b/worse.py:1 imports worldstate.a._other (private to worldstate.a)",
    ]
