"""Benchmark: what the worldstate_telemetry fixture plus its teardown export add per test.

Run it from the repository root::

    python -m tests.pytest_plugin.bench_overhead [--tests 200] [--rounds 3]

Each round writes two fresh suites of trivial tests into new temporary folders: A (no fixture)
and B (every test takes ``worldstate_telemetry``, exported in all four formats at teardown).
They run alternately, A then B, as separate pytest processes; a test's time is the sum of its
setup, call and teardown report durations (recorded by a small conftest in each folder).  The
overhead is the median of B minus the median of A, per round; the whole sessions' wall-time
difference per test is printed too.  Not a test: the figures are reported.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = ["RoundResult", "run_round", "main"]

BUDGET_MS = 5.0


@dataclass(frozen=True, slots=True)
class RoundResult:
    """One round's medians, in milliseconds per test."""

    plain_ms: float
    telemetry_ms: float
    wall_overhead_ms: float

    @property
    def overhead_ms(self) -> float:
        """What the fixture and its export added to the median test."""
        return self.telemetry_ms - self.plain_ms


def _suite(tests: int, *, telemetry: bool) -> str:
    arg = "worldstate_telemetry" if telemetry else ""
    return "".join(f"def test_{n}({arg}):\n    pass\n\n\n" for n in range(tests))


_RECORDER = """
import json

DURATIONS = {}


def pytest_runtest_logreport(report):
    DURATIONS[report.nodeid] = DURATIONS.get(report.nodeid, 0.0) + report.duration


def pytest_sessionfinish(session):
    with open("durations.json", "w") as fh:
        json.dump(DURATIONS, fh)
"""


def _run_suite(folder: Path, tests: int, *, telemetry: bool) -> tuple[float, float]:
    """(median ms per test, session wall seconds) of one fresh suite."""
    (folder / "tox.ini").write_text("[pytest]\n")
    (folder / "conftest.py").write_text(_RECORDER)
    (folder / "test_bench.py").write_text(_suite(tests, telemetry=telemetry))
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=folder,
        check=True,
        capture_output=True,
    )
    wall = time.perf_counter() - started
    durations = json.loads((folder / "durations.json").read_text())
    if len(durations) != tests:
        raise RuntimeError(f"expected {tests} tests in {folder}, found {len(durations)}")
    return statistics.median(durations.values()) * 1000, wall


def run_round(tests: int) -> RoundResult:
    """One A/B pair, each suite in a fresh folder."""
    with tempfile.TemporaryDirectory() as plain, tempfile.TemporaryDirectory() as telemetry:
        plain_ms, plain_wall = _run_suite(Path(plain), tests, telemetry=False)
        telemetry_ms, telemetry_wall = _run_suite(Path(telemetry), tests, telemetry=True)
    return RoundResult(plain_ms, telemetry_ms, (telemetry_wall - plain_wall) * 1000 / tests)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and print one line per round plus the verdict."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tests", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    results = []
    for number in range(1, args.rounds + 1):
        result = run_round(args.tests)
        results.append(result)
        print(
            f"round {number}: median per test without fixture {result.plain_ms:.3f} ms, "
            f"with worldstate_telemetry {result.telemetry_ms:.3f} ms, "
            f"overhead {result.overhead_ms:.3f} ms "
            f"(session wall time: {result.wall_overhead_ms:+.3f} ms per test)"
        )
    overhead = statistics.median(r.overhead_ms for r in results)
    verdict = "within" if overhead <= BUDGET_MS else "OVER"
    print(f"median overhead {overhead:.3f} ms per test ({verdict} the {BUDGET_MS:.0f} ms budget)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
