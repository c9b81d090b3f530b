"""The fuzz suite's harness: seeded mutations, the CLI run in process, and the oracle.

Every case is checked against the CLI's promises:

* no traceback: not raised out of the command, not logged (a handler that raised);
* an exit code of 0, 1 or 2, and never 1 (no case here can fail a write, so 1 would mean bad
  input reported as a job failure);
* exit 2 names where: the file (or option) and a line or JSON path;
* nothing left behind by a run that failed (no artifact folder, no temp file);
* no hang: every case finishes within :data:`CASE_SECONDS`.
"""

from __future__ import annotations

import copy
import json
import logging
import random
import re
import shutil
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from tests._paths import GOLDENS

from worldstate.cli import cli

CASE_SECONDS = 10.0
CLEAN_ENV: dict[str, str | None] = {
    "CI": None,
    "BUILD_ID": None,
    "GITHUB_RUN_ID": None,
    "TELEMETRY_EXPORT_DIR": None,
}
_WHERE = re.compile(r"line \d+|at \$")
CASES: dict[str, int] = {}
"""How many cases each target ran in this session (printed at the end by conftest)."""

HOSTILE: tuple[Any, ...] = (
    None,
    True,
    False,
    0,
    -1,
    1.5,
    -0.0,
    10**19,
    -(10**19),
    8.64e15 + 1,
    1e308,
    "",
    "x",
    "💥\u200b",
    "a" * 300,
    [],
    [1, 2],
    {},
    {"a": 1},
    [[[]]],
    "1767258074700",
    "NaN",
    "../../etc/passwd",
    "ghp_" + "a1" * 12,
    {"valueOf": 1},
    [None],
)
"""Values a mutation puts where something else was."""


# -- mutations ---------------------------------------------------------------------------------


def _slots(value: Any) -> list[tuple[Any, Any]]:
    """Every ``(container, key)`` of a JSON document, depth first."""
    found: list[tuple[Any, Any]] = []
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            for key, item in node.items():
                found.append((node, key))
                stack.append(item)
        elif isinstance(node, list):
            for index, item in enumerate(node):
                found.append((node, index))
                stack.append(item)
    return found


def mutate_document(document: Any, rng: random.Random, *, rounds: int = 3) -> Any:
    """A copy of ``document`` with a few structural mutations (type swaps, deletions...)."""
    doc = copy.deepcopy(document)
    for _ in range(rng.randint(1, rounds)):
        slots = _slots(doc)
        if not slots:
            return rng.choice(HOSTILE)
        container, key = rng.choice(slots)
        operation = rng.random()
        if operation < 0.55:
            container[key] = copy.deepcopy(rng.choice(HOSTILE))
        elif operation < 0.7:
            del container[key]
        elif operation < 0.8:
            container[key] = [container[key]]
        elif operation < 0.9 and isinstance(container, dict):
            container[rng.choice(("", "x y", "__proto__", "constructor", key + "At"))] = (
                container.pop(key)
            )
        elif operation < 0.95:
            container[key] = {"deep": _nested(rng.randint(60, 300))}
        else:
            container[key] = rng.choice((-1, 1)) * rng.randint(0, 10 ** rng.randint(1, 30))
    return doc


def _slot_depths(value: Any) -> list[tuple[Any, Any, int]]:
    """Every ``(container, key, levels of containers holding the slot)`` of a document."""
    found: list[tuple[Any, Any, int]] = []
    stack = [(value, 1)]
    while stack:
        node, level = stack.pop()
        items = node.items() if isinstance(node, dict) else enumerate(node)
        for key, item in items:
            found.append((node, key, level))
            if isinstance(item, dict | list):
                stack.append((item, level + 1))
    return found


def deepen_document(document: Any, rng: random.Random, depth: int) -> Any:
    """A copy of ``document`` with one value replaced so that the whole nests ``depth`` levels
    (objects and arrays alternating, in a random slot of the document; ``document`` must be
    a non-empty container)."""
    doc = copy.deepcopy(document)
    container, key, level = rng.choice(_slot_depths(doc))
    value: Any = rng.choice(("leaf", 1, None))
    for inner in range(depth - level):
        value = {"k": value} if (inner + rng.randrange(2)) % 2 else [value]
    container[key] = value
    return doc


def json_depth(value: Any) -> int:
    """How deeply ``value`` nests (``[[1]]`` is 2), without recursion."""
    deepest = 0
    stack = [(value, 0)]
    while stack:
        node, level = stack.pop()
        if isinstance(node, dict | list):
            deepest = max(deepest, level + 1)
            items = node.values() if isinstance(node, dict) else node
            stack.extend((item, level + 1) for item in items)
    return deepest


def _nested(depth: int) -> Any:
    value: Any = 1
    for _ in range(depth):
        value = [value]
    return value


def mutate_text(data: bytes, rng: random.Random) -> bytes:
    """Byte-level damage: truncation, a bad byte, a stray constant, a huge number."""
    if not data:
        return b"\xff"
    position = rng.randrange(len(data))
    operation = rng.random()
    if operation < 0.2:
        return data[:position]
    if operation < 0.4:
        bad = bytes([rng.choice((0xFF, 0xC3, 0x80, 0x00, 0x0A, 0x22))])
        return data[:position] + bad + data[position:]
    if operation < 0.55:
        stray = rng.choice((b"NaN", b"-Infinity", b"1e999", b"9" * 5000))
        return data[:position] + stray + data[position:]
    if operation < 0.7:
        return data[:position] + b"[" * rng.randint(400, 1200) + data[position:]
    if operation < 0.85:
        end = min(len(data), position + rng.randint(1, 40))
        return data[:position] + data[end:]
    return data[:position] + data[position:].replace(b'"', b"'", 1)


