"""`worldstate export` end to end: goldens, failures, bad input, secrets, installed script."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from tests._paths import EXPORTER_GOLDENS, GOLDENS, REPLAY_GOLDENS

from worldstate.cli import cli

REPLAY = REPLAY_GOLDENS
EXPORTER = EXPORTER_GOLDENS
CLEAN_ENV: dict[str, str | None] = {
    "CI": None,
    "BUILD_ID": None,
    "GITHUB_RUN_ID": None,
    "TELEMETRY_EXPORT_DIR": None,
    "TELEMETRY_CI_COMMANDS": None,
    "TELEMETRY_CI_COMMANDS_JSON": None,
    "TELEMETRY_CI_COMMANDS_PATH": None,
    "TELEMETRY_BUDGET_WEBHOOK_URL": None,
    "TELEMETRY_SPATIAL_BUDGET_BYTES": None,
    "GITHUB_ACTIONS": None,
    "RUNNER_NAME": None,
    "GITHUB_STEP_SUMMARY": None,
    "GITHUB_OUTPUT": None,
}


def invoke(*args: str | os.PathLike[str], env: dict[str, str | None] | None = None) -> Result:
    runner = CliRunner()
    return runner.invoke(cli, ["export", *map(str, args)], env={**CLEAN_ENV, **(env or {})})


def assert_same_artifacts(out: Path, expected: Path) -> None:
    """Every expected file is present; CSV/Markdown byte for byte, JSON by value."""
    for want in sorted(expected.iterdir()):
        got = out / want.name
        assert got.exists(), f"missing {want.name}"
        if want.suffix == ".json":
            assert json.loads(got.read_text("utf-8")) == json.loads(want.read_text("utf-8")), (
                want.name
            )
        else:
            assert got.read_bytes() == want.read_bytes(), want.name


def listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def expected_listing(expected: Path, prefix: str) -> list[str]:
    extra = [f"{prefix}-budget-status.json", f"{prefix}-budget-status.md", "ci-artifacts.json"]
    return sorted([p.name for p in expected.iterdir()] + extra)


def manifest(out: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((out / "ci-artifacts.json").read_text("utf-8"))
    return data


class TestReplayGoldens:
    @pytest.mark.parametrize("case", REPLAY, ids=[p.name for p in REPLAY])
    def test_events_reproduce_the_golden_artifacts(self, case: Path, tmp_path: Path) -> None:
        """Replaying events.jsonl gives exactly the expected files plus budget and manifest."""
        meta = json.loads((case / "meta.json").read_text())
        out = tmp_path / "out"
        result = invoke(
            "--events", case / "events.jsonl", "--prefix", meta["prefix"],
            "--formats", ",".join(meta["formats"]), "--out", out, "--no-publish",
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        assert_same_artifacts(out, case / "expected")
        assert listing(out) == expected_listing(case / "expected", meta["prefix"])
        data = manifest(out)
        assert data["dryRun"] is True
        assert [a["filename"] for a in data["artifacts"]] == data["context"]["artifactFilenames"]
        assert all(Path(a["filepath"]) == out / a["filename"] for a in data["artifacts"])
        assert data["commandResults"] == []

    @pytest.mark.parametrize("case", REPLAY, ids=[p.name for p in REPLAY])
    def test_snapshot_reproduces_the_golden_csvs(self, case: Path, tmp_path: Path) -> None:
        """Hydrating reference_snapshot.json gives the same cascade and tutorial CSVs."""
        meta = json.loads((case / "meta.json").read_text())
        out = tmp_path / "out"
        result = invoke(
            "--snapshot", case / "reference_snapshot.json", "--prefix", meta["prefix"],
            "--formats", "csv", "--generated-at", str(meta["generatedAt"]), "--out", out,
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        csvs = [p.name for p in (case / "expected").iterdir() if "transcript" not in p.name]
        csvs = [name for name in csvs if name.endswith(".csv")]
        assert len(csvs) == 2
        for name in csvs:
            assert (out / name).read_bytes() == (case / "expected" / name).read_bytes(), name


class TestSaveSource:
    def test_save_slot_reproduces_the_golden_csvs(self, tmp_path: Path) -> None:
        """A save made from a playthrough exports the same CSVs as the playthrough itself."""
        case = GOLDENS / "replay" / "story_demo"
        meta = json.loads((case / "meta.json").read_text())
        db = tmp_path / "saves.db"
        made = CliRunner().invoke(
            cli, ["saves", "import", "--db", str(db), "--slot", "case", "--events",
                  str(case / "events.jsonl")],
        )  # fmt: skip
        assert made.exit_code == 0, made.output
        out = tmp_path / "out"
        result = invoke(
            "--save", db, "--slot", "case", "--prefix", meta["prefix"], "--formats", "csv",
            "--generated-at", str(meta["generatedAt"]), "--out", out,
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        for name in ("cascade-targets", "tutorial-snapshots"):
            filename = f"{meta['prefix']}-{name}-20251030T170100Z.csv"
            assert (out / filename).read_bytes() == (case / "expected" / filename).read_bytes()

    def test_missing_slot_exits_2(self, tmp_path: Path) -> None:
        """An existing database without that slot is bad input; nothing is written."""
        db = tmp_path / "saves.db"
        made = CliRunner().invoke(
            cli, ["saves", "import", "--db", str(db), "--slot", "a", "--snapshot",
                  str(GOLDENS / "replay" / "edge_cases" / "reference_snapshot.json")],
        )  # fmt: skip
        assert made.exit_code == 0, made.output
        result = invoke("--save", db, "--slot", "other", "--out", tmp_path / "out")
        assert result.exit_code == 2
        assert "other" in result.output
        assert not (tmp_path / "out").exists()


class TestExporterGoldens:
    @pytest.mark.parametrize("case", EXPORTER, ids=[p.name for p in EXPORTER])
    def test_summary_reproduces_the_golden_artifacts(self, case: Path, tmp_path: Path) -> None:
        """--summary with the input's summary gives exactly the expected files."""
        spec = json.loads((case / "input.json").read_text())
        summary_file = tmp_path / "summary.json"
        summary_file.write_text(json.dumps(spec["summary"]))
        out = tmp_path / "out"
        args: list[Any] = [
            "--summary", summary_file, "--prefix", spec["prefix"],
            "--formats", ",".join(spec["formats"]), "--out", out, "--no-publish",
        ]  # fmt: skip
        if not (spec["summary"] or {}).get("generatedAt"):
            args += ["--generated-at", str(spec["now"])]
        result = invoke(*args)
        assert result.exit_code == 0, result.output
        assert_same_artifacts(out, case / "expected")
        assert listing(out) == expected_listing(case / "expected", spec["prefix"])

    def test_budget_report_follows_the_spatial_payload(self, tmp_path: Path) -> None:
        """An over-budget spatial summary yields an exceeds_budget report and its event record."""
        spec = json.loads((GOLDENS / "exporter" / "spatial_over_budget" / "input.json").read_text())
        summary_file = tmp_path / "summary.json"
        summary_file.write_text(json.dumps(spec["summary"]))
        result = invoke("--summary", summary_file, "--prefix", "p", "--out", tmp_path / "out")
        assert result.exit_code == 0, result.output
        report = json.loads((tmp_path / "out" / "p-budget-status.json").read_text())
        assert report["status"] == "exceeds_budget"
        assert report["hasBudgetOverruns"] is True
        assert [e["type"] for e in report["events"]] == ["spatialHash"]
        assert report["events"][0]["status"] == "exceeds_budget"
        markdown = (tmp_path / "out" / "p-budget-status.md").read_text()
        assert "**Action required:**" in markdown
        assert manifest(tmp_path / "out")["context"]["budgetStatus"] == report


