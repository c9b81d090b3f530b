"""Approval snapshots of the world: create, pass, fail with the JSON path, update, ignore."""

from __future__ import annotations

import json

import pytest

STORY = """
def test_harbor(worldstate_telemetry):
    worldstate_telemetry.clock.advance({advance})
    worldstate_telemetry.bus.emit(
        "faction:attitude_changed", {{"factionId": "harbor_union", "newAttitude": "{attitude}"}}
    )
    worldstate_telemetry.assert_world(sections=["factions"], ignore={ignore})
"""

SNAPSHOT = "__worldstate__/test_story/test_harbor.json"


def _story(
    pytester: pytest.Pytester, attitude: str, ignore: tuple[str, ...] = (), advance: int = 0
) -> None:
    story = STORY.format(attitude=attitude, ignore=ignore, advance=advance)
    pytester.makepyfile(test_story=story)


@pytest.fixture(name="story")
def _story_dir(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    monkeypatch.delenv("CI", raising=False)
    # The story is rewritten within one second at the same size: no stale bytecode.
    monkeypatch.setenv("PYTHONDONTWRITEBYTECODE", "1")
    pytester.makeini("[pytest]\n")
    return pytester


class TestApprovalCycle:
    """The life of one snapshot."""

    def test_a_missing_snapshot_fails_saying_how_to_create_it(self, story: pytest.Pytester) -> None:
        """No file yet: the test fails and names --worldstate-update; nothing is written."""
        _story(story, "hostile")
        result = story.runpytest_subprocess()
        result.assert_outcomes(failed=1)
        result.stdout.fnmatch_lines([f"*no world snapshot {SNAPSHOT} yet*--worldstate-update*"])
        assert not (story.path / "__worldstate__").exists()

    def test_create_pass_fail_update_pass(self, story: pytest.Pytester) -> None:
        """Create with --worldstate-update, pass unchanged, fail on a change, update, pass."""
        _story(story, "neutral")
        created = story.runpytest_subprocess("--worldstate-update")
        created.assert_outcomes(passed=1)
        created.stdout.fnmatch_lines([f"worldstate: wrote snapshot {SNAPSHOT}"])
        snapshot = story.path / SNAPSHOT
        text = snapshot.read_text()
        assert (
            text.endswith("}\n")
            and text
            == json.dumps(json.loads(text), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
        )
        assert '"attitude": "neutral"' in text

        story.runpytest_subprocess().assert_outcomes(passed=1)

        _story(story, "hostile")
        changed = story.runpytest_subprocess()
        changed.assert_outcomes(failed=1)
        changed.stdout.fnmatch_lines(
            [
                f"*the world differs from {SNAPSHOT} (*difference*; expected → actual)*",
                "*factions.byId.harbor_union.attitude: neutral → hostile*",
                "*--worldstate-update to accept the new world*",
            ]
        )
        assert snapshot.read_text() == text  # a failing comparison never rewrites

        story.runpytest_subprocess("--worldstate-update").assert_outcomes(passed=1)
        assert '"attitude": "hostile"' in snapshot.read_text()
        again = story.runpytest_subprocess()
        again.assert_outcomes(passed=1)
        assert "wrote snapshot" not in again.stdout.str()

    def test_ignored_paths_are_left_out(self, story: pytest.Pytester) -> None:
        """A timestamp pattern hides every path that matches it (and everything below)."""
        _story(story, "neutral")
        story.runpytest_subprocess("--worldstate-update").assert_outcomes(passed=1)
        _story(story, "neutral", advance=5000)  # the same story, played later
        later = story.runpytest_subprocess()
        later.assert_outcomes(failed=1)
        later.stdout.fnmatch_lines(["*factions.byId.harbor_union.updatedAt: 0 → 5000*"])
        _story(story, "neutral", ignore=("*At",), advance=5000)
        story.runpytest_subprocess().assert_outcomes(passed=1)
        _story(story, "hostile", ignore=("*At", "factions.byId"), advance=5000)
        story.runpytest_subprocess().assert_outcomes(passed=1)
        _story(story, "hostile", ignore=("*At",), advance=5000)
        story.runpytest_subprocess().assert_outcomes(failed=1)

    def test_a_long_diff_is_cut_at_twenty_lines_with_a_count(self, story: pytest.Pytester) -> None:
        """More than 20 differences: 20 lines, then how many more."""
        story.makepyfile(
            test_many="""
def test_many(worldstate_telemetry):
    for n in range(25):
        worldstate_telemetry.bus.emit(
            "faction:attitude_changed", {"factionId": f"f{n:02}", "newAttitude": "hostile"}
        )
    worldstate_telemetry.assert_world("many", sections=["factions"])
"""
        )
        folder = story.path / "__worldstate__" / "test_many"
        folder.mkdir(parents=True)
        (folder / "many.json").write_text('{"factions": {}}\n')
        result = story.runpytest_subprocess()
        result.assert_outcomes(failed=1)
        diff = [line for line in result.outlines if line.startswith("  ") and " → " in line]
        assert len(diff) == 20
        result.stdout.fnmatch_lines(
            ["*differences; expected → actual*", "  ... and * more differences"]
        )

    def test_an_unknown_section_is_named(self, story: pytest.Pytester) -> None:
        """Asking for a section the world does not have fails listing those it has."""
        story.makepyfile(
            test_bad="def test_bad(worldstate_telemetry):\n"
            "    worldstate_telemetry.assert_world(sections=['weather'])\n"
        )
        result = story.runpytest_subprocess()
        result.assert_outcomes(failed=1)
        result.stdout.fnmatch_lines(["*no section 'weather' in the world snapshot; it has: *"])

    def test_a_corrupt_snapshot_is_reported_with_its_file(self, story: pytest.Pytester) -> None:
        """A snapshot that is not JSON fails naming the file, and update rewrites it."""
        _story(story, "neutral")
        folder = story.path / "__worldstate__" / "test_story"
        folder.mkdir(parents=True)
        (folder / "test_harbor.json").write_text("{not json\n")
        result = story.runpytest_subprocess()
        result.assert_outcomes(failed=1)
        result.stdout.fnmatch_lines(["*test_harbor.json*"])
        story.runpytest_subprocess("--worldstate-update").assert_outcomes(passed=1)
        story.runpytest_subprocess().assert_outcomes(passed=1)
