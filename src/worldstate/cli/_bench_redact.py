"""``worldstate bench redact``: time redaction of large, hostile contexts (linear time)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import click

from worldstate.cli._app import bench
from worldstate.redact import Redactor

__all__ = ["bench_redact", "HOSTILE_SHAPES"]

HOSTILE_SHAPES: dict[str, Callable[[int], str]] = {
    "letters": lambda n: "a" * n,
    "upper-case": lambda n: "A" * n,
    "jwt-starts": lambda n: ("eyJ" * (n // 3 + 1))[:n],
    "bearer-run": lambda n: "bearer " + "a" * (n - 7),
    "scheme-run": lambda n: ("a+" * (n // 2 + 1))[:n],
    "url-starts": lambda n: ("a://" * (n // 4 + 1))[:n],
    "github-starts": lambda n: ("ghp_" * (n // 4 + 1))[:n],
    "prose": lambda n: ("the bearer of the key to monkey island, " * (n // 40 + 1))[:n],
}
"""Texts that made backtracking patterns quadratic (``n`` characters each)."""


@bench.command("redact")
@click.option("--size", type=click.IntRange(min=16), default=1_000_000, show_default=True)
@click.option("--repeat", type=click.IntRange(min=1), default=3, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the figures as one JSON object.")
def bench_redact(size: int, repeat: int, as_json: bool) -> None:
    """Redact a ``--context`` of SIZE characters of each hostile shape; best of REPEAT runs.

    Both forms are timed: the whole-value redaction of a context object (key and value) and
    the in-text scrub used for messages and logs.
    """
    redactor = Redactor({"MY_TOKEN": "s3cr3t-Value-42"})
    figures: dict[str, dict[str, float]] = {}
    for name, build in HOSTILE_SHAPES.items():
        text = build(size)
        context = {"note": text, text[:4096]: 1}
        figures[name] = {
            "contextSeconds": _best(redactor, context, repeat),
            "scrubSeconds": _best(redactor.scrub, text, repeat),
        }
    if as_json:
        click.echo(json.dumps({"size": size, "shapes": figures}))
        return
    click.echo(f"=== Redaction Benchmark ({size:,} characters, best of {repeat}) ===")
    for name, times in figures.items():
        click.echo(
            f"{name:<14} context {times['contextSeconds'] * 1000:8.1f} ms   "
            f"scrub {times['scrubSeconds'] * 1000:8.1f} ms"
        )
    slowest = max(max(times.values()) for times in figures.values())
    click.echo(f"Slowest: {slowest * 1000:.1f} ms ({'under' if slowest < 1 else 'OVER'} 1 s)")


def _best(run: Callable[[Any], object], argument: Any, repeat: int) -> float:
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        run(argument)
        timings.append(time.perf_counter() - start)
    return min(timings)
