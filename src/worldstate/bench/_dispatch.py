"""The store dispatch benchmark: one workload iteration of actions at a time.

A store hydrates a seed snapshot, then dispatches a workload: JSONL lines ``{"iteration": n,
"action": {"type", "domain", "payload"}}``.  Consecutive lines with the same ``iteration`` form
one update step, and each step is timed as a whole.  Garbage is collected once before timing;
the collector stays enabled while timing, so its pauses are part of the figures.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

import msgspec

from worldstate.bench._stats import LatencyStats, summarize_ns
from worldstate.clock import Clock, system_clock
from worldstate.errors import EventLogError
from worldstate.events import EventBus
from worldstate.store import Action, WorldStore, default_slices

__all__ = ["WorkloadStep", "load_workload", "run_dispatch_bench"]


class _Line(msgspec.Struct, frozen=True):
    iteration: int
    action: Action


class WorkloadStep(msgspec.Struct, frozen=True):
    """One timed step: the actions of one ``iteration``."""

    iteration: int
    actions: tuple[Action, ...]


def load_workload(path: Path) -> list[WorkloadStep]:
    """Read a workload file and group consecutive lines by ``iteration``.

    Raises:
        EventLogError: the file cannot be read, a line is malformed (names file and line), or
            it holds no actions.
    """
    decoder = msgspec.json.Decoder(_Line)
    steps: list[WorkloadStep] = []
    current: list[Action] = []
    iteration: int | None = None
    for number, raw in _lines(path):
        try:
            line = decoder.decode(raw)
        except msgspec.DecodeError as exc:
            raise EventLogError(str(exc), source=str(path), line=number) from None
        if line.iteration != iteration and current:
            steps.append(WorkloadStep(iteration if iteration is not None else 0, tuple(current)))
            current = []
        iteration = line.iteration
        current.append(line.action)
    if current:
        steps.append(WorkloadStep(iteration if iteration is not None else 0, tuple(current)))
    if not steps:
        raise EventLogError("the workload holds no actions", source=str(path))
    return steps


def _lines(path: Path) -> Iterator[tuple[int, bytes]]:
    try:
        with open(path, "rb") as fh:
            for number, raw in enumerate(fh, 1):
                if raw.strip():
                    yield number, raw
    except OSError as exc:
        raise EventLogError(f"cannot read workload: {exc.strerror}", source=str(path)) from exc


def run_dispatch_bench(
    seed: object,
    steps: Iterable[WorkloadStep],
    *,
    clock: Clock = system_clock,
    source: str | None = None,
) -> LatencyStats:
    """Hydrate ``seed`` (a decoded snapshot) into a fresh store, then time each step's dispatches.

    The store is configured as the reference benchmark's (prompt snapshot limit 12; the seed's
    own limits win when it has them) with the default action history.

    Raises:
        SnapshotError: the seed is not a valid snapshot.
        ValueError: there are no steps.
    """
    store = WorldStore(
        EventBus(), clock=clock, slices=default_slices(tutorial_prompt_snapshot_limit=12)
    )
    store.hydrate(seed, source=source)
    dispatch = store.dispatch
    clock_ns = time.perf_counter_ns
    samples: list[int] = []
    gc.collect()
    for step in steps:
        started = clock_ns()
        for action in step.actions:
            dispatch(action)
        samples.append(clock_ns() - started)
    store.close()
    return summarize_ns(samples)
