"""Every replay golden, end to end: event log -> store + recorder -> summary -> artifacts.

Also the ``--snapshot`` path: a store hydrated from ``reference_snapshot.json`` reproduces the
golden CSVs (the transcript is not part of a snapshot, so only the csv format applies).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from worldstate.clock import ManualClock
from worldstate.events import EventBus
from worldstate.inspector import (
    TutorialTranscriptRecorder,
    build_summary,
    render_artifacts,
    sanitize_summary,
)
from worldstate.replay import iter_event_log, replay_events
from worldstate.store import WorldStore

from ._golden import REPLAY_CASES, assert_matches_expected


def _meta(case: Path) -> dict[str, object]:
    return json.loads((case / "meta.json").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


@pytest.mark.parametrize("case", REPLAY_CASES, ids=lambda p: p.name)
def test_replayed_log_exports_the_golden_artifacts(case: Path) -> None:
    meta = _meta(case)
    clock = ManualClock(0)
    bus = EventBus()
    with (
        WorldStore(bus, clock=clock) as store,
        TutorialTranscriptRecorder(bus, clock=clock) as recorder,
    ):
        replay_events(iter_event_log(case / "events.jsonl"), bus, clock)
        summary = build_summary(store, recorder=recorder)
    assert summary["generatedAt"] == meta["generatedAt"]
    payload = sanitize_summary(summary, now=meta["generatedAt"])  # type: ignore[arg-type]
    artifacts = render_artifacts(payload, prefix=meta["prefix"], formats=meta["formats"])  # type: ignore[arg-type]
    assert_matches_expected(artifacts, case / "expected")
    assert sorted(a.filename for a in artifacts) == sorted(meta["artifacts"])  # type: ignore[arg-type]


@pytest.mark.parametrize("case", REPLAY_CASES, ids=lambda p: p.name)
def test_hydrated_reference_snapshot_reproduces_the_golden_csvs(case: Path) -> None:
    meta = _meta(case)
    store = WorldStore(EventBus(), clock=ManualClock(meta["generatedAt"]))  # type: ignore[arg-type]
    store.hydrate(json.loads((case / "reference_snapshot.json").read_text(encoding="utf-8")))
    payload = sanitize_summary(build_summary(store), now=meta["generatedAt"])  # type: ignore[arg-type]
    artifacts = render_artifacts(payload, prefix=meta["prefix"], formats=["csv"])  # type: ignore[arg-type]
    expected = [n for n in meta["artifacts"] if n.endswith(".csv") and "transcript" not in n]  # type: ignore[attr-defined]
    assert_matches_expected(artifacts, case / "expected", only=expected)
