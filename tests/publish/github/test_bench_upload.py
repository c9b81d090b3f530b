"""``worldstate bench upload`` runs both clients against Azurite (tiny size: a smoke run)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from worldstate.bench._upload import parse_size
from worldstate.cli import cli
from worldstate.errors import ConfigurationError

from .conftest import CACHE, NODE_PACKAGE


def test_parse_size() -> None:
    """Decimal and binary units; anything else is refused naming the option."""
    assert parse_size("200MB") == 200_000_000
    assert parse_size("64MiB") == 64 * 2**20
    assert parse_size("10") == 10
    with pytest.raises(ConfigurationError, match="--size"):
        parse_size("lots")


def test_both_clients_upload_and_are_timed(node_peers: Path) -> None:
    """One round each of ours and @actions/artifact; both report a positive rate."""
    result = CliRunner().invoke(
        cli,
        ["bench", "upload", "--size", "2MB", "--rounds", "1", "--json",
         "--peers", str(NODE_PACKAGE), "--cache", str(CACHE)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    report = json.loads(result.output.strip().splitlines()[-1])
    assert report["size_bytes"] == 2_000_000
    assert report["ours"]["best_mb_s"] > 0
    assert report["official"]["client"] == "@actions/artifact"
    assert report["official"]["best_mb_s"] > 0
