"""Reports across CI runs: provider uploads, fallback usage, run trends and world diffs.

* :func:`summarise_provider_results` / :func:`render_providers_markdown`: every provider
  attempt recorded in one manifest.
* :class:`FallbackAggregator` / :func:`render_fallback_markdown`: fallback upload usage over
  many manifests, read one at a time.
* :func:`run_row` / :func:`build_runs_report`: one row per CI run, rendered as Markdown
  (:func:`render_runs_markdown`) or a self-contained HTML page with charts
  (:func:`render_runs_html`).
* :func:`load_world` / :func:`diff_worlds`: what changed in the world between two runs
  (export folders, summaries or snapshots), rendered by :func:`render_diff_markdown`.
* :func:`resolve_inputs` turns paths, globs and folders into manifest paths;
  :func:`read_manifest` reads one and returns failures as values.

Manifests are read as JSON documents with the reference's tolerant rules (``Number()``
coercion, ``??`` defaults), so manifests written by the reference and by worldstate both work.
"""

from __future__ import annotations

from worldstate.report._bench import ReportBenchStats, run_report_bench
from worldstate.report._diff import (
    DIFF_HEADING,
    SECTIONS,
    Change,
    WorldDiff,
    WorldView,
    diff_worlds,
    load_world,
    render_diff_markdown,
    world_view,
)
from worldstate.report._fallback import (
    FALLBACK_HEADING,
    Counts,
    FallbackAggregate,
    FallbackAggregator,
    ProviderUsage,
    SourceUsage,
    aggregate_fallback,
    aggregate_manifests,
    render_fallback_markdown,
)
from worldstate.report._html import CONTENT_SECURITY_POLICY, render_runs_html
from worldstate.report._inputs import (
    DEFAULT_MANIFEST,
    MANIFEST_NAME,
    ManifestRead,
    absolute,
    default_metadata,
    iter_manifests,
    read_manifest,
    resolve_inputs,
)
from worldstate.report._jsvalues import js_ordered
from worldstate.report._providers import (
    PROVIDERS_HEADING,
    ProviderRow,
    ProviderSummary,
    render_providers_markdown,
    summarise_provider_results,
)
from worldstate.report._runs import (
    RUNS_HEADING,
    ArtifactSize,
    RunRow,
    RunsReport,
    RunTotals,
    build_runs_report,
    render_runs_markdown,
    run_row,
)

__all__ = [
    # inputs
    "resolve_inputs",
    "absolute",
    "default_metadata",
    "read_manifest",
    "iter_manifests",
    "ManifestRead",
    "MANIFEST_NAME",
    "DEFAULT_MANIFEST",
    "js_ordered",
    # providers
    "summarise_provider_results",
    "render_providers_markdown",
    "ProviderSummary",
    "ProviderRow",
    "PROVIDERS_HEADING",
    # fallback
    "FallbackAggregator",
    "aggregate_fallback",
    "aggregate_manifests",
    "render_fallback_markdown",
    "FallbackAggregate",
    "ProviderUsage",
    "SourceUsage",
    "Counts",
    "FALLBACK_HEADING",
    # runs
    "run_row",
    "build_runs_report",
    "render_runs_markdown",
    "render_runs_html",
    "RunsReport",
    "RunRow",
    "RunTotals",
    "ArtifactSize",
    "RUNS_HEADING",
    "CONTENT_SECURITY_POLICY",
    # diff
    "load_world",
    "world_view",
    "diff_worlds",
    "render_diff_markdown",
    "WorldView",
    "WorldDiff",
    "Change",
    "SECTIONS",
    "DIFF_HEADING",
    # benchmark
    "run_report_bench",
    "ReportBenchStats",
]
