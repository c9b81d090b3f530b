"""The pytest plugin's overhead: what ``worldstate_telemetry`` adds to a trivial test.

Each round writes fresh suites of trivial tests into new temporary folders and runs them as
separate pytest processes, one after another: without the fixture (the plain suite), with
``worldstate_telemetry`` (exported in all four formats), and, when a baseline source folder is
given, with the fixture again but importing worldstate (and so its plugin) from that folder.
The order of the suites alternates from round to round, so neither side always runs first.

A test's time is its wall time from ``pytest_runtest_logstart`` to ``pytest_runtest_logfinish``
(setup, call and teardown with every report hook, whichever phase does the plugin's work),
recorded by a small conftest in each folder; a suite's figure is the median over its tests, and
the overhead the telemetry median minus the plain median of the same round.

Each round also measures the file system's floor in a fresh folder beside the suites: making a
folder and five files of a pristine export's sizes, each written to a temp file and renamed,
with bare ``os`` calls.  No plugin can export five files for less, so it shows how much of the
overhead is the disk's.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from worldstate.errors import WorldstateError

__all__ = [
    "OVERHEAD_BUDGET_MS",
    "PytestBenchRound",
    "PytestBenchReport",
    "run_pytest_bench",
]

OVERHEAD_BUDGET_MS: Final = 5.0
"""What the fixture plus its export may add to the median test."""

_RECORDER: Final = """
import json
import time

STARTED = {}
WALL = {}


def pytest_runtest_logstart(nodeid, location):
    STARTED[nodeid] = time.perf_counter()


def pytest_runtest_logfinish(nodeid, location):
    WALL[nodeid] = time.perf_counter() - STARTED.pop(nodeid)


def pytest_sessionfinish(session):
    with open("wall-seconds.json", "w") as fh:
        json.dump(WALL, fh)
"""

_EXPORT_SIZES: Final = (2528, 91, 94, 97, 141)
"""A pristine world's five artifacts, in bytes (summary JSON, three CSVs, Markdown)."""
_CREATE: Final = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)

PLAIN: Final = "plain"
TELEMETRY: Final = "telemetry"
BASELINE: Final = "baseline"


@dataclass(frozen=True, slots=True)
class PytestBenchRound:
    """One round's medians per test, in milliseconds.

    Attributes:
        plain_ms: a test without the fixture.
        telemetry_ms: a test with ``worldstate_telemetry`` (this worldstate).
        floor_ms: a folder and five files made with bare ``os`` calls (the file system's share).
        baseline_ms: the same with the baseline's worldstate, or ``None`` without a baseline.
    """

    plain_ms: float
    telemetry_ms: float
    floor_ms: float
    baseline_ms: float | None = None

    @property
    def overhead_ms(self) -> float:
        """What the fixture and its export added to the median test."""
        return self.telemetry_ms - self.plain_ms

    @property
    def baseline_overhead_ms(self) -> float | None:
        """The same for the baseline, or ``None``."""
        return None if self.baseline_ms is None else self.baseline_ms - self.plain_ms


@dataclass(frozen=True, slots=True)
class PytestBenchReport:
    """Every round, and the medians over them."""

    tests: int
    rounds: tuple[PytestBenchRound, ...]

    @property
    def overhead_ms(self) -> float:
        """The median over the rounds of each round's overhead."""
        return statistics.median(r.overhead_ms for r in self.rounds)

    @property
    def floor_ms(self) -> float:
        """The median over the rounds of the file system's floor."""
        return statistics.median(r.floor_ms for r in self.rounds)

    @property
    def baseline_overhead_ms(self) -> float | None:
        """The baseline's median overhead, or ``None`` without a baseline."""
        found = [r.baseline_overhead_ms for r in self.rounds if r.baseline_overhead_ms is not None]
        return statistics.median(found) if found else None

    @property
    def within_budget(self) -> bool:
        """Whether the median overhead is at most :data:`OVERHEAD_BUDGET_MS`."""
        return self.overhead_ms <= OVERHEAD_BUDGET_MS


def _suite(tests: int, *, telemetry: bool) -> str:
    arg = "worldstate_telemetry" if telemetry else ""
    return "".join(f"def test_{n}({arg}):\n    pass\n\n\n" for n in range(tests))