class TestGeneratedAt:
    def test_summary_generated_at_override_wins(self, tmp_path: Path) -> None:
        """--generated-at replaces the summary's own generatedAt in names and payload."""
        summary_file = tmp_path / "s.json"
        summary_file.write_text(json.dumps({"generatedAt": 1761843600000}))
        result = invoke(
            "--summary", summary_file, "--generated-at", "0", "--out", tmp_path, "--formats", "json"
        )
        assert result.exit_code == 0, result.output
        payload = json.loads(
            (tmp_path / "save-inspector-summary-00000000T000000Z.json").read_text()
        )
        assert payload["generatedAt"] == 0

    def test_events_use_the_last_event_ts(self, tmp_path: Path) -> None:
        """Without an override, an event log's export is stamped with its last event's ts."""
        log = tmp_path / "e.jsonl"
        log.write_text(
            '{"ts": 1000, "event": "tutorial:started", "payload": {"totalSteps": 1}}\n'
            '{"ts": 1761843600000, "event": "story:flag:changed", "payload": {"flagId": "f"}}\n'
        )
        result = invoke("--events", log, "--out", tmp_path / "o", "--formats", "json", "--json")
        assert result.exit_code == 0, result.output
        assert json.loads(result.output)["generatedAt"] == 1761843600000
        assert (tmp_path / "o" / "save-inspector-summary-20251030T170000Z.json").exists()


