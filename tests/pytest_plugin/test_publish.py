"""Publishing at session end: one upload of the whole folder by the providers of ``worldstate
export``, recorded in the session manifest, and one GitHub step summary section."""

from __future__ import annotations

import io
import json
import sys
import zipfile
from pathlib import Path

import pytest
from tests.pytest_plugin.conftest import ALL_TESTS, manifest_tests, read_manifest, telemetry_dir

from worldstate.publish import GITHUB_PROVIDER
from worldstate.publish.github.testing import ResultsServer, runtime_env

RECORDER = """\
import json, os, sys
from pathlib import Path
root = Path(os.environ["TELEMETRY_ARTIFACT_DIR"])
with open(sys.argv[1], "a", encoding="utf-8") as out:
    out.write(json.dumps({
        "argv": sys.argv[2:],
        "root": str(root),
        "manifest": os.environ["CI_ARTIFACT_METADATA"],
        "files": sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()),
    }) + "\\n")
"""


def _kept_files(inner: pytest.Pytester) -> list[str]:
    """Every test's artifact, relative to the telemetry folder, from the manifest."""
    root = telemetry_dir(inner)
    return sorted(
        str(Path(a["path"]).relative_to(root))
        for t in manifest_tests(inner).values()
        for a in t.get("artifacts", ())
    )


@pytest.mark.parametrize("xdist", [(), ("-n", "2")], ids=["serial", "n2"])
def test_command_provider_uploads_the_folder_once(
    inner: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, xdist: tuple[str, ...]
) -> None:
    """CI=true with TELEMETRY_CI_COMMANDS: the command runs once, on the controller, after every
    test's files exist; its attempt is in the manifest; one step summary section is appended."""
    script = inner.path / "recorder.py"
    script.write_text(RECORDER)
    received = inner.path / "received.jsonl"
    summary = inner.path / "step-summary.md"
    summary.write_text("earlier step\n")
    monkeypatch.setenv("CI", "true")
    monkeypatch.setenv(
        "TELEMETRY_CI_COMMANDS", json.dumps([[sys.executable, str(script), str(received), "up"]])
    )
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    run = inner.runpytest_subprocess(*xdist)
    run.assert_outcomes(passed=4, failed=1, errors=1)
    calls = [json.loads(line) for line in received.read_text().splitlines()]
    assert len(calls) == 1, calls
    call = calls[0]
    assert call["argv"] == ["up"]
    assert call["root"] == str(telemetry_dir(inner))
    assert call["manifest"] == str(telemetry_dir(inner) / "ci-artifacts.json")
    assert set(_kept_files(inner)) <= set(call["files"])
    assert "ci-artifacts.json" in call["files"]
    manifest = read_manifest(inner)
    assert manifest["dryRun"] is False
    assert manifest["schemaVersion"] == 1
    [attempt] = manifest["commandResults"]
    assert (attempt["provider"], attempt["status"], attempt["exitCode"]) == (
        "command",
        "uploaded",
        0,
    )
    text = summary.read_text()
    assert text.startswith("earlier step\n")
    assert text.count("### worldstate pytest telemetry") == 1
    outcomes = sorted(t["outcome"] for t in manifest_tests(inner).values())
    counted = ", ".join(f"{outcomes.count(o)} {o}" for o in sorted(set(outcomes)))
    assert f"{len(ALL_TESTS)} tests: {counted}" in text
    for nodeid in ALL_TESTS:
        assert f"`{nodeid}`" in text
    run.stdout.fnmatch_lines(["worldstate: upload by command: uploaded*"])


def test_github_provider_uploads_every_test_file(
    inner: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On an Actions runner with no command configured, the github provider uploads one zip of
    the folder through the real client to the in-process artifact service."""
    summary = inner.path / "step-summary.md"
    with ResultsServer() as server:
        for name, value in runtime_env(server.url, extra={"CI": "true"}).items():
            monkeypatch.setenv(name, value)
        monkeypatch.setenv("GITHUB_RUN_ID", "1")
        monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
        run = inner.runpytest_subprocess("-n", "2")
        blob = server.blob("worldstate-pytest")
        creates = server.calls_to("CreateArtifact")
    run.assert_outcomes(passed=4, failed=1, errors=1)
    assert len(creates) == 1
    assert blob is not None
    names = set(zipfile.ZipFile(io.BytesIO(blob)).namelist())
    missing = [f for f in _kept_files(inner) if f not in names]
    assert not missing, (missing, sorted(names))
    manifest = read_manifest(inner)
    [record] = manifest["providerResults"]
    assert (record["provider"], record["status"]) == (GITHUB_PROVIDER, "uploaded")
    assert record["artifactId"]
    assert "### worldstate pytest telemetry" in summary.read_text()


def test_outside_github_nothing_is_written_for_github(
    inner: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Publishing requested with no provider: recorded in the manifest, no step summary."""
    monkeypatch.setenv("CI", "1")
    run = inner.runpytest_subprocess()
    run.assert_outcomes(passed=4, failed=1, errors=1)
    manifest = read_manifest(inner)
    assert manifest["commandResults"] == []
    assert manifest["providerResults"] == []
    assert manifest["context"]["publish"] == {"requested": True, "trigger": "CI=1", "error": None}
    assert not list(inner.path.glob("*.md"))
    run.stdout.fnmatch_lines(["worldstate: publishing (CI=1): no provider configured*"])
