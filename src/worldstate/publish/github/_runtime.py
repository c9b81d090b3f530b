"""What the GitHub Actions runtime tells a step: service origin, token, backend ids, limits.

Everything is read once from an environment mapping into a frozen :class:`ActionsRuntime`;
nothing else in the client looks at the environment.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final
from urllib.parse import urlsplit

from worldstate.publish._github import RUNTIME_VARIABLES
from worldstate.publish.github._errors import ArtifactInputError, RuntimeEnvironmentError

__all__ = [
    "ActionsRuntime",
    "REQUIRED_VARIABLES",
    "missing_variables",
    "backend_ids_from_token",
    "resolve_retention",
]

REQUIRED_VARIABLES: Final = RUNTIME_VARIABLES
"""The variables without which no artifact can be uploaded."""

DEFAULT_STALL_TIMEOUT_S: Final = 300.0
"""How long an upload may make no progress before it is abandoned."""

MAX_RETENTION_DAYS: Final = 90
"""The longest retention GitHub accepts unless a repository allows less."""

_HOW_TO_PROVIDE: Final = (
    "they are set by the Actions runner inside a job (and by act); a `run:` step on GitHub gets "
    "them when an earlier step exports them, for example with "
    "`uses: actions/github-script` writing ACTIONS_RUNTIME_TOKEN and ACTIONS_RESULTS_URL "
    "to $GITHUB_ENV, or `uses: crazy-max/ghaction-github-runtime`"
)
_RESULTS_SCOPE: Final = "Actions.Results"


@dataclass(frozen=True, slots=True)
class ActionsRuntime:
    """The artifact-relevant part of a job's environment, validated.

    Attributes:
        token: the bearer token for the artifact service.
        results_origin: scheme, host and port of ``ACTIONS_RESULTS_URL`` (any path dropped).
        run_backend_id: the workflow run's backend id (a UUID on GitHub, an integer in act).
        job_backend_id: the job run's backend id.
        server_url: ``GITHUB_SERVER_URL`` without a trailing slash, when set.
        repository: ``GITHUB_REPOSITORY`` (``owner/name``), when set.
        run_id: ``GITHUB_RUN_ID``, when set.
        retention_cap: ``GITHUB_RETENTION_DAYS`` when it is a positive number, else ``None``.
        stall_timeout_s: ``ACTIONS_ARTIFACT_UPLOAD_TIMEOUT_MS`` in seconds (default 300).
    """

    token: str
    results_origin: str
    run_backend_id: str
    job_backend_id: str
    server_url: str | None = None
    repository: str | None = None
    run_id: str | None = None
    retention_cap: int | None = None
    stall_timeout_s: float = DEFAULT_STALL_TIMEOUT_S

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> ActionsRuntime:
        """Read and check the runtime variables.

        Raises:
            RuntimeEnvironmentError: a required variable is missing, the results URL is not an
                http(s) URL, the token carries no backend ids, or a limit is not a number.
        """
        missing = missing_variables(env)
        if missing:
            raise RuntimeEnvironmentError(
                f"not inside a GitHub Actions job: {', '.join(missing)} "
                f"{'is' if len(missing) == 1 else 'are'} not set; {_HOW_TO_PROVIDE}"
            )
        token = env["ACTIONS_RUNTIME_TOKEN"].strip()
        run_id, job_id = backend_ids_from_token(token)
        return cls(
            token=token,
            results_origin=_origin(env["ACTIONS_RESULTS_URL"]),
            run_backend_id=run_id,
            job_backend_id=job_id,
            server_url=_optional(env, "GITHUB_SERVER_URL", strip_slash=True),
            repository=_optional(env, "GITHUB_REPOSITORY"),
            run_id=_optional(env, "GITHUB_RUN_ID"),
            retention_cap=_retention_cap(env.get("GITHUB_RETENTION_DAYS")),
            stall_timeout_s=_stall_timeout(env.get("ACTIONS_ARTIFACT_UPLOAD_TIMEOUT_MS")),
        )

    def artifact_url(self, artifact_id: str) -> str | None:
        """The artifact's page, when the server, repository and run id are known."""
        if not (self.server_url and self.repository and self.run_id):
            return None
        run = f"{self.server_url}/{self.repository}/actions/runs/{self.run_id}"
        return f"{run}/artifacts/{artifact_id}"


