"""Exporting one telemetry's summary into a test's folder, and naming that folder.

:func:`export_summary` is the plugin's only way to write telemetry; everything else in the plugin
sees its :class:`ExportedFiles` record, so the export underneath can change without the hooks
noticing.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import msgspec

from worldstate.artifacts import Artifact
from worldstate.clock import Clock
from worldstate.export import Exporter, PreparedExport
from worldstate.pytest_plugin._state import ArtifactFile
from worldstate.redact import Redactor
from worldstate.writers import EventSink, FileSystemWriter, WriterFanout

__all__ = ["ExportedFiles", "PristineExports", "export_summary", "test_slug", "remove_exported"]

_NOT_SLUG: Final = re.compile(r"[^a-z0-9]+")
SLUG_LENGTH: Final = 60
HASH_LENGTH: Final = 8


@dataclass(frozen=True, slots=True)
class ExportedFiles:
    """What one export wrote.

    Attributes:
        artifacts: the files written, in export order.
        summary: the sanitised summary (the JSON artifact's content) as builtins.
        budget_status: ``within_budget``, ``exceeds_budget`` or ``unknown``.
        failure: why some files could not be written, or ``None`` when all were.
    """

    artifacts: tuple[ArtifactFile, ...]
    summary: Mapping[str, Any]
    budget_status: str
    failure: str | None


def test_slug(nodeid: str) -> str:
    """The folder name for a test: its id lower-cased, every run of characters other than
    ``a-z0-9`` turned into ``-``, trimmed to 60 characters, plus 8 hex digits of the id's hash
    (so parametrised ids that slug alike never share a folder).
    """
    slug = _NOT_SLUG.sub("-", nodeid.lower()).strip("-")[:SLUG_LENGTH].strip("-") or "telemetry"
    digest = hashlib.sha1(nodeid.encode("utf-8", "surrogatepass")).hexdigest()[:HASH_LENGTH]
    return f"{slug}-{digest}"


class PristineExports:
    """The prepared exports of pristine worlds, made once per session and clock reading.

    A fresh world's summary depends only on its clock, so every test that leaves its world
    untouched exports the same content; only the file names (the test's prefix) and the export
    context differ.  Reusing the rendered artifacts saves sanitising and rendering per test.
    """

    def __init__(self) -> None:
        self._templates: dict[tuple[int, tuple[str, ...]], PreparedExport] = {}

    def prepare(
        self,
        exporter: Exporter,
        summary: Mapping[str, Any],
        *,
        now: int,
        prefix: str,
        formats: tuple[str, ...],
    ) -> PreparedExport:
        """``exporter.prepare(summary, ...)`` for the pristine ``summary`` at ``now``."""
        key = (now, formats)
        template = self._templates.get(key)
        if template is None:
            prepared = exporter.prepare(summary, prefix=prefix, formats=formats)
            self._templates[key] = prepared
            return prepared
        renamed = None if template.budget_event is not None else _renamed(template, prefix)
        if renamed is None:  # a budget event or a name without the prefix: render anew
            return exporter.prepare(summary, prefix=prefix, formats=formats)
        context = msgspec.structs.replace(
            template.context,
            prefix=prefix,
            run_context=exporter.redactor(exporter.run_context),
            artifact_dir=None
            if exporter.artifact_dir is None
            else exporter.redactor(str(exporter.artifact_dir)),
        )
        return dataclasses.replace(renamed, context=context)


def _renamed(template: PreparedExport, prefix: str) -> PreparedExport | None:
    old = f"{template.prefix}-"
    every = (*template.summary_artifacts, *template.budget_artifacts)
    if not all(a.filename.startswith(old) for a in every):
        return None

    def rename(artifacts: tuple[Artifact, ...]) -> tuple[Artifact, ...]:
        return tuple(
            msgspec.structs.replace(a, filename=f"{prefix}-{a.filename[len(old) :]}")
            for a in artifacts
        )

    return dataclasses.replace(
        template,
        summary_artifacts=rename(template.summary_artifacts),
        budget_artifacts=rename(template.budget_artifacts),
        prefix=prefix,
    )


def export_summary(
    summary: Mapping[str, Any],
    *,
    folder: Path,
    prefix: str,
    formats: Sequence[str],
    clock: Clock,
    context: Mapping[str, Any],
    redactor: Redactor,
    bus: EventSink | None = None,
    pristine: PristineExports | None = None,
) -> ExportedFiles:
    """Render ``summary`` in ``formats`` and write every artifact into ``folder`` atomically.

    Args:
        summary: a raw inspector summary (``build_summary``'s result).
        folder: the test's folder (created when missing).
        prefix: the artifacts' file-name prefix.
        formats: canonical format names.
        clock: "now" for a summary without ``generatedAt``.
        context: the export context (the test id, outcome and duration).
        redactor: redacts the context wherever it is written.
        bus: where the export's ``telemetry:*`` events (carrying the context) are emitted.
        pristine: given when ``summary`` is the pristine world's at ``clock()``: its rendered
            artifacts are reused from the session's earlier tests.
    """
    exporter = Exporter(
        WriterFanout([FileSystemWriter(folder, id="pytest")]),
        bus=bus,
        clock=clock,
        artifact_dir=folder,
        run_context=context,
        redactor=redactor,
    )
    if pristine is not None:
        prepared = pristine.prepare(
            exporter, summary, now=clock(), prefix=prefix, formats=tuple(formats)
        )
    else:
        prepared = exporter.prepare(summary, prefix=prefix, formats=tuple(formats))
    if prepared.budget_event is None:
        # Without spatial telemetry there is no payload budget to report ("unknown"), and two
        # fewer files per test keep the export within its per-test time budget.
        prepared = dataclasses.replace(prepared, budget_artifacts=())
    result = exporter.run(prepared)
    artifacts = tuple(
        ArtifactFile(str(folder / artifact.filename), artifact.mime_type)
        for artifact, write in zip(result.prepared.artifacts, result.writes.results, strict=True)
        if write.ok
    )
    return ExportedFiles(
        artifacts=artifacts,
        summary=result.prepared.payload.body,
        budget_status=result.prepared.budget_status,
        failure=None if result.ok else result.failure_message(),
    )


def remove_exported(folder: Path, prefix: str, *, remove_empty_folder: bool = True) -> None:
    """Remove the files an earlier run exported into ``folder`` under ``prefix``.

    Only names this plugin writes are touched (``<prefix>-...``), and the folder only when it is
    left empty and ``remove_empty_folder`` is true (a test about to export into it again keeps
    it: removing and making it anew would cost two more file-system operations per test).
    """
    try:
        entries = list(os.scandir(folder))
    except (FileNotFoundError, NotADirectoryError):
        return
    left = False
    for entry in entries:
        if entry.name.startswith(f"{prefix}-") and entry.is_file(follow_symlinks=False):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(entry.path)
        else:
            left = True
    if remove_empty_folder and not left:
        with contextlib.suppress(OSError):  # something appeared meanwhile: it stays
            folder.rmdir()
