"""The CI manifest: fields, redaction, dry-run rule and atomic writing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from worldstate.export import build_manifest, resolve_dry_run, write_manifest


class TestManifest:
    def test_fields_in_reference_order(self) -> None:
        """Keys and nested shapes follow REFERENCE §7.4 plus commandResults."""
        manifest = build_manifest(
            generated_at=1761843600000,
            dry_run=True,
            artifact_paths=["/a/x.json", "/a/y.csv", "/a/x.json"],
            context={"runId": "7", "token": "t"},
        )
        data = manifest.to_json()
        assert list(data) == [
            "generatedAt", "generatedIso", "dryRun", "artifacts", "context",
            "fallbackSummary", "commandResults",
        ]  # fmt: skip
        assert data["generatedIso"] == "2025-10-30T17:00:00.000Z"
        assert data["artifacts"] == [
            {"filepath": "/a/x.json", "filename": "x.json"},
            {"filepath": "/a/y.csv", "filename": "y.csv"},
        ]
        assert data["context"] == {"runId": "7", "token": "[REDACTED]"}
        assert data["fallbackSummary"]["attempted"] is False
        assert data["fallbackSummary"]["lastAttemptedAt"] is None
        assert data["commandResults"] == []

    def test_written_atomically_as_pretty_json(self, tmp_path: Path) -> None:
        """write_manifest creates folders and leaves exactly the final file, ending in one LF."""
        manifest = build_manifest(generated_at=0, dry_run=False, artifact_paths=[], context={})
        result = write_manifest(manifest, tmp_path / "deep" / "ci-artifacts.json")
        assert result.ok
        text = (tmp_path / "deep" / "ci-artifacts.json").read_text()
        assert text.startswith('{\n  "generatedAt": 0,\n')
        assert text.endswith("}\n") and not text.endswith("\n\n")
        assert json.loads(text)["dryRun"] is False
        assert [p.name for p in (tmp_path / "deep").iterdir()] == ["ci-artifacts.json"]

    def test_write_failure_is_a_value(self, tmp_path: Path) -> None:
        """A manifest path below a regular file gives a failed result, not an exception."""
        (tmp_path / "f").write_text("")
        manifest = build_manifest(generated_at=0, dry_run=True, artifact_paths=[], context={})
        result = write_manifest(manifest, tmp_path / "f" / "m.json")
        assert not result.ok and result.writer_id == "manifest"


class TestDryRun:
    @pytest.mark.parametrize(
        ("env", "expected"),
        [
            ({}, True),
            ({"CI": ""}, True),
            ({"CI": "false"}, True),
            ({"CI": "0"}, True),
            ({"CI": "no"}, True),
            ({"CI": "true"}, False),
            ({"CI": " TRUE "}, False),
            ({"CI": "1"}, False),
            ({"CI": "yes"}, False),
        ],
    )
    def test_ci_values(self, env: dict[str, str], expected: bool) -> None:
        """Only true/1/yes (any case) mean CI (B4)."""
        assert resolve_dry_run(None, env) is expected

    def test_flag_wins(self) -> None:
        """An explicit flag overrides the environment either way."""
        assert resolve_dry_run(True, {"CI": "true"}) is True
        assert resolve_dry_run(False, {}) is False


def test_build_manifest_redacts_with_the_given_redactor() -> None:
    """Environment secrets are redacted from the manifest context; the default knows none."""
    from worldstate.redact import Redactor

    context = {"runId": "tok-0123456789", "note": "plain", "Cookie": "c"}
    env = {"CI_JOB_TOKEN": "tok-0123456789"}
    manifest = build_manifest(
        generated_at=0, dry_run=True, artifact_paths=[], context=context, redactor=Redactor(env)
    )
    assert manifest.context == {"runId": "[REDACTED]", "note": "plain", "Cookie": "[REDACTED]"}
    plain = build_manifest(generated_at=0, dry_run=True, artifact_paths=[], context=context)
    assert plain.context["runId"] == "tok-0123456789"
