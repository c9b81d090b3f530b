"""What the plugin remembers during a session: outcomes, and what each test exported.

Under pytest-xdist every worker exports its own tests (each test has its own folder, and the
writers' temp names carry the process id, so no two workers touch one path) and sends its
:class:`TestTelemetry` records to the controller in ``workeroutput``; the controller sees every
test's reports anyway.  This module imports nothing heavy: it runs in every pytest session.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from worldstate.pytest_plugin._settings import PluginSettings

if TYPE_CHECKING:
    from worldstate.pytest_plugin._session import SessionResult
    from worldstate.redact import Redactor

__all__ = [
    "ArtifactFile",
    "TestTelemetry",
    "TestOutcome",
    "SessionState",
    "outcome_of",
    "phase_of",
    "WORKER_OUTPUT_KEY",
]

WORKER_OUTPUT_KEY: Final = "worldstate"


@dataclass(frozen=True, slots=True)
class ArtifactFile:
    """One written artifact: its absolute path and MIME type."""

    path: str
    mime_type: str

    @property
    def filename(self) -> str:
        """The file's name."""
        return Path(self.path).name

    def to_json(self) -> dict[str, str]:
        """As JSON-shaped builtins (it travels from xdist workers to the controller)."""
        return {"path": self.path, "mimeType": self.mime_type}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ArtifactFile:
        """The inverse of :meth:`to_json`."""
        return cls(str(data["path"]), str(data["mimeType"]))


@dataclass(frozen=True, slots=True)
class TestTelemetry:
    """What the plugin did for one test that used a telemetry fixture.

    Attributes:
        nodeid: the test id.
        folder: the test's folder (absolute), whether or not it was kept.
        kept: the keep policy kept the folder.
        artifacts: the files written (empty when not kept).
        budget_status: the worst budget status of its exports (``unknown`` when none ran).
        worker: the xdist worker id, or ``"master"``.
    """

    nodeid: str
    folder: str
    kept: bool
    artifacts: tuple[ArtifactFile, ...]
    budget_status: str
    worker: str

    def to_json(self) -> dict[str, Any]:
        """As JSON-shaped builtins (what an xdist worker can send)."""
        return {
            "nodeid": self.nodeid,
            "folder": self.folder,
            "kept": self.kept,
            "artifacts": [artifact.to_json() for artifact in self.artifacts],
            "budgetStatus": self.budget_status,
            "worker": self.worker,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> TestTelemetry:
        """The inverse of :meth:`to_json`."""
        return cls(
            nodeid=str(data["nodeid"]),
            folder=str(data["folder"]),
            kept=bool(data["kept"]),
            artifacts=tuple(ArtifactFile.from_json(a) for a in data["artifacts"]),
            budget_status=str(data["budgetStatus"]),
            worker=str(data["worker"]),
        )


@dataclass(frozen=True, slots=True)
class TestOutcome:
    """A finished test as the reports tell it: outcome and total duration (seconds)."""

    outcome: str
    duration: float


@dataclass(frozen=True, slots=True)
class _Phase:
    outcome: str
    xfail: bool
    duration: float


def outcome_of(phases: Mapping[str, _Phase | Any]) -> str:
    """The test's outcome from its phase reports (``setup``, ``call``, ``teardown``).

    ``error`` when setup or teardown failed, ``xfailed``/``xpassed`` for expected failures,
    otherwise the call's ``passed``/``failed``/``skipped``.
    """
    setup, call, teardown = (phases.get(when) for when in ("setup", "call", "teardown"))
    if setup is not None and setup.outcome != "passed":
        return "error" if setup.outcome == "failed" else _skipped(setup)
    if call is None:
        return "error" if teardown is not None and teardown.outcome == "failed" else "passed"
    result = call.outcome
    if call.xfail:
        result = "xpassed" if call.outcome == "passed" else "xfailed"
    elif call.outcome == "skipped":
        result = "skipped"
    if teardown is not None and teardown.outcome == "failed" and result == "passed":
        return "error"
    return result


def _skipped(phase: Any) -> str:
    return "xfailed" if phase.xfail else "skipped"


def phase_of(report: Any) -> _Phase:
    """The parts of a test report the outcome needs."""
    return _Phase(str(report.outcome), hasattr(report, "wasxfail"), float(report.duration))


@dataclass
class SessionState:
    """Everything the plugin knows during a session.

    Args:
        settings: the resolved options.
        env: the environment (for ``CI`` and for redacting secret values).
        worker: this process's xdist worker id (``"master"`` without xdist).
    """

    settings: PluginSettings
    env: Mapping[str, str]
    worker: str = "master"
    telemetry: dict[str, TestTelemetry] = field(default_factory=dict)
    snapshots_written: list[str] = field(default_factory=list)
    lost_workers: list[str] = field(default_factory=list)
    result: SessionResult | None = None
    _redactor: Redactor | None = None
    _phases: dict[str, dict[str, _Phase]] = field(default_factory=dict)

    @property
    def redactor(self) -> Redactor:
        """Redacts every context written; built from :attr:`env` on first use."""
        if self._redactor is None:
            from worldstate.redact import Redactor

            self._redactor = Redactor(self.env)
        return self._redactor

    @property
    def used(self) -> bool:
        """Whether any test used a telemetry fixture (or wrote a snapshot)."""
        return bool(self.telemetry or self.snapshots_written)

    def record_report(self, report: Any) -> None:
        """Remember one phase report (the controller sees every worker's)."""
        self._phases.setdefault(report.nodeid, {})[report.when] = phase_of(report)

    def outcomes(self) -> dict[str, TestOutcome]:
        """Every reported test's outcome and duration, by test id."""
        return {
            nodeid: TestOutcome(outcome_of(phases), sum(p.duration for p in phases.values()))
            for nodeid, phases in self._phases.items()
        }

    def add(self, record: TestTelemetry) -> None:
        """Record what a test exported (a rerun replaces its earlier record)."""
        self.telemetry[record.nodeid] = record

    def worker_output(self) -> dict[str, Any]:
        """What a worker sends to the controller."""
        return {
            "telemetry": [record.to_json() for record in self.telemetry.values()],
            "snapshotsWritten": list(self.snapshots_written),
        }

    def merge_worker_output(self, worker: str, output: Mapping[str, Any] | None) -> None:
        """Take in a worker's output; a worker that died without sending any is remembered."""
        if output is None:
            self.lost_workers.append(worker)
            return
        for data in output.get("telemetry", ()):
            self.add(TestTelemetry.from_json(data))
        self.snapshots_written.extend(output.get("snapshotsWritten", ()))

    @property
    def manifest_path(self) -> Path:
        """Where the session manifest goes (the export manifest's file name)."""
        from worldstate.publish import MANIFEST_FILENAME  # only sessions that export get here

        return self.settings.artifact_dir / MANIFEST_FILENAME
