"""The GitHub Actions artifact service: a pure-Python client and the ``githubActionsApi`` provider.

:class:`ArtifactClient` uploads a zip of files as an artifact of the running workflow job
(version 4 artifacts, the service ``actions/upload-artifact`` uses), lists and deletes them.
It speaks to GitHub and to nektos/act alike.  :func:`github_uploader` wraps it as an
:class:`~worldstate.publish.Uploader` for the publisher.
"""

from __future__ import annotations

from worldstate.publish.github._blob import BLOCK_SIZE
from worldstate.publish.github._client import (
    ArtifactClient,
    ListedArtifact,
    UploadedArtifact,
    write_mask_command,
)
from worldstate.publish.github._errors import (
    ArtifactConflictError,
    ArtifactError,
    ArtifactInputError,
    ArtifactNotFoundError,
    QuotaError,
    RuntimeEnvironmentError,
    ServiceError,
    UploadStalledError,
)
from worldstate.publish.github._provider import (
    COMMAND_LABEL,
    PROVIDER,
    GitHubActionsUploader,
    github_uploader,
)
from worldstate.publish.github._runtime import (
    REQUIRED_VARIABLES,
    ActionsRuntime,
    backend_ids_from_token,
    missing_variables,
)
from worldstate.publish.github._twirp import MAX_ATTEMPTS, SERVICE, backoff_bounds
from worldstate.publish.github._zip import MAX_FILES, check_artifact_name

__all__ = [
    # client
    "ArtifactClient",
    "UploadedArtifact",
    "ListedArtifact",
    "write_mask_command",
    # provider
    "GitHubActionsUploader",
    "github_uploader",
    "PROVIDER",
    "COMMAND_LABEL",
    # runtime
    "ActionsRuntime",
    "REQUIRED_VARIABLES",
    "missing_variables",
    "backend_ids_from_token",
    # rules and limits
    "check_artifact_name",
    "MAX_FILES",
    "MAX_ATTEMPTS",
    "BLOCK_SIZE",
    "SERVICE",
    "backoff_bounds",
    # errors
    "ArtifactError",
    "ArtifactConflictError",
    "ArtifactNotFoundError",
    "ArtifactInputError",
    "QuotaError",
    "RuntimeEnvironmentError",
    "ServiceError",
    "UploadStalledError",
]
