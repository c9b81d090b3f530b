"""The writer contract: one abstract test class, run once per writer implementation."""

from __future__ import annotations

from pathlib import Path

import pytest

from worldstate.artifacts import Artifact
from worldstate.errors import UnsafeNameError
from worldstate.writers import FileSystemWriter, MemoryWriter, Writer, WriteStatus

UNSAFE_FILENAMES = ["../x", "/abs", "a/b", "..", ".", "", "a\x00b", "a\nb", "a\\b", "tab\there"]
UNSAFE_FOLDERS = ["/abs", "../up", "a/../b", "a//b", "..", "a\\b", "x/\x01"]


def artifact(filename: str = "report.csv", content: str = "a,b\n1,2\n") -> Artifact:
    return Artifact(
        type="csv", section="cascade", filename=filename, mime_type="text/csv", content=content
    )


class WriterContract:
    """Behaviour every writer must have; subclasses say how to build and read one."""

    def make_writer(self, tmp_path: Path) -> Writer:
        raise NotImplementedError

    def read(self, writer: Writer, key: str) -> bytes:
        """The stored bytes under ``key`` (``folder/filename``); raises if absent."""
        raise NotImplementedError

    def keys(self, writer: Writer) -> set[str]:
        """Every key stored so far (temp files excluded)."""
        raise NotImplementedError

    @pytest.fixture(name="writer")
    def _writer(self, tmp_path: Path) -> Writer:
        return self.make_writer(tmp_path)

    def test_satisfies_the_protocol(self, writer: Writer) -> None:
        """The writer is structurally a Writer with a non-empty id."""
        assert isinstance(writer, Writer)
        assert writer.id

    def test_writes_utf8_with_one_trailing_newline(self, writer: Writer) -> None:
        """Content is stored as UTF-8 and ends with exactly one LF."""
        writer.write(artifact("a.txt", "héllo ⚠️"))
        writer.write(artifact("b.txt", "line\n"))
        writer.write(artifact("c.txt", "many\n\n\n"))
        writer.write(artifact("d.txt", ""))
        assert self.read(writer, "a.txt") == "héllo ⚠️\n".encode()
        assert self.read(writer, "b.txt") == b"line\n"
        assert self.read(writer, "c.txt") == b"many\n"
        assert self.read(writer, "d.txt") == b"\n"

    def test_result_describes_the_write(self, writer: Writer) -> None:
        """A successful result names the writer and file and counts the bytes."""
        result = writer.write(artifact("r.csv", "é,1\n"))
        assert result.status is WriteStatus.WRITTEN
        assert result.ok
        assert result.writer_id == writer.id
        assert result.filename == "r.csv"
        assert result.size == len("é,1\n".encode())
        assert result.error is None
        assert result.location is not None and result.location.endswith("r.csv")

    def test_creates_nested_folders(self, writer: Writer) -> None:
        """A relative folder (even nested) is created below the root."""
        writer.write(artifact("x.csv", "1\n"), folder="run-001/inner")
        assert self.read(writer, "run-001/inner/x.csv") == b"1\n"
        assert self.keys(writer) == {"run-001/inner/x.csv"}

    def test_overwrites_previous_content(self, writer: Writer) -> None:
        """Writing the same name again replaces the content entirely."""
        writer.write(artifact("same.csv", "a much longer first version\n"))
        writer.write(artifact("same.csv", "short\n"))
        assert self.read(writer, "same.csv") == b"short\n"
        assert self.keys(writer) == {"same.csv"}

    @pytest.mark.parametrize("name", UNSAFE_FILENAMES)
    def test_refuses_unsafe_filenames(self, writer: Writer, name: str) -> None:
        """A file name that could leave the root raises and writes nothing."""
        with pytest.raises(UnsafeNameError):
            writer.write(artifact(name))
        assert self.keys(writer) == set()

    @pytest.mark.parametrize("folder", UNSAFE_FOLDERS)
    def test_refuses_unsafe_folders(self, writer: Writer, folder: str) -> None:
        """A folder that is absolute or climbs out raises and writes nothing."""
        with pytest.raises(UnsafeNameError):
            writer.write(artifact("ok.csv"), folder=folder)
        assert self.keys(writer) == set()

    def test_write_after_close_raises(self, writer: Writer) -> None:
        """Closing twice is fine; writing afterwards is a programming error."""
        writer.write(artifact("before.csv"))
        writer.close()
        writer.close()
        with pytest.raises(RuntimeError, match="closed"):
            writer.write(artifact("after.csv"))
        assert self.keys(writer) == {"before.csv"}


class TestFileSystemWriterContract(WriterContract):
    durable = False

    def make_writer(self, tmp_path: Path) -> Writer:
        return FileSystemWriter(tmp_path / "root", durable=self.durable)

    def read(self, writer: Writer, key: str) -> bytes:
        assert isinstance(writer, FileSystemWriter)
        return (writer.root / key).read_bytes()

    def keys(self, writer: Writer) -> set[str]:
        assert isinstance(writer, FileSystemWriter)
        if not writer.root.exists():
            return set()
        files = {p.relative_to(writer.root).as_posix() for p in writer.root.rglob("*")}
        dirs = {p.relative_to(writer.root).as_posix() for p in writer.root.rglob("*") if p.is_dir()}
        return files - dirs


class TestDurableFileSystemWriterContract(TestFileSystemWriterContract):
    durable = True


class TestMemoryWriterContract(WriterContract):
    def make_writer(self, tmp_path: Path) -> Writer:
        return MemoryWriter()

    def read(self, writer: Writer, key: str) -> bytes:
        assert isinstance(writer, MemoryWriter)
        return writer.read(key)

    def keys(self, writer: Writer) -> set[str]:
        assert isinstance(writer, MemoryWriter)
        return set(writer.files)
