"""Deep documents: every input kind at the nesting limit goes through the CLI; one level more
is refused, located; no walker runs out of stack.

The readers accept :data:`~worldstate.jsonfile.MAX_JSON_DEPTH` (512) levels.  The walkers
that copy, check, redact and encode documents use explicit stacks (or a bounded recursion),
so they are also run here far deeper than that, and from a call stack that is already deep.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from worldstate._js import dumps_compact, dumps_pretty, js_string
from worldstate.errors import SnapshotError
from worldstate.inspector._sanitize import json_clone
from worldstate.jsonfile import MAX_JSON_DEPTH, loads_strict
from worldstate.redact import Redactor
from worldstate.store.slices._payload import copy_json

LIMIT = MAX_JSON_DEPTH
WALK_DEPTHS = (LIMIT, 3000)
FORMATS = "json,csv,transcript-csv,transcript-md"
MARK = "bottom-of-the-well"


def mixed(depth: int, leaf: Any = MARK) -> Any:
    """``depth`` levels alternating objects (the outermost) and arrays around ``leaf``."""
    value: Any = leaf
    for level in range(depth):
        value = {"k": value} if (depth - level) % 2 else [value]
    return value


def depth_of(value: Any) -> int:
    """How deeply ``value`` nests (``[[1]]`` is 2), without recursion."""
    deepest = 0
    pending = [(value, 0)]
    while pending:
        item, level = pending.pop()
        if isinstance(item, dict | list):
            level += 1
            deepest = max(deepest, level)
            pending.extend((child, level) for child in _children(item))
    return deepest


def same(left: Any, right: Any) -> bool:
    """``left == right`` for JSON-shaped values, without recursion (``==`` recurses in C)."""
    pending = [(left, right)]
    while pending:
        a, b = pending.pop()
        if isinstance(a, dict | list) or isinstance(b, dict | list):
            if type(a) is not type(b) or len(a) != len(b):
                return False
            if isinstance(a, dict) and list(a) != list(b):
                return False
            pending.extend(zip(_children(a), _children(b), strict=True))
        elif a != b or type(a) is not type(b):
            return False
    return True


def _children(item: dict[str, Any] | list[Any]) -> list[Any]:
    return list(item.values()) if isinstance(item, dict) else list(item)


def in_deep_stack(frames: int, call: Callable[[], Any]) -> Any:
    """``call()`` from ``frames`` extra interpreter frames (as a deeply nested caller would)."""
    if frames == 0:
        return call()
    return in_deep_stack(frames - 1, call)


# -- the walkers -------------------------------------------------------------------------------


@pytest.mark.parametrize("depth", WALK_DEPTHS)
def test_copies_and_redaction_survive_any_depth(depth: int) -> None:
    """The store's and the sanitiser's copies and the redactor return equal documents."""
    document = {"api_key": "k", "deep": mixed(depth - 1)}
    copies = [
        in_deep_stack(300, lambda: copy_json(document)),
        in_deep_stack(300, lambda: json_clone(document)),
    ]
    redacted = in_deep_stack(300, lambda: Redactor()(document))
    assert redacted["api_key"] != "k" and same(redacted["deep"], document["deep"])
    for copy in copies:
        assert same(copy, document) and copy["deep"] is not document["deep"]
        assert depth_of(copy) == depth


@pytest.mark.parametrize("depth", WALK_DEPTHS)
def test_the_json_encoders_write_any_depth(depth: int) -> None:
    """Both JavaScript-style encoders write the same text as ``json.dumps``, however deep and
    however deep the caller's stack."""
    document = {"deep": mixed(depth - 1), "n": 5.0, "s": "é"}
    expected = {"deep": document["deep"], "n": 5, "s": "é"}
    pretty = in_deep_stack(400, lambda: dumps_pretty(document))
    compact = in_deep_stack(400, lambda: dumps_compact(document))
    assert compact == _oracle(expected, indent=None)
    assert pretty == _oracle(expected, indent=2)


def _oracle(value: Any, *, indent: int | None) -> str:
    """``json.dumps`` with room on the stack (it recurses)."""
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 4 * depth_of(value) + 200))
    try:
        separators = (",", ": ") if indent else (",", ":")
        return json.dumps(value, indent=indent, ensure_ascii=False, separators=separators)
    finally:
        sys.setrecursionlimit(limit)


def test_string_of_a_deep_list() -> None:
    """``String([[...[1, 2]...], 3])`` joins all items, however deep."""
    assert in_deep_stack(300, lambda: js_string([_lists(3000, [1, None, 2]), [], 3])) == "1,,2,,3"


def _lists(depth: int, leaf: list[Any]) -> list[Any]:
    value = leaf
    for _ in range(depth - 1):
        value = [value]
    return value


