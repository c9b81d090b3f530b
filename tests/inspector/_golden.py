"""Helpers shared by the inspector golden tests."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tests._paths import EXPORTER_GOLDENS, REPLAY_GOLDENS

from worldstate.artifacts import Artifact

EXPORTER_CASES = EXPORTER_GOLDENS
REPLAY_CASES = REPLAY_GOLDENS


def _key_order(value: Any) -> Any:
    """A structure that compares equal only when dict key orders match too."""
    if isinstance(value, dict):
        return [(k, _key_order(v)) for k, v in value.items()]
    if isinstance(value, list):
        return [_key_order(v) for v in value]
    return value


def assert_matches_expected(
    artifacts: Sequence[Artifact], expected_dir: Path, *, only: Sequence[str] | None = None
) -> None:
    """Artifacts equal the golden files: same names, CSV/MD bytes, JSON values and key order."""
    names = sorted(a.filename for a in artifacts)
    wanted = sorted(only if only is not None else (p.name for p in expected_dir.iterdir()))
    assert names == wanted
    for artifact in artifacts:
        golden = (expected_dir / artifact.filename).read_bytes()
        assert artifact.content.endswith("\n") and not artifact.content.endswith("\n\n")
        if artifact.filename.endswith(".json"):
            got, expected = json.loads(artifact.content), json.loads(golden)
            assert got == expected, artifact.filename
            assert _key_order(got) == _key_order(expected), artifact.filename
        else:
            assert artifact.content.encode("utf-8") == golden, artifact.filename
