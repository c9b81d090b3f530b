"""Checks made before any request: runtime variables, token, names, paths, limits."""

from __future__ import annotations

from pathlib import Path

import pytest

from worldstate.publish.github import (
    MAX_FILES,
    ActionsRuntime,
    ArtifactClient,
    ArtifactInputError,
    RuntimeEnvironmentError,
    backend_ids_from_token,
    check_artifact_name,
)
from worldstate.publish.github.testing import ResultsServer, runtime_env, runtime_token

from .conftest import ClientFactory, write_tree


class TestRuntime:
    def test_integer_ids_from_act_and_uuids_from_github_both_work(self) -> None:
        """The scp claim's Actions.Results scope gives the run and job backend ids."""
        assert backend_ids_from_token(runtime_token("42", "7")) == ("42", "7")
        run, job = "f2bbc5a0-66c3-4a1c-9c77-0d3a2f9a1b10", "0c8f2e7e-1a2b-4c3d-8e9f-a0b1c2d3e4f5"
        token = runtime_token(run, job, scopes=f"Actions.GenericRead:x Actions.Results:{run}:{job}")
        assert backend_ids_from_token(token) == (run, job)

    @pytest.mark.parametrize(
        ("token", "problem"),
        [
            ("not-a-jwt", "not a JWT"),
            ("a.!!!.c", "not base64 JSON"),
            (runtime_token("1", "1", scopes="Actions.GenericRead:x"), "no Actions.Results scope"),
            (runtime_token("1", "1", scopes="Actions.Results:1"), "does not have the form"),
        ],
    )
    def test_unusable_tokens_are_refused_with_the_reason(self, token: str, problem: str) -> None:
        """Each way a token can lack backend ids gets its own message."""
        with pytest.raises(RuntimeEnvironmentError, match=problem):
            backend_ids_from_token(token)

    def test_missing_variables_are_named_with_how_a_workflow_provides_them(self) -> None:
        """Outside a job: both variables named, and the way to expose them to a run step."""
        with pytest.raises(RuntimeEnvironmentError) as caught:
            ActionsRuntime.from_env({"GITHUB_ACTIONS": "true"})
        message = str(caught.value)
        assert "ACTIONS_RUNTIME_TOKEN, ACTIONS_RESULTS_URL are not set" in message
        assert "GITHUB_ENV" in message

    @pytest.mark.parametrize("value", ["soon", "-5", "0", "nan"])
    def test_a_bad_stall_timeout_is_refused(self, value: str) -> None:
        """ACTIONS_ARTIFACT_UPLOAD_TIMEOUT_MS must be a positive number."""
        env = runtime_env(
            "http://127.0.0.1:1/", extra={"ACTIONS_ARTIFACT_UPLOAD_TIMEOUT_MS": value}
        )
        with pytest.raises(RuntimeEnvironmentError, match="ACTIONS_ARTIFACT_UPLOAD_TIMEOUT_MS"):
            ActionsRuntime.from_env(env)

    def test_results_url_must_be_http(self) -> None:
        """A results URL without a scheme is refused, naming it."""
        with pytest.raises(RuntimeEnvironmentError, match=r"'results\.example'"):
            ActionsRuntime.from_env(runtime_env("results.example"))


class TestNames:
    @pytest.mark.parametrize(
        "name", ['a"b', "a:b", "a<b", "a>b", "a|b", "a*b", "a?b", "a\rb", "a\nb", "a\\b", "a/b", ""]
    )
    def test_forbidden_artifact_names(self, name: str) -> None:
        """Names with NTFS-hostile characters, slashes or nothing at all are refused."""
        with pytest.raises(ArtifactInputError):
            check_artifact_name(name)

    def test_ordinary_names_pass(self) -> None:
        """Dots, spaces, dashes and non-ASCII letters are fine."""
        assert check_artifact_name("qa-export 2026.12 ñ") == "qa-export 2026.12 ñ"


