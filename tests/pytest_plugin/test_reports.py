"""Real inner sessions: files on disk, JUnit XML, pytest-html and Allure results, the manifest."""

from __future__ import annotations

import html
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from tests.pytest_plugin.conftest import (
    ALL_TESTS,
    TELEMETRY_TESTS,
    manifest_tests,
    read_manifest,
    telemetry_dir,
)

ATTACHMENT = re.compile(r"^\[\[ATTACHMENT\|(.+)\]\]$", re.MULTILINE)
# json, two csv (cascade, tutorial), transcript csv, transcript md; no budget report without
# spatial telemetry.
FILES_PER_TEST = 5


# Records, for every report the inner session logs, whether it carries the worldstate extras
# and attachment lines itself (its own sections, not a later phase's).
PHASE_RECORDER = """
import json

SEEN = {}


def pytest_runtest_logreport(report):
    names = [extra.get("name") for extra in getattr(report, "extras", [])]
    sections = [name for name, text in report.sections if "[[ATTACHMENT|" in text]
    SEEN.setdefault(report.nodeid, {})[report.when] = {
        "summaryExtra": "worldstate summary" in names,
        "attachmentSections": sections,
    }


def pytest_sessionfinish(session):
    with open("phases.json", "w") as fh:
        json.dump(SEEN, fh)
"""


def _phases(inner: pytest.Pytester) -> dict[str, dict[str, dict[str, Any]]]:
    data: dict[str, dict[str, dict[str, Any]]] = json.loads(
        (inner.path / "phases.json").read_text()
    )
    return data


def _testcases(xml_path: Path) -> dict[str, ET.Element]:
    root = ET.parse(xml_path).getroot()
    return {case.get("name", ""): case for case in root.iter("testcase")}


def _attachments(case: ET.Element) -> list[str]:
    out = "".join(node.text or "" for node in case.iter("system-out"))
    return ATTACHMENT.findall(out)


