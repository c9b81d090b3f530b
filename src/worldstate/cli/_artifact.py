"""``worldstate artifact``: upload and list artifacts of the running GitHub Actions job."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TaskID, TransferSpeedColumn
from rich.table import Table

from worldstate._camel import camel_json
from worldstate.cli._app import cli
from worldstate.cli._options import json_option
from worldstate.publish.github import ArtifactClient

__all__ = ["artifact"]

_PROGRESS_MIN_BYTES = 4 * 1024 * 1024


@cli.group("artifact")
def artifact() -> None:
    """Artifacts of the running GitHub Actions job (also under nektos/act)."""


@artifact.command("upload")
@click.argument("name")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path, exists=False))
@click.option(
    "--root",
    type=click.Path(path_type=Path, file_okay=False),
    help="Folder the paths inside the zip are relative to (default: their deepest common folder).",
)
@click.option(
    "--retention-days",
    type=click.IntRange(min=1, max=90),
    help="Keep the artifact this many days (lowered to the repository's maximum).",
)
@click.option(
    "--compression-level",
    type=click.IntRange(min=0, max=9),
    default=6,
    show_default=True,
    help="Zip compression: 0 stores (for data that does not compress), 9 is the smallest.",
)
@click.option("--overwrite", is_flag=True, help="Delete an artifact of the same name first.")
@click.option(
    "--include-hidden", is_flag=True, help="Upload files and folders whose name starts with '.'."
)
@json_option("Print the uploaded artifact as JSON.")
def upload(
    name: str,
    paths: tuple[Path, ...],
    root: Path | None,
    retention_days: int | None,
    compression_level: int,
    overwrite: bool,
    include_hidden: bool,
    as_json: bool,
) -> None:
    """Zip PATHS (files or folders) and upload them as the artifact NAME."""
    with ArtifactClient(os.environ) as client, _progress_bar() as progress:
        uploaded = client.upload(
            name,
            paths,
            root=root if root is not None else common_root(paths),
            retention_days=retention_days,
            compression_level=compression_level,
            include_hidden=include_hidden,
            overwrite=overwrite,
            progress=progress,
        )
    if as_json:
        click.echo(json.dumps(camel_json(uploaded)))
        return
    click.echo(
        f"Uploaded artifact {uploaded.name!r}: id {uploaded.id}, {uploaded.files} file(s), "
        f"{uploaded.size} bytes, {uploaded.digest}"
    )
    if uploaded.url:
        click.echo(uploaded.url)


@artifact.command("list")
@json_option("Print the artifacts as a JSON list.")
def list_artifacts(as_json: bool) -> None:
    """List the artifacts uploaded so far in this workflow run."""
    with ArtifactClient(os.environ) as client:
        listed = client.list()
    if as_json:
        click.echo(json.dumps([camel_json(item) for item in listed]))
        return
    if not listed:
        click.echo("No artifacts in this workflow run.")
        return
    table = Table("name", "id", "size", "created", "digest")
    for item in listed:
        table.add_row(item.name, item.id, str(item.size), item.created_at or "", item.digest or "")
    Console(width=200).print(table)


@artifact.command("delete")
@click.argument("name")
def delete(name: str) -> None:
    """Delete this workflow run's artifact NAME."""
    with ArtifactClient(os.environ) as client:
        artifact_id = client.delete(name)
    click.echo(f"Deleted artifact {name!r} (id {artifact_id}).")


def common_root(paths: Sequence[Path]) -> Path:
    """The deepest folder holding every path (a folder holds itself, a file its parent).

    When the paths share nothing but the file-system root, the first path's folder is used.
    """
    folders = [
        os.path.normpath(path.absolute() if path.is_dir() else path.absolute().parent)
        for path in paths
    ]
    common = Path(os.path.commonpath(folders))
    return Path(folders[0]) if common == Path(common.anchor) else common


@contextmanager
def _progress_bar() -> Iterator[_Reporter | None]:
    if not sys.stderr.isatty():
        yield None
        return
    with Progress(
        "{task.description}",
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        yield _Reporter(bar)


class _Reporter:
    """Shows upload progress once the zip is big enough to be worth a bar."""

    def __init__(self, bar: Progress) -> None:
        self._bar = bar
        self._task: TaskID | None = None

    def __call__(self, sent: int, total: int) -> None:
        if total < _PROGRESS_MIN_BYTES:
            return
        if self._task is None:
            self._task = self._bar.add_task("uploading", total=total)
        self._bar.update(self._task, completed=sent)
