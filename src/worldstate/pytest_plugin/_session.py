"""The end of a session: the manifest of every test's artifacts, and the publishing request.

:func:`publish_request` applies the export command's rule (publish in CI, or when asked);
:func:`finish_session` writes ``ci-artifacts.json`` and says what became of publishing.  Both
run only on the controller, and only when a test used a telemetry fixture.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from worldstate.clock import Clock
from worldstate.export import build_manifest, resolve_dry_run, write_manifest
from worldstate.pytest_plugin._state import SessionState, TestOutcome
from worldstate.redact import Redactor

__all__ = ["PublishRequest", "SessionResult", "publish_request", "finish_session"]


@dataclass(frozen=True, slots=True)
class PublishRequest:
    """Whether the session's folder is to be published, and what asked for it.

    Attributes:
        requested: ``--worldstate-publish`` was given, or ``CI`` is ``true``/``1``/``yes``.
        trigger: ``"--worldstate-publish"``, ``"CI=<value>"``, or ``None`` when not requested.
    """

    requested: bool
    trigger: str | None

    def note(self) -> dict[str, Any]:
        """What became of publishing; until a publisher is wired in, only the request."""
        return {
            "requested": self.requested,
            "trigger": self.trigger,
            "status": "not-available" if self.requested else "not-requested",
        }


@dataclass(frozen=True, slots=True)
class SessionResult:
    """What the end of the session did.

    Attributes:
        manifest_error: why the manifest could not be written, or ``None``.
        publish: the publishing request (and its status).
    """

    manifest_error: str | None
    publish: PublishRequest


def publish_request(flag: bool, env: Any) -> PublishRequest:
    """Publishing applies with ``--worldstate-publish`` or when ``CI`` is true-ish; the rule of
    ``worldstate export`` (a dry run unless in CI, the flag wins)."""
    if resolve_dry_run(False if flag else None, env):
        return PublishRequest(False, None)
    if flag:
        return PublishRequest(True, "--worldstate-publish")
    return PublishRequest(True, f"CI={env.get('CI', '')}")


def finish_session(state: SessionState, *, clock: Clock) -> SessionResult:
    """Write ``ci-artifacts.json``: every reported test with its outcome and artifacts."""
    publish = publish_request(state.settings.publish_flag, state.env)
    outcomes = state.outcomes()
    tests = [
        _test_entry(state, nodeid, outcomes.get(nodeid))
        for nodeid in sorted(set(outcomes) | set(state.telemetry))
    ]
    manifest = build_manifest(
        generated_at=clock(),
        dry_run=not publish.requested,
        artifact_paths=[
            artifact.path
            for nodeid in sorted(state.telemetry)
            for artifact in state.telemetry[nodeid].artifacts
        ],
        context={
            "source": "pytest",
            "artifactDir": str(state.settings.artifact_dir),
            "formats": list(state.settings.formats),
            "keep": state.settings.keep.value,
            "outcomes": dict(sorted(Counter(t["outcome"] for t in tests).items())),
            "tests": tests,
            "lostWorkers": sorted(state.lost_workers),
            "publish": publish.note(),
        },
        redactor=Redactor(state.env),
    )
    written = write_manifest(manifest, state.manifest_path)
    return SessionResult(None if written.ok else written.error, publish)


def _test_entry(state: SessionState, nodeid: str, outcome: TestOutcome | None) -> dict[str, Any]:
    record = state.telemetry.get(nodeid)
    entry: dict[str, Any] = {
        "nodeid": nodeid,
        "outcome": outcome.outcome if outcome else "unknown",
        "durationSeconds": round(outcome.duration, 6) if outcome else None,
        "telemetry": record is not None,
    }
    if record is not None:
        entry.update(
            folder=record.folder,
            kept=record.kept,
            budgetStatus=record.budget_status,
            worker=record.worker,
            artifacts=[a.to_json() for a in record.artifacts],
        )
    return entry
