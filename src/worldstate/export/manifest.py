"""The CI manifest ``ci-artifacts.json`` (REFERENCE §7.4, DEVIATIONS B3/B4/B8).

Written once per export, atomically, after every write result is known.  Its ``context`` is
always redacted.  Upload providers come later: ``fallbackSummary`` has its empty form and
``commandResults`` is an empty list.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import msgspec

from worldstate._js import dumps_pretty, iso_from_ms
from worldstate.artifacts import Artifact
from worldstate.redact import Redactor
from worldstate.writers import FileSystemWriter, WriteResult

__all__ = [
    "Manifest",
    "ManifestArtifact",
    "FallbackSummary",
    "MANIFEST_FILENAME",
    "TRUE_VALUES",
    "resolve_dry_run",
    "build_manifest",
    "manifest_artifact",
    "write_manifest",
]

MANIFEST_FILENAME = "ci-artifacts.json"

TRUE_VALUES = frozenset({"true", "1", "yes"})
"""Values of ``CI`` (any case, surrounding spaces ignored) that mean "running in CI"."""


class ManifestArtifact(msgspec.Struct, frozen=True):
    """One artifact listed in the manifest: its absolute path and its file name."""

    filepath: str
    filename: str


class FallbackSummary(msgspec.Struct, frozen=True, rename="camel"):
    """Counts of fallback upload attempts; empty until providers exist."""

    attempted: bool = False
    attempts: int = 0
    succeeded: int = 0
    failed: int = 0
    partial: int = 0
    skipped: int = 0
    last_attempted_at: str | None = None
    providers: dict[str, Any] = msgspec.field(default_factory=dict)


class Manifest(msgspec.Struct, frozen=True, rename="camel"):
    """The manifest document; field order is the file's key order."""

    generated_at: int
    generated_iso: str
    dry_run: bool
    artifacts: tuple[ManifestArtifact, ...]
    context: dict[str, Any]
    fallback_summary: FallbackSummary = msgspec.field(default_factory=FallbackSummary)
    command_results: tuple[dict[str, Any], ...] = ()

    def to_json(self) -> dict[str, Any]:
        """The manifest as JSON-shaped builtins (camelCase keys)."""
        builtins: dict[str, Any] = msgspec.json.decode(msgspec.json.encode(self))
        return builtins


def resolve_dry_run(flag: bool | None, env: Mapping[str, str]) -> bool:
    """Dry-run unless ``CI`` is ``true``/``1``/``yes`` (any case); an explicit flag wins (B4)."""
    if flag is not None:
        return flag
    return env.get("CI", "").strip().lower() not in TRUE_VALUES


def build_manifest(
    *,
    generated_at: int,
    dry_run: bool,
    artifact_paths: Iterable[str | os.PathLike[str]],
    context: Mapping[str, Any],
    redactor: Redactor | None = None,
) -> Manifest:
    """Build the manifest; the context is redacted here, so no caller can forget (B3).

    Args:
        generated_at: when the manifest was made, in ms since the epoch.
        dry_run: whether publishing is a dry run.
        artifact_paths: absolute paths of the artifacts, in order (duplicates dropped).
        context: the run context (§8.3 step 10).
        redactor: redacts the context; pass one built from the environment
            (``Redactor(os.environ)`` at the edge) so secret environment values are caught
            too.  Default: the environment-less rules.
    """
    redactor = Redactor() if redactor is None else redactor
    seen: dict[str, None] = dict.fromkeys(os.fspath(p) for p in artifact_paths)
    return Manifest(
        generated_at=generated_at,
        generated_iso=iso_from_ms(generated_at),
        dry_run=dry_run,
        artifacts=tuple(ManifestArtifact(p, os.path.basename(p)) for p in seen),
        context=redactor(context),
    )


def manifest_artifact(manifest: Manifest, filename: str = MANIFEST_FILENAME) -> Artifact:
    """The manifest rendered as a pretty-JSON artifact."""
    return Artifact(
        type="json",
        section="manifest",
        filename=filename,
        mime_type="application/json",
        content=dumps_pretty(manifest.to_json()) + "\n",
    )


def write_manifest(manifest: Manifest, path: str | os.PathLike[str]) -> WriteResult:
    """Write ``manifest`` to ``path`` atomically (temp file beside it, then rename)."""
    target = Path(path).absolute()
    writer = FileSystemWriter(target.parent, id="manifest")
    return writer.write(manifest_artifact(manifest, target.name))
