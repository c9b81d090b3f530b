"""The worldstate pytest plugin (entry point ``worldstate`` in the ``pytest11`` group).

Fixtures:

* ``worldstate_telemetry``: a :class:`WorldTelemetry` (a fresh bus, store, tutorial transcript
  recorder and :class:`~worldstate.clock.ManualClock`), exported into the test's folder once
  the test's body has run, pass or fail (at teardown when its setup failed), and attached to
  the test's call report for JUnit XML, pytest-html and Allure.
* ``worldstate_telemetry_factory``: a :class:`TelemetryFactory` for games that bring their own
  bus or store.

A run whose tests use neither fixture is left alone: nothing is written or printed, and the
inspector, export and writer packages are not even imported.  See ``docs/pytest.md``.
"""

from __future__ import annotations

import os
from collections.abc import Generator, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import pytest

from worldstate.pytest_plugin._reports import (
    allure_active,
    attach_to_allure,
    attachment_lines,
    html_extras,
    html_report_dir,
    junit_suite_recorder,
)
from worldstate.pytest_plugin._settings import (
    KeepPolicy,
    PluginSettings,
    add_options,
    resolve_settings,
)
from worldstate.pytest_plugin._state import (
    WORKER_OUTPUT_KEY,
    ArtifactFile,
    SessionState,
    TestTelemetry,
    outcome_of,
    phase_of,
)

if TYPE_CHECKING:
    from worldstate.pytest_plugin._export import ExportedFiles, PristineExports
    from worldstate.pytest_plugin._telemetry import TelemetryFactory, TestScope, WorldTelemetry

__all__ = [
    "WorldTelemetry",
    "TelemetryFactory",
    "ExportedFiles",
    "ArtifactFile",
    "KeepPolicy",
    "PluginSettings",
    "worldstate_telemetry",
    "worldstate_telemetry_factory",
    "pytest_addoption",
    "pytest_configure",
    "pytest_configure_node",
    "pytest_runtest_makereport",
    "pytest_testnodedown",
    "pytest_sessionfinish",
    "pytest_terminal_summary",
]

_LAZY: Final = {
    "WorldTelemetry": "_telemetry",
    "TelemetryFactory": "_telemetry",
    "ExportedFiles": "_export",
}
_WORKER_DIR_KEY: Final = "worldstate_dir"


def __getattr__(name: str) -> Any:
    # The classes behind the fixtures load on first use, so sessions that never use them
    # do not import the inspector and export packages.
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(f"{__name__}.{module}"), name)


@dataclass(frozen=True, slots=True)
class _Finished:
    """A test's exports, for the attachments made on its report."""

    artifacts: tuple[ArtifactFile, ...]
    summaries: tuple[Mapping[str, Any], ...]
    failures: tuple[str, ...]


@dataclass(slots=True)
class _Running:
    """A test with telemetry, from its fixture's setup to its teardown.

    Attributes:
        scope: what the telemetries know about the test.
        factory: the factory the fixtures hand out.
        phases: the test's phase reports so far.
        finished: its exports, once made (after the call, or at teardown without a call).
        error: what the export raised, re-raised at the fixture's teardown.
    """

    scope: TestScope
    factory: TelemetryFactory
    phases: dict[str, Any] = field(default_factory=dict)
    finished: _Finished | None = None
    error: BaseException | None = None


_STATE = pytest.StashKey[SessionState]()
_RUNNING = pytest.StashKey[_Running]()
_PRISTINE = pytest.StashKey["PristineExports"]()


def pytest_addoption(parser: pytest.Parser) -> None:
    """Register ``--worldstate-*`` and the ``worldstate_*`` ini options."""
    add_options(parser)


class _ReportListener:
    """Remembers every test's phases (an xdist controller sees its workers' reports here)."""

    def __init__(self, state: SessionState) -> None:
        self._state = state

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        self._state.record_report(report)


