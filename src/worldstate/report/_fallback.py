"""Fallback upload usage across many manifests: totals, per provider, per manifest.

Each manifest contributes its ``fallbackSummary``.  Counters are read as ``Number()`` would
read them (blank, ``null`` and non-finite values count 0, ``"3"`` counts 3); the last attempt
is the greatest ISO string; a provider counts towards ``manifests`` when it attempted or has
attempts.  Aggregation is one pass, one manifest at a time.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from worldstate._js import get, number_text, truthy
from worldstate.inspector import md_table
from worldstate.redact import Redactor
from worldstate.report._inputs import ManifestRead, iter_manifests
from worldstate.report._jsvalues import counter, js_key_order, js_string_greater

__all__ = [
    "FALLBACK_HEADING",
    "Counts",
    "ProviderUsage",
    "SourceUsage",
    "FallbackAggregate",
    "FallbackAggregator",
    "aggregate_fallback",
    "aggregate_manifests",
    "render_fallback_markdown",
]

FALLBACK_HEADING: Final = "## Telemetry Fallback Usage"
_MISSING: Final = "\u2014"
_COUNT_KEYS: Final = ("attempts", "succeeded", "failed", "partial", "skipped")
_PROVIDER_COLUMNS: Final = (
    "Provider",
    "Manifests",
    "Attempts",
    "Succeeded",
    "Partial",
    "Failed",
    "Skipped",
    "Last Attempt",
)
_SOURCE_COLUMNS: Final = (
    "Manifest",
    "Attempts",
    "Succeeded",
    "Partial",
    "Failed",
    "Skipped",
    "Last Attempt",
)


@dataclass(slots=True)
class Counts:
    """Attempt counters (floats: a manifest may hold ``"2.5"``)."""

    attempts: float = 0.0
    succeeded: float = 0.0
    failed: float = 0.0
    partial: float = 0.0
    skipped: float = 0.0

    def add(self, other: Counts) -> None:
        """Add ``other``'s counters to these."""
        self.attempts += other.attempts
        self.succeeded += other.succeeded
        self.failed += other.failed
        self.partial += other.partial
        self.skipped += other.skipped

    def to_json(self) -> dict[str, float]:
        """The counters in the report's key order."""
        return {key: getattr(self, key) for key in _COUNT_KEYS}

    def markdown_cells(self) -> list[str]:
        """Attempts, succeeded, partial, failed, skipped: the tables' column order."""
        order = (self.attempts, self.succeeded, self.partial, self.failed, self.skipped)
        return [number_text(value) for value in order]


@dataclass(frozen=True, slots=True)
class _Summary:
    attempted: bool
    counts: Counts
    last_attempted_at: str | None
    providers: list[tuple[str, Any]]


def _read_summary(raw: object) -> _Summary | None:
    """A ``fallbackSummary`` (or a provider entry) read tolerantly; ``None`` if not an object."""
    if not isinstance(raw, dict | list):
        return None
    last = get(raw, "lastAttemptedAt")
    providers = get(raw, "providers")
    if isinstance(providers, dict):
        entries = list(providers.items())
    elif isinstance(providers, list):
        entries = [(str(index), item) for index, item in enumerate(providers)]
    else:
        entries = []
    return _Summary(
        attempted=truthy(get(raw, "attempted")),
        counts=Counts(*(counter(get(raw, key)) for key in _COUNT_KEYS)),
        last_attempted_at=last if isinstance(last, str) else None,
        providers=entries,
    )


def _later(current: str | None, candidate: str | None) -> str | None:
    if not candidate:
        return current
    if not current:
        return candidate
    return candidate if js_string_greater(candidate, current) else current


@dataclass(slots=True)
class ProviderUsage:
    """One provider's usage over every manifest."""

    manifests: int = 0
    counts: Counts = field(default_factory=Counts)
    last_status: Any = None
    last_attempted_at: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The provider entry of the aggregate (reference key order)."""
        return {
            "manifests": self.manifests,
            **self.counts.to_json(),
            "lastStatus": self.last_status,
            "lastAttemptedAt": self.last_attempted_at,
        }


@dataclass(frozen=True, slots=True)
class SourceUsage:
    """One manifest's row: where it is and what its summary said."""

    path: str
    attempted: bool
    counts: Counts
    last_attempted_at: str | None

    def to_json(self) -> dict[str, Any]:
        """The source entry of the aggregate (reference key order)."""
        return {
            "path": self.path,
            "attempted": self.attempted,
            **self.counts.to_json(),
            "lastAttemptedAt": self.last_attempted_at,
        }


@dataclass(frozen=True, slots=True)
class FallbackAggregate:
    """Fallback usage over every manifest read."""

    total_manifests: int
    manifests_with_fallback: int
    counts: Counts
    last_attempted_at: str | None
    providers: dict[str, ProviderUsage]
    sources: tuple[SourceUsage, ...]

    def to_json(self) -> dict[str, Any]:
        """The aggregate object, keys in the reference's order (providers in JavaScript's)."""
        return {
            "totalManifests": self.total_manifests,
            "manifestsWithFallback": self.manifests_with_fallback,
            **self.counts.to_json(),
            "lastAttemptedAt": self.last_attempted_at,
            "providers": {key: self.providers[key].to_json() for key in self.provider_keys()},
            "sources": [source.to_json() for source in self.sources],
        }

    def provider_keys(self) -> list[str]:
        """Provider names in the order the report lists them."""
        return js_key_order(self.providers)


