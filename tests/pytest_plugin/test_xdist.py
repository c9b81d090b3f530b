"""The inner suite under pytest-xdist: one manifest on the controller, alike in every mode."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from tests.pytest_plugin.conftest import ALL_TESTS, TELEMETRY_TESTS, manifest_tests, telemetry_dir

MODES = {
    "no-xdist": (),
    "n0": ("-n", "0"),
    "n2": ("-n", "2"),
    "n2-loadfile": ("-n", "2", "--dist", "loadfile"),
}


@pytest.mark.parametrize("mode", list(MODES))
def test_one_manifest_lists_every_test_once(inner: pytest.Pytester, mode: str) -> None:
    """Every mode gives one manifest with every test once, outcomes and existing artifacts."""
    inner.makepyfile(test_more="def test_other(worldstate_telemetry):\n    pass\n")
    run = inner.runpytest_subprocess(
        *MODES[mode], "--junitxml=report.xml", "-o", "junit_logging=system-out"
    )
    run.assert_outcomes(passed=5, failed=1, errors=1)
    tests = manifest_tests(inner)
    assert tuple(tests) == tuple(sorted((*ALL_TESTS, "test_more.py::test_other")))
    with_telemetry = [t for t in tests.values() if t["telemetry"]]
    assert len(with_telemetry) == len(TELEMETRY_TESTS) + 1
    for entry in with_telemetry:
        assert entry["artifacts"] and all(Path(a["path"]).is_file() for a in entry["artifacts"])
    workers = {t["worker"] for t in with_telemetry}
    if mode.startswith("n2"):
        assert workers <= {"gw0", "gw1"}
    else:
        assert workers == {"master"}
    manifests = list(inner.path.rglob("ci-artifacts.json"))
    assert manifests == [telemetry_dir(inner) / "ci-artifacts.json"]
    assert not [p for p in telemetry_dir(inner).rglob("*") if p.name.endswith(".tmp")]
    root = ET.parse(inner.path / "report.xml").getroot()
    props = {p.get("name"): p.get("value") for p in root.iter("property")}
    assert props["worldstate_tests"] == str(len(TELEMETRY_TESTS) + 1)
