"""Publishing finished exports to CI: upload providers and the records of their attempts.

* :class:`Uploader` is the provider contract; :class:`CommandUploader` runs a configured
  command (:func:`resolve_commands` reads the configuration), :func:`github_uploader` builds
  the GitHub Actions artifact provider.
* :class:`Publisher` runs providers with failures as values; :func:`plan_providers` chooses
  them and :func:`ci_requested` says whether to publish at all.
* :class:`Manifest` is ``ci-artifacts.json``, the manifest of record; :func:`publish_manifest`
  writes it around the providers, :func:`report_to_github` fills the step summary, outputs
  and annotations.
* :func:`send_budget_webhook` posts the payload-budget message.
"""

from __future__ import annotations

import typing

from worldstate import _lazy_exports

if typing.TYPE_CHECKING:
    from worldstate.publish._commands import (
        COMMAND_PROVIDER,
        DEFAULT_COMMAND_TIMEOUT,
        EXIT_NOT_FOUND,
        OUTPUT_KEEP_LIMIT,
        OUTPUT_READ_LIMIT,
        CommandOutcome,
        CommandRunner,
        CommandSpec,
        CommandUploader,
        SubprocessRunner,
        keep_output,
        parse_commands,
        resolve_commands,
    )
    from worldstate.publish._github import (
        GITHUB_PROVIDER,
        RUNTIME_VARIABLES,
        github_uploader,
        missing_runtime_variables,
        on_actions_runner,
    )
    from worldstate.publish._manifest import (
        MANIFEST_FILENAME,
        MANIFEST_SCHEMA_VERSION,
        CommandRecord,
        FallbackSummary,
        Manifest,
        ManifestArtifact,
        ProviderRecord,
        ProviderStats,
        WebhookRecord,
        build_manifest,
        encode_manifest,
        read_manifest,
        summarise_fallbacks,
        write_manifest,
    )
    from worldstate.publish._model import UploadContext, Uploader, UploadResult, UploadStatus
    from worldstate.publish._publisher import (
        PUBLISH_COMPLETED,
        PUBLISH_FAILED,
        PUBLISH_STARTED,
        TRUE_VALUES,
        ProviderChoice,
        ProviderPlan,
        Publisher,
        PublishResult,
        ci_requested,
        plan_providers,
    )
    from worldstate.publish._report import step_summary
    from worldstate.publish._stage import (
        GitHubReport,
        PublishEffects,
        PublishOutcome,
        PublishRequest,
        mask_secrets,
        publish_manifest,
        report_to_github,
    )
    from worldstate.publish._storage import STORAGE_PROVIDER, UPLOAD_PLACEHOLDERS, StorageUploader
    from worldstate.publish._webhook import (
        DEFAULT_WEBHOOK_STATUSES,
        check_webhook_url,
        parse_statuses,
        send_budget_webhook,
        webhook_due,
        webhook_lines,
    )
    from worldstate.publish._workflow import (
        MAX_ANNOTATIONS,
        STEP_SUMMARY_LIMIT,
        WorkflowCommands,
        append_step_summary,
        write_outputs,
    )