def _run_suite(
    kind: str, tests: int, *, env: Mapping[str, str], python: str, temp_root: Path | None
) -> float:
    """The median wall milliseconds per test of one fresh suite."""
    telemetry = kind != PLAIN
    # The folder stays until the whole benchmark is done (see run_pytest_bench).
    folder = Path(tempfile.mkdtemp(prefix=f"suite-{kind}-", dir=temp_root))
    (folder / "tox.ini").write_text("[pytest]\n")
    (folder / "conftest.py").write_text(_RECORDER)
    (folder / "test_bench.py").write_text(_suite(tests, telemetry=telemetry))
    _flush_writeback()
    done = subprocess.run(
        [python, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=folder,
        env=dict(env),
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        tail = " | ".join((done.stdout + done.stderr).strip().splitlines()[-3:])
        raise WorldstateError(
            f"the {kind} benchmark suite failed under pytest (exit {done.returncode}): "
            f"{tail}; check that {python} -m pytest runs and imports worldstate"
            + (" from --baseline-src" if kind == BASELINE else "")
        )
    wall: dict[str, float] = json.loads((folder / "wall-seconds.json").read_text())
    if len(wall) != tests:
        raise WorldstateError(
            f"the {kind} benchmark suite ran {len(wall)} of its {tests} tests; "
            "check for PYTEST_ADDOPTS or an ini file that deselects tests"
        )
    return statistics.median(wall.values()) * 1000


def _flush_writeback() -> None:
    # No writeback left over from the previous suite stalls the next measurement.
    if hasattr(os, "sync"):
        os.sync()


def _file_system_floor(tests: int, temp_root: Path | None) -> float:
    """The median milliseconds to make a folder and a pristine export's five files in it."""
    samples: list[float] = []
    # Kept until the whole benchmark is done (see run_pytest_bench).
    root = tempfile.mkdtemp(prefix="floor-", dir=temp_root)
    _flush_writeback()
    for number in range(tests):
        started = time.perf_counter()
        folder = os.path.join(root, f"test-{number}")
        os.mkdir(folder)
        for index, size in enumerate(_EXPORT_SIZES):
            temp = os.path.join(folder, f".artifact-{index}.tmp")
            fd = os.open(temp, _CREATE, 0o644)
            try:
                os.write(fd, b"x" * size)
            finally:
                os.close(fd)
            os.replace(temp, os.path.join(folder, f"artifact-{index}"))
        samples.append(time.perf_counter() - started)
    return statistics.median(samples) * 1000


def _environment(env: Mapping[str, str], src: Path | None) -> dict[str, str]:
    # No CI publishing, no outer pytest options; a baseline's worldstate goes first on the path.
    clean = {
        k: v
        for k, v in env.items()
        if k not in {"CI", "PYTEST_ADDOPTS", "PYTHONDONTWRITEBYTECODE"}
        and not k.startswith(("GITHUB_", "TELEMETRY_CI_"))
    }
    if src is not None:
        clean["PYTHONPATH"] = os.pathsep.join(
            p for p in (str(src), clean.get("PYTHONPATH", "")) if p
        )
    return clean


def run_pytest_bench(
    tests: int,
    rounds: int,
    *,
    baseline_src: Path | None = None,
    env: Mapping[str, str] | None = None,
    python: str = sys.executable,
    temp_root: Path | None = None,
    on_round: Callable[[int, PytestBenchRound], None] | None = None,
) -> PytestBenchReport:
    """Run ``rounds`` rounds of ``tests`` trivial tests per suite (see the module docs).

    Args:
        tests: tests per suite.
        rounds: rounds; the suites' order alternates between rounds.
        baseline_src: a folder holding another ``worldstate`` package (another checkout's
            ``src``), measured beside this one.
        env: the environment of the suites (default: this process's).
        python: the interpreter that runs pytest.
        temp_root: where the fresh folders are made (default: the system temp folder).
        on_round: told each round's figures as soon as it is done.

    Raises:
        WorldstateError: a suite did not pass, or did not report every test.
    """
    base_env = os.environ if env is None else env
    envs = {PLAIN: _environment(base_env, None), TELEMETRY: _environment(base_env, None)}
    if baseline_src is not None:
        envs[BASELINE] = _environment(base_env, baseline_src.absolute())
    # Every suite and floor folder is fresh and removed only at the end: on some disks,
    # creating files is slow for minutes after many are deleted, which would tax later rounds.
    with tempfile.TemporaryDirectory(prefix="worldstate-bench-pytest-", dir=temp_root) as root:
        return _rounds(tests, rounds, envs, python=python, root=Path(root), on_round=on_round)


def _rounds(
    tests: int,
    rounds: int,
    envs: Mapping[str, Mapping[str, str]],
    *,
    python: str,
    root: Path,
    on_round: Callable[[int, PytestBenchRound], None] | None,
) -> PytestBenchReport:

    found: list[PytestBenchRound] = []
    for number in range(1, rounds + 1):
        order: Sequence[str] = list(envs) if number % 2 else list(reversed(list(envs)))
        medians = {
            kind: _run_suite(
                kind,
                tests,
                env=envs[kind],
                python=python,
                temp_root=root,
            )
            for kind in order
        }
        floor = _file_system_floor(tests, root)
        result = PytestBenchRound(
            medians[PLAIN], medians[TELEMETRY], floor, baseline_ms=medians.get(BASELINE)
        )
        found.append(result)
        if on_round is not None:
            on_round(number, result)
    return PytestBenchReport(tests, tuple(found))