class TestRefusedBeforeAnyRequest:
    @pytest.fixture(name="client")
    def _client(self, make_client: ClientFactory) -> ArtifactClient:
        return make_client()

    def refused(
        self, client: ArtifactClient, server: ResultsServer, match: str, **kw: object
    ) -> None:
        with pytest.raises(ArtifactInputError, match=match):
            client.upload(**kw)  # type: ignore[arg-type]
        assert server.calls == []

    def test_file_outside_the_root(
        self, tmp_path: Path, client: ArtifactClient, server: ResultsServer
    ) -> None:
        """A file that is not under --root is refused, naming both."""
        write_tree(tmp_path, {"in/a.txt": b"a", "out/b.txt": b"b"})
        self.refused(
            client,
            server,
            "outside the root folder",
            name="n",
            files=[tmp_path / "out/b.txt"],
            root=tmp_path / "in",
        )

    def test_dotdot_escape_is_outside_the_root(
        self, tmp_path: Path, client: ArtifactClient, server: ResultsServer
    ) -> None:
        """in/../out/b.txt is normalised before the check."""
        write_tree(tmp_path, {"in/a.txt": b"a", "out/b.txt": b"b"})
        self.refused(
            client,
            server,
            "outside the root folder",
            name="n",
            files=[tmp_path / "in" / ".." / "out" / "b.txt"],
            root=tmp_path / "in",
        )

    @pytest.mark.parametrize("bad", ['q"uote.txt', "co:lon.txt", "st*r.txt", "new\nline.txt"])
    def test_forbidden_characters_in_paths(
        self, tmp_path: Path, client: ArtifactClient, server: ResultsServer, bad: str
    ) -> None:
        """A file whose path inside the zip has a forbidden character is refused."""
        write_tree(tmp_path, {f"dir/{bad}": b"x"})
        self.refused(client, server, "may not contain", name="n", files=[tmp_path], root=tmp_path)

    def test_named_hidden_file_needs_include_hidden(
        self, tmp_path: Path, client: ArtifactClient, server: ResultsServer
    ) -> None:
        """A dotfile named explicitly is refused unless hidden files are asked for."""
        write_tree(tmp_path, {".env": b"SECRET=1"})
        self.refused(
            client, server, "--include-hidden", name="n", files=[tmp_path / ".env"], root=tmp_path
        )

    def test_too_many_files(
        self, tmp_path: Path, client: ArtifactClient, server: ResultsServer
    ) -> None:
        """501 files is one more than an artifact may hold."""
        write_tree(tmp_path, {f"f{i:03d}.txt": b"" for i in range(MAX_FILES + 1)})
        self.refused(client, server, "501 files", name="n", files=[tmp_path], root=tmp_path)

    def test_missing_file(
        self, tmp_path: Path, client: ArtifactClient, server: ResultsServer
    ) -> None:
        """A path that does not exist is named."""
        self.refused(
            client, server, "does not exist", name="n", files=[tmp_path / "gone.txt"], root=tmp_path
        )

    def test_bad_retention_and_level(
        self, tmp_path: Path, client: ArtifactClient, server: ResultsServer
    ) -> None:
        """Retention 91 days and compression level 10 are refused."""
        write_tree(tmp_path, {"a.txt": b"a"})
        self.refused(
            client,
            server,
            "between 1 and 90",
            name="n",
            files=[tmp_path],
            root=tmp_path,
            retention_days=91,
        )
        self.refused(
            client, server, "0-9", name="n", files=[tmp_path], root=tmp_path, compression_level=10
        )

    def test_unreadable_file_is_named(
        self, tmp_path: Path, client: ArtifactClient, server: ResultsServer
    ) -> None:
        """A file that cannot be read (a dangling link) stops the upload before Create."""
        write_tree(tmp_path, {"a.txt": b"a"})
        (tmp_path / "broken.txt").symlink_to(tmp_path / "nowhere")
        self.refused(
            client, server, "cannot read.*broken.txt", name="n", files=[tmp_path], root=tmp_path
        )


class TestHiddenFiles:
    def test_folders_leave_hidden_entries_out_unless_asked(
        self, tmp_path: Path, make_client: ClientFactory, server: ResultsServer
    ) -> None:
        """.git and .env inside a folder are skipped; with include_hidden they are kept."""
        import io
        import zipfile

        root = write_tree(
            tmp_path, {"a.txt": b"a", ".env": b"x", ".git/config": b"c", "d/.h": b"h"}
        )
        client = make_client()
        client.upload("plain", [root], root=root)
        client.upload("all", [root], root=root, include_hidden=True)
        names = {
            name: sorted(zipfile.ZipFile(io.BytesIO(server.blob(name) or b"")).namelist())
            for name in ("plain", "all")
        }
        assert names["plain"] == ["a.txt", "d/"]
        assert names["all"] == [".env", ".git/config", "a.txt", "d/.h"]
