"""Store benchmarks: output shape and consistency (never speed)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from tests._paths import STORY_EVENTS, WORKLOADS

from worldstate.bench._dispatch import load_workload
from worldstate.bench._events import LEFT_OUT, probe_events, run_event_scale_bench, world_events
from worldstate.bench._export import write_large_world
from worldstate.bench._replay import (
    AUTO_REPEAT_EVENTS,
    NPC_EVENT_KINDS,
    npc_world,
    run_replay_bench,
)
from worldstate.bench._stats import summarize_ns
from worldstate.cli import cli
from worldstate.clock import ManualClock
from worldstate.errors import EventLogError
from worldstate.events import EventBus
from worldstate.store import WorldStore, default_slices
from worldstate.store._snapshot import load_snapshot_file

WORKLOAD = WORKLOADS / "store-dispatch"
EVENTS = STORY_EVENTS


def run_dispatch(seed: str, workload: str, *extra: str) -> Result:
    """``worldstate bench dispatch --seed SEED --workload WORKLOAD [extra...]``."""
    return CliRunner().invoke(
        cli, ["bench", "dispatch", "--seed", seed, "--workload", workload, *extra]
    )


class TestStats:
    def test_nearest_rank(self) -> None:
        """Percentiles are measured values (nearest rank), in ms."""
        stats = summarize_ns([4_000_000, 1_000_000, 3_000_000, 2_000_000])
        assert (stats.count, stats.mean_ms, stats.p50_ms, stats.p99_ms, stats.max_ms) == (
            4,
            2.5,
            2.0,
            4.0,
            4.0,
        )

    def test_no_samples(self) -> None:
        """Summarising nothing is an error."""
        with pytest.raises(ValueError):
            summarize_ns([])


class TestWorkload:
    def test_groups_consecutive_iterations(self) -> None:
        """The 666 workload actions form 500 timed steps."""
        steps = load_workload(WORKLOAD / "dispatch_workload.jsonl")
        assert len(steps) == 500
        assert sum(len(s.actions) for s in steps) == 666
        assert [s.iteration for s in steps] == list(range(500))

    def test_bad_line(self, tmp_path: Path) -> None:
        """A malformed workload line names its line."""
        path = tmp_path / "w.jsonl"
        path.write_text('{"iteration": 0, "action": {"type": "X"}}\n', encoding="utf-8")
        with pytest.raises(EventLogError) as info:
            load_workload(path)
        assert info.value.line == 1


class TestCommands:
    def test_dispatch_json(self) -> None:
        """bench dispatch --json reports iterations and ordered latency figures."""
        result = run_dispatch(
            str(WORKLOAD / "seed.json"), str(WORKLOAD / "dispatch_workload.jsonl"), "--json"
        )
        assert result.exit_code == 0, result.output
        figures = json.loads(result.output)
        assert list(figures) == ["iterations", "mean_ms", "p50_ms", "p99_ms", "max_ms"]
        assert figures["iterations"] == 500
        assert 0 < figures["p50_ms"] <= figures["p99_ms"] <= figures["max_ms"]
        assert figures["mean_ms"] <= figures["max_ms"]

    def test_dispatch_text(self) -> None:
        """Without --json the figures are printed as text."""
        result = run_dispatch(
            str(WORKLOAD / "seed.json"), str(WORKLOAD / "dispatch_workload.jsonl")
        )
        assert result.exit_code == 0, result.output
        assert "Iterations: 500" in result.output
        assert "p99:" in result.output

    def test_dispatch_bad_seed_exits_2(self, tmp_path: Path) -> None:
        """A seed that is not a valid snapshot is bad input."""
        seed = tmp_path / "seed.json"
        seed.write_text('{"factions": {"byId": {"a": {"fame": "x"}}}}', encoding="utf-8")
        result = run_dispatch(str(seed), str(WORKLOAD / "dispatch_workload.jsonl"))
        assert result.exit_code == 2
        assert "$.factions.byId.a.fame" in result.output

    def test_dispatch_empty_workload_exits_2(self, tmp_path: Path) -> None:
        """A workload with no actions is bad input, not a crash."""
        workload = tmp_path / "empty.jsonl"
        workload.write_text("\n", encoding="utf-8")
        result = run_dispatch(str(WORKLOAD / "seed.json"), str(workload))
        assert result.exit_code == 2
        assert "empty.jsonl" in result.output and "no actions" in result.output

    def test_replay_json(self) -> None:
        """bench replay counts every event of every repetition."""
        result = CliRunner().invoke(
            cli, ["bench", "replay", "--events", str(EVENTS), "--repeat", "3", "--json"]
        )
        assert result.exit_code == 0, result.output
        figures = json.loads(result.output)
        assert list(figures) == ["events", "seconds", "events_per_s"]
        assert figures["events"] == 3 * 33
        assert figures["seconds"] > 0
        assert figures["events_per_s"] == pytest.approx(figures["events"] / figures["seconds"])

    def test_replay_repeats_until_enough_events_by_default(self) -> None:
        """Without --repeat the log is replayed whole, often enough to time 100,000 events."""
        result = run_replay_bench(EVENTS)
        assert result.events >= AUTO_REPEAT_EVENTS
        assert result.events % 33 == 0  # whole replays of the 33-event story demo
        assert result.events - 33 < AUTO_REPEAT_EVENTS  # and no more than needed

    def test_replay_of_an_empty_log_is_quick_and_zero(self, tmp_path: Path) -> None:
        """An empty log is replayed once (not 100,000 times) and reports no events."""
        empty = tmp_path / "empty.jsonl"
        empty.write_text("")
        result = run_replay_bench(empty)
        assert (result.events, result.events_per_s) == (0, 0.0)


class TestWorldSize:
    def test_workload_registers_then_updates(self) -> None:
        """The workload registers every NPC once, then updates registered NPCs only."""
        world = npc_world(50, 200)
        registered = [e.payload["npcId"] for e in world.setup]
        assert len(set(registered)) == 50 and len(world.updates) == 200
        assert {e.payload["npcId"] for e in world.updates} <= set(registered)
        assert {e.event for e in world.updates} == {name for name, _ in NPC_EVENT_KINDS}
        assert npc_world(50, 200) == world  # seeded: every run replays the same events

    def test_replay_world_size_json(self) -> None:
        """bench replay --world-size reports the timed updates, not the registrations."""
        result = CliRunner().invoke(
            cli, ["bench", "replay", "--world-size", "30", "--updates", "40", "--json"]
        )
        assert result.exit_code == 0, result.output
        figures = json.loads(result.output)
        assert (figures["world_size"], figures["events"]) == (30, 40)
        assert figures["us_per_event"] == pytest.approx(figures["seconds"] / 40 * 1e6)

    @pytest.mark.parametrize("args", [[], ["--events", str(EVENTS), "--world-size", "3"]])
    def test_replay_needs_one_source(self, args: list[str]) -> None:
        """Exactly one of --events and --world-size: otherwise a usage error (exit 2)."""
        result = CliRunner().invoke(cli, ["bench", "replay", *args])
        assert result.exit_code == 2
        assert "exactly one of --events and --world-size" in result.output


class TestExportBench:
    def test_generated_world_is_a_valid_snapshot_of_the_stated_shape(self, tmp_path: Path) -> None:
        """Scale 0.01: 10 factions, 50 NPCs, 5 districts, 10 quests, 20 flags, 20 steps."""
        path = tmp_path / "world.json"
        write_large_world(path, 0.01)
        world = load_snapshot_file(path)
        counts = [
            len(world["factions"]["byId"]),
            len(world["npcs"]["byId"]),
            len(world["districts"]["byId"]),
            len(world["quests"]["byId"]),
            len(world["storyFlags"]["flags"]),
            len(world["tutorial"]["completedSteps"]),
        ]
        assert counts == [10, 50, 5, 10, 20, 20]

    def test_bench_export_json(self, tmp_path: Path) -> None:
        """bench export times real export processes and reports their peak memory."""
        path = tmp_path / "world.json"
        args = ["bench", "export", "--snapshot", str(path), "--generate", "0.01"]
        result = CliRunner().invoke(cli, [*args, "--repeat", "1", "--json"])
        assert result.exit_code == 0, result.output
        figures = json.loads(result.output)
        assert figures["snapshot_bytes"] == path.stat().st_size
        assert 0 < figures["best_s"] <= figures["median_s"] and figures["peak_mb"] > 1


class TestEventScale:
    def test_every_event_of_the_default_store_is_probed_or_said_left_out(self) -> None:
        """A new event type must be timed (or named in LEFT_OUT, with why)."""
        listened = {event for s in default_slices() for event in s.events}
        probed = [name for name, _ in probe_events(10, 0)]
        assert len(probed) == len(set(probed))
        assert set(probed) | set(LEFT_OUT) == listened
        assert not set(probed) & set(LEFT_OUT)

    def test_the_world_events_build_a_world_of_that_size(self) -> None:
        store = WorldStore(EventBus(), clock=ManualClock(1))
        for name, payload in world_events(7):
            store.bus.emit(name, payload)
        state = store.state
        assert len(state["faction"]["byId"]) == len(state["npc"]["byId"]) == 7
        assert len(state["quest"]["activeIds"]) == len(state["inventory"]["items"]) == 7
        assert len(state["district"]["byId"]) == 7

    def test_json_figures(self) -> None:
        result = CliRunner().invoke(
            cli, ["bench", "events", "--small", "3", "--large", "12", "--rounds", "3", "--json"]
        )
        assert result.exit_code == 0, result.output
        figures = json.loads(result.output)
        assert (figures["small"], figures["large"], figures["rounds"]) == (3, 12, 3)
        assert [row["event"] for row in figures["events"]] == [
            name for name, _ in probe_events(12, 0)
        ]
        for row in figures["events"]:
            assert row["small_us"] > 0 and row["large_us"] > 0
            assert row["growth"] == pytest.approx(row["large_us"] / row["small_us"])
        assert figures["left_out"] == LEFT_OUT

    def test_text_table(self) -> None:
        result = CliRunner().invoke(
            cli, ["bench", "events", "--small", "2", "--large", "4", "--rounds", "1"]
        )
        assert result.exit_code == 0, result.output
        lines = result.output.splitlines()
        assert lines[0] == "=== Per-event cost, 2 vs 4 of everything ==="
        assert lines[1].split() == ["event", "small", "us", "large", "us", "growth"]
        assert lines[2].startswith("reputation:changed ") and lines[2].endswith("x")
        assert lines[-1] == "Left out: inventory:cleared (empties the inventory)"

    def test_a_large_world_no_larger_than_the_small_one_is_refused(self) -> None:
        result = CliRunner().invoke(cli, ["bench", "events", "--small", "50", "--large", "50"])
        assert result.exit_code == 2
        assert "--large" in result.output and "must be larger than --small" in result.output
        with pytest.raises(ValueError, match="small < large"):
            run_event_scale_bench(10, 5)
        with pytest.raises(ValueError, match="rounds >= 1"):
            run_event_scale_bench(1, 5, rounds=0)
