"""The large-world export benchmark: a generated world snapshot, and ``export --snapshot`` timed.

:func:`large_world_events` plays a world of a given scale (scale 1: 1,000 factions, 5,000
NPCs, 500 districts, 1,000 quests, 2,000 story flags, 2,000 tutorial steps; about 14 MB as a
snapshot); :func:`run_export_bench` runs ``worldstate export --snapshot FILE`` in fresh child
processes and reports each run's wall time and peak memory (the child's maximum resident set).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import msgspec

from worldstate.replay import RecordedEvent, StoreReplay

__all__ = ["ExportRun", "large_world_events", "run_export_bench", "write_large_world"]


def _faction_events(count: int) -> Iterator[tuple[str, dict[str, object]]]:
    for i in range(count):
        yield "reputation:changed", {"factionId": f"faction_{i}", "newFame": i % 97, "deltaFame": 1}
        for attitude in ("wary", "neutral", "friendly"):
            yield "faction:attitude_changed", {"factionId": f"faction_{i}", "newAttitude": attitude}


def _npc_events(count: int, factions: int) -> Iterator[tuple[str, dict[str, object]]]:
    for i in range(count):
        npc = f"npc_{i}"
        yield (
            "npc:registered",
            {"npcId": npc, "name": f"NPC {i}", "factionId": f"faction_{i % factions}"},
        )
        for _ in range(2):
            yield "npc:interviewed", {"npcId": npc, "dialogueId": f"dialogue_{i % 50}"}
            yield "npc:recognized_player", {"npcId": npc}
            yield "npc:witnessed_crime", {"npcId": npc, "crimeType": "theft", "severity": 2}
            yield "npc:became_suspicious", {"npcId": npc, "reason": "loitering"}


def _world_events(scale: float) -> Iterator[tuple[str, dict[str, object]]]:
    factions = max(1, int(1000 * scale))
    yield from _faction_events(factions)
    yield from _npc_events(int(5000 * scale), factions)
    for i in range(int(500 * scale)):
        yield (
            "district:registered",
            {"districtId": f"district_{i}", "definition": {"name": f"D{i}"}},
        )
    for i in range(int(1000 * scale)):
        quest = f"quest_{i}"
        yield (
            "quest:registered",
            {
                "questId": quest,
                "title": f"Quest {i}",
                "type": "side",
                "description": f"Find out what happened at the harbour, lead {i}. " * 40,
            },
        )
        yield "quest:started", {"questId": quest}
        yield (
            "objective:progress",
            {"questId": quest, "objectiveId": "o1", "progress": 1, "target": 3},
        )
    for i in range(int(2000 * scale)):
        yield (
            "story:flag:changed",
            {
                "flagId": f"flag_{i}",
                "newValue": i,
                "metadata": {"note": f"set by scene {i} " * 100},
            },
        )
    yield "tutorial:started", {"totalSteps": int(2000 * scale)}
    for i in range(int(2000 * scale)):
        yield "tutorial:step_started", {"stepId": f"step_{i}", "title": f"Step {i}"}
        yield "tutorial:step_completed", {"stepId": f"step_{i}"}


def large_world_events(scale: float = 1.0) -> list[RecordedEvent]:
    """The events of a world of ``scale`` (1.0: the large world), one ms apart."""
    return [
        RecordedEvent(i, name, payload) for i, (name, payload) in enumerate(_world_events(scale))
    ]


def write_large_world(path: Path, scale: float = 1.0) -> int:
    """Replay :func:`large_world_events` and write its snapshot to ``path``; returns its size."""
    replay = StoreReplay(large_world_events(scale))
    with replay.store as store:
        replay.run()
        data = store.snapshot_json()
    path.write_bytes(data)
    return len(data)


class ExportRun(msgspec.Struct, frozen=True):
    """One ``export --snapshot`` in a fresh process: wall seconds and peak resident MB."""

    seconds: float
    peak_mb: float


def run_export_bench(
    snapshot: Path,
    *,
    repeat: int = 3,
    timer: Callable[[], float] = time.perf_counter,
) -> list[ExportRun]:
    """Run ``worldstate export --snapshot SNAPSHOT`` ``repeat`` times, each in a fresh child
    process writing into a fresh temporary folder (removed afterwards).

    Raises:
        RuntimeError: an export failed (its standard error is in the message).
    """
    runs = []
    for _ in range(repeat):
        with tempfile.TemporaryDirectory(prefix="ws-bench-export-") as out:
            command = [sys.executable, "-m", "worldstate", "export", "--snapshot", str(snapshot)]
            command += ["--out", out]
            started = timer()
            child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            assert child.stderr is not None
            errors = child.stderr.read()
            _, status, usage = os.wait4(child.pid, 0)
            elapsed = timer() - started
            child.returncode = os.waitstatus_to_exitcode(status)
            child.stderr.close()
            if child.returncode != 0:
                raise RuntimeError(f"export failed ({child.returncode}): {errors.decode()[-500:]}")
            runs.append(ExportRun(elapsed, usage.ru_maxrss / 1024))
    return runs
