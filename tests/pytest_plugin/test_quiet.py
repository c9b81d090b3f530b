"""Installing worldstate changes nothing in a run whose tests do not use the plugin."""

from __future__ import annotations

import re

import pytest

UNRELATED = """
import pytest


def test_one():
    assert 1


@pytest.mark.parametrize("x", [1, 2])
def test_two(x):
    assert x


def test_three():
    assert 0
"""


def _normalised(lines: list[str]) -> list[str]:
    # pytest itself lists every installed plugin distribution in its "plugins:" line.
    return [
        re.sub(r"in \d+\.\d+s", "in Ns", line)
        for line in lines
        if not line.startswith(("rootdir:", "plugins:"))
    ]


def test_an_unrelated_suite_writes_and_prints_nothing_extra(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Output with the plugin equals output with it disabled, and no file appears."""
    monkeypatch.setenv("CI", "true")  # even where publishing would apply
    pytester.makeini("[pytest]\n")
    pytester.makepyfile(test_unrelated=UNRELATED)
    before = sorted(p.relative_to(pytester.path) for p in pytester.path.rglob("*"))
    with_plugin = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--junitxml=r1.xml")
    without = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "-p", "no:worldstate", "--junitxml=r2.xml"
    )
    with_plugin.assert_outcomes(passed=3, failed=1)
    assert _normalised(with_plugin.outlines) == _normalised(
        [line.replace("r2.xml", "r1.xml") for line in without.outlines]
    )
    assert with_plugin.errlines == without.errlines == []
    after = sorted(p.relative_to(pytester.path) for p in pytester.path.rglob("*"))
    # pytester keeps each run's basetemp and output files beside the suite.
    pytester_own = ("runpytest", "stdout", "stderr")
    new = [str(p) for p in after if p not in before and not p.parts[0].startswith(pytester_own)]
    assert new == ["r1.xml", "r2.xml"]
    xml_with = (pytester.path / "r1.xml").read_text()
    assert "worldstate" not in xml_with


def test_the_plugin_is_registered_under_its_entry_point_name(pytester: pytest.Pytester) -> None:
    """`-p no:worldstate` names it, and its options are listed in --help."""
    pytester.makeini("[pytest]\n")
    result = pytester.runpytest_subprocess("--help")
    result.stdout.fnmatch_lines(["*--worldstate-dir*", "*--worldstate-keep*"])


def test_an_unrelated_run_does_not_import_the_export_machinery(pytester: pytest.Pytester) -> None:
    """The inspector, export and writer packages stay unimported when no test uses the plugin."""
    pytester.makeini("[pytest]\n")
    pytester.makepyfile(
        test_modules="""
import sys

def test_modules():
    loaded = {m.split(".")[1] for m in sys.modules if m.startswith("worldstate.")}
    assert "pytest_plugin" in loaded
    assert not loaded & {"inspector", "export", "writers", "replay"}, sorted(loaded)
"""
    )
    pytester.runpytest_subprocess("-p", "no:cacheprovider").assert_outcomes(passed=1)
