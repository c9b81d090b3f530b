"""FileSystemWriter beyond the shared contract: atomic replacement and I/O failures as values."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from worldstate.artifacts import Artifact
from worldstate.writers import FileSystemWriter, WriteStatus
from worldstate.writers._filesystem import remove_stale_temp_files


def artifact(filename: str, content: str = "x\n") -> Artifact:
    return Artifact(type="json", section=None, filename=filename, mime_type="x", content=content)


class TestFileSystemWriter:
    def test_location_is_the_absolute_final_path(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """The result's location is the absolute path of the written file."""
        monkeypatch.chdir(tmp_path)
        writer = FileSystemWriter("relative-root")
        result = writer.write(artifact("a.json"), folder="sub")
        assert result.location == str(tmp_path / "relative-root" / "sub" / "a.json")
        assert Path(result.location).read_text(encoding="utf-8") == "x\n"

    def test_root_under_a_regular_file_fails_as_a_value(self, tmp_path: Path) -> None:
        """An OSError (here: a folder below a regular file) comes back as a failed result."""
        blocker = tmp_path / "blocker"
        blocker.write_text("i am a file")
        writer = FileSystemWriter(blocker / "out")
        result = writer.write(artifact("a.json"))
        assert result.status is WriteStatus.FAILED
        assert result.size == 0 and result.location is None
        assert result.error is not None
        assert result.error.startswith(("NotADirectoryError", "FileExistsError"))
        assert blocker.read_text() == "i am a file"

    def test_failed_rename_keeps_the_target_and_removes_the_temp_file(self, tmp_path: Path) -> None:
        """When the final rename fails the old target is untouched and no temp file is left."""
        (tmp_path / "taken.json").mkdir()
        (tmp_path / "taken.json" / "inside").write_text("keep")
        writer = FileSystemWriter(tmp_path)
        result = writer.write(artifact("taken.json"))
        assert not result.ok
        assert result.error is not None and "taken.json" in result.error
        assert sorted(p.name for p in tmp_path.iterdir()) == ["taken.json"]
        assert (tmp_path / "taken.json" / "inside").read_text() == "keep"

    def test_replacing_a_file_never_exposes_a_partial_one(self, tmp_path: Path) -> None:
        """The target inode changes on every write: content is never rewritten in place."""
        writer = FileSystemWriter(tmp_path)
        writer.write(artifact("a.json", "first\n"))
        first = (tmp_path / "a.json").stat().st_ino
        handle = (tmp_path / "a.json").open("rb")
        writer.write(artifact("a.json", "second, longer\n"))
        assert handle.read() == b"first\n"  # a reader of the old file still sees it whole
        handle.close()
        assert (tmp_path / "a.json").stat().st_ino != first
        assert (tmp_path / "a.json").read_bytes() == b"second, longer\n"

    def test_durable_mode_writes_the_same_bytes(self, tmp_path: Path) -> None:
        """Durable mode changes only how the bytes are flushed, not what is written."""
        plain = FileSystemWriter(tmp_path / "plain").write(artifact("a.md", "| a |\n\n"))
        durable = FileSystemWriter(tmp_path / "durable", durable=True).write(
            artifact("a.md", "| a |\n\n")
        )
        assert plain.size == durable.size == 6
        assert (tmp_path / "plain" / "a.md").read_bytes() == (
            tmp_path / "durable" / "a.md"
        ).read_bytes()


def dead_pid() -> int:
    """The pid of a process that has exited (a real child, reaped)."""
    child = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    return int(child.stdout)


class TestLeftovers:
    def test_stale_temp_files_of_dead_processes_are_removed(self, tmp_path: Path) -> None:
        """A killed export's ``.NAME.PID.N.tmp`` goes on the next write into that folder."""
        dead = tmp_path / f".save-inspector-summary.json.{dead_pid()}.3.tmp"
        dead.write_bytes(b"x" * 4096)
        alive = tmp_path / f".other.json.{os.getpid()}.9.tmp"  # ours: maybe still writing
        alive.write_bytes(b"y")
        parent = tmp_path / f".p.json.{os.getppid()}.1.tmp"  # a live process's
        parent.write_bytes(b"z")
        lookalike = tmp_path / ".notes.tmp"  # not a temp name of ours
        lookalike.write_bytes(b"n")
        result = FileSystemWriter(tmp_path).write(artifact("a.json"))
        assert result.ok
        assert not dead.exists()
        assert alive.exists() and parent.exists() and lookalike.exists()

    def test_the_sweep_is_once_per_folder(self, tmp_path: Path) -> None:
        """Later writes into the same folder do not scan it again."""
        writer = FileSystemWriter(tmp_path)
        assert writer.write(artifact("a.json")).ok
        stale = tmp_path / f".b.json.{dead_pid()}.0.tmp"
        stale.write_bytes(b"x")
        assert writer.write(artifact("b.json")).ok
        assert stale.exists()
        assert remove_stale_temp_files(tmp_path) == [stale.name]


class TestCollisions:
    def test_a_different_file_is_not_overwritten_when_asked(self, tmp_path: Path) -> None:
        """``replace_different=False``: a second export of the same names fails; the first stays."""
        writer = FileSystemWriter(tmp_path, replace_different=False)
        assert writer.write(artifact("a.json", "first\n")).ok
        second = writer.write(artifact("a.json", "second\n"))
        assert second.status is WriteStatus.FAILED
        assert "already exists with other content" in (second.error or "")
        assert (tmp_path / "a.json").read_text("utf-8") == "first\n"
        assert writer.write(artifact("a.json", "first\n")).ok  # the same content is fine
        assert sorted(p.name for p in tmp_path.iterdir()) == ["a.json"]  # no temp left
