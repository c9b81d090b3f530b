"""The peer installer fails loudly, with an install hint, when Node.js is missing."""

from __future__ import annotations

from pathlib import Path

import pytest

from worldstate.publish.github.testing import NODE_HINT, PeerUnavailableError, ensure_node_peers

from .conftest import NODE_PACKAGE


def test_missing_node_names_the_tool_and_how_to_install_it(tmp_path: Path) -> None:
    """Without node on PATH the error says so and how to install it; nothing is created."""
    with pytest.raises(PeerUnavailableError, match="node is not on PATH") as caught:
        ensure_node_peers(NODE_PACKAGE, tmp_path / "cache", which=lambda _: None)
    assert NODE_HINT in str(caught.value)
    assert not (tmp_path / "cache").exists()


def test_lock_file_pins_the_peers() -> None:
    """azurite and @actions/artifact are pinned to exact versions in the lock file."""
    import json

    lock = json.loads((NODE_PACKAGE / "package-lock.json").read_text())
    packages = lock["packages"]
    assert packages["node_modules/azurite"]["version"] == "3.37.0"
    assert packages["node_modules/@actions/artifact"]["version"] == "6.2.1"
