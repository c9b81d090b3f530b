"""Deep documents: the copy and the redactor never run out of stack; the CLI handles the limit.

``json_clone`` and the redactor walk with explicit stacks, so any depth is copied (a step
towards a reader limit above 128; other walkers still recurse).  A summary, snapshot, context
or event payload at the reader's limit goes all the way through the CLI.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from worldstate.cli import cli
from worldstate.inspector._sanitize import json_clone
from worldstate.jsonfile import JsonLimits
from worldstate.redact import Redactor

LIMIT = JsonLimits().max_depth
WALK_DEPTHS = (129, 512, 3000)


def mixed(depth: int) -> Any:
    """``depth`` levels alternating objects and arrays."""
    value: Any = 1
    for level in range(depth):
        value = [value] if level % 2 else {"k": value}
    return value


def objects(depth: int) -> Any:
    value: Any = 1
    for _ in range(depth):
        value = {"k": value}
    return value


def run(*args: str) -> None:
    result = CliRunner().invoke(cli, list(args), env={"CI": "", "GITHUB_ACTIONS": ""})
    assert result.exit_code == 0, (result.output, result.exception)


@pytest.mark.parametrize("depth", WALK_DEPTHS)
def test_copy_and_redaction_survive_the_deepest_document(depth: int) -> None:
    """Both walks return an equal copy, however deep."""
    document = {"api_key": "k", "deep": mixed(depth - 1)}
    copy = json_clone(document)
    redacted = Redactor()(document)
    assert redacted["api_key"] != "k" and copy["api_key"] == "k"
    assert _depth(copy) == _depth(redacted) == depth


def _depth(value: Any) -> int:
    depth = 0
    while isinstance(value, dict | list):
        value = (
            value["k"]
            if isinstance(value, dict) and "k" in value
            else (value["deep"] if isinstance(value, dict) else value[0])
        )
        depth += 1
    return depth


@pytest.mark.parametrize("depth", [LIMIT])
def test_a_deep_summary_and_context_export(tmp_path: Path, depth: int) -> None:
    summary = {
        "generatedAt": 1761843600000,
        "tutorial": {"latestSnapshot": {"deep": mixed(depth - 3)}},
        "factions": {"lastCascadeEvent": {"deep": mixed(depth - 3)}},
    }
    source = tmp_path / "summary.json"
    source.write_text(json.dumps(summary), "utf-8")
    context = json.dumps({"deep": mixed(depth - 1)})
    out = str(tmp_path / "out")
    run("export", "--summary", str(source), "--out", out, "-q", "--json", "--context", context)


@pytest.mark.parametrize("depth", [LIMIT])
def test_a_deep_snapshot_and_event_log_export(tmp_path: Path, depth: int) -> None:
    flag = {"value": mixed(depth - 4), "metadata": objects(depth - 4), "updatedAt": 1}
    snapshot = tmp_path / "snapshot.json"
    snapshot.write_text(json.dumps({"storyFlags": {"flags": {"f": flag}}}), "utf-8")
    run("export", "--snapshot", str(snapshot), "--out", str(tmp_path / "a"), "-q", "--json")
    payload = {"flagId": "f", "value": mixed(depth - 3), "metadata": objects(depth - 3)}
    log = tmp_path / "log.jsonl"
    log.write_text(json.dumps({"event": "story:flag:changed", "ts": 1, "payload": payload}))
    run("snapshot", "--events", str(log))
    run("export", "--events", str(log), "--out", str(tmp_path / "b"), "-q")
