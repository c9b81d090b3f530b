"""An untouched world is exported without building one, byte for byte as a built world would be."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from tests.pytest_plugin.conftest import manifest_tests

SUITE = """
import pytest


@pytest.mark.parametrize(
    "advance", [0, 0, 1500, 1500], ids=["first-0", "second-0", "first-1500", "second-1500"]
)
def test_untouched(worldstate_telemetry, advance):
    worldstate_telemetry.clock.advance(advance)


@pytest.mark.parametrize("advance", [0, 1500])
def test_built(worldstate_telemetry, advance):
    worldstate_telemetry.clock.advance(advance)
    assert worldstate_telemetry.store is not None  # builds the world, changes nothing


def test_named_export_of_an_untouched_world(worldstate_telemetry):
    worldstate_telemetry.export(name="early")
"""


def _contents(entry: dict[str, Any]) -> dict[str, bytes]:
    """A manifest entry's files by name, the test's own prefix taken out."""
    prefix = Path(entry["folder"]).name
    paths = [Path(artifact["path"]) for artifact in entry["artifacts"]]
    return {path.name.removeprefix(prefix): path.read_bytes() for path in paths}


def test_untouched_worlds_export_what_built_worlds_export(inner: pytest.Pytester) -> None:
    """Same files (after the prefix) and bytes, per clock reading; a named export too."""
    inner.makepyfile(test_pristine=SUITE)
    inner.runpytest_subprocess("test_pristine.py").assert_outcomes(passed=7)
    tests = manifest_tests(inner)

    def files(nodeid: str) -> dict[str, bytes]:
        return _contents(tests[f"test_pristine.py::{nodeid}"])

    for advance in ("0", "1500"):
        built = files(f"test_built[{advance}]")
        assert len(built) == 5
        for copy in ("first", "second"):
            assert files(f"test_untouched[{copy}-{advance}]") == built, (advance, copy)
    assert files("test_built[0]") != files("test_built[1500]")
    named = files("test_named_export_of_an_untouched_world")
    assert len(named) == 10
    early = {name.removeprefix("-early"): body for name, body in named.items() if "-early-" in name}
    assert early == files("test_built[0]")


MID_TEST = """
def test_exports_twice_then_changes_the_world(worldstate_telemetry):
    first = worldstate_telemetry.export()
    worldstate_telemetry.bus.emit(
        "faction:attitude_changed", {"factionId": "harbor_union", "attitude": "hostile"}
    )
    second = worldstate_telemetry.export()
    assert first.failure is None and second.failure is None
"""


def test_unnamed_exports_in_a_test_never_collide_with_the_export_after_it(
    inner: pytest.Pytester,
) -> None:
    """Exports made during the test are numbered; the one after it keeps the plain prefix."""
    inner.makepyfile(test_mid=MID_TEST)
    inner.runpytest_subprocess("test_mid.py").assert_outcomes(passed=1)
    entry = manifest_tests(inner)["test_mid.py::test_exports_twice_then_changes_the_world"]
    names = sorted(_contents(entry))
    assert len(names) == 15
    assert sum(name.startswith("-1-") for name in names) == 5
    assert sum(name.startswith("-2-") for name in names) == 5
