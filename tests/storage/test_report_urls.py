"""``worldstate report runs|fallback`` read manifests from object storage (moto's S3 server)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.storage.conftest import BUCKET, S3
from tests.storage.test_cli_s3 import worldstate


def test_reports_expand_url_globs_and_folders(s3: S3, tmp_path: Path) -> None:
    """A glob URL and a folder URL stand for the manifests below them, sorted; each is read
    from the bucket and reported like a local one."""
    for run_id in ("2", "1"):
        done = worldstate(
            "export",
            "--demo",
            "--out",
            f"s3://{BUCKET}/runs/{run_id}",
            "-q",
            env={**s3.env(), "BUILD_ID": run_id},
            cwd=tmp_path,
        )
        assert done.returncode == 0, done.stderr
    expected = [f"s3://{BUCKET}/runs/{n}/ci-artifacts.json" for n in ("1", "2")]
    for argument in (f"s3://{BUCKET}/runs/*/ci-artifacts.json", f"s3://{BUCKET}/runs/"):
        done = worldstate("report", "runs", argument, "--json", env=s3.env(), cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        report = json.loads(done.stdout)
        rows = report["runs"]  # in time order: run 2 was exported first
        assert [row["manifest"] for row in rows] == expected[::-1], argument
        assert [row["runId"] for row in rows] == ["2", "1"]
        assert report["totals"]["runs"] == 2
    done = worldstate(
        "report",
        "fallback",
        f"s3://{BUCKET}/runs/**/ci-artifacts.json",
        "--json",
        env=s3.env(),
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["metadataPaths"] == expected


def test_an_unreadable_url_manifest_is_named(s3: S3, tmp_path: Path) -> None:
    """A URL that matches nothing stays as it is and is reported unreadable, by URL."""
    missing = f"s3://{BUCKET}/nothing/ci-artifacts.json"
    done = worldstate("report", "runs", missing, "--strict", env=s3.env(), cwd=tmp_path)
    assert done.returncode == 2, done.stdout
    assert missing in done.stderr
