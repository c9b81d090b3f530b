"""The githubActionsApi provider: records for the publisher, never an exception."""

from __future__ import annotations

from pathlib import Path

from worldstate.publish import UploadContext, Uploader, UploadStatus
from worldstate.publish.github import COMMAND_LABEL, PROVIDER, github_uploader
from worldstate.publish.github.testing import ResultsServer, runtime_env

from .conftest import Sleeps, write_tree

NOW_MS = 1_767_225_600_000


def context(tmp_path: Path, **kw: object) -> UploadContext:
    return UploadContext(manifest_path=tmp_path / "ci-artifacts.json", prefix="qa", **kw)  # type: ignore[arg-type]


def uploader(env: dict[str, str], sleeps: Sleeps) -> Uploader:
    return github_uploader(env, clock=lambda: NOW_MS, sleep=sleeps, mask=lambda _: None)


class TestProvider:
    def test_is_an_uploader_with_the_provider_id(self, sleeps: Sleeps) -> None:
        """The factory returns an Uploader whose provider id is githubActionsApi."""
        made = uploader({}, sleeps)
        assert isinstance(made, Uploader)
        assert made.provider == PROVIDER == "githubActionsApi"

    def test_uploaded_record_carries_the_artifact(
        self, tmp_path: Path, server: ResultsServer, sleeps: Sleeps
    ) -> None:
        """An upload answers 'uploaded' with id, URL, size, digest and the files."""
        root = write_tree(tmp_path / "out", {"qa-summary.json": b"{}\n", "qa-x.csv": b"a\n"})
        files = sorted(root.iterdir())
        env = runtime_env(
            server.url,
            extra={
                "GITHUB_SERVER_URL": "https://github.com",
                "GITHUB_REPOSITORY": "o/r",
                "GITHUB_RUN_ID": "9",
            },
        )
        result = uploader(env, sleeps).upload(
            files, root=root, name="qa", context=context(tmp_path)
        )
        stored = server.artifacts[("1", "qa")]
        assert result.status is UploadStatus.UPLOADED and result.ok
        assert result.provider == PROVIDER
        assert result.command == COMMAND_LABEL
        assert result.exit_code == 0
        assert result.attempted_at == "2026-01-01T00:00:00.000Z"
        assert result.artifact_name == "qa"
        assert result.artifact_dir == str(root)
        assert result.files == tuple(str(path) for path in files)
        assert result.artifact_id == str(stored.id)
        assert result.artifact_url == f"https://github.com/o/r/actions/runs/9/artifacts/{stored.id}"
        assert result.size == stored.size
        assert result.digest == stored.digest
        assert result.duration_ms is not None and result.duration_ms >= 0

    def test_context_env_and_retention_are_used(
        self, tmp_path: Path, server: ResultsServer, sleeps: Sleeps
    ) -> None:
        """The job's environment may come with the context; retention becomes an expiry."""
        root = write_tree(tmp_path / "out", {"a.json": b"{}"})
        ctx = context(tmp_path, env=runtime_env(server.url), retention_days=2)
        result = uploader({}, sleeps).upload([root / "a.json"], root=root, name="qa", context=ctx)
        assert result.status is UploadStatus.UPLOADED
        create = server.calls_to("CreateArtifact")[0].body or {}
        assert create["expires_at"] == "2026-01-03T00:00:00.000Z"

    def test_outside_actions_it_skips_with_environment_unavailable(
        self, tmp_path: Path, sleeps: Sleeps
    ) -> None:
        """No runtime variables: skipped, reason environment_unavailable, exit code 0."""
        root = write_tree(tmp_path / "out", {"a.json": b"{}"})
        result = uploader({"CI": "true"}, sleeps).upload(
            [root / "a.json"], root=root, name="qa", context=context(tmp_path, is_fallback=True)
        )
        assert result.status is UploadStatus.SKIPPED
        assert result.skipped_reason == "environment_unavailable"
        assert result.exit_code == 0
        assert result.is_fallback

    def test_no_files_skips_with_no_artifacts(
        self, tmp_path: Path, server: ResultsServer, sleeps: Sleeps
    ) -> None:
        """An empty file list is skipped before any request."""
        result = uploader(runtime_env(server.url), sleeps).upload(
            [], root=tmp_path, name="qa", context=context(tmp_path)
        )
        assert result.skipped_reason == "no_artifacts"
        assert server.calls == []

    def test_a_conflict_is_a_failed_record_with_the_message(
        self, tmp_path: Path, server: ResultsServer, sleeps: Sleeps
    ) -> None:
        """A second upload of one name fails as a value: exit code 1, message, error code."""
        root = write_tree(tmp_path / "out", {"a.json": b"{}"})
        made = uploader(runtime_env(server.url), sleeps)
        made.upload([root / "a.json"], root=root, name="qa", context=context(tmp_path))
        result = made.upload([root / "a.json"], root=root, name="qa", context=context(tmp_path))
        assert result.status is UploadStatus.FAILED
        assert result.exit_code == 1
        assert result.error_message is not None and "already exists" in result.error_message
        assert result.artifact_name == "qa"

    def test_bad_input_is_a_failed_record_too(
        self, tmp_path: Path, server: ResultsServer, sleeps: Sleeps
    ) -> None:
        """A hostile artifact name never raises out of the provider."""
        root = write_tree(tmp_path / "out", {"a.json": b"{}"})
        result = uploader(runtime_env(server.url), sleeps).upload(
            [root / "a.json"], root=root, name="../../x", context=context(tmp_path)
        )
        assert result.status is UploadStatus.FAILED
        assert result.error_code == "ArtifactInputError"
        assert server.calls == []
