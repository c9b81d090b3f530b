"""The artifact service's messages, as its JSON mapping carries them.

Requests are encoded with the proto field names (snake_case), defaults left out, 64-bit
integers as decimal strings and timestamps as RFC 3339 UTC text.  Responses are accepted with
either snake_case or camelCase keys; a missing field means its default and unknown fields are
ignored, as the proto3 JSON mapping requires.
"""

from __future__ import annotations

import re
from typing import Any, TypeVar

import msgspec

__all__ = [
    "CreateArtifactRequest",
    "CreateArtifactResponse",
    "FinalizeArtifactRequest",
    "FinalizeArtifactResponse",
    "ListArtifactsRequest",
    "ListArtifactsResponse",
    "MonolithArtifact",
    "DeleteArtifactRequest",
    "DeleteArtifactResponse",
    "decode_response",
]

ARTIFACT_VERSION = 4
"""The artifact version sent on create: zipped artifacts, accepted by GitHub and by act alike
(a later version requires a ``mime_type`` field that act's server rejects)."""


class _Request(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    workflow_run_backend_id: str
    workflow_job_run_backend_id: str


class CreateArtifactRequest(_Request, frozen=True, kw_only=True, omit_defaults=True):
    """Start an artifact; the answer carries the URL to upload its zip to."""

    name: str
    version: int
    expires_at: str | None = None


class FinalizeArtifactRequest(_Request, frozen=True, kw_only=True, omit_defaults=True):
    """Seal an uploaded artifact with the size and hash of exactly the bytes sent."""

    name: str
    size: str
    hash: str | None = None


class ListArtifactsRequest(_Request, frozen=True, kw_only=True, omit_defaults=True):
    """List the run's artifacts, optionally only those of one name or id."""

    name_filter: str | None = None
    id_filter: str | None = None


class DeleteArtifactRequest(_Request, frozen=True, kw_only=True, omit_defaults=True):
    """Delete the run's artifact of this name."""

    name: str


class _Response(msgspec.Struct, frozen=True, kw_only=True):
    pass


class CreateArtifactResponse(_Response, frozen=True, kw_only=True):
    """``ok`` and the signed upload URL."""

    ok: bool = False
    signed_upload_url: str = ""


class FinalizeArtifactResponse(_Response, frozen=True, kw_only=True):
    """``ok`` and the artifact's id."""

    ok: bool = False
    artifact_id: int = 0


class MonolithArtifact(_Response, frozen=True, kw_only=True):
    """One artifact of a run, as listed."""

    database_id: int = 0
    name: str = ""
    size: int = 0
    created_at: str | None = None
    digest: str | None = None


class ListArtifactsResponse(_Response, frozen=True, kw_only=True):
    """The artifacts that matched."""

    artifacts: tuple[MonolithArtifact, ...] = ()


class DeleteArtifactResponse(_Response, frozen=True, kw_only=True):
    """``ok`` and the deleted artifact's id."""

    ok: bool = False
    artifact_id: int = 0


_R = TypeVar("_R", bound=msgspec.Struct)
_CAMEL_HUMP = re.compile(r"(?<=[a-z0-9])([A-Z])")


def decode_response(value: Any, response_type: type[_R]) -> _R:
    """Convert a decoded JSON answer into ``response_type``.

    Raises:
        msgspec.ValidationError: a field has a value of the wrong kind.
    """
    return msgspec.convert(_snake_keys(value), response_type, strict=False)


def _snake_keys(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            _CAMEL_HUMP.sub(r"_\1", str(key)).lower(): _snake_keys(v) for key, v in value.items()
        }
    if isinstance(value, list):
        return [_snake_keys(item) for item in value]
    return value
