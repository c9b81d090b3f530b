"""The report commands' options, inputs and failures (goldens cover the reference outputs)."""

from __future__ import annotations

import importlib
import inspect
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from tests.report.runs_fixture import make_run

from worldstate.cli import cli
from worldstate.report import resolve_inputs

SUMMARY = {"attempted": True, "attempts": 2, "succeeded": 1, "failed": 1, "providers": {}}


def _manifest(path: Path, fallback: object = SUMMARY, **extra: object) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"fallbackSummary": fallback, **extra}), encoding="utf-8")
    return path


def _invoke(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["report", *args], env=env)
    return result.exit_code, result.stdout, result.stderr


def test_public_surface_is_all() -> None:
    """``worldstate.report`` exports exactly its ``__all__``."""
    package = importlib.import_module("worldstate.report")
    public = {
        n
        for n in dir(package)
        if not n.startswith("_") and not inspect.ismodule(getattr(package, n))
    }
    assert public - {"annotations"} == set(package.__all__)


class TestInputs:
    def test_folders_globs_and_paths_resolve_in_order_without_duplicates(
        self, tmp_path: Path
    ) -> None:
        """A folder means every manifest below it (sorted); globs expand; duplicates drop."""
        b = _manifest(tmp_path / "runs" / "b" / "ci-artifacts.json")
        a = _manifest(tmp_path / "runs" / "a" / "ci-artifacts.json")
        other = _manifest(tmp_path / "other.json")
        got = resolve_inputs(
            ["other.json", "runs", "runs/*/ci-artifacts.json", " ", "missing.json"], cwd=tmp_path
        )
        assert got == [str(other), str(a), str(b), str(tmp_path / "missing.json")]

    def test_glob_matching_nothing_stays_and_is_reported(self, tmp_path: Path) -> None:
        """A pattern with no match is named as unreadable, not silently dropped."""
        code, out, err = _invoke("fallback", str(tmp_path / "nothing-*.json"))
        assert code == 0
        assert "No telemetry metadata manifests processed." in out
        assert "nothing-*.json" in err


class TestFallback:
    def test_strict_refuses_an_unreadable_manifest(self, tmp_path: Path) -> None:
        """--strict: exit 2 naming the file, nothing printed."""
        bad = tmp_path / "bad.json"
        bad.write_text("{", encoding="utf-8")
        code, out, err = _invoke("fallback", "--strict", str(bad))
        assert code == 2 and out == ""
        assert str(bad) in err and "line 1" in err

    @pytest.mark.parametrize("value", ["many", "nan", "Infinity"])
    def test_max_attempts_must_be_a_number(self, tmp_path: Path, value: str) -> None:
        """A threshold that is not a finite number is a usage error."""
        code, _out, err = _invoke(
            "fallback", "--max-attempts", value, str(_manifest(tmp_path / "m.json"))
        )
        assert code == 2 and "--max-attempts" in err

    def test_thresholds_exit_1_after_printing(self, tmp_path: Path) -> None:
        """Usage over the threshold: the report is printed, then exit 1 with what to check."""
        manifest = str(_manifest(tmp_path / "m.json"))
        code, out, err = _invoke("fallback", manifest, "--max-attempts", "0x1", "--fail-on-usage")
        assert code == 1
        assert out.startswith("## Telemetry Fallback Usage")
        assert "exceeded the threshold (1)" in err and "usage detected" in err

    def test_summary_file_gets_the_same_text_appended(self, tmp_path: Path) -> None:
        """--summary appends the printed text plus a newline (twice: two runs)."""
        manifest, summary = str(_manifest(tmp_path / "m.json")), tmp_path / "out" / "s.md"
        _, out, _ = _invoke("fallback", manifest, "--summary", str(summary))
        _invoke("fallback", manifest, "--summary", str(summary))
        assert summary.read_text(encoding="utf-8") == out + out

    def test_default_manifest_comes_from_the_environment(self, tmp_path: Path) -> None:
        """Without arguments, CI_ARTIFACT_METADATA names the manifest."""
        manifest = _manifest(tmp_path / "env.json")
        code, out, _ = _invoke("fallback", "--json", env={"CI_ARTIFACT_METADATA": str(manifest)})
        assert code == 0
        assert json.loads(out)["metadataPaths"] == [str(manifest)]

    def test_secrets_in_provider_names_are_redacted(self, tmp_path: Path) -> None:
        """A token that reached a manifest is not repeated by the report."""
        token = "ghp_" + "a1" * 12
        fallback = {"attempts": 1, "providers": {"p": {"attempts": 1, "lastStatus": token}}}
        code, out, _ = _invoke("fallback", "--json", str(_manifest(tmp_path / "m.json", fallback)))
        assert code == 0 and token not in out and "[REDACTED]" in out


