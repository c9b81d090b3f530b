"""``worldstate artifact upload|list|delete`` against the in-process artifact service."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from worldstate.cli import cli
from worldstate.cli._artifact import common_root
from worldstate.publish.github.testing import ResultsServer, runtime_env

from .conftest import write_tree

# The variables a developer's own shell may have that would change what the CLI sees.
CLEARED = {
    "ACTIONS_RUNTIME_TOKEN": None,
    "ACTIONS_RESULTS_URL": None,
    "GITHUB_RETENTION_DAYS": None,
}


def run(args: list[str], env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(cli, args, env={**CLEARED, **(env or {})})


class TestUploadCommand:
    def test_uploads_and_prints_the_artifact(self, tmp_path: Path, server: ResultsServer) -> None:
        """Exit 0, the id and digest printed, the zip holds the files relative to the root."""
        root = write_tree(tmp_path, {"r/a.txt": b"a", "r/sub/b.txt": b"b"}) / "r"
        result = run(["artifact", "upload", "logs", str(root)], runtime_env(server.url))
        assert result.exit_code == 0, result.output
        stored = server.artifacts[("1", "logs")]
        assert f"id {stored.id}, 2 file(s)" in result.output
        assert stored.digest is not None and stored.digest in result.output
        names = zipfile.ZipFile(io.BytesIO(server.blob("logs") or b"")).namelist()
        assert sorted(names) == ["a.txt", "sub/b.txt"]

    def test_json_output(self, tmp_path: Path, server: ResultsServer) -> None:
        """--json prints one object with id, size, digest, url and the file count."""
        root = write_tree(tmp_path, {"a.txt": b"a"})
        env = runtime_env(
            server.url,
            extra={
                "GITHUB_SERVER_URL": "https://github.com",
                "GITHUB_REPOSITORY": "o/r",
                "GITHUB_RUN_ID": "3",
            },
        )
        result = run(
            [
                "artifact",
                "upload",
                "x",
                str(root / "a.txt"),
                "--retention-days",
                "5",
                "--compression-level",
                "0",
                "--json",
            ],
            env,
        )
        assert result.exit_code == 0, result.output
        line = next(text for text in result.output.splitlines() if text.startswith("{"))
        shown = json.loads(line)
        stored = server.artifacts[("1", "x")]
        assert shown == {
            "id": str(stored.id),
            "name": "x",
            "size": stored.size,
            "digest": stored.digest,
            "files": 1,
            "retentionDays": 5,
            "url": f"https://github.com/o/r/actions/runs/3/artifacts/{stored.id}",
        }

    def test_masks_the_signature_with_a_workflow_command(
        self, tmp_path: Path, server: ResultsServer
    ) -> None:
        """The SAS sig is announced with ::add-mask:: before it is used."""
        root = write_tree(tmp_path, {"a.txt": b"a"})
        result = run(["artifact", "upload", "x", str(root)], runtime_env(server.url))
        assert "::add-mask::" in result.output

    def test_outside_actions_exit_2_naming_the_variables(self, tmp_path: Path) -> None:
        """No runtime variables: exit 2, both named."""
        root = write_tree(tmp_path, {"a.txt": b"a"})
        result = run(["artifact", "upload", "x", str(root)])
        assert result.exit_code == 2
        assert "ACTIONS_RUNTIME_TOKEN, ACTIONS_RESULTS_URL are not set" in result.output

    @pytest.mark.parametrize(
        ("args", "message"),
        [
            (["a/b", "{root}"], "artifact name 'a/b' contains '/'"),
            (["x", "{root}/../elsewhere.txt", "--root", "{root}"], "outside the root"),
            (["x", "{root}", "--retention-days", "91"], "91 is not in the range 1<=x<=90"),
            (["x", "{root}", "--compression-level", "10"], "10 is not in the range 0<=x<=9"),
        ],
    )
    def test_bad_input_exit_2_and_nothing_sent(
        self, tmp_path: Path, server: ResultsServer, args: list[str], message: str
    ) -> None:
        """Hostile names, escaping paths and out-of-range options: exit 2, no request."""
        root = write_tree(tmp_path / "r", {"a.txt": b"a"})
        (tmp_path / "elsewhere.txt").write_bytes(b"e")
        argv = ["artifact", "upload", *(arg.format(root=root) for arg in args)]
        result = run(argv, runtime_env(server.url))
        assert result.exit_code == 2, result.output
        assert message in result.output
        assert "Traceback" not in result.output
        assert server.calls == []

    def test_duplicate_exit_1_with_the_fix_then_overwrite_works(
        self, tmp_path: Path, server: ResultsServer
    ) -> None:
        """A second upload of a name fails (exit 1, says --overwrite); with it, it succeeds."""
        root = write_tree(tmp_path, {"a.txt": b"a"})
        env = runtime_env(server.url)
        assert run(["artifact", "upload", "x", str(root)], env).exit_code == 0
        second = run(["artifact", "upload", "x", str(root)], env)
        assert second.exit_code == 1
        assert "'x' already exists" in second.output and "--overwrite" in second.output
        third = run(["artifact", "upload", "x", str(root), "--overwrite"], env)
        assert third.exit_code == 0, third.output


class TestListAndDelete:
    def test_list_json_and_delete(self, tmp_path: Path, server: ResultsServer) -> None:
        """list --json shows what was uploaded; delete removes it."""
        root = write_tree(tmp_path, {"a.txt": b"a"})
        env = runtime_env(server.url)
        run(["artifact", "upload", "one", str(root)], env)
        run(["artifact", "upload", "two", str(root)], env)
        listed = json.loads(run(["artifact", "list", "--json"], env).output)
        assert [item["name"] for item in listed] == ["one", "two"]
        assert all(item["digest"].startswith("sha256:") for item in listed)
        deleted = run(["artifact", "delete", "one"], env)
        assert deleted.exit_code == 0
        assert [
            item["name"] for item in json.loads(run(["artifact", "list", "--json"], env).output)
        ] == ["two"]
        assert run(["artifact", "delete", "one"], env).exit_code == 1

    def test_list_table(self, tmp_path: Path, server: ResultsServer) -> None:
        """Without --json: a table, or a sentence when there is nothing."""
        env = runtime_env(server.url)
        assert "No artifacts" in run(["artifact", "list"], env).output
        run(["artifact", "upload", "one", str(write_tree(tmp_path, {"a.txt": b"a"}))], env)
        assert "one" in run(["artifact", "list"], env).output


class TestCommonRoot:
    def test_deepest_common_folder(self, tmp_path: Path) -> None:
        """Files give their folder, folders themselves; the deepest common one wins."""
        write_tree(tmp_path, {"a/b/c.txt": b"", "a/d/e.txt": b""})
        assert common_root([tmp_path / "a/b/c.txt", tmp_path / "a/d"]) == tmp_path / "a"
        assert common_root([tmp_path / "a/b"]) == tmp_path / "a/b"
