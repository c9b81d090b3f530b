"""The end of a session: the manifest of record for every test, and publishing the folder.

:func:`publish_request` applies the export command's rule (publish in CI, or when asked);
:func:`finish_session` writes ``ci-artifacts.json`` (the publish package's manifest of record,
with every test's outcome and artifacts in its context), runs the providers ``worldstate
export`` would run (one upload of the whole telemetry folder), and appends one GitHub step
summary section.  Both run only on the controller, and only when a test used a telemetry fixture.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from worldstate.clock import Clock
from worldstate.errors import WorldstateError
from worldstate.publish import (
    CommandRunner,
    GitHubReport,
    ProviderPlan,
    PublishEffects,
    PublishOutcome,
    PublishResult,
    SubprocessRunner,
    build_manifest,
    ci_requested,
    mask_secrets,
    plan_providers,
    publish_manifest,
    report_to_github,
    resolve_commands,
)
from worldstate.publish import PublishRequest as ManifestPublishRequest
from worldstate.pytest_plugin._state import SessionState, TestOutcome

__all__ = [
    "ARTIFACT_NAME",
    "PublishRequest",
    "SessionEffects",
    "SessionResult",
    "publish_request",
    "finish_session",
    "session_markdown",
]

ARTIFACT_NAME = "worldstate-pytest"
"""The uploaded artifact's name."""


@dataclass(frozen=True, slots=True)
class PublishRequest:
    """Whether the session's folder is to be published, and what asked for it.

    Attributes:
        requested: ``--worldstate-publish`` was given, or ``CI`` is ``true``/``1``/``yes``.
        trigger: ``"--worldstate-publish"``, ``"CI=<value>"``, or ``None`` when not requested.
    """

    requested: bool
    trigger: str | None


@dataclass(frozen=True, slots=True)
class SessionEffects:
    """The side effects of the end of a session, passed in.

    Attributes:
        clock: "now" in ms.
        runner: runs upload commands.
        stdout: where GitHub workflow commands (annotations) go.
    """

    clock: Clock
    runner: CommandRunner = field(default_factory=SubprocessRunner)
    stdout: TextIO = field(default_factory=lambda: sys.stdout)


@dataclass(frozen=True, slots=True)
class SessionResult:
    """What the end of the session did.

    Attributes:
        manifest_error: why the manifest could not be written, or ``None``.
        publish: the publishing request.
        result: every provider attempt (empty when nothing was published).
        publish_error: why publishing could not start (bad provider configuration), or ``None``.
    """

    manifest_error: str | None
    publish: PublishRequest
    result: PublishResult = field(default_factory=lambda: PublishResult(dry_run=True))
    publish_error: str | None = None

    @property
    def status(self) -> str:
        """``not-requested``, ``not-configured``, ``no-provider`` or the publish result's
        overall status (``uploaded``, ``partial``, ``failed``, ...)."""
        if not self.publish.requested:
            return "not-requested"
        if self.publish_error is not None:
            return "not-configured"
        if not self.result.attempts:
            return "no-provider"
        return _overall(self.result)


def _overall(result: PublishResult) -> str:
    statuses = {a.status.value for a in result.attempts}
    for status in ("failed", "timeout", "partial", "uploaded"):
        if status in statuses:
            return status
    return "skipped"


def publish_request(flag: bool, env: Mapping[str, str]) -> PublishRequest:
    """Publishing applies with ``--worldstate-publish`` or when ``CI`` is true-ish; the rule of
    ``worldstate export`` (a dry run unless in CI, the flag wins)."""
    if flag:
        return PublishRequest(True, "--worldstate-publish")
    if ci_requested(None, env):
        return PublishRequest(True, f"CI={env.get('CI', '')}")
    return PublishRequest(False, None)


