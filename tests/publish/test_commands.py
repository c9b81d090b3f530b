"""Command configuration parsing and the real subprocess runner."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest

from worldstate.errors import ConfigurationError, InputError
from worldstate.publish import (
    OUTPUT_READ_LIMIT,
    CommandSpec,
    CommandUploader,
    SubprocessRunner,
    UploadContext,
    UploadStatus,
    keep_output,
    parse_commands,
    resolve_commands,
)
from worldstate.redact import Redactor

PY = sys.executable


def alive(pid: int) -> bool:
    """Whether ``pid`` is a live (not zombie) process."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"


class TestParsing:
    def test_reference_configuration_works_unchanged(self) -> None:
        """The reference's telemetry-commands.json (one object) is one command."""
        text = (
            '{"command":"node","args":["scripts/telemetry/providers/githubUpload.js"],'
            '"env":{"TELEMETRY_ARTIFACT_DIR":"telemetry-artifacts",'
            '"CI_ARTIFACT_METADATA":"telemetry-artifacts/ci-artifacts.json"}}'
        )
        [spec] = parse_commands(text, source="f")
        assert spec.argv == ["node", "scripts/telemetry/providers/githubUpload.js"]
        assert spec.env["TELEMETRY_ARTIFACT_DIR"] == "telemetry-artifacts"

    def test_json_list_of_strings_argv_and_objects(self) -> None:
        """Strings are split with shell quoting, arrays are argv, objects carry options."""
        text = (
            '["gh artifact upload \'my name\'", ["aws", "s3 cp"], {"command": "x", "timeout": 5}]'
        )
        specs = parse_commands(text, source="env")
        assert [s.argv for s in specs] == [
            ["gh", "artifact", "upload", "my name"], ["aws", "s3 cp"], ["x"],
        ]  # fmt: skip
        assert specs[2].timeout == 5

    def test_lines_with_comments(self) -> None:
        """Other text is one command per line; commas do not split."""
        specs = parse_commands("# uploads\na --x=1,2\n\n  b 'c d'\r\n", source="f")
        assert [s.argv for s in specs] == [["a", "--x=1,2"], ["b", "c d"]]

    @pytest.mark.parametrize(
        ("text", "where"),
        [
            ("[1]", "$[0]"),
            ('[{"args": []}]', "$[0]"),
            ('[{"command": "x", "bogus": 1}]', "$[0]"),
            ("[[]]", "$[0]"),
            ("[", "env"),
            ("a 'unclosed", "line 1"),
        ],
    )
    def test_bad_configuration_names_the_place(self, text: str, where: str) -> None:
        """Malformed configuration is a ConfigurationError naming source and position."""
        with pytest.raises((ConfigurationError, InputError), match=r"env") as info:
            parse_commands(text, source="env")
        assert where in str(info.value)

    def test_precedence_cli_then_env_then_json_then_file(self, tmp_path: Path) -> None:
        """The first source that gives commands wins."""
        file = tmp_path / "c.txt"
        file.write_text("from-file\n")
        env = {
            "TELEMETRY_CI_COMMANDS": "from-env",
            "TELEMETRY_CI_COMMANDS_JSON": '["from-json"]',
            "TELEMETRY_CI_COMMANDS_PATH": str(file),
        }
        assert [s.command for s in resolve_commands(["from-cli"], env)] == ["from-cli"]
        assert [s.command for s in resolve_commands([], env)] == ["from-env"]
        del env["TELEMETRY_CI_COMMANDS"]
        assert [s.command for s in resolve_commands([], env)] == ["from-json"]
        del env["TELEMETRY_CI_COMMANDS_JSON"]
        assert [s.command for s in resolve_commands([], env)] == ["from-file"]
        env["TELEMETRY_CI_COMMANDS_PATH"] = str(tmp_path / "missing")
        with pytest.raises(ConfigurationError, match="cannot read"):
            resolve_commands([], env)


def upload(
    spec: CommandSpec, tmp_path: Path, *, timeout: float = 30, env: dict[str, str] | None = None
):  # type: ignore[no-untyped-def]
    uploader = CommandUploader(
        spec,
        runner=SubprocessRunner(kill_grace=0.5),
        redactor=Redactor(env or {}),
        clock=lambda: 0,
        timeout=timeout,
    )
    context = UploadContext(
        manifest_path=tmp_path / "ci-artifacts.json", prefix="p", env={**os.environ, **(env or {})}
    )
    return uploader.upload([tmp_path / "a.json"], root=tmp_path, name="p", context=context)


