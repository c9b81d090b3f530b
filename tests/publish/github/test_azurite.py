"""Real block-blob semantics: the artifact service hands out Azurite SAS URLs (write-only)."""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Iterator
from pathlib import Path
from random import Random

import httpx
import pytest

from worldstate.publish.github import ArtifactClient
from worldstate.publish.github.testing import Azurite, AzuriteStore, ResultsServer, runtime_env

from .conftest import Sleeps, write_tree


@pytest.fixture(name="store")
def _store(azurite: Azurite) -> Iterator[AzuriteStore]:
    with httpx.Client() as http:
        yield AzuriteStore(azurite.blob_endpoint, container="artifacts", http=http)


@pytest.fixture(name="service")
def _service(store: AzuriteStore) -> Iterator[ResultsServer]:
    with ResultsServer(store) as server:
        yield server


def upload(service: ResultsServer, root: Path, name: str, sleeps: Sleeps, **kw: object) -> str:
    with ArtifactClient(runtime_env(service.url), sleep=sleeps, mask=lambda _: None) as client:
        return client.upload(name, [root], root=root, **kw).digest  # type: ignore[arg-type]


class TestAzurite:
    def test_downloaded_blob_is_exactly_what_was_sent(
        self, tmp_path: Path, service: ResultsServer, store: AzuriteStore, sleeps: Sleeps
    ) -> None:
        """Three blocks committed by Azurite: same SHA-256, same files, zip content type."""
        big = Random(3).randbytes(18 * 1024 * 1024)
        files = {"telemetry/summary.json": b'{"a": 1}\n', "telemetry/big.bin": big, "x.md": b"#\n"}
        root = write_tree(tmp_path / "src", files)
        digest = upload(service, root, "run-artifact", sleeps, compression_level=1)
        blob = store.read("1", "run-artifact")
        assert blob is not None
        assert digest == f"sha256:{hashlib.sha256(blob).hexdigest()}"
        with zipfile.ZipFile(io.BytesIO(blob)) as archive:
            assert {name: archive.read(name) for name in archive.namelist()} == files
        assert store.content_type("1", "run-artifact") == "application/zip"
        assert service.artifacts[("1", "run-artifact")].finalized
        assert sleeps == []

    def test_the_handed_out_url_is_write_only(
        self, tmp_path: Path, service: ResultsServer, store: AzuriteStore, sleeps: Sleeps
    ) -> None:
        """Reading the blob back through the upload SAS is refused by Azurite (403)."""
        upload(service, write_tree(tmp_path, {"a.txt": b"a"}), "w", sleeps)
        signed = store.signed_url("1", "w", host="")
        with httpx.Client() as http:
            assert http.get(signed).status_code == 403

    def test_an_empty_file_and_an_empty_folder(
        self, tmp_path: Path, service: ResultsServer, store: AzuriteStore, sleeps: Sleeps
    ) -> None:
        """Zero-byte content still makes a valid one-block blob."""
        root = write_tree(tmp_path / "src", {"empty.txt": b""})
        (root / "nothing").mkdir()
        upload(service, root, "empty", sleeps)
        with zipfile.ZipFile(io.BytesIO(store.read("1", "empty") or b"")) as archive:
            assert sorted(archive.namelist()) == ["empty.txt", "nothing/"]
