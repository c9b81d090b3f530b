"""Latency statistics shared by the benchmarks."""

from __future__ import annotations

import math
from collections.abc import Sequence

import msgspec

__all__ = ["LatencyStats", "summarize_ns"]


class LatencyStats(msgspec.Struct, frozen=True):
    """Summary of a set of timings, in milliseconds.

    Percentiles use the nearest-rank method (the smallest sample with at least p% of the samples
    at or below it), so they are always one of the measured values.
    """

    count: int
    mean_ms: float
    p50_ms: float
    p99_ms: float
    max_ms: float


def _rank(ordered: Sequence[int], percent: float) -> int:
    index = max(0, math.ceil(percent / 100 * len(ordered)) - 1)
    return ordered[index]


def summarize_ns(samples_ns: Sequence[int]) -> LatencyStats:
    """Summarise timings taken with ``time.perf_counter_ns``.

    Raises:
        ValueError: there are no samples.
    """
    if not samples_ns:
        raise ValueError("no samples to summarise")
    ordered = sorted(samples_ns)
    to_ms = 1e-6
    return LatencyStats(
        count=len(ordered),
        mean_ms=sum(ordered) / len(ordered) * to_ms,
        p50_ms=_rank(ordered, 50) * to_ms,
        p99_ms=_rank(ordered, 99) * to_ms,
        max_ms=ordered[-1] * to_ms,
    )
