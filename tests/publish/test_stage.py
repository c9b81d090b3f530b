"""Choosing providers, and the manifest written around them."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from worldstate.errors import ConfigurationError
from worldstate.publish import (
    CommandSpec,
    ProviderChoice,
    ProviderPlan,
    PublishEffects,
    PublishRequest,
    SubprocessRunner,
    build_manifest,
    github_uploader,
    plan_providers,
    publish_manifest,
    read_manifest,
)
from worldstate.publish import UploadContext as Context
from worldstate.redact import Redactor

RUNTIME = {"GITHUB_ACTIONS": "true", "ACTIONS_RUNTIME_TOKEN": "t" * 20, "ACTIONS_RESULTS_URL": "u"}
SPEC = CommandSpec(command="x")


class TestPlan:
    def test_defaults(self) -> None:
        """Commands (github as fallback with a runtime), else github on a runner, else nothing."""
        assert plan_providers([], [SPEC], {}) == ProviderPlan((SPEC,))
        assert plan_providers([], [SPEC], RUNTIME) == ProviderPlan((SPEC,), github_fallback=True)
        assert plan_providers([], [], {"RUNNER_NAME": "r"}) == ProviderPlan(github=True)
        assert plan_providers([], [], {}).empty

    def test_explicit_choices(self) -> None:
        """--provider picks exactly; none alone; command needs a command."""
        both = [ProviderChoice.GITHUB, ProviderChoice.COMMAND]
        assert plan_providers(both, [SPEC], {}) == ProviderPlan((SPEC,), github=True)
        assert plan_providers([ProviderChoice.NONE], [SPEC], RUNTIME).empty
        with pytest.raises(ConfigurationError, match="cannot be combined"):
            plan_providers([ProviderChoice.NONE, ProviderChoice.GITHUB], [], {})
        with pytest.raises(ConfigurationError, match="no command configured"):
            plan_providers([ProviderChoice.COMMAND], [], {})

    def test_a_destination_adds_the_storage_provider_last(self) -> None:
        """--upload-to adds storage to any plan; --provider storage alone runs only it."""
        url, options = "s3://b/{runId}", {"anon": True}
        plan = plan_providers([], [SPEC], {}, upload_to=url, storage_options=options)
        assert plan == ProviderPlan((SPEC,), storage=url, storage_options=options)
        alone = plan_providers([ProviderChoice.STORAGE], [SPEC], RUNTIME, upload_to=url)
        assert alone == ProviderPlan(storage=url)
        assert not alone.empty
        with pytest.raises(ConfigurationError, match="--upload-to URL"):
            plan_providers([ProviderChoice.STORAGE], [], {})
        with pytest.raises(ConfigurationError, match="cannot be combined"):
            plan_providers([ProviderChoice.NONE], [], {}, upload_to=url)
        with pytest.raises(ConfigurationError, match="unknown placeholder"):
            plan_providers([], [], {}, upload_to="s3://b/{when}")

    def test_github_outside_actions_names_what_is_missing(self, tmp_path: Path) -> None:
        """An explicit github provider off a runner says which variables it lacks."""
        uploader = github_uploader({}, clock=lambda: 0)
        result = uploader.upload(
            [], root=tmp_path, name="n", context=Context(manifest_path=tmp_path, prefix="n")
        )
        assert result.skipped_reason == "environment_unavailable"
        assert "GITHUB_ACTIONS, ACTIONS_RUNTIME_TOKEN, ACTIONS_RESULTS_URL" in (
            result.error_message or ""
        )


def test_a_provider_that_corrupts_the_manifest_cannot_lose_the_record(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A command that leaves garbage in the manifest: the rewrite is whole, attempts kept."""
    path = tmp_path / "ci-artifacts.json"
    garbage = "import os; open(os.environ['CI_ARTIFACT_METADATA'], 'w').write('{garbage')"
    manifest = build_manifest(
        generated_at=0, dry_run=False, written=[], context={}, redactor=Redactor()
    )
    outcome = publish_manifest(
        PublishRequest(
            manifest=manifest,
            manifest_path=path,
            root=tmp_path,
            name="n",
            plan=ProviderPlan((CommandSpec(command=sys.executable, args=("-c", garbage)),)),
            publish=True,
        ),
        PublishEffects(env={}, clock=lambda: 0, runner=SubprocessRunner(), redactor=Redactor()),
    )
    assert all(w.ok for w in outcome.manifest_writes)
    assert len(read_manifest(path).command_results) == 1
    assert "cannot be read" in caplog.text


def test_the_github_seam_gets_the_run_facts(tmp_path: Path) -> None:
    """The github provider is built by one injected factory and sees name, retention, env."""
    from worldstate.publish import UploadResult, UploadStatus

    seen: list[tuple[str, Context]] = []

    class Recording:
        provider = "githubActionsApi"

        def upload(self, files: object, *, root: Path, name: str, context: Context) -> UploadResult:
            seen.append((name, context))
            return UploadResult(provider=self.provider, status=UploadStatus.UPLOADED,
                                attempted_at="t", artifact_id="42")  # fmt: skip

    manifest = build_manifest(generated_at=0, dry_run=False, written=[], context={},
                              redactor=Redactor())  # fmt: skip
    outcome = publish_manifest(
        PublishRequest(manifest=manifest, manifest_path=tmp_path / "m.json", root=tmp_path,
                       name="qa", plan=ProviderPlan(github=True), publish=True, run_id="7",
                       retention_days=3),
        PublishEffects(env={"A": "b"}, clock=lambda: 0, runner=SubprocessRunner(),
                       redactor=Redactor(), github=lambda env, clock: Recording()),
    )  # fmt: skip
    [(name, context)] = seen
    assert (name, context.retention_days, context.run_id, dict(context.env)) == (
        "qa",
        3,
        "7",
        {"A": "b"},
    )
    assert outcome.result.uploaded() is not None
    assert read_manifest(tmp_path / "m.json").provider_records()[0]["artifactId"] == "42"
