"""The writer contract, run for the storage writer over ``memory://`` and ``file://``."""

from __future__ import annotations

import uuid
from pathlib import Path

import fsspec
from tests.writers.test_contract import WriterContract, artifact

from worldstate.storage import StorageWriter
from worldstate.writers import Writer


class TestMemoryStorageWriterContract(WriterContract):
    def make_writer(self, tmp_path: Path) -> Writer:
        # The memory filesystem is one store per process: each test gets its own bucket.
        return StorageWriter(f"memory://contract-{uuid.uuid4().hex}/root")

    def _root(self, writer: Writer) -> str:
        assert isinstance(writer, StorageWriter)
        return writer.location.url.removeprefix("memory://")

    def read(self, writer: Writer, key: str) -> bytes:
        data: bytes = fsspec.filesystem("memory").cat_file(f"/{self._root(writer)}/{key}")
        return data

    def keys(self, writer: Writer) -> set[str]:
        fs = fsspec.filesystem("memory")
        root = f"/{self._root(writer)}"
        if not fs.exists(root):
            return set()
        return {path.removeprefix(root + "/") for path in fs.find(root)}


class TestFileUrlStorageWriterContract(WriterContract):
    def make_writer(self, tmp_path: Path) -> Writer:
        return StorageWriter(f"file://{tmp_path}/root")

    def read(self, writer: Writer, key: str) -> bytes:
        assert isinstance(writer, StorageWriter)
        return (writer.location.local_path / key).read_bytes()

    def keys(self, writer: Writer) -> set[str]:
        assert isinstance(writer, StorageWriter)
        root = writer.location.local_path
        if not root.exists():
            return set()
        return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


class TestMovedObjectStorageWriterContract(TestFileUrlStorageWriterContract):
    """A filesystem without an all-or-nothing put: temp object, then a move over the target."""

    def make_writer(self, tmp_path: Path) -> Writer:
        return StorageWriter(tmp_path / "root", filesystem=fsspec.filesystem("file"))


def test_file_url_and_path_write_the_same_place(tmp_path: Path) -> None:
    """``file:///x`` and ``/x`` are one folder, written the same atomic way."""
    by_url = StorageWriter(f"file://{tmp_path}/out").write(artifact("a.csv", "1\n"))
    by_path = StorageWriter(tmp_path / "out").write(artifact("b.csv", "2\n"))
    assert by_url.location == str(tmp_path / "out" / "a.csv")
    assert by_path.location == str(tmp_path / "out" / "b.csv")
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["a.csv", "b.csv"]
