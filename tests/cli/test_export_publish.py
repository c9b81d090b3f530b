"""`worldstate export` publishing: real command providers, the manifest of record, GitHub files."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from worldstate.cli import cli
from worldstate.publish.github.testing import ResultsServer, runtime_env

PY = sys.executable
SECRET = "supersecretvalue123"
CLEAN_ENV: dict[str, str | None] = {
    name: None
    for name in (
        "CI", "BUILD_ID", "GITHUB_RUN_ID", "TELEMETRY_EXPORT_DIR", "TELEMETRY_CI_COMMANDS",
        "TELEMETRY_CI_COMMANDS_JSON", "TELEMETRY_CI_COMMANDS_PATH",
        "TELEMETRY_BUDGET_WEBHOOK_URL", "TELEMETRY_BUDGET_WEBHOOK_STATUSES",
        "TELEMETRY_SPATIAL_BUDGET_BYTES", "GITHUB_ACTIONS", "RUNNER_NAME",
        "GITHUB_STEP_SUMMARY", "GITHUB_OUTPUT", "ACTIONS_RUNTIME_TOKEN", "ACTIONS_RESULTS_URL",
    )
}  # fmt: skip

APPEND_RECORD = """
import json, os
path = os.environ["CI_ARTIFACT_METADATA"]
data = json.load(open(path))
data["providerResults"].append({"provider": "githubUpload", "status": "uploaded",
                                "transport": "github_cli", "sawArtifacts": len(data["artifacts"])})
