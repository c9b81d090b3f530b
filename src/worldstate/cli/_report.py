"""``worldstate report``: provider uploads, fallback usage, run trends, world diffs.

Markdown goes to standard output; warnings about manifests that cannot be read go to standard
error.  Exit codes: 0 ok, 1 a threshold was crossed (or a diff found with ``--exit-code``),
2 usage or bad input.
"""

from __future__ import annotations

import functools
import json
import math
import os
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

import click

from worldstate._js import dumps_pretty, to_number
from worldstate.artifacts import Artifact
from worldstate.cli._app import BadInput, JobFailed, bench, cli
from worldstate.cli._options import json_option, strict_option
from worldstate.redact import Redactor
from worldstate.report import (
    DEFAULT_MANIFEST,
    ManifestRead,
    absolute,
    aggregate_manifests,
    build_runs_report,
    default_metadata,
    diff_worlds,
    iter_manifests,
    js_ordered,
    load_world,
    read_manifest,
    render_diff_markdown,
    render_fallback_markdown,
    render_providers_markdown,
    render_runs_html,
    render_runs_markdown,
    resolve_inputs,
    run_report_bench,
    run_row,
    summarise_provider_results,
)
from worldstate.writers import FileSystemWriter

__all__ = ["report", "bench_report"]

STEP_SUMMARY_ENV = "GITHUB_STEP_SUMMARY"

_STRICT_MANIFESTS = strict_option("An unreadable manifest is an error (exit 2).")


_summary_file = functools.partial(
    click.option, "--summary", "summary_path", type=click.Path(dir_okay=False, path_type=Path)
)
"""``--summary FILE``: also append what is printed to this file (give the ``help``)."""


@cli.group("report")
def report() -> None:
    """Reports over CI manifests and exports (Markdown, JSON, HTML)."""


def _emit(text: str) -> None:
    """Print ``text`` and a newline as UTF-8, whatever the terminal's encoding."""
    sys.stdout.flush()
    sys.stdout.buffer.write((text + "\n").encode("utf-8"))
    sys.stdout.buffer.flush()


def _warn(message: str) -> None:
    click.echo(f"warning: {message}", err=True)