class TestSubprocessRunner:
    def test_success_receives_manifest_and_folder(self, tmp_path: Path) -> None:
        """Exit 0 is uploaded; the command gets CI_ARTIFACT_METADATA and TELEMETRY_ARTIFACT_DIR."""
        code = (
            "import os; e = os.environ; "
            "print(e['CI_ARTIFACT_METADATA'], e['TELEMETRY_ARTIFACT_DIR'])"
        )
        result = upload(CommandSpec(command=PY, args=("-c", code)), tmp_path)
        assert result.status is UploadStatus.UPLOADED and result.exit_code == 0
        assert result.stdout.split() == [str(tmp_path / "ci-artifacts.json"), str(tmp_path)]

    def test_failure_keeps_stderr(self, tmp_path: Path) -> None:
        """A non-zero exit is failed with its code and stderr."""
        code = "import sys; sys.stderr.write('denied\\n'); sys.exit(3)"
        result = upload(CommandSpec(command=PY, args=("-c", code)), tmp_path)
        assert result.status is UploadStatus.FAILED and result.exit_code == 3
        assert result.stderr == "denied\n"

    def test_missing_and_not_executable(self, tmp_path: Path) -> None:
        """A missing or non-executable program is skipped / command_not_found / 127."""
        script = tmp_path / "upload.sh"
        script.write_text("#!/bin/sh\nexit 0\n")  # no execute bit
        for command in ("no-such-uploader-xyz", str(script)):
            result = upload(CommandSpec(command=command), tmp_path)
            assert result.status is UploadStatus.SKIPPED, command
            assert (result.skipped_reason, result.exit_code) == ("command_not_found", 127)

    def test_bad_cwd_is_a_failure_not_a_missing_command(self, tmp_path: Path) -> None:
        """A working folder that does not exist fails the attempt."""
        result = upload(CommandSpec(command=PY, cwd=str(tmp_path / "nope")), tmp_path)
        assert result.status is UploadStatus.FAILED and result.skipped_reason is None

    def test_hang_is_killed_with_its_children(self, tmp_path: Path) -> None:
        """At the timeout the whole process group goes, grandchildren included."""
        pids = tmp_path / "pids"
        code = (
            "import subprocess, sys, time\n"
            f"child = subprocess.Popen([{PY!r}, '-c', 'import time; time.sleep(60)'])\n"
            f"open({str(pids)!r}, 'w').write(str(child.pid))\n"
            "time.sleep(60)\n"
        )
        started = time.monotonic()
        result = upload(CommandSpec(command=PY, args=("-c", code)), tmp_path, timeout=1.5)
        assert time.monotonic() - started < 20
        assert result.status is UploadStatus.TIMEOUT and result.exit_code is None
        assert "timed out after 1.5 s" in (result.error_message or "")
        grandchild = int(pids.read_text())
        deadline = time.monotonic() + 5
        while alive(grandchild) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not alive(grandchild)

    def test_signal_is_a_failure(self, tmp_path: Path) -> None:
        """A command killed by a signal is failed with the signal recorded, not exit 0."""
        code = "import os, signal; os.kill(os.getpid(), signal.SIGKILL)"
        result = upload(CommandSpec(command=PY, args=("-c", code)), tmp_path)
        assert result.status is UploadStatus.FAILED
        assert result.signal == 9 and result.exit_code is None
        assert result.error_message == "killed by signal SIGKILL"

    def test_stdout_flood_is_bounded(self, tmp_path: Path) -> None:
        """20 MB of output is drained; 2,000 characters are kept."""
        code = "import sys\nfor _ in range(20): sys.stdout.write('x' * 1_000_000)\n"
        result = upload(CommandSpec(command=PY, args=("-c", code)), tmp_path)
        assert result.status is UploadStatus.UPLOADED
        assert result.stdout == "x" * 2000 + "\u2026"

    def test_secret_in_output_is_redacted(self, tmp_path: Path) -> None:
        """A line holding an environment secret is redacted; the other lines stay."""
        env = {"UPLOAD_API_TOKEN": "supersecretvalue123"}
        code = "import os; print('uploading'); print('token=' + os.environ['UPLOAD_API_TOKEN'])"
        result = upload(CommandSpec(command=PY, args=("-c", code)), tmp_path, env=env)
        assert result.stdout == "uploading\n[REDACTED]\n"


def test_keep_output_cuts_after_redacting() -> None:
    """Redaction happens line by line before the cut."""
    assert keep_output("a\nghp_" + "b" * 30 + "\n", Redactor()) == "a\n[REDACTED]\n"
    assert keep_output("y" * 10, Redactor(), limit=4) == "yyyy\u2026"
    assert OUTPUT_READ_LIMIT == 65536