open(path, "w").write(json.dumps(data))
"""
HANG_WITH_CHILD = """
import subprocess, sys, time
child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
print(child.pid, flush=True)
time.sleep(60)
"""


def invoke(*args: str | os.PathLike[str], env: dict[str, str | None] | None = None) -> Result:
    return CliRunner().invoke(cli, ["export", *map(str, args)], env={**CLEAN_ENV, **(env or {})})


def manifest(out: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((out / "ci-artifacts.json").read_text("utf-8"))
    return data


def py(code: str) -> list[str]:
    return [PY, "-c", code]


EVERY_KIND = [
    py("print('uploaded fine')"),
    py("import sys; sys.stderr.write('quota exceeded'); sys.exit(4)"),
    "no-such-uploader-xyz --upload",
    {"command": PY, "args": ["-c", HANG_WITH_CHILD], "timeout": 1.5},
    py("import os, signal; os.kill(os.getpid(), signal.SIGTERM)"),
    py("import sys\nfor _ in range(5): sys.stdout.write('y' * 1_000_000)"),
    py(f"print('uploading'); print('auth {SECRET}')"),
    py(APPEND_RECORD),
]


def parse_outputs(text: str) -> dict[str, str]:
    """Read a GITHUB_OUTPUT file the way the runner does (heredoc blocks)."""
    values: dict[str, str] = {}
    lines = iter(text.split("\n"))
    for line in lines:
        if not line:
            continue
        name, delimiter = line.split("<<", 1)
        body = []
        for value_line in lines:
            if value_line == delimiter:
                break
            body.append(value_line)
        values[name] = "\n".join(body)
    return values


class TestEveryKindOfCommandInOneRun:
    def test_each_attempt_is_recorded_and_the_export_exits_0(self, tmp_path: Path) -> None:
        """Success, failure, missing, hang, signal, flood, secret, appender: all recorded."""
        out = tmp_path / "out"
        env = {
            "CI": "true",
            "TELEMETRY_CI_COMMANDS_JSON": json.dumps(EVERY_KIND),
            "UPLOAD_API_TOKEN": SECRET,
        }
        result = invoke("--demo", "--out", out, env=env)
        assert result.exit_code == 0, result.output
        assert SECRET not in result.output
        data = manifest(out)
        assert data["dryRun"] is False
        records = data["commandResults"]
        assert [r["status"] for r in records] == [
            "uploaded", "failed", "skipped", "timeout", "failed", "uploaded", "uploaded",
            "uploaded",
        ]  # fmt: skip
        ok, failed, missing, hang, signalled, flood, secret, appender = records
        assert ok["stdout"] == "uploaded fine\n" and ok["exitCode"] == 0
        assert (failed["exitCode"], failed["stderr"]) == (4, "quota exceeded")
        assert (missing["skippedReason"], missing["exitCode"]) == ("command_not_found", 127)
        assert missing["args"] == ["--upload"]
        assert hang["timeout"] is True and hang["exitCode"] is None
        grandchild = int(hang["stdout"].split()[0])
        assert not Path(f"/proc/{grandchild}").exists() or "Z" in _state(grandchild)
        assert signalled["signal"] == 15 and signalled["errorMessage"] == "killed by signal SIGTERM"
        assert len(flood["stdout"]) == 2001 and flood["stdout"].endswith("\u2026")
        assert secret["stdout"] == "uploading\n[REDACTED]\n"
        assert SECRET not in (out / "ci-artifacts.json").read_text()
        assert appender["exitCode"] == 0
        # The record the last command appended survived the publisher's rewrite.
        assert data["providerResults"] == [
            {"provider": "githubUpload", "status": "uploaded", "transport": "github_cli",
             "sawArtifacts": 5},
        ]  # fmt: skip
        assert "Upload: command 'no-such-uploader-xyz': skipped" in result.output

    def test_fail_on_publish_error_exits_1_after_recording(self, tmp_path: Path) -> None:
        """With --fail-on-publish-error a failed upload exits 1, naming it; all is written."""
        out = tmp_path / "out"
        commands = json.dumps([py("import sys; sys.exit(4)"), py("print(1)")])
        result = invoke(
            "--demo", "--out", out, "--fail-on-publish-error",
            env={"CI": "true", "TELEMETRY_CI_COMMANDS": commands},
        )  # fmt: skip
        assert result.exit_code == 1
        assert "publishing failed: command" in result.output
        assert "exited with code 4" in result.output
        assert [r["status"] for r in manifest(out)["commandResults"]] == ["failed", "uploaded"]

    def test_a_missing_command_alone_does_not_fail_even_with_the_flag(self, tmp_path: Path) -> None:
        """Skipped is not a failure."""
        result = invoke(
            "--demo", "--out", tmp_path, "--fail-on-publish-error", "--ci-command", "nope-xyz",
            env={"CI": "true"},
        )  # fmt: skip
        assert result.exit_code == 0, result.output


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return "gone"


class TestWhenItPublishes:
    def test_not_in_ci_no_provider_runs(self, tmp_path: Path) -> None:
        """Without CI (or with --no-publish / --dry-run) commands never run."""
        marker = tmp_path / "ran"
        command = json.dumps([py(f"open({str(marker)!r}, 'w')")])
        for flags, env in (((), {}), (("--no-publish",), {"CI": "true"}),
                           (("--dry-run",), {"CI": "1"})):  # fmt: skip
            out = tmp_path / f"out{len(flags)}{len(env)}"
            result = invoke("--demo", "--out", out, *flags,
                            env={"TELEMETRY_CI_COMMANDS": command, **env})  # fmt: skip
            assert result.exit_code == 0, result.output
            assert manifest(out)["dryRun"] is True and manifest(out)["commandResults"] == []
        assert not marker.exists()

    def test_publish_flag_outside_ci(self, tmp_path: Path) -> None:
        """--publish runs the providers without CI."""
        result = invoke("--demo", "--out", tmp_path, "--publish", "--ci-command", f"{PY} -V")
        assert result.exit_code == 0, result.output
        assert manifest(tmp_path)["commandResults"][0]["stdout"].startswith("Python")

    def test_publish_and_dry_run_contradict(self, tmp_path: Path) -> None:
        """--publish --dry-run is refused before anything is written."""
        result = invoke("--demo", "--out", tmp_path / "o", "--publish", "--dry-run")
        assert result.exit_code == 2 and "contradict" in result.output
        assert not (tmp_path / "o").exists()

    def test_bad_command_configuration_exits_2_writing_nothing(self, tmp_path: Path) -> None:
        """A malformed TELEMETRY_CI_COMMANDS names the variable; nothing is written."""
        out = tmp_path / "o"
        result = invoke("--demo", "--out", out, env={"CI": "true", "TELEMETRY_CI_COMMANDS": "[1]"})
        assert result.exit_code == 2
        assert "TELEMETRY_CI_COMMANDS $[0]" in result.output
        assert not out.exists()

    def test_provider_command_without_commands_exits_2(self, tmp_path: Path) -> None:
        """--provider command needs a command."""
        result = invoke("--demo", "--out", tmp_path / "o", "--provider", "command", "--publish")
        assert result.exit_code == 2 and "no command configured" in result.output

    def test_provider_none_runs_nothing(self, tmp_path: Path) -> None:
        """--provider none keeps CI from running commands."""
        result = invoke("--demo", "--out", tmp_path, "--provider", "none", "--ci-command", "x",
                        env={"CI": "true"})  # fmt: skip
        assert result.exit_code == 0 and manifest(tmp_path)["commandResults"] == []


class TestGitHubActions:
    def github_env(self, tmp_path: Path, **extra: str) -> dict[str, str | None]:
        return {
            "CI": "true",
            "GITHUB_ACTIONS": "true",
            "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"),
            "GITHUB_OUTPUT": str(tmp_path / "output.txt"),
            **extra,
        }

    def test_missing_command_falls_back_to_github(self, tmp_path: Path) -> None:
        """With the runtime present the github provider runs once, as the fallback, and
        uploads the export through the artifact client (to an in-process artifact service)."""
        out = tmp_path / "out"
        with ResultsServer() as server:
            runtime = runtime_env(server.url)
            env = self.github_env(
                tmp_path,
                **runtime,
                TELEMETRY_CI_COMMANDS='["no-such-uploader-xyz --upload", "also-missing-xyz"]',
            )
            result = invoke("--demo", "--out", out, env=env)
            blob = server.blob("save-inspector")
        assert result.exit_code == 0, result.output
        data = manifest(out)
        assert [(r["provider"], r["status"]) for r in data["commandResults"]] == [
            ("command", "skipped"), ("githubActionsApi", "uploaded"), ("command", "skipped"),
        ]  # fmt: skip
        [fallback] = data["providerResults"]
        assert fallback["isFallback"] is True and fallback["status"] == "uploaded"
        assert fallback["fileCount"] == 5
        summary = data["fallbackSummary"]
        assert summary["attempted"] is True and summary["succeeded"] == 1
        assert summary["providers"]["githubActionsApi"]["lastStatus"] == "uploaded"
        assert blob is not None
        with zipfile.ZipFile(io.BytesIO(blob)) as archive:
            uploaded = {name: archive.read(name) for name in archive.namelist()}
        assert sorted(uploaded) == sorted(a["filename"] for a in data["artifacts"]) != []
        for name, content in uploaded.items():
            assert (out / name).read_bytes() == content, name
        # The runtime token is a secret: masked first, never printed or written.
        token = runtime["ACTIONS_RUNTIME_TOKEN"]
        assert result.output.splitlines()[0] == f"::add-mask::{token}"
        assert token not in (out / "ci-artifacts.json").read_text()

    def test_the_artifact_name_comes_from_github_artifact_name_else_the_prefix(
        self, tmp_path: Path
    ) -> None:
        """No artifactName in the context: GITHUB_ARTIFACT_NAME names the artifact."""
        with ResultsServer() as server:
            env = self.github_env(
                tmp_path, **runtime_env(server.url), GITHUB_ARTIFACT_NAME="nightly-telemetry"
            )
            result = invoke("--demo", "--out", tmp_path / "out", env=env)
            named, by_prefix = server.blob("nightly-telemetry"), server.blob("save-inspector")
        assert result.exit_code == 0, result.output
        assert named is not None and by_prefix is None

    def test_run_step_without_runtime_says_how_to_get_it(self, tmp_path: Path) -> None:
        """On a runner without the runtime variables the github default records why."""
        out = tmp_path / "out"
        result = invoke("--demo", "--out", out, env=self.github_env(tmp_path))
        assert result.exit_code == 0, result.output
        [record] = manifest(out)["providerResults"]
        assert record["provider"] == "githubActionsApi"
        assert record["skippedReason"] == "environment_unavailable"
        message = record["errorMessage"]
        assert "ACTIONS_RUNTIME_TOKEN, ACTIONS_RESULTS_URL" in message
        assert "actions/github-script" in message and "docs/ci.md" in message

    def test_step_summary_outputs_and_annotations(self, tmp_path: Path) -> None:
        """Summary: budget, uploads table, artifacts; outputs in heredoc form; warnings."""
        out = tmp_path / "out"
        env = self.github_env(
            tmp_path, TELEMETRY_CI_COMMANDS=json.dumps([py("import sys; sys.exit(2)")])
        )
        (tmp_path / "summary.md").write_text("earlier step\n")
        result = invoke("--demo", "--out", out, "--prefix", "run-7", env=env)
        assert result.exit_code == 0, result.output
        summary = (tmp_path / "summary.md").read_text()
        assert summary.startswith("earlier step\n## Telemetry Payload Budget\n")
        assert "## Telemetry Provider Uploads" in summary
        assert (
            "| Provider | Status | Exit | Duration (ms) | Artifact | Files | Skip Reason |"
            in summary
        )
        assert "- Failures detected: yes" in summary
        assert "| run-7-budget-status.md | 136 |" in summary
        outputs = parse_outputs((tmp_path / "output.txt").read_text())
        assert outputs == {
            "manifest": str(out / "ci-artifacts.json"),
            "artifact-dir": str(out),
            "artifact-name": "run-7",
            "budget-status": "unknown",
        }
        warnings = [line for line in result.output.splitlines() if line.startswith("::warning")]
        assert warnings == [f"::warning title=Telemetry upload failed::{PY}: exited with code 2"]

    def test_outside_github_nothing_is_written(self, tmp_path: Path) -> None:
        """Without GITHUB_* nothing but the export is written and no workflow command printed."""
        result = invoke("--demo", "--out", tmp_path / "out", env={"CI": "true"})
        assert result.exit_code == 0
        assert "::" not in result.output
        assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


class TestBudget:
    def spatial_summary(self, tmp_path: Path) -> Path:
        history = [{"cellCount": i, "maxBucketSize": 2, "trackedEntities": 3, "timestamp": i}
                   for i in range(400)]  # fmt: skip
        summary = {"generatedAt": 1761843600000, "engine": {"spatialHash": {"history": history}}}
        path = tmp_path / "summary.json"
        path.write_text(json.dumps(summary))
        return path

    def test_fail_on_budget_and_budget_bytes(self, tmp_path: Path) -> None:
        """An overrun exits 1 only with --fail-on-budget; --budget-bytes and the env raise it."""
        summary = self.spatial_summary(tmp_path)
        plain = invoke("--summary", summary, "--out", tmp_path / "a")
        assert plain.exit_code == 0 and "exceeds_budget" in plain.output
        failing = invoke("--summary", summary, "--out", tmp_path / "b", "--fail-on-budget")
        assert failing.exit_code == 1 and "payload budget was exceeded" in failing.output
        assert (tmp_path / "b" / "ci-artifacts.json").exists()
        raised = invoke("--summary", summary, "--out", tmp_path / "c", "--fail-on-budget",
                        "--budget-bytes", "1000000")  # fmt: skip
        assert raised.exit_code == 0, raised.output
        assert "within_budget" in raised.output
        by_env = invoke("--summary", summary, "--out", tmp_path / "d", "--fail-on-budget",
                        env={"TELEMETRY_SPATIAL_BUDGET_BYTES": "1000000"})  # fmt: skip
        assert by_env.exit_code == 0, by_env.output
        bad = invoke("--summary", summary, "--out", tmp_path / "e",
                     env={"TELEMETRY_SPATIAL_BUDGET_BYTES": "lots"})  # fmt: skip
        assert bad.exit_code == 2 and "TELEMETRY_SPATIAL_BUDGET_BYTES" in bad.output

    def test_budget_overrun_is_annotated(self, tmp_path: Path) -> None:
        """On GitHub Actions a budget overrun becomes a warning annotation."""
        result = invoke("--summary", self.spatial_summary(tmp_path), "--out", tmp_path / "o",
                        env={"GITHUB_ACTIONS": "true"})  # fmt: skip
        assert result.exit_code == 0
        assert any(
            line.startswith("::warning title=Telemetry payload budget exceeded::")
            for line in result.output.splitlines()
        )


def test_long_names_are_not_cut_when_stdout_is_not_a_terminal(tmp_path: Path) -> None:
    """CI logs get whole file names on one line, whatever their length."""
    prefix = "p" * 150
    result = invoke("--demo", "--out", tmp_path, "--prefix", prefix)
    assert result.exit_code == 0, result.output
    assert any(line.startswith(f"{prefix}-summary-") for line in result.output.splitlines())
    assert "\x1b[" not in result.output


def test_acceptance_command_in_a_real_process(tmp_path: Path) -> None:
    """The issue's command: exit 0, dryRun false, a skipped/command_not_found/127 record."""
    env = {k: v for k, v in os.environ.items() if k not in CLEAN_ENV}
    env.update(CI="true", TELEMETRY_CI_COMMANDS='["no-such-uploader-xyz --upload"]')
    out = tmp_path / "DIR"
    done = subprocess.run(
        [PY, "-m", "worldstate", "export", "--demo", "--out", str(out)],
        env=env, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    data = manifest(out)
    assert data["dryRun"] is False
    [record] = data["commandResults"]
    assert (record["status"], record["skippedReason"], record["exitCode"]) == (
        "skipped", "command_not_found", 127,
    )  # fmt: skip


def test_artifact_name_and_retention_come_from_the_context(tmp_path: Path) -> None:
    """--context artifactName/retentionDays reach the providers (here: the github record)."""
    env = {"CI": "true", "GITHUB_ACTIONS": "true", "GITHUB_OUTPUT": str(tmp_path / "o.txt")}
    context = '{"artifactName": "qa-telemetry", "retentionDays": 3}'
    result = invoke("--demo", "--out", tmp_path / "out", "--context", context, env=env)
    assert result.exit_code == 0, result.output
    [record] = manifest(tmp_path / "out")["providerResults"]
    assert record["artifactName"] == "qa-telemetry"
    assert "artifact-name<<" in (tmp_path / "o.txt").read_text()
    assert parse_outputs((tmp_path / "o.txt").read_text())["artifact-name"] == "qa-telemetry"


def test_json_output_stays_json_on_github(tmp_path: Path) -> None:
    """With --json the workflow commands go to stderr and stdout is one JSON document."""
    runner = CliRunner()  # click >= 8.2 keeps stderr apart from stdout
    env = {**CLEAN_ENV, "CI": "true", "GITHUB_ACTIONS": "true", "DEPLOY_TOKEN": "a-secret-value-1"}
    result = runner.invoke(cli, ["export", "--demo", "--out", str(tmp_path), "--json"], env=env)
    assert result.exit_code == 0
    assert json.loads(result.stdout)["ok"] is True
    assert "::add-mask::a-secret-value-1" in result.stderr
