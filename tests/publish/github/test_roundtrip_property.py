"""Property: any tree of files goes up and comes back out of the zip exactly as it was."""

from __future__ import annotations

import hashlib
import io
import itertools
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path
from random import Random

import httpx
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from worldstate.publish.github import ArtifactClient
from worldstate.publish.github.testing import ResultsServer, runtime_env

from .conftest import Sleeps

MB = 1024 * 1024
_ALPHABET = "abcXYZ019 -_.()+,;=@[]{}~'ñé中"
segment = st.text(alphabet=_ALPHABET, min_size=1, max_size=10).filter(
    lambda s: not s.startswith(".") and s.strip() == s and s not in (".", "..")
)


def consistent(tree: dict[tuple[str, ...], bytes]) -> bool:
    """No path is a folder of another path (a file cannot also be a folder)."""
    paths = set(tree)
    return not any(path[:depth] in paths for path in paths for depth in range(1, len(path)))


trees = st.dictionaries(
    keys=st.lists(segment, min_size=1, max_size=4).map(tuple),
    values=st.binary(max_size=4096),
    min_size=1,
    max_size=12,
).filter(consistent)

_names = itertools.count()


@pytest.fixture(name="http")
def _http() -> Iterator[httpx.Client]:
    with httpx.Client() as client:
        yield client


def big(size: int, seed: int) -> bytes:
    return Random(seed).randbytes(size)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(tree=trees, level=st.sampled_from([0, 1, 6, 9]))
@example(tree={("empty.bin",): b""}, level=6)
@example(tree={("a", "b", "c", "d.bin"): big(20 * MB, 1), ("z.txt",): b"z" * 5 * MB}, level=6)
@example(tree={("random.bin",): big(17 * MB + 3, 2)}, level=0)
def test_upload_then_unzip_gives_back_the_tree(
    tree: dict[tuple[str, ...], bytes],
    level: int,
    server: ResultsServer,
    sleeps: Sleeps,
    http: httpx.Client,
) -> None:
    """The stored blob's SHA-256 is the reported digest and its entries are the input files."""
    name = f"tree-{next(_names)}"
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        for parts, content in tree.items():
            path = root.joinpath(*parts)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
        with ArtifactClient(
            runtime_env(server.url), http=http, sleep=sleeps, mask=lambda _: None
        ) as c:
            uploaded = c.upload(name, [root], root=root, compression_level=level)
    blob = server.blob(name) or b""
    assert uploaded.digest == f"sha256:{hashlib.sha256(blob).hexdigest()}"
    assert uploaded.size == len(blob)
    with zipfile.ZipFile(io.BytesIO(blob)) as archive:
        assert archive.testzip() is None
        unzipped = {
            tuple(info.filename.split("/")): archive.read(info) for info in archive.infolist()
        }
    assert unzipped == tree
