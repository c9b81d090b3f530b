"""Turning a filesystem's exception into a message that names the object and what to check."""

from __future__ import annotations

from worldstate.errors import ExportError
from worldstate.storage._location import StorageLocation, display_url

__all__ = ["StorageError", "describe_failure"]


class StorageError(ExportError):
    """Object storage refused or failed a request; the message names the object's URL."""


_CREDENTIAL_HINT = (
    "check the credentials (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE, or "
    "--storage-option key=... secret=...)"
)


def describe_failure(target: StorageLocation, action: str, exc: BaseException) -> str:
    """``could not <action> <url>: <what went wrong, and what to check>``.

    The reason is the exception's own message with any credential-bearing URL shown without
    its credentials; secrets never appear in it.
    """
    reason = _clean(f"{type(exc).__name__}: {exc}")
    if not target.is_local:
        bucket = target.bucket
        if type(exc).__name__ == "NoCredentialsError":  # botocore's, matched without importing it
            reason = f"no credentials were found for bucket {bucket!r}: {_CREDENTIAL_HINT}"
        elif isinstance(exc, PermissionError):
            reason = f"access to bucket {bucket!r} was denied, {_CREDENTIAL_HINT} ({reason})"
        elif isinstance(exc, FileNotFoundError) and "bucket" in str(exc).lower():
            reason = f"bucket {bucket!r} does not exist: create it or fix the URL ({reason})"
    return f"could not {action} {target.display}: {reason}"


def _clean(text: str) -> str:
    return " ".join(display_url(word) if "://" in word else word for word in text.split())