def pytest_configure(config: pytest.Config) -> None:
    """Resolve the options once; an invalid one stops the run with its source named."""
    workerinput: Mapping[str, Any] | None = getattr(config, "workerinput", None)
    given_dir = workerinput.get(_WORKER_DIR_KEY) if workerinput is not None else None
    settings = resolve_settings(config, artifact_dir=None if given_dir is None else Path(given_dir))
    worker = str(workerinput["workerid"]) if workerinput is not None else "master"
    state = SessionState(settings, os.environ, worker)
    config.stash[_STATE] = state
    if workerinput is None:
        config.pluginmanager.register(_ReportListener(state), "worldstate-reports")


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """(xdist controller) Hand every worker the folder resolved here."""
    node.workerinput[_WORKER_DIR_KEY] = str(node.config.stash[_STATE].settings.artifact_dir)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object) -> None:
    """(xdist controller) Take in what a worker exported."""
    output = getattr(node, "workeroutput", {}).get(WORKER_OUTPUT_KEY)
    worker = str(node.workerinput.get("workerid", "?"))
    node.config.stash[_STATE].merge_worker_output(worker, output)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, Any, None]:
    """Export a telemetry test once its call is reported, and attach the files to that report.

    The call report knows the outcome and duration, and every fixture is still alive: the
    state exported is the world right after the test's body.  A test without a call (its setup
    failed or skipped) is exported at its fixture's teardown and attached to the teardown report.
    """
    outcome = yield
    running = item.stash.get(_RUNNING, None)
    if running is None:
        return
    report: pytest.TestReport = outcome.get_result()
    running.phases[report.when] = phase_of(report)
    if report.when == "call":
        _export_test(item, running)
        assert running.finished is not None
        _attach(item, report, running.finished)
    elif report.when == "teardown" and "call" not in running.phases and running.finished:
        _attach(item, report, running.finished)


def _attach(item: pytest.Item, report: pytest.TestReport, finished: _Finished) -> None:
    if not finished.artifacts:
        return
    config = item.config
    lines = attachment_lines(finished.artifacts)
    # As if the test had printed them in this phase: junitxml writes a test's captured
    # output from its last report, which collects every phase's sections.
    report.sections.append((f"Captured stdout {report.when}", lines))
    if report.when != "teardown":
        item.add_report_section(report.when, "stdout", lines)
    report_dir = html_report_dir(config)
    if report_dir is not None:
        extras = html_extras(report_dir, finished.artifacts, finished.summaries)
        report.extras = [*getattr(report, "extras", []), *extras]  # type: ignore[attr-defined]
    if allure_active(config):
        attach_to_allure(finished.artifacts, finished.summaries)


@pytest.fixture
def worldstate_telemetry_factory(request: pytest.FixtureRequest) -> Iterator[TelemetryFactory]:
    """Make telemetries over fresh worlds or the game's own store or bus; each is exported
    into ``<--worldstate-dir>/<test slug>/`` once the test's body has run."""
    from worldstate.pytest_plugin._export import remove_exported
    from worldstate.pytest_plugin._telemetry import TelemetryFactory

    state = request.config.stash[_STATE]
    item = request.node
    scope = _scope(item, state)
    # An earlier run's files for this test; the folder goes too if the test keeps nothing.
    remove_exported(scope.folder, scope.prefix, remove_empty_folder=False)
    factory = TelemetryFactory(scope)
    running = _Running(scope, factory)
    item.stash[_RUNNING] = running
    try:
        yield factory
    finally:
        _teardown(item, running)


@pytest.fixture
def worldstate_telemetry(worldstate_telemetry_factory: TelemetryFactory) -> WorldTelemetry:
    """A world store with a transcript recorder and a ManualClock, exported after the test."""
    return worldstate_telemetry_factory()


def _scope(item: pytest.Item, state: SessionState) -> TestScope:
    from worldstate.pytest_plugin._export import test_slug
    from worldstate.pytest_plugin._telemetry import TestScope

    slug = test_slug(item.nodeid)
    return TestScope(
        nodeid=item.nodeid,
        test_name=item.name,
        test_path=item.path,
        rootdir=item.config.rootpath,
        folder=state.settings.artifact_dir / slug,
        prefix=slug,
        settings=state.settings,
        redactor=state.redactor,
        context={"testId": item.nodeid, "worker": state.worker},
        on_snapshot_written=state.snapshots_written.append,
        pristine=_pristine_exports(item.config),
    )


def _pristine_exports(config: pytest.Config) -> PristineExports:
    from worldstate.pytest_plugin._export import PristineExports

    found = config.stash.get(_PRISTINE, None)
    if found is None:
        found = config.stash[_PRISTINE] = PristineExports()
    return found


def _teardown(item: pytest.Item, running: _Running) -> None:
    """Export when the call did not (no call phase), close the worlds, report a failed export."""
    __tracebackhide__ = True
    try:
        if running.finished is None:
            _export_test(item, running)
    finally:
        running.factory.close()
    if running.error is not None:
        raise running.error
    assert running.finished is not None
    if running.finished.failures:
        failures = "; ".join(running.finished.failures)
        pytest.fail(f"worldstate: telemetry export failed: {failures}", pytrace=False)


