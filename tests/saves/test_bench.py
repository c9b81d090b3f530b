"""The save benchmark runs and reports what it measured (correctness only, never timing)."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from tests._paths import WORKLOADS

from worldstate.bench._saves import LatencyStats, fill_slots, run_save_bench, run_slots_bench
from worldstate.cli import cli
from worldstate.saves import SqliteSaveStorage, list_saves, verify_saves

SEED = WORKLOADS / "store-dispatch" / "seed.json"


class TestSaveBench:
    def test_report_covers_every_configuration(self, tmp_path: Path) -> None:
        """Each scenario x synchronous mode is measured on the same payload size."""
        snapshot = json.loads(SEED.read_text())
        report = run_save_bench(snapshot, iterations=3, warmup=1, directory=tmp_path)
        configs = [(r.scenario, r.synchronous) for r in report.results]
        assert configs == [
            ("payload", "FULL"),
            ("payload", "NORMAL"),
            ("store", "FULL"),
            ("store", "NORMAL"),
        ]
        for result in report.results:
            assert result.iterations == 3 and result.payload_bytes > 50_000
            assert 0 < result.save.min_ms <= result.save.p50_ms <= result.save.max_ms
        assert list(tmp_path.iterdir()) == []  # the benchmark databases are cleaned up

    def test_percentiles_are_nearest_rank(self) -> None:
        """p50 and p99 are nearest-rank over the sorted samples, in milliseconds."""
        stats = LatencyStats.of([i / 1000 for i in range(1, 101)])
        assert (stats.p50_ms, stats.p99_ms, stats.min_ms, stats.max_ms) == (50, 99, 1, 100)

    def test_cli_json(self, tmp_path: Path) -> None:
        """`worldstate bench saves --json` prints the report with the target verdict."""
        result = CliRunner().invoke(
            cli,
            [
                "bench",
                "saves",
                "--snapshot",
                str(SEED),
                "--iterations",
                "2",
                "--scenario",
                "payload",
                "--dir",
                str(tmp_path),
                "--json",
            ],
        )
        assert result.exit_code == 0, result.output
        report = json.loads(result.output)
        assert [r["synchronous"] for r in report["results"]] == ["FULL", "NORMAL"]
        assert isinstance(report["meetsTarget"], bool)

    def test_cli_missing_snapshot_is_bad_input(self, tmp_path: Path) -> None:
        """A snapshot file that does not exist exits 2."""
        result = CliRunner().invoke(
            cli, ["bench", "saves", "--snapshot", str(tmp_path / "no.json")]
        )
        assert result.exit_code == 2 and "no.json" in result.output


class TestSlotsBench:
    def test_filled_slots_are_real_saves(self, tmp_path: Path) -> None:
        """fill_slots writes manual saves that list and verify like any other."""
        with SqliteSaveStorage(tmp_path / "s.db") as storage:
            fill_slots(storage, SEED.read_bytes().strip(), 3)
            listed = list_saves(storage)
            report = verify_saves(storage)
        assert [i.entry.slot for i in listed] == ["filler-00002", "filler-00001", "filler-00000"]
        assert report.ok and len(report.slots) == 3

    def test_report_measures_every_operation(self, tmp_path: Path) -> None:
        """Each round times a save in both databases, an evicting save and a listing."""
        snapshot = json.loads(SEED.read_text())
        report = run_slots_bench(snapshot, slots=4, iterations=3, warmup=1, directory=tmp_path)
        assert (report.slots, report.iterations, report.synchronous) == (4, 3, "FULL")
        assert report.payload_bytes > 50_000
        for stats in (report.fresh_save, report.full_save, report.evicting_save, report.full_list):
            assert 0 < stats.min_ms <= stats.p50_ms <= stats.max_ms
        assert report.save_ratio == round(report.full_save.p50_ms / report.fresh_save.p50_ms, 3)
        assert list(tmp_path.iterdir()) == []

    def test_cli_slots_json(self, tmp_path: Path) -> None:
        """`bench saves --slots N --json` prints the report with ratio and verdict."""
        result = CliRunner().invoke(
            cli,
            [
                *("bench", "saves", "--snapshot", str(SEED), "--slots", "3"),
                *("--iterations", "2", "--synchronous", "NORMAL", "--dir", str(tmp_path), "--json"),
            ],
        )
        assert result.exit_code == 0, result.output
        report = json.loads(result.output)
        assert (report["slots"], report["synchronous"]) == (3, "NORMAL")
        assert isinstance(report["meetsTarget"], bool) and report["saveRatio"] > 0

    def test_cli_slots_refuses_scenarios(self) -> None:
        """--slots measures one path: combining it with --scenario is a usage error."""
        result = CliRunner().invoke(
            cli, ["bench", "saves", "--slots", "3", "--scenario", "store", "--snapshot", str(SEED)]
        )
        assert result.exit_code == 2 and "--scenario" in result.output
