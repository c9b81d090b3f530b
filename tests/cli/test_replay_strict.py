"""``--strict`` and the replay problem report for ``export --events`` and ``saves import --events``.

Real CLI processes: the warnings must reach standard error and a refusal must exit 2 with
nothing written (no artifact folder, no save database).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from worldstate.cli import cli
from worldstate.store import ID_FIELDS

# Line 2 skips (a boolean id), line 3 is unknown, line 4 is coerced (a numeric id).
LOG = (
    b'{"ts": 1, "event": "story:flag:changed", "payload": {"flagId": "door", "newValue": 1}}\n'
    b'{"ts": 2, "event": "dialogue:started", "payload": {"npcId": true, "dialogueId": "d"}}\n'
    b'{"ts": 3, "event": "factoin:attitude_changed", "payload": {"factionId": "a"}}\n'
    b'{"ts": 4, "event": "story:flag:changed", "payload": {"flagId": 7, "newValue": 1}}\n'
)
CLEAN = LOG.splitlines(keepends=True)[0]
REPORT = (
    "warning: {log}: 1 event(s) unknown: factoin:attitude_changed x1\n"
    "warning: {log}: 1 event(s) skipped (bad id): dialogue:started x1\n"
    "warning: {log}: 1 event(s) coerced (numeric id): story:flag:changed x1\n"
)


def worldstate(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "worldstate", *map(str, args)]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=120)


def write_log(tmp_path: Path, data: bytes = LOG) -> Path:
    log = tmp_path / "play.jsonl"
    log.write_bytes(data)
    return log


def export(tmp_path: Path, log: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return worldstate(
        "export", "--events", log, "--out", "out", "--no-publish", *extra, cwd=tmp_path
    )


def save_import(tmp_path: Path, log: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    args = ("saves", "import", "--db", "s.db", "--slot", "a", "--events", log, *extra)
    return worldstate(*args, cwd=tmp_path)


RUNS = {"export": (export, "out"), "saves import": (save_import, "s.db")}


@pytest.mark.parametrize("command", sorted(RUNS))
class TestReplayedSources:
    def test_problems_are_reported_on_stderr(self, tmp_path: Path, command: str) -> None:
        """Without --strict the run succeeds and counts what it did not take as it is."""
        run, written = RUNS[command]
        log = write_log(tmp_path)
        result = run(tmp_path, log, "--quiet") if command == "export" else run(tmp_path, log)
        assert result.returncode == 0, result.stderr
        assert result.stderr == REPORT.format(log=log)
        assert (tmp_path / written).exists()

    def test_strict_exits_2_naming_the_file_and_line(self, tmp_path: Path, command: str) -> None:
        """Under --strict the first such event (line 2) is an error; nothing is written."""
        run, written = RUNS[command]
        log = write_log(tmp_path)
        result = run(tmp_path, log, "--strict")
        assert result.returncode == 2
        assert f"{log}, line 2: refused under --strict: dialogue:started" in result.stderr
        assert "Traceback" not in result.stderr and "warning:" not in result.stderr
        assert not (tmp_path / written).exists()

    def test_strict_accepts_a_clean_log(self, tmp_path: Path, command: str) -> None:
        """A log whose every event is taken as it is passes --strict silently."""
        run, written = RUNS[command]
        result = run(tmp_path, write_log(tmp_path, CLEAN), "--strict")
        assert result.returncode == 0, result.stderr
        assert "warning:" not in result.stderr
        assert (tmp_path / written).exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("export", "--snapshot", "w.json", "--strict"), "--strict applies to a replayed source"),
        (
            ("saves", "import", "--db", "s.db", "--slot", "a", "--snapshot", "w.json", "--strict"),
            "--strict applies to --events",
        ),
    ],
)
def test_strict_without_a_replay_is_a_usage_error(
    tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    (tmp_path / "w.json").write_text("{}", encoding="utf-8")
    result = worldstate(*args, cwd=tmp_path)
    assert result.returncode == 2 and message in result.stderr
    assert not (tmp_path / "s.db").exists()


# -- every id field of every slice ---------------------------------------------------------------
# (family, event, the other ids the event needs, the id field checked, what a number does).
# Written out here rather than read from the store, so a field the store stops checking fails.
COERCED, SKIPPED = "coerced (numeric id)", "skipped (bad id)"
RESTRICTION: dict[str, object] = {"districtId": "d", "active": True}
ID_CASES: list[tuple[str, str, dict[str, object], str, str]] = [
    ("quest", "quest:registered", {}, "questId", SKIPPED),
    ("quest", "quest:started", {}, "questId", SKIPPED),
    ("quest", "quest:completed", {}, "questId", SKIPPED),
    ("quest", "quest:failed", {}, "questId", SKIPPED),
    ("quest", "objective:progress", {"objectiveId": "o"}, "questId", SKIPPED),
    ("quest", "objective:progress", {"questId": "q"}, "objectiveId", SKIPPED),
    ("quest", "objective:completed", {"questId": "q"}, "objectiveId", SKIPPED),
    ("quest", "objective:blocked", {"questId": "q"}, "objectiveId", SKIPPED),
    ("quest", "quest:npc_availability", {}, "npcId", SKIPPED),
    ("story", "story:flag:changed", {}, "flagId", COERCED),
    ("story", "story:flag:removed", {}, "flagId", COERCED),
    ("faction", "reputation:changed", {}, "factionId", COERCED),
    ("faction", "faction:attitude_changed", {}, "factionId", COERCED),
    ("tutorial", "tutorial:step_started", {}, "stepId", COERCED),
    ("tutorial", "tutorial:control_hint_updated", {}, "stepId", COERCED),
    ("tutorial", "tutorial:step_completed", {}, "stepId", COERCED),
    ("tutorial", "tutorial:skipped", {}, "stepId", COERCED),
    ("dialogue", "dialogue:started", {}, "npcId", COERCED),
    ("dialogue", "dialogue:node_changed", {}, "npcId", COERCED),
    ("dialogue", "dialogue:choice", {}, "npcId", COERCED),
    ("dialogue", "dialogue:ended", {}, "npcId", COERCED),
    ("dialogue", "dialogue:completed", {}, "npcId", COERCED),
    ("inventory", "inventory:item_added", {}, "id", SKIPPED),
    ("inventory", "inventory:item_updated", {}, "id", SKIPPED),
    ("inventory", "inventory:item_removed", {}, "id", SKIPPED),
    ("inventory", "inventory:equipped", {"itemId": "i"}, "slot", SKIPPED),
    ("inventory", "inventory:equipped", {"slot": "hand"}, "itemId", SKIPPED),
    ("npc", "npc:registered", {}, "npcId", SKIPPED),
    ("npc", "npc:registered", {}, "id", SKIPPED),  # the id when npcId is missing
    ("npc", "npc:interviewed", {}, "npcId", SKIPPED),
    ("npc", "npc:recognized_player", {}, "npcId", SKIPPED),
    ("npc", "npc:witnessed_crime", {}, "npcId", SKIPPED),
    ("npc", "npc:became_suspicious", {}, "npcId", SKIPPED),
    ("npc", "npc:alerted", {}, "npcId", SKIPPED),
    ("district", "district:registered", {}, "districtId", SKIPPED),
    ("district", "district:registered", {}, "id", SKIPPED),
    ("district", "district:control_changed", {"controllingFaction": "f"}, "districtId", SKIPPED),
    ("district", "district:stability_set", {"stability": 5}, "districtId", SKIPPED),
    ("district", "district:stability_adjusted", {"delta": 5}, "districtId", SKIPPED),
    ("district", "district:fast_travel_set", {"enabled": True}, "districtId", SKIPPED),
    (
        "district",
        "district:restriction_set",
        {"districtId": "d", "active": True},
        "restrictionId",
        SKIPPED,
    ),
    ("district", "district:restriction_set", {"districtId": "d", "active": True}, "id", SKIPPED),
    ("district", "district:route_unlocked", {"districtId": "d"}, "routeId", SKIPPED),
    ("district", "district:route_unlocked", {"districtId": "d"}, "id", SKIPPED),
]
WRONG_TYPES: dict[str, object] = {"a list": ["a"], "a boolean": True, "an object": {"a": 1}}


def id_line(ts: int, event: str, others: dict[str, object], field: str, value: object) -> bytes:
    line = {"ts": ts, "event": event, "payload": {**others, field: value}}
    return json.dumps(line).encode() + b"\n"


def _counts(cases: list[tuple[str, object]]) -> dict[str, str]:
    """The report's sentence for each kind: ``N event(s) KIND: name xN, ...`` (sorted names)."""
    per_kind: dict[str, dict[str, int]] = {}
    for kind, event in cases:
        names = per_kind.setdefault(kind, {})
        names[str(event)] = names.get(str(event), 0) + 1
    return {
        kind: f"{sum(names.values())} event(s) {kind}: "
        + ", ".join(f"{name} x{n}" for name, n in sorted(names.items()))
        for kind, names in per_kind.items()
    }


