"""The five slices replay the golden playthroughs to the reference snapshot's sections exactly.

Independent of the store core: each event line goes straight through the slice's own action
builders and reducer.  Sections are compared as JSON text, so key order counts too.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import msgspec
import pytest
from tests._paths import GOLDENS, WORKLOADS

from worldstate.store.slices.dialogue import DialogueSlice
from worldstate.store.slices.district import DistrictSlice
from worldstate.store.slices.inventory import InventorySlice
from worldstate.store.slices.npc import NpcSlice
from worldstate.store.slices.quest import QuestSlice
from worldstate.testing import reduce_event

REPLAY = GOLDENS / "replay"
CASES = sorted(p for p in REPLAY.iterdir() if p.is_dir())
SEED = WORKLOADS / "store-dispatch"
SLICES: dict[str, Callable[[], Any]] = {
    "quests": QuestSlice,
    "dialogue": DialogueSlice,
    "inventory": InventorySlice,
    "npcs": NpcSlice,
    "districts": DistrictSlice,
}


def _events(case: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (case / "events.jsonl").read_text().splitlines()]


def _replay(slice_: Any, case: Path) -> tuple[Any, int]:
    state = slice_.initial_state()
    handled = 0
    for event in _events(case):
        name, payload, ts = event["event"], event["payload"], event["ts"]
        builder = slice_.events.get(name)
        if builder is None or builder(payload, ts) is None:
            continue  # not this slice's event, or one it builds no action for
        state = reduce_event(slice_, state, name, payload, ts)
        handled += 1
    return state, handled


def _text(value: Any) -> str:
    return json.dumps(value, indent=1)


def _reference(case: Path, section: str) -> Any:
    return json.loads((case / "reference_snapshot.json").read_text())[section]


@pytest.mark.parametrize("section", SLICES)
@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
class TestGoldenSections:
    def test_replay_matches_reference_section(self, case: Path, section: str) -> None:
        """Replaying the events through the slice serialises to the reference section verbatim."""
        slice_ = SLICES[section]()
        assert slice_.snapshot_key == section
        state, _ = _replay(slice_, case)
        assert _text(slice_.serialize(state)) == _text(_reference(case, section))

    def test_reference_section_round_trips(self, case: Path, section: str) -> None:
        """Hydrating the reference section (raw or schema-converted) re-serialises identically."""
        slice_ = SLICES[section]()
        reference = _reference(case, section)
        converted = msgspec.convert(reference, slice_.snapshot_schema)
        assert _text(slice_.serialize(slice_.hydrate(reference))) == _text(reference)
        assert _text(slice_.serialize(slice_.hydrate(converted))) == _text(reference)


def test_goldens_exercise_quests_npcs_and_districts() -> None:
    """The story_demo playthrough really drives the quest, npc and district slices."""
    story = REPLAY / "story_demo"
    for factory, minimum in ((QuestSlice, 4), (NpcSlice, 3), (DistrictSlice, 5)):
        _, handled = _replay(factory(), story)
        assert handled >= minimum


@pytest.mark.parametrize("section", ["quests", "dialogue"])
def test_bench_seed_sections_validate_and_hydrate(section: str) -> None:
    """The store-dispatch bench seed's sections pass the schema and hydrate."""
    seed = json.loads((SEED / "seed.json").read_text())
    slice_ = SLICES[section]()
    msgspec.convert(seed[section], slice_.snapshot_schema)
    state = slice_.hydrate(seed[section])
    assert slice_.serialize(state)
    if section == "quests":
        assert len(state["byId"]) == 120
        assert state["activeIds"] == seed["quests"]["activeIds"]
    else:
        assert state["historyByNpc"]["npc_alpha"][0]["text"] == "Benchmark welcome."
