"""``worldstate export`` against a real S3-compatible server, as a subprocess."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from tests._paths import SRC
from tests.storage.conftest import BUCKET, S3, SECRET
from tests.storage.faultproxy import FaultProxy

GENERATED_AT = "1761843600000"


def worldstate(*args: str, env: dict[str, str], **kw: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "worldstate", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
        check=False,
        **kw,  # type: ignore[call-overload]
    )


def test_demo_export_to_s3_and_a_local_mirror_is_byte_identical(s3: S3, tmp_path: Path) -> None:
    """Every artifact lands in the bucket and in the mirror with the same bytes; the manifest
    lists the URLs."""
    mirror = tmp_path / "mirror"
    done = worldstate(
        "export",
        "--demo",
        "--out",
        f"s3://{BUCKET}/run1",
        "--mirror",
        str(mirror),
        "--generated-at",
        GENERATED_AT,
        env=s3.env(),
    )
    assert done.returncode == 0, done.stderr
    local = sorted(p.name for p in mirror.iterdir())
    assert local
    assert s3.keys("run1/") == sorted([f"run1/{n}" for n in local] + ["run1/ci-artifacts.json"])
    for name in local:
        assert s3.get(f"run1/{name}") == (mirror / name).read_bytes()
    manifest = json.loads(s3.get("run1/ci-artifacts.json"))
    assert sorted(a["filepath"] for a in manifest["artifacts"]) == [
        f"s3://{BUCKET}/run1/{n}" for n in local
    ]
    assert manifest["context"]["artifactDir"] == f"s3://{BUCKET}/run1"
    assert SECRET not in done.stdout + done.stderr


def test_export_from_s3_inputs(s3: S3, tmp_path: Path) -> None:
    """An event log and a summary read from the bucket export like local files."""
    log = SRC / "worldstate" / "demo" / "lantern_street.jsonl"
    s3.client.put_object(Bucket=BUCKET, Key="in/events.jsonl", Body=log.read_bytes())
    local = worldstate(
        "export",
        "--events",
        str(log),
        "--out",
        str(tmp_path / "a"),
        "--generated-at",
        GENERATED_AT,
        env=s3.env(),
    )
    remote = worldstate(
        "export",
        "--events",
        f"s3://{BUCKET}/in/events.jsonl",
        "--out",
        str(tmp_path / "b"),
        "--generated-at",
        GENERATED_AT,
        env=s3.env(),
    )
    assert local.returncode == 0 and remote.returncode == 0, remote.stderr
    names = sorted(p.name for p in (tmp_path / "a").iterdir() if p.name != "ci-artifacts.json")
    for name in names:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    summary = next(n for n in names if n.endswith(".json") and "budget" not in n)
    s3.client.put_object(
        Bucket=BUCKET, Key="in/summary.json", Body=(tmp_path / "a" / summary).read_bytes()
    )
    from_summary = worldstate(
        "export",
        "--summary",
        f"s3://{BUCKET}/in/summary.json",
        "--out",
        str(tmp_path / "c"),
        env=s3.env(),
    )
    assert from_summary.returncode == 0, from_summary.stderr
    missing = worldstate(
        "export",
        "--snapshot",
        f"s3://{BUCKET}/in/nothing.json",
        "--out",
        str(tmp_path / "d"),
        env=s3.env(),
    )
    assert missing.returncode == 2
    assert f"s3://{BUCKET}/in/nothing.json" in missing.stderr


def test_missing_bucket_is_exit_1_naming_the_bucket(s3: S3) -> None:
    """A bucket that does not exist: exit 1, the bucket named, the secret never shown."""
    done = worldstate("export", "--demo", "--out", "s3://no-such-bucket/run", env=s3.env())
    assert done.returncode == 1
    assert "bucket 'no-such-bucket' does not exist" in done.stderr
    assert SECRET not in done.stdout + done.stderr
    assert "Traceback" not in done.stderr


def test_wrong_credentials_are_exit_1_naming_the_bucket_not_the_secret(s3: S3) -> None:
    """Refused credentials: exit 1, the bucket and what to check named, no secret."""
    s3.set_auth(enforced=True)
    try:
        done = worldstate("export", "--demo", "--out", f"s3://{BUCKET}/run", env=s3.env())
    finally:
        s3.set_auth(enforced=False)
    assert done.returncode == 1
    assert f"access to bucket '{BUCKET}' was denied" in done.stderr
    assert SECRET not in done.stdout + done.stderr
    assert s3.keys("run/") == []


def test_missing_credentials_are_one_line_per_writer(s3: S3) -> None:
    """No credentials anywhere: exit 1, what to set, and the reason once per writer."""
    env = {
        k: v for k, v in s3.env().items() if k not in {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"}
    }
    env["AWS_EC2_METADATA_DISABLED"] = "true"  # never ask a cloud metadata service
    done = worldstate("export", "--demo", "--out", f"s3://{BUCKET}/run", env=env)
    assert done.returncode == 1
    error = done.stderr
    assert f"no credentials were found for bucket '{BUCKET}'" in error
    assert "AWS_ACCESS_KEY_ID" in error
    assert "and 4 more files" in error
    assert error.count("Unable to locate credentials") == 0
    assert error.count("no credentials were found") == 2  # the artifact folder, the manifest
    assert "Traceback" not in error
    assert s3.keys("run/") == []


def test_a_missing_extra_is_exit_2_naming_it(tmp_path: Path) -> None:
    """A URL whose filesystem package is not installed names the extra to install."""
    env = {k: v for k, v in os.environ.items()}
    done = worldstate("export", "--demo", "--out", "gs://bucket/run", env=env)
    assert done.returncode == 2
    assert "worldstate[gcs]" in done.stderr


@pytest.mark.parametrize("hold", [1, 3, "ci-artifacts.json"])
def test_kill_9_leaves_no_manifest_or_a_complete_one(s3: S3, hold: int | str) -> None:
    """Killed while an upload is in flight: either no manifest, or every artifact it lists
    exists."""
    with FaultProxy(s3.endpoint).running() as proxy:
        proxy.hold_put = hold
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "worldstate",
                "export",
                "--demo",
                "--out",
                f"s3://{BUCKET}/killed",
            ],
            env=s3.env(proxy.endpoint),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            assert proxy.held.wait(60), "the export never reached the held upload"
            process.send_signal(signal.SIGKILL)
            process.wait(10)
        finally:
            if process.poll() is None:
                process.kill()
        proxy.release.set()  # the held request (fully received) reaches the server now
        time.sleep(0.5)
    keys = s3.keys("killed/")
    if "killed/ci-artifacts.json" in keys:
        manifest = json.loads(s3.get("killed/ci-artifacts.json"))
        listed = [a["filepath"].removeprefix(f"s3://{BUCKET}/") for a in manifest["artifacts"]]
        assert listed and all(key in keys for key in listed)
    else:
        assert hold != "ci-artifacts.json"


def test_upload_to_copies_the_export_folder(s3: S3, tmp_path: Path) -> None:
    """``--upload-to`` runs the ``storage`` provider: the artifacts are copied byte for byte
    below the templated URL, then the manifest as it stood before the providers ran; the
    local manifest of record then records the attempt like any provider's."""
    out = tmp_path / "out"
    env = {**s3.env(), "BUILD_ID": "7"}
    done = worldstate(
        "export",
        "--demo",
        "--out",
        str(out),
        "--upload-to",
        f"s3://{BUCKET}/{{runId}}/{{prefix}}",
        env=env,
    )
    assert done.returncode == 0, done.stderr
    files = sorted(p.name for p in out.iterdir())
    assert s3.keys("7/") == [f"7/save-inspector/{n}" for n in files]
    artifacts = [n for n in files if n != "ci-artifacts.json"]
    for name in artifacts:
        assert s3.get(f"7/save-inspector/{name}") == (out / name).read_bytes()
    copied = json.loads(s3.get("7/save-inspector/ci-artifacts.json"))
    local = json.loads((out / "ci-artifacts.json").read_bytes())
    assert copied["artifacts"] == local["artifacts"]
    assert copied["dryRun"] is False and copied["providerResults"] == []
    [record] = local["providerResults"]
    assert record["provider"] == "storage"
    assert record["status"] == "uploaded"
    assert record["artifactUrl"] == f"s3://{BUCKET}/7/save-inspector"
    assert record["fileCount"] == len(files)
    assert "Upload: storage: uploaded" in done.stdout