def missing_variables(env: Mapping[str, str]) -> tuple[str, ...]:
    """The required runtime variables that are unset or empty in ``env``."""
    return tuple(name for name in REQUIRED_VARIABLES if not env.get(name, "").strip())


def backend_ids_from_token(token: str) -> tuple[str, str]:
    """The (workflow run, job run) backend ids from the token's ``scp`` claim.

    The token is a JWT; its payload is read without checking the signature (only the service
    can check it).  The claim holds space-separated scopes, one of which is
    ``Actions.Results:<run backend id>:<job backend id>``.

    Raises:
        RuntimeEnvironmentError: the token is not a JWT, or has no such scope.
    """
    problem = "ACTIONS_RUNTIME_TOKEN is not a usable runtime token"
    claims = _jwt_claims(token, problem)
    scopes = claims.get("scp")
    if not isinstance(scopes, str):
        raise RuntimeEnvironmentError(f"{problem}: it has no 'scp' claim")
    for scope in scopes.split():
        parts = scope.split(":")
        if parts[0] != _RESULTS_SCOPE:
            continue
        if len(parts) != 3 or not parts[1] or not parts[2]:
            raise RuntimeEnvironmentError(
                f"{problem}: its {_RESULTS_SCOPE} scope does not have the form "
                f"'{_RESULTS_SCOPE}:<run id>:<job id>'"
            )
        return parts[1], parts[2]
    raise RuntimeEnvironmentError(f"{problem}: its 'scp' claim has no {_RESULTS_SCOPE} scope")


def resolve_retention(requested: int | None, cap: int | None) -> tuple[int | None, bool]:
    """The retention to request and whether it was lowered to the repository's cap.

    ``None`` or ``0`` means the repository default (nothing is sent).

    Raises:
        ArtifactInputError: ``requested`` is outside 1-90.
    """
    if not requested:
        return None, False
    if not 1 <= requested <= MAX_RETENTION_DAYS:
        raise ArtifactInputError(
            f"retention days must be between 1 and {MAX_RETENTION_DAYS}, got {requested}",
            source="--retention-days",
        )
    if cap is not None and requested > cap:
        return cap, True
    return requested, False


def _jwt_claims(token: str, problem: str) -> dict[str, object]:
    parts = token.split(".")
    if len(parts) != 3:
        raise RuntimeEnvironmentError(f"{problem}: it is not a JWT (three dot-separated parts)")
    payload = parts[1] + "=" * (-len(parts[1]) % 4)
    try:
        claims = json.loads(base64.urlsafe_b64decode(payload))
    except (binascii.Error, ValueError) as exc:
        raise RuntimeEnvironmentError(f"{problem}: its payload is not base64 JSON") from exc
    if not isinstance(claims, dict):
        raise RuntimeEnvironmentError(f"{problem}: its payload is not a JSON object")
    return claims


def _origin(url: str) -> str:
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise RuntimeEnvironmentError(
            f"ACTIONS_RESULTS_URL must be an http(s) URL, got {url.strip()!r}"
        )
    return f"{parts.scheme}://{parts.netloc}"


def _optional(env: Mapping[str, str], name: str, *, strip_slash: bool = False) -> str | None:
    value = env.get(name, "").strip()
    if strip_slash:
        value = value.rstrip("/")
    return value or None


def _retention_cap(raw: str | None) -> int | None:
    # As the official client reads it: a leading integer; anything else (or 0, as act sets) is
    # no cap at all.
    digits = ""
    for char in (raw or "").strip():
        if not char.isdigit():
            break
        digits += char
    cap = int(digits) if digits else 0
    return cap if cap > 0 else None


def _stall_timeout(raw: str | None) -> float:
    if raw is None or not raw.strip():
        return DEFAULT_STALL_TIMEOUT_S
    try:
        millis = float(raw)
    except ValueError:
        millis = math.nan
    if not math.isfinite(millis) or millis <= 0:
        raise RuntimeEnvironmentError(
            f"ACTIONS_ARTIFACT_UPLOAD_TIMEOUT_MS must be a positive number of milliseconds, "
            f"got {raw!r}"
        )
    return millis / 1000