def test_every_id_field_is_counted_and_named_at_the_end(tmp_path: Path) -> None:
    """A log with each id field of each slice wrong-typed (a list, a boolean, an object, a
    number): the end-of-replay report counts every line, by event name; exit 0."""
    lines, expected = [], []
    for _family, event, others, field, number in ID_CASES:
        for value in (*WRONG_TYPES.values(), 7):
            lines.append(id_line(len(lines) + 1, event, others, field, value))
            expected.append((number if value == 7 else SKIPPED, event))
    log = write_log(tmp_path, b"".join(lines))
    for command in ("snapshot", "export", "saves import"):
        if command == "snapshot":
            result = worldstate("snapshot", "--events", log, "--out", "w.json", cwd=tmp_path)
        else:
            result = RUNS[command][0](tmp_path, log)
        assert result.returncode == 0, result.stderr
        report = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
        assert report == [f"warning: {log}: {text}" for text in _counts(expected).values()], command


@pytest.mark.parametrize(
    ("family", "event", "others", "field", "number"),
    ID_CASES,
    ids=[f"{c[1]}.{c[3]}" for c in ID_CASES],
)
@pytest.mark.parametrize("kind", sorted(WRONG_TYPES))
def test_strict_refuses_every_wrong_typed_id(
    tmp_path: Path,
    family: str,
    event: str,
    others: dict[str, object],
    field: str,
    number: str,
    kind: str,
) -> None:
    """``snapshot --strict`` (in process): exit 2 naming the file, line 2, event and field."""
    log = write_log(tmp_path, CLEAN + id_line(2, event, others, field, WRONG_TYPES[kind]))
    result = CliRunner().invoke(cli, ["snapshot", "--events", str(log), "--strict"])
    assert result.exit_code == 2, result.output
    assert f"{log}, line 2: refused under --strict: {event}: {field} must be a string" in (
        result.output
    )
    assert f"got {kind}" in result.output and "Traceback" not in result.output


