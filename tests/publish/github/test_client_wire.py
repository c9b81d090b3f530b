"""What the client sends and accepts, checked against the in-process artifact service."""

from __future__ import annotations

import io
import logging
import re
import zipfile
from pathlib import Path

import pytest

from worldstate.publish.github import (
    BLOCK_SIZE,
    ArtifactClient,
    ArtifactConflictError,
    ArtifactNotFoundError,
)
from worldstate.publish.github.testing import MemoryBlockStore, ResultsServer, runtime_env

from .conftest import ClientFactory, Sleeps, write_tree

RUN_URL_ENV = {
    "GITHUB_SERVER_URL": "https://github.com/",
    "GITHUB_REPOSITORY": "owner/repo",
    "GITHUB_RUN_ID": "77",
}


def unzip(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


class TestUpload:
    def test_uploads_a_folder_as_a_zip_of_paths_relative_to_the_root(
        self, tmp_path: Path, server: ResultsServer, make_client: ClientFactory
    ) -> None:
        """The committed blob is a zip of the folder's files, named relative to the root."""
        root = write_tree(tmp_path, {"a.txt": b"alpha\n", "sub/b.csv": b"x,y\n1,2\n"})
        uploaded = make_client(**RUN_URL_ENV).upload("telemetry", [root], root=root)
        blob = server.blob("telemetry")
        assert blob is not None
        assert unzip(blob) == {"a.txt": b"alpha\n", "sub/b.csv": b"x,y\n1,2\n"}
        assert uploaded.size == len(blob)
        assert uploaded.files == 2
        assert uploaded.id == str(server.artifacts[("1", "telemetry")].id)
        assert uploaded.url == (
            f"https://github.com/owner/repo/actions/runs/77/artifacts/{uploaded.id}"
        )

    @pytest.mark.parametrize("style", ["snake", "camel"])
    def test_accepts_snake_case_and_camel_case_answers(
        self, tmp_path: Path, style: str, sleeps: Sleeps
    ) -> None:
        """Answers keyed either way decode the same; int64 ids above 2**53 stay exact."""
        root = write_tree(tmp_path, {"a.txt": b"a"})
        with ResultsServer(style=style) as server:  # type: ignore[arg-type]
            with ArtifactClient(runtime_env(server.url), sleep=sleeps, mask=lambda _: None) as c:
                uploaded = c.upload("n", [root], root=root)
                listed = c.list()
            assert uploaded.id == str(server.artifacts[("1", "n")].id)
            assert int(uploaded.id) > 2**53
            assert [item.id for item in listed] == [uploaded.id]
            assert listed[0].digest == uploaded.digest
        assert sleeps == []

    def test_requests_use_proto_names_omit_defaults_and_send_no_mime_type(
        self, tmp_path: Path, server: ResultsServer, make_client: ClientFactory
    ) -> None:
        """Create carries version 4 and no mime_type; Finalize the size as a string and the hash."""
        root = write_tree(tmp_path, {"a.txt": b"a"})
        uploaded = make_client().upload("n", [root], root=root)
        create = server.calls_to("CreateArtifact")[0]
        assert create.body == {
            "workflow_run_backend_id": "1",
            "workflow_job_run_backend_id": "1",
            "name": "n",
            "version": 4,
        }
        finalize = server.calls_to("FinalizeArtifact")[0]
        assert finalize.body == {
            "workflow_run_backend_id": "1",
            "workflow_job_run_backend_id": "1",
            "name": "n",
            "size": str(uploaded.size),
            "hash": uploaded.digest,
        }
        headers = {key.lower(): value for key, value in create.headers.items()}
        assert headers["content-type"] == "application/json"
        assert headers["authorization"].startswith("Bearer eyJ")
        assert headers["user-agent"].startswith("worldstate")

    def test_retention_becomes_an_rfc3339_expiry_clamped_to_the_repository_cap(
        self, tmp_path: Path, server: ResultsServer, sleeps: Sleeps
    ) -> None:
        """30 days under a 10-day cap requests now + 10 days, as RFC 3339 UTC text."""
        root = write_tree(tmp_path, {"a.txt": b"a"})
        now = 1_767_225_600_000  # 2026-01-01T00:00:00Z
        env = runtime_env(server.url, extra={"GITHUB_RETENTION_DAYS": "10"})
        with ArtifactClient(env, sleep=sleeps, clock=lambda: now, mask=lambda _: None) as c:
            uploaded = c.upload("n", [root], root=root, retention_days=30)
        assert uploaded.retention_days == 10
        expires = server.calls_to("CreateArtifact")[0].body["expires_at"]  # type: ignore[index]
        assert expires == "2026-01-11T00:00:00.000Z"
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?Z", expires)

    def test_retention_cap_zero_means_no_cap(
        self, tmp_path: Path, server: ResultsServer, make_client: ClientFactory
    ) -> None:
        """act sets GITHUB_RETENTION_DAYS=0: the requested retention is kept."""
        root = write_tree(tmp_path, {"a.txt": b"a"})
        uploaded = make_client(GITHUB_RETENTION_DAYS="0").upload(
            "n", [root], root=root, retention_days=90
        )
        assert uploaded.retention_days == 90

    def test_only_the_origin_of_the_results_url_is_used(
        self, tmp_path: Path, server: ResultsServer, sleeps: Sleeps
    ) -> None:
        """A path on ACTIONS_RESULTS_URL is dropped, as the official client drops it."""
        root = write_tree(tmp_path, {"a.txt": b"a"})
        env = runtime_env(server.url + "some/base/path/")
        with ArtifactClient(env, sleep=sleeps, mask=lambda _: None) as client:
            client.upload("n", [root], root=root)
        assert [call.method for call in server.calls if call.method != "blob"] == [
            "CreateArtifact",
            "FinalizeArtifact",
        ]


class TestBlockBlob:
    def test_large_zip_goes_up_in_equal_length_blocks_of_at_most_8_mib(
        self, tmp_path: Path, server: ResultsServer, make_client: ClientFactory
    ) -> None:
        """20 MiB stored: three Put Block calls, then one Put Block List with the zip type."""
        data = bytes(range(256)) * (20 * 4096)
        root = write_tree(tmp_path, {"big.bin": data})
        make_client().upload("big", [root], root=root, compression_level=0)
        store = server.store
        assert isinstance(store, MemoryBlockStore)
        blocks = [request for request in store.requests if request.comp == "block"]
        assert len(blocks) == 3
        assert all(request.length <= BLOCK_SIZE for request in blocks)
        assert len({len(request.block_id or "") for request in blocks}) == 1
        assert [request.comp for request in store.requests][-1] == "blocklist"
        assert store.requests[-1].content_type == "application/zip"
        assert all(request.comp is not None for request in store.requests)  # never Put Blob
        assert unzip(server.blob("big") or b"") == {"big.bin": data}

    def test_signed_query_is_sent_byte_for_byte_and_its_sig_is_masked(
        self,
        tmp_path: Path,
        server: ResultsServer,
        make_client: ClientFactory,
        masked: list[str],
        caplog: pytest.LogCaptureFixture,
    ) -> None:
        """The encoded sig reaches storage unchanged; both spellings are masked, never logged."""
        root = write_tree(tmp_path, {"a.txt": b"a"})
        with caplog.at_level(logging.DEBUG):
            make_client().upload("n", [root], root=root)
        signature = MemoryBlockStore.signature
        assert "%3D" in signature  # padded base64, URL-encoded
        assert masked == [
            signature,
            signature.replace("%2B", "+").replace("%2F", "/").replace("%3D", "="),
        ]
        store = server.store
        assert isinstance(store, MemoryBlockStore)
        assert all(f"sig={signature}" in request.query for request in store.requests)
        assert signature not in caplog.text
        assert masked[1] not in caplog.text


class TestNamesAndConflicts:
    def test_second_upload_of_a_name_fails_naming_the_artifact_and_the_fix(
        self, tmp_path: Path, make_client: ClientFactory
    ) -> None:
        """HTTP 409 becomes ArtifactConflictError, which says to pass --overwrite."""
        root = write_tree(tmp_path, {"a.txt": b"a"})
        client = make_client()
        client.upload("telemetry", [root], root=root)
        with pytest.raises(ArtifactConflictError, match=r"'telemetry' already exists.*--overwrite"):
            client.upload("telemetry", [root], root=root)

    def test_overwrite_deletes_the_old_artifact_first(
        self, tmp_path: Path, server: ResultsServer, make_client: ClientFactory
    ) -> None:
        """List + Delete, then a fresh artifact with the new content."""
        root = write_tree(tmp_path, {"a.txt": b"old"})
        client = make_client()
        first = client.upload("telemetry", [root], root=root)
        (root / "a.txt").write_bytes(b"new")
        second = client.upload("telemetry", [root], root=root, overwrite=True)
        assert second.id != first.id
        assert unzip(server.blob("telemetry") or b"") == {"a.txt": b"new"}
        assert [item.id for item in client.list()] == [second.id]
        assert len(server.calls_to("DeleteArtifact")) == 1

    def test_delete_of_a_missing_artifact_names_it(self, make_client: ClientFactory) -> None:
        """404 from DeleteArtifact becomes ArtifactNotFoundError."""
        with pytest.raises(ArtifactNotFoundError, match="'nope'"):
            make_client().delete("nope")