class TestProviders:
    def test_step_summary_needs_the_variable(self, tmp_path: Path) -> None:
        """--step-summary without GITHUB_STEP_SUMMARY: exit 2, nothing printed."""
        code, out, err = _invoke(
            "providers",
            "--metadata",
            str(_manifest(tmp_path / "m.json")),
            "--step-summary",
            env={"GITHUB_STEP_SUMMARY": ""},
        )
        assert code == 2 and out == "" and "GITHUB_STEP_SUMMARY" in err

    def test_step_summary_appends_and_prints(self, tmp_path: Path) -> None:
        """The Markdown is printed and appended to the step summary."""
        step = tmp_path / "step.md"
        results = [{"provider": "githubActionsApi", "status": "uploaded", "exitCode": 0}]
        manifest = _manifest(tmp_path / "m.json", providerResults=results)
        code, out, _ = _invoke(
            "providers",
            "--metadata",
            str(manifest),
            "--step-summary",
            env={"GITHUB_STEP_SUMMARY": str(step)},
        )
        assert code == 0
        assert "| githubActionsApi | uploaded | 0 |" in out
        assert step.read_text(encoding="utf-8") == out

    def test_unreadable_is_a_warning_unless_strict(self, tmp_path: Path) -> None:
        """Missing manifest: warning and exit 0; with --strict exit 2."""
        missing = str(tmp_path / "none.json")
        assert _invoke("providers", "--metadata", missing)[:2] == (0, "")
        code, _, err = _invoke("providers", "--metadata", missing, "--strict")
        assert code == 2 and missing in err


class TestRuns:
    def test_markdown_rows_in_time_order_with_totals(self, tmp_path: Path) -> None:
        """One row per run, oldest first, with a column per provider and the totals."""
        for index, payload in ((2, 13000), (0, 4000), (1, None)):
            make_run(tmp_path, index, payload=payload)
        code, out, _ = _invoke("runs", str(tmp_path))
        assert code == 0
        lines = out.splitlines()
        assert lines[2] == (
            "| Time | Run | Artifacts | Bytes | Budget | Payload bytes "
            "| command | githubActionsApi |"
        )
        assert [line.split(" | ")[1] for line in lines[4:7]] == ["run-0", "run-1", "run-2"]
        assert (
            "| 2025-10-30T17:00:00.000Z | run-0 | 3 | 1371 | within_budget | 4000 / 12288 |" in out
        )
        assert "| exceeds_budget | 13000 / 12288 | succeeded | partial |" in out
        assert "- Runs over the payload budget: 1" in out
        assert "- Provider `githubActionsApi`: uploaded 1, failed 1, partial 1" in out

    def test_json_and_missing_artifacts(self, tmp_path: Path) -> None:
        """--json has every row; an artifact found nowhere is counted as missing."""
        manifest = make_run(tmp_path, 0, payload=100)
        next(manifest.parent.glob("*cascade*")).unlink()
        code, out, _ = _invoke("runs", str(manifest), "--json")
        assert code == 0
        run = json.loads(out)["runs"][0]
        assert run["missingArtifacts"] == 1 and run["artifactCount"] == 3
        assert run["providers"] == {"command": "succeeded", "githubActionsApi": "uploaded"}

    def test_html_is_written_atomically_and_refused_folders_exit_1(self, tmp_path: Path) -> None:
        """--html writes the page; a path that cannot be written is a job failure."""
        make_run(tmp_path / "runs", 0, payload=1)
        page = tmp_path / "page.html"
        assert _invoke("runs", str(tmp_path / "runs"), "--html", str(page))[0] == 0
        assert page.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
        (tmp_path / "file").write_text("x", encoding="utf-8")
        code, _, err = _invoke(
            "runs", str(tmp_path / "runs"), "--html", str(tmp_path / "file" / "p.html")
        )
        assert code == 1 and "cannot write" in err


def test_bench_report_runs_small() -> None:
    """`worldstate bench report` works end to end (the timing itself is for people to read)."""
    result = CliRunner().invoke(cli, ["bench", "report", "--manifests", "20", "--json"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout)
    assert figures["manifests"] == 20 and figures["reportBytes"] > 0