# Each name is imported from its module on first use: a local export loads the manifest and the
# publish stage, never the storage provider, the step summary or the workflow commands.
_LAZY = {
    "COMMAND_PROVIDER": "worldstate.publish._commands",
    "CommandOutcome": "worldstate.publish._commands",
    "CommandRecord": "worldstate.publish._manifest",
    "CommandRunner": "worldstate.publish._commands",
    "CommandSpec": "worldstate.publish._commands",
    "CommandUploader": "worldstate.publish._commands",
    "DEFAULT_COMMAND_TIMEOUT": "worldstate.publish._commands",
    "DEFAULT_WEBHOOK_STATUSES": "worldstate.publish._webhook",
    "EXIT_NOT_FOUND": "worldstate.publish._commands",
    "FallbackSummary": "worldstate.publish._manifest",
    "GITHUB_PROVIDER": "worldstate.publish._github",
    "GitHubReport": "worldstate.publish._stage",
    "MANIFEST_FILENAME": "worldstate.publish._manifest",
    "MANIFEST_SCHEMA_VERSION": "worldstate.publish._manifest",
    "MAX_ANNOTATIONS": "worldstate.publish._workflow",
    "Manifest": "worldstate.publish._manifest",
    "ManifestArtifact": "worldstate.publish._manifest",
    "OUTPUT_KEEP_LIMIT": "worldstate.publish._commands",
    "OUTPUT_READ_LIMIT": "worldstate.publish._commands",
    "PUBLISH_COMPLETED": "worldstate.publish._publisher",
    "PUBLISH_FAILED": "worldstate.publish._publisher",
    "PUBLISH_STARTED": "worldstate.publish._publisher",
    "ProviderChoice": "worldstate.publish._publisher",
    "ProviderPlan": "worldstate.publish._publisher",
    "ProviderRecord": "worldstate.publish._manifest",
    "ProviderStats": "worldstate.publish._manifest",
    "PublishEffects": "worldstate.publish._stage",
    "PublishOutcome": "worldstate.publish._stage",
    "PublishRequest": "worldstate.publish._stage",
    "PublishResult": "worldstate.publish._publisher",
    "Publisher": "worldstate.publish._publisher",
    "RUNTIME_VARIABLES": "worldstate.publish._github",
    "STEP_SUMMARY_LIMIT": "worldstate.publish._workflow",
    "STORAGE_PROVIDER": "worldstate.publish._storage",
    "StorageUploader": "worldstate.publish._storage",
    "SubprocessRunner": "worldstate.publish._commands",
    "TRUE_VALUES": "worldstate.publish._publisher",
    "UPLOAD_PLACEHOLDERS": "worldstate.publish._storage",
    "UploadContext": "worldstate.publish._model",
    "UploadResult": "worldstate.publish._model",
    "UploadStatus": "worldstate.publish._model",
    "Uploader": "worldstate.publish._model",
    "WebhookRecord": "worldstate.publish._manifest",
    "WorkflowCommands": "worldstate.publish._workflow",
    "append_step_summary": "worldstate.publish._workflow",
    "build_manifest": "worldstate.publish._manifest",
    "check_webhook_url": "worldstate.publish._webhook",
    "ci_requested": "worldstate.publish._publisher",
    "encode_manifest": "worldstate.publish._manifest",
    "github_uploader": "worldstate.publish._github",
    "keep_output": "worldstate.publish._commands",
    "mask_secrets": "worldstate.publish._stage",
    "missing_runtime_variables": "worldstate.publish._github",
    "on_actions_runner": "worldstate.publish._github",
    "parse_commands": "worldstate.publish._commands",
    "parse_statuses": "worldstate.publish._webhook",
    "plan_providers": "worldstate.publish._publisher",
    "publish_manifest": "worldstate.publish._stage",
    "read_manifest": "worldstate.publish._manifest",
    "report_to_github": "worldstate.publish._stage",
    "resolve_commands": "worldstate.publish._commands",
    "send_budget_webhook": "worldstate.publish._webhook",
    "step_summary": "worldstate.publish._report",
    "summarise_fallbacks": "worldstate.publish._manifest",
    "webhook_due": "worldstate.publish._webhook",
    "webhook_lines": "worldstate.publish._webhook",
    "write_manifest": "worldstate.publish._manifest",
    "write_outputs": "worldstate.publish._workflow",
}

__all__ = [
    # the provider contract
    "Uploader",
    "UploadContext",
    "UploadResult",
    "UploadStatus",
    # command providers
    "COMMAND_PROVIDER",
    "DEFAULT_COMMAND_TIMEOUT",
    "EXIT_NOT_FOUND",
    "OUTPUT_KEEP_LIMIT",
    "OUTPUT_READ_LIMIT",
    "CommandSpec",
    "CommandOutcome",
    "CommandRunner",
    "SubprocessRunner",
    "CommandUploader",
    "keep_output",
    "parse_commands",
    "resolve_commands",
    # github
    "GITHUB_PROVIDER",
    "RUNTIME_VARIABLES",
    "github_uploader",
    "missing_runtime_variables",
    "on_actions_runner",
    # publisher
    "PUBLISH_STARTED",
    "PUBLISH_COMPLETED",
    "PUBLISH_FAILED",
    "TRUE_VALUES",
    "ProviderChoice",
    "ProviderPlan",
    "Publisher",
    "PublishResult",
    "ci_requested",
    "plan_providers",
    # manifest
    "MANIFEST_FILENAME",
    "MANIFEST_SCHEMA_VERSION",
    "Manifest",
    "ManifestArtifact",
    "FallbackSummary",
    "ProviderStats",
    "CommandRecord",
    "ProviderRecord",
    "WebhookRecord",
    "build_manifest",
    "encode_manifest",
    "read_manifest",
    "summarise_fallbacks",
    "write_manifest",
    # the publish stage and GitHub Actions
    "PublishRequest",
    "PublishEffects",
    "PublishOutcome",
    "GitHubReport",
    "publish_manifest",
    "report_to_github",
    "mask_secrets",
    "step_summary",
    "MAX_ANNOTATIONS",
    "STEP_SUMMARY_LIMIT",
    "WorkflowCommands",
    "append_step_summary",
    "write_outputs",
    # budget webhook
    "DEFAULT_WEBHOOK_STATUSES",
    "check_webhook_url",
    "parse_statuses",
    "send_budget_webhook",
    "webhook_due",
    "webhook_lines",
    # object storage
    "STORAGE_PROVIDER",
    "StorageUploader",
    "UPLOAD_PLACEHOLDERS",
]


__getattr__, __dir__ = _lazy_exports(__name__, _LAZY, globals(), __all__)