class TestWriterFailures:
    def test_a_failing_mirror_does_not_stop_the_main_folder(self, tmp_path: Path) -> None:
        """A mirror below a regular file fails: exit 1 naming writer and file; --out is complete."""
        blocker = tmp_path / "blocker"
        blocker.write_text("")
        out = tmp_path / "out"
        case = GOLDENS / "replay" / "story_demo"
        meta = json.loads((case / "meta.json").read_text())
        result = invoke(
            "--events", case / "events.jsonl", "--prefix", meta["prefix"],
            "--formats", ",".join(meta["formats"]), "--out", out,
            "--mirror", blocker / "mirror",
        )  # fmt: skip
        assert result.exit_code == 1
        assert "writer 'mirror-1' could not write 'story_demo-summary-20251030T170100Z.json'" in (
            result.output
        )
        assert_same_artifacts(out, case / "expected")
        data = manifest(out)
        assert data["context"]["metrics"]["artifactsWritten"] == 7
        assert len(data["context"]["metrics"]["failures"]) == 7
        assert blocker.read_text() == ""

    def test_an_unwritable_out_folder_exits_1(self, tmp_path: Path) -> None:
        """When the artifact folder itself cannot be created the export fails with exit 1."""
        (tmp_path / "file").write_text("")
        result = invoke("--demo", "--out", tmp_path / "file" / "out")
        assert result.exit_code == 1
        assert "writer 'out' could not write" in result.output
        assert "'ci-artifacts.json'" in result.output


BAD_LOGS = {
    "malformed_line": ('{"ts": 1, "event": "a", "payload": {}}\n{"ts": 2, "event"\n', "line 2"),
    "ts_not_integer": ('{"ts": "soon", "event": "a", "payload": {}}\n', "line 1"),
    "ts_float": ('{"ts": 1, "event": "a", "payload": {}}\n'
                 '{"ts": 1.5, "event": "a", "payload": {}}\n', "line 2"),
}  # fmt: skip