class TestFilesAndJUnit:
    """A run with --junitxml and system-out logging."""

    @pytest.fixture(name="run")
    def _run(self, inner: pytest.Pytester) -> pytest.RunResult:
        inner.makeconftest(PHASE_RECORDER)
        return inner.runpytest_subprocess(
            "--junitxml=report.xml", "-o", "junit_logging=system-out", "-p", "no:cacheprovider"
        )

    def test_outcomes_are_the_inner_suites(self, run: pytest.RunResult) -> None:
        """The plugin does not change any outcome."""
        run.assert_outcomes(passed=4, failed=1, errors=1)

    def test_each_telemetry_test_has_its_own_folder_with_every_format(
        self, inner: pytest.Pytester, run: pytest.RunResult
    ) -> None:
        """Pass, fail, error and both parameters each export five files into a slug folder."""
        folders = sorted(p.name for p in telemetry_dir(inner).iterdir() if p.is_dir())
        assert len(folders) == len(TELEMETRY_TESTS)
        for folder in folders:
            assert re.fullmatch(r"[a-z0-9-]{1,60}-[0-9a-f]{8}", folder), folder
            files = sorted(p.name for p in (telemetry_dir(inner) / folder).iterdir())
            assert len(files) == FILES_PER_TEST, files
            assert all(name.startswith(f"{folder}-") for name in files)
        # Both parameters slug to the same text; the hash keeps them apart.
        params = [f for f in folders if f.startswith("test-story-py-test-param-docks-")]
        assert len(params) == 2

    def test_the_export_context_holds_test_id_outcome_and_duration(
        self, inner: pytest.Pytester, run: pytest.RunResult
    ) -> None:
        """The export events on the test's bus carry the test id, outcome and duration."""
        events = json.loads((inner.path / "export-events.json").read_text())
        context = events["test_story.py::test_fail"][0]["context"]
        assert context["testId"] == "test_story.py::test_fail"
        assert context["outcome"] == "failed"
        assert isinstance(context["durationSeconds"], float)
        assert events["test_story.py::test_pass"][0]["context"]["outcome"] == "passed"

    def test_every_attachment_line_points_at_an_existing_file(
        self, inner: pytest.Pytester, run: pytest.RunResult
    ) -> None:
        """Each telemetry test case carries one ATTACHMENT line per artifact, all existing."""
        cases = _testcases(inner.path / "report.xml")
        for nodeid in TELEMETRY_TESTS:
            name = nodeid.split("::")[1]
            paths = _attachments(cases[name])
            assert len(paths) == FILES_PER_TEST, (name, paths)
            assert len(set(paths)) == len(paths)
            for path in paths:
                assert Path(path).is_absolute() and Path(path).is_file(), path
        assert _attachments(cases["test_plain"]) == []

    def test_the_attachment_lines_are_the_calls_captured_output(
        self, inner: pytest.Pytester, run: pytest.RunResult
    ) -> None:
        """The call report carries the lines; a test whose setup failed, its teardown report."""
        phases = _phases(inner)
        for nodeid in TELEMETRY_TESTS:
            carrying = {when: p["attachmentSections"] for when, p in phases[nodeid].items()}
            if nodeid == "test_story.py::test_error":
                assert carrying == {"setup": [], "teardown": ["Captured stdout teardown"]}
            else:
                assert carrying == {
                    "setup": [],
                    "call": ["Captured stdout call"],
                    "teardown": ["Captured stdout call"],  # junitxml writes this report's
                }, nodeid
        assert not any(
            p["attachmentSections"] for p in phases["test_story.py::test_plain"].values()
        )

    def test_suite_properties_are_recorded(
        self, inner: pytest.Pytester, run: pytest.RunResult
    ) -> None:
        """The testsuite carries the folder, manifest and counts as properties."""
        root = ET.parse(inner.path / "report.xml").getroot()
        props = {p.get("name"): p.get("value") for p in root.iter("property")}
        assert props["worldstate_manifest"] == str(telemetry_dir(inner) / "ci-artifacts.json")
        assert props["worldstate_tests"] == str(len(TELEMETRY_TESTS))
        assert props["worldstate_artifacts"] == str(len(TELEMETRY_TESTS) * FILES_PER_TEST)
        assert props["worldstate_publish"] == "not-requested"

    def test_the_manifest_lists_every_test_once_with_its_outcome(
        self, inner: pytest.Pytester, run: pytest.RunResult
    ) -> None:
        """One manifest, every test (with or without telemetry) once, outcomes right."""
        tests = manifest_tests(inner)
        assert tuple(tests) == ALL_TESTS
        outcomes = {nodeid: t["outcome"] for nodeid, t in tests.items()}
        assert outcomes["test_story.py::test_fail"] == "failed"
        assert outcomes["test_story.py::test_error"] == "error"
        assert outcomes["test_story.py::test_pass"] == "passed"
        assert tests["test_story.py::test_plain"]["telemetry"] is False
        manifest = read_manifest(inner)
        listed = {a["filepath"] for a in manifest["artifacts"]}
        assert len(listed) == len(TELEMETRY_TESTS) * FILES_PER_TEST
        assert all(Path(p).is_file() for p in listed)
        assert manifest["dryRun"] is True
        assert manifest["context"]["publish"]["requested"] is False

    def test_the_terminal_says_where_the_telemetry_went(self, run: pytest.RunResult) -> None:
        """One summary line names the folder and the manifest."""
        run.stdout.fnmatch_lines(["worldstate: telemetry of 5 tests in *pytest (manifest ci-*)"])


def _html_tests(report: Path) -> dict[str, Any]:
    blob = re.search(r'data-jsonblob="([^"]*)"', report.read_text(encoding="utf-8"))
    assert blob is not None, "no data blob in the pytest-html report"
    data: dict[str, Any] = json.loads(html.unescape(blob.group(1)))
    return data["tests"]