class FallbackAggregator:
    """Accumulates manifests one at a time; :meth:`result` gives the aggregate."""

    def __init__(self) -> None:
        self._total = 0
        self._with_fallback = 0
        self._counts = Counts()
        self._last: str | None = None
        self._providers: dict[str, ProviderUsage] = {}
        self._sources: list[SourceUsage] = []

    def add(self, path: str, fallback_summary: object) -> None:
        """Count the manifest at ``path`` whose ``fallbackSummary`` is ``fallback_summary``."""
        self._total += 1
        summary = _read_summary(fallback_summary)
        if summary is None:
            self._sources.append(SourceUsage(path, False, Counts(), None))
            return
        self._with_fallback += summary.attempted
        self._counts.add(summary.counts)
        self._last = _later(self._last, summary.last_attempted_at)
        self._sources.append(
            SourceUsage(path, summary.attempted, summary.counts, summary.last_attempted_at)
        )
        for key, raw in summary.providers:
            self._add_provider(key, raw)

    def _add_provider(self, key: str, raw: object) -> None:
        entry = _read_summary(raw) or _Summary(False, Counts(), None, [])
        usage = self._providers.setdefault(key, ProviderUsage())
        usage.manifests += entry.attempted or entry.counts.attempts > 0
        usage.counts.add(entry.counts)
        usage.last_attempted_at = _later(usage.last_attempted_at, entry.last_attempted_at)
        status = get(raw, "lastStatus")
        if truthy(status):
            usage.last_status = status

    def result(self) -> FallbackAggregate:
        """The aggregate of every manifest added so far."""
        return FallbackAggregate(
            total_manifests=self._total,
            manifests_with_fallback=self._with_fallback,
            counts=Counts(**self._counts.to_json()),
            last_attempted_at=self._last,
            providers=dict(self._providers),
            sources=tuple(self._sources),
        )


def aggregate_manifests(
    paths: Iterable[str],
    *,
    redactor: Redactor,
    on_unreadable: Callable[[ManifestRead], None],
    env: Mapping[str, str] | None = None,
) -> FallbackAggregate:
    """Read the manifests at ``paths`` one at a time and aggregate their fallback summaries.

    Each ``fallbackSummary`` is redacted before it is counted; a manifest that cannot be read
    is passed to ``on_unreadable`` (which may raise) and not counted.
    """
    aggregator = FallbackAggregator()
    for read in iter_manifests(paths, env=env):  # env: credentials for URL manifests
        if read.ok:
            aggregator.add(read.path, redactor(get(read.document, "fallbackSummary")))
        else:
            on_unreadable(read)
    return aggregator.result()


def aggregate_fallback(entries: Iterable[tuple[str, object]]) -> FallbackAggregate:
    """Aggregate ``(path, fallbackSummary)`` pairs."""
    aggregator = FallbackAggregator()
    for path, summary in entries:
        aggregator.add(path, summary)
    return aggregator.result()


def _totals_lines(aggregate: FallbackAggregate) -> list[str]:
    c = aggregate.counts
    return [
        f"- Manifests processed: {aggregate.total_manifests}",
        f"- Manifests with fallback attempts: {aggregate.manifests_with_fallback}",
        f"- Total fallback attempts: {number_text(c.attempts)} (succeeded: "
        f"{number_text(c.succeeded)}, partial: {number_text(c.partial)}, failed: "
        f"{number_text(c.failed)}, skipped: {number_text(c.skipped)})",
        f"- Last fallback attempt: {_or_missing(aggregate.last_attempted_at, 'n/a')}",
        "",
    ]


def _provider_lines(aggregate: FallbackAggregate) -> list[str]:
    keys = aggregate.provider_keys()
    if not keys:
        return ["No fallback providers reported usage.", ""]
    rows = (
        [
            key,
            str(aggregate.providers[key].manifests),
            *aggregate.providers[key].counts.markdown_cells(),
            _or_missing(aggregate.providers[key].last_attempted_at),
        ]
        for key in keys
    )
    return [*md_table(_PROVIDER_COLUMNS, rows), ""]


def _source_lines(aggregate: FallbackAggregate, cwd: str) -> list[str]:
    if not aggregate.sources:
        return []
    rows = (
        [
            _display_path(source.path, cwd),
            *source.counts.markdown_cells(),
            _or_missing(source.last_attempted_at),
        ]
        for source in aggregate.sources
    )
    return ["### Sources", "", *md_table(_SOURCE_COLUMNS, rows), ""]


def _or_missing(text: str | None, missing: str = _MISSING) -> str:
    return missing if text is None else text


def _display_path(path: str, cwd: str) -> str:
    return os.path.relpath(path, cwd) if os.path.isabs(path) else path


def render_fallback_markdown(aggregate: FallbackAggregate, *, cwd: str) -> str:
    """The report's Markdown; it ends with a blank line whenever a manifest was read.

    Manifest paths are shown relative to ``cwd``; table cells escape ``|`` and line breaks.
    """
    lines = [FALLBACK_HEADING, ""]
    if aggregate.total_manifests == 0:
        lines += [
            "No telemetry metadata manifests processed.",
            "",
            "Provide `ci-artifacts.json` via `--metadata <path>` or ensure the export CLI "
            "generated artifacts.",
        ]
        return "\n".join(lines)
    lines += _totals_lines(aggregate) + _provider_lines(aggregate) + _source_lines(aggregate, cwd)
    return "\n".join(lines)
