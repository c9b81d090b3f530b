"""The worldstate pytest plugin (entry point ``worldstate`` in the ``pytest11`` group).

Fixtures:

* ``worldstate_telemetry``: a :class:`WorldTelemetry` (a fresh bus, store, tutorial transcript
  recorder and :class:`~worldstate.clock.ManualClock`), exported into the test's folder at the
  end of the test, pass or fail, and attached to the JUnit XML, pytest-html and Allure reports.
* ``worldstate_telemetry_factory``: a :class:`TelemetryFactory` for games that bring their own
  bus or store.

A run whose tests use neither fixture is left alone: nothing is written or printed, and the
inspector, export and writer packages are not even imported.  See ``docs/pytest.md``.
"""

from __future__ import annotations

import os
from collections.abc import Generator, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import pytest

from worldstate.pytest_plugin._reports import (
    STDOUT_SECTION,
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
    from worldstate.pytest_plugin._export import ExportedFiles
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
    """A test's exports, for the attachments made on its teardown report."""

    artifacts: tuple[ArtifactFile, ...]
    summaries: tuple[Mapping[str, Any], ...]


_STATE = pytest.StashKey[SessionState]()
_PHASES = pytest.StashKey[dict[str, Any]]()
_FINISHED = pytest.StashKey[_Finished]()


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
    """Keep the phase reports of tests with telemetry; attach their files at teardown."""
    outcome = yield
    phases = item.stash.get(_PHASES, None)
    if phases is None:
        return
    report: pytest.TestReport = outcome.get_result()
    phases[report.when] = phase_of(report)
    finished = item.stash.get(_FINISHED, None)
    if report.when == "teardown" and finished is not None and finished.artifacts:
        _attach(item.config, report, finished)


def _attach(config: pytest.Config, report: pytest.TestReport, finished: _Finished) -> None:
    # The files exist only after the fixture's teardown, so they go on the teardown report;
    # junitxml writes its captured stdout, and pytest-html shows every phase's extras in the
    # test's row.
    report.sections.append((STDOUT_SECTION, attachment_lines(finished.artifacts)))
    report_dir = html_report_dir(config)
    if report_dir is not None:
        extras = html_extras(report_dir, finished.artifacts, finished.summaries)
        report.extras = [*getattr(report, "extras", []), *extras]  # type: ignore[attr-defined]
    if allure_active(config):
        attach_to_allure(finished.artifacts, finished.summaries)


@pytest.fixture
def worldstate_telemetry_factory(request: pytest.FixtureRequest) -> Iterator[TelemetryFactory]:
    """Make telemetries over fresh worlds or the game's own store or bus; each is exported at
    the end of the test into ``<--worldstate-dir>/<test slug>/``."""
    from worldstate.pytest_plugin._export import remove_exported
    from worldstate.pytest_plugin._telemetry import TelemetryFactory

    state = request.config.stash[_STATE]
    item = request.node
    scope = _scope(item, state)
    item.stash[_PHASES] = {}
    remove_exported(scope.folder, scope.prefix)  # an earlier run's files for this test
    factory = TelemetryFactory(scope)
    try:
        yield factory
    finally:
        _finish(item, state, scope, factory)


@pytest.fixture
def worldstate_telemetry(worldstate_telemetry_factory: TelemetryFactory) -> WorldTelemetry:
    """A world store with a transcript recorder and a ManualClock, exported at teardown."""
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
    )


def _finish(
    item: pytest.Item, state: SessionState, scope: TestScope, factory: TelemetryFactory
) -> None:
    __tracebackhide__ = True
    from worldstate.pytest_plugin._export import remove_exported

    phases = item.stash[_PHASES]
    outcome = outcome_of(phases)
    scope.context.update(
        outcome=outcome, durationSeconds=round(sum(p.duration for p in phases.values()), 6)
    )
    kept = state.settings.keep.keeps(outcome)
    try:
        if kept:
            factory.export_all()
    finally:
        factory.close()
    exports: Sequence[ExportedFiles] = scope.exports if kept else ()
    if not kept:
        remove_exported(scope.folder, scope.prefix)
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
    item.stash[_FINISHED] = _Finished(artifacts, tuple(e.summary for e in exports))
    failures = [e.failure for e in exports if e.failure is not None]
    if failures:
        pytest.fail(f"worldstate: telemetry export failed: {'; '.join(failures)}", pytrace=False)


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
