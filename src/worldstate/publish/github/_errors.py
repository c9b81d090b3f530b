"""The errors of the GitHub Actions artifact client.

::

    WorldstateError
    ├── ConfigurationError
    │   └── RuntimeEnvironmentError   the Actions runtime variables are missing or unusable
    ├── InputError
    │   └── ArtifactInputError        a bad artifact name, path, file set or option
    └── ArtifactError                 the artifact service or its storage failed (exit code 1)
        ├── ArtifactConflictError     the name is already used in this run (HTTP 409)
        ├── ArtifactNotFoundError     no artifact of that name in this run
        ├── QuotaError                the storage quota is used up (never retried)
        ├── UploadStalledError        no upload progress within the stall timeout
        └── ServiceError              any other failure of a call (status and message kept)
"""

from __future__ import annotations

from worldstate.errors import ConfigurationError, InputError, WorldstateError

__all__ = [
    "RuntimeEnvironmentError",
    "ArtifactInputError",
    "ArtifactError",
    "ArtifactConflictError",
    "ArtifactNotFoundError",
    "QuotaError",
    "UploadStalledError",
    "ServiceError",
]


class RuntimeEnvironmentError(ConfigurationError):
    """The GitHub Actions runtime variables are missing or cannot be used."""


class ArtifactInputError(InputError):
    """An artifact name, a file, the root folder or an option is not acceptable."""


class ArtifactError(WorldstateError):
    """A call to the artifact service or its blob storage failed."""


class ArtifactConflictError(ArtifactError):
    """An artifact with this name was already uploaded in this workflow run."""

    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(
            f"an artifact named {name!r} already exists in this workflow run (HTTP 409); "
            "choose another name, or pass --overwrite to delete the old one first"
        )


class ArtifactNotFoundError(ArtifactError):
    """No artifact of that name exists in this workflow run."""

    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(f"no artifact named {name!r} in this workflow run")


class QuotaError(ArtifactError):
    """The account's artifact storage quota is used up; retrying cannot help."""


class UploadStalledError(ArtifactError):
    """The blob upload made no progress within the stall timeout."""


class ServiceError(ArtifactError):
    """A call failed for good: its status (``None`` for a network failure) and message.

    Args:
        message: what failed, with the service's own message when it gave one.
        status: the HTTP status, or ``None`` when no response arrived.
        code: the Twirp error code (``invalid_argument``, ``internal``...), when given.
        retryable: whether the failure is of a kind that was (or may be) retried.
    """

    def __init__(
        self, message: str, *, status: int | None, code: str | None = None, retryable: bool
    ) -> None:
        self.status = status
        self.code = code
        self.retryable = retryable
        super().__init__(message)
