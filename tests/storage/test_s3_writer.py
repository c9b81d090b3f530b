"""The storage writer against a real S3-compatible server (moto), with injected faults."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.storage.conftest import BUCKET, S3, SECRET, endpoint_of, start_moto
from tests.storage.faultproxy import FaultProxy
from tests.writers.test_contract import WriterContract, artifact

from worldstate.storage import RetryPolicy, StorageWriter, read_bytes
from worldstate.writers import Writer, WriterFanout


class TestS3StorageWriterContract(WriterContract):
    """The writer contract, over a real S3 API."""

    @pytest.fixture(name="writer")
    def _writer(self, s3: S3) -> Writer:
        self.s3 = s3
        return StorageWriter(f"s3://{BUCKET}/root", storage_options=s3.options())

    def read(self, writer: Writer, key: str) -> bytes:
        return self.s3.get(f"root/{key}")

    def keys(self, writer: Writer) -> set[str]:
        return {k.removeprefix("root/") for k in self.s3.keys("root/")}


def test_result_location_is_the_url(s3: S3) -> None:
    """A written object's location is its URL; the bytes are the artifact's."""
    writer = StorageWriter(f"s3://{BUCKET}/run1", storage_options=s3.options())
    result = writer.write(artifact("a.csv", "x,y\n1,2"), folder="inner")
    assert result.ok
    assert result.location == f"s3://{BUCKET}/run1/inner/a.csv"
    assert s3.get("run1/inner/a.csv") == b"x,y\n1,2\n"
    assert read_bytes(result.location, s3.options()) == b"x,y\n1,2\n"


def test_a_put_cut_midway_leaves_no_object_and_names_the_key(s3: S3) -> None:
    """The third object's upload drops half way: no partial object, a failed result with its
    URL, and the other objects are written."""
    names = ["one.json", "two.csv", "three.csv", "four.md"]
    with FaultProxy(s3.endpoint).running() as proxy:
        proxy.cut_keys = {"/run1/three.csv"}
        writer = StorageWriter(f"s3://{BUCKET}/run1", storage_options=s3.options(proxy.endpoint))
        outcome = WriterFanout([writer]).write([artifact(n, f"{n}\n" * 500) for n in names])
    assert [r.ok for r in outcome.results] == [True, True, False, True]
    failure = outcome.results[2]
    assert failure.filename == "three.csv" and failure.location is None and failure.size == 0
    assert failure.error is not None
    assert f"could not write s3://{BUCKET}/run1/three.csv" in failure.error
    assert s3.keys("run1/") == ["run1/four.md", "run1/one.json", "run1/two.csv"]


def test_a_stopped_server_fails_the_write_and_leaves_no_object(s3: S3) -> None:
    """The server goes away between objects: the next write fails naming its key, and a new
    server over the same storage shows only the objects written before."""
    server = start_moto()
    try:
        options = s3.options(endpoint_of(server))
        writer = StorageWriter(f"s3://{BUCKET}/run2", storage_options=options)
        assert writer.write(artifact("first.json", "{}")).ok
        assert writer.write(artifact("second.json", "{}")).ok
    finally:
        server.stop()
    result = writer.write(artifact("third.json", "{}"))
    assert not result.ok
    assert result.error is not None and f"s3://{BUCKET}/run2/third.json" in result.error
    # moto keeps its storage per process, so the session's server sees the same buckets.
    assert s3.keys("run2/") == ["run2/first.json", "run2/second.json"]


def _throttled_write(s3: S3, slow_down: int, policy: RetryPolicy) -> tuple[bool, int]:
    with FaultProxy(s3.endpoint).running() as proxy:
        proxy.slow_down = slow_down
        writer = StorageWriter(
            f"s3://{BUCKET}/run3", storage_options=s3.options(proxy.endpoint), retry=policy
        )
        result = writer.write(artifact("busy.json", '{"ok": true}'))
        return result.ok, len(proxy.puts)


def test_throttling_is_retried_with_backoff(s3: S3) -> None:
    """503 SlowDown answers beyond what the S3 client retries itself are retried after a
    backoff until the object is written."""
    # How many throttled answers the client absorbs before giving up (its own retries).
    absorbed_ok, client_round = _throttled_write(s3, 1000, RetryPolicy(attempts=1))
    assert not absorbed_ok and client_round >= 1
    waits: list[float] = []
    policy = RetryPolicy(attempts=3, initial_wait=0.5, sleep=waits.append)
    ok, puts = _throttled_write(s3, client_round + 1, policy)
    assert ok
    assert s3.get("run3/busy.json") == b'{"ok": true}\n'
    assert puts == client_round + 2
    assert len(waits) == 1 and 0.5 <= waits[0] <= 1.0


def test_throttling_that_never_ends_is_a_failed_result(s3: S3) -> None:
    """When every attempt is throttled the write fails after the policy's attempts."""
    waits: list[float] = []
    with FaultProxy(s3.endpoint).running() as proxy:
        proxy.slow_down = 1000
        writer = StorageWriter(
            f"s3://{BUCKET}/run4",
            storage_options=s3.options(proxy.endpoint),
            retry=RetryPolicy(attempts=2, initial_wait=0.01, sleep=waits.append),
        )
        result = writer.write(artifact("busy.json", "{}"))
    assert not result.ok and result.error is not None
    assert (
        "s3://bucket/run4/busy.json" in result.error and "reduce your request rate" in result.error
    )
    assert len(waits) == 1
    assert s3.keys("run4/") == []


def test_missing_bucket_is_named(s3: S3) -> None:
    """Writing into a bucket that does not exist fails with a message naming the bucket."""
    writer = StorageWriter("s3://no-such-bucket/run", storage_options=s3.options())
    result = writer.write(artifact("a.json", "{}"))
    assert not result.ok and result.error is not None
    assert "bucket 'no-such-bucket' does not exist" in result.error
    assert "s3://no-such-bucket/run/a.json" in result.error


def test_wrong_credentials_name_the_bucket_not_the_secret(s3: S3) -> None:
    """Refused credentials fail with a message naming the bucket and what to check."""
    s3.set_auth(enforced=True)
    try:
        writer = StorageWriter(f"s3://{BUCKET}/run", storage_options=s3.options())
        result = writer.write(artifact("a.json", "{}"))
    finally:
        s3.set_auth(enforced=False)
    assert not result.ok and result.error is not None
    assert f"access to bucket {BUCKET!r} was denied" in result.error
    assert "AWS_ACCESS_KEY_ID" in result.error
    assert SECRET not in result.error


def test_local_root_keeps_filesystem_semantics(tmp_path: Path) -> None:
    """A plain path goes through the atomic local writer (temp file + rename)."""
    writer = StorageWriter(tmp_path / "out")
    assert writer.write(artifact("a.csv", "1")).location == str(tmp_path / "out" / "a.csv")
