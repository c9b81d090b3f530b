"""Helpers for running real inner pytest sessions with the worldstate plugin installed.

Every inner session runs in a subprocess (``pytester.runpytest_subprocess``) so that it loads
its plugins from the installed entry points exactly as a user's run does.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

# One suite with every kind of test the plugin must handle.
INNER_SUITE = """
import json
from pathlib import Path

import pytest

EVENTS = {}


@pytest.fixture
def export_events(request):
    # Set up before the telemetry, so torn down after its export: it sees the export's events.
    seen = EVENTS.setdefault(request.node.nodeid, [])
    yield lambda telemetry: telemetry.bus.on(
        "telemetry:export_completed", lambda _event, payload: seen.append(payload)
    )
    Path("export-events.json").write_text(json.dumps(EVENTS))


def test_pass(export_events, worldstate_telemetry):
    export_events(worldstate_telemetry)
    worldstate_telemetry.bus.emit(
        "faction:attitude_changed", {"factionId": "harbor_union", "newAttitude": "hostile"}
    )


def test_fail(export_events, worldstate_telemetry):
    export_events(worldstate_telemetry)
    worldstate_telemetry.clock.advance(1500)
    assert 1 == 2


@pytest.fixture
def broken_world():
    raise RuntimeError("the world would not load")


def test_error(worldstate_telemetry, broken_world):
    pass


@pytest.mark.parametrize("district", ["docks", "Docks!"])
def test_param(worldstate_telemetry, district):
    worldstate_telemetry.clock.advance(10)


def test_plain():
    pass
"""

TELEMETRY_TESTS = (
    "test_story.py::test_error",
    "test_story.py::test_fail",
    "test_story.py::test_param[Docks!]",
    "test_story.py::test_param[docks]",
    "test_story.py::test_pass",
)
ALL_TESTS = tuple(sorted((*TELEMETRY_TESTS, "test_story.py::test_plain")))


OUTER_CI_VARIABLES = (
    "CI",
    "PYTEST_ADDOPTS",
    "PYTEST_XDIST_WORKER",
    "GITHUB_ACTIONS",
    "GITHUB_STEP_SUMMARY",
    "GITHUB_OUTPUT",
    "RUNNER_NAME",
    "ACTIONS_RUNTIME_TOKEN",
    "ACTIONS_RESULTS_URL",
    "TELEMETRY_CI_COMMANDS",
    "TELEMETRY_CI_COMMANDS_JSON",
    "TELEMETRY_CI_COMMANDS_PATH",
)
"""The outer job's CI settings, removed so an inner run publishes only where a test says so."""


@pytest.fixture(name="inner")
def _inner(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    """A pytester folder holding the inner suite, with an environment that does not publish."""
    for name in OUTER_CI_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    pytester.makeini("[pytest]\n")
    pytester.makepyfile(test_story=INNER_SUITE)
    return pytester


def telemetry_dir(pytester: pytest.Pytester) -> Path:
    """The default telemetry folder of an inner run."""
    return pytester.path / "telemetry-artifacts" / "pytest"


def read_manifest(pytester: pytest.Pytester) -> dict[str, Any]:
    """The inner run's session manifest."""
    data: dict[str, Any] = json.loads((telemetry_dir(pytester) / "ci-artifacts.json").read_text())
    return data


def manifest_tests(pytester: pytest.Pytester) -> dict[str, dict[str, Any]]:
    """The manifest's test entries by test id, checking that no test is listed twice."""
    tests = read_manifest(pytester)["context"]["tests"]
    ids = [t["nodeid"] for t in tests]
    assert len(ids) == len(set(ids)), f"a test is listed twice: {ids}"
    return {t["nodeid"]: t for t in tests}