def mutate_log(lines: Sequence[bytes], rng: random.Random) -> bytes:
    """An event log with one to three damaged lines (structure or bytes)."""
    out = list(lines)
    for _ in range(rng.randint(1, 3)):
        index = rng.randrange(len(out))
        if rng.random() < 0.6:
            try:
                event = json.loads(out[index])
            except ValueError:
                continue
            out[index] = json.dumps(mutate_document(event, rng)).encode()
        else:
            out[index] = mutate_text(out[index], rng).replace(b"\n", b" ")
    return b"\n".join(out) + b"\n"


# -- corpora -----------------------------------------------------------------------------------


def golden_summaries() -> list[dict[str, Any]]:
    """The raw summaries of the exporter goldens (the ``summary`` of each ``input.json``)."""
    return [
        json.loads((case / "input.json").read_text("utf-8"))["summary"]
        for case in sorted((GOLDENS / "exporter").iterdir())
        if (case / "input.json").exists()
    ]


def golden_logs() -> list[list[bytes]]:
    """The lines of every replay golden's event log."""
    return [
        (case / "events.jsonl").read_bytes().splitlines()
        for case in sorted((GOLDENS / "replay").iterdir())
        if (case / "events.jsonl").exists()
    ]


def golden_snapshots() -> list[dict[str, Any]]:
    """The reference snapshots of the replay goldens."""
    return [
        json.loads((case / "reference_snapshot.json").read_text("utf-8"))
        for case in sorted((GOLDENS / "replay").iterdir())
        if (case / "reference_snapshot.json").exists()
    ]


# -- running and judging -----------------------------------------------------------------------


@dataclass
class Failure:
    """One broken promise, with what reproduces it."""

    target: str
    seed: int
    problem: str
    args: list[str]
    output: str

    def __str__(self) -> str:
        return (
            f"[{self.target} seed={self.seed}] {self.problem}\n"
            f"  args: {self.args}\n  output: {self.output[:400]!r}"
        )


class _LoggedTracebacks(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info:
            self.records.append(record)


@dataclass
class Campaign:
    """Runs cases of one target and collects the failures (all of them, not just the first)."""

    target: str
    root: Path
    failures: list[Failure] = field(default_factory=list)
    cases: int = 0
    runner: CliRunner = field(default_factory=CliRunner)
    last_output: str = ""
    """What the last case printed (stdout and stderr)."""

    def run(
        self,
        seed: int,
        args: list[str],
        *,
        where: str,
        out: Path | None = None,
        stdin: bytes | None = None,
        env: dict[str, str | None] | None = None,
        expect: Callable[[int], bool] | None = None,
        located: bool = True,
    ) -> int:
        """Run ``worldstate ARGS`` in process and judge it; returns the exit code.

        Args:
            where: what an exit-2 message must name (the file, or the option).
            located: an exit-2 message must also give a line or JSON path (files, not options).
            out: the artifact folder, which a failed run must not leave behind.
            expect: an extra check of the exit code (for inputs known to be good or bad).
        """
        self.cases += 1
        CASES[self.target] = CASES.get(self.target, 0) + 1
        catcher = _LoggedTracebacks()
        logging.getLogger().addHandler(catcher)
        started = time.monotonic()
        try:
            result = self.runner.invoke(cli, args, input=stdin, env={**CLEAN_ENV, **(env or {})})
        finally:
            logging.getLogger().removeHandler(catcher)
        elapsed = time.monotonic() - started
        output = result.output
        self.last_output = output
        code = result.exit_code

        def fail(problem: str) -> None:
            self.failures.append(Failure(self.target, seed, problem, args, output))

        exc = result.exception
        if exc is not None and not isinstance(exc, SystemExit):
            fail(f"traceback: {type(exc).__name__}: {exc}"[:300])
        elif "Traceback (most recent call last)" in output:
            fail("a traceback was printed")
        for record in catcher.records:
            fail(f"a traceback was logged: {record.getMessage()[:200]}")
        if code not in (0, 1, 2):
            fail(f"exit code {code}")
        elif code == 1:
            fail("exit 1 for bad input (no write can fail here)")
        elif code == 2 and not (where in output and (_WHERE.search(output) or not located)):
            fail(f"exit 2 without naming {where!r} and a line or JSON path")
        if code != 0 and out is not None and out.exists() and any(out.iterdir()):
            fail(f"files left after a failed run: {sorted(p.name for p in out.iterdir())[:5]}")
        if elapsed > CASE_SECONDS:
            fail(f"took {elapsed:.1f} s (hang?)")
        if expect is not None and not expect(code):
            fail(f"unexpected exit code {code}")
        if out is not None:
            shutil.rmtree(out, ignore_errors=True)
        return code

    def note(self, seed: int, args: list[str], problem: str) -> None:
        """Record a broken promise a test found itself in the last case's output."""
        self.failures.append(Failure(self.target, seed, problem, args, self.last_output))

    def report(self) -> str:
        shown = "\n".join(str(f) for f in self.failures[:8])
        return f"{self.target}: {len(self.failures)} failures in {self.cases} cases\n{shown}"


def seeds(count: int, base: int) -> Iterator[int]:
    """``count`` reproducible seeds for one target."""
    return iter(range(base, base + count))
