"""Export settings, resolved once at the edge and validated before anything is written."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import msgspec

from worldstate._js import MAX_TIME_MS
from worldstate.errors import ConfigurationError, InputError
from worldstate.inspector import DEFAULT_FORMATS, SPATIAL_HISTORY_BUDGET_BYTES, resolve_formats
from worldstate.jsonfile import MAX_JSON_DEPTH, JsonLimits, loads_strict
from worldstate.names import check_prefix
from worldstate.publish import MANIFEST_FILENAME, ci_requested
from worldstate.redact import Redactor
from worldstate.writers import check_filename

__all__ = [
    "ExportSettings",
    "parse_context",
    "split_formats",
    "run_id_from_env",
    "check_generated_at",
    "resolve_publish",
    "resolve_budget_bytes",
    "BUDGET_BYTES_VARIABLE",
]

RUN_ID_VARIABLES = ("BUILD_ID", "GITHUB_RUN_ID")
BUDGET_BYTES_VARIABLE = "TELEMETRY_SPATIAL_BUDGET_BYTES"


class ExportSettings(msgspec.Struct, frozen=True):
    """Everything an export run needs to know, already validated.

    Attributes:
        out_dir: the artifact folder (absolute).
        prefix: the file name prefix (a safe bare name).
        formats: canonical format names.
        manifest_path: where ``ci-artifacts.json`` goes (absolute).
        dry_run: ``not publish``: recorded in the manifest.
        publish: whether the providers run.
        run_context: ``runId`` followed by the user's context.
        generated_at: a ``generatedAt`` override, or ``None``.
        mirrors: further folders every artifact is also written to.
        durable: fsync files and folders.
        budget_bytes: the spatial history's payload budget.
    """

    out_dir: Path
    prefix: str
    formats: tuple[str, ...]
    manifest_path: Path
    dry_run: bool
    publish: bool = False
    run_context: Mapping[str, Any] = msgspec.field(default_factory=dict)
    generated_at: int | None = None
    mirrors: tuple[Path, ...] = ()
    durable: bool = False
    budget_bytes: int = SPATIAL_HISTORY_BUDGET_BYTES

    @classmethod
    def resolve(
        cls,
        *,
        out: Path,
        prefix: str,
        formats: str,
        metadata: Path | None,
        dry_run: bool | None,
        publish: bool | None,
        context: str | None,
        generated_at: int | None,
        env: Mapping[str, str],
        mirrors: Sequence[Path] = (),
        durable: bool = False,
        budget_bytes: int | None = None,
    ) -> ExportSettings:
        """Validate raw option values (CLI > env > default) into settings.

        Raises:
            UnsafeNameError: the prefix or the manifest's file name could leave its folder.
            ConfigurationError: an unknown format, or ``metadata`` is an existing folder.
            InputError: ``context`` is not a JSON object, or ``generated_at`` is outside the
                JavaScript date range.
            ConfigurationError: ``--publish`` with ``--dry-run``, or a budget that is not a
                positive integer.
        """
        out_dir = out.absolute()
        manifest_path = (metadata or out_dir / MANIFEST_FILENAME).absolute()
        check_filename(manifest_path.name, what="--metadata file name")
        check_generated_at(generated_at)
        named = [("--prefix", prefix), ("--out", str(out_dir)), ("--metadata", str(manifest_path))]
        Redactor(env).refuse_secrets_in([*named, *(("--mirror", str(m)) for m in mirrors)])
        if manifest_path.is_dir():
            raise ConfigurationError(
                f"--metadata: {manifest_path} is a folder; give the manifest's file path, "
                f"such as {manifest_path / MANIFEST_FILENAME}"
            )
        publishing = resolve_publish(publish, dry_run, env)
        return cls(
            out_dir=out_dir,
            prefix=check_prefix(prefix),
            formats=resolve_formats(split_formats(formats)),
            manifest_path=manifest_path,
            dry_run=not publishing,
            publish=publishing,
            run_context={"runId": run_id_from_env(env), **parse_context(context)},
            generated_at=generated_at,
            mirrors=tuple(m.absolute() for m in mirrors),
            durable=durable,
            budget_bytes=resolve_budget_bytes(budget_bytes, env),
        )


def resolve_publish(publish: bool | None, dry_run: bool | None, env: Mapping[str, str]) -> bool:
    """Whether the providers run: ``--publish``/``--no-publish`` (alias ``--no-dry-run``/
    ``--dry-run``) wins, else ``CI`` is a true value (``true``, ``1``, ``yes``, any case).

    Raises:
        ConfigurationError: ``--publish`` with ``--dry-run`` (or the reverse pair).
    """
    if publish is not None and dry_run is not None and publish == dry_run:
        raise ConfigurationError("--publish and --dry-run contradict each other: give one")
    flag = publish if publish is not None else (None if dry_run is None else not dry_run)
    return ci_requested(flag, env)


def resolve_budget_bytes(value: int | None, env: Mapping[str, str]) -> int:
    """``--budget-bytes``, else ``TELEMETRY_SPATIAL_BUDGET_BYTES``, else the default budget.

    Raises:
        ConfigurationError: not a positive integer (names the option or variable).
    """
    if value is None:
        text = env.get(BUDGET_BYTES_VARIABLE, "").strip()
        if not text:
            return SPATIAL_HISTORY_BUDGET_BYTES
        if not text.isdigit():
            raise ConfigurationError(
                f"{BUDGET_BYTES_VARIABLE}={text!r}: give the budget as a whole number of bytes"
            )
        value = int(text)
    if value <= 0:
        raise ConfigurationError(f"--budget-bytes {value}: the budget must be at least 1 byte")
    return value


def check_generated_at(value: int | None) -> int | None:
    """Return ``value`` (``--generated-at``) if ``None`` or a valid JavaScript date in ms.

    Raises:
        InputError: ``|value|`` exceeds 8.64e15 (names the option).
    """
    if value is not None and abs(value) > MAX_TIME_MS:
        raise InputError(
            f"{value} is outside the JavaScript date range (±8.64e15 ms)", source="--generated-at"
        )
    return value


def split_formats(text: str) -> list[str]:
    """``"json, csv"`` -> ``["json", "csv"]``; an empty list means the default formats."""
    return [part.strip() for part in text.split(",") if part.strip()] or list(DEFAULT_FORMATS)


_CONTEXT_LIMITS = JsonLimits(max_depth=MAX_JSON_DEPTH - 1)
"""The manifest and the ``--json`` document hold the context one level down: a context as
deep as the readers' limit would make a manifest no reader accepts."""


def parse_context(text: str | None) -> dict[str, Any]:
    """Parse ``--context``: a JSON object (``None`` -> ``{}``), nesting at most one level less
    than :data:`~worldstate.jsonfile.MAX_JSON_DEPTH`.

    Raises:
        InputError: not JSON, nested too deeply, or JSON that is not an object.
        SnapshotError: ``NaN``/``Infinity`` or a lone surrogate (names the JSON path).
    """
    if text is None:
        return {}
    value = loads_strict(text, source="--context", what="context", limits=_CONTEXT_LIMITS)
    if not isinstance(value, dict):
        # The value itself is not echoed: it may hold secrets.
        kind = "an array" if isinstance(value, list) else type(value).__name__
        raise InputError(f"must be a JSON object, got {kind}", source="--context")
    return value


def run_id_from_env(env: Mapping[str, str]) -> str | None:
    """``BUILD_ID``, else ``GITHUB_RUN_ID``, else ``None`` (empty values count as unset)."""
    return next((env[name] for name in RUN_ID_VARIABLES if env.get(name)), None)
