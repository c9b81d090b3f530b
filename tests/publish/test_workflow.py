"""GitHub workflow commands, env files and the step summary, against temp files and streams."""

from __future__ import annotations

import io
import itertools
from pathlib import Path
from typing import Any

from worldstate.events import EventBus
from worldstate.publish import (
    MAX_ANNOTATIONS,
    PUBLISH_COMPLETED,
    PUBLISH_FAILED,
    PUBLISH_STARTED,
    Publisher,
    UploadContext,
    UploadResult,
    UploadStatus,
    WorkflowCommands,
    append_step_summary,
    mask_secrets,
    step_summary,
    write_outputs,
)
from worldstate.redact import Redactor


def parse_outputs(text: str) -> dict[str, str]:
    values: dict[str, str] = {}
    lines = iter(text.split("\n"))
    for line in lines:
        if line:
            name, delimiter = line.split("<<", 1)
            values[name] = "\n".join(itertools.takewhile(lambda x, d=delimiter: x != d, lines))
    return values


class TestWorkflowCommands:
    def test_annotations_are_escaped_and_capped(self) -> None:
        """Message and properties escaped as the runner decodes them; at most 10 per step."""
        stream = io.StringIO()
        commands = WorkflowCommands(stream)
        assert commands.warning("50% done\nnext: a,b", title="a: b, c")
        for _ in range(20):
            commands.warning("again", title="t")
        lines = stream.getvalue().splitlines()
        assert lines[0] == "::warning title=a%3A b%2C c::50%25 done%0Anext: a,b"
        assert len(lines) == MAX_ANNOTATIONS

    def test_add_mask_skips_short_values_and_masks_each_line(self) -> None:
        """Short values would mask every number; multi-line secrets are masked per line too."""
        stream = io.StringIO()
        commands = WorkflowCommands(stream)
        commands.add_mask("short")
        commands.add_mask("first-line-secret\nsecond-line-secret")
        assert sorted(stream.getvalue().splitlines()) == [
            "::add-mask::first-line-secret",
            "::add-mask::first-line-secret%0Asecond-line-secret",
            "::add-mask::second-line-secret",
        ]

    def test_mask_secrets_only_on_a_runner(self) -> None:
        """Secret environment values (by name or by shape) are masked; nothing elsewhere."""
        env = {
            "GITHUB_ACTIONS": "true",
            "DEPLOY_TOKEN": "value-of-the-token-1",
            "PLAIN": "ordinary-value-here",
            "ODD": "ghp_" + "a" * 30,
        }
        stream = io.StringIO()
        mask_secrets(env, Redactor(env), stream, extra=["https://hooks.example/secret-path"])
        masked = stream.getvalue().splitlines()
        assert "::add-mask::value-of-the-token-1" in masked
        assert "::add-mask::" + "ghp_" + "a" * 30 in masked
        assert "::add-mask::https://hooks.example/secret-path" in masked
        assert not any("ordinary" in line for line in masked)
        elsewhere = io.StringIO()
        mask_secrets({**env, "GITHUB_ACTIONS": ""}, Redactor(env), elsewhere)
        assert elsewhere.getvalue() == ""


class TestEnvironmentFiles:
    def test_outputs_use_heredocs_with_fresh_delimiters(self, tmp_path: Path) -> None:
        """Multi-line values survive; a delimiter found in a value is drawn again."""
        path = tmp_path / "out" / "github_output"
        path.parent.mkdir()
        path.write_text("earlier=1\n")
        draws = iter(["ghadelimiter_A", "ghadelimiter_B", "ghadelimiter_C"])
        write_outputs(
            path,
            {"multi": "line one\nghadelimiter_A\nline three", "plain": "x"},
            delimiter=lambda: next(draws),
        )
        text = path.read_text()
        assert text.startswith("earlier=1\nmulti<<ghadelimiter_B\n")
        assert parse_outputs(text.split("\n", 1)[1]) == {
            "multi": "line one\nghadelimiter_A\nline three",
            "plain": "x",
        }

    def test_default_delimiter_is_random(self, tmp_path: Path) -> None:
        """Two writes use different ghadelimiter_<uuid> markers."""
        path = tmp_path / "o"
        write_outputs(path, {"a": "1"})
        write_outputs(path, {"a": "2"})
        markers = [line.split("<<")[1] for line in path.read_text().splitlines() if "<<" in line]
        assert len(set(markers)) == 2 and all(m.startswith("ghadelimiter_") for m in markers)

    def test_step_summary_is_appended(self, tmp_path: Path) -> None:
        """Earlier steps' content stays; one newline-terminated section is added."""
        path = tmp_path / "s.md"
        path.write_text("before\n")
        append_step_summary(path, "## Section")
        assert path.read_text() == "before\n## Section\n"