class TestBadInput:
    """Bad input exits 2, names what and where, and writes nothing at all."""

    def assert_rejected(self, result: Result, out: Path, *fragments: str) -> None:
        assert result.exit_code == 2, result.output
        for fragment in fragments:
            assert fragment in result.output
        assert listing(out) == []

    @pytest.mark.parametrize("name", sorted(BAD_LOGS))
    def test_bad_event_logs(self, name: str, tmp_path: Path) -> None:
        """A bad line anywhere in the log is reported with file and line; no artifacts."""
        text, where = BAD_LOGS[name]
        log = tmp_path / "bad.jsonl"
        log.write_text(text)
        out = tmp_path / "out"
        self.assert_rejected(invoke("--events", log, "--out", out), out, "bad.jsonl", where)

    def test_missing_file(self, tmp_path: Path) -> None:
        """A missing events file is named."""
        out = tmp_path / "out"
        result = invoke("--events", tmp_path / "nope.jsonl", "--out", out)
        self.assert_rejected(result, out, "nope.jsonl")

    def test_missing_summary_file(self, tmp_path: Path) -> None:
        """A missing summary file is named."""
        out = tmp_path / "out"
        result = invoke("--summary", tmp_path / "nope.json", "--out", out)
        self.assert_rejected(result, out, "nope.json")

    def test_snapshot_not_an_object(self, tmp_path: Path) -> None:
        """A snapshot that is a JSON array is refused at path $."""
        snap = tmp_path / "snap.json"
        snap.write_text("[1, 2]")
        out = tmp_path / "out"
        self.assert_rejected(invoke("--snapshot", snap, "--out", out), out, "snap.json", "at $")

    def test_snapshot_with_a_bad_field(self, tmp_path: Path) -> None:
        """A snapshot whose field has the wrong type is refused naming the JSON path."""
        snap = tmp_path / "snap.json"
        snap.write_text(json.dumps({"factions": []}))
        out = tmp_path / "out"
        self.assert_rejected(invoke("--snapshot", snap, "--out", out), out, "snap.json", "factions")

    def test_summary_not_json(self, tmp_path: Path) -> None:
        """A summary file that is not JSON is refused with line and column."""
        bad = tmp_path / "summary.json"
        bad.write_text('{\n  "generatedAt": ,\n}')
        out = tmp_path / "out"
        self.assert_rejected(invoke("--summary", bad, "--out", out), out, "summary.json", "line 2")

    def test_summary_with_bad_generated_at(self, tmp_path: Path) -> None:
        """A summary whose generatedAt is not a number is refused naming file and path."""
        bad = tmp_path / "summary.json"
        bad.write_text('{"generatedAt": "yesterday"}')
        out = tmp_path / "out"
        result = invoke("--summary", bad, "--out", out)
        self.assert_rejected(result, out, "summary.json, at $.generatedAt")

    def test_summary_with_a_lone_surrogate(self, tmp_path: Path) -> None:
        """A \\ud800 escape in a summary is refused at parse time, naming its JSON path."""
        bad = tmp_path / "summary.json"
        bad.write_text(
            '{"generatedAt": 1, "source": "ok", "factions": '
            '{"cascadeTargets": [{"factionId": "\\ud800", "cascadeCount": 1}]}}'
        )
        out = tmp_path / "out"
        result = invoke("--summary", bad, "--out", out)
        self.assert_rejected(
            result,
            out,
            "summary.json, at $.factions.cascadeTargets[0].factionId: lone surrogate in string",
        )

    def test_summary_source_with_a_lone_surrogate(self, tmp_path: Path) -> None:
        """One in the summary's source (which reaches the manifest) is refused too."""
        bad = tmp_path / "summary.json"
        bad.write_text('{"generatedAt": 1, "source": "\\udfff"}')
        out = tmp_path / "out"
        result = invoke("--summary", bad, "--out", out)
        self.assert_rejected(result, out, "summary.json, at $.source: lone surrogate in string")

    def test_snapshot_with_nan(self, tmp_path: Path) -> None:
        """NaN/Infinity are not JSON: a snapshot holding one is refused with its path."""
        snap = tmp_path / "snap.json"
        snap.write_text('{"storyFlags": {"f": {"value": Infinity}}}')
        out = tmp_path / "out"
        result = invoke("--snapshot", snap, "--out", out)
        self.assert_rejected(
            result, out, "snap.json, at $.storyFlags.f.value: Infinity is not valid JSON"
        )

    @pytest.mark.parametrize(
        ("context", "message"),
        [
            ('{"a": NaN}', "--context, at $.a: NaN is not valid JSON"),
            ('{"a": "\\ud800"}', "--context, at $.a: lone surrogate in string"),
            ('{"a": ["x", "\udcff"]}', "--context, at $.a[1]: lone surrogate in string"),
        ],
    )
    def test_context_with_nan_or_lone_surrogate(
        self, context: str, message: str, tmp_path: Path
    ) -> None:
        """--context is parsed strictly; the last case is a non-UTF-8 argv byte."""
        out = tmp_path / "out"
        self.assert_rejected(invoke("--demo", "--context", context, "--out", out), out, message)

    def test_generated_at_outside_the_javascript_date_range(self, tmp_path: Path) -> None:
        """--generated-at beyond ±8.64e15 ms names the option, not the source."""
        out = tmp_path / "out"
        result = invoke("--demo", "--generated-at", "-99999999999999999", "--out", out)
        self.assert_rejected(
            result, out, "--generated-at: -99999999999999999 is outside the JavaScript date range"
        )

    def test_event_ts_outside_the_javascript_date_range(self, tmp_path: Path) -> None:
        """An event whose ts is beyond ±8.64e15 ms is refused with file and line."""
        log = tmp_path / "events.jsonl"
        log.write_text(
            '{"ts": 1, "event": "a", "payload": {}}\n'
            '{"ts": 9999999999999999, "event": "a", "payload": {}}\n'
        )
        out = tmp_path / "out"
        result = invoke("--events", log, "--out", out)
        self.assert_rejected(result, out, "events.jsonl, line 2: ts is outside the JavaScript")

    def test_unknown_format(self, tmp_path: Path) -> None:
        """An unknown format is a usage error naming it (D6)."""
        out = tmp_path / "out"
        result = invoke("--demo", "--formats", "json,pdf", "--out", out)
        self.assert_rejected(result, out, "'pdf'")

    @pytest.mark.parametrize("context", ["[1, 2]", '"text"', "{not json", "42"])
    def test_context_must_be_a_json_object(self, context: str, tmp_path: Path) -> None:
        """--context that is not a JSON object is refused."""
        out = tmp_path / "out"
        self.assert_rejected(invoke("--demo", "--context", context, "--out", out), out, "--context")

    @pytest.mark.parametrize("prefix", ["../x", "/abs", "a/b", "..", "a\\b", "x\ny", ""])
    def test_hostile_prefixes(self, prefix: str, tmp_path: Path) -> None:
        """A prefix that could leave the artifact folder is refused (B1)."""
        out = tmp_path / "out"
        self.assert_rejected(invoke("--demo", "--prefix", prefix, "--out", out), out, "prefix")
        assert listing(tmp_path) == []

    @pytest.mark.parametrize(
        ("prefix", "problem"),
        [
            ("a" * 240, "240 bytes long in UTF-8, over the limit of 187 bytes"),
            (".", "starts with '.'"),
            (".hidden", "starts with '.'"),
        ],
    )
    def test_prefixes_too_long_or_hidden(self, prefix: str, problem: str, tmp_path: Path) -> None:
        """A prefix whose file names cannot be written, or would be hidden: exit 2, no files."""
        out = tmp_path / "out"
        result = invoke("--demo", "--prefix", prefix, "--out", out)
        self.assert_rejected(result, out, "unsafe prefix", problem)
        assert listing(tmp_path) == []

    def test_two_sources(self, tmp_path: Path) -> None:
        """Two sources at once are a usage error."""
        out = tmp_path / "out"
        result = invoke("--demo", "--summary", tmp_path / "s.json", "--out", out)
        self.assert_rejected(result, out, "exactly one source", "--demo, --summary")

    def test_no_source(self, tmp_path: Path) -> None:
        """No source is a usage error."""
        out = tmp_path / "out"
        self.assert_rejected(invoke("--out", out), out, "exactly one source")

    def test_slot_without_save(self, tmp_path: Path) -> None:
        """--slot needs --save."""
        out = tmp_path / "out"
        self.assert_rejected(invoke("--demo", "--slot", "a", "--out", out), out, "--slot")

    def test_missing_save_database(self, tmp_path: Path) -> None:
        """A save database that does not exist is bad input."""
        out = tmp_path / "out"
        result = invoke("--save", tmp_path / "none.db", "--slot", "auto", "--out", out)
        self.assert_rejected(result, out, "none.db")

    def test_bad_metadata_name(self, tmp_path: Path) -> None:
        """A manifest path ending in '..' is refused before anything is written."""
        out = tmp_path / "out"
        result = invoke("--demo", "--out", out, "--metadata", f"{tmp_path}/x/..")
        self.assert_rejected(result, out, "--metadata")

    @pytest.mark.parametrize("which", ["current", "existing"])
    def test_metadata_that_is_a_folder(
        self, which: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """--metadata '' (the current folder) or an existing folder: exit 2, nothing written."""
        work = tmp_path / "work"
        work.mkdir()
        monkeypatch.chdir(work)
        out = tmp_path / "out"
        metadata = "" if which == "current" else str(work)
        result = invoke("--demo", "--out", out, "--metadata", metadata)
        self.assert_rejected(result, out, "--metadata", "is a folder")
        assert listing(work) == []


class TestManifestAndSecrets:
    SECRET_CONTEXT = json.dumps(
        {
            "GITHUB_TOKEN": "ghp_x",
            "url": "https://u:p@host/repo",
            "nested": {"db_password": "hunter2", "keep": "visible", "apiKey": ["k1"]},
            "branch": "main",
        }
    )

    def test_secrets_never_reach_manifest_or_stdout(self, tmp_path: Path) -> None:
        """Secret-looking keys and credential URLs are redacted everywhere we print or write."""
        out = tmp_path / "out"
        result = invoke("--demo", "--out", out, "--context", self.SECRET_CONTEXT, "--json")
        assert result.exit_code == 0, result.output
        human = invoke("--demo", "--out", tmp_path / "h", "--context", self.SECRET_CONTEXT)
        everything = result.output + human.output
        for path in [*out.iterdir(), *(tmp_path / "h").iterdir()]:
            everything += path.read_text("utf-8")
        for secret in ("ghp_x", "u:p@host", "hunter2", "k1"):
            assert secret not in everything
        context = manifest(out)["context"]
        assert context["GITHUB_TOKEN"] == "[REDACTED]"
        assert context["url"] == "[REDACTED]"
        assert context["nested"] == {
            "db_password": "[REDACTED]", "keep": "visible", "apiKey": "[REDACTED]"
        }  # fmt: skip
        assert context["branch"] == "main"

    def test_environment_secrets_and_token_shapes_never_reach_output(self, tmp_path: Path) -> None:
        """A secret env value in --context or BUILD_ID, and tokens, stay out of every output."""
        secret = "supersecretvalue123"
        context = json.dumps(
            {"note": f"value {secret}", "gh": "ghp_" + "Z" * 24, "Cookie": "session=1"}
        )
        env = {"MY_TOKEN": secret, "BUILD_ID": secret}
        out, human_out = tmp_path / "out", tmp_path / "h"
        result = invoke("--demo", "--out", out, "--context", context, "--json", env=env)
        human = invoke("--demo", "--out", human_out, "--context", context, env=env)
        assert result.exit_code == 0 and human.exit_code == 0, result.output + human.output
        everything = result.output + human.output
        for path in [*out.iterdir(), *human_out.iterdir()]:
            everything += path.read_text("utf-8")
        assert secret not in everything
        assert "ghp_" not in everything and "session=1" not in everything
        context_out = manifest(out)["context"]
        assert context_out["runId"] == context_out["note"] == "[REDACTED]"
        assert json.loads(result.output)["context"]["gh"] == "[REDACTED]"

    def test_manifest_context_fields(self, tmp_path: Path) -> None:
        """The manifest context carries runId from the env, the user context and the run facts."""
        out = tmp_path / "out"
        result = invoke(
            "--demo", "--out", out, "--prefix", "ci-7", "--context", '{"job": "export"}',
            "--publish", env={"GITHUB_RUN_ID": "4242", "CI": "true"},
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        data = manifest(out)
        assert list(data) == [
            "generatedAt", "generatedIso", "dryRun", "artifacts", "context",
            "fallbackSummary", "providerResults", "commandResults", "budgetWebhook",
            "schemaVersion",
        ]  # fmt: skip
        assert data["dryRun"] is False
        context = data["context"]
        assert list(context)[:3] == ["runId", "job", "prefix"]
        assert context["runId"] == "4242"
        assert context["prefix"] == "ci-7"
        assert context["artifactDir"] == str(out)
        assert context["summarySource"] == "worldStateStore"
        assert context["budgetStatus"]["status"] == "unknown"
        assert context["metrics"]["artifactsWritten"] == 5
        assert context["publish"] is True
        assert data["fallbackSummary"] == {
            "attempted": False, "attempts": 0, "succeeded": 0, "failed": 0, "partial": 0,
            "skipped": 0, "lastAttemptedAt": None, "providers": {},
        }  # fmt: skip

    @pytest.mark.parametrize(
        ("ci", "flag", "expected"),
        [
            (None, None, True),
            ("false", None, True),
            ("", None, True),
            ("TRUE", None, False),
            ("1", None, False),
            ("Yes", None, False),
            ("true", "--dry-run", True),
            (None, "--no-dry-run", False),
        ],
    )
    def test_dry_run_rule(
        self, ci: str | None, flag: str | None, expected: bool, tmp_path: Path
    ) -> None:
        """Dry-run unless CI is true/1/yes; the flag overrides (B4)."""
        args = ["--demo", "--out", str(tmp_path)] + ([flag] if flag else [])
        result = invoke(*args, env={"CI": ci})
        assert result.exit_code == 0, result.output
        assert manifest(tmp_path)["dryRun"] is expected

    def test_metadata_path_and_env_out_dir(self, tmp_path: Path) -> None:
        """--out defaults from TELEMETRY_EXPORT_DIR; --metadata puts the manifest elsewhere."""
        result = invoke(
            "--demo", "--metadata", tmp_path / "meta" / "m.json",
            env={"TELEMETRY_EXPORT_DIR": str(tmp_path / "env-out")},
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        data = json.loads((tmp_path / "meta" / "m.json").read_text())
        assert data["context"]["artifactDir"] == str(tmp_path / "env-out")
        assert len(listing(tmp_path / "env-out")) == 5

    def test_json_output_describes_the_run(self, tmp_path: Path) -> None:
        """--json prints a machine-readable result with every write and the manifest path."""
        result = invoke("--demo", "--out", tmp_path, "--json", "--formats", "json")
        assert result.exit_code == 0, result.output
        doc = json.loads(result.output)
        assert doc["ok"] is True and doc["source"] == "demo"
        assert doc["eventsReplayed"] == 59
        assert [w["status"] for w in doc["writes"]] == ["written"] * 3
        assert doc["manifestPath"] == str(tmp_path / "ci-artifacts.json")
        assert doc["manifestWritten"] is True
        assert doc["publish"] is False

    def test_quiet_prints_nothing(self, tmp_path: Path) -> None:
        """--quiet keeps a successful run silent."""
        result = invoke("--demo", "--out", tmp_path, "--quiet")
        assert result.exit_code == 0
        assert result.output == ""

    def test_human_output_lists_artifacts_and_manifest(self, tmp_path: Path) -> None:
        """The table names each artifact; the manifest path and budget status follow."""
        result = invoke("--demo", "--out", tmp_path)
        assert result.exit_code == 0, result.output
        for name in listing(tmp_path):
            if name != "ci-artifacts.json":
                assert name in result.output
        lines = result.output.splitlines()
        assert lines[0] == "Export OK: 5 artifacts written to 1 folder."
        header = next(line for line in lines if line.startswith("Artifact "))
        assert header.split()[-2:] == ["written", "(out)"]
        assert f"Manifest:        {tmp_path / 'ci-artifacts.json'} (written)" in lines
        assert "Budget status:   unknown (the summary has no spatial telemetry)" in lines
        assert f"Artifact folder: {tmp_path} (out)" in lines
        assert any(
            line.startswith("Summary source:  worldStateStore (from the bundled demo playthrough, ")
            for line in lines
        )

    def test_human_output_of_a_failing_mirror(self, tmp_path: Path) -> None:
        """Each writer has its own column; the failed one says FAILED on every row."""
        (tmp_path / "file").write_text("")
        out = tmp_path / "out"
        result = invoke("--demo", "--out", out, "--mirror", tmp_path / "file" / "m")
        assert result.exit_code == 1
        lines = result.output.splitlines()
        assert lines[0] == "Export FAILED: 5 of 11 writes failed (details below)."
        rows = [line for line in lines if line.startswith("save-inspector-")]
        assert len(rows) == 5
        assert all([c.strip() for c in row.split("│")][2:] == ["yes", "FAILED"] for row in rows)
        assert f"Mirror folder:   {tmp_path / 'file' / 'm'} (mirror-1)" in lines


class TestSubprocess:
    def test_module_run_reproduces_a_golden(self, tmp_path: Path) -> None:
        """A real `python -m worldstate export` process reads stdin and writes the golden files."""
        case = GOLDENS / "replay" / "story_demo"
        meta = json.loads((case / "meta.json").read_text())
        env = {k: v for k, v in os.environ.items() if k not in CLEAN_ENV}
        proc = subprocess.run(
            [sys.executable, "-m", "worldstate", "export", "--events", "-",
             "--prefix", meta["prefix"], "--formats", ",".join(meta["formats"]),
             "--out", str(tmp_path / "out"), "--quiet"],
            input=(case / "events.jsonl").read_bytes(), capture_output=True, env=env,
            check=False, timeout=120,
        )  # fmt: skip
        assert proc.returncode == 0, proc.stderr.decode()
        assert proc.stdout == b""
        assert_same_artifacts(tmp_path / "out", case / "expected")

    def test_bad_input_subprocess_exit_code(self, tmp_path: Path) -> None:
        """A real process exits 2 on bad input and prints the reason on stderr."""
        proc = subprocess.run(
            [sys.executable, "-m", "worldstate", "export", "--demo", "--prefix", "../x"],
            capture_output=True, text=True, cwd=tmp_path, check=False, timeout=120,
        )  # fmt: skip
        assert proc.returncode == 2
        assert "prefix" in proc.stderr
        assert listing(tmp_path) == []

    def test_installed_script_exports_the_demo_in_an_empty_folder(self, tmp_path: Path) -> None:
        """The installed `worldstate` console script runs --demo from any folder."""
        script = Path(sys.executable).with_name("worldstate")
        if not script.exists():
            found = shutil.which("worldstate")
            assert found is not None, "the worldstate console script is not installed"
            script = Path(found)
        env = {k: v for k, v in os.environ.items() if k not in CLEAN_ENV}
        proc = subprocess.run(
            [str(script), "export", "--demo"],
            cwd=tmp_path, capture_output=True, text=True, env=env, check=False, timeout=120,
        )  # fmt: skip
        assert proc.returncode == 0, proc.stderr
        out = tmp_path / "telemetry-artifacts"
        names = listing(out)
        assert len(names) == 6 and "ci-artifacts.json" in names
        data = manifest(out)
        assert data["dryRun"] is True
        assert sorted(a["filename"] for a in data["artifacts"]) == sorted(
            n for n in names if n != "ci-artifacts.json"
        )
        cascade = next(out.glob("save-inspector-cascade-targets-*.csv")).read_text()
        assert cascade.count("\ntarget,") == 2
