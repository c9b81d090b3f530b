"""The ``storage`` upload provider copies a finished export folder to object storage."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from tests.storage.conftest import BUCKET, S3

from worldstate.clock import ManualClock
from worldstate.errors import ConfigurationError
from worldstate.publish import StorageUploader, UploadContext, Uploader, UploadStatus

NOW = 1761843600000  # 2025-10-30T17:00:00Z


def exported_folder(tmp_path: Path) -> Path:
    out = tmp_path / "export"
    subprocess.run(
        [sys.executable, "-m", "worldstate", "export", "--demo", "--out", str(out), "-q"],
        check=True,
        stdin=subprocess.DEVNULL,
    )
    return out


def test_copy_equals_the_local_folder(s3: S3, tmp_path: Path) -> None:
    """Every file lands below the templated URL with the same bytes; the manifest goes last."""
    root = exported_folder(tmp_path)
    files = sorted(root.iterdir())
    uploader = StorageUploader(
        f"s3://{BUCKET}/{{date}}/{{runId}}/{{prefix}}",
        storage_options=s3.options(),
        clock=ManualClock(NOW),
    )
    assert isinstance(uploader, Uploader)
    context = UploadContext(
        manifest_path=root / "ci-artifacts.json", prefix="save-inspector", run_id="42"
    )
    result = uploader.upload(files, root=root, name="telemetry", context=context)
    assert result.status is UploadStatus.UPLOADED, result.error_message
    assert result.provider == "storage"
    base = "2025-10-30/42/save-inspector"
    assert result.artifact_url == f"s3://{BUCKET}/{base}"
    assert s3.keys(base) == sorted(f"{base}/{f.name}" for f in files)
    for file in files:
        assert s3.get(f"{base}/{file.name}") == file.read_bytes()
    assert result.files[-1].endswith("/ci-artifacts.json")
    assert result.size == sum(f.stat().st_size for f in files)


def test_missing_bucket_is_a_failed_result(s3: S3, tmp_path: Path) -> None:
    """Nothing can be copied: a failed result naming the bucket, no exception."""
    root = exported_folder(tmp_path)
    uploader = StorageUploader("s3://absent/{runId}", storage_options=s3.options())
    context = UploadContext(manifest_path=root / "ci-artifacts.json", prefix="p")
    result = uploader.upload(sorted(root.iterdir()), root=root, name="t", context=context)
    assert result.status is UploadStatus.FAILED
    assert result.error_message is not None and "bucket 'absent'" in result.error_message
    assert result.artifact_url == "s3://absent/local"


def test_unknown_placeholder_is_a_configuration_error() -> None:
    """A typo in the template is refused before anything runs."""
    with pytest.raises(ConfigurationError, match="runid"):
        StorageUploader("s3://b/{runid}")