def attempt(status: UploadStatus, **fields: Any) -> UploadResult:
    return UploadResult(provider="command", status=status, attempted_at="t", **fields)


class TestStepSummary:
    def test_sections_in_order(self) -> None:
        """Budget, provider uploads (reference table), artifacts with sizes."""
        text = step_summary(
            "## Telemetry Payload Budget\n\n- Current status: x",
            [
                attempt(
                    UploadStatus.SKIPPED,
                    command="aws",
                    exit_code=127,
                    skipped_reason="command_not_found",
                )
            ],
            [("a.json", 10), ("b|c.csv", 20)],
        )
        assert (
            text.index("## Telemetry Payload Budget")
            < text.index("## Telemetry Provider Uploads")
            < text.index("## Telemetry Artifacts")
        )
        assert "- Status breakdown: `skipped`: 1" in text
        assert "| command (aws) | skipped | 127 | 0 | \u2014 | \u2014 | command_not_found |" in text
        assert "| b\\|c.csv | 20 |" in text
        assert text.endswith("\n")

    def test_no_attempts(self) -> None:
        """The reference's empty text when nothing ran."""
        assert "No provider results recorded in `ci-artifacts.json`." in step_summary(None, [], [])

    def test_cut_to_one_mebibyte_with_a_note(self) -> None:
        """A summary over 1 MiB is cut at a line and says what was cut."""
        artifacts = [(f"artifact-{i:06d}-{'x' * 40}.json", i) for i in range(40000)]
        text = step_summary(None, [], artifacts)
        assert len(text.encode("utf-8")) <= 1024 * 1024
        last = text.rstrip("\n").splitlines()[-1]
        assert last.startswith("> Cut: the last ") and "1 MiB" in last
        small = step_summary(None, [], artifacts[:3])
        assert "Cut" not in small


class Raising:
    provider = "storage"

    def upload(self, files: Any, *, root: Path, name: str, context: UploadContext) -> UploadResult:
        raise RuntimeError("bucket exploded")


class Succeeding:
    provider = "other"

    def upload(self, files: Any, *, root: Path, name: str, context: UploadContext) -> UploadResult:
        return UploadResult(provider="other", status=UploadStatus.UPLOADED, attempted_at="t")


def test_a_raising_provider_is_a_failed_result_and_others_still_run(tmp_path: Path) -> None:
    """Failures are values; the events say started then failed."""
    bus = EventBus()
    seen: list[tuple[str, Any]] = []
    for name in (PUBLISH_STARTED, PUBLISH_COMPLETED, PUBLISH_FAILED):
        bus.on(name, lambda event, payload: seen.append((event, payload)))
    publisher = Publisher(providers=[Raising(), Succeeding()], bus=bus, clock=lambda: 0)
    context = UploadContext(manifest_path=tmp_path / "m.json", prefix="p")
    result = publisher.publish([tmp_path / "a"], root=tmp_path, name="p", context=context)
    assert [r.status for r in result.attempts] == [UploadStatus.FAILED, UploadStatus.UPLOADED]
    assert result.attempts[0].error_message == "RuntimeError: bucket exploded"
    assert [event for event, _ in seen] == [PUBLISH_STARTED, PUBLISH_FAILED]
    assert seen[1][1]["errorMessage"] == "RuntimeError: bucket exploded"
