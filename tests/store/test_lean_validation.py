"""The lean schema that checks decoded snapshots first accepts exactly what the full one does."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests._paths import REPLAY_GOLDENS, WORKLOADS

from worldstate.store import default_slices
from worldstate.store._snapshot import _lean_schema, _passes, snapshot_schema

SCHEMA = snapshot_schema(default_slices())
SEEDS = [WORKLOADS / "store-dispatch" / "seed.json"] + [
    case / "reference_snapshot.json"
    for case in REPLAY_GOLDENS
    if (case / "reference_snapshot.json").exists()
]

_REPLACEMENTS = st.sampled_from(
    [None, True, 0, -1, 2.5, 9e15, "", "x", [], [1], ["a"], [{}], [[]], {}, {"a": 1}, {"a": None}]
)


def _paths(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path inside ``value`` (the root excluded)."""
    if isinstance(value, dict):
        items: Any = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return []
    found: list[tuple[Any, ...]] = []
    for key, child in items:
        found += [(*path, key), *_paths(child, (*path, key))]
    return found


def _replaced(document: Any, path: tuple[Any, ...], value: Any) -> Any:
    copy = json.loads(json.dumps(document))
    target = copy
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return copy


def test_every_seed_passes_both() -> None:
    assert len(SEEDS) > 1
    for seed in SEEDS:
        document = json.loads(Path(seed).read_text(encoding="utf-8"))
        assert _passes(document, SCHEMA), seed
        assert _passes(document, _lean_schema(SCHEMA)), seed


@settings(max_examples=400, deadline=None)
@given(data=st.data(), replacement=_REPLACEMENTS)
def test_lean_and_full_schema_agree_on_decoded_json(data: st.DataObject, replacement: Any) -> None:
    document = json.loads(Path(data.draw(st.sampled_from(SEEDS))).read_text(encoding="utf-8"))
    path = data.draw(st.sampled_from(_paths(document)))
    changed = _replaced(document, path, replacement)
    assert _passes(changed, _lean_schema(SCHEMA)) == _passes(changed, SCHEMA), path


def test_a_refused_document_is_named_by_the_full_schema(tmp_path: Path) -> None:
    from worldstate.errors import SnapshotError
    from worldstate.store._snapshot import load_snapshot_file

    path = tmp_path / "bad.json"
    path.write_bytes(msgspec.json.encode({"npcs": {"byId": {"n": {"history": [{}, 3]}}}}))
    with pytest.raises(SnapshotError) as caught:
        load_snapshot_file(path)
    assert caught.value.path == "$.npcs.byId.n.history[1]"
    assert "Expected `object`, got `int`" in caught.value.message
