"""FileSystemWriter beyond the shared contract: atomic replacement and I/O failures as values."""

from __future__ import annotations

from pathlib import Path

import pytest

from worldstate.artifacts import Artifact
from worldstate.writers import FileSystemWriter, WriteStatus


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
