"""The ``github`` provider's seam and the GitHub Actions runtime it needs.

:func:`github_uploader` is the one place the GitHub Actions artifact client
(:mod:`worldstate.publish.github`, imported only when a runtime is present) is plugged in.
Outside an Actions runtime the provider it returns records why nothing was uploaded.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Final

from worldstate._js import iso_from_ms
from worldstate.publish._model import UploadContext, Uploader, UploadResult, UploadStatus

__all__ = [
    "GITHUB_PROVIDER",
    "RUNTIME_VARIABLES",
    "RUNTIME_HINT",
    "on_actions_runner",
    "missing_runtime_variables",
    "github_uploader",
]

GITHUB_PROVIDER: Final = "githubActionsApi"
GITHUB_COMMAND: Final = "actions.artifact.upload"
RUNTIME_VARIABLES: Final = ("ACTIONS_RUNTIME_TOKEN", "ACTIONS_RESULTS_URL")
"""What the artifact service needs; GitHub gives them to actions, not to ``run:`` steps."""
RUNTIME_HINT: Final = (
    "GitHub gives them to actions, not to run: steps; expose them with a step such as "
    "`uses: actions/github-script@v7` running "
    "`core.exportVariable('ACTIONS_RUNTIME_TOKEN', process.env.ACTIONS_RUNTIME_TOKEN); "
    "core.exportVariable('ACTIONS_RESULTS_URL', process.env.ACTIONS_RESULTS_URL)` "
    "before this one (see docs/ci.md)"
)


def on_actions_runner(env: Mapping[str, str]) -> bool:
    """Whether this runs in a GitHub Actions job (``GITHUB_ACTIONS=true`` or a runner name)."""
    return env.get("GITHUB_ACTIONS", "").lower() == "true" or bool(env.get("RUNNER_NAME"))


def missing_runtime_variables(env: Mapping[str, str]) -> tuple[str, ...]:
    """The runtime variables (and the runner marker) that ``env`` lacks; empty when present."""
    missing = tuple(name for name in RUNTIME_VARIABLES if not env.get(name))
    return missing if on_actions_runner(env) else ("GITHUB_ACTIONS", *missing)


class _UnavailableGitHub:
    """A ``github`` provider that cannot upload and records why (a ``skipped`` result)."""

    provider = GITHUB_PROVIDER

    def __init__(self, reason: str, message: str, clock: Callable[[], int]) -> None:
        self._reason = reason
        self._message = message
        self._clock = clock

    def upload(
        self, files: Sequence[Path], *, root: Path, name: str, context: UploadContext
    ) -> UploadResult:
        return UploadResult(
            provider=self.provider,
            status=UploadStatus.SKIPPED,
            attempted_at=iso_from_ms(self._clock()),
            command=GITHUB_COMMAND,
            skipped_reason=self._reason,
            error_message=self._message,
            duration_ms=None,
            artifact_name=name,
            artifact_dir=str(root),
            files=tuple(str(f) for f in files),
            is_fallback=context.is_fallback,
        )


def github_uploader(env: Mapping[str, str], *, clock: Callable[[], int]) -> Uploader:
    """The ``github`` provider (GitHub Actions artifact service) for this environment.

    Outside an Actions runtime it records ``skipped`` / ``environment_unavailable`` with a
    message naming the missing variables and how a workflow provides them.
    """
    missing = missing_runtime_variables(env)
    if missing:
        message = f"the GitHub Actions artifact runtime is missing: {', '.join(missing)}; "
        return _UnavailableGitHub("environment_unavailable", message + RUNTIME_HINT, clock)
    from worldstate.publish import github  # httpx and the client load only when they run

    return github.github_uploader(env, clock=clock)