def test_a_bad_string_at_the_limit_is_located() -> None:
    """The reader's check for lone surrogates names the path at the bottom of the document."""
    text = json.dumps(mixed(LIMIT - 1, "\ud800"))
    with pytest.raises(SnapshotError) as caught:
        in_deep_stack(300, lambda: loads_strict(text, source="f.json", what="summary"))
    assert caught.value.path == "$" + ".k[0]" * ((LIMIT - 1) // 2) + ".k"


# -- the command line --------------------------------------------------------------------------


def worldstate(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "worldstate", *map(str, args)]
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": ":".join(sys.path)}
    return subprocess.run(
        command, cwd=cwd, capture_output=True, text=True, timeout=120, env=env, check=False
    )


def assert_done(result: subprocess.CompletedProcess[str]) -> None:
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Traceback" not in result.stderr and "RecursionError" not in result.stderr


def assert_refused(
    result: subprocess.CompletedProcess[str], source: str, where: str, limit: int = LIMIT
) -> None:
    """Exit 2, naming the file and where in it, without a traceback."""
    assert result.returncode == 2, result.stderr[-2000:]
    assert "Traceback" not in result.stderr and "RecursionError" not in result.stderr
    assert f"{source}, {where}" in result.stderr, result.stderr
    assert f"deeper than the limit of {limit}" in result.stderr


def json_artifact(out: Path) -> str:
    (path,) = out.glob("save-inspector-summary-*.json")
    return path.read_text("utf-8")


def deep_summary(extra: int) -> dict[str, Any]:
    """A summary whose deep parts nest ``LIMIT + extra`` levels (3 levels of summary above)."""
    return {
        "generatedAt": 1761843600000,
        "tutorial": {"latestSnapshot": {"deep": mixed(LIMIT - 3 + extra)}},
        "factions": {"lastCascadeEvent": {"deep": mixed(LIMIT - 3)}},
    }


def test_a_summary_and_context_at_the_limit_export(tmp_path: Path) -> None:
    """Exit 0; the JSON artifact holds the deep parts exactly, formatted as everywhere else,
    and the manifest (which holds the context one level down) can be read back."""
    source = tmp_path / "summary.json"
    summary = deep_summary(0)
    source.write_text(json.dumps(summary), "utf-8")
    context = json.dumps({"deep": mixed(LIMIT - 2)})
    result = worldstate(
        "export",
        "--summary",
        source,
        "--out",
        "out",
        "--formats",
        FORMATS,
        "-q",
        "--context",
        context,
        "--no-publish",
        cwd=tmp_path,
    )
    assert_done(result)
    text = json_artifact(tmp_path / "out")
    body = json.loads(text)
    assert body["tutorial"]["latestSnapshot"] == summary["tutorial"]["latestSnapshot"]
    assert body["factions"]["lastCascadeEvent"] == summary["factions"]["lastCascadeEvent"]
    assert text == _oracle(body, indent=2) + "\n"
    manifest_path = tmp_path / "out" / "ci-artifacts.json"
    manifest = json.loads(manifest_path.read_text("utf-8"))
    assert depth_of(manifest) == LIMIT
    assert json.dumps(mixed(LIMIT - 2)) in json.dumps(manifest)
    report = worldstate(
        "report", "providers", "--metadata", manifest_path, "--strict", "--json", cwd=tmp_path
    )
    assert report.returncode == 0, report.stderr


def test_a_summary_one_level_deeper_is_refused(tmp_path: Path) -> None:
    source = tmp_path / "summary.json"
    text = json.dumps(deep_summary(1))
    source.write_text(text, "utf-8")
    result = worldstate("export", "--summary", source, "--out", "out", cwd=tmp_path)
    assert_refused(result, str(source), f"line 1 column {_deepest_opener(text) + 1}")
    assert not (tmp_path / "out").exists()


def test_a_context_one_level_deeper_is_refused(tmp_path: Path) -> None:
    """The context may nest one level less than the limit: the manifest holds it one down."""
    context = json.dumps({"deep": mixed(LIMIT - 1)})
    result = worldstate("export", "--demo", "--out", "out", "--context", context, cwd=tmp_path)
    column = _deepest_opener(context, LIMIT - 1) + 1
    assert_refused(result, "--context", f"line 1 column {column}", LIMIT - 1)
    assert not (tmp_path / "out").exists()


def deep_snapshot(extra: int) -> dict[str, Any]:
    """A snapshot whose flag value and metadata nest ``LIMIT + extra`` levels in all."""
    flag = {"value": mixed(LIMIT - 4 + extra), "metadata": mixed(LIMIT - 4), "updatedAt": 1}
    return {"storyFlags": {"flags": {"f": flag}}}


def test_a_snapshot_at_the_limit_exports_and_saves(tmp_path: Path) -> None:
    """``export --snapshot`` and ``saves import`` / ``saves show`` keep the deep flag."""
    source = tmp_path / "snapshot.json"
    snapshot = deep_snapshot(0)
    source.write_text(json.dumps(snapshot), "utf-8")
    assert_done(
        worldstate(
            "export",
            "--snapshot",
            source,
            "--out",
            "out",
            "-q",
            "--no-publish",
            "--formats",
            FORMATS,
            cwd=tmp_path,
        )
    )
    assert (tmp_path / "out" / "ci-artifacts.json").exists()
    imported = worldstate(
        "saves", "import", "--db", "s.db", "--slot", "a", "--snapshot", source, cwd=tmp_path
    )
    assert_done(imported)
    shown = worldstate("saves", "show", "--db", "s.db", "--slot", "a", "--json", cwd=tmp_path)
    assert_done(shown)
    assert json.dumps(snapshot["storyFlags"]["flags"]["f"]["value"]) in json.dumps(
        json.loads(shown.stdout)
    )


def test_a_snapshot_one_level_deeper_is_refused(tmp_path: Path) -> None:
    source = tmp_path / "snapshot.json"
    text = json.dumps(deep_snapshot(1))
    source.write_text(text, "utf-8")
    result = worldstate("export", "--snapshot", source, "--out", "out", cwd=tmp_path)
    assert_refused(result, str(source), f"line 1 column {_deepest_opener(text) + 1}")
    assert not (tmp_path / "out").exists()


# One event of every slice, each with a free-form part of its payload at the limit: the line
# is {"ts", "event", "payload": {field: <deep>}}, two levels above the deep part.
DEEP_EVENTS: dict[str, tuple[str, dict[str, Any], str]] = {
    "story": ("story:flag:changed", {"flagId": "f"}, "newValue"),
    "quest": ("quest:registered", {"questId": "q"}, "metadata"),
    "faction": ("faction:attitude_changed", {"factionId": "a"}, "newAttitude"),
    "tutorial": ("tutorial:step_started", {"stepId": "s", "stepIndex": 0}, "highlight"),
    "dialogue": ("dialogue:started", {"npcId": "n", "dialogueId": "d"}, "text"),
    "inventory": ("inventory:item_added", {"id": "i"}, "metadata"),
    "npc": ("npc:witnessed_crime", {"npcId": "n"}, "severity"),
    "district": ("district:registered", {"districtId": "d"}, "definition"),
}


def deep_line(family: str, extra: int) -> str:
    event, payload, field = DEEP_EVENTS[family]
    if field == "definition":
        deep: Any = {"proceduralModifiers": mixed(LIMIT - 3 + extra)}
    else:
        deep = mixed(LIMIT - 2 + extra)
    line = {"ts": 1761843600000, "event": event, "payload": {**payload, field: deep}}
    return json.dumps(line)


@pytest.mark.parametrize("family", sorted(DEEP_EVENTS))
def test_an_event_payload_at_the_limit_replays_and_exports(tmp_path: Path, family: str) -> None:
    """``snapshot --events`` prints the deep part; ``export`` and ``saves import`` take it."""
    log = tmp_path / "log.jsonl"
    log.write_text(deep_line(family, 0) + "\n", "utf-8")
    printed = worldstate("snapshot", "--events", log, "--strict", cwd=tmp_path)
    assert_done(printed)
    snapshot = json.loads(printed.stdout)
    assert printed.stdout == _oracle(snapshot, indent=2) + "\n"
    assert MARK in printed.stdout and depth_of(snapshot) > LIMIT
    exported = worldstate(
        "export",
        "--events",
        log,
        "--out",
        "out",
        "-q",
        "--no-publish",
        "--formats",
        FORMATS,
        "--strict",
        cwd=tmp_path,
    )
    assert_done(exported)
    imported = worldstate(
        "saves", "import", "--db", "s.db", "--slot", "a", "--events", log, cwd=tmp_path
    )
    assert_done(imported)


@pytest.mark.parametrize("command", ["snapshot", "export", "saves import"])
def test_an_event_line_one_level_deeper_is_refused(tmp_path: Path, command: str) -> None:
    """Exit 2 naming the file, the line and the column of the first bracket too deep."""
    log = tmp_path / "log.jsonl"
    good = json.dumps({"ts": 1, "event": "story:flag:changed", "payload": {"flagId": "x"}})
    log.write_text(good + "\n" + deep_line("story", 1) + "\n", "utf-8")
    args: dict[str, tuple[str, ...]] = {
        "snapshot": ("snapshot", "--events", str(log), "--out", "snap.json"),
        "export": ("export", "--events", str(log), "--out", "out"),
        "saves import": ("saves", "import", "--db", "s.db", "--slot", "a", "--events", str(log)),
    }
    result = worldstate(*args[command], cwd=tmp_path)
    assert_refused(result, str(log), "line 2: ")
    assert f"(column {_deepest_opener(deep_line('story', 1)) + 1})" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["log.jsonl"]


def _deepest_opener(text: str, limit: int = LIMIT) -> int:
    depth = 0
    for index, char in enumerate(text):
        depth += {"[": 1, "{": 1, "]": -1, "}": -1}.get(char, 0)
        if depth > limit:
            return index
    raise AssertionError("not too deep")