@pytest.mark.parametrize("family", sorted({case[0] for case in ID_CASES}))
@pytest.mark.parametrize("command", ["snapshot", "export", "saves import"])
def test_strict_refuses_a_wrong_typed_id_of_each_family(
    tmp_path: Path, family: str, command: str
) -> None:
    """Real processes, one event of each slice with a list for an id: exit 2 naming the file and
    line; nothing written."""
    _family, event, others, field, _number = next(c for c in ID_CASES if c[0] == family)
    log = write_log(tmp_path, CLEAN + id_line(2, event, others, field, ["x"]))
    if command == "snapshot":
        result = worldstate(
            "snapshot", "--events", log, "--out", "w.json", "--strict", cwd=tmp_path
        )
    else:
        result = RUNS[command][0](tmp_path, log, "--strict")
    assert result.returncode == 2, result.stderr
    assert f"{log}, line 2: refused under --strict: {event}: {field} must be a string" in (
        result.stderr
    )
    assert "Traceback" not in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["play.jsonl"]


def test_the_id_cases_cover_every_checked_event() -> None:
    """Each event whose ids the store checks has a case above, and the other way round."""
    assert {case[1] for case in ID_CASES} == set(ID_FIELDS) - {
        "tutorial:started",
        "tutorial:completed",
    }
