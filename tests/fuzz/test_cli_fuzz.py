"""Seeded mutation of the goldens, event logs, snapshots, summaries and options, run through
the CLI in process (see ``_harness`` for what every case is checked against).

Each target runs a fixed number of reproducible seeds and reports every failure with its seed;
``python -m pytest tests/fuzz -k NAME`` reruns one target.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from tests.fuzz._harness import (
    HOSTILE,
    Campaign,
    deepen_document,
    golden_logs,
    golden_snapshots,
    golden_summaries,
    json_depth,
    mutate_document,
    mutate_log,
    mutate_text,
    seeds,
)

from worldstate.jsonfile import MAX_JSON_DEPTH

pytestmark = pytest.mark.timeout(240)

SUMMARIES = golden_summaries()
LOGS = golden_logs()
SNAPSHOTS = golden_snapshots()
FORMATS = "json,csv,transcript-csv,transcript-md"


def _summary_bytes(rng: random.Random) -> bytes:
    base = rng.choice(SUMMARIES)
    if rng.random() < 0.65:
        return json.dumps(mutate_document(base, rng)).encode()
    return mutate_text(json.dumps(base, indent=1).encode(), rng)


def test_summary_files(tmp_path: Path) -> None:
    """``export --summary`` with mutated golden summaries: exit 0 or a located exit 2."""
    campaign = Campaign("summary", tmp_path)
    for seed in seeds(900, 10_000):
        rng = random.Random(seed)
        path = tmp_path / f"summary-{seed}.json"
        path.write_bytes(_summary_bytes(rng))
        out = tmp_path / "out"
        campaign.run(
            seed,
            ["export", "--summary", str(path), "--out", str(out), "--formats", FORMATS, "-q"],
            where=str(path),
            out=out,
        )
        path.unlink()
    assert not campaign.failures, campaign.report()


CONTEXT_SEED: dict[str, object] = {"branch": "main", "api_key": "k", "nested": {"a": [1, "x"]}}


def test_context_option(tmp_path: Path) -> None:
    """``--context`` with mutated JSON objects and damaged text: never a crash."""
    campaign = Campaign("context", tmp_path)
    summary = tmp_path / "good.json"
    summary.write_text(json.dumps(SUMMARIES[0]), "utf-8")
    for seed in seeds(400, 20_000):
        rng = random.Random(seed)
        if rng.random() < 0.6:
            text = json.dumps(mutate_document(CONTEXT_SEED, rng))
        else:
            text = mutate_text(json.dumps(CONTEXT_SEED).encode(), rng).decode("utf-8", "replace")
        out = tmp_path / "out"
        campaign.run(
            seed,
            ["export", "--summary", str(summary), "--out", str(out), "--context", text, "-q"],
            where="--context",
            out=out,
            located=False,
        )
    assert not campaign.failures, campaign.report()


PREFIXES = ("", ".", "..", "a/b", "/abs", "C:x", "x" * 300, "ok", "\x00", "é" * 100, " ", "-")
FORMAT_CHOICES = ("json", "csv", "md", "", ",", "json,,csv", "JSON", "pdf", "json;csv", "💥")


def test_options(tmp_path: Path) -> None:
    """Random values for --prefix, --formats, --generated-at, --metadata: exit 0 or 2."""
    campaign = Campaign("options", tmp_path)
    summary = tmp_path / "good.json"
    summary.write_text(json.dumps(SUMMARIES[0]), "utf-8")
    options = ("--prefix", "--formats", "--generated-at", "--metadata")
    for seed in seeds(400, 30_000):
        rng = random.Random(seed)
        option = rng.choice(options)
        value = _option_value(option, rng, seed, tmp_path)
        out = tmp_path / "out"
        campaign.run(
            seed,
            ["export", "--summary", str(summary), "--out", str(out), option, value, "-q"],
            where=option.lstrip("-"),
            out=out,
            located=False,
        )
    assert not campaign.failures, campaign.report()


def _option_value(option: str, rng: random.Random, seed: int, tmp_path: Path) -> str:
    if option == "--prefix":
        return rng.choice(PREFIXES) + rng.choice(("", "-run", str(seed)))
    if option == "--formats":
        return ",".join(rng.sample(FORMAT_CHOICES, rng.randint(1, 3)))
    if option == "--generated-at":
        return str(rng.choice(HOSTILE))
    return str(tmp_path / rng.choice((*PREFIXES, "m.json")))


def test_event_logs(tmp_path: Path) -> None:
    """``snapshot --events`` with mutated golden logs: exit 0 or exit 2 naming the line."""
    campaign = Campaign("events", tmp_path)
    for seed in seeds(500, 40_000):
        rng = random.Random(seed)
        path = tmp_path / f"log-{seed}.jsonl"
        path.write_bytes(mutate_log(rng.choice(LOGS), rng))
        campaign.run(seed, ["snapshot", "--events", str(path)], where=str(path))
        path.unlink()
    assert not campaign.failures, campaign.report()


def test_snapshot_files(tmp_path: Path) -> None:
    """``export --snapshot`` with mutated reference snapshots: exit 0 or a located exit 2."""
    campaign = Campaign("snapshot", tmp_path)
    for seed in seeds(300, 50_000):
        rng = random.Random(seed)
        base = rng.choice(SNAPSHOTS)
        path = tmp_path / f"snapshot-{seed}.json"
        if rng.random() < 0.7:
            path.write_text(json.dumps(mutate_document(base, rng)), "utf-8")
        else:
            path.write_bytes(mutate_text(json.dumps(base).encode(), rng))
        out = tmp_path / "out"
        campaign.run(
            seed,
            ["export", "--snapshot", str(path), "--out", str(out), "-q"],
            where=str(path),
            out=out,
        )
        path.unlink()
    assert not campaign.failures, campaign.report()


RIGHT_KINDS = {
    ("summary", "--summary"),
    ("snapshot", "--snapshot"),
    ("log", "--events"),
    ("empty", "--events"),  # an empty log is a valid, empty playthrough
}


def test_wrong_kinds_of_input(tmp_path: Path) -> None:
    """Every input kind given to every source option: refused with a located exit 2 or used."""
    campaign = Campaign("kinds", tmp_path)
    files = {
        "summary": json.dumps(SUMMARIES[0]),
        "snapshot": json.dumps(SNAPSHOTS[0]),
        "log": b"\n".join(LOGS[0]).decode("utf-8"),
        "object": '{"foo": 1}',
        "array": "[1, 2]",
        "empty": "",
    }
    seed = 0
    for name, text in files.items():
        path = tmp_path / f"{name}.in"
        path.write_text(text, "utf-8")
        for option in ("--summary", "--snapshot", "--events"):
            seed += 1
            if (name, option) == ("summary", "--snapshot"):
                continue  # the store's part: test_a_summary_is_not_a_snapshot
            right = (name, option) in RIGHT_KINDS
            out = tmp_path / "out"
            campaign.run(
                seed,
                ["export", option, str(path), "--out", str(out), "-q"],
                where=str(path),
                out=out,
                expect=lambda code, want=0 if right else 2: code == want,
            )
    assert not campaign.failures, campaign.report()


def test_a_summary_is_not_a_snapshot(tmp_path: Path) -> None:
    """An inspector summary shares factions, tutorial, districts, npcs with a snapshot."""
    campaign = Campaign("kinds", tmp_path)
    path = tmp_path / "summary.json"
    path.write_text(json.dumps(SUMMARIES[0]), "utf-8")
    out = tmp_path / "out"
    args = ["export", "--snapshot", str(path), "--out", str(out), "-q"]
    campaign.run(0, args, where=str(path), out=out, expect=lambda code: code == 2)
    assert not campaign.failures, campaign.report()


CONTEXT_DEPTH = MAX_JSON_DEPTH - 1
"""``--context`` nests one level less: the manifest holds it one level down."""


def _depth_limit(kind: str) -> int:
    return CONTEXT_DEPTH if kind == "context" else MAX_JSON_DEPTH


def _near_the_limit(rng: random.Random, limit: int) -> int:
    return limit + rng.choice((-40, -2, -1, 0, 0, 1, 1, 2, 300))


def _deep_input(kind: str, rng: random.Random, depth: int, path: Path) -> list[str]:
    """The source options of one case; the input nests exactly ``depth`` levels."""
    if kind == "context":
        context = deepen_document(CONTEXT_SEED, rng, depth)
        assert json_depth(context) == depth
        return ["--context", json.dumps(context)]
    if kind == "events":
        lines = rng.choice(LOGS)
        index = rng.choice([i for i, line in enumerate(lines) if line.startswith(b'{"')])
        line = deepen_document(json.loads(lines[index]), rng, depth)
        assert json_depth(line) == depth
        path.write_bytes(b"\n".join([*lines[:index], json.dumps(line).encode()]) + b"\n")
        return ["--events", str(path)]
    base = rng.choice([d for d in (SUMMARIES if kind == "summary" else SNAPSHOTS) if d])
    document = deepen_document(base, rng, depth)
    assert json_depth(document) == depth
    path.write_text(json.dumps(document), "utf-8")
    return [f"--{kind}", str(path)]


def test_deep_nesting(tmp_path: Path) -> None:
    """Summaries, snapshots, event lines and ``--context`` nesting around the limit (in a random
    place): up to 512 levels (511 for ``--context``) are never refused for their depth, deeper
    ones always are (a located exit 2), and nothing raises ``RecursionError`` (the harness fails
    any traceback)."""
    campaign = Campaign("deep", tmp_path)
    summary = tmp_path / "good.json"
    summary.write_text(json.dumps(SUMMARIES[0]), "utf-8")
    for seed in seeds(240, 60_000):
        rng = random.Random(seed)
        kind = ("summary", "snapshot", "events", "context")[seed % 4]
        limit = _depth_limit(kind)
        depth = _near_the_limit(rng, limit)
        path = tmp_path / f"{kind}-{seed}.json"
        source = _deep_input(kind, rng, depth, path)
        if kind == "context":
            source = ["--summary", str(summary), *source]
        out = tmp_path / "out"
        args = ["export", *source, "--out", str(out), "-q", "--formats", FORMATS]
        code = campaign.run(
            seed, args, where=source[-1] if kind != "context" else "--context", out=out,
            located=kind != "context",
        )  # fmt: skip
        too_deep = f"deeper than the limit of {limit}" in campaign.last_output
        if too_deep != (depth > limit) or (too_deep and code != 2):
            problem = f"{depth} levels: exit {code}, refused as too deep: {too_deep}"
            campaign.note(seed, args, problem)
        path.unlink(missing_ok=True)
    assert not campaign.failures, campaign.report()
