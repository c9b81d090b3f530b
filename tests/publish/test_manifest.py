"""The manifest of record: key order and types, results, fallback summary, atomic writes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import msgspec
import pytest

from worldstate.publish import (
    MANIFEST_SCHEMA_VERSION,
    UploadResult,
    UploadStatus,
    build_manifest,
    ci_requested,
    read_manifest,
    write_manifest,
)
from worldstate.redact import Redactor

REFERENCE_KEYS = [
    "generatedAt", "generatedIso", "dryRun", "artifacts", "context", "fallbackSummary",
    "providerResults",
]  # fmt: skip
PROVIDER_RECORD_KEYS = [
    "provider", "attemptedAt", "status", "exitCode", "durationMs", "artifactName", "artifactDir",
    "fileCount", "files", "skippedReason", "command", "args", "stdout", "stderr",
]  # fmt: skip
COMMAND_RECORD_KEYS = [
    "command", "args", "exitCode", "stdout", "stderr", "status", "skippedReason",
    "errorMessage", "errorCode", "durationMs",
]  # fmt: skip
SUMMARY_KEYS = [
    "attempted", "attempts", "succeeded", "failed", "partial", "skipped", "lastAttemptedAt",
    "providers",
]  # fmt: skip


def manifest(**overrides: Any) -> Any:
    options: dict[str, Any] = {
        "generated_at": 1761843600000,
        "dry_run": False,
        "written": ["/a/x.json", "/a/y.csv", "/a/x.json"],
        "context": {"runId": "7", "token": "t"},
        "redactor": Redactor(),
    }
    options.update(overrides)
    return build_manifest(**options)


def result(provider: str, status: UploadStatus, **fields: Any) -> UploadResult:
    return UploadResult(
        provider=provider, status=status, attempted_at="2025-10-30T17:00:01.000Z", **fields
    )


def as_json(m: Any) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(msgspec.json.encode(m))
    return data


class TestShape:
    def test_reference_keys_first_in_order_then_ours(self) -> None:
        """The reference's keys come first, in its order; commandResults etc. follow."""
        data = as_json(manifest())
        assert list(data)[: len(REFERENCE_KEYS)] == REFERENCE_KEYS
        assert list(data)[len(REFERENCE_KEYS) :] == [
            "commandResults", "budgetWebhook", "schemaVersion",
        ]  # fmt: skip
        assert data["schemaVersion"] == MANIFEST_SCHEMA_VERSION
        assert data["generatedIso"] == "2025-10-30T17:00:00.000Z"
        assert data["artifacts"] == [
            {"filepath": "/a/x.json", "filename": "x.json"},
            {"filepath": "/a/y.csv", "filename": "y.csv"},
        ]
        assert data["context"] == {"runId": "7", "token": "[REDACTED]"}
        assert list(data["fallbackSummary"]) == SUMMARY_KEYS
        assert data["providerResults"] == [] and data["commandResults"] == []

    def test_record_key_order_and_types(self) -> None:
        """Provider and command records follow the reference's key order and JSON types."""
        attempts = [
            result("command", UploadStatus.UPLOADED, command="aws", args=("s3", "cp"),
                   files=("/a/x.json",), exit_code=0),
            result("githubActionsApi", UploadStatus.SKIPPED, skipped_reason="client_unavailable",
                   is_fallback=True, duration_ms=None),
        ]  # fmt: skip
        data = as_json(manifest().with_results(attempts))
        [record] = data["providerResults"]
        assert list(record)[: len(PROVIDER_RECORD_KEYS)] == PROVIDER_RECORD_KEYS
        assert record["fileCount"] == 0 and record["isFallback"] is True
        assert [list(r)[: len(COMMAND_RECORD_KEYS)] for r in data["commandResults"]] == [
            COMMAND_RECORD_KEYS
        ] * 2
        first = data["commandResults"][0]
        types = {k: type(first[k]).__name__ for k in ("command", "args", "exitCode", "status")}
        assert types == {"command": "str", "args": "list", "exitCode": "int", "status": "str"}
        assert first["timeout"] is False and first["signal"] is None

    def test_fallback_summary_is_computed_from_the_records(self) -> None:
        """Only fallback records count, bucketed as the reference buckets them."""
        attempts = [
            result("command", UploadStatus.SKIPPED, exit_code=127),
            result("githubActionsApi", UploadStatus.FAILED, is_fallback=True, exit_code=1),
            result("storage", UploadStatus.UPLOADED),
        ]
        summary = as_json(manifest().with_results(attempts))["fallbackSummary"]
        assert summary == {
            "attempted": True, "attempts": 1, "succeeded": 0, "failed": 1, "partial": 0,
            "skipped": 0, "lastAttemptedAt": "2025-10-30T17:00:01.000Z",
            "providers": {"githubActionsApi": {
                "attempts": 1, "succeeded": 0, "failed": 1, "partial": 0, "skipped": 0,
                "lastStatus": "failed", "lastAttemptedAt": "2025-10-30T17:00:01.000Z",
            }},
        }  # fmt: skip

    def test_environment_secrets_are_redacted_from_the_context(self) -> None:
        """The redactor built from the environment catches secret values under any key."""
        context = {"runId": "tok-0123456789", "note": "plain"}
        env = {"CI_JOB_TOKEN": "tok-0123456789"}
        data = as_json(manifest(context=context, redactor=Redactor(env)))
        assert data["context"] == {"runId": "[REDACTED]", "note": "plain"}