class TestHtmlAndAllure:
    """A run with pytest-html (self-contained) and allure-pytest."""

    @pytest.fixture(name="run")
    def _run(self, inner: pytest.Pytester) -> pytest.RunResult:
        inner.makeconftest(PHASE_RECORDER)
        return inner.runpytest_subprocess(
            "--html=reports/report.html",
            "--self-contained-html",
            "--alluredir=allure-results",
            "-p",
            "no:cacheprovider",
        )

    def test_html_rows_hold_the_summary_and_a_link_per_artifact(
        self, inner: pytest.Pytester, run: pytest.RunResult
    ) -> None:
        """Each telemetry test's row has a JSON summary extra and a working link per file."""
        run.assert_outcomes(passed=4, failed=1, errors=1)
        tests = _html_tests(inner.path / "reports" / "report.html")
        for nodeid in TELEMETRY_TESTS:
            extras = [e for row in tests[nodeid] for e in row["extras"]]
            names = [e["name"] for e in extras]
            assert names.count("worldstate summary") == 1, names
            links = [e for e in extras if e["format_type"] == "url"]
            assert len(links) == FILES_PER_TEST
            for link in links:
                target = inner.path / "reports" / unquote(link["content"])
                assert target.resolve().is_file(), link
            summary = next(e for e in extras if e["name"] == "worldstate summary")
            assert summary["mime_type"] == "application/json"
        plain = [e for row in tests["test_story.py::test_plain"] for e in row["extras"]]
        assert plain == []

    def test_the_extras_are_on_the_call_report(
        self, inner: pytest.Pytester, run: pytest.RunResult
    ) -> None:
        """pytest-html gets the extras with the call report (the teardown's without a call)."""
        phases = _phases(inner)
        for nodeid in TELEMETRY_TESTS:
            carrying = [when for when, p in phases[nodeid].items() if p["summaryExtra"]]
            expected = ["teardown"] if nodeid == "test_story.py::test_error" else ["call"]
            assert carrying == expected, nodeid
        # The call's row in the report is the test's row, and it holds them.
        tests = _html_tests(inner.path / "reports" / "report.html")
        rows = tests["test_story.py::test_fail"]
        assert [row["result"] for row in rows] == ["Failed"]
        assert "worldstate summary" in [e["name"] for e in rows[0]["extras"]]

    def test_allure_results_hold_every_artifact_with_its_mime_type(
        self, inner: pytest.Pytester, run: pytest.RunResult
    ) -> None:
        """Each telemetry test's Allure result attaches the summary and every file."""
        results_dir = inner.path / "allure-results"
        results = [json.loads(p.read_text()) for p in results_dir.glob("*-result.json")]
        by_name = {r["fullName"].split("#")[-1] + _param(r): r for r in results}
        mimes = {"application/json", "text/csv", "text/markdown"}
        for nodeid in TELEMETRY_TESTS:
            result = by_name[nodeid.split("::")[1]]
            ours = [a for a in result["attachments"] if a["name"] != "stdout"]
            assert len(ours) == FILES_PER_TEST + 1, ours
            assert {a["type"] for a in ours} == mimes
            for attachment in ours:
                assert (results_dir / attachment["source"]).is_file()
            files = {a["name"] for a in ours} - {"worldstate summary"}
            listed = {Path(a["path"]).name for a in manifest_tests(inner)[nodeid]["artifacts"]}
            assert files == listed

    def test_each_report_plugin_leaves_the_others_alone(
        self, inner: pytest.Pytester, run: pytest.RunResult
    ) -> None:
        """Without --junitxml nothing JUnit-shaped is written."""
        assert not list(inner.path.rglob("*.xml"))


def _param(result: dict[str, Any]) -> str:
    params = result.get("parameters") or []
    return f"[{params[0]['value'].strip(chr(39))}]" if params else ""


def test_a_failed_export_fails_the_teardown_with_the_writers_message(
    inner: pytest.Pytester,
) -> None:
    """The test's folder cannot be made (a file holds its name): the call's pass stands, the
    teardown errors naming the file, and the manifest lists the test with no artifacts."""
    from worldstate.pytest_plugin._export import test_slug

    inner.makepyfile(test_blocked="def test_blocked(worldstate_telemetry):\n    pass\n")
    blocker = telemetry_dir(inner) / test_slug("test_blocked.py::test_blocked")
    blocker.parent.mkdir(parents=True)
    blocker.write_text("not a folder\n")
    run = inner.runpytest_subprocess("test_blocked.py")
    run.assert_outcomes(passed=1, errors=1)
    run.stdout.fnmatch_lines(
        ["*worldstate: telemetry export failed: writer 'pytest' could not write '*-summary-*"]
    )
    entry = manifest_tests(inner)["test_blocked.py::test_blocked"]
    assert (entry["outcome"], entry["artifacts"]) == ("error", [])
    assert blocker.read_text() == "not a folder\n"