def _append(path: Path, text: str) -> None:
    """Append ``text`` and a newline to ``path`` in one write (folders created)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as stream:
            stream.write(text + "\n")
    except OSError as exc:
        raise JobFailed(
            f"cannot append the report to {path}: {exc.strerror or exc}; "
            "check that the folder is writable"
        ) from exc


def _step_summary(env: Mapping[str, str]) -> Path:
    value = env.get(STEP_SUMMARY_ENV, "")
    if not value:
        raise BadInput(f"--step-summary needs ${STEP_SUMMARY_ENV}, which is not set")
    return Path(value)


@report.command("providers")
@click.option(
    "--metadata",
    metavar="FILE",
    help=f"Manifest [default: $CI_ARTIFACT_METADATA or {DEFAULT_MANIFEST}].",
)
@_summary_file(help="Also append the Markdown to this file.")
@click.option("--step-summary", is_flag=True, help="Also append it to $GITHUB_STEP_SUMMARY.")
@json_option("Print the summary object as JSON.")
@_STRICT_MANIFESTS
def providers(
    metadata: str | None,
    summary_path: Path | None,
    step_summary: bool,
    as_json: bool,
    strict: bool,
) -> None:
    """Every provider upload attempt recorded in one manifest.

    An unreadable manifest prints nothing, warns and exits 0 (exit 2 with --strict).
    """
    env = os.environ
    targets = [summary_path] if summary_path else []
    if step_summary:
        targets.append(_step_summary(env))
    chosen = metadata if metadata and metadata.strip() else default_metadata(env)
    read = read_manifest(absolute(chosen, Path.cwd()))
    if not read.ok:
        if strict:
            raise BadInput(f"cannot read the manifest: {read.problem}")
        _warn(f"no provider report: {read.problem}")
        return
    summary = summarise_provider_results(Redactor(env)(read.document))
    markdown = render_providers_markdown(summary)
    _emit(dumps_pretty(js_ordered(summary.to_json())) if as_json else markdown)
    for target in targets:
        _append(target, markdown)


def _max_attempts(_ctx: click.Context, _param: click.Parameter, value: str | None) -> float | None:
    if value is None:
        return None
    number = to_number(value)
    if not math.isfinite(number):
        raise click.BadParameter(f"{value!r} is not a number")
    return number


@report.command("fallback")
@click.option("--metadata", multiple=True, metavar="FILE", help="A manifest (repeatable).")
@click.argument("inputs", nargs=-1, metavar="[PATH|GLOB|DIR]...")
@json_option("Print {metadataPaths, aggregate} as JSON.")
@_summary_file(help="Also append the output to this file.")
@click.option("--fail-on-usage", is_flag=True, help="Exit 1 when any fallback was attempted.")
@click.option(
    "--max-attempts",
    callback=_max_attempts,
    metavar="N",
    help="Exit 1 when there were more than N fallback attempts.",
)
@_STRICT_MANIFESTS
def fallback(
    metadata: tuple[str, ...],
    inputs: tuple[str, ...],
    as_json: bool,
    summary_path: Path | None,
    fail_on_usage: bool,
    max_attempts: float | None,
    strict: bool,
) -> None:
    """Fallback upload usage over many manifests (a folder: every ci-artifacts.json below it).

    With no manifest named: $CI_ARTIFACT_METADATA, else telemetry-artifacts/ci-artifacts.json.
    Unreadable manifests are skipped with a warning (exit 2 with --strict).
    """
    env = os.environ
    cwd = Path.cwd()
    paths = resolve_inputs([*metadata, *inputs], cwd=cwd, env=env) or resolve_inputs(
        [default_metadata(env)], cwd=cwd, env=env
    )
    aggregate = aggregate_manifests(
        paths, redactor=Redactor(env), on_unreadable=_unreadable_handler(strict), env=env
    )
    if as_json:
        text = dumps_pretty(js_ordered({"metadataPaths": paths, "aggregate": aggregate.to_json()}))
    else:
        text = render_fallback_markdown(aggregate, cwd=str(cwd))
    _emit(text)
    if summary_path is not None:
        _append(summary_path, text)
    _check_thresholds(aggregate.counts.attempts, fail_on_usage, max_attempts)


def _unreadable_handler(strict: bool) -> Callable[[ManifestRead], None]:
    """Warn about an unreadable manifest, or refuse it (exit 2) when ``strict``."""

    def handle(read: ManifestRead) -> None:
        if strict:
            raise BadInput(f"cannot read a manifest: {read.problem}")
        _warn(f"skipped: {read.problem}")

    return handle


def _check_thresholds(attempts: float, fail_on_usage: bool, max_attempts: float | None) -> None:
    problems = []
    if fail_on_usage and attempts > 0:
        problems.append("fallback uploader usage detected")
    if max_attempts is not None and attempts > max_attempts:
        problems.append(
            f"fallback attempts ({attempts:g}) exceeded the threshold ({max_attempts:g})"
        )
    if problems:
        raise JobFailed("; ".join(problems) + ": check why the primary upload provider failed")


def _write_file(path: Path, content: str, mime_type: str) -> None:
    """Write ``content`` to ``path`` atomically (temp file beside it, then rename)."""
    artifact = Artifact(
        type="html", section="report", filename=path.name, mime_type=mime_type, content=content
    )
    written = FileSystemWriter(path.absolute().parent, id="report").write(artifact)
    if not written.ok:
        raise JobFailed(f"cannot write {path}: {written.error}; check that the folder is writable")


@report.command("runs")
@click.argument("inputs", nargs=-1, required=True, metavar="PATH|GLOB|DIR...")
@click.option(
    "--html",
    "html_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write a self-contained HTML page with charts here.",
)
@json_option("Print the rows and totals as JSON.")
@click.option("--title", default="Telemetry runs", show_default=True, help="The HTML page title.")
@_STRICT_MANIFESTS
def runs(
    inputs: tuple[str, ...], html_path: Path | None, as_json: bool, title: str, strict: bool
) -> None:
    """One row per run (manifest): time, run id, artifacts, bytes, budget, each provider."""
    env = os.environ
    paths = resolve_inputs(inputs, cwd=Path.cwd(), env=env)
    redactor, on_unreadable = Redactor(env), _unreadable_handler(strict)
    rows = []
    for read in iter_manifests(paths, env=env):
        if read.ok:
            rows.append(run_row(ManifestRead(read.path, redactor(read.document))))
        else:
            on_unreadable(read)
    runs_report = build_runs_report(rows)
    if html_path is not None:
        _write_file(html_path, render_runs_html(runs_report, title=title), "text/html")
    _emit(dumps_pretty(runs_report.to_json()) if as_json else render_runs_markdown(runs_report))


@report.command("diff")
@click.argument("a", type=click.Path(exists=True, path_type=Path))
@click.argument("b", type=click.Path(exists=True, path_type=Path))
@json_option("Print the changes as JSON.")
@click.option("--exit-code", is_flag=True, help="Exit 1 when the worlds differ.")
def diff(a: Path, b: Path, as_json: bool, exit_code: bool) -> None:
    """What changed in the world between two runs (export folders, summaries or snapshots).

    Compares faction attitudes (snapshots only) and cascades, tutorial completion and prompt
    timeline, districts and npcs.
    """
    world_diff = diff_worlds(load_world(a), load_world(b))
    if as_json:
        _emit(dumps_pretty(world_diff.to_json()))
    else:
        _emit(render_diff_markdown(world_diff, cwd=os.getcwd()))
    if exit_code and not world_diff.equal:
        sys.exit(1)


@bench.command("report")
@click.option("--manifests", type=click.IntRange(min=1), default=10_000, show_default=True)
@click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    help="Make the temporary manifest folder here (default: the system temp folder).",
)
@json_option("Print the figures as one JSON object.")
def bench_report(manifests: int, root: Path | None, as_json: bool) -> None:
    """Time `report fallback` over many manifests (written first, untimed, then removed)."""
    stats = run_report_bench(manifests, root=root)
    if as_json:
        _emit(json.dumps(stats.to_json()))
        return
    click.echo("=== Fallback Report Benchmark ===")
    click.echo(f"Manifests: {stats.manifests} (written in {stats.setup_s:.2f} s, untimed)")
    click.echo(f"Report (find, read, aggregate, render): {stats.report_s:.3f} s")
    click.echo(f"Report size: {stats.report_bytes} bytes")
    click.echo(
        f"Peak traced memory: {stats.peak_bytes / 1e6:.2f} MB "
        f"({stats.peak_bytes_tenth / 1e6:.2f} MB for a tenth of the manifests)"
    )
    click.echo(f"Peak growth per manifest: {stats.per_manifest_bytes:.0f} bytes")
