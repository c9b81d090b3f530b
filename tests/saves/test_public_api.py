"""The public surface of worldstate.saves is exactly its __all__."""

from __future__ import annotations

import re

from tests._paths import DOCS

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

    def test_event_names_are_the_documented_ones(self) -> None:
        """The event table of docs/saves.md lists exactly SAVE_EVENTS, in order."""
        text = (DOCS / "saves.md").read_text()
        section = text.split("\n## Events\n", 1)[1].split("\n## ", 1)[0]
        documented = re.findall(r"^\| `([a-z_]+:[a-z_]+)` \|", section, flags=re.MULTILINE)
        assert tuple(documented) == saves.SAVE_EVENTS
