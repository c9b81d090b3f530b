"""Reports across CI runs: provider uploads, fallback usage, run trends and world diffs.

* :func:`summarise_provider_results` / :func:`render_providers_markdown`: every provider
  attempt recorded in one manifest.
* :class:`FallbackAggregator` / :func:`render_fallback_markdown`: fallback upload usage over
  many manifests, read one at a time.
* :func:`resolve_inputs` turns paths, globs and folders into manifest paths;
  :func:`read_manifest` reads one and returns failures as values.

Manifests are read as JSON documents with the reference's tolerant rules (``Number()``
coercion, ``??`` defaults), so manifests written by the reference and by worldstate both work.
"""

from __future__ import annotations

from worldstate.report._fallback import (
    FALLBACK_HEADING,
    Counts,
    FallbackAggregate,
    FallbackAggregator,
    ProviderUsage,
    SourceUsage,
    aggregate_fallback,
    render_fallback_markdown,
)
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
    "render_fallback_markdown",
    "FallbackAggregate",
    "ProviderUsage",
    "SourceUsage",
    "Counts",
    "FALLBACK_HEADING",
]
