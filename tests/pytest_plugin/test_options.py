"""Options: sources named in errors, keep policies, the publishing trigger, the factory, replay."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.pytest_plugin.conftest import manifest_tests, read_manifest, telemetry_dir


class TestBadValues:
    """An invalid value stops the run with a usage error naming the value and its source."""

    def test_a_command_line_value_names_the_option(self, inner: pytest.Pytester) -> None:
        """--worldstate-keep sometimes: exit 4 (usage error), the option named."""
        result = inner.runpytest_subprocess("--worldstate-keep=sometimes")
        assert result.ret == pytest.ExitCode.USAGE_ERROR
        result.stderr.fnmatch_lines(
            ["*worldstate: invalid keep policy 'sometimes' (from --worldstate-keep)*all, failed*"]
        )
        assert not telemetry_dir(inner).exists()

    def test_an_ini_value_names_the_ini_file(self, inner: pytest.Pytester) -> None:
        """A bad format in the ini file is reported with the ini option and file."""
        inner.makeini("[pytest]\nworldstate_formats = json,pdf\n")
        result = inner.runpytest_subprocess()
        assert result.ret == pytest.ExitCode.USAGE_ERROR
        result.stderr.fnmatch_lines(
            ["*unknown export format 'pdf'*(from ini option worldstate_formats in tox.ini)*"]
        )

    def test_the_command_line_wins_over_the_ini_file(self, inner: pytest.Pytester) -> None:
        """A valid command-line value replaces a bad ini value."""
        inner.makeini("[pytest]\nworldstate_formats = pdf\n")
        result = inner.runpytest_subprocess("--worldstate-formats=json")
        result.assert_outcomes(passed=4, failed=1, errors=1)
        assert read_manifest(inner)["context"]["formats"] == ["json"]


def test_formats_and_folder_options_shape_the_export(inner: pytest.Pytester) -> None:
    """--worldstate-formats json and an ini folder relative to the ini file."""
    inner.makeini("[pytest]\nworldstate_dir = out/telemetry\n")
    inner.runpytest_subprocess("--worldstate-formats=json").assert_outcomes(
        passed=4, failed=1, errors=1
    )
    folder = inner.path / "out" / "telemetry"
    entry = json.loads((folder / "ci-artifacts.json").read_text())["context"]["tests"][0]
    names = sorted(Path(a["path"]).name.split("-")[-1] for a in entry["artifacts"])
    assert len(names) == 1  # the summary json
    assert all(Path(a["path"]).parent.parent == folder for a in entry["artifacts"])


def test_keep_failed_keeps_only_failing_tests_folders(inner: pytest.Pytester) -> None:
    """With --worldstate-keep failed, passing tests leave no folder and no attachment."""
    inner.runpytest_subprocess("--worldstate-keep=all").assert_outcomes(
        passed=4, failed=1, errors=1
    )
    run = inner.runpytest_subprocess(
        "--worldstate-keep=failed", "--junitxml=r.xml", "-o", "junit_logging=system-out"
    )
    run.assert_outcomes(passed=4, failed=1, errors=1)
    tests = manifest_tests(inner)
    for nodeid in ("test_story.py::test_fail", "test_story.py::test_error"):
        assert tests[nodeid]["kept"] is True and tests[nodeid]["artifacts"]
    passed = tests["test_story.py::test_pass"]
    assert passed["kept"] is False and passed["artifacts"] == []
    assert not Path(passed["folder"]).exists()  # the earlier run's files were removed too
    assert (inner.path / "r.xml").read_text().count("[[ATTACHMENT|") == 2 * 5


def test_keep_none_writes_only_the_manifest(inner: pytest.Pytester) -> None:
    """--worldstate-keep none: no test folder, the manifest still lists every outcome."""
    inner.runpytest_subprocess("--worldstate-keep=none").assert_outcomes(
        passed=4, failed=1, errors=1
    )
    assert [p.name for p in telemetry_dir(inner).iterdir()] == ["ci-artifacts.json"]
    assert manifest_tests(inner)["test_story.py::test_fail"]["outcome"] == "failed"


@pytest.mark.parametrize(
    ("env", "args", "trigger"),
    [
        ({"CI": "True "}, (), "CI=True "),
        ({}, ("--worldstate-publish",), "--worldstate-publish"),
        ({"CI": "false"}, (), None),
    ],
)
def test_publishing_is_requested_in_ci_or_when_asked(
    inner: pytest.Pytester,
    monkeypatch: pytest.MonkeyPatch,
    env: dict[str, str],
    args: tuple[str, ...],
    trigger: str | None,
) -> None:
    """CI true-ish or --worldstate-publish requests publishing; the manifest records it."""
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    run = inner.runpytest_subprocess(*args)
    manifest = read_manifest(inner)
    publish = manifest["context"]["publish"]
    assert publish["trigger"] == trigger
    assert publish["requested"] is (trigger is not None)
    assert manifest["dryRun"] is (trigger is None)
    said = "worldstate: publishing (*): no provider configured*"
    if trigger is None:
        run.stdout.no_fnmatch_line(said)
    else:
        run.stdout.fnmatch_lines([said])


GAME = """
import json
from pathlib import Path

from worldstate import EventBus, ManualClock, WorldStore

LOG = Path(__file__).parent / "playthrough.jsonl"


def test_own_store(worldstate_telemetry_factory):
    clock = ManualClock(1_700_000_000_000)
    store = WorldStore(EventBus(), clock=clock)
    client = worldstate_telemetry_factory(store=store)
    server = worldstate_telemetry_factory(name="server")
    assert client.store is store and client.bus is store.bus and client.clock is clock
    stats = client.replay(LOG)
    assert stats.events == 2
    assert client.store.snapshot()["factions"]["byId"]["harbor_union"]["attitude"] == "hostile"
    assert server.store is not store
    exported = client.export(name="midgame")
    assert exported.failure is None and exported.artifacts
"""

EVENTS = [
    {"ts": 1_700_000_000_100, "event": "faction:attitude_changed",
     "payload": {"factionId": "harbor_union", "newAttitude": "neutral"}},
    {"ts": 1_700_000_000_200, "event": "faction:attitude_changed",
     "payload": {"factionId": "harbor_union", "newAttitude": "hostile"}},
]  # fmt: skip


def test_a_game_brings_its_own_store_and_replays_a_log(inner: pytest.Pytester) -> None:
    """The factory wraps the game's store, a second telemetry is named, replay drives the clock."""
    inner.makepyfile(test_game=GAME)
    (inner.path / "playthrough.jsonl").write_text("".join(json.dumps(e) + "\n" for e in EVENTS))
    inner.runpytest_subprocess("test_game.py").assert_outcomes(passed=1)
    entry = manifest_tests(inner)["test_game.py::test_own_store"]
    names = [Path(a["path"]).name for a in entry["artifacts"]]
    folder = Path(entry["folder"]).name
    assert any(n.startswith(f"{folder}-midgame-") for n in names)
    assert any(n.startswith(f"{folder}-server-") for n in names)
    # The client's files are stamped with the replayed time (2023-11-14T22:13:20.200Z).
    assert any(n == f"{folder}-summary-20231114T221320Z.json" for n in names)
