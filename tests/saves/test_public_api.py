"""The public surface of worldstate.saves is exactly its __all__."""

from __future__ import annotations

import worldstate.saves as saves


class TestPublicApi:
    def test_documented_entry_points(self) -> None:
        """The names other parts of worldstate rely on are exported."""
        for name in (
            "SaveManager",
            "SqliteSaveStorage",
            "MemorySaveStorage",
            "read_world_snapshot",
        ):
            assert callable(getattr(saves, name))