class TestFiles:
    def test_written_atomically_as_pretty_json(self, tmp_path: Path) -> None:
        """write_manifest creates folders and leaves exactly the final file, ending in one LF."""
        result = write_manifest(manifest(generated_at=0), tmp_path / "deep" / "ci-artifacts.json")
        assert result.ok
        text = (tmp_path / "deep" / "ci-artifacts.json").read_text()
        assert text.startswith('{\n  "generatedAt": 0,\n')
        assert text.endswith("}\n") and not text.endswith("\n\n")
        assert [p.name for p in (tmp_path / "deep").iterdir()] == ["ci-artifacts.json"]

    def test_write_failure_is_a_value(self, tmp_path: Path) -> None:
        """A manifest path below a regular file gives a failed result, not an exception."""
        (tmp_path / "f").write_text("")
        result = write_manifest(manifest(), tmp_path / "f" / "m.json")
        assert not result.ok and result.writer_id == "manifest"

    def test_round_trip_keeps_foreign_provider_records(self, tmp_path: Path) -> None:
        """A record a provider script appended (its own keys) survives reading and rewriting."""
        path = tmp_path / "ci-artifacts.json"
        write_manifest(manifest(), path)
        data = json.loads(path.read_text())
        foreign = {"provider": "githubUpload", "transport": "github_cli", "fallbackDetails": None}
        data["providerResults"].append(foreign)
        path.write_text(json.dumps(data))
        again = read_manifest(path)
        rewritten = again.with_results([result("storage", UploadStatus.UPLOADED)])
        write_manifest(rewritten, path)
        records = json.loads(path.read_text())["providerResults"]
        assert records[0] == foreign and records[1]["provider"] == "storage"

    @pytest.mark.parametrize("text", ["{", "[]", '{"generatedAt": "x"}'])
    def test_malformed_manifest_names_the_file(self, text: str, tmp_path: Path) -> None:
        """A manifest that is not JSON or not a manifest is an InputError naming the file."""
        from worldstate.errors import InputError

        path = tmp_path / "m.json"
        path.write_text(text)
        with pytest.raises(InputError, match=str(path)):
            read_manifest(path)


class TestPublishRule:
    @pytest.mark.parametrize(
        ("env", "expected"),
        [
            ({}, False),
            ({"CI": ""}, False),
            ({"CI": "false"}, False),
            ({"CI": "0"}, False),
            ({"CI": "no"}, False),
            ({"CI": "true"}, True),
            ({"CI": " TRUE "}, True),
            ({"CI": "1"}, True),
            ({"CI": "yes"}, True),
        ],
    )
    def test_ci_values(self, env: dict[str, str], expected: bool) -> None:
        """Only true/1/yes (any case) mean CI."""
        assert ci_requested(None, env) is expected

    def test_flag_wins(self) -> None:
        """An explicit flag overrides the environment either way."""
        assert ci_requested(False, {"CI": "true"}) is False
        assert ci_requested(True, {}) is True
