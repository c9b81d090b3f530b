"""The public surface of worldstate.saves is exactly its __all__."""

from __future__ import annotations

import worldstate.saves as saves


class TestPublicApi:
    def test_all_matches_the_namespace(self) -> None:
        """Every public name is listed in __all__ and everything listed exists."""
        # "@py_builtins"/"@pytest_ar": pytest rewrites the asserts of a package that ships a
        # pytest plugin (worldstate's pytest11 entry point), which adds these two names.
        public = {n for n in vars(saves) if not n.startswith(("_", "@"))} - {"annotations"}
        assert set(saves.__all__) == public
        assert len(saves.__all__) == len(set(saves.__all__))

    def test_documented_entry_points(self) -> None:
        """The names other parts of worldstate rely on are exported."""
        for name in (
            "SaveManager",
            "SqliteSaveStorage",
            "MemorySaveStorage",
            "read_world_snapshot",
        ):
            assert callable(getattr(saves, name))
