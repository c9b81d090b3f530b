"""The fallback-report benchmark: many manifests on disk, read and aggregated in one pass.

Setup (untimed) writes ``count`` realistic manifests into a fresh folder, one run folder each.
The timed part is what ``worldstate report fallback <folder>`` does: find every manifest,
read and decode each, aggregate, render the Markdown.  Memory is measured in a second,
separate pass (tracing slows Python down): the peak of traced allocations, for ``count`` and
for a tenth of it, so growth per manifest is visible.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from worldstate.redact import Redactor
from worldstate.report._fallback import aggregate_manifests, render_fallback_markdown
from worldstate.report._inputs import MANIFEST_NAME, ManifestRead, resolve_inputs

__all__ = ["ReportBenchStats", "write_manifests", "run_fallback_report", "run_report_bench"]

_STATUSES = ("uploaded", "failed", "partial", "skipped")


@dataclass(frozen=True, slots=True)
class ReportBenchStats:
    """Figures of one benchmark run."""

    manifests: int
    setup_s: float
    report_s: float
    report_bytes: int
    peak_bytes: int
    peak_bytes_tenth: int

    @property
    def per_manifest_bytes(self) -> float:
        """Traced peak growth per manifest between a tenth of the run and the whole run."""
        extra = self.manifests - self.manifests // 10
        return (self.peak_bytes - self.peak_bytes_tenth) / extra if extra else 0.0

    def to_json(self) -> dict[str, Any]:
        """The figures as one JSON object."""
        return {
            "manifests": self.manifests,
            "setupSeconds": round(self.setup_s, 3),
            "reportSeconds": round(self.report_s, 3),
            "reportBytes": self.report_bytes,
            "peakTracedBytes": self.peak_bytes,
            "peakTracedBytesTenth": self.peak_bytes_tenth,
            "peakGrowthPerManifestBytes": round(self.per_manifest_bytes, 1),
        }


def _manifest(index: int) -> dict[str, Any]:
    status = _STATUSES[index % len(_STATUSES)]
    attempted = index % 3 != 0
    at = f"2025-11-{1 + index % 28:02d}T{index % 24:02d}:00:00.000Z"
    providers = {
        "githubActionsApi": {
            "attempts": 1,
            "succeeded": int(status == "uploaded"),
            "failed": int(status == "failed"),
            "partial": int(status == "partial"),
            "skipped": int(status == "skipped"),
            "lastStatus": status,
            "lastAttemptedAt": at,
        }
    }
    return {
        "generatedAt": 1761843600000 + index * 60_000,
        "generatedIso": at,
        "dryRun": False,
        "artifacts": [
            {"filepath": f"/runner/work/run-{index}/{name}", "filename": name}
            for name in (f"run{index}-summary.json", f"run{index}-cascade.csv", "budget.json")
        ],
        "context": {"runId": str(index), "prefix": f"run{index}", "branch": "main"},
        "fallbackSummary": {
            "attempted": attempted,
            "attempts": int(attempted),
            "succeeded": int(attempted and status == "uploaded"),
            "failed": int(attempted and status == "failed"),
            "partial": int(attempted and status == "partial"),
            "skipped": int(attempted and status == "skipped"),
            "lastAttemptedAt": at if attempted else None,
            "providers": providers if attempted else {},
        },
        "commandResults": [{"provider": "command", "status": "succeeded", "exitCode": 0}],
    }


def write_manifests(root: Path, count: int) -> None:
    """Write ``count`` manifests below ``root`` (``run-000000/ci-artifacts.json`` ...)."""
    for index in range(count):
        folder = root / f"run-{index:06d}"
        folder.mkdir(parents=True)
        (folder / MANIFEST_NAME).write_text(json.dumps(_manifest(index), indent=2), "utf-8")


def run_fallback_report(root: Path) -> str:
    """What ``report fallback <root>`` computes: the Markdown over every manifest below."""
    paths = resolve_inputs([str(root)], cwd=root)
    aggregate = aggregate_manifests(paths, redactor=Redactor(), on_unreadable=_unexpected)
    return render_fallback_markdown(aggregate, cwd=str(root))


def _unexpected(read: ManifestRead) -> None:
    raise AssertionError(f"the benchmark wrote an unreadable manifest: {read.problem}")


def _peak(work: Callable[[], object]) -> int:
    tracemalloc.start()
    try:
        work()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def run_report_bench(count: int, *, root: Path | None = None) -> ReportBenchStats:
    """Write ``count`` manifests into a fresh folder, then time and measure the report."""
    base = Path(tempfile.mkdtemp(prefix="worldstate-bench-report-", dir=root))
    try:
        started = time.perf_counter()
        write_manifests(base / "all", count)
        write_manifests(base / "tenth", max(count // 10, 1))
        setup = time.perf_counter() - started
        started = time.perf_counter()
        text = run_fallback_report(base / "all")
        elapsed = time.perf_counter() - started
        peak = _peak(lambda: run_fallback_report(base / "all"))
        peak_tenth = _peak(lambda: run_fallback_report(base / "tenth"))
    finally:
        shutil.rmtree(base, ignore_errors=True)
    return ReportBenchStats(count, setup, elapsed, len(text.encode()), peak, peak_tenth)