def _export_test(item: pytest.Item, running: _Running) -> None:
    """Export every telemetry of the test (when the keep policy keeps it) and record it.

    Never raises: what the export raised is kept for the fixture's teardown to raise, so it
    fails the test's teardown as an error rather than the session.
    """
    from worldstate.pytest_plugin._export import remove_exported

    state = item.config.stash[_STATE]
    scope = running.scope
    outcome = outcome_of(running.phases)
    scope.context.update(
        outcome=outcome,
        durationSeconds=round(sum(p.duration for p in running.phases.values()), 6),
    )
    kept = state.settings.keep.keeps(outcome)
    try:
        if kept:
            running.factory.export_all()
        if not kept or not any(e.artifacts for e in scope.exports):
            remove_exported(scope.folder, scope.prefix)  # and the folder, now empty
    except Exception as exc:
        running.error = exc
    exports: Sequence[ExportedFiles] = scope.exports if kept else ()
    artifacts = tuple(dict.fromkeys(a for e in exports for a in e.artifacts))
    state.add(
        TestTelemetry(
            nodeid=item.nodeid,
            folder=str(scope.folder),
            kept=kept,
            artifacts=artifacts,
            budget_status=_worst_budget(exports),
            worker=state.worker,
        )
    )
    running.finished = _Finished(
        artifacts,
        tuple(e.summary for e in exports),
        tuple(e.failure for e in exports if e.failure is not None),
    )


def _worst_budget(exports: Sequence[ExportedFiles]) -> str:
    statuses = {e.budget_status for e in exports}
    for status in ("exceeds_budget", "within_budget"):
        if status in statuses:
            return status
    return "unknown"


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    """Workers send their records; the controller writes the session manifest."""
    config = session.config
    state = config.stash.get(_STATE, None)
    if state is None:
        return
    workeroutput = getattr(config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput[WORKER_OUTPUT_KEY] = state.worker_output()
        return
    if not state.telemetry:
        return
    from worldstate.clock import system_clock
    from worldstate.pytest_plugin._session import SessionEffects, finish_session

    state.result = finish_session(state, SessionEffects(clock=system_clock))
    if state.result.manifest_error is not None and session.exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
    record = junit_suite_recorder(config)
    if record is not None:
        _record_suite_properties(record, state)


def _record_suite_properties(record: Any, state: SessionState) -> None:
    assert state.result is not None
    record("worldstate_dir", str(state.settings.artifact_dir))
    record("worldstate_manifest", str(state.manifest_path))
    record("worldstate_tests", len(state.telemetry))
    record("worldstate_artifacts", sum(len(t.artifacts) for t in state.telemetry.values()))
    record("worldstate_publish", state.result.status)


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    """Say where the telemetry went, which snapshots were written, and what publishing did."""
    state = config.stash.get(_STATE, None)
    if state is None or not state.used or hasattr(config, "workerinput"):
        return
    write = terminalreporter.write_line
    for path in state.snapshots_written:
        write(f"worldstate: wrote snapshot {path}")
    result = state.result
    if result is None:
        return
    if result.manifest_error is not None:
        problem = f"could not write {state.manifest_path}: {result.manifest_error}"
        write(f"worldstate: {problem}", red=True)
    else:
        write(
            f"worldstate: telemetry of {len(state.telemetry)} tests in "
            f"{state.settings.artifact_dir} (manifest {state.manifest_path.name})"
        )
    if result.publish.requested:
        _say_published(write, result)
    for worker in state.lost_workers:
        lost = f"worker {worker} stopped without sending its telemetry records"
        write(f"worldstate: {lost}", red=True)


def _say_published(write: Any, result: Any) -> None:
    trigger = result.publish.trigger
    if result.publish_error is not None:
        write(f"worldstate: publishing ({trigger}) not started: {result.publish_error}", red=True)
        return
    if not result.result.attempts:
        write(
            f"worldstate: publishing ({trigger}): no provider configured; set "
            "TELEMETRY_CI_COMMANDS or run on GitHub Actions (recorded in the manifest)"
        )
        return
    for attempt in result.result.attempts:
        where = f" {attempt.artifact_url}" if attempt.artifact_url else ""
        reason = f" ({attempt.skipped_reason or attempt.error_message})" if not attempt.ok else ""
        write(f"worldstate: upload by {attempt.provider}: {attempt.status.value}{reason}{where}")
