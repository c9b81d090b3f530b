"""The hook the CLI uses to freeze the garbage collector's view of a hydrated world."""

from __future__ import annotations

import json
from pathlib import Path

from tests._paths import STORY_EVENTS

from worldstate.cli._snapshot import replay_to_snapshot
from worldstate.export import SourceRequest

STORY = STORY_EVENTS


def test_after_hydrate_runs_once_with_the_world_in_the_store(tmp_path: Path) -> None:
    world = replay_to_snapshot(str(STORY))
    path = tmp_path / "world.json"
    path.write_text(json.dumps(world), encoding="utf-8")
    calls: list[int] = []
    request = SourceRequest(snapshot=path, after_hydrate=lambda: calls.append(1))
    source = request.load(generated_at=5, wall_clock=lambda: 0)
    assert calls == [1]
    assert source.summary is not None and source.summary["factions"]


def test_a_replayed_source_never_calls_it() -> None:
    calls: list[int] = []
    SourceRequest(demo=True, after_hydrate=lambda: calls.append(1)).load(
        generated_at=5, wall_clock=lambda: 0
    )
    assert calls == []