def test_upload_to_a_missing_bucket_exits_1(s3: S3, tmp_path: Path) -> None:
    """A copy asked for with ``--upload-to`` that fails is a failed job, recorded first."""
    out = tmp_path / "out"
    done = worldstate(
        "export", "--demo", "--out", str(out), "--upload-to", "s3://absent/x", env=s3.env()
    )
    assert done.returncode == 1, done.stderr
    assert "absent" in done.stderr
    [record] = json.loads((out / "ci-artifacts.json").read_bytes())["providerResults"]
    assert (record["provider"], record["status"]) == ("storage", "failed")


def test_providers_are_refused_with_a_url_out_before_anything_is_written(
    s3: S3, tmp_path: Path
) -> None:
    """Upload providers copy a local folder: with ``--out s3://`` and a command to run, the
    export stops with exit 2 and a message saying what to give, and the bucket stays empty."""
    done = worldstate(
        "export",
        "--demo",
        "--out",
        f"s3://{BUCKET}/refused",
        "--publish",
        "--ci-command",
        f"{sys.executable} -c pass",
        env=s3.env(),
        cwd=tmp_path,
    )
    assert done.returncode == 2, done.stderr
    assert "--no-publish" in done.stderr and "--upload-to" in done.stderr
    assert s3.keys("refused/") == []