def finish_session(state: SessionState, effects: SessionEffects) -> SessionResult:
    """Write ``ci-artifacts.json`` (every reported test with its outcome and artifacts), then,
    when publishing applies, upload the whole folder with the configured providers, record
    every attempt in the manifest and append the step summary section."""
    publish = publish_request(state.settings.publish_flag, state.env)
    plan, problem = _plan(publish, state.env)
    if publish.requested:  # before any provider output reaches the job log
        mask_secrets(state.env, state.redactor, effects.stdout)
    outcomes = state.outcomes()
    tests = [
        _test_entry(state, nodeid, outcomes.get(nodeid))
        for nodeid in sorted(set(outcomes) | set(state.telemetry))
    ]
    manifest = build_manifest(
        generated_at=effects.clock(),
        dry_run=not publish.requested or problem is not None,
        written=[
            artifact.path
            for nodeid in sorted(state.telemetry)
            for artifact in state.telemetry[nodeid].artifacts
            if Path(artifact.path).is_file()
        ],
        context=_context(state, tests, publish, problem),
        redactor=state.redactor,
    )
    outcome = publish_manifest(
        ManifestPublishRequest(
            manifest=manifest,
            manifest_path=state.manifest_path,
            root=state.settings.artifact_dir,
            name=ARTIFACT_NAME,
            plan=plan,
            publish=publish.requested and problem is None,
            run_id=state.env.get("GITHUB_RUN_ID") or None,
        ),
        PublishEffects(
            env=state.env, clock=effects.clock, runner=effects.runner, redactor=state.redactor
        ),
    )
    if publish.requested:
        _report(state, tests, outcome, effects.stdout)
    written = outcome.manifest_write
    return SessionResult(None if written.ok else written.error, publish, outcome.result, problem)


def _plan(publish: PublishRequest, env: Mapping[str, str]) -> tuple[ProviderPlan, str | None]:
    if not publish.requested:
        return ProviderPlan(), None
    try:
        return plan_providers((), resolve_commands((), env), env), None
    except WorldstateError as exc:
        return ProviderPlan(), str(exc)


def _context(
    state: SessionState,
    tests: list[dict[str, Any]],
    publish: PublishRequest,
    problem: str | None,
) -> dict[str, Any]:
    return {
        "source": "pytest",
        "artifactName": ARTIFACT_NAME,
        "artifactDir": str(state.settings.artifact_dir),
        "formats": list(state.settings.formats),
        "keep": state.settings.keep.value,
        "outcomes": dict(sorted(Counter(t["outcome"] for t in tests).items())),
        "tests": tests,
        "lostWorkers": sorted(state.lost_workers),
        "publish": {
            "requested": publish.requested,
            "trigger": publish.trigger,
            "error": problem,
        },
    }


def _report(
    state: SessionState, tests: list[dict[str, Any]], outcome: PublishOutcome, stream: TextIO
) -> None:
    overruns = [t["nodeid"] for t in tests if t.get("budgetStatus") == "exceeds_budget"]
    files = [Path(a.filepath) for a in outcome.manifest.artifacts]
    report = GitHubReport(
        budget_markdown=session_markdown(tests, outcome.result),
        budget_status="exceeds_budget" if overruns else "within_budget",
        budget_warning=(
            f"Inspector telemetry payload exceeds its budget in {len(overruns)} test(s)"
            if overruns
            else None
        ),
        artifacts=[
            (str(p.relative_to(state.settings.artifact_dir)), p.stat().st_size)
            for p in files
            if p.is_file() and p.is_relative_to(state.settings.artifact_dir)
        ],
        artifact_dir=state.settings.artifact_dir,
    )
    report_to_github(
        outcome,
        report,
        name=ARTIFACT_NAME,
        manifest_path=state.manifest_path,
        env=state.env,
        stream=stream,
    )


def session_markdown(tests: list[dict[str, Any]], result: PublishResult) -> str:
    """The step summary's session part: outcome counts, budget overruns, each test's folder,
    and the uploaded artifact's link when a provider gave one."""
    counts = Counter(t["outcome"] for t in tests)
    lines = [
        "### worldstate pytest telemetry",
        "",
        f"{len(tests)} tests: " + ", ".join(f"{n} {o}" for o, n in sorted(counts.items())),
    ]
    links = [a.artifact_url for a in result.attempts if a.artifact_url]
    lines += [f"Artifact: {url}" for url in links]
    overruns = [t for t in tests if t.get("budgetStatus") == "exceeds_budget"]
    if overruns:
        lines += ["", f"Budget overruns ({len(overruns)}):"]
        lines += [f"- `{t['nodeid']}`" for t in overruns]
    lines += ["", "| Test | Outcome | Budget | Folder |", "| --- | --- | --- | --- |"]
    lines += [
        f"| `{_cell(t['nodeid'])}` | {t['outcome']} | {t.get('budgetStatus') or '-'} "
        f"| {_cell(t.get('folder') or '-')} |"
        for t in tests
    ]
    return "\n".join(lines)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


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
