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
