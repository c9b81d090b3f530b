"""Where the repository's test inputs live: the one home of these paths for every test module."""

from __future__ import annotations

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
SRC = REPO_ROOT / "src"
DOCS = REPO_ROOT / "docs"
GOLDENS = REPO_ROOT / "tests" / "goldens"
WORKLOADS = REPO_ROOT / "benchmarks" / "workloads"
REPLAY_GOLDENS = sorted(p for p in (GOLDENS / "replay").iterdir() if p.is_dir())
"""The replay golden cases (one folder each: events.jsonl and the reference snapshot)."""
EXPORTER_GOLDENS = sorted(p for p in (GOLDENS / "exporter").iterdir() if p.is_dir())
"""The exporter golden cases (one folder each: input.json and the expected artifacts)."""
STORY_EVENTS = GOLDENS / "replay" / "story_demo" / "events.jsonl"
"""The story playthrough most end-to-end tests replay."""
